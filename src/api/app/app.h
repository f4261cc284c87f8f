// App: the whole HTTP API of cdrd, as the server's Admitter: it decides on each request's head
// (route, authenticate, the route's body limit, the tenant for the per-account limits) before
// the body is read, and hands back the handler that answers the whole request. Routes:
//   POST /v1/ingest/calls                                  ingest (operator key), streamed
//   POST /v1/ingest/freeswitch                             one mod_json_cdr CDR (operator key)
//   GET  /v1/Account/{auth_id}/Zentrunk/Call/[{call_uuid}/] SIP-trunk calls, current shape
//   GET  /v1/Account/{auth_id}/Call/[{call_uuid}/]          SIP-trunk calls, legacy shape
//   POST /oauth/token, GET /api/ver1.0/client/{client_id}/calls|call_history/...  cloud-PBX
//   PUT|GET /v1/ratedecks/{auth_id}[/{direction}]           rate decks (operator key)
//   GET  /v1/Account/{auth_id}/Zentrunk/Call/{call_uuid}/Insights/  Call Insights
//   GET, POST /v1/Account/{auth_id}/Zentrunk/{Trunk|Credential|URI|IPAccessControlList}/
//   GET, POST, DELETE  .../Zentrunk/{Trunk|Credential|URI|IPAccessControlList}/{id}/
//                                                          the trunk control plane
//   GET  /v1/Account/{auth_id}/Zentrunk/Call/{call_uuid}/Legs/      the call's cloud-PBX legs
//   GET  /console, /console/{name}                          the web console (docs/console.md)
//   GET  /v1/Account/                                       the accounts (operator key)
//   GET  /healthz                                           liveness, no auth
//   GET  /readyz, GET /metrics      readiness (no auth), Prometheus metrics (operator key)
//                                   (api/app/operations.h, docs/metrics.md)
//   GET  /openapi.json                                      the OpenAPI document, no auth
//                                                           (api/app/openapi.h, docs/openapi.md)
// Body limits: uploads (ingest, decks) settings.max_upload_bytes; control-plane and token bodies
// kSmallBodyBytes; every other route kNoBodyBytes. A repeated Authorization header is a 400;
// failed authentications are throttled per client address (auth_throttle.h). Errors take the
// shape of the path's API: {"message"} under /api/, RFC 6749 bodies under /oauth/, and
// {"api_id", "error"} elsewhere.
// Thread-safe: admit() and handle() may run on many threads at once.
#pragma once

#include <memory>

#include "api/app/auth.h"
#include "api/app/auth_throttle.h"
#include "api/app/operations.h"
#include "api/app/router.h"
#include "api/context.h"
#include "http/message.h"
#include "service/ingest/ingest.h"
#include "service/rating/rating_service.h"
#include "store/oauth_store.h"
#include "store/trunk_store.h"

namespace cdrd::api {

// The stores and services behind the routes besides the Call API's (ApiContext): all
// required, so every route is served.
struct ApiServices {
  // The OAuth apps and tokens of the cloud-PBX API (docs/api-pbx.md).
  OAuthStore& oauth;
  // The trunk control plane (docs/api-trunks.md).
  TrunkStore& trunks;
  // The rate deck API (docs/rating.md).
  service::RatingService& rating;
  // POST /v1/ingest/calls (docs/ingest.md).
  const service::ingest::IngestService& ingest;
};

constexpr std::size_t kSmallBodyBytes = std::size_t{64} * 1024;
constexpr std::size_t kNoBodyBytes = std::size_t{8} * 1024;

class App {
 public:
  App(ApiContext ctx, ApiServices services, AuthThrottle::Limits throttle = {},
      Operations operations = {});

  http::RouteDecision admit(const http::HttpRequest& head) const;
  // An error the server raises itself, in the shape of the API `path` belongs to.
  http::HttpResponse render_error(std::string_view path, int status,
                                  std::string_view message) const;
  // Admits and answers a whole request at once (the body already read): for tests and tools.
  http::HttpResponse handle(const http::HttpRequest& request) const;
  // Every route as (method, pattern): the OpenAPI document's operations (openapi_test.cpp).
  std::vector<std::pair<std::string, std::string>> routes() const { return router_.routes(); }

 private:
  using AccountHandler = std::function<http::HttpResponse(const Account&, const http::HttpRequest&,
                                                          const PathParams&)>;
  // No authentication at the head (the handler does its own, if any).
  RouteAdmitter open(std::size_t body_limit, RouteHandler handler) const;
  // Basic auth at the head, then the path's {auth_id} must be the authenticated account (403
  // otherwise: another account's data is never served). A GET with the operator key as
  // "Authorization: Bearer KEY" reads the path's account (the console's operator view); the
  // operator key changes nothing of an account through these routes.
  // `bounded`: the handler is a local point read (http::RouteDecision::bounded), a retrieve by
  // uuid: bounded for the authenticated account when CallStore::find_call_is_bounded says so.
  RouteAdmitter for_account(std::size_t body_limit, AccountHandler handler,
                            bool bounded = false) const;
  // Whether the head is a GET of an account's route with a Bearer credential: the operator's.
  static bool operator_reads(const http::HttpRequest& head, const PathParams& params);
  // The operator key reading the path's account: 401 (wrong key) or 403 (no key configured) at
  // the head; the account is looked up on the worker (404 when there is none).
  http::RouteDecision operator_read(std::size_t body_limit, const AccountHandler& handler,
                                    const http::HttpRequest& head, const PathParams& params) const;
  // The operator key at the head.
  RouteAdmitter for_operator(std::size_t body_limit, RouteHandler handler) const;
  // Cloud-PBX GET routes: a request without a valid bearer token gets the handler's 401 from the
  // head (the handler is given no grant and looks the token up itself); with one, the token's
  // account is the tenant and the handler is given the grant read at the head.
  // `bounded`, when given, tells from the head and the token's account whether the handler is
  // bounded work (http::RouteDecision::bounded: a list its store finds through a selective
  // filter's values).
  using BearerHandler = std::function<http::HttpResponse(
      const http::HttpRequest&, const PathParams&, const TokenGrant* admitted)>;
  using BearerBounded = std::function<bool(const http::HttpRequest& head, const PathParams&,
                                           std::int64_t account_id)>;
  RouteAdmitter for_bearer(std::size_t body_limit, BearerHandler handler,
                           BearerBounded bounded = nullptr) const;

  ApiContext ctx_;
  ApiServices services_;
  std::unique_ptr<Authenticator> auth_;
  mutable AuthThrottle throttle_;
  const Operations operations_;
  Router router_;
};

}  // namespace cdrd::api
