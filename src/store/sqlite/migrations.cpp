// The schema of the sqlite store, as an append-only list of migrations.
//
// HOW TO ADD A MIGRATION (e.g. rate decks, trunks, apps):
//   1. Write its statements as a constant below the last one (kV2RateDecks = {...}).
//   2. Append ONE line to kMigrations: {2, "rate decks", kV2RateDecks},
// Versions are 1, 2, 3, ... without gaps. Never edit or reorder a migration that has shipped:
// databases in the field have already applied it; change the schema with a new migration.
// Each migration runs in its own transaction at open, so a failing one leaves the database at
// the previous version. Tables are STRICT so a wrongly typed bind fails loudly.
//
// Stored encodings of the calls table (owned by call_row.cpp, which static_asserts them):
//   times        INTEGER microseconds since the Unix epoch, UTC; NULL when absent
//   money        INTEGER count of 1/100000 units (Money::units)
//   booleans     INTEGER 0 | 1
//   direction    0 inbound, 1 outbound
//   hangup_source 0 unknown, 1 customer, 2 carrier, 3 zentrunk
//   transport    0 udp, 1 tcp, 2 tls
//   rating       0 provided, 1 rated, 2 unrated
//   stir_verification 0 not applicable, 1 verified, 2 not verified
//   attestation  0 none, 1 A, 2 B, 3 C
//   legs         BLOB in the leg_codec format (see core/leg_codec.h); NULL when there are no legs
//   q_*          the Call Insights metrics (CallRecord::quality)
//   call_uuid    (migration 6) folded to ASCII lower case, the idempotency key; rows of older
//                versions that share their folded uuid with another row keep their spelling
//   call_uuid_as_sent  (migration 6) the uuid as first stored when it differs from call_uuid,
//                      else NULL
// Trunk control plane (migration 2): trunks.status 0 enabled, 1 disabled; trunks.direction as
// calls.direction; ip_acl_entries.position is the entry's index in its list.
#include "store/sqlite/migrations.h"

#include <array>
#include <string>

#include "core/clock.h"

