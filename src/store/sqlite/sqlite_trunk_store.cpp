#include "store/sqlite/sqlite_trunk_store.h"

#include <algorithm>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/secret_box.h"
#include "store/sqlite/enum_codes.h"

namespace cdrd {

using sqlite::Connection;
using sqlite::Database;
using sqlite::enum_code;
using sqlite::enum_from_code;
using sqlite::SqlValue;
using sqlite::Statement;
using sqlite::StatementRef;

namespace {

// ---- small statement helpers ----------------------------------------------------------------

std::int64_t first_column(const Statement& st) { return st.int64(0); }

// The internal id of a row found by (account_id, key), or nullopt.
Result<std::optional<std::int64_t>> row_id(Connection& c, const std::string& sql,
                                           std::int64_t account_id, std::string_view key) {
  return c.query_one(sql, first_column, account_id, key);
}

// kResourceExhausted when the account already has `max` rows in `table`.
Status check_quota(Connection& c, std::string_view table, std::int64_t account_id, int max,
                   std::string_view what) {
  ASSIGN_OR_RETURN(const std::int64_t n, c.query_int("SELECT COUNT(*) FROM " + std::string(table) +
                                                         " WHERE account_id = ?",
                                                     account_id));
  if (n < max) return Status::Ok();
  return Status::Exhausted("quota reached: an account may have at most " + std::to_string(max) +
                           " " + std::string(what) + "; delete one first");
}

Status not_found(std::string_view what, std::string_view id) {
  return Status::NotFound(std::string(what) + " not found: " + std::string(id));
}

// Runs `sql`, an UPDATE or DELETE of the one row `id` names, on the writer: kNotFound naming
// `what` when it changed no row.
template <class... Args>
Status change_one(Database& db, std::string_view what, std::string_view id, const std::string& sql,
                  const Args&... args) {
  return db.with_writer([&](Connection& c) -> Status {
    RETURN_IF_ERROR(c.run(sql, args...));
    if (c.changes() == 0) return not_found(what, id);
    return Status::Ok();
  });
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
  static const Reference r{
      "credential_uuid", "credential",
      "SELECT 1 FROM credentials WHERE account_id = ? AND credential_uuid = ?"};
  return r;
}
const Reference& uri_ref(std::string_view field) {
  static const Reference primary{
      "primary_uri_uuid", "origination URI",
      "SELECT 1 FROM origination_uris WHERE account_id = ? AND uri_uuid = ?"};
  static const Reference fallback{"fallback_uri_uuid", "origination URI", primary.exists_sql};
  return field == primary.field ? primary : fallback;
}

Status check_reference(Connection& c, std::int64_t account_id,
                       const std::optional<std::string>& uuid, const Reference& ref) {
  if (!uuid) return Status::Ok();
  ASSIGN_OR_RETURN(const bool found, c.exists(ref.exists_sql, account_id, *uuid));
  if (found) return Status::Ok();
  return Status::Invalid(std::string(ref.field) + ": no " + std::string(ref.what) + " '" + *uuid +
                         "' in this account (expected the uuid of one of your " +
                         std::string(ref.what) + "s)");
}

Status check_references(Connection& c, const Trunk& t) {
  for (auto [uuid, ref] :
       {std::pair{&t.ipacl_uuid, &ipacl_ref()}, std::pair{&t.credential_uuid, &credential_ref()},
        std::pair{&t.primary_uri_uuid, &uri_ref("primary_uri_uuid")},
        std::pair{&t.fallback_uri_uuid, &uri_ref("fallback_uri_uuid")}}) {
    RETURN_IF_ERROR(check_reference(c, t.account_id, *uuid, *ref));
  }
  return Status::Ok();
}

// kConflict naming the trunks of `users_sql` (bound: account_id, uuid), or ok when none.
Status refuse_if_used(Connection& c, const std::string& users_sql, std::int64_t account_id,
                      std::string_view uuid, std::string_view what) {
  ASSIGN_OR_RETURN(StatementRef st, c.query(users_sql, account_id, uuid));
  std::vector<std::string> users;
  std::int64_t more = 0;
  RETURN_IF_ERROR(st->for_each([&](const Statement& row) {
    if (users.size() < 5) {
      users.push_back(row.text(0) + " ('" + row.text(1) + "')");
    } else {
      ++more;
    }
  }));
  if (users.empty()) return Status::Ok();
  std::string list;
  for (std::size_t i = 0; i < users.size(); ++i) list += (i ? ", " : "") + users[i];
  if (more > 0) list += " and " + std::to_string(more) + " more";
  return Status::Conflict(std::string(what) + " " + std::string(uuid) + " is in use by trunk" +
                          (users.size() + more > 1 ? "s " : " ") + list +
                          "; remove it from the trunk (or delete the trunk) first");
}

// Deletes, in one write transaction, the row `id` of `table` after checking that it exists
// (found by (account_id, uuid) through `id_sql`) and that no trunk uses it (`users_sql`, see
// refuse_if_used).
Status delete_unused(Database& db, std::string_view table, const std::string& id_sql,
                     const std::string& users_sql, std::int64_t account_id, std::string_view uuid,
                     std::string_view what) {
  return db.write_transaction([&](Connection& c) -> Status {
    ASSIGN_OR_RETURN(const std::optional<std::int64_t> id, row_id(c, id_sql, account_id, uuid));
    if (!id) return not_found(what, uuid);
    RETURN_IF_ERROR(refuse_if_used(c, users_sql, account_id, uuid, what));
    return c.run("DELETE FROM " + std::string(table) + " WHERE id = ?", *id);
  });
}

// ---- lists -----------------------------------------------------------------------------------

// Makes a row from a statement row; may query more on the same connection.
template <class Row>
using RowReader = std::function<Result<Row>(Connection&, const Statement&)>;

// One page (newest first: highest id) and the total count of `table` rows matching `where`, from
// one snapshot. `select` is "SELECT <columns> FROM <table>".
template <class Row>
Result<Page<Row>> list_page(Database& db, const std::string& select, const std::string& table,
                            const std::string& where, const std::vector<SqlValue>& values,
                            const PageRequest& page, const RowReader<Row>& read) {
  const std::int64_t limit = std::max(0, page.limit);
  const std::int64_t offset = std::max<std::int64_t>(0, page.offset);
  return db.read_transaction([&](Connection& c) -> Result<Page<Row>> {
    Page<Row> out;
    ASSIGN_OR_RETURN(out.rows,
                     c.query_all(
                         select + " WHERE " + where + " ORDER BY id DESC LIMIT ? OFFSET ?",
                         [&](const Statement& st) { return read(c, st); }, values, limit, offset));
    ASSIGN_OR_RETURN(out.total_count,
                     c.query_int("SELECT COUNT(*) FROM " + table + " WHERE " + where, values));
    return out;
  });
}

// The row found by (account_id, key) through `sql`, read by `read`, in one snapshot.
template <class Row>
Result<std::optional<Row>> find_one(Database& db, const std::string& sql, std::int64_t account_id,
                                    std::string_view key, const RowReader<Row>& read) {
  return db.read_transaction([&](Connection& c) {
    return c.query_one(
        sql, [&](const Statement& st) { return read(c, st); }, account_id, key);
  });
}

// ---- IP access control lists -------------------------------------------------------------------

const std::string kSelectAcl = "SELECT id, account_id, ipacl_uuid, name, created_at FROM ip_acls";
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
  ASSIGN_OR_RETURN(a.ip_addresses,
                   c.query_all(
                       "SELECT entry FROM ip_acl_entries WHERE acl_id = ? ORDER BY position",
                       [](const Statement& e) { return e.text(0); }, id));
  return a;
}

Status write_acl_entries(Connection& c, std::int64_t acl_id,
                         const std::vector<std::string>& entries) {
  RETURN_IF_ERROR(c.run("DELETE FROM ip_acl_entries WHERE acl_id = ?", acl_id));
  for (std::size_t i = 0; i < entries.size(); ++i) {
    RETURN_IF_ERROR(c.run("INSERT INTO ip_acl_entries (acl_id, position, entry) VALUES (?, ?, ?)",
                          acl_id, static_cast<std::int64_t>(i), entries[i]));
  }
  return Status::Ok();
}

// ---- credentials -------------------------------------------------------------------------------

const std::string kSelectCredential =
    "SELECT id, account_id, credential_uuid, name, username, realm, ha1, created_at FROM "
    "credentials";
const std::string kCredentialIdByUuid =
    "SELECT id FROM credentials WHERE account_id = ? AND credential_uuid = ?";
const std::string kCredentialUsers =
    "SELECT trunk_id, name FROM trunks WHERE account_id = ? AND credential_uuid = ? ORDER BY id";

// Each resource has its own reader, in the column order of its SELECT: alike, not the same.
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
const std::string kUriIdByUuid =
    "SELECT id FROM origination_uris WHERE account_id = ? AND uri_uuid = ?";
const std::string kUriUsers =
    "SELECT trunk_id, name FROM trunks WHERE account_id = ?1 AND (primary_uri_uuid = ?2 OR "
    "fallback_uri_uuid = ?2) ORDER BY id";

// Reads URI rows, opening their sealed passwords with `box`.
RowReader<OriginationUri> uri_reader(std::shared_ptr<const SecretBox> box) {
  return [box = std::move(box)](Connection&, const Statement& st) -> Result<OriginationUri> {
    OriginationUri u;
    u.account_id = st.int64(1);
    u.uri_uuid = st.text(2);
    u.name = st.text(3);
    u.uri = st.text(4);
    u.authentication_needed = st.int64(5) != 0;
    u.username = st.text(6);
    u.created_at = st.int64(8);
    ASSIGN_OR_RETURN(u.password, box->open_stored(st.text(7), "origination URI " + u.uri_uuid));
    return u;
  };
}

// ---- trunks ------------------------------------------------------------------------------------

const std::string kSelectTrunk =
    "SELECT id, account_id, trunk_id, trunk_domain, name, status, direction, secure, ipacl_uuid, "
    "credential_uuid, primary_uri_uuid, fallback_uri_uuid, created_at, default_country FROM trunks";

Result<Trunk> read_trunk(Connection&, const Statement& st) {
  Trunk t;
  t.account_id = st.int64(1);
  t.trunk_id = st.text(2);
  t.trunk_domain = st.text(3);
  t.name = st.text(4);
  const std::optional<TrunkStatus> status = enum_from_code<TrunkStatus>(st.int64(5));
  const std::optional<Direction> direction = enum_from_code<Direction>(st.int64(6));
  if (!status || !direction) {
    return Status::IOError("sqlite: corrupt enum code in trunk " + t.trunk_id);
  }
  t.status = *status;
  t.direction = *direction;
  t.secure = st.int64(7) != 0;
  t.ipacl_uuid = st.opt_text(8);
  t.credential_uuid = st.opt_text(9);
  t.primary_uri_uuid = st.opt_text(10);
  t.fallback_uri_uuid = st.opt_text(11);
  t.created_at = st.int64(12);
  t.default_country = st.text(13);
  return t;
}

}  // namespace

