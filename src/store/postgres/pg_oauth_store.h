// PgOAuthStore: the OAuthStore (store/oauth_store.h) kept in the oauth_apps and oauth_tokens
// tables of the PostgreSQL control plane (pg_database.h): a token issued through one node is
// honoured by every node, and revoking an app ends its tokens on all of them at once. The
// per-app quota of live tokens is kept inside one serializable transaction.
//
// Errors: as SqliteOAuthStore (kNotFound for an unknown account or client_id, kConflict for a
// taken client_id), kUnavailable while PostgreSQL cannot be reached. Thread-safety: safe for
// concurrent use; the Database must outlive it.
#pragma once

#include "store/oauth_store.h"
#include "store/postgres/pg_database.h"

namespace cdrd::postgres {

class PgOAuthStore final : public OAuthStore {
 public:
  explicit PgOAuthStore(Database& db) : db_(db) {}

  Result<OAuthApp> create_app(std::int64_t account_id, const std::string& client_id,
                              const std::string& secret_hash) override;
  Result<std::optional<OAuthApp>> find_app(std::string_view client_id) override;
  Result<std::vector<OAuthApp>> list_apps(std::int64_t account_id) override;
  Status revoke_app(std::string_view client_id) override;
  Status add_token(const std::string& token_hash, std::int64_t app_id, Micros expires_at,
                   Micros now) override;
  Result<std::optional<TokenGrant>> find_token(std::string_view token_hash) override;

 private:
  Database& db_;
};

}  // namespace cdrd::postgres