namespace cdrd::sqlite {
namespace {

const std::vector<std::string_view> kV1AccountsAndCalls = {
    R"sql(
CREATE TABLE accounts (
  id          INTEGER PRIMARY KEY,
  auth_id     TEXT NOT NULL UNIQUE,
  name        TEXT NOT NULL,
  token_hash  TEXT NOT NULL,
  created_at  INTEGER NOT NULL
) STRICT)sql",
    "CREATE INDEX accounts_by_name ON accounts(name)",
    R"sql(
CREATE TABLE calls (
  id                       INTEGER PRIMARY KEY,
  account_id               INTEGER NOT NULL REFERENCES accounts(id),
  call_uuid                TEXT NOT NULL,
  direction                INTEGER NOT NULL CHECK (direction BETWEEN 0 AND 1),
  from_number              TEXT NOT NULL,
  to_number                TEXT NOT NULL,
  initiation_time          INTEGER NOT NULL,
  answer_time              INTEGER,
  end_time                 INTEGER NOT NULL,
  duration_s               INTEGER NOT NULL,
  bill_duration_s          INTEGER NOT NULL,
  hangup_cause_code        INTEGER,
  hangup_cause_name        TEXT NOT NULL,
  hangup_source            INTEGER NOT NULL CHECK (hangup_source BETWEEN 0 AND 3),
  trunk_id                 TEXT NOT NULL,
  trunk_domain             TEXT NOT NULL,
  region                   TEXT NOT NULL,
  transport                INTEGER NOT NULL CHECK (transport BETWEEN 0 AND 2),
  srtp                     INTEGER NOT NULL CHECK (srtp IN (0, 1)),
  secure_trunking          INTEGER NOT NULL CHECK (secure_trunking IN (0, 1)),
  rate                     INTEGER NOT NULL,
  secure_trunking_rate     INTEGER NOT NULL,
  total_amount             INTEGER NOT NULL,
  rating                   INTEGER NOT NULL CHECK (rating BETWEEN 0 AND 2),
  from_country             TEXT NOT NULL,
  to_country               TEXT NOT NULL,
  stir_verification        INTEGER NOT NULL CHECK (stir_verification BETWEEN 0 AND 2),
  attestation              INTEGER NOT NULL CHECK (attestation BETWEEN 0 AND 3),
  sip_call_id              TEXT NOT NULL,
  cnam_lookup              INTEGER NOT NULL CHECK (cnam_lookup IN (0, 1)),
  cnam_lookup_rate         INTEGER NOT NULL,
  from_username            TEXT NOT NULL,
  from_domain              TEXT NOT NULL,
  from_screen_name         TEXT NOT NULL,
  to_username              TEXT NOT NULL,
  to_domain                TEXT NOT NULL,
  did_number               TEXT NOT NULL,
  did_domain               TEXT NOT NULL,
  bridged_username         TEXT NOT NULL,
  bridged_domain           TEXT NOT NULL,
  bridged_time             INTEGER,
  bridged_duration_s       INTEGER,
  extension_id             INTEGER,
  extension_name           TEXT NOT NULL,
  extension_type           TEXT NOT NULL,
  extension_group_owner_id INTEGER,
  ext_number_reg           TEXT,
  diversion_number         TEXT NOT NULL,
  result                   TEXT NOT NULL,
  hangup_disposition       TEXT NOT NULL,
  q850_cause               TEXT NOT NULL,
  quality_rate             INTEGER,
  quality_max_rate         INTEGER,
  legs                     BLOB,
  q_rtt_ms                 REAL,
  q_jitter_ms              REAL,
  q_packet_loss_pct        REAL,
  q_post_dial_delay_ms     INTEGER,
  q_caller_carrier         TEXT NOT NULL,
  q_callee_carrier         TEXT NOT NULL,
  q_from_region            TEXT NOT NULL,
  q_to_region              TEXT NOT NULL,
  -- The numbers without their '+', for prefix filters given with or without it.
  from_digits              TEXT GENERATED ALWAYS AS (ltrim(from_number, '+')) VIRTUAL,
  to_digits                TEXT GENERATED ALWAYS AS (ltrim(to_number, '+')) VIRTUAL,
  UNIQUE (account_id, call_uuid)
) STRICT)sql",
    // The default listing: one account's calls by end_time. The rowid (id) is the implicit last
    // key of every index, so ORDER BY end_time, id needs no sort.
    "CREATE INDEX calls_by_end_time ON calls(account_id, end_time)",
    // Number prefix filters, over the number without its '+' so that one index range answers
    // a prefix given with or without it. end_time rides along so the list window (always
    // present in API queries) is checked inside the index.
    "CREATE INDEX calls_by_to_digits ON calls(account_id, to_digits, end_time)",
    "CREATE INDEX calls_by_from_digits ON calls(account_id, from_digits, end_time)",
};

// Rating (docs/rating.md): each account's rate deck and rating settings.
//   rate_deck_rows.effective_from  microseconds, UTC; INT64_MIN (kSinceBeginning) for a row in
//                                  force since the beginning (NULL would escape the key)
//   account_rating.version         raised by every change to the account's deck or settings,
//                                  so deck caches in any process can tell they are stale
const std::vector<std::string_view> kV2Rating = {
    R"sql(
CREATE TABLE rate_deck_rows (
  account_id            INTEGER NOT NULL REFERENCES accounts(id),
  direction             INTEGER NOT NULL CHECK (direction BETWEEN 0 AND 1),
  prefix                TEXT NOT NULL,
  effective_from        INTEGER NOT NULL,
  rate                  INTEGER NOT NULL CHECK (rate >= 0),
  initial_increment     INTEGER NOT NULL CHECK (initial_increment BETWEEN 1 AND 86400),
  subsequent_increment  INTEGER NOT NULL CHECK (subsequent_increment BETWEEN 1 AND 86400),
  PRIMARY KEY (account_id, direction, prefix, effective_from)
) STRICT, WITHOUT ROWID)sql",
    R"sql(
CREATE TABLE account_rating (
  account_id            INTEGER PRIMARY KEY REFERENCES accounts(id),
  secure_trunking_rate  INTEGER NOT NULL DEFAULT 0 CHECK (secure_trunking_rate >= 0),
  always_rerate         INTEGER NOT NULL DEFAULT 0 CHECK (always_rerate IN (0, 1)),
  version               INTEGER NOT NULL
) STRICT)sql",
};

