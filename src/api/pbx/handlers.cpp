// The cloud-PBX handlers: the OAuth token endpoint, bearer authentication, and the calls /
// call_history routes.
#include <spdlog/spdlog.h>

#include <string>
#include <string_view>

#include "api/errors.h"
#include "api/pbx/pbx.h"
#include "core/ascii.h"
#include "core/crypto.h"
#include "core/json_writer.h"
#include "core/stage_times.h"
#include "http/url.h"

namespace cdrd::api::pbx {
namespace {

constexpr std::size_t kTokenLength = 48;
constexpr std::string_view kTokenAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

http::HttpResponse json(int status, std::string body) {
  return http::HttpResponse{status, "application/json", std::move(body), {}};
}

// The token endpoint's own errors: the RFC 6749 body, no caching, and a Basic challenge on 401.
http::HttpResponse oauth_error(int status, std::string_view error, std::string_view description) {
  http::HttpResponse r = oauth_error_response(status, error, description);
  r.headers.emplace_back("Pragma", "no-cache");
  if (status == 401) r.headers.emplace_back("WWW-Authenticate", "Basic realm=\"cdrd\"");
  return r;
}

// The account a bearer token grants, or the 401 to answer.
struct Authenticated {
  std::int64_t account_id = 0;
  TokenGrant grant;
  std::optional<http::HttpResponse> error;
};

Authenticated authenticate(const ApiContext& ctx, OAuthStore& oauth,
                           const http::HttpRequest& request, const TokenGrant* admitted) {
  Authenticated out;
  if (admitted != nullptr) {  // token_grant found it valid when the request was admitted
    out.account_id = admitted->account_id;
    out.grant = *admitted;
    return out;
  }
  const auto unauthorized = [&](std::string_view message, std::string_view error) {
    http::HttpResponse r = message_response(401, message);
    std::string challenge = "Bearer realm=\"cdrd\"";
    if (!error.empty()) challenge += ", error=\"" + std::string(error) + "\"";
    r.headers.emplace_back("WWW-Authenticate", challenge);
    out.error = std::move(r);
    return out;
  };
  const std::string_view header = trim_blanks(request.header("authorization"));
  if (header.empty()) {
    return unauthorized(
        "missing access token: send Authorization: Bearer TOKEN (POST "
        "/oauth/token gives one)",
        "");
  }
  if (header.size() < 7 || ascii_lower(header.substr(0, 7)) != "bearer ") {
    return unauthorized("unsupported authorization: send Authorization: Bearer TOKEN",
                        "invalid_request");
  }
  const std::string_view token = trim_blanks(header.substr(7));
  const Result<std::optional<TokenGrant>> grant = oauth.find_token(sha256_hex(token));
  if (!grant.ok()) {
    out.error = store_failure(grant.status(), "token lookup");
    return out;
  }
  if (!*grant) return unauthorized("invalid access token", "invalid_token");
  if ((*grant)->revoked) return unauthorized("access token revoked", "invalid_token");
  if ((*grant)->expires_at <= ctx.now())
    return unauthorized("access token expired", "invalid_token");
  out.account_id = (*grant)->account_id;
  out.grant = **grant;
  return out;
}

// The account of the path's {client_id}, or the response to answer.
std::optional<http::HttpResponse> check_client(std::int64_t account_id,
                                               const std::string& client_id) {
  if (client_id == "@me") return std::nullopt;
  bool digits = !client_id.empty() && client_id.size() <= 18;
  for (char c : client_id) digits = digits && c >= '0' && c <= '9';
  if (!digits) return message_response(404, "Not found");
  if (std::stoll(client_id) != account_id) {
    return message_response(403,
                            "Forbidden: the client_id in the path is not the token's "
                            "client (use its own id or @me)");
  }
  return std::nullopt;
}

}  // namespace

http::HttpResponse store_failure(const Status& s, std::string_view what) {
  if (s.code() == Status::Code::kUnavailable) {
    http::HttpResponse r = message_response(503, s.message());
    r.headers.emplace_back("Retry-After", "1");
    return r;
  }
  spdlog::error("pbx: {} failed: {}", what, s.message());
  return message_response(500, "internal error");
}

http::HttpResponse message_response(int status, std::string_view message) {
  JsonWriter w;
  w.start_object();
  w.string_member("message", message);
  w.end_object();
  return json(status, w.text());
}

http::HttpResponse oauth_error_response(int status, std::string_view error,
                                        std::string_view description) {
  JsonWriter w;
  w.start_object();
  w.string_member("error", error);
  w.string_member("error_description", description);
  w.end_object();
  http::HttpResponse r = json(status, w.text());
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

http::HttpResponse handle_token(const ApiContext& ctx, OAuthStore& oauth,
                                const http::HttpRequest& request) {
  const std::string_view content_type = request.header("content-type");
  const std::string media = http::media_type(content_type);
  if (media != "application/x-www-form-urlencoded") {
    return oauth_error(400, "invalid_request",
                       "send the parameters as application/x-www-form-urlencoded");
  }
  const std::optional<http::Params> form = http::parse_query(request.body);
  if (!form) return oauth_error(400, "invalid_request", "the form body is malformed");
  std::optional<std::string> grant_type, client_id, client_secret;
  for (const auto& [name, value] : *form) {
    std::optional<std::string>* slot = name == "grant_type"      ? &grant_type
                                       : name == "client_id"     ? &client_id
                                       : name == "client_secret" ? &client_secret
                                                                 : nullptr;
    if (!slot) continue;  // RFC 6749 3.2: unrecognised parameters are ignored
    if (*slot) return oauth_error(400, "invalid_request", name + " is given more than once");
    *slot = value;
  }
  // Client authentication may come as HTTP Basic instead of form fields (RFC 6749 2.3.1).
  const std::string_view auth = trim_blanks(request.header("authorization"));
  bool basic = false;
  if (auth.size() > 6 && ascii_lower(auth.substr(0, 6)) == "basic ") {
    const std::optional<std::string> pair = base64_decode(trim_blanks(auth.substr(6)));
    const std::size_t colon = pair ? pair->find(':') : std::string::npos;
    if (colon == std::string::npos) {
      return oauth_error(401, "invalid_client", "malformed Basic client credentials");
    }
    if (client_id || client_secret) {
      return oauth_error(400, "invalid_request",
                         "send the client credentials either as Basic auth or in the form, not "
                         "both");
    }
    client_id = http::percent_decode(pair->substr(0, colon), true).value_or("");
    client_secret = http::percent_decode(pair->substr(colon + 1), true).value_or("");
    basic = true;
  }
  if (!grant_type) return oauth_error(400, "invalid_request", "grant_type is required");
  if (*grant_type != "client_credentials") {
    return oauth_error(
        400, "unsupported_grant_type",
        "grant_type must be client_credentials, got '" + grant_type->substr(0, 64) + "'");
  }
  if (!client_id || client_id->empty()) {
    return oauth_error(basic ? 401 : 400, basic ? "invalid_client" : "invalid_request",
                       "client_id is required");
  }
  if (!client_secret || client_secret->empty()) {
    return oauth_error(basic ? 401 : 400, basic ? "invalid_client" : "invalid_request",
                       "client_secret is required");
  }
  const Result<std::optional<OAuthApp>> app = oauth.find_app(*client_id);
  if (!app.ok() && app.status().code() == Status::Code::kUnavailable) {
    http::HttpResponse r = oauth_error(503, "temporarily_unavailable", app.status().message());
    r.headers.emplace_back("Retry-After", "1");
    return r;
  }
  if (!app.ok()) {
    spdlog::error("oauth: app lookup failed: {}", app.status().message());
    return oauth_error(500, "server_error", "internal error");
  }
  // One answer for an unknown client, a wrong secret and a revoked app: nothing to probe.
  const std::string presented = sha256_hex(*client_secret);
  const bool secret_ok =
      *app && constant_time_equals(presented, (*app)->secret_hash) && !(*app)->revoked;
  if (!secret_ok) {
    return oauth_error(401, "invalid_client", "unknown client, wrong secret or revoked app");
  }
  const std::string token = random_string(kTokenLength, kTokenAlphabet);
  const Micros now = ctx.now();
  const std::int64_t ttl = ctx.settings.token_ttl_seconds;
  if (Status s = oauth.add_token(sha256_hex(token), (*app)->id, now + ttl * kMicrosPerSecond, now);
      !s.ok()) {
    spdlog::error("oauth: storing a token failed: {}", s.message());
    return oauth_error(500, "server_error", "internal error");
  }
  JsonWriter w;
  w.start_object();
  w.string_member("access_token", token);
  w.string_member("token_type", "bearer");
  w.int_member("expires_in", ttl);
  w.end_object();
  http::HttpResponse r = json(200, w.text());
  r.headers.emplace_back("Cache-Control", "no-store");
  r.headers.emplace_back("Pragma", "no-cache");
  return r;
}

http::HttpResponse list_calls(const ApiContext& ctx, OAuthStore& oauth,
                              const http::HttpRequest& request, const std::string& client_id,
                              bool with_legs, const TokenGrant* admitted) {
  Authenticated who = authenticate(ctx, oauth, request, admitted);
  if (who.error) return *who.error;
  if (auto r = check_client(who.account_id, client_id)) return *r;
  Result<CallQuery> query =
      parse_list_options(request.query, who.account_id, ctx.retention_floor());
  if (!query.ok()) return message_response(400, query.status().message());
  stages::ListTiming timing(stages::ListApi::kPbx);  // the store times its stages in it
  const Result<Page<CallRecord>> page = ctx.calls.list_calls(*query);
  if (!page.ok()) return store_failure(page.status(), "listing calls");
  stages::ListTimer rendering(stages::ListStage::kRender);
  return json(200, render_list(page->rows, with_legs, *query));
}

bool list_is_bounded(const ApiContext& ctx, const http::HttpRequest& request,
                     const std::string& client_id, std::int64_t account_id) {
  if (check_client(account_id, client_id)) return true;  // answered without a list
  const Result<CallQuery> query =
      parse_list_options(request.query, account_id, ctx.retention_floor());
  return !query.ok() || ctx.calls.list_is_bounded(*query);
}

http::HttpResponse get_call_history(const ApiContext& ctx, OAuthStore& oauth,
                                    const http::HttpRequest& request, const std::string& client_id,
                                    const std::string& call_uuid, const TokenGrant* admitted) {
  Authenticated who = authenticate(ctx, oauth, request, admitted);
  if (who.error) return *who.error;
  if (auto r = check_client(who.account_id, client_id)) return *r;
  if (!request.query.empty()) {
    return message_response(400, "unknown option '" + request.query.front().first.substr(0, 64) +
                                     "': a single call takes no options");
  }
  const Result<std::optional<CallRecord>> call =
      ctx.calls.find_call(who.account_id, call_uuid, ctx.retention_floor());
  if (!call.ok()) return store_failure(call.status(), "reading a call");
  if (!*call) return message_response(404, "Not found");
  return json(200, render_call(**call, true));
}

http::HttpResponse get_call_legs(const ApiContext& ctx, const Account& account,
                                 std::string_view call_uuid) {
  const Result<CallRecord> call = ctx.find_call(account.id, call_uuid);
  if (!call.ok()) return error_response(call.status());
  return json(200, render_legs(*call, new_uuid_v4()));
}

http::HttpResponse get_user(const ApiContext& ctx, OAuthStore& oauth,
                            const http::HttpRequest& request, const TokenGrant* admitted) {
  Authenticated who = authenticate(ctx, oauth, request, admitted);
  if (who.error) return *who.error;
  if (!request.query.empty()) {
    return message_response(400, "unknown option '" + request.query.front().first.substr(0, 64) +
                                     "': user/ takes no options");
  }
  // The provider's user resource, for the one kind of user cdrd has: an app of a client
  // (docs/api-pbx.md, "Who am I").
  JsonWriter w;
  w.start_object();
  w.int_member("id", who.grant.app_id);
  w.string_member("login", who.grant.client_id);
  w.bool_member("admin", false);
  w.null_member("dealer_id");
  w.int_member("client_id", who.account_id);
  w.null_member("extension_group_id");
  w.null_member("extension_id");
  w.string_member("timezone", "UTC");
  w.string_member("access", "read_only");
  w.null_member("extra_params");
  w.end_object();
  return json(200, w.text());
}

}  // namespace cdrd::api::pbx
