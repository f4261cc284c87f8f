// HttpServer on Boost.Beast, in the shape of Beast's "advanced server" example: an acceptor
// hands each connection to a Session object that lives as long as an asynchronous operation
// holds a shared_ptr to it. Each session runs on its own strand, so its state needs no locks;
// the acceptor, the signal set and the shutdown timer share one "control" strand.
//
// A session cycles through: wait for the first bytes of a request (idle) -> read the header ->
// read the body -> call the handler -> write the response -> idle again (keep-alive) or close.
// Each phase has its own deadline on the beast::tcp_stream; a deadline that passes closes the
// socket, which ends the pending operation with beast::error::timeout.
#include "http/server.h"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <condition_variable>
#include <csignal>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>
#include <unordered_map>
#include <vector>

#include "core/crypto.h"
#include "core/json_text.h"
#include "http/url.h"

namespace cdrd::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

// Larger headers get 431. Real requests carry a few hundred bytes of header; 16 KiB leaves room
// for long query strings without letting a client make us buffer much.
constexpr std::uint32_t kMaxHeaderBytes = 16 * 1024;
// How many bytes the idle read asks for: enough for a whole typical request in one read.
constexpr std::size_t kFirstReadBytes = 8 * 1024;
// After an error response we stop sending and read (and discard) what the client still sends,
// for at most this long, before closing: closing a socket with unread input makes the kernel
// send a reset, which can destroy the response before the client has read it.
constexpr std::chrono::milliseconds kLingerTime{2'000};
// Pause before accepting again when accept fails for lack of file descriptors.
constexpr std::chrono::milliseconds kAcceptRetryDelay{100};

constexpr std::string_view kContinueResponse = "HTTP/1.1 100 Continue\r\n\r\n";

// The module's logger: a named spdlog logger on stderr, created once (or taken over if the
// application registered one with this name first, to choose its sinks and format).
std::shared_ptr<spdlog::logger> http_logger() {
  static const std::shared_ptr<spdlog::logger> logger = [] {
    if (auto existing = spdlog::get("http")) return existing;
    try {
      return spdlog::stderr_color_mt("http");
    } catch (const spdlog::spdlog_ex&) {  // registered by another thread meanwhile
      return spdlog::get("http");
    }
  }();
  return logger;
}

// Beast 1.74 speaks boost::string_view; the rest of cdrd speaks std::string_view.
std::string_view sv(beast::string_view s) { return {s.data(), s.size()}; }

char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }
char ascii_upper(char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c; }

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(),
                    [](char x, char y) { return ascii_lower(x) == ascii_lower(y); });
}

// The same error shape as the API modules use, so a client sees one error format whether the
// server or a handler refused the request.
HttpResponse error_response(int status, std::string_view message) {
  HttpResponse r;
  r.status = status;
  r.body = "{\"api_id\": " + json_quote(new_uuid_v4()) + ", \"error\": " + json_quote(message) + "}";
  return r;
}

std::string endpoint_label(const tcp::endpoint& endpoint) {
  const auto address = endpoint.address();
  const std::string host = address.is_v6() ? "[" + address.to_string() + "]" : address.to_string();
  return host + ":" + std::to_string(endpoint.port());
}

// The path part of a request target: the part before '?', without the scheme and authority of
// an absolute-form target ("http://host/x" -> "/x"), which HTTP/1.1 servers must accept.
std::string_view target_path(std::string_view target) {
  const std::size_t scheme_end = target.find("://");
  if (!target.empty() && target.front() != '/' && scheme_end != std::string_view::npos) {
    const std::size_t path_start = target.find('/', scheme_end + 3);
    target = path_start == std::string_view::npos ? std::string_view("/")
                                                  : target.substr(path_start);
  }
  return target;
}

bool is_http_protocol_error(const beast::error_code& ec) {
  return ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category();
}

class Session;

// Everything HttpServer::Impl is; a class of its own so that Session (in this unnamed
// namespace) may name it.
class ServerCore {
 public:
  ServerCore(ServerOptions options, Handler handler);
  ~ServerCore();