// OAuth 2.0 client-credentials apps of the cloud-PBX API and their access tokens (hashes only).
const std::vector<std::string_view> kV3OAuth = {
    R"sql(
CREATE TABLE oauth_apps (
  id           INTEGER PRIMARY KEY,
  client_id    TEXT NOT NULL UNIQUE,
  account_id   INTEGER NOT NULL REFERENCES accounts(id),
  secret_hash  TEXT NOT NULL,
  revoked      INTEGER NOT NULL CHECK (revoked IN (0, 1)),
  created_at   INTEGER NOT NULL
) STRICT)sql",
    "CREATE INDEX oauth_apps_by_account ON oauth_apps(account_id)",
    R"sql(
CREATE TABLE oauth_tokens (
  token_hash   TEXT PRIMARY KEY,
  app_id       INTEGER NOT NULL REFERENCES oauth_apps(id),
  expires_at   INTEGER NOT NULL
) STRICT, WITHOUT ROWID)sql",
    "CREATE INDEX oauth_tokens_by_expiry ON oauth_tokens(expires_at)",
};

// The trunk control plane (core/trunk.h). A trunk refers to the lists, credentials and URIs it
// uses by their uuids; the foreign keys keep a used one from being deleted underneath it (the
// store answers that case first, naming the trunk). Calls name trunks by trunk_id without a
// foreign key: deleting a trunk leaves its calls' history as it was.
const std::vector<std::string_view> kV4TrunkControlPlane = {
    R"sql(
CREATE TABLE ip_acls (
  id          INTEGER PRIMARY KEY,
  account_id  INTEGER NOT NULL REFERENCES accounts(id),
  ipacl_uuid  TEXT NOT NULL UNIQUE,
  name        TEXT NOT NULL,
  created_at  INTEGER NOT NULL
) STRICT)sql",
    "CREATE INDEX ip_acls_by_account ON ip_acls(account_id)",
    R"sql(
CREATE TABLE ip_acl_entries (
  acl_id    INTEGER NOT NULL REFERENCES ip_acls(id) ON DELETE CASCADE,
  position  INTEGER NOT NULL,
  entry     TEXT NOT NULL,
  PRIMARY KEY (acl_id, position)
) STRICT, WITHOUT ROWID)sql",
    R"sql(
CREATE TABLE credentials (
  id               INTEGER PRIMARY KEY,
  account_id       INTEGER NOT NULL REFERENCES accounts(id),
  credential_uuid  TEXT NOT NULL UNIQUE,
  name             TEXT NOT NULL,
  username         TEXT NOT NULL,
  realm            TEXT NOT NULL,
  ha1              TEXT NOT NULL,
  created_at       INTEGER NOT NULL,
  UNIQUE (account_id, username)
) STRICT)sql",
    "CREATE INDEX credentials_by_account ON credentials(account_id)",
    R"sql(
CREATE TABLE origination_uris (
  id                     INTEGER PRIMARY KEY,
  account_id             INTEGER NOT NULL REFERENCES accounts(id),
  uri_uuid               TEXT NOT NULL UNIQUE,
  name                   TEXT NOT NULL,
  uri                    TEXT NOT NULL,
  authentication_needed  INTEGER NOT NULL CHECK (authentication_needed IN (0, 1)),
  username               TEXT NOT NULL,
  password               TEXT NOT NULL,
  created_at             INTEGER NOT NULL
) STRICT)sql",
    "CREATE INDEX origination_uris_by_account ON origination_uris(account_id)",
    R"sql(
