#include "api/operator_auth.h"

#include <string>

#include "api/errors.h"
#include "core/ascii.h"
#include "core/crypto.h"

namespace cdrd::api {
namespace {

http::HttpResponse unauthorized(std::string_view message) {
  http::HttpResponse r = error_response(401, message);
  r.headers.emplace_back("WWW-Authenticate", "Bearer");
  r.headers.emplace_back("WWW-Authenticate", "Basic realm=\"cdrd operator\"");
  return r;
}

// Whether `value` starts with the auth scheme `scheme` (lower case) and a blank.
bool has_scheme(std::string_view value, std::string_view scheme) {
  if (value.size() <= scheme.size()) return false;
  for (std::size_t i = 0; i < scheme.size(); ++i) {
    if (ascii_lower(value[i]) != scheme[i]) return false;
  }
  return value[scheme.size()] == ' ' || value[scheme.size()] == '\t';
}

// The key of "Authorization: Basic base64(operator:KEY)": nullopt when the header is not Basic,
// "" when the credentials are malformed or name another user (so they fail as a wrong key).
std::optional<std::string> basic_key(const http::HttpRequest& request) {
  const std::string_view value = trim_blanks(request.header("authorization"));
  if (!has_scheme(value, "basic")) return std::nullopt;
  const std::optional<std::string> decoded = base64_decode(trim_blanks(value.substr(5)));
  if (!decoded) return std::string();
  const std::size_t colon = decoded->find(':');
  if (colon == std::string::npos || std::string_view(*decoded).substr(0, colon) != kOperatorUser) {
    return std::string();
  }
  return decoded->substr(colon + 1);
}

// The operator key of "Authorization: Bearer KEY", or nullopt when there is none.
std::optional<std::string_view> bearer_token(const http::HttpRequest& request) {
  const std::string_view value = trim_blanks(request.header("authorization"));
  constexpr std::string_view kScheme = "bearer";
  if (!has_scheme(value, kScheme)) return std::nullopt;
  const std::string_view token = trim_blanks(value.substr(kScheme.size()));
  if (token.empty()) return std::nullopt;
  return token;
}

}  // namespace

std::optional<http::HttpResponse> check_operator_key(const ApiContext& ctx,
                                                     const http::HttpRequest& request,
                                                     std::string_view what) {
  if (ctx.settings.operator_key.empty()) {
    return error_response(403, std::string(what) + " is disabled: start cdrd with --operator-key");
  }
  if (const std::optional<std::string> basic = basic_key(request)) {
    if (basic->empty() || !constant_time_equals(*basic, ctx.settings.operator_key)) {
      return unauthorized("wrong operator credentials: send Basic operator:KEY");
    }
    return std::nullopt;
  }
  const std::optional<std::string_view> key = bearer_token(request);
  if (!key) {
    return unauthorized(
        "missing operator key: send Authorization: Bearer KEY (or Basic operator:KEY)");
  }
  if (!constant_time_equals(*key, ctx.settings.operator_key)) {
    return unauthorized("wrong operator key");
  }
  return std::nullopt;
}

}  // namespace cdrd::api