  std::uint16_t port() const { return port_; }
  void run();
  void stop();

  // For sessions.
  const ServerOptions& options() const { return options_; }
  const Handler& handler() const { return handler_; }
  spdlog::logger& log() const { return *log_; }
  bool stopping() const { return stopping_.load(std::memory_order_acquire); }
  void session_started(const std::shared_ptr<Session>& session);
  void session_ended(Session* session) noexcept;

 private:
  void run_io();
  void accept_next();
  void on_accept(const beast::error_code& ec, tcp::socket socket);
  void begin_shutdown(std::string_view reason);

  const ServerOptions options_;
  const Handler handler_;
  const std::shared_ptr<spdlog::logger> log_;
  std::string listen_label_;  // "127.0.0.1:8080"
  std::uint16_t port_ = 0;

  std::atomic<bool> stopping_{false};      // shutdown has begun; read by sessions
  std::atomic<bool> tearing_down_{false};  // the destructor runs: nothing may be posted
  bool shutting_down_ = false;             // the same as stopping_, on the control strand

  // Live sessions, so that shutdown can reach the idle ones. Declared before the io_context so
  // that it outlives the sessions the io_context's destructor may still destroy.
  std::mutex sessions_mutex_;
  std::unordered_map<Session*, std::weak_ptr<Session>> sessions_;

  // run() and the destructor: the destructor waits until a run() on another thread returned.
  std::mutex run_mutex_;
  std::condition_variable run_done_;
  bool running_ = false;

  asio::io_context ioc_;
  asio::strand<asio::io_context::executor_type> control_;
  tcp::acceptor acceptor_;
  asio::signal_set signals_;
  asio::steady_timer grace_timer_;
  asio::steady_timer accept_retry_timer_;
};

