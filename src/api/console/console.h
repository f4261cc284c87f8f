// The web console (docs/console.md): a single-page app in plain HTML, CSS and JavaScript
// (console/ at the top of the source tree) that signs in with an account's credentials, or the
// operator key, and reads the account through the public APIs from the browser. Its files are
// compiled into the binary (embed_console.cmake generates assets()), so cdrd reads no file to
// serve them:
//
//   GET /console                redirect (301) to /console/
//   GET /console/               index.html
//   GET /console/{name}         one file of the console; any other name is a 404
//
// Every answer carries the security headers of kSecurityHeaders (a Content-Security-Policy that
// allows only the console's own files and fetches to the same origin, no framing, no sniffing,
// no referrer). Caching: every file is served with `Cache-Control: no-cache` and a strong ETag
// (a hash of its bytes), so a browser keeps its copy and asks again each time; a matching
// If-None-Match is a 304 without a body. A new binary changes the ETags, so nobody keeps an
// old app.js with a new index.html.
//
// list_accounts is the operator's list of accounts (GET /v1/Account/, operator key), from which
// the console's operator picks one.
//
// Pure functions over constant data apart from the account store; thread-safe.
#pragma once

#include <span>
#include <string_view>
#include <utility>

#include "api/context.h"
#include "http/message.h"

namespace cdrd::api::console {

// One file of the console.
struct Asset {
  std::string_view name;          // "app.js"
  std::string_view content_type;  // "text/javascript; charset=utf-8"
  std::string_view etag;          // strong, quoted: "\"3f2a...\""
  std::string_view bytes;
};

// Every file, generated from console/ at build time.
std::span<const Asset> assets();

inline constexpr std::string_view kContentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

inline constexpr std::pair<std::string_view, std::string_view> kSecurityHeaders[] = {
    {"Content-Security-Policy", kContentSecurityPolicy},
    {"X-Content-Type-Options", "nosniff"},
    {"Referrer-Policy", "no-referrer"},
    {"X-Frame-Options", "DENY"},
};

// GET /console and /console/: `request.path` tells which (the redirect, or index.html).
http::HttpResponse serve_index(const http::HttpRequest& request);
// GET /console/{name}.
http::HttpResponse serve_asset(const http::HttpRequest& request, std::string_view name);

// Whether an If-None-Match header value (a list of entity tags, or "*") matches `etag`, with the
// weak comparison RFC 9110 section 13.1.2 prescribes for it.
bool if_none_match_matches(std::string_view header, std::string_view etag);

// GET /v1/Account/ (operator key): {"api_id", "meta": {"total_count"}, "objects": [{"auth_id",
// "name", "created_at"}]}, by name. A store failure is its error response.
http::HttpResponse list_accounts(const ApiContext& ctx);

}  // namespace cdrd::api::console