CREATE TABLE trunks (
  id                 INTEGER PRIMARY KEY,
  account_id         INTEGER NOT NULL REFERENCES accounts(id),
  trunk_id           TEXT NOT NULL UNIQUE,
  trunk_domain       TEXT NOT NULL,
  name               TEXT NOT NULL,
  status             INTEGER NOT NULL CHECK (status BETWEEN 0 AND 1),
  direction          INTEGER NOT NULL CHECK (direction BETWEEN 0 AND 1),
  secure             INTEGER NOT NULL CHECK (secure IN (0, 1)),
  ipacl_uuid         TEXT REFERENCES ip_acls(ipacl_uuid),
  credential_uuid    TEXT REFERENCES credentials(credential_uuid),
  primary_uri_uuid   TEXT REFERENCES origination_uris(uri_uuid),
  fallback_uri_uuid  TEXT REFERENCES origination_uris(uri_uuid),
  created_at         INTEGER NOT NULL
) STRICT)sql",
    "CREATE INDEX trunks_by_account ON trunks(account_id)",
    // The foreign keys' child indexes: a delete of a list, credential or URI looks its users up.
    "CREATE INDEX trunks_by_ipacl ON trunks(ipacl_uuid)",
    "CREATE INDEX trunks_by_credential ON trunks(credential_uuid)",
    "CREATE INDEX trunks_by_primary_uri ON trunks(primary_uri_uuid)",
    "CREATE INDEX trunks_by_fallback_uri ON trunks(fallback_uri_uuid)",
};

// The list index (store/index, docs/architecture.md) answers every number prefix filter, so the
// two number indexes only slowed each insert (two more B-trees keyed in random order). The SQL
// evaluation of lists (SqliteCallStore::list_calls_scan) still answers them, by the end_time
// index and a check of each row.
const std::vector<std::string_view> kV5NumberIndexesGo = {
    "DROP INDEX calls_by_to_digits",
    "DROP INDEX calls_by_from_digits",
};

// Call uuids match without regard to ASCII letter case (docs/ingest.md): a switch or client
// may send the provider's upper-case hex in lower case, and the same call sent again in another
// case is a duplicate. From now on call_uuid holds the uuid folded to lower case, so the table's
// own unique key (account_id, call_uuid) answers both, and call_uuid_as_sent the spelling the
// call was stored with when it differs (NULL: as call_uuid). No second index: ingest keeps its
// speed. Rows of older versions are folded here, except where that would collide: a database
// written before this may hold one account's uuid twice in different cases (then legal).
// Nothing is deleted: in each such group one row holds the folded key (one already in lower
// case, else the one stored first) and the others keep their spelling, found by it
// (SqliteCallStore::find_call tries the spelling as given first). Measured on 2,000,000 calls:
// 1.8 s when the uuids are in lower case already; 33-39 s and about 0.9 GB of memory at its
// peak when every one is folded (docs/operations.md).
const std::vector<std::string_view> kV6CallUuidsInAnyCase = {
    "ALTER TABLE calls ADD COLUMN call_uuid_as_sent TEXT",
    // In storage (rowid) order, so the first stored of twins takes the folded key; OR IGNORE
    // leaves a row whose folded key is taken as it is. One pass, no sort: the unique key is
    // the only lookup.
    "UPDATE OR IGNORE calls SET call_uuid_as_sent = call_uuid, call_uuid = lower(call_uuid) "
    "WHERE call_uuid <> lower(call_uuid)",
};

// The default country of an account or a trunk: national and 00/011 numbers of its calls are
// turned into E.164 at ingest (docs/ingest.md, "Numbers"). '' = none: numbers kept as sent.
const std::vector<std::string_view> kV7DefaultCountry = {
    "ALTER TABLE accounts ADD COLUMN default_country TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE trunks ADD COLUMN default_country TEXT NOT NULL DEFAULT ''",
};

// The change feed (docs/api-calls.md, "Feed"): an account's calls in storage (id) order from a
// cursor on. calls_by_account is (account_id) with the rowid as its implicit last key, so
// "account_id = ? AND id > ? ORDER BY id LIMIT ?" is one index range: it costs the page, not the
// account's calls nor the other accounts'. The id is a plain INTEGER PRIMARY KEY (no
// AUTOINCREMENT), which SQLite assigns as MAX(id) + 1: when retention deletes the row holding
// the largest id (a late call with an old end_time can be the newest row), the next insert would
// take that id again, and a client whose cursor is that id would never see the new call. So
// call_id_high_water keeps the largest id ever deleted (the trigger, on every delete path), and
// insert_calls gives the first row of a batch an id above it when the table's own MAX(id) is
// lower (SqliteCallStore::insert_calls). Rebuilding the table with AUTOINCREMENT would do the
// same at the cost of copying every row once.
const std::vector<std::string_view> kV8ChangeFeed = {
    "CREATE INDEX calls_by_account ON calls(account_id)",
    "CREATE TABLE call_id_high_water (id INTEGER NOT NULL) STRICT",
    "INSERT INTO call_id_high_water (id) VALUES (0)",
    R"sql(
CREATE TRIGGER calls_keep_high_water AFTER DELETE ON calls
WHEN OLD.id > (SELECT id FROM call_id_high_water)
BEGIN
  UPDATE call_id_high_water SET id = OLD.id;
END)sql",
};

