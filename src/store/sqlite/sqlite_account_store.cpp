#include "store/sqlite/sqlite_account_store.h"

#include <utility>

#include "core/clock.h"

namespace cdrd {

using sqlite::Connection;
using sqlite::Statement;

namespace {

const std::string kSelectAccount =
    "SELECT id, auth_id, name, token_hash, created_at, default_country FROM accounts ";

// One reader per table, in the column order of its SELECT (as in the other sqlite stores).
Account read_account(const Statement& st) {
  Account a;
  a.id = st.int64(0);
  a.auth_id = st.text(1);
  a.name = st.text(2);
  a.token_hash = st.text(3);
  a.created_at = st.int64(4);
  a.default_country = st.text(5);
  return a;
}

}  // namespace

Result<Account> SqliteAccountStore::create_account(const std::string& name,
                                                   const std::string& auth_id,
                                                   const std::string& token_hash) {
  Account a;
  a.auth_id = auth_id;
  a.name = name;
  a.token_hash = token_hash;
  a.created_at = system_now();
  return db_.with_writer([&](Connection& c) -> Result<Account> {
    if (Status s = c.run("INSERT INTO accounts (auth_id, name, token_hash, created_at) "
                         "VALUES (?, ?, ?, ?)",
                         a.auth_id, a.name, a.token_hash, a.created_at);
        !s.ok()) {
      if (sqlite3_extended_errcode(c.handle()) == SQLITE_CONSTRAINT_UNIQUE) {
        return Status::Conflict("auth_id " + auth_id + " is already taken");
      }
      return s;
    }
    a.id = c.last_insert_rowid();
    return a;
  });
}

Result<std::optional<Account>> SqliteAccountStore::find_account_by_auth_id(
    std::string_view auth_id) {
  static const std::string sql = kSelectAccount + "WHERE auth_id = ?";
  return db_.with_reader([&](Connection& c) { return c.query_one(sql, read_account, auth_id); });
}

Result<std::optional<Account>> SqliteAccountStore::find_account_by_name(std::string_view name) {
  static const std::string sql = kSelectAccount + "WHERE name = ? ORDER BY id LIMIT 1";
  return db_.with_reader([&](Connection& c) { return c.query_one(sql, read_account, name); });
}

Status SqliteAccountStore::set_token_hash(std::int64_t account_id, const std::string& token_hash) {
  return db_.with_writer([&](Connection& c) -> Status {
    RETURN_IF_ERROR(
        c.run("UPDATE accounts SET token_hash = ? WHERE id = ?", token_hash, account_id));
    if (c.changes() == 0) {
      return Status::NotFound("no account with id " + std::to_string(account_id));
    }
    return Status::Ok();
  });
}

Status SqliteAccountStore::set_default_country(std::int64_t account_id,
                                               const std::string& country) {
  return db_.with_writer([&](Connection& c) -> Status {
    RETURN_IF_ERROR(
        c.run("UPDATE accounts SET default_country = ? WHERE id = ?", country, account_id));
    if (c.changes() == 0) {
      return Status::NotFound("no account with id " + std::to_string(account_id));
    }
    return Status::Ok();
  });
}

Result<std::vector<Account>> SqliteAccountStore::list_accounts() {
  static const std::string sql = kSelectAccount + "ORDER BY id";
  return db_.with_reader([&](Connection& c) { return c.query_all(sql, read_account); });
}

}  // namespace cdrd