// ---- IP access control lists -------------------------------------------------------------------

Status SqliteTrunkStore::create_ip_acl(const IpAcl& acl, int max_per_account) {
  return db_.write_transaction([&](Connection& c) -> Status {
    RETURN_IF_ERROR(
        check_quota(c, "ip_acls", acl.account_id, max_per_account, "IP access control lists"));
    RETURN_IF_ERROR(
        c.run("INSERT INTO ip_acls (account_id, ipacl_uuid, name, created_at) VALUES (?, ?, ?, ?)",
              acl.account_id, acl.ipacl_uuid, acl.name, system_now()));
    return write_acl_entries(c, c.last_insert_rowid(), acl.ip_addresses);
  });
}

Result<std::optional<IpAcl>> SqliteTrunkStore::find_ip_acl(std::int64_t account_id,
                                                           std::string_view ipacl_uuid) {
  return find_one<IpAcl>(db_, kSelectAcl + " WHERE account_id = ? AND ipacl_uuid = ?", account_id,
                         ipacl_uuid, read_acl);
}

Result<Page<IpAcl>> SqliteTrunkStore::list_ip_acls(const PageRequest& page) {
  return list_page<IpAcl>(db_, kSelectAcl, "ip_acls", "account_id = ?", {page.account_id}, page,
                          read_acl);
}

