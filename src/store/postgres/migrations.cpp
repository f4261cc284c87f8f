// The PostgreSQL schema of the control plane: the tables of the sqlite store's migrations 1-4
// and 7 that are not calls (accounts, rate decks and rating settings, OAuth apps and tokens, the
// trunk control plane, default countries), with the same keys, uniqueness, references and
// checks, in PostgreSQL's types (docs/scale-out.md says why each differs):
//   ids          BIGINT GENERATED ALWAYS AS IDENTITY: one sequence every node draws from, so
//                "oldest first" / "newest first" is id order as on SQLite
//   times        BIGINT microseconds since the Unix epoch, UTC
//   money        BIGINT count of 1/100000 units (Money::units)
//   booleans     BOOLEAN
//   enums        TEXT in their API spelling (direction inbound|outbound, trunk status
//                enabled|disabled) with a CHECK: readable by an operator with psql
//   secrets      origination_uris.password: '' or sealed "v1:..." (core/secret_box.h) under the
//                key whose fingerprint control_secret_key holds (migration 6)
#include "store/postgres/migrations.h"

#include <array>

namespace cdrd::postgres {
namespace {

const std::vector<std::string_view> kV1Accounts = {
    R"sql(
CREATE TABLE accounts (
  id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  auth_id     TEXT NOT NULL UNIQUE,
  name        TEXT NOT NULL,
  token_hash  TEXT NOT NULL,
  created_at  BIGINT NOT NULL
))sql",
    "CREATE INDEX accounts_by_name ON accounts(name, id)",
};

// rate_deck_rows.effective_from is INT64_MIN (kSinceBeginning) for a row in force since the
// beginning; account_rating.version rises with every change to the deck or the settings.
const std::vector<std::string_view> kV2Rating = {
    R"sql(
CREATE TABLE rate_deck_rows (
  account_id            BIGINT NOT NULL REFERENCES accounts(id),
  direction             TEXT NOT NULL CHECK (direction IN ('inbound', 'outbound')),
  prefix                TEXT NOT NULL,
  effective_from        BIGINT NOT NULL,
  rate                  BIGINT NOT NULL CHECK (rate >= 0),
  initial_increment     INTEGER NOT NULL CHECK (initial_increment BETWEEN 1 AND 86400),
  subsequent_increment  INTEGER NOT NULL CHECK (subsequent_increment BETWEEN 1 AND 86400),
  PRIMARY KEY (account_id, direction, prefix, effective_from)
))sql",
    R"sql(
CREATE TABLE account_rating (
  account_id            BIGINT PRIMARY KEY REFERENCES accounts(id),
  secure_trunking_rate  BIGINT NOT NULL DEFAULT 0 CHECK (secure_trunking_rate >= 0),
  always_rerate         BOOLEAN NOT NULL DEFAULT false,
  version               BIGINT NOT NULL
))sql",
};

const std::vector<std::string_view> kV3OAuth = {
    R"sql(
CREATE TABLE oauth_apps (
  id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  client_id    TEXT NOT NULL UNIQUE,
  account_id   BIGINT NOT NULL REFERENCES accounts(id),
  secret_hash  TEXT NOT NULL,
  revoked      BOOLEAN NOT NULL,
  created_at   BIGINT NOT NULL
))sql",
    "CREATE INDEX oauth_apps_by_account ON oauth_apps(account_id, id)",
    R"sql(
CREATE TABLE oauth_tokens (
  token_hash   TEXT PRIMARY KEY,
  app_id       BIGINT NOT NULL REFERENCES oauth_apps(id),
  expires_at   BIGINT NOT NULL
))sql",
    "CREATE INDEX oauth_tokens_by_expiry ON oauth_tokens(expires_at)",
    // The per-app quota finds an app's tokens that expire first.
    "CREATE INDEX oauth_tokens_by_app ON oauth_tokens(app_id, expires_at, token_hash)",
};

// A trunk refers to its list, credential and URIs by uuid; the foreign keys keep a used one
// from being deleted underneath it (the store refuses first, naming the trunk).
const std::vector<std::string_view> kV4TrunkControlPlane = {
    R"sql(
CREATE TABLE ip_acls (
  id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account_id  BIGINT NOT NULL REFERENCES accounts(id),
  ipacl_uuid  TEXT NOT NULL UNIQUE,
  name        TEXT NOT NULL,
  created_at  BIGINT NOT NULL
))sql",
    "CREATE INDEX ip_acls_by_account ON ip_acls(account_id, id)",
    R"sql(
