#include "store/postgres/pg_account_store.h"

#include "core/clock.h"
#include "store/postgres/pg_tx.h"

namespace cdrd::postgres {
namespace {

const std::string kSelectAccount =
    "SELECT id, auth_id, name, token_hash, created_at, default_country FROM accounts ";

Account read_account(const pqxx::row& r) {
  Account a;
  a.id = int64_of(r[0]);
  a.auth_id = text_of(r[1]);
  a.name = text_of(r[2]);
  a.token_hash = text_of(r[3]);
  a.created_at = int64_of(r[4]);
  a.default_country = text_of(r[5]);
  return a;
}

Result<std::optional<Account>> find_one(Database& db, const std::string& sql,
                                        std::string_view key) {
  std::optional<Account> found;
  RETURN_IF_ERROR(db.transact(Database::Kind::kRead, [&](Tx& tx) {
    const pqxx::result r = tx.exec(sql, {key});
    found = r.empty() ? std::nullopt : std::optional<Account>(read_account(r[0]));
    return Status::Ok();
  }));
  return found;
}

// Runs `sql` (an UPDATE of the account $2): kNotFound when no account has that id.
Status update_account(Database& db, const std::string& sql, std::int64_t account_id,
                      const std::string& value) {
  return db.transact(Database::Kind::kWrite, [&](Tx& tx) -> Status {
    if (tx.exec(sql, {value, account_id}).affected_rows() == 0) {
      return Status::NotFound("no account with id " + std::to_string(account_id));
    }
    return Status::Ok();
  });
}

}  // namespace

Result<Account> PgAccountStore::create_account(const std::string& name, const std::string& auth_id,
                                               const std::string& token_hash) {
  Account a;
  a.auth_id = auth_id;
  a.name = name;
  a.token_hash = token_hash;
  a.created_at = system_now();
  RETURN_IF_ERROR(db_.transact(Database::Kind::kWrite, [&](Tx& tx) -> Status {
    if (tx.exists("SELECT 1 FROM accounts WHERE auth_id = $1", {auth_id})) {
      return Status::Conflict("auth_id " + auth_id + " is already taken");
    }
    a.id = tx.query_int(
        "INSERT INTO accounts (auth_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4) "
        "RETURNING id",
        {a.auth_id, a.name, a.token_hash, a.created_at});
    return Status::Ok();
  }));
  return a;
}

Result<std::optional<Account>> PgAccountStore::find_account_by_auth_id(std::string_view auth_id) {
  static const std::string sql = kSelectAccount + "WHERE auth_id = $1";
  return find_one(db_, sql, auth_id);
}

Result<std::optional<Account>> PgAccountStore::find_account_by_name(std::string_view name) {
  static const std::string sql = kSelectAccount + "WHERE name = $1 ORDER BY id LIMIT 1";
  return find_one(db_, sql, name);
}

Status PgAccountStore::set_token_hash(std::int64_t account_id, const std::string& token_hash) {
  return update_account(db_, "UPDATE accounts SET token_hash = $1 WHERE id = $2", account_id,
                        token_hash);
}

Status PgAccountStore::set_default_country(std::int64_t account_id, const std::string& country) {
  return update_account(db_, "UPDATE accounts SET default_country = $1 WHERE id = $2", account_id,
                        country);
}

Result<std::vector<Account>> PgAccountStore::list_accounts() {
  std::vector<Account> out;
  RETURN_IF_ERROR(db_.transact(Database::Kind::kRead, [&](Tx& tx) {
    out.clear();
    for (const pqxx::row& r : tx.exec(kSelectAccount + "ORDER BY id")) {
      out.push_back(read_account(r));
    }
    return Status::Ok();
  }));
  return out;
}

}  // namespace cdrd::postgres