// One connection. All member functions but start() and shutdown() run on the session's strand.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(ServerCore& server, tcp::socket&& socket)
      : server_(server), options_(server.options()), stream_(std::move(socket)),
        accepted_at_(Clock::now()) {
    beast::error_code ec;
    const auto remote = stream_.socket().remote_endpoint(ec);
    if (!ec) remote_address_ = remote.address().to_string();
  }

  ~Session() { server_.session_ended(this); }

  void start() {
    server_.session_started(shared_from_this());
    asio::dispatch(stream_.get_executor(),
                   beast::bind_front_handler(&Session::wait_for_request, shared_from_this()));
  }

  // Server shutdown: an idle connection closes now; one with a request in flight finishes it
  // (its response says Connection: close, as every phase checks server_.stopping()).
  void shutdown() {
    asio::post(stream_.get_executor(), [self = shared_from_this()] {
      if (self->phase_ == Phase::kIdle) self->close_now();
    });
  }

 private:
  enum class Phase { kIdle, kReading, kHandling, kWriting, kClosing };

  // --- reading ---

  void wait_for_request() {
    phase_ = Phase::kIdle;
    if (server_.stopping()) return close_now();
    if (buffer_.size() > 0) return begin_request();  // a pipelined request is already here

    // Wait for the first bytes with a read of our own rather than the parser's, to tell an
    // idle keep-alive connection (idle_timeout; closed at once on shutdown) from one that has
    // begun to send a request (header_timeout). A new connection must send its header within
    // header_timeout of being accepted.
    if (first_request_) {
      stream_.expires_at(accepted_at_ + options_.header_timeout);
    } else {
      stream_.expires_after(options_.idle_timeout);
    }
    stream_.async_read_some(buffer_.prepare(kFirstReadBytes),
                            beast::bind_front_handler(&Session::on_first_bytes,
                                                      shared_from_this()));
  }

  void on_first_bytes(beast::error_code ec, std::size_t bytes) {
    if (ec) {
      // Nothing was received, so there is nothing to answer: the client closed an idle
      // connection, the idle or header deadline passed, or shutdown closed the socket.
      if (ec == beast::error::timeout) {
        server_.log().debug("closing idle connection from {}", remote_address_);
      }
      return close_now();
    }
    buffer_.commit(bytes);
    begin_request();
  }

  void begin_request() {
    phase_ = Phase::kReading;
    request_start_ = Clock::now();
    parser_.emplace();
    parser_->header_limit(kMaxHeaderBytes);
    parser_->body_limit(static_cast<std::uint64_t>(options_.max_body_bytes));

    auto header_deadline = request_start_ + options_.header_timeout;
    if (first_request_) {
      header_deadline = std::min(header_deadline, accepted_at_ + options_.header_timeout);
    }
    stream_.expires_at(std::min(header_deadline, request_start_ + options_.request_timeout));
    bhttp::async_read_header(stream_, buffer_, *parser_,
                             beast::bind_front_handler(&Session::on_header, shared_from_this()));
  }

  void on_header(beast::error_code ec, std::size_t) {
    if (ec) return on_read_error(ec);
    stream_.expires_at(request_start_ + options_.request_timeout);
    if (parser_->is_done()) return handle_request();

    // A client that asks to be told to go on (curl does for large bodies) waits for this
    // interim response before sending the body; the body limit was checked with the header.
    const auto& header = parser_->get();
    if (header.version() >= 11 && iequals(sv(header[bhttp::field::expect]), "100-continue")) {
      asio::async_write(stream_, asio::buffer(kContinueResponse.data(), kContinueResponse.size()),
                        beast::bind_front_handler(&Session::on_continue_sent, shared_from_this()));
      return;
    }
    read_body();
  }

  void on_continue_sent(beast::error_code ec, std::size_t) {
    if (ec) return close_now();
    read_body();
  }

  void read_body() {
    bhttp::async_read(stream_, buffer_, *parser_,
                      beast::bind_front_handler(&Session::on_body, shared_from_this()));
  }

  void on_body(beast::error_code ec, std::size_t) {
    if (ec) return on_read_error(ec);
    handle_request();
  }

  void on_read_error(const beast::error_code& ec) {
    if (parser_ && parser_->is_header_done()) {
      request_.method.assign(sv(parser_->get().method_string()));
      request_.target.assign(sv(parser_->get().target()));
    } else {
      request_.method = "-";
      request_.target = "-";
    }

    if (ec == bhttp::error::body_limit) {
      return send_error_and_close(413, "request body too large: the limit is " +
                                           std::to_string(options_.max_body_bytes) + " bytes");
    }
    if (ec == bhttp::error::header_limit) {
      return send_error_and_close(431, "request header too large: the limit is " +
                                           std::to_string(kMaxHeaderBytes) + " bytes");
    }
    if (ec == beast::error::timeout) {
      // The socket is closed already, so no 408 can be sent.
      server_.log().info("closing connection from {}: the request did not arrive in time",
                         remote_address_);
      return close_now();
    }
    if (is_http_protocol_error(ec) && ec != bhttp::error::partial_message &&
        ec != bhttp::error::end_of_stream) {
      return send_error_and_close(400, "malformed request: " + ec.message());
    }
    // The client went away (end of stream, reset, a partial message) or shutdown closed us.
    close_now();
  }

  // --- handling ---

  void handle_request() {
    phase_ = Phase::kHandling;
    auto& message = parser_->get();
    const unsigned version = message.version();
    const bool keep_alive = message.keep_alive();
    const bool head = message.method() == bhttp::verb::head;

    request_.method.assign(sv(message.method_string()));
    for (char& c : request_.method) c = ascii_upper(c);
    request_.target.assign(sv(message.target()));

    const std::string_view target = request_.target;
    const std::size_t question = target.find('?');
    auto path = percent_decode(target_path(target.substr(0, question)), false);
    std::optional<Params> query = Params();
    if (question != std::string_view::npos) query = parse_query(target.substr(question + 1));
    if (!path || !query) {
      parser_.reset();
      return respond(error_response(400, "the request target has an invalid percent-encoding"),
                     version, keep_alive, head);
    }
    request_.path = std::move(*path);
    request_.query = std::move(*query);

    request_.headers.clear();
    for (const auto& field : message) {
      std::string name(sv(field.name_string()));
      for (char& c : name) c = ascii_lower(c);
      request_.headers.emplace_back(std::move(name), sv(field.value()));
    }
    request_.body = std::move(message.body());
    request_.remote_address = remote_address_;
    parser_.reset();  // the request now lives in request_

    HttpResponse response;
    try {
      response = server_.handler()(request_);
    } catch (const std::exception& e) {
      server_.log().error("handler failed on {} {}: {}", request_.method, request_.target,
                          e.what());
      response = error_response(500, "internal server error");
    } catch (...) {
      server_.log().error("handler failed on {} {}: unknown exception", request_.method,
                          request_.target);
      response = error_response(500, "internal server error");
    }
    std::string().swap(request_.body);  // free a large upload now, not at the next request
    respond(std::move(response), version, keep_alive, head);
  }

  // --- writing ---

  void respond(HttpResponse&& out, unsigned version, bool keep_alive, bool head) {
    if (out.status < 200 || out.status > 599) {
      server_.log().error("handler returned status {} for {} {}", out.status, request_.method,
                          request_.target);
      out = error_response(500, "internal server error");
    }
    keep_alive = keep_alive && !server_.stopping();
    try {
      response_ = {};
      response_.version(version);
      response_.result(static_cast<unsigned>(out.status));
      for (auto& [name, value] : out.headers) response_.insert(name, value);
      // 204 and 304 carry neither a body nor a length.
      const bool bodiless = out.status == 204 || out.status == 304;
      if (!bodiless && !out.content_type.empty()) {
        response_.set(bhttp::field::content_type, out.content_type);
      }
      response_.keep_alive(keep_alive);
      if (head) {
        response_.content_length(out.body.size());  // the length a GET would have had
      } else if (!bodiless) {
        response_.body() = std::move(out.body);
        response_.prepare_payload();
      }
    } catch (const std::exception& e) {  // e.g. a header name Beast refuses
      server_.log().error("cannot send the response to {} {}: {}", request_.method,
                          request_.target, e.what());
      return send_error_and_close(500, "internal server error");
    }
    write_response(keep_alive, /*linger=*/false);
  }

  // Answers a request that cannot be read any further (or at all) and closes the connection.
  void send_error_and_close(int status, std::string_view message) {
    parser_.reset();
    HttpResponse out = error_response(status, message);
    response_ = {};
    response_.version(11);
    response_.result(static_cast<unsigned>(status));
    response_.set(bhttp::field::content_type, out.content_type);
    response_.keep_alive(false);
    response_.body() = std::move(out.body);
    response_.prepare_payload();
    write_response(/*keep_alive=*/false, /*linger=*/true);
  }

  void write_response(bool keep_alive, bool linger) {
    phase_ = Phase::kWriting;
    keep_alive_ = keep_alive;
    linger_ = linger;
    // A client that does not read its response may hold the connection this long.
    stream_.expires_after(options_.request_timeout);
    bhttp::async_write(stream_, response_,
                       beast::bind_front_handler(&Session::on_write, shared_from_this()));
  }

  void on_write(beast::error_code ec, std::size_t) {
    if (options_.access_log) {
      const std::chrono::duration<double, std::milli> elapsed = Clock::now() - request_start_;
      server_.log().info("{} {} {} {:.2f}ms", request_.method, request_.target,
                         response_.result_int(), elapsed.count());
    }
    response_ = {};  // free the body of a large response while the connection idles
    if (ec) return close_now();
    first_request_ = false;
    if (linger_) return linger();
    if (!keep_alive_) return linger();  // the client reads the response, then sees the end
    wait_for_request();
  }

  // --- closing ---

  // Stops sending and drains what the client still sends until it closes or kLingerTime
  // passes (see kLingerTime).
  void linger() {
    phase_ = Phase::kClosing;
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    if (ec) return close_now();
    buffer_.consume(buffer_.size());
    stream_.expires_after(kLingerTime);
    drain();
  }

  void drain() {
    stream_.async_read_some(buffer_.prepare(kFirstReadBytes),
                            [self = shared_from_this()](beast::error_code ec, std::size_t) {
                              if (ec) return self->close_now();
                              self->drain();  // nothing committed: the bytes are discarded
                            });
  }

  void close_now() {
    phase_ = Phase::kClosing;
    stream_.close();
  }

  ServerCore& server_;
  const ServerOptions& options_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;  // one per connection, reused by every request on it
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  bhttp::response<bhttp::string_body> response_;  // must live until its write completes
  HttpRequest request_;  // the current request, as the handler sees it
  std::string remote_address_;
  Phase phase_ = Phase::kIdle;
  bool first_request_ = true;
  bool keep_alive_ = false;
  bool linger_ = false;
  Clock::time_point accepted_at_;
  Clock::time_point request_start_;
};

