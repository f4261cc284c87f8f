#include "api/app/auth.h"

#include <algorithm>

#include "core/crypto.h"

namespace cdrd::api {

Result<std::optional<Account>> Authenticator::lookup(const std::string& auth_id) {
  const Micros now = now_from(clock_);
  if (max_age_ > 0) {
    ReaderLock lock(&mu_);
    auto it = cache_.find(auth_id);
    if (it != cache_.end() && now - it->second.read_at < max_age_ && now >= it->second.read_at) {
      return std::optional<Account>(it->second.account);
    }
  }
  auto found = accounts_.find_account_by_auth_id(auth_id);
  WriterLock lock(&mu_);
  if (!found.ok() || !found.value() || max_age_ <= 0) {
    cache_.erase(auth_id);  // gone, or unknown now: not kept
    return found;
  }
  cache_[auth_id] = Cached{*found.value(), now, {}};  // a token verified again from here
  return found;
}

std::optional<Account> Authenticator::verified(const std::string& auth_id, std::string_view token,
                                               Micros now) {
  if (max_age_ <= 0 || token.empty()) return std::nullopt;
  ReaderLock lock(&mu_);
  auto it = cache_.find(auth_id);
  if (it == cache_.end() || !(now - it->second.read_at < max_age_ && now >= it->second.read_at)) {
    return std::nullopt;
  }
  if (!constant_time_equals(token, it->second.verified_token)) return std::nullopt;
  return it->second.account;
}

void Authenticator::remember_verified(const std::string& auth_id, std::string_view token,
                                      const std::string& token_hash) {
  if (max_age_ <= 0) return;
  WriterLock lock(&mu_);
  auto it = cache_.find(auth_id);
  if (it != cache_.end() && it->second.account.token_hash == token_hash) {
    it->second.verified_token.assign(token);
  }
}

Result<Account> Authenticator::authenticate_basic(std::string_view header) {
  while (!header.empty() && (header.front() == ' ' || header.front() == '\t'))
    header.remove_prefix(1);
  while (!header.empty() && (header.back() == ' ' || header.back() == '\t'))
    header.remove_suffix(1);
  if (header.empty()) {
    return Status::Unauthenticated("authentication required: send HTTP Basic auth_id:auth_token");
  }
  // The scheme name is case-insensitive (RFC 9110 section 11.1), then one or more spaces.
  constexpr std::string_view kScheme = "basic";
  const bool basic =
      header.size() > kScheme.size() + 1 &&
      std::equal(kScheme.begin(), kScheme.end(), header.begin(),
                 [](char a, char b) {
                   return a == (b >= 'A' && b <= 'Z' ? static_cast<char>(b - 'A' + 'a') : b);
                 }) &&
      (header[kScheme.size()] == ' ' || header[kScheme.size()] == '\t');
  if (!basic) {
    return Status::Unauthenticated("authentication failed: expected HTTP Basic credentials");
  }
  std::string_view credentials = header.substr(kScheme.size());
  while (!credentials.empty() && (credentials.front() == ' ' || credentials.front() == '\t')) {
    credentials.remove_prefix(1);
  }
  auto decoded = base64_decode(credentials);
  const auto colon = decoded ? decoded->find(':') : std::string::npos;
  if (!decoded || colon == std::string::npos) {
    return Status::Unauthenticated("authentication failed: malformed Basic credentials");
  }
  const std::string auth_id = decoded->substr(0, colon);
  const std::string_view token = std::string_view(*decoded).substr(colon + 1);
  if (std::optional<Account> known = verified(auth_id, token, now_from(clock_))) return *known;
  const std::string token_hash = sha256_hex(token);
  auto found = lookup(auth_id);
  if (!found.ok()) return found.status();
  // Compare against a hash even when the account is unknown, so timing does not tell.
  static const std::string kNoAccountHash(64, '0');
  const std::string& expected = found.value() ? found.value()->token_hash : kNoAccountHash;
  if (!constant_time_equals(token_hash, expected) || !found.value()) {
    // The token may have been changed through the CLI since it was cached: look once more.
    if (found.value()) {
      {
        WriterLock lock(&mu_);
        cache_.erase(auth_id);
      }
      auto fresh = lookup(auth_id);
      if (fresh.ok() && fresh.value() &&
          constant_time_equals(token_hash, fresh.value()->token_hash)) {
        remember_verified(auth_id, token, token_hash);
        return *fresh.value();
      }
    }
    return Status::Unauthenticated("authentication failed: wrong auth_id or auth_token");
  }
  remember_verified(auth_id, token, token_hash);
  return *found.value();
}

}  // namespace cdrd::api
