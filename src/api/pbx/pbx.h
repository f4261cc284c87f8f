// The cloud-PBX calls API (seed 002, docs/api-pbx.md), served under /api/ver1.0 with OAuth 2.0
// client-credentials tokens:
//
//   POST /oauth/token                                   handle_token: client credentials -> token
//   GET  /api/ver1.0/client/{client_id}/calls/           list_calls: calls without legs
//   GET  /api/ver1.0/client/{client_id}/call_history/    list_call_history: calls with `cdr` legs
//   GET  /api/ver1.0/client/{client_id}/call_history/{call_uuid}   get_call_history
//   GET  /api/ver1.0/user/                               get_user: who the token is
//
// {client_id} is the account's numeric client id (its internal account id, shown as
// client_owner_id) or "@me". Errors are {"message":"..."}; the token endpoint answers the
// RFC 6749 error bodies. The handlers parse the request into a typed query, ask the stores, and
// render a view. Pure functions apart from the store calls; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "api/context.h"
#include "core/call_query.h"
#include "core/call_record.h"
#include "core/status.h"
#include "http/message.h"
#include "store/oauth_store.h"

namespace cdrd::api::pbx {

// Bounds and defaults of the list options (docs/api-pbx.md).
constexpr int kDefaultPerPage = 20;
constexpr int kMaxPerPage = 500;

// The list options of calls/ and call_history/ -> a CallQuery of `account_id`. Array options
// are the parameter repeated (`flow=in&flow=out`; `flow[]=in` is accepted too). An empty value
// is the option left out and `per_page=0` the default page size, as the provider's public
// clients send them. kInvalidArgument names the option and its accepted form. `page` is
// returned through the query's offset.
Result<CallQuery> parse_list_options(const http::Params& params, std::int64_t account_id,
                                     Micros retention_floor);

// One call as an object of seed 002 (`with_legs`: plus its `cdr` array, as call_history).
std::string render_call(const CallRecord& call, bool with_legs);
// {"api_id", "call_uuid", "objects": [...]}: the call's legs as call_history's `cdr` items.
std::string render_legs(const CallRecord& call, std::string_view api_id);
// {"<list_key>": [...], "order": "asc|desc", "page": n, "per_page": n}
std::string render_list(const std::vector<CallRecord>& calls, bool with_legs,
                        const CallQuery& query);

// The handlers, over the OAuth apps and tokens in `oauth`. Each authenticates the bearer token
// itself (401 {"message"}).
http::HttpResponse handle_token(const ApiContext& ctx, OAuthStore& oauth,
                                const http::HttpRequest& request);
// `admitted`: the grant token_grant found for this request at its admission, which the handler
// then takes instead of looking the token up again; null: the handler looks it up.
http::HttpResponse list_calls(const ApiContext& ctx, OAuthStore& oauth,
                              const http::HttpRequest& request, const std::string& client_id,
                              bool with_legs, const TokenGrant* admitted = nullptr);
// Whether list_calls of this request, for the token's account, is bounded work
// (CallStore::list_is_bounded): then it may run on the thread that read the request. Also true
// when the request is answered without listing (another client's path, an invalid option).
bool list_is_bounded(const ApiContext& ctx, const http::HttpRequest& request,
                     const std::string& client_id, std::int64_t account_id);
http::HttpResponse get_call_history(const ApiContext& ctx, OAuthStore& oauth,
                                    const http::HttpRequest& request, const std::string& client_id,
                                    const std::string& call_uuid,
                                    const TokenGrant* admitted = nullptr);
// The token's holder in the shape of the provider's user resource: {"id", "login", "admin",
// "dealer_id", "client_id", "extension_group_id", "extension_id", "timezone", "access",
// "extra_params"}; `client_id` is what clients put in the paths above.
http::HttpResponse get_user(const ApiContext& ctx, OAuthStore& oauth,
                            const http::HttpRequest& request, const TokenGrant* admitted = nullptr);

// GET /v1/Account/{auth_id}/Zentrunk/Call/{call_uuid}/Legs/: the cloud-PBX legs of one call of
// an account authenticated by the SIP-trunk API's credentials (the web console shows them,
// docs/console.md), in the SIP-trunk envelope: render_legs, and 404 {"api_id", "error"} for a
// call it cannot see. A call without legs has an empty list.
http::HttpResponse get_call_legs(const ApiContext& ctx, const Account& account,
                                 std::string_view call_uuid);

// The grant of the request's bearer token when it is valid now (known, not revoked, not
// expired), or nullopt (also when the store fails: the handler then answers). Read once per
// request, at its admission: the route's tenant is the grant's account, and the handler is
// given the grant (a token revoked or expired since is refused from the next request on).
std::optional<TokenGrant> token_grant(const ApiContext& ctx, OAuthStore& oauth,
                                      const http::HttpRequest& request);
// The account of token_grant, or nullopt.
std::optional<std::int64_t> token_account(const ApiContext& ctx, OAuthStore& oauth,
                                          const http::HttpRequest& request);

// {"message":"..."} with that status.
http::HttpResponse message_response(int status, std::string_view message);

// The answer to a failed store call (`what` names it in the log) in the {"message"} shape: a read
// over its time budget (kUnavailable) is 503 with Retry-After and the store's advice; anything
// else is a logged 500.
http::HttpResponse store_failure(const Status& s, std::string_view what);

// The RFC 6749 section 5.2 error body {"error":"<code>","error_description":"..."} with that
// status and Cache-Control: no-store; for the token endpoint and every error on /oauth/ paths.
http::HttpResponse oauth_error_response(int status, std::string_view error,
                                        std::string_view description);

}  // namespace cdrd::api::pbx
