#include "store/sqlite/sqlite_oauth_store.h"

#include <utility>

#include "core/clock.h"

namespace cdrd {

using sqlite::Connection;
using sqlite::Statement;

namespace {

const std::string kSelectApp =
    "SELECT id, client_id, account_id, secret_hash, revoked, created_at FROM oauth_apps ";

// One reader per SELECT, in its column order (as in the other sqlite stores).
OAuthApp read_app(const Statement& st) {
  OAuthApp a;
  a.id = st.int64(0);
  a.client_id = st.text(1);
  a.account_id = st.int64(2);
  a.secret_hash = st.text(3);
  a.revoked = st.int64(4) != 0;
  a.created_at = st.int64(5);
  return a;
}

TokenGrant read_grant(const Statement& st) {
  TokenGrant g;
  g.account_id = st.int64(0);
  g.client_id = st.text(1);
  g.expires_at = st.int64(2);
  g.revoked = st.int64(3) != 0;
  g.app_id = st.int64(4);
  return g;
}

}  // namespace

Result<OAuthApp> SqliteOAuthStore::create_app(std::int64_t account_id, const std::string& client_id,
                                              const std::string& secret_hash) {
  OAuthApp a;
  a.client_id = client_id;
  a.account_id = account_id;
  a.secret_hash = secret_hash;
  a.created_at = system_now();
  return db_.with_writer([&](Connection& c) -> Result<OAuthApp> {
    if (Status s = c.run("INSERT INTO oauth_apps (client_id, account_id, secret_hash, revoked, "
                         "created_at) VALUES (?, ?, ?, 0, ?)",
                         a.client_id, a.account_id, a.secret_hash, a.created_at);
        !s.ok()) {
      const int code = sqlite3_extended_errcode(c.handle());
      if (code == SQLITE_CONSTRAINT_UNIQUE) {
        return Status::Conflict("client_id " + client_id + " is already taken");
      }
      if (code == SQLITE_CONSTRAINT_FOREIGNKEY) {
        return Status::NotFound("no account with id " + std::to_string(account_id));
      }
      return s;
    }
    a.id = c.last_insert_rowid();
    return a;
  });
}

Result<std::optional<OAuthApp>> SqliteOAuthStore::find_app(std::string_view client_id) {
  static const std::string sql = kSelectApp + "WHERE client_id = ?";
  return db_.with_reader([&](Connection& c) { return c.query_one(sql, read_app, client_id); });
}

Result<std::vector<OAuthApp>> SqliteOAuthStore::list_apps(std::int64_t account_id) {
  static const std::string sql = kSelectApp + "WHERE account_id = ? ORDER BY id";
  return db_.with_reader([&](Connection& c) { return c.query_all(sql, read_app, account_id); });
}

Status SqliteOAuthStore::revoke_app(std::string_view client_id) {
  return db_.with_writer([&](Connection& c) -> Status {
    RETURN_IF_ERROR(c.run("UPDATE oauth_apps SET revoked = 1 WHERE client_id = ?", client_id));
    if (c.changes() == 0) {
      return Status::NotFound("no app has client_id " + std::string(client_id));
    }
    return Status::Ok();
  });
}

Status SqliteOAuthStore::add_token(const std::string& token_hash, std::int64_t app_id,
                                   Micros expires_at, Micros now) {
  return db_.write_transaction([&](Connection& c) -> Status {
    RETURN_IF_ERROR(c.run("DELETE FROM oauth_tokens WHERE expires_at <= ?", now));
    // Room for the new token: the app keeps at most kMaxLiveTokensPerApp live ones.
    RETURN_IF_ERROR(c.run(
        "DELETE FROM oauth_tokens WHERE token_hash IN (SELECT token_hash FROM oauth_tokens "
        "WHERE app_id = ?1 ORDER BY expires_at, token_hash LIMIT max(0, (SELECT COUNT(*) FROM "
        "oauth_tokens WHERE app_id = ?1) - ?2))",
        app_id, kMaxLiveTokensPerApp - 1));
    return c.run("INSERT INTO oauth_tokens (token_hash, app_id, expires_at) VALUES (?, ?, ?)",
                 token_hash, app_id, expires_at);
  });
}

std::optional<std::int64_t> SqliteOAuthStore::data_version() {
  if (!watcher_ && !watcher_failed_) {
    sqlite::ConnectionOptions co;
    co.read_only = true;
    co.cache_kib = 64;
    Result<std::unique_ptr<Connection>> opened = Connection::open(db_.path(), co);
    if (opened.ok()) {
      watcher_ = std::move(*opened);
    } else {
      watcher_failed_ = true;  // every lookup reads the table, as without the cache
    }
  }
  if (!watcher_) return std::nullopt;
  Result<std::int64_t> version = watcher_->query_int("PRAGMA data_version");
  if (!version.ok()) return std::nullopt;
  return *version;
}

std::optional<std::int64_t> SqliteOAuthStore::generation() {
  if (!watcher_) return std::nullopt;
  Result<std::int64_t> n = watcher_->query_int("SELECT n FROM oauth_generation WHERE id = 1");
  if (!n.ok()) return std::nullopt;
  return *n;
}

SqliteOAuthStore::CacheStats SqliteOAuthStore::cache_stats() {
  MutexLock lock(&cache_mu_);
  return stats_;
}

Result<std::optional<TokenGrant>> SqliteOAuthStore::find_token(std::string_view token_hash) {
  // The generation the grant read below may be kept under (-1: it is not kept).
  std::int64_t keep_under = -1;
  {
    MutexLock lock(&cache_mu_);
    const std::optional<std::int64_t> version = data_version();
    if (!version || *version != cached_version_) {
      // Something committed: a change to an app or a token only if the generation moved
      // (read after the version, so it counts at least every commit the version does).
      const std::optional<std::int64_t> gen = version ? generation() : std::nullopt;
      if (!gen || *gen != cached_generation_) {
        grants_.clear();
        if (gen && cached_generation_ != -1) ++stats_.generation_changes;
        cached_generation_ = gen.value_or(-1);
      }
      cached_version_ = gen ? *version : -1;
    }
    if (cached_generation_ != -1) {
      const auto it = grants_.find(std::string(token_hash));
      if (it != grants_.end()) return std::optional<TokenGrant>(it->second);
      keep_under = cached_generation_;
    }
    ++stats_.table_reads;
  }
  Result<std::optional<TokenGrant>> grant = db_.with_reader([&](Connection& c) {
    return c.query_one(
        "SELECT a.account_id, a.client_id, t.expires_at, a.revoked, a.id FROM oauth_tokens t "
        "JOIN oauth_apps a ON a.id = t.app_id WHERE t.token_hash = ?",
        read_grant, token_hash);
  });
  // Kept under the generation read before the lookup: the read saw every change it counts (and
  // perhaps later ones, which move it and empty the cache at the next lookup anyway).
  if (keep_under != -1 && grant.ok() && grant->has_value()) {
    MutexLock lock(&cache_mu_);
    if (cached_generation_ == keep_under) {
      if (grants_.size() >= kMaxCachedGrants) grants_.clear();
      grants_.emplace(std::string(token_hash), **grant);
    }
  }
  return grant;
}

}  // namespace cdrd
