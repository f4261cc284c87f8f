// HttpServer: an HTTP/1.1 server on Boost.Beast/Asio. One session object per connection with
// keep-alive; a few I/O threads run the io_context: a request's head is read first and given to
// the application's Admitter (route, authenticate: cheap), which answers at once or names the
// route's body limit and the handler; the body is then read (or streamed through a BodySink in
// pieces) and the handler runs on a FairPool of worker threads with a cap per tenant
// (http/fair_pool.h), except a bounded one (RouteDecision::bounded: a point read), which the I/O
// thread runs itself. Responses are written asynchronously with a send timeout, so a client that
// does not read cannot hold a worker.
//
// Limits: a body limit per route (413 from Content-Length, before reading), a header size limit
// (431), Transfer-Encoding other than chunked (501), a cap on open connections (at the cap the
// oldest idle keep-alive connection is closed, or the new one refused with 503), bounded queues
// (429 per tenant, 503 in all), timeouts for the request header, the whole request, an idle
// keep-alive connection and sending a response. At start the soft limit on open files is raised
// to the hard limit. Errors the server raises itself are rendered by ServerOptions::error_renderer
// in the shape of the API the path belongs to.
// Every request is logged as one access-log line (client address, account, method, target,
// status, duration, api_id), after its response was handed to the socket; the lines may be
// gathered in memory and written in batches (ServerOptions::access_log_buffer_bytes).
//
// HttpServer::create() binds and listens; it returns kUnavailable naming the address when it
// cannot (address in use, not resolvable). run() blocks until SIGTERM or SIGINT (or stop()): the
// server then stops accepting, lets requests in flight finish and be answered (up to
// `shutdown_grace`), closes idle connections, and returns; it returns kInternal when run()
// already runs on another thread (a bug in the caller).
// Thread-safety: stop() may be called from any thread; the rest from one.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"
#include "http/message.h"

namespace cdrd::http {

// Told of every connection the server opens and closes and of every request it answers, for
// metrics. Called on the server's I/O threads, concurrently: implementations must be
// thread-safe and cheap (no I/O, no waiting).
class ServerObserver {
 public:
  virtual ~ServerObserver() = default;
  virtual void connection_opened() = 0;
  virtual void connection_closed() = 0;
  // A response is being sent: called once per request, just before the last bytes of its
  // response are handed to the socket (so a client that has read the response finds it told),
  // or when a response is cut short. The request's method as sent, the route pattern of
  // RouteDecision::route (empty when no route matched or the head was refused before routing),
  // the status and the time from the first byte of the request to that moment.
  virtual void request_done(std::string_view method, std::string_view route, int status,
                            std::chrono::nanoseconds elapsed) = 0;
};

struct ServerOptions {
  std::string address = "127.0.0.1";
  std::uint16_t port = 8080;  // 0: any free port (see HttpServer::port())
  int threads = 2;            // I/O threads
  // Worker threads that run handlers (0: twice the cores, at least 4), how many requests of one
  // tenant run at once (0: half the cores, at least 1) and how many may wait.
  int workers = 0;
  int max_running_per_tenant = 0;
  std::size_t max_queued_per_tenant = 256;
  std::size_t max_queued = 4096;
  // Open connections at most (0: no cap). Lowered to fit the open-file limit if needed.
  std::size_t max_connections = 10'000;
  // The body limit of the plain-Handler constructor (an Admitter names one per route).
  std::size_t max_body_bytes = std::size_t{32} * 1024 * 1024;
  // A streamed body reaches its BodySink in pieces of at most this many bytes.
  std::size_t stream_piece_bytes = std::size_t{1024} * 1024;
  std::chrono::milliseconds header_timeout{10'000};   // to receive the whole request header
  std::chrono::milliseconds request_timeout{60'000};  // to receive the whole request
  std::chrono::milliseconds idle_timeout{60'000};     // keep-alive wait for the next request
  std::chrono::milliseconds send_timeout{30'000};     // to send a whole response
  std::chrono::milliseconds shutdown_grace{15'000};
  bool access_log = true;
  // Access lines gathered in memory (http/access_log.h) and written to standard error when this
  // many bytes are held, `access_log_flush` after the oldest of them, and when run() returns:
  // the same bytes as the logger writes to a file, in few writes (a crash loses at most the
  // last interval's lines). 0: each line is written at once through the "http" logger (its
  // sinks, colours on a terminal).
  std::size_t access_log_buffer_bytes = 0;
  std::chrono::milliseconds access_log_flush{100};
  // Replace digits of phone-number-like query values (numbers, usernames) in access-log lines.
  bool redact_numbers = false;
  // Run a bounded handler (RouteDecision::bounded) on the I/O thread that read its request,
  // without the hand-off to a worker and back; false: every handler runs on a worker.
  bool inline_bounded = true;
  bool handle_signals = true;  // install SIGTERM/SIGINT handlers in run()
  // Called once, on the control strand, when the shutdown begins (a signal or stop()); before
  // the requests in flight are finished. None when empty.
  std::function<void()> on_shutdown;
  bool raise_fd_limit = true;  // raise the soft open-file limit to the hard one
  // Errors the server raises itself; default: {"api_id": "...", "error": "..."}.
  ErrorRenderer error_renderer;
  // Told of connections and requests (metrics); none when empty. Must outlive the server.
  std::shared_ptr<ServerObserver> observer;
};

class HttpServer {
 public:
  // Binds and listens at once (so port() is known before run()); kUnavailable naming the
  // address if it cannot.
  static Result<std::unique_ptr<HttpServer>> create(ServerOptions options, Admitter admitter);
  // Every route takes bodies up to options.max_body_bytes and runs `handler`, one tenant per
  // client address.
  static Result<std::unique_ptr<HttpServer>> create(ServerOptions options, Handler handler);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  std::uint16_t port() const;
  Status run();
  void stop();

 private:
  struct Impl;
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace cdrd::http