// --- ServerCore ---

ServerOptions normalized(ServerOptions options) {
  options.threads = std::max(options.threads, 1);
  return options;
}

ServerCore::ServerCore(ServerOptions options, Handler handler)
    : options_(normalized(std::move(options))),
      handler_(std::move(handler)),
      log_(http_logger()),
      ioc_(options_.threads),
      control_(asio::make_strand(ioc_)),
      acceptor_(control_),
      signals_(control_),
      grace_timer_(control_),
      accept_retry_timer_(control_) {
  const std::string wanted = options_.address + ":" + std::to_string(options_.port);
  auto fail = [&](const std::string& what, const beast::error_code& ec) {
    throw std::runtime_error("cannot listen on " + wanted + ": " + what + ": " + ec.message());
  };
  beast::error_code ec;
  // Resolving accepts an IP address as well as a name such as "localhost".
  tcp::resolver resolver(ioc_);
  const auto endpoints = resolver.resolve(options_.address, std::to_string(options_.port),
                                          tcp::resolver::passive | tcp::resolver::numeric_service,
                                          ec);
  if (ec || endpoints.empty()) fail("cannot resolve the address", ec);
  const tcp::endpoint endpoint = endpoints.begin()->endpoint();

  acceptor_.open(endpoint.protocol(), ec);
  if (ec) fail("open", ec);
  acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (ec) fail("set reuse_address", ec);
  acceptor_.bind(endpoint, ec);
  if (ec) fail("bind", ec);
  acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) fail("listen", ec);
  const auto local = acceptor_.local_endpoint(ec);
  if (ec) fail("local_endpoint", ec);
  port_ = local.port();
  listen_label_ = endpoint_label(local);
}

