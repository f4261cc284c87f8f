#include "api/pbx/pbx.h"
#include "core/crypto.h"

namespace cdrd::api::pbx {

std::optional<TokenGrant> token_grant(const ApiContext& ctx, OAuthStore& oauth,
                                      const http::HttpRequest& request) {
  std::string_view header = request.header("authorization");
  while (!header.empty() && (header.front() == ' ' || header.front() == '\t'))
    header.remove_prefix(1);
  if (header.size() < 8) return std::nullopt;
  std::string scheme(header.substr(0, 7));
  for (char& c : scheme) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  if (scheme != "bearer ") return std::nullopt;
  std::string_view token = header.substr(7);
  while (!token.empty() && (token.front() == ' ' || token.front() == '\t')) token.remove_prefix(1);
  while (!token.empty() && (token.back() == ' ' || token.back() == '\t')) token.remove_suffix(1);
  const Result<std::optional<TokenGrant>> grant = oauth.find_token(sha256_hex(token));
  if (!grant.ok() || !*grant || (*grant)->revoked || (*grant)->expires_at <= ctx.now()) {
    return std::nullopt;
  }
  return **grant;
}

std::optional<std::int64_t> token_account(const ApiContext& ctx, OAuthStore& oauth,
                                          const http::HttpRequest& request) {
  const std::optional<TokenGrant> grant = token_grant(ctx, oauth, request);
  if (!grant) return std::nullopt;
  return grant->account_id;
}

}  // namespace cdrd::api::pbx
