// Authenticator: HTTP Basic authentication of customer accounts (auth_id:auth_token).
// Only the SHA-256 of a token is stored; the comparison of hashes takes constant time.
// Accounts are cached in memory after their first lookup (tokens change only through the CLI,
// which a running server sees on its next cache miss or restart: see docs/operations.md).
// Thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/account.h"
#include "core/crypto.h"
#include "core/mutex.h"
#include "core/status.h"
#include "store/call_store.h"

namespace cdrd::api {

class Authenticator {
 public:
  explicit Authenticator(AccountStore& accounts) : accounts_(accounts) {}

  // The account of an "Authorization: Basic ..." header value, or kUnauthenticated with a
  // reason fit for the client (never saying whether the auth_id exists), or kIOError.
  Result<Account> authenticate_basic(std::string_view authorization_header) EXCLUDES(mu_);

 private:
  Result<std::optional<Account>> lookup(const std::string& auth_id) EXCLUDES(mu_);

  AccountStore& accounts_;
  SharedMutex mu_;
  std::unordered_map<std::string, Account> cache_ GUARDED_BY(mu_);
};

using cdrd::base64_decode;  // core/crypto.h

}  // namespace cdrd::api