// The index snapshot (docs/architecture.md, "The index snapshot"): the token of the snapshot
// file a clean stop wrote, at most one row. Every open of the database takes the row away
// (Database::open), and the triggers take it away on any change of a call made by any program,
// so the row exists only while the calls are exactly as the snapshot holds them. A call added
// by another program changes MAX(id) (ids are never reused), which the start compares with
// the snapshot's. (IF NOT EXISTS: tests that take a database back to an older version by hand
// leave these in place.)
const std::vector<std::string_view> kV9IndexSnapshot = {
    R"sql(
CREATE TABLE IF NOT EXISTS index_snapshot (
  id          INTEGER PRIMARY KEY CHECK (id = 1),
  token       TEXT NOT NULL,
  written_at  INTEGER NOT NULL
) STRICT)sql",
    R"sql(
CREATE TRIGGER IF NOT EXISTS index_snapshot_gone_on_delete AFTER DELETE ON calls
BEGIN
  DELETE FROM index_snapshot;
END)sql",
    R"sql(
CREATE TRIGGER IF NOT EXISTS index_snapshot_gone_on_update AFTER UPDATE ON calls
BEGIN
  DELETE FROM index_snapshot;
END)sql",
};

// The calls table append-only (docs/architecture.md, "Duplicates in memory"): every insert
// landed at a random place in two B-trees keyed in random order, the unique (account_id,
// call_uuid) key and calls_by_end_time (about 13 KB written to storage per call at 2,000,000
// calls). Duplicates are now found through each account's in-memory hash of its uuids
// (call_uuid_map.h), checked against the row; the lists, the re-rating scan and retention go
// through the list index, and what reads the table in SQL goes by calls_by_account (account_id,
// then rowid: appended in order, cheap). SQLite cannot drop a table constraint, so the table is
// rebuilt: every column, every row and its id, in id order, then its index and the triggers
// that went with the old table. Its cost is one copy of the table (docs/operations.md).
const std::vector<std::string_view> kV10AppendOnlyCalls = {
    R"sql(
CREATE TABLE calls_v10 (
  id                       INTEGER PRIMARY KEY,
  account_id               INTEGER NOT NULL REFERENCES accounts(id),
  call_uuid                TEXT NOT NULL,
  direction                INTEGER NOT NULL CHECK (direction BETWEEN 0 AND 1),
  from_number              TEXT NOT NULL,
  to_number                TEXT NOT NULL,
  initiation_time          INTEGER NOT NULL,
  answer_time              INTEGER,
  end_time                 INTEGER NOT NULL,
  duration_s               INTEGER NOT NULL,
  bill_duration_s          INTEGER NOT NULL,
  hangup_cause_code        INTEGER,
  hangup_cause_name        TEXT NOT NULL,
  hangup_source            INTEGER NOT NULL CHECK (hangup_source BETWEEN 0 AND 3),
  trunk_id                 TEXT NOT NULL,
  trunk_domain             TEXT NOT NULL,
  region                   TEXT NOT NULL,
  transport                INTEGER NOT NULL CHECK (transport BETWEEN 0 AND 2),
  srtp                     INTEGER NOT NULL CHECK (srtp IN (0, 1)),
  secure_trunking          INTEGER NOT NULL CHECK (secure_trunking IN (0, 1)),
  rate                     INTEGER NOT NULL,
  secure_trunking_rate     INTEGER NOT NULL,
  total_amount             INTEGER NOT NULL,
  rating                   INTEGER NOT NULL CHECK (rating BETWEEN 0 AND 2),
  from_country             TEXT NOT NULL,
  to_country               TEXT NOT NULL,
  stir_verification        INTEGER NOT NULL CHECK (stir_verification BETWEEN 0 AND 2),
  attestation              INTEGER NOT NULL CHECK (attestation BETWEEN 0 AND 3),
  sip_call_id              TEXT NOT NULL,
  cnam_lookup              INTEGER NOT NULL CHECK (cnam_lookup IN (0, 1)),
  cnam_lookup_rate         INTEGER NOT NULL,
  from_username            TEXT NOT NULL,
  from_domain              TEXT NOT NULL,
  from_screen_name         TEXT NOT NULL,
  to_username              TEXT NOT NULL,
  to_domain                TEXT NOT NULL,
  did_number               TEXT NOT NULL,
  did_domain               TEXT NOT NULL,
  bridged_username         TEXT NOT NULL,
  bridged_domain           TEXT NOT NULL,
  bridged_time             INTEGER,
  bridged_duration_s       INTEGER,
  extension_id             INTEGER,
  extension_name           TEXT NOT NULL,
  extension_type           TEXT NOT NULL,
  extension_group_owner_id INTEGER,
  ext_number_reg           TEXT,
  diversion_number         TEXT NOT NULL,
  result                   TEXT NOT NULL,
  hangup_disposition       TEXT NOT NULL,
  q850_cause               TEXT NOT NULL,
  quality_rate             INTEGER,
  quality_max_rate         INTEGER,
  legs                     BLOB,
  q_rtt_ms                 REAL,
  q_jitter_ms              REAL,
  q_packet_loss_pct        REAL,
  q_post_dial_delay_ms     INTEGER,
  q_caller_carrier         TEXT NOT NULL,
  q_callee_carrier         TEXT NOT NULL,
  q_from_region            TEXT NOT NULL,
  q_to_region              TEXT NOT NULL,
  call_uuid_as_sent        TEXT,
  -- The numbers without their '+', for prefix filters given with or without it.
  from_digits              TEXT GENERATED ALWAYS AS (ltrim(from_number, '+')) VIRTUAL,
  to_digits                TEXT GENERATED ALWAYS AS (ltrim(to_number, '+')) VIRTUAL
) STRICT)sql",
    R"sql(
