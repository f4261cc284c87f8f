// App: the whole HTTP API of cdrd as one handler function (request -> response). It owns the
// router and the authenticator and wires each route to its API module:
//   POST /v1/ingest/calls                                  ingest (operator key)
//   GET  /v1/Account/{auth_id}/Zentrunk/Call/[{call_uuid}/] SIP-trunk calls, current shape
//   GET  /v1/Account/{auth_id}/Call/[{call_uuid}/]          SIP-trunk calls, legacy shape
//   POST /oauth/token, GET /api/ver1.0/client/{client_id}/calls|call_history/...  cloud-PBX
//   PUT|GET /v1/ratedecks/{auth_id}[/{direction}]           rate decks (operator key)
//   GET  /v1/Account/{auth_id}/Zentrunk/Call/{call_uuid}/Insights/  Call Insights
//   GET, POST /v1/Account/{auth_id}/Zentrunk/{Trunk|Credential|URI|IPAccessControlList}/
//   GET, POST, DELETE  .../Zentrunk/{Trunk|Credential|URI|IPAccessControlList}/{id}/
//                                                          the trunk control plane
//   GET  /healthz                                           liveness, no auth
// Thread-safe: handle() may run on many threads at once.
#pragma once

#include <memory>

#include "api/app/auth.h"
#include "api/app/router.h"
#include "api/context.h"
#include "http/message.h"

namespace cdrd::api {

class App {
 public:
  explicit App(ApiContext ctx);
  http::HttpResponse handle(const http::HttpRequest& request) const;

 private:
  using AccountHandler = std::function<http::HttpResponse(
      const Account&, const http::HttpRequest&, const PathParams&)>;
  // Wraps a handler of an account's resource: Basic auth, then the path's {auth_id} must be the
  // authenticated account (403 otherwise: another account's data is never served).
  RouteHandler for_account(AccountHandler handler) const;

  ApiContext ctx_;
  std::unique_ptr<Authenticator> auth_;
  Router router_;
};

}  // namespace cdrd::api
