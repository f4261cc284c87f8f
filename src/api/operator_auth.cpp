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
  return r;
}

// The operator key of "Authorization: Bearer KEY", or nullopt when there is none.
std::optional<std::string_view> bearer_token(const http::HttpRequest& request) {
  const std::string_view value = trim_blanks(request.header("authorization"));
  constexpr std::string_view kScheme = "bearer";
  if (value.size() <= kScheme.size()) return std::nullopt;
  for (std::size_t i = 0; i < kScheme.size(); ++i) {
    if (ascii_lower(value[i]) != kScheme[i]) return std::nullopt;
  }
  if (value[kScheme.size()] != ' ' && value[kScheme.size()] != '\t') return std::nullopt;
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
  const std::optional<std::string_view> key = bearer_token(request);
  if (!key) return unauthorized("missing operator key: send Authorization: Bearer KEY");
  if (!constant_time_equals(*key, ctx.settings.operator_key)) {
    return unauthorized("wrong operator key");
  }
  return std::nullopt;
}

}  // namespace cdrd::api