INSERT INTO calls_v10 (
  id, account_id, call_uuid, direction, from_number, to_number, initiation_time, answer_time,
  end_time, duration_s, bill_duration_s, hangup_cause_code, hangup_cause_name, hangup_source,
  trunk_id, trunk_domain, region, transport, srtp, secure_trunking, rate, secure_trunking_rate,
  total_amount, rating, from_country, to_country, stir_verification, attestation, sip_call_id,
  cnam_lookup, cnam_lookup_rate, from_username, from_domain, from_screen_name, to_username,
  to_domain, did_number, did_domain, bridged_username, bridged_domain, bridged_time,
  bridged_duration_s, extension_id, extension_name, extension_type, extension_group_owner_id,
  ext_number_reg, diversion_number, result, hangup_disposition, q850_cause, quality_rate,
  quality_max_rate, legs, q_rtt_ms, q_jitter_ms, q_packet_loss_pct, q_post_dial_delay_ms,
  q_caller_carrier, q_callee_carrier, q_from_region, q_to_region, call_uuid_as_sent)
SELECT
  id, account_id, call_uuid, direction, from_number, to_number, initiation_time, answer_time,
  end_time, duration_s, bill_duration_s, hangup_cause_code, hangup_cause_name, hangup_source,
  trunk_id, trunk_domain, region, transport, srtp, secure_trunking, rate, secure_trunking_rate,
  total_amount, rating, from_country, to_country, stir_verification, attestation, sip_call_id,
  cnam_lookup, cnam_lookup_rate, from_username, from_domain, from_screen_name, to_username,
  to_domain, did_number, did_domain, bridged_username, bridged_domain, bridged_time,
  bridged_duration_s, extension_id, extension_name, extension_type, extension_group_owner_id,
  ext_number_reg, diversion_number, result, hangup_disposition, q850_cause, quality_rate,
  quality_max_rate, legs, q_rtt_ms, q_jitter_ms, q_packet_loss_pct, q_post_dial_delay_ms,
  q_caller_carrier, q_callee_carrier, q_from_region, q_to_region, call_uuid_as_sent
