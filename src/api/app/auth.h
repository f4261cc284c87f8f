// Authenticator: HTTP Basic authentication of customer accounts (auth_id:auth_token).
// Only the SHA-256 of a token is stored; the comparison of hashes takes constant time.
// Accounts are cached in memory after a lookup for at most `max_age` (ApiSettings::
// auth_cache_ms, `--auth-cache-ms`): a token reset (`cdrd account reset-token`, on this node or
// any node of a shared control plane) stops the old token here within that time, and a token
// that does not match the cached hash is looked up again at once (so a new token works at once).
// A failed lookup is never cached; the store being down answers its error (503), also for an
// account cached earlier than `max_age`.
// The token last seen to match a cached account's hash is kept with that cached entry, and a
// request that presents the same token while the entry is fresh is accepted without hashing
// it again (a constant-time comparison of the tokens instead of SHA-256): it is accepted
// exactly when the hash would match, and it goes when the entry is read again or dropped.
// Thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "core/account.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "core/mutex.h"
#include "core/status.h"
#include "store/call_store.h"

namespace cdrd::api {

class Authenticator {
 public:
  // max_age <= 0: every request reads the store.
  explicit Authenticator(AccountStore& accounts, Micros max_age = 5 * kMicrosPerSecond,
                         Clock clock = {})
      : accounts_(accounts), max_age_(max_age), clock_(std::move(clock)) {}

  // The account of an "Authorization: Basic ..." header value, or kUnauthenticated with a
  // reason fit for the client (never saying whether the auth_id exists), or kIOError.
  Result<Account> authenticate_basic(std::string_view authorization_header) EXCLUDES(mu_);

 private:
  Result<std::optional<Account>> lookup(const std::string& auth_id) EXCLUDES(mu_);

  struct Cached {
    Account account;
    Micros read_at = 0;
    std::string verified_token;  // a token whose SHA-256 is account.token_hash, or ""
  };
  // The cached account of auth_id when it is fresh and `token` is its verified token.
  std::optional<Account> verified(const std::string& auth_id, std::string_view token, Micros now)
      EXCLUDES(mu_);
  // Keeps `token` as auth_id's verified token if the entry still holds `token_hash`.
  void remember_verified(const std::string& auth_id, std::string_view token,
                         const std::string& token_hash) EXCLUDES(mu_);

  AccountStore& accounts_;
  const Micros max_age_;
  const Clock clock_;
  SharedMutex mu_;
  std::unordered_map<std::string, Cached> cache_ GUARDED_BY(mu_);
};

using cdrd::base64_decode;  // core/crypto.h

}  // namespace cdrd::api
