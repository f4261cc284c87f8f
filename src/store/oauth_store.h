// OAuthStore: the OAuth 2.0 client-credentials apps of the cloud-PBX API (docs/api-pbx.md) and
// the access tokens issued to them. Secrets and tokens are kept only as SHA-256 hex digests: a
// leaked database gives no usable credential (both are 40+ random characters, so a fast hash is
// enough). Revoking an app ends every token it was issued at once.
//
// Thread-safety: implementations are safe for concurrent use from many threads. Errors are
// Status values, never exceptions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "core/time.h"

namespace cdrd {

struct OAuthApp {
  std::int64_t id = 0;
  std::string client_id;  // public identifier, sent by the app with its secret
  std::int64_t account_id = 0;
  std::string secret_hash;  // sha256_hex of the client_secret
  bool revoked = false;
  Micros created_at = 0;
};

// An app holds at most this many live (unexpired) tokens: issuing one more drops the one that
// expires first (with one token lifetime, the oldest), so a client that asks for a token on
// every request cannot grow the table without bound.
constexpr int kMaxLiveTokensPerApp = 20;

// What a presented access token grants, when it is known.
struct TokenGrant {
  std::int64_t account_id = 0;
  std::string client_id;
  Micros expires_at = 0;
  bool revoked = false;     // its app was revoked
  std::int64_t app_id = 0;  // OAuthApp::id
};

class OAuthStore {
 public:
  virtual ~OAuthStore() = default;

  // kNotFound when the account does not exist; kConflict when client_id is taken.
  virtual Result<OAuthApp> create_app(std::int64_t account_id, const std::string& client_id,
                                      const std::string& secret_hash) = 0;
  virtual Result<std::optional<OAuthApp>> find_app(std::string_view client_id) = 0;
  // Oldest first.
  virtual Result<std::vector<OAuthApp>> list_apps(std::int64_t account_id) = 0;
  // Marks the app revoked (its tokens stop working). kNotFound when no app has that client_id.
  virtual Status revoke_app(std::string_view client_id) = 0;

  // Records a token issued to the app, valid until `expires_at` (exclusive). Tokens that
  // expired before `now` are dropped on the way, and so are the app's live tokens that expire
  // first when it already has kMaxLiveTokensPerApp (they stop working at once).
  virtual Status add_token(const std::string& token_hash, std::int64_t app_id, Micros expires_at,
                           Micros now) = 0;
  virtual Result<std::optional<TokenGrant>> find_token(std::string_view token_hash) = 0;
};

}  // namespace cdrd