FROM calls ORDER BY id)sql",
    "DROP TABLE calls",
    "ALTER TABLE calls_v10 RENAME TO calls",
    "CREATE INDEX calls_by_account ON calls(account_id)",
    R"sql(
CREATE TRIGGER calls_keep_high_water AFTER DELETE ON calls
WHEN OLD.id > (SELECT id FROM call_id_high_water)
BEGIN
  UPDATE call_id_high_water SET id = OLD.id;
END)sql",
    R"sql(
CREATE TRIGGER index_snapshot_gone_on_delete AFTER DELETE ON calls
BEGIN
  DELETE FROM index_snapshot;
END)sql",
    R"sql(
CREATE TRIGGER index_snapshot_gone_on_update AFTER UPDATE ON calls
BEGIN
  DELETE FROM index_snapshot;
END)sql",
};

// The generated from_digits and to_digits columns out of the calls table: every insert computed
// both (two ltrim() calls and their copies: about a sixth of SQLite's work per row), for the
// number filters of the SQL evaluation alone, which now write ltrim(number, '+') themselves
// (call_filter.cpp). A VIRTUAL column is not stored, so no row changes: SQLite's DROP COLUMN
// would only cut its text out of the table's CREATE statement, but it cannot here (it cuts back
// to the last comma, and the comment before them holds one). So the statement's text is edited
// as SQLite documents for a change that leaves the stored content alone, and the schema is read
// again (and its version counted up, for every other connection) by renaming a column there and
// back. A table whose text differs (edited by hand) is left as it is: the columns only cost time.
// So is a table that another object of the schema names the columns in (an operator's own view,
// trigger or index: none of cdrd's does since migration 5): without the columns that object
// would be broken, and SQLite refuses the reload of a schema holding it (the rename fails:
// "error in view ...: no such column: to_digits"), so the migration failed and cdrd did not
// start.
const std::vector<std::string_view> kV11NoDigitsColumns = {
    "PRAGMA writable_schema=ON",
    R"sql(
UPDATE sqlite_schema SET sql = replace(sql, ',
  -- The numbers without their ''+'', for prefix filters given with or without it.
  from_digits              TEXT GENERATED ALWAYS AS (ltrim(from_number, ''+'')) VIRTUAL,
  to_digits                TEXT GENERATED ALWAYS AS (ltrim(to_number, ''+'')) VIRTUAL
) STRICT', '
) STRICT')
WHERE type = 'table' AND name = 'calls' AND NOT EXISTS (
  SELECT 1 FROM sqlite_schema
  WHERE type IN ('view', 'trigger', 'index') AND sql IS NOT NULL
    AND (instr(lower(sql), 'from_digits') > 0 OR instr(lower(sql), 'to_digits') > 0)))sql",
    "PRAGMA writable_schema=OFF",
    "ALTER TABLE calls RENAME COLUMN call_uuid_as_sent TO call_uuid_as_sent_v11",
    "ALTER TABLE calls RENAME COLUMN call_uuid_as_sent_v11 TO call_uuid_as_sent",
};

// The generation of the OAuth grants: a counter that every change a cached grant could miss
// moves (an app or a token updated or deleted: a revocation, a dropped or expired token), by
// any program, through triggers, so that SqliteOAuthStore keeps its grants across every other
// commit (ingest's) and still sees such a change at its very next lookup (docs/architecture.md,
// "Bearer tokens are read once per request"). A new app or token changes no grant kept (only
// found tokens are kept), so inserts move nothing. (IF NOT EXISTS, OR IGNORE: tests that take a
// database back to an older version by hand leave these in place.)
const std::vector<std::string_view> kV12OAuthGeneration = {
    R"sql(
CREATE TABLE IF NOT EXISTS oauth_generation (
  id  INTEGER PRIMARY KEY CHECK (id = 1),
  n   INTEGER NOT NULL
) STRICT)sql", "INSERT OR IGNORE INTO oauth_generation (id, n) VALUES (1, 0)",
    R"sql(
