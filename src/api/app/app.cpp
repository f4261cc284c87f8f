#include "api/app/app.h"

#include "api/errors.h"
#include "api/ingest/ingest.h"
#include "api/pbx/pbx.h"
#include "api/ratedecks/deck_api.h"
#include "api/trunks/trunk_api.h"
#include "api/zentrunk/calls.h"
#include "api/zentrunk/insights.h"

namespace cdrd::api {

App::App(ApiContext ctx) : ctx_(ctx), auth_(std::make_unique<Authenticator>(ctx.accounts)) {
  using zentrunk::Representation;
  router_.add("GET", "/healthz", [](const http::HttpRequest&, const PathParams&) {
    return http::HttpResponse{200, "application/json", "{\"status\": \"ok\"}", {}};
  });
  router_.add("POST", "/v1/ingest/calls", [this](const http::HttpRequest& r, const PathParams&) {
    return ingest::handle_ingest(ctx_, r);
  });
  // The operator's rate decks (docs/rating.md): one direction, or the whole deck.
  // The cloud-PBX API (OAuth bearer tokens, {"message"} errors, also for unknown paths).
  router_.set_error_renderer("/api/", pbx::message_response);
  router_.add("POST", "/oauth/token", [this](const http::HttpRequest& r, const PathParams&) {
    return pbx::handle_token(ctx_, r);
  });
  router_.add("GET", "/api/ver1.0/client/{client_id}/calls",
              [this](const http::HttpRequest& r, const PathParams& p) {
                return pbx::list_calls(ctx_, r, p.at("client_id"), false);
              });
  router_.add("GET", "/api/ver1.0/client/{client_id}/call_history",
              [this](const http::HttpRequest& r, const PathParams& p) {
                return pbx::list_calls(ctx_, r, p.at("client_id"), true);
              });
  router_.add("GET", "/api/ver1.0/client/{client_id}/call_history/{call_uuid}",
              [this](const http::HttpRequest& r, const PathParams& p) {
                return pbx::get_call_history(ctx_, r, p.at("client_id"), p.at("call_uuid"));
              });
  router_.add("PUT", "/v1/ratedecks/{auth_id}/{direction}",
              [this](const http::HttpRequest& r, const PathParams& p) {
                return ratedecks::handle_put_deck(ctx_, r, p.at("auth_id"), p.at("direction"));
              });
  router_.add("GET", "/v1/ratedecks/{auth_id}/{direction}",
              [this](const http::HttpRequest& r, const PathParams& p) {
                return ratedecks::handle_get_deck(ctx_, r, p.at("auth_id"), p.at("direction"));
              });
  router_.add("PUT", "/v1/ratedecks/{auth_id}",
              [this](const http::HttpRequest& r, const PathParams& p) {
                return ratedecks::handle_put_deck(ctx_, r, p.at("auth_id"), std::nullopt);
              });
  router_.add("GET", "/v1/ratedecks/{auth_id}",
              [this](const http::HttpRequest& r, const PathParams& p) {
                return ratedecks::handle_get_deck(ctx_, r, p.at("auth_id"), std::nullopt);
              });
  for (auto [prefix, rep] : {std::pair{"/v1/Account/{auth_id}/Zentrunk/Call", Representation::kCurrent},
                             std::pair{"/v1/Account/{auth_id}/Call", Representation::kLegacy}}) {
    const Representation representation = rep;
    router_.add("GET", prefix,
                for_account([this, representation](const Account& account,
                                                   const http::HttpRequest& r, const PathParams&) {
                  return zentrunk::list_calls(ctx_, account, r, representation);
                }));
    router_.add("GET", std::string(prefix) + "/{call_uuid}",
                for_account([this, representation](const Account& account,
                                                   const http::HttpRequest&, const PathParams& p) {
                  return zentrunk::get_call(ctx_, account, p.find("call_uuid")->second,
                                            representation);
                }));
  }
  router_.add("GET", "/v1/Account/{auth_id}/Zentrunk/Call/{call_uuid}/Insights",
              for_account([this](const Account& account, const http::HttpRequest&,
                                 const PathParams& p) {
                return zentrunk::get_call_insights(ctx_, account, p.find("call_uuid")->second);
              }));
  // The trunk control plane: GET/POST on each collection, GET/POST/DELETE on each resource.
  if (ctx_.trunks != nullptr) {
    for (const trunks::ResourcePath& rp : trunks::resource_paths()) {
      const std::string base = "/v1/Account/{auth_id}/Zentrunk/" + std::string(rp.segment);
      const trunks::Resource resource = rp.resource;
      for (const char* method : {"GET", "POST"}) {
        router_.add(method, base,
                    for_account([this, resource](const Account& account,
                                                 const http::HttpRequest& r, const PathParams&) {
                      return trunks::handle_collection(ctx_, account, r, resource);
                    }));
      }
      for (const char* method : {"GET", "POST", "DELETE"}) {
        router_.add(method, base + "/{id}",
                    for_account([this, resource](const Account& account,
                                                 const http::HttpRequest& r, const PathParams& p) {
                      return trunks::handle_item(ctx_, account, r, resource, p.find("id")->second);
                    }));
      }
    }
  }
}

RouteHandler App::for_account(AccountHandler handler) const {
  return [this, handler = std::move(handler)](const http::HttpRequest& request,
                                              const PathParams& params) {
    auto account = auth_->authenticate_basic(request.header("authorization"));
    if (!account.ok()) {
      auto r = error_response(account.status());
      if (r.status == 401) r.headers.emplace_back("WWW-Authenticate", "Basic realm=\"cdrd\"");
      return r;
    }
    const auto it = params.find("auth_id");
    if (it != params.end() && it->second != account->auth_id) {
      return error_response(403, "forbidden: the auth_id in the path is not the authenticated "
                                 "account");
    }
    return handler(*account, request, params);
  };
}

http::HttpResponse App::handle(const http::HttpRequest& request) const {
  return router_.dispatch(request);
}

}  // namespace cdrd::api
