// HttpRequest / HttpResponse: the plain request and response types handlers see. The server
// converts from and to Boost.Beast messages, so handlers are plain functions from request to
// response, testable without a socket, and Beast stays inside src/http.
//
// RouteDecision / Admitter: the server reads a request's head first and asks the application
// what to do with it (answer at once, or read a body of at most N bytes and run a handler, or
// stream the body through a BodySink) before a single body byte is read.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace cdrd::http {

using Params = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method;  // upper case: "GET", "POST", ...
  std::string target;  // as sent: "/v1/Account/MA.../Call/?limit=5"
  std::string path;    // percent-decoded path without the query: "/v1/Account/MA.../Call/"
  Params query;        // decoded query parameters in order; '+' decodes to ' '; repeats kept
  Params headers;      // names lower-cased
  std::string body;    // empty while the head is being admitted, and for streamed bodies
  std::string remote_address;

  // First header with this lower-case name, or "".
  std::string_view header(std::string_view lower_name) const {
    for (const auto& [k, v] : headers) {
      if (k == lower_name) return v;
    }
    return {};
  }
  // How many headers have this lower-case name.
  std::size_t header_count(std::string_view lower_name) const {
    std::size_t n = 0;
    for (const auto& [k, v] : headers) n += k == lower_name ? 1 : 0;
    return n;
  }
};

// A response body made in pieces (an export), for a body that need not be held whole. The
// server sends the head at once, then asks for the pieces one at a time on a worker thread, each
// only after the one before has been written to the socket (backpressure: one piece in memory
// whatever the body's size), and sends them chunked (to an HTTP/1.0 client: as they are, then it
// closes). Each piece's write has the send timeout of a whole response. next() appends the next
// piece to `out` (empty when called) and returns true while more follow, false with the last
// one (either may be empty). An error after the head was sent cannot become a status: the server
// closes the connection without the final chunk, which the client sees as a cut-off body. A
// client that goes away ends the stream: the source is dropped without further calls.
class BodySource {
 public:
  virtual ~BodySource() = default;
  virtual Result<bool> next(std::string& out) = 0;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  Params headers;  // extra headers (e.g. WWW-Authenticate, Allow)
  // Set: the body is made by this source (see BodySource) and `body` is not sent.
  std::shared_ptr<BodySource> stream =
      nullptr;  // (an initializer: no -Wmissing-field-initializers)
};

using Handler = std::function<HttpResponse(const HttpRequest&)>;

// A consumer of a request body that arrives piece by piece (ingest), so that a large upload is
// never held in memory whole. Its calls run on the server's worker threads, one at a time, in
// order: write() for every piece (at most ServerOptions::stream_piece_bytes each, the last one
// possibly empty), then finish() once the body is complete. write() may answer a response to
// stop early: the rest of the body is then not read and the connection closes.
class BodySink {
 public:
  virtual ~BodySink() = default;
  virtual std::optional<HttpResponse> write(std::string_view piece) = 0;
  virtual HttpResponse finish() = 0;
};

// What the application decides from a request's head (HttpRequest without its body).
struct RouteDecision {
  // Set: send this at once; the body (if any) is never read and the connection then closes.
  std::optional<HttpResponse> response;
  // The largest body the route takes: a longer Content-Length is answered 413 before reading,
  // a longer chunked body as soon as it passes the limit.
  std::size_t max_body_bytes = 0;
  // Whose request this is, for the per-tenant concurrency limit: an account, or empty for
  // "the client's address".
  std::string tenant;
  // The authenticated account, for the access log ("-" when empty).
  std::string account;
  // The route pattern that matched ("/v1/Account/{auth_id}/Call"), for metrics: a bounded
  // value, never the raw path. Empty when no route matched (404, 405) or none was looked for.
  std::string route;
  // Runs on a worker thread with the complete request (body included). One of handle / sink.
  Handler handle;
  // `handle` is bounded: a point read by a unique key in a local store with a small answer,
  // that never waits for another request, process or the network (a retrieve by uuid). The
  // server may then run it on the I/O thread that read the request instead of handing it to a
  // worker and back (ServerOptions::inline_bounded): the two thread hops cost more than the
  // handler. Such a handler costs the I/O thread about what reading and admitting the head does.
  bool bounded = false;
  std::shared_ptr<BodySink> sink;
};

using Admitter = std::function<RouteDecision(const HttpRequest& head)>;

// Renders an error the server raises itself (bad percent-encoding, 413, 431, 501, 429, 503...)
// in the shape of the API the request's path belongs to.
using ErrorRenderer =
    std::function<HttpResponse(std::string_view path, int status, std::string_view message)>;

}  // namespace cdrd::http
