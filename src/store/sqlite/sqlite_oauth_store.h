// SqliteOAuthStore: the OAuthStore (store/oauth_store.h) kept in a sqlite::Database
// (database.h): the oauth_apps and oauth_tokens tables of migration 3.
//
// Errors: kConflict for a taken client_id, kNotFound for an unknown account (create_app) or
// client_id (revoke_app), kIOError for storage failures. Thread-safety: safe for concurrent use;
// the Database must outlive it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/oauth_store.h"
#include "store/sqlite/database.h"

namespace cdrd {

class SqliteOAuthStore final : public OAuthStore {
 public:
  explicit SqliteOAuthStore(sqlite::Database& db) : db_(db) {}

  Result<OAuthApp> create_app(std::int64_t account_id, const std::string& client_id,
                              const std::string& secret_hash) override;
  Result<std::optional<OAuthApp>> find_app(std::string_view client_id) override;
  Result<std::vector<OAuthApp>> list_apps(std::int64_t account_id) override;
  Status revoke_app(std::string_view client_id) override;
  Status add_token(const std::string& token_hash, std::int64_t app_id, Micros expires_at,
                   Micros now) override;
  Result<std::optional<TokenGrant>> find_token(std::string_view token_hash) override;

 private:
  sqlite::Database& db_;
};

}  // namespace cdrd
