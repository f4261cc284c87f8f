#include "store/postgres/pg_trunk_store.h"

#include <algorithm>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/secret_box.h"
#include "store/postgres/pg_tx.h"

namespace cdrd::postgres {
namespace {

using Kind = Database::Kind;

// ---- rules (the same wording as SqliteTrunkStore: the API answers the same bytes) ------------

// kResourceExhausted when the account already has `max` rows in `table`.
Status check_quota(Tx& tx, std::string_view table, std::int64_t account_id, int max,
                   std::string_view what) {
  const std::int64_t n = tx.query_int(
      "SELECT COUNT(*) FROM " + std::string(table) + " WHERE account_id = $1", {account_id});
  if (n < max) return Status::Ok();
  return Status::Exhausted("quota reached: an account may have at most " + std::to_string(max) +
                           " " + std::string(what) + "; delete one first");
}

Status not_found(std::string_view what, std::string_view id) {
  return Status::NotFound(std::string(what) + " not found: " + std::string(id));
}

// Runs `sql`, an UPDATE or DELETE of the one row `id` names: kNotFound naming `what` when it
// changed no row.
Status change_one(Database& db, std::string_view what, std::string_view id, const std::string& sql,
                  const std::vector<Param>& params) {
  return db.transact(Kind::kWrite, [&](Tx& tx) -> Status {
    if (tx.exec(sql, params).affected_rows() == 0) return not_found(what, id);
    return Status::Ok();
  });
}

struct Reference {
  std::string_view field;  // the trunk attribute
  std::string_view what;   // the resource, for messages
  std::string exists_sql;  // (account_id, uuid) -> a row if the resource is the account's
};

Status check_reference(Tx& tx, std::int64_t account_id, const std::optional<std::string>& uuid,
                       const Reference& ref) {
  if (!uuid) return Status::Ok();
  // FOR SHARE: the resource cannot be deleted by another node before this trunk commits.
  if (tx.exists(ref.exists_sql, {account_id, *uuid})) return Status::Ok();
  return Status::Invalid(std::string(ref.field) + ": no " + std::string(ref.what) + " '" + *uuid +
                         "' in this account (expected the uuid of one of your " +
                         std::string(ref.what) + "s)");
}

Status check_references(Tx& tx, const Trunk& t) {
  static const Reference ipacl{
      "ipacl_uuid", "IP access control list",
      "SELECT 1 FROM ip_acls WHERE account_id = $1 AND ipacl_uuid = $2 FOR SHARE"};
  static const Reference credential{
      "credential_uuid", "credential",
      "SELECT 1 FROM credentials WHERE account_id = $1 AND credential_uuid = $2 FOR SHARE"};
  static const Reference primary{
      "primary_uri_uuid", "origination URI",
      "SELECT 1 FROM origination_uris WHERE account_id = $1 AND uri_uuid = $2 FOR SHARE"};
  static const Reference fallback{"fallback_uri_uuid", "origination URI", primary.exists_sql};
  for (auto [uuid, ref] :
       {std::pair{&t.ipacl_uuid, &ipacl}, std::pair{&t.credential_uuid, &credential},
        std::pair{&t.primary_uri_uuid, &primary}, std::pair{&t.fallback_uri_uuid, &fallback}}) {
    RETURN_IF_ERROR(check_reference(tx, t.account_id, *uuid, *ref));
  }
  return Status::Ok();
}

// kConflict naming the trunks of `users_sql` (bound: account_id, uuid), or ok when none.
Status refuse_if_used(Tx& tx, const std::string& users_sql, std::int64_t account_id,
                      std::string_view uuid, std::string_view what) {
  std::vector<std::string> users;
  std::int64_t more = 0;
  for (const pqxx::row& row : tx.exec(users_sql, {account_id, uuid})) {
    if (users.size() < 5) {
      users.push_back(text_of(row[0]) + " ('" + text_of(row[1]) + "')");
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

// Deletes the row of `table` found by (account_id, uuid) through `id_sql` after checking that
// no trunk uses it (`users_sql`), in one transaction.
Status delete_unused(Database& db, std::string_view table, const std::string& id_sql,
                     const std::string& users_sql, std::int64_t account_id, std::string_view uuid,
                     std::string_view what) {
  return db.transact(Kind::kWrite, [&](Tx& tx) -> Status {
    const pqxx::result id = tx.exec(id_sql, {account_id, uuid});
    if (id.empty()) return not_found(what, uuid);
    RETURN_IF_ERROR(refuse_if_used(tx, users_sql, account_id, uuid, what));
    tx.exec("DELETE FROM " + std::string(table) + " WHERE id = $1", {int64_of(id[0][0])});
    return Status::Ok();
  });
}

// ---- lists -----------------------------------------------------------------------------------

template <class Row>
using RowReader = std::function<Result<Row>(Tx&, const pqxx::row&)>;

// `where` with its parameters numbered from $1.
struct Where {
  std::string sql;
  std::vector<Param> params;
};

// One page (newest first: highest id) and the total count of `table` rows matching `where`, from
// one snapshot. `select` is "SELECT <columns> FROM <table>".
template <class Row>
Result<Page<Row>> list_page(Database& db, const std::string& select, const std::string& table,
                            const Where& where, const PageRequest& page,
                            const RowReader<Row>& read) {
  const std::int64_t limit = std::max(0, page.limit);
  const std::int64_t offset = std::max<std::int64_t>(0, page.offset);
  Page<Row> out;
  RETURN_IF_ERROR(db.transact(Kind::kRead, [&](Tx& tx) -> Status {
    out = Page<Row>();
    std::vector<Param> params = where.params;
    const std::string n = std::to_string(params.size());
    params.emplace_back(limit);
    params.emplace_back(offset);
    const pqxx::result rows =
        tx.exec(select + " WHERE " + where.sql + " ORDER BY id DESC LIMIT $" +
                    std::to_string(params.size() - 1) + " OFFSET $" + std::to_string(params.size()),
                params);
    for (const pqxx::row& r : rows) {
      ASSIGN_OR_RETURN(Row row, read(tx, r));
      out.rows.push_back(std::move(row));
    }
    out.total_count = tx.exec("SELECT COUNT(*) FROM " + table + " WHERE " + where.sql, where.params)
                          .at(0)
                          .at(0)
                          .as<std::int64_t>();
    return Status::Ok();
  }));
  return out;
}

// The row found by (account_id, key) through `sql`, read by `read`, in one snapshot.
template <class Row>
Result<std::optional<Row>> find_one(Database& db, const std::string& sql, std::int64_t account_id,
                                    std::string_view key, const RowReader<Row>& read) {
  std::optional<Row> found;
  RETURN_IF_ERROR(db.transact(Kind::kRead, [&](Tx& tx) -> Status {
    found.reset();
    const pqxx::result r = tx.exec(sql, {account_id, key});
    if (r.empty()) return Status::Ok();
    ASSIGN_OR_RETURN(Row row, read(tx, r[0]));
    found = std::move(row);
    return Status::Ok();
  }));
  return found;
}

Where of_account(std::int64_t account_id) { return Where{"account_id = $1", {account_id}}; }

// ---- IP access control lists -------------------------------------------------------------------

const std::string kSelectAcl = "SELECT id, account_id, ipacl_uuid, name, created_at FROM ip_acls";
const std::string kAclIdByUuid =
    "SELECT id FROM ip_acls WHERE account_id = $1 AND ipacl_uuid = $2 FOR UPDATE";
const std::string kAclUsers =
    "SELECT trunk_id, name FROM trunks WHERE account_id = $1 AND ipacl_uuid = $2 ORDER BY id";

Result<IpAcl> read_acl(Tx& tx, const pqxx::row& r) {
  IpAcl a;
  const std::int64_t id = int64_of(r[0]);
  a.account_id = int64_of(r[1]);
  a.ipacl_uuid = text_of(r[2]);
  a.name = text_of(r[3]);
  a.created_at = int64_of(r[4]);
  for (const pqxx::row& e :
       tx.exec("SELECT entry FROM ip_acl_entries WHERE acl_id = $1 ORDER BY position", {id})) {
    a.ip_addresses.push_back(text_of(e[0]));
  }
  return a;
}

void write_acl_entries(Tx& tx, std::int64_t acl_id, const std::vector<std::string>& entries) {
  tx.exec("DELETE FROM ip_acl_entries WHERE acl_id = $1", {acl_id});
  for (std::size_t i = 0; i < entries.size(); ++i) {
    tx.exec("INSERT INTO ip_acl_entries (acl_id, position, entry) VALUES ($1, $2, $3)",
            {acl_id, static_cast<std::int64_t>(i), entries[i]});
  }
}

// ---- credentials -------------------------------------------------------------------------------

const std::string kSelectCredential =
    "SELECT id, account_id, credential_uuid, name, username, realm, ha1, created_at FROM "
    "credentials";
const std::string kCredentialIdByUuid =
    "SELECT id FROM credentials WHERE account_id = $1 AND credential_uuid = $2 FOR UPDATE";
const std::string kCredentialUsers =
    "SELECT trunk_id, name FROM trunks WHERE account_id = $1 AND credential_uuid = $2 ORDER BY "
    "id";

Result<Credential> read_credential(Tx&, const pqxx::row& r) {
  Credential c;
  c.account_id = int64_of(r[1]);
  c.credential_uuid = text_of(r[2]);
  c.name = text_of(r[3]);
  c.username = text_of(r[4]);
  c.realm = text_of(r[5]);
  c.ha1 = text_of(r[6]);
  c.created_at = int64_of(r[7]);
  return c;
}

// ---- origination URIs --------------------------------------------------------------------------

const std::string kSelectUri =
    "SELECT id, account_id, uri_uuid, name, uri, authentication_needed, username, password, "
    "created_at FROM origination_uris";
const std::string kUriIdByUuid =
    "SELECT id FROM origination_uris WHERE account_id = $1 AND uri_uuid = $2 FOR UPDATE";
const std::string kUriUsers =
    "SELECT trunk_id, name FROM trunks WHERE account_id = $1 AND (primary_uri_uuid = $2 OR "
    "fallback_uri_uuid = $2) ORDER BY id";

RowReader<OriginationUri> uri_reader(std::shared_ptr<const SecretBox> box) {
  return [box = std::move(box)](Tx&, const pqxx::row& r) -> Result<OriginationUri> {
    OriginationUri u;
    u.account_id = int64_of(r[1]);
    u.uri_uuid = text_of(r[2]);
    u.name = text_of(r[3]);
    u.uri = text_of(r[4]);
    u.authentication_needed = bool_of(r[5]);
    u.username = text_of(r[6]);
    u.created_at = int64_of(r[8]);
    ASSIGN_OR_RETURN(u.password, box->open_stored(text_of(r[7]), "origination URI " + u.uri_uuid));
    return u;
  };
}

// ---- trunks ------------------------------------------------------------------------------------

const std::string kSelectTrunk =
    "SELECT id, account_id, trunk_id, trunk_domain, name, status, direction, secure, ipacl_uuid, "
    "credential_uuid, primary_uri_uuid, fallback_uri_uuid, created_at, default_country FROM trunks";

Result<Trunk> read_trunk(Tx&, const pqxx::row& r) {
  Trunk t;
  t.account_id = int64_of(r[1]);
  t.trunk_id = text_of(r[2]);
  t.trunk_domain = text_of(r[3]);
  t.name = text_of(r[4]);
  const std::optional<TrunkStatus> status = parse_trunk_status(text_of(r[5]));
  const std::optional<Direction> direction = parse_direction(text_of(r[6]));
  if (!status || !direction) {
    return Status::IOError("postgresql: corrupt status or direction in trunk " + t.trunk_id);
  }
  t.status = *status;
  t.direction = *direction;
  t.secure = bool_of(r[7]);
  t.ipacl_uuid = opt_text_of(r[8]);
  t.credential_uuid = opt_text_of(r[9]);
  t.primary_uri_uuid = opt_text_of(r[10]);
  t.fallback_uri_uuid = opt_text_of(r[11]);
  t.created_at = int64_of(r[12]);
  t.default_country = text_of(r[13]);
  return t;
}

}  // namespace

// ---- IP access control lists -------------------------------------------------------------------

Status PgTrunkStore::create_ip_acl(const IpAcl& acl, int max_per_account) {
  return db_.transact(Kind::kWrite, [&](Tx& tx) -> Status {
    RETURN_IF_ERROR(
        check_quota(tx, "ip_acls", acl.account_id, max_per_account, "IP access control lists"));
    const std::int64_t id = tx.query_int(
        "INSERT INTO ip_acls (account_id, ipacl_uuid, name, created_at) VALUES ($1, $2, $3, $4) "
        "RETURNING id",
        {acl.account_id, acl.ipacl_uuid, acl.name, system_now()});
    write_acl_entries(tx, id, acl.ip_addresses);
    return Status::Ok();
  });
}

Result<std::optional<IpAcl>> PgTrunkStore::find_ip_acl(std::int64_t account_id,
                                                       std::string_view ipacl_uuid) {
  return find_one<IpAcl>(db_, kSelectAcl + " WHERE account_id = $1 AND ipacl_uuid = $2", account_id,
                         ipacl_uuid, read_acl);
}

Result<Page<IpAcl>> PgTrunkStore::list_ip_acls(const PageRequest& page) {
  return list_page<IpAcl>(db_, kSelectAcl, "ip_acls", of_account(page.account_id), page, read_acl);
}

Status PgTrunkStore::update_ip_acl(const IpAcl& acl) {
  return db_.transact(Kind::kWrite, [&](Tx& tx) -> Status {
    const pqxx::result id = tx.exec(kAclIdByUuid, {acl.account_id, acl.ipacl_uuid});
    if (id.empty()) return not_found("IP access control list", acl.ipacl_uuid);
    tx.exec("UPDATE ip_acls SET name = $1 WHERE id = $2", {acl.name, int64_of(id[0][0])});
    write_acl_entries(tx, int64_of(id[0][0]), acl.ip_addresses);
    return Status::Ok();
  });
}

Status PgTrunkStore::delete_ip_acl(std::int64_t account_id, std::string_view ipacl_uuid) {
  return delete_unused(db_, "ip_acls", kAclIdByUuid, kAclUsers, account_id, ipacl_uuid,
                       "IP access control list");
}

// ---- credentials -------------------------------------------------------------------------------

Status PgTrunkStore::create_credential(const Credential& cred, int max_per_account) {
  return db_.transact(Kind::kWrite, [&](Tx& tx) -> Status {
    RETURN_IF_ERROR(
        check_quota(tx, "credentials", cred.account_id, max_per_account, "credentials"));
    if (tx.exists("SELECT 1 FROM credentials WHERE account_id = $1 AND username = $2",
                  {cred.account_id, cred.username})) {
      return Status::Conflict("username: '" + cred.username +
                              "' is already taken by another credential of this account");
    }
    tx.exec(
        "INSERT INTO credentials (account_id, credential_uuid, name, username, realm, ha1, "
        "created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        {cred.account_id, cred.credential_uuid, cred.name, cred.username, cred.realm, cred.ha1,
         system_now()});
    return Status::Ok();
  });
}

Result<std::optional<Credential>> PgTrunkStore::find_credential(std::int64_t account_id,
                                                                std::string_view credential_uuid) {
  return find_one<Credential>(db_,
                              kSelectCredential + " WHERE account_id = $1 AND credential_uuid = $2",
                              account_id, credential_uuid, read_credential);
}

Result<Page<Credential>> PgTrunkStore::list_credentials(const PageRequest& page) {
  return list_page<Credential>(db_, kSelectCredential, "credentials", of_account(page.account_id),
                               page, read_credential);
}

Status PgTrunkStore::update_credential(const Credential& cred) {
  return change_one(
      db_, "credential", cred.credential_uuid,
      "UPDATE credentials SET name = $1, ha1 = $2 WHERE account_id = $3 AND credential_uuid = $4",
      {cred.name, cred.ha1, cred.account_id, cred.credential_uuid});
}

Status PgTrunkStore::delete_credential(std::int64_t account_id, std::string_view credential_uuid) {
  return delete_unused(db_, "credentials", kCredentialIdByUuid, kCredentialUsers, account_id,
                       credential_uuid, "credential");
}

// ---- origination URIs --------------------------------------------------------------------------

Status PgTrunkStore::create_origination_uri(const OriginationUri& uri, int max_per_account) {
  const std::string password = db_.secrets()->seal_stored(uri.password);
  return db_.transact(Kind::kWrite, [&](Tx& tx) -> Status {
    RETURN_IF_ERROR(
        check_quota(tx, "origination_uris", uri.account_id, max_per_account, "origination URIs"));
    tx.exec(
        "INSERT INTO origination_uris (account_id, uri_uuid, name, uri, authentication_needed, "
        "username, password, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        {uri.account_id, uri.uri_uuid, uri.name, uri.uri, uri.authentication_needed, uri.username,
         password, system_now()});
    return Status::Ok();
  });
}

Result<std::optional<OriginationUri>> PgTrunkStore::find_origination_uri(
    std::int64_t account_id, std::string_view uri_uuid) {
  return find_one<OriginationUri>(db_, kSelectUri + " WHERE account_id = $1 AND uri_uuid = $2",
                                  account_id, uri_uuid, uri_reader(db_.secrets()));
}

Result<Page<OriginationUri>> PgTrunkStore::list_origination_uris(const PageRequest& page) {
  return list_page<OriginationUri>(db_, kSelectUri, "origination_uris", of_account(page.account_id),
                                   page, uri_reader(db_.secrets()));
}

Status PgTrunkStore::update_origination_uri(const OriginationUri& uri) {
  const std::string password = db_.secrets()->seal_stored(uri.password);
  return change_one(db_, "origination URI", uri.uri_uuid,
                    "UPDATE origination_uris SET name = $1, uri = $2, authentication_needed = $3, "
                    "username = $4, password = $5 WHERE account_id = $6 AND uri_uuid = $7",
                    {uri.name, uri.uri, uri.authentication_needed, uri.username, password,
                     uri.account_id, uri.uri_uuid});
}

Status PgTrunkStore::delete_origination_uri(std::int64_t account_id, std::string_view uri_uuid) {
  return delete_unused(db_, "origination_uris", kUriIdByUuid, kUriUsers, account_id, uri_uuid,
                       "origination URI");
}

// ---- trunks ------------------------------------------------------------------------------------

Status PgTrunkStore::create_trunk(const Trunk& t, int max_per_account) {
  return db_.transact(Kind::kWrite, [&](Tx& tx) -> Status {
    RETURN_IF_ERROR(check_quota(tx, "trunks", t.account_id, max_per_account, "trunks"));
    RETURN_IF_ERROR(check_references(tx, t));
    if (tx.exists("SELECT 1 FROM trunks WHERE trunk_id = $1", {t.trunk_id})) {
      return Status::Conflict("trunk_id " + t.trunk_id + " is taken");
    }
    tx.exec(
        "INSERT INTO trunks (account_id, trunk_id, trunk_domain, created_at, name, status, "
        "direction, secure, ipacl_uuid, credential_uuid, primary_uri_uuid, fallback_uri_uuid, "
        "default_country) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        {t.account_id, t.trunk_id, t.trunk_domain, system_now(), t.name, to_string(t.status),
         to_string(t.direction), t.secure, t.ipacl_uuid, t.credential_uuid, t.primary_uri_uuid,
         t.fallback_uri_uuid, t.default_country});
    return Status::Ok();
  });
}

Result<std::optional<Trunk>> PgTrunkStore::find_trunk(std::int64_t account_id,
                                                      std::string_view trunk_id) {
  return find_one<Trunk>(db_, kSelectTrunk + " WHERE account_id = $1 AND trunk_id = $2", account_id,
                         trunk_id, read_trunk);
}

Result<Page<Trunk>> PgTrunkStore::list_trunks(const PageRequest& page, const TrunkFilter& f) {
  // The WHERE clause is assembled from fixed fragments; every value is bound.
  Where where = of_account(page.account_id);
  const auto add = [&where](std::string_view column, Param value) {
    where.params.push_back(std::move(value));
    where.sql += " AND " + std::string(column) + " = $" + std::to_string(where.params.size());
  };
  if (f.status) add("status", to_string(*f.status));
  if (f.direction) add("direction", to_string(*f.direction));
  if (f.secure) add("secure", *f.secure);
  for (auto [value, column] :
       {std::pair{&f.ipacl_uuid, "ipacl_uuid"}, std::pair{&f.credential_uuid, "credential_uuid"},
        std::pair{&f.primary_uri_uuid, "primary_uri_uuid"},
        std::pair{&f.fallback_uri_uuid, "fallback_uri_uuid"}}) {
    if (*value) add(column, **value);
  }
  return list_page<Trunk>(db_, kSelectTrunk, "trunks", where, page, read_trunk);
}

Status PgTrunkStore::update_trunk(const Trunk& t) {
  return db_.transact(Kind::kWrite, [&](Tx& tx) -> Status {
    if (!tx.exists("SELECT 1 FROM trunks WHERE account_id = $1 AND trunk_id = $2 FOR UPDATE",
                   {t.account_id, t.trunk_id})) {
      return not_found("trunk", t.trunk_id);
    }
    RETURN_IF_ERROR(check_references(tx, t));
    tx.exec(
        "UPDATE trunks SET name = $1, status = $2, direction = $3, secure = $4, ipacl_uuid = $5, "
        "credential_uuid = $6, primary_uri_uuid = $7, fallback_uri_uuid = $8, "
        "default_country = $9 WHERE account_id = $10 AND trunk_id = $11",
        {t.name, to_string(t.status), to_string(t.direction), t.secure, t.ipacl_uuid,
         t.credential_uuid, t.primary_uri_uuid, t.fallback_uri_uuid, t.default_country,
         t.account_id, t.trunk_id});
    return Status::Ok();
  });
}

Status PgTrunkStore::delete_trunk(std::int64_t account_id, std::string_view trunk_id) {
  return change_one(db_, "trunk", trunk_id,
                    "DELETE FROM trunks WHERE account_id = $1 AND trunk_id = $2",
                    {account_id, trunk_id});
}

}  // namespace cdrd::postgres