ServerCore::~ServerCore() {
  stop();
  {
    std::unique_lock lock(run_mutex_);
    run_done_.wait(lock, [this] { return !running_; });
  }
  // Sessions the io_context still holds die with it; they must not post anything then.
  tearing_down_.store(true);
}

void ServerCore::run() {
  {
    std::lock_guard lock(run_mutex_);
    if (running_) throw std::logic_error("HttpServer::run() is already running");
    running_ = true;
  }
  struct MarkDone {
    ServerCore& core;
    ~MarkDone() {
      std::lock_guard lock(core.run_mutex_);
      core.running_ = false;
      core.run_done_.notify_all();
    }
  } mark_done{*this};

  if (options_.handle_signals) {
    beast::error_code ec;
    signals_.add(SIGINT, ec);
    if (!ec) signals_.add(SIGTERM, ec);
    if (ec) log_->warn("cannot handle SIGINT/SIGTERM: {}", ec.message());
    signals_.async_wait([this](const beast::error_code& error, int signal_number) {
      if (error) return;
      begin_shutdown(signal_number == SIGINT ? "SIGINT" : "SIGTERM");
    });
  }
  asio::dispatch(control_, [this] {
    if (!shutting_down_) accept_next();
  });
  log_->info("listening on {} ({} thread{})", listen_label_, options_.threads,
             options_.threads == 1 ? "" : "s");

  std::vector<std::thread> workers;
  workers.reserve(static_cast<std::size_t>(options_.threads - 1));
  for (int i = 1; i < options_.threads; ++i) workers.emplace_back([this] { run_io(); });
  run_io();
  for (auto& worker : workers) worker.join();
  log_->info("stopped listening on {}", listen_label_);
}