Status SqliteTrunkStore::update_ip_acl(const IpAcl& acl) {
  return db_.write_transaction([&](Connection& c) -> Status {
    ASSIGN_OR_RETURN(const std::optional<std::int64_t> id,
                     row_id(c, kAclIdByUuid, acl.account_id, acl.ipacl_uuid));
    if (!id) return not_found("IP access control list", acl.ipacl_uuid);
    RETURN_IF_ERROR(c.run("UPDATE ip_acls SET name = ? WHERE id = ?", acl.name, *id));
    return write_acl_entries(c, *id, acl.ip_addresses);
  });
}

Status SqliteTrunkStore::delete_ip_acl(std::int64_t account_id, std::string_view ipacl_uuid) {
  // The entries go with it (ON DELETE CASCADE).
  return delete_unused(db_, "ip_acls", kAclIdByUuid, kAclUsers, account_id, ipacl_uuid,
                       "IP access control list");
}

// ---- credentials -------------------------------------------------------------------------------

Status SqliteTrunkStore::create_credential(const Credential& cred, int max_per_account) {
  return db_.write_transaction([&](Connection& c) -> Status {
    RETURN_IF_ERROR(check_quota(c, "credentials", cred.account_id, max_per_account, "credentials"));
    ASSIGN_OR_RETURN(const bool taken,
                     c.exists("SELECT 1 FROM credentials WHERE account_id = ? AND username = ?",
                              cred.account_id, cred.username));
    if (taken) {
      return Status::Conflict("username: '" + cred.username +
                              "' is already taken by another credential of this account");
    }
    return c.run(
        "INSERT INTO credentials (account_id, credential_uuid, name, username, realm, ha1, "
        "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        cred.account_id, cred.credential_uuid, cred.name, cred.username, cred.realm, cred.ha1,
        system_now());
  });
}