CREATE TABLE ip_acl_entries (
  acl_id    BIGINT NOT NULL REFERENCES ip_acls(id) ON DELETE CASCADE,
  position  INTEGER NOT NULL,
  entry     TEXT NOT NULL,
  PRIMARY KEY (acl_id, position)
))sql",
    R"sql(
CREATE TABLE credentials (
  id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account_id       BIGINT NOT NULL REFERENCES accounts(id),
  credential_uuid  TEXT NOT NULL UNIQUE,
  name             TEXT NOT NULL,
  username         TEXT NOT NULL,
  realm            TEXT NOT NULL,
  ha1              TEXT NOT NULL,
  created_at       BIGINT NOT NULL,
  UNIQUE (account_id, username)
))sql",
    "CREATE INDEX credentials_by_account ON credentials(account_id, id)",
    R"sql(
CREATE TABLE origination_uris (
  id                     BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account_id             BIGINT NOT NULL REFERENCES accounts(id),
  uri_uuid               TEXT NOT NULL UNIQUE,
  name                   TEXT NOT NULL,
  uri                    TEXT NOT NULL,
  authentication_needed  BOOLEAN NOT NULL,
  username               TEXT NOT NULL,
  password               TEXT NOT NULL,
  created_at             BIGINT NOT NULL
))sql",
    "CREATE INDEX origination_uris_by_account ON origination_uris(account_id, id)",
    R"sql(
CREATE TABLE trunks (
  id                 BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account_id         BIGINT NOT NULL REFERENCES accounts(id),
  trunk_id           TEXT NOT NULL UNIQUE,
  trunk_domain       TEXT NOT NULL,
  name               TEXT NOT NULL,
  status             TEXT NOT NULL CHECK (status IN ('enabled', 'disabled')),
  direction          TEXT NOT NULL CHECK (direction IN ('inbound', 'outbound')),
  secure             BOOLEAN NOT NULL,
  ipacl_uuid         TEXT REFERENCES ip_acls(ipacl_uuid),
  credential_uuid    TEXT REFERENCES credentials(credential_uuid),
  primary_uri_uuid   TEXT REFERENCES origination_uris(uri_uuid),
  fallback_uri_uuid  TEXT REFERENCES origination_uris(uri_uuid),
  created_at         BIGINT NOT NULL
))sql",
    "CREATE INDEX trunks_by_account ON trunks(account_id, id)",
    "CREATE INDEX trunks_by_ipacl ON trunks(ipacl_uuid)",
    "CREATE INDEX trunks_by_credential ON trunks(credential_uuid)",
    "CREATE INDEX trunks_by_primary_uri ON trunks(primary_uri_uuid)",
    "CREATE INDEX trunks_by_fallback_uri ON trunks(fallback_uri_uuid)",
};

// The default country of an account or a trunk (docs/ingest.md, "Numbers"); '' for none.
const std::vector<std::string_view> kV5DefaultCountry = {
    "ALTER TABLE accounts ADD COLUMN default_country TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE trunks ADD COLUMN default_country TEXT NOT NULL DEFAULT ''",
};

// The fingerprint of the key that seals the secrets (one row): every node must hold that key.
const std::vector<std::string_view> kV6SecretKey = {
    R"sql(
CREATE TABLE control_secret_key (
  one          BOOLEAN PRIMARY KEY DEFAULT true CHECK (one),
  fingerprint  TEXT NOT NULL,
  created_at   BIGINT NOT NULL
))sql",
};

const std::array<Migration, 6> kMigrations = {{
    {1, "accounts", kV1Accounts},
    {2, "rate decks and rating settings", kV2Rating},
    {3, "oauth apps and tokens", kV3OAuth},
    {4, "trunk control plane", kV4TrunkControlPlane},
    {5, "default country of accounts and trunks", kV5DefaultCountry},
    {6, "the fingerprint of the secret key", kV6SecretKey},
}};

}  // namespace

std::span<const Migration> migrations() { return kMigrations; }

int latest_schema_version() { return kMigrations.back().version; }

}  // namespace cdrd::postgres