void ServerCore::run_io() {
  for (;;) {
    try {
      ioc_.run();
      return;
    } catch (const std::exception& e) {
      // Handlers catch their own exceptions; this is a last resort that keeps the thread.
      log_->error("unexpected exception in the I/O loop: {}", e.what());
    }
  }
}

void ServerCore::stop() {
  asio::post(control_, [this] { begin_shutdown("stop requested"); });
}

void ServerCore::accept_next() {
  // Each connection gets its own strand.
  acceptor_.async_accept(asio::make_strand(ioc_),
                         [this](const beast::error_code& ec, tcp::socket socket) {
                           on_accept(ec, std::move(socket));
                         });
}

void ServerCore::on_accept(const beast::error_code& ec, tcp::socket socket) {
  if (shutting_down_ || !acceptor_.is_open()) return;  // the socket, if any, closes here
  if (ec) {
    log_->warn("accept failed: {}", ec.message());
    if (ec == asio::error::no_descriptors || ec == asio::error::no_buffer_space ||
        ec == asio::error::no_memory) {
      accept_retry_timer_.expires_after(kAcceptRetryDelay);
      accept_retry_timer_.async_wait([this](const beast::error_code& error) {
        if (!error && !shutting_down_) accept_next();
      });
      return;
    }
    return accept_next();
  }
  beast::error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);  // responses go out as soon as written
  std::make_shared<Session>(*this, std::move(socket))->start();
  accept_next();
}

void ServerCore::session_started(const std::shared_ptr<Session>& session) {
  std::lock_guard lock(sessions_mutex_);
  sessions_.emplace(session.get(), session);
}

void ServerCore::session_ended(Session* session) noexcept {
  bool none_left;
  {
    std::lock_guard lock(sessions_mutex_);
    sessions_.erase(session);
    none_left = sessions_.empty();
  }
  // The last session of a shutdown: cancelling the grace timer leaves the io_context without
  // work, so every run_io() returns.
  if (none_left && stopping() && !tearing_down_.load()) {
    asio::post(control_, [this] { grace_timer_.cancel(); });
  }
}

void ServerCore::begin_shutdown(std::string_view reason) {
  if (shutting_down_) return;
  shutting_down_ = true;
  stopping_.store(true, std::memory_order_release);
  log_->info("shutting down ({}): no new connections; finishing requests in flight", reason);

  beast::error_code ignored;
  acceptor_.close(ignored);
  accept_retry_timer_.cancel();
  // A second SIGINT/SIGTERM now gets the default action and ends the process at once.
  signals_.cancel(ignored);
  signals_.clear(ignored);

  std::vector<std::shared_ptr<Session>> live;
  {
    std::lock_guard lock(sessions_mutex_);
    live.reserve(sessions_.size());
    for (const auto& [raw, weak] : sessions_) {
      if (auto session = weak.lock()) live.push_back(std::move(session));
    }
  }
  if (live.empty()) return;
  for (const auto& session : live) session->shutdown();
  live.clear();

  grace_timer_.expires_after(options_.shutdown_grace);
  grace_timer_.async_wait([this](const beast::error_code& ec) {
    if (ec) return;  // every session ended in time
    std::size_t left;
    {
      std::lock_guard lock(sessions_mutex_);
      left = sessions_.size();
    }
    if (left == 0) return;
    log_->warn("{} connection(s) still open after the {}ms grace period; stopping anyway", left,
               options_.shutdown_grace.count());
    ioc_.stop();
  });
}

}  // namespace

// --- HttpServer ---

struct HttpServer::Impl : ServerCore {
  using ServerCore::ServerCore;
};

HttpServer::HttpServer(ServerOptions options, Handler handler)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler))) {}

HttpServer::~HttpServer() = default;

std::uint16_t HttpServer::port() const { return impl_->port(); }
void HttpServer::run() { impl_->run(); }
void HttpServer::stop() { impl_->stop(); }

}  // namespace cdrd::http
