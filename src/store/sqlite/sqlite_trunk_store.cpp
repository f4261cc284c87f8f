#include "store/sqlite/sqlite_trunk_store.h"

#include <algorithm>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/secret_box.h"
#include "store/sqlite/call_filter.h"
#include "store/sqlite/sqlite_db.h"

namespace cdrd {

using sqlite::Connection;
using sqlite::SqlValue;
using sqlite::Statement;
using sqlite::StatementRef;
using sqlite::Transaction;

namespace {

// ---- small statement helpers ----------------------------------------------------------------

// The single integer of a one-row statement.
Result<std::int64_t> scalar(Statement& st) {
  Result<bool> row = st.step();
  if (!row.ok()) return row.status();
  if (!*row) return Status::Internal(std::string("sqlite: no row from ") + st.sql());
  return st.int64(0);
}

// Binds (account_id, key) and says whether the statement yields a row.
Result<bool> exists(Connection& c, const std::string& sql, std::int64_t account_id,
                    std::string_view key) {
  Result<StatementRef> st = c.prepare(sql);
  if (!st.ok()) return st.status();
  (*st)->bind(1, account_id);
  (*st)->bind(2, key);
  return (*st)->step();
}

// The internal id of a row found by (account_id, key), or nullopt.
Result<std::optional<std::int64_t>> row_id(Connection& c, const std::string& sql,
                                           std::int64_t account_id, std::string_view key) {
  Result<StatementRef> st = c.prepare(sql);
  if (!st.ok()) return st.status();
  (*st)->bind(1, account_id);
  (*st)->bind(2, key);
  Result<bool> row = (*st)->step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<std::int64_t>();
  return std::optional<std::int64_t>((*st)->int64(0));
}

Result<std::int64_t> count_for_account(Connection& c, const std::string& sql,
                                       std::int64_t account_id) {
  Result<StatementRef> st = c.prepare(sql);
  if (!st.ok()) return st.status();
  (*st)->bind(1, account_id);
  return scalar(**st);
}

Status quota_reached(int max, std::string_view what) {
  return Status::Exhausted("quota reached: an account may have at most " + std::to_string(max) +
                           " " + std::string(what) + "; delete one first");
}

// ---- references from trunks -----------------------------------------------------------------

struct Reference {
  std::string_view field;  // the trunk attribute
  std::string_view what;   // the resource, for messages
  std::string exists_sql;  // (account_id, uuid) -> a row if the resource is the account's
};

const Reference& ipacl_ref() {
  static const Reference r{"ipacl_uuid", "IP access control list",
                           "SELECT 1 FROM ip_acls WHERE account_id = ? AND ipacl_uuid = ?"};
  return r;
}
const Reference& credential_ref() {
  static const Reference r{"credential_uuid", "credential",
                           "SELECT 1 FROM credentials WHERE account_id = ? AND credential_uuid = ?"};
  return r;
}
const Reference& uri_ref(std::string_view field) {
  static const Reference primary{"primary_uri_uuid", "origination URI",
                                 "SELECT 1 FROM origination_uris WHERE account_id = ? AND uri_uuid = ?"};
  static const Reference fallback{"fallback_uri_uuid", "origination URI", primary.exists_sql};
  return field == primary.field ? primary : fallback;
}

Status check_reference(Connection& c, std::int64_t account_id,
                       const std::optional<std::string>& uuid, const Reference& ref) {
  if (!uuid) return Status::Ok();
  Result<bool> found = exists(c, ref.exists_sql, account_id, *uuid);
  if (!found.ok()) return found.status();
  if (*found) return Status::Ok();
  return Status::Invalid(std::string(ref.field) + ": no " + std::string(ref.what) + " '" + *uuid +
                         "' in this account (expected the uuid of one of your " +
                         std::string(ref.what) + "s)");
}

Status check_references(Connection& c, const Trunk& t) {
  for (auto [uuid, ref] : {std::pair{&t.ipacl_uuid, &ipacl_ref()},
                           std::pair{&t.credential_uuid, &credential_ref()},
                           std::pair{&t.primary_uri_uuid, &uri_ref("primary_uri_uuid")},
                           std::pair{&t.fallback_uri_uuid, &uri_ref("fallback_uri_uuid")}}) {
    if (Status s = check_reference(c, t.account_id, *uuid, *ref); !s.ok()) return s;
  }
  return Status::Ok();
}

// kConflict naming the trunks of `users_sql` (bound: account_id, uuid), or ok when none.
Status refuse_if_used(Connection& c, const std::string& users_sql, std::int64_t account_id,
                      std::string_view uuid, std::string_view what) {
  Result<StatementRef> st = c.prepare(users_sql);
  if (!st.ok()) return st.status();
  (*st)->bind(1, account_id);
  (*st)->bind(2, uuid);
  std::vector<std::string> users;
  std::int64_t more = 0;
  for (;;) {
    Result<bool> row = (*st)->step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    if (users.size() < 5) {
      users.push_back((*st)->text(0) + " ('" + (*st)->text(1) + "')");
    } else {
      ++more;
    }
  }
  if (users.empty()) return Status::Ok();
  std::string list;
  for (std::size_t i = 0; i < users.size(); ++i) list += (i ? ", " : "") + users[i];
  if (more > 0) list += " and " + std::to_string(more) + " more";
  return Status::Conflict(std::string(what) + " " + std::string(uuid) + " is in use by trunk" +
                          (users.size() + more > 1 ? "s " : " ") + list +
                          "; remove it from the trunk (or delete the trunk) first");
}

Status not_found(std::string_view what, std::string_view id) {
  return Status::NotFound(std::string(what) + " not found: " + std::string(id));
}

// ---- lists -----------------------------------------------------------------------------------

// One page (newest first: highest id) and the total count of `table` rows matching `where`, from one
// snapshot. `select` is "SELECT <columns> FROM <table>"; `read` makes a row (it may query more).
template <class Row>
Result<Page<Row>> list_page(SqliteStore& db, const std::string& select, const std::string& table,
                            const std::string& where, const std::vector<SqlValue>& values,
                            const PageRequest& page,
                            const std::function<Result<Row>(Connection&, const Statement&)>& read) {
  Page<Row> out;
  const std::int64_t limit = std::max(0, page.limit);
  const std::int64_t offset = std::max<std::int64_t>(0, page.offset);
  Status s = db.with_reader([&](Connection& c) -> Status {
    Result<Transaction> tx = Transaction::begin(c, Transaction::Kind::kRead);
    if (!tx.ok()) return tx.status();
    {
      Result<StatementRef> st = c.prepare(select + " WHERE " + where +
                                          " ORDER BY id DESC LIMIT ? OFFSET ?");
      if (!st.ok()) return st.status();
      const int n = static_cast<int>(values.size());
      sqlite::bind_values(**st, values);
      (*st)->bind(n + 1, limit);
      (*st)->bind(n + 2, offset);
      for (;;) {
        Result<bool> row = (*st)->step();
        if (!row.ok()) return row.status();
        if (!*row) break;
        Result<Row> r = read(c, **st);
        if (!r.ok()) return r.status();
        out.rows.push_back(std::move(r).value());
      }
    }
    {
      Result<StatementRef> st = c.prepare("SELECT COUNT(*) FROM " + table + " WHERE " + where);
      if (!st.ok()) return st.status();
      sqlite::bind_values(**st, values);
      Result<std::int64_t> n = scalar(**st);
      if (!n.ok()) return n.status();
      out.total_count = *n;
    }
    return tx->commit();
  });
  if (!s.ok()) return s;
  return out;
}

// The row found by (account_id, key) through `sql`, read by `read`, in one snapshot.
template <class Row>
Result<std::optional<Row>> find_one(
    SqliteStore& db, const std::string& sql, std::int64_t account_id, std::string_view key,
    const std::function<Result<Row>(Connection&, const Statement&)>& read) {
  std::optional<Row> out;
  Status s = db.with_reader([&](Connection& c) -> Status {
    Result<Transaction> tx = Transaction::begin(c, Transaction::Kind::kRead);
    if (!tx.ok()) return tx.status();
    {
      Result<StatementRef> st = c.prepare(sql);
      if (!st.ok()) return st.status();
      (*st)->bind(1, account_id);
      (*st)->bind(2, key);
      Result<bool> row = (*st)->step();
      if (!row.ok()) return row.status();
      if (*row) {
        Result<Row> r = read(c, **st);
        if (!r.ok()) return r.status();
        out = std::move(r).value();
      }
    }
    return tx->commit();
  });
  if (!s.ok()) return s;
  return out;
}

// ---- IP access control lists -------------------------------------------------------------------

const std::string kSelectAcl =
    "SELECT id, account_id, ipacl_uuid, name, created_at FROM ip_acls";
const std::string kAclIdByUuid = "SELECT id FROM ip_acls WHERE account_id = ? AND ipacl_uuid = ?";
const std::string kAclUsers =
    "SELECT trunk_id, name FROM trunks WHERE account_id = ? AND ipacl_uuid = ? ORDER BY id";

Result<IpAcl> read_acl(Connection& c, const Statement& st) {
  IpAcl a;
  const std::int64_t id = st.int64(0);
  a.account_id = st.int64(1);
  a.ipacl_uuid = st.text(2);
  a.name = st.text(3);
  a.created_at = st.int64(4);
  Result<StatementRef> e =
      c.prepare("SELECT entry FROM ip_acl_entries WHERE acl_id = ? ORDER BY position");
  if (!e.ok()) return e.status();
  (*e)->bind(1, id);
  for (;;) {
    Result<bool> row = (*e)->step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    a.ip_addresses.push_back((*e)->text(0));
  }
  return a;
}

Status write_acl_entries(Connection& c, std::int64_t acl_id, const std::vector<std::string>& entries) {
  {
    Result<StatementRef> del = c.prepare("DELETE FROM ip_acl_entries WHERE acl_id = ?");
    if (!del.ok()) return del.status();
    (*del)->bind(1, acl_id);
    if (Status s = (*del)->run(); !s.ok()) return s;
  }
  Result<StatementRef> ins =
      c.prepare("INSERT INTO ip_acl_entries (acl_id, position, entry) VALUES (?, ?, ?)");
  if (!ins.ok()) return ins.status();
  for (std::size_t i = 0; i < entries.size(); ++i) {
    (*ins)->bind(1, acl_id);
    (*ins)->bind(2, static_cast<std::int64_t>(i));
    (*ins)->bind(3, entries[i]);
    Status s = (*ins)->run();
    (*ins)->reset();
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

// ---- credentials -------------------------------------------------------------------------------

const std::string kSelectCredential =
    "SELECT id, account_id, credential_uuid, name, username, realm, ha1, created_at FROM "
    "credentials";
const std::string kCredentialUsers =
    "SELECT trunk_id, name FROM trunks WHERE account_id = ? AND credential_uuid = ? ORDER BY id";

Result<Credential> read_credential(Connection&, const Statement& st) {
  Credential c;
  c.account_id = st.int64(1);
  c.credential_uuid = st.text(2);
  c.name = st.text(3);
  c.username = st.text(4);
  c.realm = st.text(5);
  c.ha1 = st.text(6);
  c.created_at = st.int64(7);
  return c;
}

// ---- origination URIs --------------------------------------------------------------------------

const std::string kSelectUri =
    "SELECT id, account_id, uri_uuid, name, uri, authentication_needed, username, password, "
    "created_at FROM origination_uris";
const std::string kUriUsers =
    "SELECT trunk_id, name FROM trunks WHERE account_id = ?1 AND (primary_uri_uuid = ?2 OR "
    "fallback_uri_uuid = ?2) ORDER BY id";

// Reads URI rows, opening their sealed passwords with `box`.
std::function<Result<OriginationUri>(Connection&, const Statement&)> uri_reader(
    std::shared_ptr<const SecretBox> box) {
  return [box = std::move(box)](Connection&, const Statement& st) -> Result<OriginationUri> {
    OriginationUri u;
    u.account_id = st.int64(1);
    u.uri_uuid = st.text(2);
    u.name = st.text(3);
    u.uri = st.text(4);
    u.authentication_needed = st.int64(5) != 0;
    u.username = st.text(6);
    u.created_at = st.int64(8);
    const std::string stored = st.text(7);
    if (stored.empty()) return u;
    Result<std::string> password = box->open(stored);
    if (!password.ok()) {
      // Storage damage, not the client's doing: a 500 for the API, logged with this message.
      return Status::IOError("origination URI " + u.uri_uuid + ": stored password: " +
                             password.status().message());
    }
    u.password = std::move(password).value();
    return u;
  };
}

// The stored form of a password: sealed, or '' for none.
std::string sealed_password(const SecretBox& box, const std::string& password) {
  return password.empty() ? std::string() : box.seal(password);
}

// ---- trunks ------------------------------------------------------------------------------------

const std::string kSelectTrunk =
    "SELECT id, account_id, trunk_id, trunk_domain, name, status, direction, secure, ipacl_uuid, "
    "credential_uuid, primary_uri_uuid, fallback_uri_uuid, created_at FROM trunks";

Result<Trunk> read_trunk(Connection&, const Statement& st) {
  Trunk t;
  t.account_id = st.int64(1);
  t.trunk_id = st.text(2);
  t.trunk_domain = st.text(3);
  t.name = st.text(4);
  t.status = st.int64(5) == 0 ? TrunkStatus::kEnabled : TrunkStatus::kDisabled;
  t.direction = st.int64(6) == 0 ? Direction::kInbound : Direction::kOutbound;
  t.secure = st.int64(7) != 0;
  t.ipacl_uuid = st.opt_text(8);
  t.credential_uuid = st.opt_text(9);
  t.primary_uri_uuid = st.opt_text(10);
  t.fallback_uri_uuid = st.opt_text(11);
  t.created_at = st.int64(12);
  return t;
}

std::int64_t status_code(TrunkStatus s) { return s == TrunkStatus::kEnabled ? 0 : 1; }
std::int64_t direction_code(Direction d) { return d == Direction::kInbound ? 0 : 1; }

// Binds the attributes an update may change, from parameter `first` on, in this order:
// name, status, direction, secure, ipacl_uuid, credential_uuid, primary_uri_uuid,
// fallback_uri_uuid.
int bind_trunk_attributes(Statement& st, const Trunk& t, int first) {
  int i = first;
  st.bind(i++, t.name);
  st.bind(i++, status_code(t.status));
  st.bind(i++, direction_code(t.direction));
  st.bind(i++, t.secure);
  st.bind(i++, t.ipacl_uuid);
  st.bind(i++, t.credential_uuid);
  st.bind(i++, t.primary_uri_uuid);
  st.bind(i++, t.fallback_uri_uuid);
  return i;
}

}  // namespace

// ---- IP access control lists -------------------------------------------------------------------

Status SqliteTrunkStore::create_ip_acl(const IpAcl& acl, int max_per_account) {
  return db_.with_writer([&](Connection& c) -> Status {
    Result<Transaction> tx = Transaction::begin(c, Transaction::Kind::kWrite);
    if (!tx.ok()) return tx.status();
    Result<std::int64_t> n =
        count_for_account(c, "SELECT COUNT(*) FROM ip_acls WHERE account_id = ?", acl.account_id);
    if (!n.ok()) return n.status();
    if (*n >= max_per_account) return quota_reached(max_per_account, "IP access control lists");
    {
      Result<StatementRef> st = c.prepare(
          "INSERT INTO ip_acls (account_id, ipacl_uuid, name, created_at) VALUES (?, ?, ?, ?)");
      if (!st.ok()) return st.status();
      (*st)->bind(1, acl.account_id);
      (*st)->bind(2, acl.ipacl_uuid);
      (*st)->bind(3, acl.name);
      (*st)->bind(4, system_now());
      if (Status s = (*st)->run(); !s.ok()) return s;
    }
    if (Status s = write_acl_entries(c, c.last_insert_rowid(), acl.ip_addresses); !s.ok()) {
      return s;
    }
    return tx->commit();
  });
}

Result<std::optional<IpAcl>> SqliteTrunkStore::find_ip_acl(std::int64_t account_id,
                                                           std::string_view ipacl_uuid) {
  return find_one<IpAcl>(db_, kSelectAcl + " WHERE account_id = ? AND ipacl_uuid = ?",
                         account_id, ipacl_uuid, read_acl);
}

Result<Page<IpAcl>> SqliteTrunkStore::list_ip_acls(const PageRequest& page) {
  return list_page<IpAcl>(db_, kSelectAcl, "ip_acls", "account_id = ?", {page.account_id}, page,
                          read_acl);
}

Status SqliteTrunkStore::update_ip_acl(const IpAcl& acl) {
  return db_.with_writer([&](Connection& c) -> Status {
    Result<Transaction> tx = Transaction::begin(c, Transaction::Kind::kWrite);
    if (!tx.ok()) return tx.status();
    Result<std::optional<std::int64_t>> id = row_id(c, kAclIdByUuid, acl.account_id, acl.ipacl_uuid);
    if (!id.ok()) return id.status();
    if (!*id) return not_found("IP access control list", acl.ipacl_uuid);
    {
      Result<StatementRef> st = c.prepare("UPDATE ip_acls SET name = ? WHERE id = ?");
      if (!st.ok()) return st.status();
      (*st)->bind(1, acl.name);
      (*st)->bind(2, **id);
      if (Status s = (*st)->run(); !s.ok()) return s;
    }
    if (Status s = write_acl_entries(c, **id, acl.ip_addresses); !s.ok()) return s;
    return tx->commit();
  });
}

Status SqliteTrunkStore::delete_ip_acl(std::int64_t account_id, std::string_view ipacl_uuid) {
  return db_.with_writer([&](Connection& c) -> Status {
    Result<Transaction> tx = Transaction::begin(c, Transaction::Kind::kWrite);
    if (!tx.ok()) return tx.status();
    Result<std::optional<std::int64_t>> id = row_id(c, kAclIdByUuid, account_id, ipacl_uuid);
    if (!id.ok()) return id.status();
    if (!*id) return not_found("IP access control list", ipacl_uuid);
    if (Status s = refuse_if_used(c, kAclUsers, account_id, ipacl_uuid, "IP access control list");
        !s.ok()) {
      return s;
    }
    {
      // The entries go with it (ON DELETE CASCADE).
      Result<StatementRef> st = c.prepare("DELETE FROM ip_acls WHERE id = ?");
      if (!st.ok()) return st.status();
      (*st)->bind(1, **id);
      if (Status s = (*st)->run(); !s.ok()) return s;
    }
    return tx->commit();
  });
}

// ---- credentials -------------------------------------------------------------------------------

Status SqliteTrunkStore::create_credential(const Credential& cred, int max_per_account) {
  return db_.with_writer([&](Connection& c) -> Status {
    Result<Transaction> tx = Transaction::begin(c, Transaction::Kind::kWrite);
    if (!tx.ok()) return tx.status();
    Result<std::int64_t> n = count_for_account(
        c, "SELECT COUNT(*) FROM credentials WHERE account_id = ?", cred.account_id);
    if (!n.ok()) return n.status();
    if (*n >= max_per_account) return quota_reached(max_per_account, "credentials");
    Result<bool> taken = exists(c, "SELECT 1 FROM credentials WHERE account_id = ? AND username = ?",
                                cred.account_id, cred.username);
    if (!taken.ok()) return taken.status();
    if (*taken) {
      return Status::Conflict("username: '" + cred.username +
                              "' is already taken by another credential of this account");
    }
    {
      Result<StatementRef> st = c.prepare(
          "INSERT INTO credentials (account_id, credential_uuid, name, username, realm, ha1, "
          "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)");
      if (!st.ok()) return st.status();
      (*st)->bind(1, cred.account_id);
      (*st)->bind(2, cred.credential_uuid);
      (*st)->bind(3, cred.name);
      (*st)->bind(4, cred.username);
      (*st)->bind(5, cred.realm);
      (*st)->bind(6, cred.ha1);
      (*st)->bind(7, system_now());
      if (Status s = (*st)->run(); !s.ok()) return s;
    }
    return tx->commit();
  });
}

Result<std::optional<Credential>> SqliteTrunkStore::find_credential(
    std::int64_t account_id, std::string_view credential_uuid) {
  return find_one<Credential>(db_, kSelectCredential + " WHERE account_id = ? AND credential_uuid = ?",
                              account_id, credential_uuid, read_credential);
}

Result<Page<Credential>> SqliteTrunkStore::list_credentials(const PageRequest& page) {
  return list_page<Credential>(db_, kSelectCredential, "credentials", "account_id = ?",
                               {page.account_id}, page, read_credential);
}

Status SqliteTrunkStore::update_credential(const Credential& cred) {
  return db_.with_writer([&](Connection& c) -> Status {
    Result<StatementRef> st = c.prepare(
        "UPDATE credentials SET name = ?, ha1 = ? WHERE account_id = ? AND credential_uuid = ?");
    if (!st.ok()) return st.status();
    (*st)->bind(1, cred.name);
    (*st)->bind(2, cred.ha1);
    (*st)->bind(3, cred.account_id);
    (*st)->bind(4, cred.credential_uuid);
    if (Status s = (*st)->run(); !s.ok()) return s;
    if (c.changes() == 0) return not_found("credential", cred.credential_uuid);
    return Status::Ok();
  });
}

Status SqliteTrunkStore::delete_credential(std::int64_t account_id,
                                           std::string_view credential_uuid) {
  return db_.with_writer([&](Connection& c) -> Status {
    Result<Transaction> tx = Transaction::begin(c, Transaction::Kind::kWrite);
    if (!tx.ok()) return tx.status();
    Result<std::optional<std::int64_t>> id = row_id(
        c, "SELECT id FROM credentials WHERE account_id = ? AND credential_uuid = ?", account_id,
        credential_uuid);
    if (!id.ok()) return id.status();
    if (!*id) return not_found("credential", credential_uuid);
    if (Status s = refuse_if_used(c, kCredentialUsers, account_id, credential_uuid, "credential");
        !s.ok()) {
      return s;
    }
    {
      Result<StatementRef> st = c.prepare("DELETE FROM credentials WHERE id = ?");
      if (!st.ok()) return st.status();
      (*st)->bind(1, **id);
      if (Status s = (*st)->run(); !s.ok()) return s;
    }
    return tx->commit();
  });
}

// ---- origination URIs --------------------------------------------------------------------------

Status SqliteTrunkStore::create_origination_uri(const OriginationUri& uri, int max_per_account) {
  const std::string password = sealed_password(*db_.secrets(), uri.password);
  return db_.with_writer([&](Connection& c) -> Status {
    Result<Transaction> tx = Transaction::begin(c, Transaction::Kind::kWrite);
    if (!tx.ok()) return tx.status();
    Result<std::int64_t> n = count_for_account(
        c, "SELECT COUNT(*) FROM origination_uris WHERE account_id = ?", uri.account_id);
    if (!n.ok()) return n.status();
    if (*n >= max_per_account) return quota_reached(max_per_account, "origination URIs");
    {
      Result<StatementRef> st = c.prepare(
          "INSERT INTO origination_uris (account_id, uri_uuid, name, uri, authentication_needed, "
          "username, password, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
      if (!st.ok()) return st.status();
      (*st)->bind(1, uri.account_id);
      (*st)->bind(2, uri.uri_uuid);
      (*st)->bind(3, uri.name);
      (*st)->bind(4, uri.uri);
      (*st)->bind(5, uri.authentication_needed);
      (*st)->bind(6, uri.username);
      (*st)->bind(7, password);
      (*st)->bind(8, system_now());
      if (Status s = (*st)->run(); !s.ok()) return s;
    }
    return tx->commit();
  });
}

Result<std::optional<OriginationUri>> SqliteTrunkStore::find_origination_uri(
    std::int64_t account_id, std::string_view uri_uuid) {
  return find_one<OriginationUri>(db_, kSelectUri + " WHERE account_id = ? AND uri_uuid = ?",
                                  account_id, uri_uuid, uri_reader(db_.secrets()));
}

Result<Page<OriginationUri>> SqliteTrunkStore::list_origination_uris(const PageRequest& page) {
  return list_page<OriginationUri>(db_, kSelectUri, "origination_uris", "account_id = ?",
                                   {page.account_id}, page, uri_reader(db_.secrets()));
}

Status SqliteTrunkStore::update_origination_uri(const OriginationUri& uri) {
  const std::string password = sealed_password(*db_.secrets(), uri.password);
  return db_.with_writer([&](Connection& c) -> Status {
    Result<StatementRef> st = c.prepare(
        "UPDATE origination_uris SET name = ?, uri = ?, authentication_needed = ?, username = ?, "
        "password = ? WHERE account_id = ? AND uri_uuid = ?");
    if (!st.ok()) return st.status();
    (*st)->bind(1, uri.name);
    (*st)->bind(2, uri.uri);
    (*st)->bind(3, uri.authentication_needed);
    (*st)->bind(4, uri.username);
    (*st)->bind(5, password);
    (*st)->bind(6, uri.account_id);
    (*st)->bind(7, uri.uri_uuid);
    if (Status s = (*st)->run(); !s.ok()) return s;
    if (c.changes() == 0) return not_found("origination URI", uri.uri_uuid);
    return Status::Ok();
  });
}

Status SqliteTrunkStore::delete_origination_uri(std::int64_t account_id,
                                                std::string_view uri_uuid) {
  return db_.with_writer([&](Connection& c) -> Status {
    Result<Transaction> tx = Transaction::begin(c, Transaction::Kind::kWrite);
    if (!tx.ok()) return tx.status();
    Result<std::optional<std::int64_t>> id =
        row_id(c, "SELECT id FROM origination_uris WHERE account_id = ? AND uri_uuid = ?",
               account_id, uri_uuid);
    if (!id.ok()) return id.status();
    if (!*id) return not_found("origination URI", uri_uuid);
    if (Status s = refuse_if_used(c, kUriUsers, account_id, uri_uuid, "origination URI"); !s.ok()) {
      return s;
    }
    {
      Result<StatementRef> st = c.prepare("DELETE FROM origination_uris WHERE id = ?");
      if (!st.ok()) return st.status();
      (*st)->bind(1, **id);
      if (Status s = (*st)->run(); !s.ok()) return s;
    }
    return tx->commit();
  });
}

// ---- trunks ------------------------------------------------------------------------------------

Status SqliteTrunkStore::create_trunk(const Trunk& t, int max_per_account) {
  return db_.with_writer([&](Connection& c) -> Status {
    Result<Transaction> tx = Transaction::begin(c, Transaction::Kind::kWrite);
    if (!tx.ok()) return tx.status();
    Result<std::int64_t> n =
        count_for_account(c, "SELECT COUNT(*) FROM trunks WHERE account_id = ?", t.account_id);
    if (!n.ok()) return n.status();
    if (*n >= max_per_account) return quota_reached(max_per_account, "trunks");
    if (Status s = check_references(c, t); !s.ok()) return s;
    {
      Result<StatementRef> st = c.prepare(
          "INSERT INTO trunks (account_id, trunk_id, trunk_domain, created_at, name, status, "
          "direction, secure, ipacl_uuid, credential_uuid, primary_uri_uuid, fallback_uri_uuid) "
          "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
      if (!st.ok()) return st.status();
      (*st)->bind(1, t.account_id);
      (*st)->bind(2, t.trunk_id);
      (*st)->bind(3, t.trunk_domain);
      (*st)->bind(4, system_now());
      bind_trunk_attributes(**st, t, 5);
      if (Status s = (*st)->run(); !s.ok()) {
        if (sqlite3_extended_errcode(c.handle()) == SQLITE_CONSTRAINT_UNIQUE) {
          return Status::Conflict("trunk_id " + t.trunk_id + " is taken");
        }
        return s;
      }
    }
    return tx->commit();
  });
}

Result<std::optional<Trunk>> SqliteTrunkStore::find_trunk(std::int64_t account_id,
                                                          std::string_view trunk_id) {
  return find_one<Trunk>(db_, kSelectTrunk + " WHERE account_id = ? AND trunk_id = ?", account_id,
                         trunk_id, read_trunk);
}

Result<Page<Trunk>> SqliteTrunkStore::list_trunks(const PageRequest& page,
                                                  const TrunkFilter& f) {
  // The WHERE clause is assembled from fixed fragments; every value is bound.
  std::string where = "account_id = ?";
  std::vector<SqlValue> values = {page.account_id};
  if (f.status) {
    where += " AND status = ?";
    values.emplace_back(status_code(*f.status));
  }
  if (f.direction) {
    where += " AND direction = ?";
    values.emplace_back(direction_code(*f.direction));
  }
  if (f.secure) {
    where += " AND secure = ?";
    values.emplace_back(std::int64_t{*f.secure ? 1 : 0});
  }
  for (auto [value, fragment] :
       {std::pair{&f.ipacl_uuid, " AND ipacl_uuid = ?"},
        std::pair{&f.credential_uuid, " AND credential_uuid = ?"},
        std::pair{&f.primary_uri_uuid, " AND primary_uri_uuid = ?"},
        std::pair{&f.fallback_uri_uuid, " AND fallback_uri_uuid = ?"}}) {
    if (*value) {
      where += fragment;
      values.emplace_back(**value);
    }
  }
  return list_page<Trunk>(db_, kSelectTrunk, "trunks", where, values, page, read_trunk);
}

Status SqliteTrunkStore::update_trunk(const Trunk& t) {
  return db_.with_writer([&](Connection& c) -> Status {
    Result<Transaction> tx = Transaction::begin(c, Transaction::Kind::kWrite);
    if (!tx.ok()) return tx.status();
    Result<bool> found =
        exists(c, "SELECT 1 FROM trunks WHERE account_id = ? AND trunk_id = ?", t.account_id,
               t.trunk_id);
    if (!found.ok()) return found.status();
    if (!*found) return not_found("trunk", t.trunk_id);
    if (Status s = check_references(c, t); !s.ok()) return s;
    {
      Result<StatementRef> st = c.prepare(
          "UPDATE trunks SET name = ?, status = ?, direction = ?, secure = ?, ipacl_uuid = ?, "
          "credential_uuid = ?, primary_uri_uuid = ?, fallback_uri_uuid = ? "
          "WHERE account_id = ? AND trunk_id = ?");
      if (!st.ok()) return st.status();
      const int next = bind_trunk_attributes(**st, t, 1);
      (*st)->bind(next, t.account_id);
      (*st)->bind(next + 1, t.trunk_id);
      if (Status s = (*st)->run(); !s.ok()) return s;
    }
    return tx->commit();
  });
}

Status SqliteTrunkStore::delete_trunk(std::int64_t account_id, std::string_view trunk_id) {
  return db_.with_writer([&](Connection& c) -> Status {
    Result<StatementRef> st = c.prepare("DELETE FROM trunks WHERE account_id = ? AND trunk_id = ?");
    if (!st.ok()) return st.status();
    (*st)->bind(1, account_id);
    (*st)->bind(2, trunk_id);
    if (Status s = (*st)->run(); !s.ok()) return s;
    if (c.changes() == 0) return not_found("trunk", trunk_id);
    return Status::Ok();
  });
}

}  // namespace cdrd
