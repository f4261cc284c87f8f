#include "api/app/app.h"

#include <algorithm>

#include "api/app/openapi.h"
#include "api/console/console.h"
#include "api/errors.h"
#include "api/ingest/freeswitch_ingest.h"
#include "api/ingest/ingest_stream.h"
#include "api/ingest/kamailio_endpoint.h"
#include "api/operator_auth.h"
#include "api/pbx/pbx.h"
#include "api/ratedecks/deck_api.h"
#include "api/trunks/trunk_api.h"
#include "api/zentrunk/calls.h"
#include "api/zentrunk/export.h"
#include "api/zentrunk/feed.h"
#include "api/zentrunk/insights.h"
#include "api/zentrunk/usage.h"
#include "core/ascii.h"
#include "core/json_writer.h"

namespace cdrd::api {
namespace {

// RFC 6749 section 5.2 bodies for errors on /oauth/ paths that the token endpoint itself does
// not raise (404, 405, 413, 429, 503 ...).
http::HttpResponse oauth_error(int status, std::string_view message) {
  std::string_view code = "invalid_request";
  if (status == 401) code = "invalid_client";
  if (status == 429 || status == 503) code = "temporarily_unavailable";
  if (status >= 500 && status != 503) code = "server_error";
  return pbx::oauth_error_response(status, code, message);
}

http::RouteDecision answer(http::HttpResponse response) {
  http::RouteDecision d;
  d.response = std::move(response);
  return d;
}

}  // namespace

App::App(ApiContext ctx, ApiServices services, AuthThrottle::Limits throttle, Operations operations)
    : ctx_(ctx),
      services_(services),
      auth_(std::make_unique<Authenticator>(ctx.accounts, ctx.settings.auth_cache_ms * 1000,
                                            ctx.settings.now)),
      throttle_(throttle),
      operations_(std::move(operations)) {
  using zentrunk::Representation;
  const std::size_t upload = ctx_.settings.max_upload_bytes;
  router_.set_error_renderer("/api/", pbx::message_response);
  router_.set_error_renderer("/oauth/", oauth_error);

  router_.add("GET", "/healthz",
              open(kNoBodyBytes, [](const http::HttpRequest&, const PathParams&) {
                JsonWriter w;
                w.start_object();
                w.string_member("status", "ok");
                w.end_object();
                http::HttpResponse r;
                r.body = w.text();
                return r;
              }));
  // The operator's view: readiness and metrics (api/app/operations.h).
  router_.add("GET", "/readyz",
              open(kNoBodyBytes, [this](const http::HttpRequest&, const PathParams&) {
                return readiness_response(operations_.readiness);
              }));
  if (operations_.metrics) {
    router_.add("GET", "/metrics",
                for_operator(kNoBodyBytes, [this](const http::HttpRequest&, const PathParams&) {
                  return metrics_response(*operations_.metrics);
                }));
  }
  // The OpenAPI document of every route (openapi/cdrd.openapi.json, embedded at build time).
  router_.add("GET", "/openapi.json",
              open(kNoBodyBytes, [](const http::HttpRequest& r, const PathParams&) {
                return openapi_response(r);
              }));
  // The web console (docs/console.md): its files (HEAD too: the server sends no body), and the
  // operator's list of accounts.
  for (const char* method : {"GET", "HEAD"}) {
    router_.add(method, "/console",
                open(kNoBodyBytes, [](const http::HttpRequest& r, const PathParams&) {
                  return console::serve_index(r);
                }));
    router_.add(method, "/console/{name}",
                open(kNoBodyBytes, [](const http::HttpRequest& r, const PathParams& p) {
                  return console::serve_asset(r, p.at("name"));
                }));
  }
  router_.add("GET", "/v1/Account",
              for_operator(kNoBodyBytes, [this](const http::HttpRequest&, const PathParams&) {
                return console::list_accounts(ctx_);
              }));
  // Ingest streams its body through a sink: a large upload is stored as it arrives.
  router_.add("POST", "/v1/ingest/calls",
              [this, upload](const http::HttpRequest& head, const PathParams&) {
                http::RouteDecision d;
                if (auto refused = check_operator_key(ctx_, head, "ingest")) {
                  d.response = std::move(*refused);
                  return d;
                }
                d.max_body_bytes = upload;
                d.tenant = "operator";
                d.account = "operator";
                auto sink = ingest::open_ingest_stream(services_.ingest, head);
                if (auto* refused = std::get_if<http::HttpResponse>(&sink)) {
                  d.response = std::move(*refused);
                } else {
                  d.sink = std::get<std::shared_ptr<http::BodySink>>(std::move(sink));
                }
                return d;
              });
  // One CDR of FreeSWITCH's mod_json_cdr (docs/switch-freeswitch.md), read whole.
  router_.add("POST", "/v1/ingest/freeswitch",
              for_operator(upload, [this](const http::HttpRequest& r, const PathParams&) {
                return ingest::handle_freeswitch(services_.ingest, r);
              }));
  // Kamailio's CDRs as its acc_json writes them (docs/switch-kamailio.md).
  router_.add("POST", "/v1/ingest/kamailio",
              for_operator(upload, [this](const http::HttpRequest& r, const PathParams&) {
                return ingest::handle_kamailio_cdrs(services_.ingest, r);
              }));
  // The cloud-PBX API (OAuth bearer tokens, {"message"} errors, also for unknown paths).
  router_.add("POST", "/oauth/token",
              open(kSmallBodyBytes, [this](const http::HttpRequest& r, const PathParams&) {
                return pbx::handle_token(ctx_, services_.oauth, r);
              }));
  // The routes are a table written as calls: one add() per path, alike by design.
  // A list its store finds through a selective filter's values runs where it was read.
  const BearerBounded bounded_list = [this](const http::HttpRequest& head, const PathParams& p,
                                            std::int64_t account_id) {
    return pbx::list_is_bounded(ctx_, head, p.at("client_id"), account_id);
  };
  router_.add("GET", "/api/ver1.0/client/{client_id}/calls",
              for_bearer(
                  kNoBodyBytes,
                  [this](const http::HttpRequest& r, const PathParams& p, const TokenGrant* g) {
                    return pbx::list_calls(ctx_, services_.oauth, r, p.at("client_id"), false, g);
                  },
                  bounded_list));
  router_.add("GET", "/api/ver1.0/client/{client_id}/call_history",
              for_bearer(
                  kNoBodyBytes,
                  [this](const http::HttpRequest& r, const PathParams& p, const TokenGrant* g) {
                    return pbx::list_calls(ctx_, services_.oauth, r, p.at("client_id"), true, g);
                  },
                  bounded_list));
  router_.add("GET", "/api/ver1.0/client/{client_id}/call_history/{call_uuid}",
              for_bearer(kNoBodyBytes, [this](const http::HttpRequest& r, const PathParams& p,
                                              const TokenGrant* g) {
                return pbx::get_call_history(ctx_, services_.oauth, r, p.at("client_id"),
                                             p.at("call_uuid"), g);
              }));
  router_.add("GET", "/api/ver1.0/user",
              for_bearer(kNoBodyBytes, [this](const http::HttpRequest& r, const PathParams&,
                                              const TokenGrant* g) {
                return pbx::get_user(ctx_, services_.oauth, r, g);
              }));
  // The operator's rate decks (docs/rating.md): one direction, or the whole deck.
  router_.add("PUT", "/v1/ratedecks/{auth_id}/{direction}",
              for_operator(upload, [this](const http::HttpRequest& r, const PathParams& p) {
                return ratedecks::handle_put_deck(ctx_, services_.rating, r, p.at("auth_id"),
                                                  p.at("direction"));
              }));
  router_.add("GET", "/v1/ratedecks/{auth_id}/{direction}",
              for_operator(kNoBodyBytes, [this](const http::HttpRequest& r, const PathParams& p) {
                return ratedecks::handle_get_deck(ctx_, services_.rating, r, p.at("auth_id"),
                                                  p.at("direction"));
              }));
  router_.add("PUT", "/v1/ratedecks/{auth_id}",
              for_operator(upload, [this](const http::HttpRequest& r, const PathParams& p) {
                return ratedecks::handle_put_deck(ctx_, services_.rating, r, p.at("auth_id"),
                                                  std::nullopt);
              }));
  router_.add("GET", "/v1/ratedecks/{auth_id}",
              for_operator(kNoBodyBytes, [this](const http::HttpRequest& r, const PathParams& p) {
                return ratedecks::handle_get_deck(ctx_, services_.rating, r, p.at("auth_id"),
                                                  std::nullopt);
              }));
  for (auto [prefix, rep] :
       {std::pair{"/v1/Account/{auth_id}/Zentrunk/Call", Representation::kCurrent},
        std::pair{"/v1/Account/{auth_id}/Call", Representation::kLegacy}}) {
    const Representation representation = rep;
    router_.add("GET", prefix,
                for_account(kNoBodyBytes,
                            [this, representation](const Account& account,
                                                   const http::HttpRequest& r, const PathParams&) {
                              return zentrunk::list_calls(ctx_, account, r, representation);
                            }));
    router_.add("GET", std::string(prefix) + "/{call_uuid}",
                for_account(
                    kNoBodyBytes,
                    [this, representation](const Account& account, const http::HttpRequest&,
                                           const PathParams& p) {
                      return zentrunk::get_call(ctx_, account, p.find("call_uuid")->second,
                                                representation);
                    },
                    ctx_.calls.find_call_is_local()));
  }
  // The cloud-PBX legs of a call, for the SIP-trunk credentials (the console shows them).
  router_.add("GET", "/v1/Account/{auth_id}/Zentrunk/Call/{call_uuid}/Legs",
              for_account(kNoBodyBytes, [this](const Account& account, const http::HttpRequest&,
                                               const PathParams& p) {
                return pbx::get_call_legs(ctx_, account, p.find("call_uuid")->second);
              }));
  router_.add("GET", "/v1/Account/{auth_id}/Zentrunk/Call/{call_uuid}/Insights",
              for_account(kNoBodyBytes, [this](const Account& account, const http::HttpRequest&,
                                               const PathParams& p) {
                return zentrunk::get_call_insights(ctx_, account, p.find("call_uuid")->second);
              }));
  // The change feed (docs/api-calls.md, "Feed"): its own collection, so that no call uuid
  // (any text of up to 64 bytes) is shadowed under Call/.
  router_.add("GET", "/v1/Account/{auth_id}/Zentrunk/CallFeed",
              for_account(kNoBodyBytes, [this](const Account& account, const http::HttpRequest& r,
                                               const PathParams&) {
                return zentrunk::get_feed(ctx_, account, r);
              }));
  // The streamed export (docs/export.md): an account's calls to its own credentials or the
  // operator key; every account's to the operator key.
  router_.add("GET", "/v1/Account/{auth_id}/Zentrunk/Export",
              for_account(kNoBodyBytes, [this](const Account& account, const http::HttpRequest& r,
                                               const PathParams&) {
                return zentrunk::export_account_calls(ctx_, account, r);
              }));
  router_.add("GET", "/v1/export/calls",
              for_operator(kNoBodyBytes, [this](const http::HttpRequest& r, const PathParams&) {
                return zentrunk::export_all_calls(ctx_, r);
              }));
  // Usage totals per period and group (docs/api-usage.md).
  router_.add("GET", "/v1/Account/{auth_id}/Zentrunk/Usage",
              for_account(kNoBodyBytes, [this](const Account& account, const http::HttpRequest& r,
                                               const PathParams&) {
                return zentrunk::get_usage(ctx_, account, r);
              }));
  // The trunk control plane: GET/POST on each collection, GET/POST/DELETE on each resource.
  for (const trunks::ResourcePath& rp : trunks::resource_paths()) {
    const std::string base = "/v1/Account/{auth_id}/Zentrunk/" + std::string(rp.segment);
    const trunks::Resource resource = rp.resource;
    for (const char* method : {"GET", "POST"}) {
      const std::size_t limit = std::string_view(method) == "POST" ? kSmallBodyBytes : kNoBodyBytes;
      router_.add(
          method, base,
          for_account(limit, [this, resource](const Account& account, const http::HttpRequest& r,
                                              const PathParams&) {
            return trunks::handle_collection(ctx_, services_.trunks, account, r, resource);
          }));
    }
    for (const char* method : {"GET", "POST", "DELETE"}) {
      const std::size_t limit = std::string_view(method) == "POST" ? kSmallBodyBytes : kNoBodyBytes;
      router_.add(
          method, base + "/{id}",
          for_account(limit, [this, resource](const Account& account, const http::HttpRequest& r,
                                              const PathParams& p) {
            return trunks::handle_item(ctx_, services_.trunks, account, r, resource,
                                       p.find("id")->second);
          }));
    }
  }
}

RouteAdmitter App::open(std::size_t body_limit, RouteHandler handler) const {
  return [body_limit, handler = std::move(handler)](const http::HttpRequest&,
                                                    const PathParams& params) {
    http::RouteDecision d;
    d.max_body_bytes = body_limit;
    d.handle = [handler, params](const http::HttpRequest& request) {
      return handler(request, params);
    };
    return d;
  };
}

RouteAdmitter App::for_account(std::size_t body_limit, AccountHandler handler, bool bounded) const {
  return [this, body_limit, bounded, handler = std::move(handler)](const http::HttpRequest& head,
                                                                   const PathParams& params) {
    if (operator_reads(head, params)) return operator_read(body_limit, handler, head, params);
    auto account = auth_->authenticate_basic(head.header("authorization"));
    if (!account.ok()) {
      auto r = error_response(account.status());
      if (r.status == 401) r.headers.emplace_back("WWW-Authenticate", "Basic realm=\"cdrd\"");
      return answer(std::move(r));
    }
    const auto it = params.find("auth_id");
    if (it != params.end() && it->second != account->auth_id) {
      return answer(error_response(403,
                                   "forbidden: the auth_id in the path is not the "
                                   "authenticated account"));
    }
    http::RouteDecision d;
    d.max_body_bytes = body_limit;
    d.tenant = "account " + account->auth_id;
    d.account = account->auth_id;
    d.bounded = bounded && ctx_.calls.find_call_is_bounded(account->id);
    d.handle = [handler, params, account = *account](const http::HttpRequest& request) {
      return handler(account, request, params);
    };
    return d;
  };
}

bool App::operator_reads(const http::HttpRequest& head, const PathParams& params) {
  const std::string_view value = head.header("authorization");
  constexpr std::string_view kScheme = "bearer ";
  return head.method == "GET" && params.contains("auth_id") && value.size() > kScheme.size() &&
         std::equal(kScheme.begin(), kScheme.end(), value.begin(),
                    [](char a, char b) { return a == ascii_lower(b); });
}

http::RouteDecision App::operator_read(std::size_t body_limit, const AccountHandler& handler,
                                       const http::HttpRequest& head,
                                       const PathParams& params) const {
  if (auto refused = check_operator_key(ctx_, head, "reading an account with the operator key")) {
    auto r = error_response(
        refused->status == 401
            ? Status::Unauthenticated("authentication failed: wrong operator key")
            : Status::Denied(
                  "reading an account with the operator key is disabled: start cdrd with "
                  "--operator-key"));
    if (r.status == 401) r.headers.emplace_back("WWW-Authenticate", "Basic realm=\"cdrd\"");
    return answer(std::move(r));
  }
  http::RouteDecision d;
  d.max_body_bytes = body_limit;
  d.tenant = "operator";
  d.account = "operator";
  // The path's account is looked up on the worker, not on the I/O thread.
  d.handle = [this, handler, params](const http::HttpRequest& request) {
    const std::string& auth_id = params.find("auth_id")->second;
    Result<std::optional<Account>> found = ctx_.accounts.find_account_by_auth_id(auth_id);
    if (!found.ok()) return error_response(found.status());
    if (!found->has_value()) {
      return error_response(Status::NotFound("no such account: " + auth_id.substr(0, 64)));
    }
    return handler(**found, request, params);
  };
  return d;
}

RouteAdmitter App::for_operator(std::size_t body_limit, RouteHandler handler) const {
  return [this, body_limit, handler = std::move(handler)](const http::HttpRequest& head,
                                                          const PathParams& params) {
    if (auto refused = check_operator_key(ctx_, head, "this operator endpoint")) {
      return answer(std::move(*refused));
    }
    http::RouteDecision d = open(body_limit, handler)(head, params);
    d.tenant = "operator";
    d.account = "operator";
    return d;
  };
}

RouteAdmitter App::for_bearer(std::size_t body_limit, BearerHandler handler,
                              BearerBounded bounded) const {
  return [this, body_limit, handler = std::move(handler), bounded = std::move(bounded)](
             const http::HttpRequest& head, const PathParams& params) {
    std::optional<TokenGrant> grant = pbx::token_grant(ctx_, services_.oauth, head);
    if (!grant) {
      // No valid token: the handler's own 401 (it looks at the token only, and these routes
      // take no body), answered without reading any body.
      return answer(handler(head, params, nullptr));
    }
    http::RouteDecision d;
    d.max_body_bytes = body_limit;
    d.tenant = "client " + std::to_string(grant->account_id);
    d.account = d.tenant;
    d.bounded = bounded && bounded(head, params, grant->account_id);
    // The grant read here is the request's: the token is looked up once per request.
    d.handle = [handler, params, grant = std::move(*grant)](const http::HttpRequest& request) {
      return handler(request, params, &grant);
    };
    return d;
  };
}

http::RouteDecision App::admit(const http::HttpRequest& head) const {
  if (head.header_count("authorization") > 1) {
    return answer(render_error(head.path, 400,
                               "Authorization: send the header once, got it " +
                                   std::to_string(head.header_count("authorization")) + " times"));
  }
  // Whoever presents credentials from an address that has failed too often is stopped before
  // they are checked.
  const std::string& address = head.remote_address;
  const bool presents_credentials =
      !head.header("authorization").empty() || head.path.starts_with("/oauth/");
  if (presents_credentials) {
    if (const int wait = throttle_.retry_after(address); wait > 0) {
      http::HttpResponse r =
          render_error(head.path, 429,
                       "too many failed authentication attempts from this address: retry in " +
                           std::to_string(wait) + " s");
      r.headers.emplace_back("Retry-After", std::to_string(wait));
      return answer(std::move(r));
    }
  }
  http::RouteDecision d = router_.route(head);
  if (d.response && d.response->status == 401) throttle_.failed(address);
  if (d.handle) {
    d.handle = [this, address, handle = std::move(d.handle)](const http::HttpRequest& request) {
      http::HttpResponse r = handle(request);
      if (r.status == 401) throttle_.failed(address);
      return r;
    };
  }
  return d;
}

http::HttpResponse App::render_error(std::string_view path, int status,
                                     std::string_view message) const {
  return router_.error(path, status, message);
}

http::HttpResponse App::handle(const http::HttpRequest& request) const {
  http::RouteDecision d = admit(request);
  if (d.response) return std::move(*d.response);
  if (request.body.size() > d.max_body_bytes) {
    return render_error(request.path, 413,
                        "request body too large: the limit of " + request.method + " " +
                            request.path + " is " + std::to_string(d.max_body_bytes) + " bytes");
  }
  if (d.handle) return d.handle(request);
  if (auto stop = d.sink->write(request.body)) return std::move(*stop);
  return d.sink->finish();
}

}  // namespace cdrd::api