Result<std::optional<Credential>> SqliteTrunkStore::find_credential(
    std::int64_t account_id, std::string_view credential_uuid) {
  return find_one<Credential>(db_,
                              kSelectCredential + " WHERE account_id = ? AND credential_uuid = ?",
                              account_id, credential_uuid, read_credential);
}

Result<Page<Credential>> SqliteTrunkStore::list_credentials(const PageRequest& page) {
  return list_page<Credential>(db_, kSelectCredential, "credentials", "account_id = ?",
                               {page.account_id}, page, read_credential);
}

Status SqliteTrunkStore::update_credential(const Credential& cred) {
  return change_one(
      db_, "credential", cred.credential_uuid,
      "UPDATE credentials SET name = ?, ha1 = ? WHERE account_id = ? AND credential_uuid = ?",
      cred.name, cred.ha1, cred.account_id, cred.credential_uuid);
}

Status SqliteTrunkStore::delete_credential(std::int64_t account_id,
                                           std::string_view credential_uuid) {
  return delete_unused(db_, "credentials", kCredentialIdByUuid, kCredentialUsers, account_id,
                       credential_uuid, "credential");
}

// ---- origination URIs --------------------------------------------------------------------------

Status SqliteTrunkStore::create_origination_uri(const OriginationUri& uri, int max_per_account) {
  const std::string password = db_.secrets()->seal_stored(uri.password);
  return db_.write_transaction([&](Connection& c) -> Status {
    RETURN_IF_ERROR(
        check_quota(c, "origination_uris", uri.account_id, max_per_account, "origination URIs"));
    return c.run(
        "INSERT INTO origination_uris (account_id, uri_uuid, name, uri, authentication_needed, "
        "username, password, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        uri.account_id, uri.uri_uuid, uri.name, uri.uri, uri.authentication_needed, uri.username,
        password, system_now());
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
  const std::string password = db_.secrets()->seal_stored(uri.password);
  return change_one(
      db_, "origination URI", uri.uri_uuid,
      "UPDATE origination_uris SET name = ?, uri = ?, authentication_needed = ?, username = ?, "
      "password = ? WHERE account_id = ? AND uri_uuid = ?",
      uri.name, uri.uri, uri.authentication_needed, uri.username, password, uri.account_id,
      uri.uri_uuid);
}

Status SqliteTrunkStore::delete_origination_uri(std::int64_t account_id,
                                                std::string_view uri_uuid) {
  return delete_unused(db_, "origination_uris", kUriIdByUuid, kUriUsers, account_id, uri_uuid,
                       "origination URI");
}

// ---- trunks ------------------------------------------------------------------------------------

Status SqliteTrunkStore::create_trunk(const Trunk& t, int max_per_account) {
  return db_.write_transaction([&](Connection& c) -> Status {
    RETURN_IF_ERROR(check_quota(c, "trunks", t.account_id, max_per_account, "trunks"));
    RETURN_IF_ERROR(check_references(c, t));
    if (Status s = c.run(
            "INSERT INTO trunks (account_id, trunk_id, trunk_domain, created_at, name, status, "
            "direction, secure, ipacl_uuid, credential_uuid, primary_uri_uuid, fallback_uri_uuid, "
            "default_country) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            t.account_id, t.trunk_id, t.trunk_domain, system_now(), t.name, enum_code(t.status),
            enum_code(t.direction), t.secure, t.ipacl_uuid, t.credential_uuid, t.primary_uri_uuid,
            t.fallback_uri_uuid, t.default_country);
        !s.ok()) {
      if (sqlite3_extended_errcode(c.handle()) == SQLITE_CONSTRAINT_UNIQUE) {
        return Status::Conflict("trunk_id " + t.trunk_id + " is taken");
      }
      return s;
    }
    return Status::Ok();
  });
}

Result<std::optional<Trunk>> SqliteTrunkStore::find_trunk(std::int64_t account_id,
                                                          std::string_view trunk_id) {
  return find_one<Trunk>(db_, kSelectTrunk + " WHERE account_id = ? AND trunk_id = ?", account_id,
                         trunk_id, read_trunk);
}

Result<Page<Trunk>> SqliteTrunkStore::list_trunks(const PageRequest& page, const TrunkFilter& f) {
  // The WHERE clause is assembled from fixed fragments; every value is bound.
  std::string where = "account_id = ?";
  std::vector<SqlValue> values = {page.account_id};
  if (f.status) {
    where += " AND status = ?";
    values.emplace_back(enum_code(*f.status));
  }
  if (f.direction) {
    where += " AND direction = ?";
    values.emplace_back(enum_code(*f.direction));
  }
  if (f.secure) {
    where += " AND secure = ?";
    values.emplace_back(std::int64_t{*f.secure ? 1 : 0});
  }
  for (auto [value, fragment] : {std::pair{&f.ipacl_uuid, " AND ipacl_uuid = ?"},
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
  return db_.write_transaction([&](Connection& c) -> Status {
    ASSIGN_OR_RETURN(const bool found,
                     c.exists("SELECT 1 FROM trunks WHERE account_id = ? AND trunk_id = ?",
                              t.account_id, t.trunk_id));
    if (!found) return not_found("trunk", t.trunk_id);
    RETURN_IF_ERROR(check_references(c, t));
    return c.run(
        "UPDATE trunks SET name = ?, status = ?, direction = ?, secure = ?, ipacl_uuid = ?, "
        "credential_uuid = ?, primary_uri_uuid = ?, fallback_uri_uuid = ?, default_country = ? "
        "WHERE account_id = ? AND trunk_id = ?",
        t.name, enum_code(t.status), enum_code(t.direction), t.secure, t.ipacl_uuid,
        t.credential_uuid, t.primary_uri_uuid, t.fallback_uri_uuid, t.default_country, t.account_id,
        t.trunk_id);
  });
}

Status SqliteTrunkStore::delete_trunk(std::int64_t account_id, std::string_view trunk_id) {
  return change_one(db_, "trunk", trunk_id,
                    "DELETE FROM trunks WHERE account_id = ? AND trunk_id = ?", account_id,
                    trunk_id);
}

}  // namespace cdrd