CREATE TRIGGER IF NOT EXISTS oauth_generation_on_app_update AFTER UPDATE ON oauth_apps
BEGIN
  UPDATE oauth_generation SET n = n + 1;
END)sql",
    R"sql(
CREATE TRIGGER IF NOT EXISTS oauth_generation_on_app_delete AFTER DELETE ON oauth_apps
BEGIN
  UPDATE oauth_generation SET n = n + 1;
END)sql",
    R"sql(
CREATE TRIGGER IF NOT EXISTS oauth_generation_on_token_update AFTER UPDATE ON oauth_tokens
BEGIN
  UPDATE oauth_generation SET n = n + 1;
END)sql",
    R"sql(
CREATE TRIGGER IF NOT EXISTS oauth_generation_on_token_delete AFTER DELETE ON oauth_tokens
BEGIN
  UPDATE oauth_generation SET n = n + 1;
END)sql",
};

const std::array<Migration, 12> kMigrations = {{
    {1, "accounts and calls", kV1AccountsAndCalls},
    {2, "rate decks and rating settings", kV2Rating},
    {3, "oauth apps and tokens", kV3OAuth},
    {4, "trunk control plane", kV4TrunkControlPlane},
    {5, "the list index answers number filters", kV5NumberIndexesGo},
    {6, "call uuids in any letter case", kV6CallUuidsInAnyCase},
    {7, "default country of accounts and trunks", kV7DefaultCountry},
    {8, "change feed: calls by account in id order, ids never reused", kV8ChangeFeed},
    {9, "index snapshot token", kV9IndexSnapshot},
    {10, "calls append-only: no unique uuid key, no end_time index", kV10AppendOnlyCalls},
    {11, "calls without the generated digits columns", kV11NoDigitsColumns},
    {12, "oauth grants' generation", kV12OAuthGeneration},
}};

// The version recorded in the database (0 for a new one). Call inside a transaction.
Result<int> current_version(Connection& conn) {
  ASSIGN_OR_RETURN(const std::int64_t version,
                   conn.query_int("SELECT COALESCE(MAX(version), 0) FROM schema_migrations"));
  return static_cast<int>(version);
}

}  // namespace

std::span<const Migration> migrations() { return kMigrations; }

int latest_schema_version() { return kMigrations.back().version; }

Status migrate(Connection& conn) {
  RETURN_IF_ERROR(
      conn.exec("CREATE TABLE IF NOT EXISTS schema_migrations ("
                " version INTEGER PRIMARY KEY,"
                " name TEXT NOT NULL,"
                " applied_at INTEGER NOT NULL) STRICT"));
  for (const Migration& m : kMigrations) {
    ASSIGN_OR_RETURN(Transaction tx, Transaction::begin(conn, Transaction::Kind::kWrite));
    // Read inside the write transaction: another process may have migrated meanwhile.
    ASSIGN_OR_RETURN(const int version, current_version(conn));
    if (version > latest_schema_version()) {
      return Status::IOError("sqlite: the database has schema version " + std::to_string(version) +
                             ", newer than this cdrd knows (" +
                             std::to_string(latest_schema_version()) + ")");
    }
    if (version >= m.version) continue;  // applied before; the transaction rolls back (no-op)
    if (version != m.version - 1) {
      return Status::Internal("sqlite: migration " + std::to_string(m.version) +
                              " follows version " + std::to_string(version));
    }
    for (std::string_view sql : m.statements) {
      if (Status s = conn.exec(std::string(sql)); !s.ok()) {
        return Status::IOError("migration " + std::to_string(m.version) + ": " + s.message());
      }
    }
    RETURN_IF_ERROR(
        conn.run("INSERT INTO schema_migrations(version, name, applied_at) VALUES (?, ?, ?)",
                 m.version, m.name, system_now()));
    RETURN_IF_ERROR(conn.exec("PRAGMA user_version=" + std::to_string(m.version)));
    RETURN_IF_ERROR(tx.commit());
  }
  return Status::Ok();
}

}  // namespace cdrd::sqlite
