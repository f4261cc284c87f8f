// SqliteOAuthStore: the OAuthStore (store/oauth_store.h) kept in a sqlite::Database
// (database.h): the oauth_apps and oauth_tokens tables of migration 3.
//
// find_token answers from memory what it read before while no grant it keeps has changed since:
// it keeps the grants it found (known tokens only, at most kMaxCachedGrants) together with the
// OAuth generation (migration 12: a counter that triggers move on every update or delete of an
// app or a token, by any program) it read. It looks at the generation only when `PRAGMA
// data_version` of a connection of its own moved (any other connection, of this process or
// another, committed: `cdrd app revoke`, but mostly ingest), and a changed generation empties
// the cache before the lookup. So a token revoked or dropped is seen by the very next lookup, a
// commit that changes no app or token (ingest's) keeps the cache, and a lookup on a quiet
// database costs one pragma instead of a join (docs/architecture.md, "The per-request path").
// Expiry is the caller's to check (TokenGrant::expires_at).
//
// Errors: kConflict for a taken client_id, kNotFound for an unknown account (create_app) or
// client_id (revoke_app), kIOError for storage failures. Thread-safety: safe for concurrent use;
// the Database must outlive it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/mutex.h"

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

  // Grants kept at most; past it the cache starts over.
  static constexpr std::size_t kMaxCachedGrants = 4096;

  // Lookups that read the tables (not answered from memory), and times the cache was emptied
  // because the generation moved, since construction: for tests and the benchmark.
  struct CacheStats {
    std::uint64_t table_reads = 0, generation_changes = 0;
  };
  CacheStats cache_stats() EXCLUDES(cache_mu_);

 private:
  // PRAGMA data_version of watcher_ (opened on first use), or nullopt when it cannot be read:
  // then nothing is cached.
  std::optional<std::int64_t> data_version() REQUIRES(cache_mu_);
  // The OAuth generation (oauth_generation.n) read on watcher_, or nullopt when it cannot be
  // read: then nothing is cached.
  std::optional<std::int64_t> generation() REQUIRES(cache_mu_);

  sqlite::Database& db_;
  Mutex cache_mu_;
  std::unique_ptr<sqlite::Connection> watcher_ GUARDED_BY(cache_mu_);
  bool watcher_failed_ GUARDED_BY(cache_mu_) = false;
  std::int64_t cached_version_ GUARDED_BY(cache_mu_) = -1;
  // The generation the kept grants were read under (-1: none, nothing kept).
  std::int64_t cached_generation_ GUARDED_BY(cache_mu_) = -1;
  CacheStats stats_ GUARDED_BY(cache_mu_);
  std::unordered_map<std::string, TokenGrant> grants_ GUARDED_BY(cache_mu_);
};

}  // namespace cdrd
