// HttpServer: an HTTP/1.1 server on Boost.Beast/Asio. One session object per connection with
// keep-alive; a fixed pool of threads runs the io_context and calls the handler synchronously
// (handlers may block on the store). Limits: a request-body size limit (413), a timeout for the
// request header, one for the whole request and one for an idle keep-alive connection.
// Every request is logged as one access-log line (method, path, status, duration).
//
// run() blocks until SIGTERM or SIGINT (or stop()): the server then stops accepting, lets
// requests in flight finish and be answered (up to `shutdown_grace`), closes idle connections,
// and returns. Thread-safety: stop() may be called from any thread; the rest from one.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "http/message.h"

namespace cdrd::http {

struct ServerOptions {
  std::string address = "127.0.0.1";
  std::uint16_t port = 8080;  // 0: any free port (see HttpServer::port())
  int threads = 4;
  std::size_t max_body_bytes = 32 * 1024 * 1024;
  std::chrono::milliseconds header_timeout{10'000};   // to receive the whole request header
  std::chrono::milliseconds request_timeout{60'000};  // to receive the whole request
  std::chrono::milliseconds idle_timeout{60'000};     // keep-alive wait for the next request
  std::chrono::milliseconds shutdown_grace{15'000};
  bool access_log = true;
  bool handle_signals = true;  // install SIGTERM/SIGINT handlers in run()
};

class HttpServer {
 public:
  // Binds and listens at once (so port() is known before run()); throws std::runtime_error
  // naming the address if it cannot.
  HttpServer(ServerOptions options, Handler handler);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  std::uint16_t port() const;
  void run();
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cdrd::http
