// HttpServer on Boost.Beast, in the shape of Beast's "advanced server" example: an acceptor
// hands each connection to a Session object that lives as long as an asynchronous operation
// holds a shared_ptr to it. Each session runs on the executor of one I/O thread's io_context,
// which that thread alone runs, so its state needs no locks and no strand (a strand would only
// add a queue and a lock per handler); the acceptor, the signal set and the shutdown timer share
// one "control" strand.
//
// A session cycles through: wait for the first bytes of a request (idle) -> read the header ->
// read the body -> call the handler -> write the response -> idle again (keep-alive) or close.
// Each phase has its own deadline on the beast::tcp_stream; a deadline that passes closes the
// socket, which ends the pending operation with beast::error::timeout. A response goes out in
// one non-blocking write of head and body; only what the socket did not take at once is sent
// asynchronously, under the send deadline.
#include "http/server.h"

#include <fmt/compile.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <sys/resource.h>

#include <algorithm>
#include <array>
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
#include <csignal>
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <thread>
#include <unordered_map>
#include <vector>

#include "core/ascii.h"
#include "core/mutex.h"
#include "http/access_log.h"
#include "http/beast_names.h"
#include "http/error_body.h"
#include "http/fair_pool.h"
#include "http/response_head.h"
#include "http/url.h"

namespace cdrd::http {
namespace {

using Clock = std::chrono::steady_clock;

// How many bytes the idle read asks for: enough for a whole typical request in one read.
constexpr std::size_t kFirstReadBytes = std::size_t{8} * 1024;
// One read of a streamed body.
constexpr std::size_t kStreamChunkBytes = std::size_t{64} * 1024;
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

// The "api_id" a JSON body carries at its top level (first or last member), for the access log.
std::string api_id_of(std::string_view body) {
  constexpr std::string_view kKey = "\"api_id\"";
  constexpr std::size_t kLook = 256;
  for (const std::string_view part :
       {body.substr(0, kLook), body.substr(body.size() > kLook ? body.size() - kLook : 0)}) {
    const std::size_t key = part.find(kKey);
    if (key == std::string_view::npos) continue;
    const std::size_t open = part.find('"', key + kKey.size());
    const std::size_t close = open == std::string_view::npos ? open : part.find('"', open + 1);
    if (close != std::string_view::npos && close - open - 1 <= 64) {
      return std::string(part.substr(open + 1, close - open - 1));
    }
  }
  return {};
}

std::string endpoint_label(const tcp::endpoint& endpoint) {
  const auto address = endpoint.address();
  const std::string host = address.is_v6() ? "[" + address.to_string() + "]" : address.to_string();
  return host + ":" + std::to_string(endpoint.port());
}

bool is_http_protocol_error(const beast::error_code& ec) {
  return ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category();
}

class Session;

// Everything HttpServer::Impl is; a class of its own so that Session (in this unnamed
// namespace) may name it.
class ServerCore {
 public:
  ServerCore(ServerOptions options, Admitter admitter);
  ~ServerCore();

  // Binds and listens; kUnavailable naming the address when it cannot.
  Status listen();
  std::uint16_t port() const { return port_; }
  Status run() EXCLUDES(run_mutex_);
  void stop();

  // For sessions.
  const ServerOptions& options() const { return options_; }
  RouteDecision admit(const HttpRequest& head) const;
  HttpResponse render_error(std::string_view path, int status, std::string_view message) const;
  FairPool& pool() { return pool_; }
  spdlog::logger& log() const { return *log_; }
  // Null when each access line goes to the logger at once.
  AccessLog* access_log() const { return access_log_.get(); }
  bool stopping() const { return stopping_.load(std::memory_order_acquire); }
  void session_started(const std::shared_ptr<Session>& session) EXCLUDES(sessions_mutex_);
  void session_ended(Session* session) noexcept EXCLUDES(sessions_mutex_);

 private:
  void run_io(asio::io_context& io);
  void accept_next();
  void on_accept(const beast::error_code& ec, tcp::socket socket, asio::io_context& io);
  // At the connection cap: closes the longest-idle keep-alive connection, if there is one.
  bool close_an_idle_connection() EXCLUDES(sessions_mutex_);
  void begin_shutdown(std::string_view reason) EXCLUDES(sessions_mutex_);

  const ServerOptions options_;
  const Admitter admitter_;
  const std::shared_ptr<spdlog::logger> log_;
  const std::unique_ptr<AccessLog> access_log_;  // see ServerOptions::access_log_buffer_bytes
  std::string listen_label_;                     // "127.0.0.1:8080"
  std::uint16_t port_ = 0;

  std::atomic<bool> stopping_{false};      // shutdown has begun; read by sessions
  std::atomic<bool> tearing_down_{false};  // the destructor runs: nothing may be posted
  bool shutting_down_ = false;             // the same as stopping_, on the control strand

  // Live sessions, so that shutdown can reach the idle ones. Declared before the io_context so
  // that it outlives the sessions the io_context's destructor may still destroy.
  Mutex sessions_mutex_;
  std::unordered_map<Session*, std::weak_ptr<Session>> sessions_ GUARDED_BY(sessions_mutex_);

  // run() and the destructor: the destructor waits until a run() on another thread returned.
  Mutex run_mutex_;
  CondVar run_done_{&run_mutex_};
  bool running_ GUARDED_BY(run_mutex_) = false;

  // One io_context per I/O thread, each run by its thread alone: a connection lives on one of
  // them (round-robin at accept), so its reads, handler (if bounded) and writes stay on one
  // thread, with no wake-up of another I/O thread in between. The first also runs the control
  // strand. Each is kept running (keep_running_) until the shutdown begins.
  std::vector<std::unique_ptr<asio::io_context>> ios_;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> keep_running_;
  std::size_t next_io_ = 0;  // on the control strand
  asio::strand<asio::io_context::executor_type> control_;
  tcp::acceptor acceptor_;
  asio::signal_set signals_;
  asio::steady_timer grace_timer_;
  asio::steady_timer accept_retry_timer_;
  // Declared after the io_contexts: destroyed (its threads joined) first, as its tasks hold
  // sessions that live on the io_contexts.
  FairPool pool_;
};

// One connection. All member functions but start(), shutdown() and the idle queries run on the
// thread of the session's io_context.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(ServerCore& server, asio::io_context& io, tcp::socket&& socket)
      : server_(server),
        io_(io),
        options_(server.options()),
        stream_(std::move(socket)),
        accepted_at_(Clock::now()) {
    beast::error_code ec;
    const auto remote = stream_.socket().remote_endpoint(ec);
    if (!ec) remote_address_ = remote.address().to_string();
    // write_response's first write must not wait for a client that does not read.
    stream_.socket().non_blocking(true, ec);
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

  // Idle since (steady-clock ticks), or -1 when not idle: read from any thread.
  std::int64_t idle_since() const { return idle_since_.load(std::memory_order_relaxed); }
  // Closes the connection if it is still idle (the connection cap).
  void close_if_idle() {
    asio::post(stream_.get_executor(), [self = shared_from_this()] {
      if (self->phase_ == Phase::kIdle) {
        self->server_.log().debug("closing idle connection from {}: connection cap",
                                  self->remote_address_);
        self->close_now();
      }
    });
  }

 private:
  enum class Phase { kIdle, kReading, kHandling, kWriting, kClosing };

  void set_phase(Phase phase) {
    phase_ = phase;
    idle_since_.store(phase == Phase::kIdle ? Clock::now().time_since_epoch().count() : -1,
                      std::memory_order_relaxed);
  }

  // --- reading the head ---

  void wait_for_request() {
    set_phase(Phase::kIdle);
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
    stream_.async_read_some(
        buffer_.prepare(kFirstReadBytes),
        beast::bind_front_handler(&Session::on_first_bytes, shared_from_this()));
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
    set_phase(Phase::kReading);
    request_start_ = Clock::now();
    counted_ = false;
    request_ = HttpRequest{};
    decision_ = RouteDecision{};
    version_ = 11;
    keep_alive_ = false;
    head_ = false;
    body_pending_ = false;
    body_read_ = false;
    peek_request_line();
    head_parser_.emplace();
    head_parser_->header_limit(kMaxHeaderBytes);
    // Each route's own limit is checked after the head. (Not boost::none: Beast 1.74 compares a
    // Content-Length with an empty optional as if it were over the limit.)
    head_parser_->body_limit(std::numeric_limits<std::uint64_t>::max());

    auto header_deadline = request_start_ + options_.header_timeout;
    if (first_request_) {
      header_deadline = std::min(header_deadline, accepted_at_ + options_.header_timeout);
    }
    stream_.expires_at(std::min(header_deadline, request_start_ + options_.request_timeout));
    bhttp::async_read_header(stream_, buffer_, *head_parser_,
                             beast::bind_front_handler(&Session::on_header, shared_from_this()));
  }

  // Remembers the method and target of the request line in the buffer, if it is there whole, so
  // that a head the parser refuses can still be answered in the shape of its path's API.
  void peek_request_line() {
    peeked_method_.clear();
    peeked_target_.clear();
    const std::string_view received(static_cast<const char*>(buffer_.data().data()),
                                    std::min<std::size_t>(buffer_.size(), kFirstReadBytes));
    const std::size_t space = received.find(' ');
    if (space == std::string_view::npos || space > 32) return;
    const std::size_t end = received.find_first_of(" \r\n", space + 1);
    if (end == std::string_view::npos) return;
    peeked_method_.assign(received.substr(0, space));
    peeked_target_.assign(received.substr(space + 1, end - space - 1));
  }

  void on_header(beast::error_code ec, std::size_t) {
    if (ec) return on_read_error(ec);
    stream_.expires_at(request_start_ + options_.request_timeout);
    const auto& message = head_parser_->get();
    version_ = message.version();
    keep_alive_ = message.keep_alive();
    head_ = message.method() == bhttp::verb::head;
    body_pending_ = !head_parser_->is_done();

    request_.method.assign(sv(message.method_string()));
    for (char& c : request_.method) c = ascii_upper(c);
    request_.target.assign(sv(message.target()));
    request_.remote_address = remote_address_;
    for (const auto& field : message) {
      request_.headers.emplace_back(ascii_lower(sv(field.name_string())), sv(field.value()));
    }

    const std::string_view target = request_.target;
    const std::size_t question = target.find('?');
    auto path = percent_decode(target_path(target.substr(0, question)), false);
    std::optional<Params> query = Params();
    if (question != std::string_view::npos) query = parse_query(target.substr(question + 1));
    if (!path || !query) {
      return refuse(400,
                    "the request target has an invalid percent-encoding: write a byte as "
                    "% and two hex digits");
    }
    request_.path = std::move(*path);
    request_.query = std::move(*query);

    // Only chunked is a transfer coding we read (RFC 9112 section 6.1: 501 for others).
    const std::string_view coding = trim_blanks(sv(message[bhttp::field::transfer_encoding]));
    if (!coding.empty() && !iequals(coding, "chunked")) {
      return refuse(501, "Transfer-Encoding '" + std::string(coding) +
                             "' is not supported: send the body with Content-Length or "
                             "Transfer-Encoding: chunked");
    }

    try {
      decision_ = server_.admit(request_);
    } catch (const std::exception& e) {
      server_.log().error("admitting {} {} failed: {}", request_.method, request_.target, e.what());
      return refuse(500, "internal server error");
    }
    if (decision_.tenant.empty()) decision_.tenant = "address " + remote_address_;
    if (decision_.response) {
      HttpResponse response = std::move(*decision_.response);
      decision_.response.reset();
      return respond(std::move(response));
    }
    if (!decision_.handle && !decision_.sink) return refuse(500, "internal server error");

    const auto length = head_parser_->content_length();
    if (length && *length > decision_.max_body_bytes) return refuse_too_large();
    if (!body_pending_) return dispatch();

    // A client that asks to be told to go on (curl does for large bodies) waits for this
    // interim response before sending the body; the route has accepted the head by now.
    if (version_ >= 11 && iequals(sv(message[bhttp::field::expect]), "100-continue")) {
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

  // --- reading the body ---

  void read_body() {
    if (decision_.sink) {
      stream_parser_.emplace(std::move(*head_parser_));
      head_parser_.reset();
      stream_parser_->body_limit(decision_.max_body_bytes);
      piece_.clear();
      if (!chunk_) chunk_ = std::make_unique_for_overwrite<char[]>(kStreamChunkBytes);
      return read_stream();
    }
    body_parser_.emplace(std::move(*head_parser_));
    head_parser_.reset();
    body_parser_->body_limit(decision_.max_body_bytes);
    bhttp::async_read(stream_, buffer_, *body_parser_,
                      beast::bind_front_handler(&Session::on_body, shared_from_this()));
  }

  void on_body(beast::error_code ec, std::size_t) {
    if (ec) return on_read_error(ec);
    body_read_ = true;
    request_.body = std::move(body_parser_->get().body());
    body_parser_.reset();
    dispatch();
  }

  // A streamed body: read into chunk_ and gather pieces of up to stream_piece_bytes, each handed
  // to the sink on a worker before more is read (so at most one piece is in memory).
  void read_stream() {
    auto& body = stream_parser_->get().body();
    body.data = chunk_.get();
    body.size = kStreamChunkBytes;
    bhttp::async_read(stream_, buffer_, *stream_parser_,
                      beast::bind_front_handler(&Session::on_stream_read, shared_from_this()));
  }

  void on_stream_read(beast::error_code ec, std::size_t) {
    if (ec == bhttp::error::need_buffer) ec = {};
    if (ec) return on_read_error(ec);
    const std::size_t got = kStreamChunkBytes - stream_parser_->get().body().size;
    piece_.append(chunk_.get(), got);
    const bool done = stream_parser_->is_done();
    if (done) body_read_ = true;
    if (!done && piece_.size() + kStreamChunkBytes <= options_.stream_piece_bytes) {
      return read_stream();
    }
    auto sink = decision_.sink;
    auto piece = std::make_shared<std::string>(std::move(piece_));
    piece_.clear();
    run_on_worker(
        [sink, piece, done]() -> std::optional<HttpResponse> {
          if (auto stop = sink->write(*piece)) return stop;
          if (done) return sink->finish();
          return std::nullopt;
        },
        [this, done, piece](std::optional<HttpResponse> response) {
          if (response) {
            if (!done) body_pending_ = true;  // stopped early: the rest is unread
            return respond(std::move(*response));
          }
          // The sink is done with the piece: its room (already grown and touched) takes the
          // next one, instead of a new string growing to stream_piece_bytes again.
          piece_ = std::move(*piece);
          piece_.clear();
          read_stream();
        });
  }

  void on_read_error(const beast::error_code& ec) {
    if (request_.method.empty()) {
      // The head did not arrive whole: name what we saw of it (for the access log and the
      // shape of the error).
      request_.method = peeked_method_.empty() ? "-" : peeked_method_;
      request_.target = peeked_target_.empty() ? "-" : peeked_target_;
    }
    if (ec == bhttp::error::body_limit) return refuse_too_large();
    if (ec == bhttp::error::header_limit) {
      return refuse(431, "request header too large: the limit is " +
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
      return refuse(400, "malformed request: " + ec.message());
    }
    // The client went away (end of stream, reset, a partial message) or shutdown closed us.
    close_now();
  }

  // --- handling ---

  void dispatch() {
    if (decision_.sink) {  // a streamed route whose request has no body
      auto sink = decision_.sink;
      return run_on_worker(
          [sink]() -> std::optional<HttpResponse> {
            if (auto stop = sink->write({})) return stop;
            return sink->finish();
          },
          [this](std::optional<HttpResponse> response) { respond(std::move(*response)); });
    }
    if (decision_.bounded && options_.inline_bounded) return run_inline();
    auto request = std::make_shared<HttpRequest>(std::move(request_));
    request_ = HttpRequest{};
    request_.method = request->method;
    request_.target = request->target;
    request_.path = request->path;
    request_.remote_address = request->remote_address;
    run_on_worker([handle = decision_.handle,
                   request]() -> std::optional<HttpResponse> { return handle(*request); },
                  [this](std::optional<HttpResponse> response) { respond(std::move(*response)); });
  }

  // A bounded handler, here on the I/O thread (RouteDecision::bounded): no hand-off.
  void run_inline() {
    set_phase(Phase::kHandling);
    std::optional<HttpResponse> response;
    try {
      response = decision_.handle(request_);
    } catch (const std::exception& e) {
      server_.log().error("handler failed on {} {}: {}", request_.method, request_.target,
                          e.what());
    } catch (...) {
      server_.log().error("handler failed on {} {}: unknown exception", request_.method,
                          request_.target);
    }
    if (!response) return refuse(500, "internal server error");
    respond(std::move(*response));
  }

  // Runs `job` on a worker of the pool (as the request's tenant), then `then` with its result
  // back on this session's I/O thread. A full queue is answered 429 (this tenant) or 503 (all).
  void run_on_worker(std::function<std::optional<HttpResponse>()> job,
                     std::function<void(std::optional<HttpResponse>)> then) {
    set_phase(Phase::kHandling);
    auto self = shared_from_this();
    // Keeps run() from returning while a worker still has to answer this session.
    auto work = asio::make_work_guard(io_);
    const FairPool::Submitted submitted = server_.pool().submit(
        decision_.tenant,
        [self, job = std::move(job), then = std::move(then), work = std::move(work)]() mutable {
          std::optional<HttpResponse> response;
          try {
            response = job();
          } catch (const std::exception& e) {
            self->server_.log().error("handler failed on {} {}: {}", self->request_.method,
                                      self->request_.target, e.what());
            response =
                self->server_.render_error(self->request_.path, 500, "internal server error");
          } catch (...) {
            self->server_.log().error("handler failed on {} {}: unknown exception",
                                      self->request_.method, self->request_.target);
            response =
                self->server_.render_error(self->request_.path, 500, "internal server error");
          }
          asio::post(self->stream_.get_executor(),
                     [self, then = std::move(then), response = std::move(response),
                      work = std::move(work)]() mutable { then(std::move(response)); });
        });
    if (submitted == FairPool::Submitted::kQueued) return;
    if (submitted == FairPool::Submitted::kTenantFull) {
      return refuse(429,
                    "too many requests of this account at once: at most " +
                        std::to_string(server_.pool().limits().per_tenant_queued) +
                        " may wait; retry later",
                    "1");
    }
    refuse(503, "the server is busy: retry later", "1");
  }

  // --- writing ---

  // Answers an error the server raises itself, in the shape of the path's API; the connection
  // closes after it when a body is left unread.
  void refuse(int status, std::string_view message, std::string_view retry_after = {}) {
    HttpResponse response = server_.render_error(
        request_.path.empty() ? target_path(request_.target) : request_.path, status, message);
    if (!retry_after.empty()) response.headers.emplace_back("Retry-After", retry_after);
    respond(std::move(response));
  }

  void refuse_too_large() {
    body_pending_ = true;
    refuse(413, "request body too large: the limit of " + request_.method + " " + request_.path +
                    " is " + std::to_string(decision_.max_body_bytes) + " bytes");
  }

  void respond(HttpResponse&& out) {
    head_parser_.reset();
    body_parser_.reset();
    stream_parser_.reset();
    chunk_.reset();
    std::string().swap(piece_);
    decision_.sink.reset();
    std::string().swap(request_.body);  // free a large upload now, not at the next request
    if (out.status < 200 || out.status > 599) {
      server_.log().error("handler returned status {} for {} {}", out.status, request_.method,
                          request_.target);
      out = server_.render_error(request_.path, 500, "internal server error");
    }
    // A body left unread cannot be skipped reliably: close after answering (with linger).
    const bool unread = body_pending_ && !body_read_;
    const bool keep_alive = keep_alive_ && !unread && !server_.stopping() && request_.method != "-";
    api_id_ = api_id_of(out.body);
    try {
      response_ = {};
      response_.version(version_ ? version_ : 11);
      response_.result(static_cast<unsigned>(out.status));
      for (auto& [name, value] : out.headers) response_.insert(name, value);
      // 204 and 304 carry neither a body nor a length.
      const bool bodiless = out.status == 204 || out.status == 304;
      if (!bodiless && !out.content_type.empty()) {
        response_.set(bhttp::field::content_type, out.content_type);
      }
      if (out.stream && !bodiless) {
        if (head_) {
          // Neither a length nor chunks: what a GET would have had is not known yet.
          response_.keep_alive(keep_alive);
        } else {
          // HTTP/1.0 has no chunks: the body ends when the connection closes.
          const bool chunked = version_ >= 11;
          response_.keep_alive(keep_alive && chunked);
          response_.chunked(chunked);
          source_ = std::move(out.stream);
          return write_stream_head(keep_alive && chunked);
        }
      }
      response_.keep_alive(keep_alive);
      if (out.stream) {
        // HEAD of a streamed body: the head alone, above.
      } else if (head_) {
        response_.content_length(out.body.size());  // the length a GET would have had
      } else if (!bodiless) {
        response_.body() = std::move(out.body);
        response_.prepare_payload();
      }
    } catch (const std::exception& e) {  // e.g. a header name Beast refuses
      server_.log().error("cannot send the response to {} {}: {}", request_.method, request_.target,
                          e.what());
      HttpResponse error = server_.render_error(request_.path, 500, "internal server error");
      response_ = {};
      response_.version(11);
      response_.result(500);
      response_.set(bhttp::field::content_type, error.content_type);
      response_.keep_alive(false);
      response_.body() = std::move(error.body);
      response_.prepare_payload();
      return write_response(false, true);
    }
    write_response(keep_alive, /*linger=*/!keep_alive && unread);
  }

  // Hands head and body to the socket in one non-blocking write (writev): a response the
  // socket's buffer takes whole (every small one) is done at once, with no timer armed and no
  // completion to wait for; the rest of a larger one follows asynchronously under send_timeout.
  void write_response(bool keep_alive, bool linger) {
    set_phase(Phase::kWriting);
    keep_alive_after_ = keep_alive;
    linger_ = linger;
    count_request();
    serialize_response_head(response_.base(), head_bytes_);
    const std::string& body = response_.body();
    const std::array<asio::const_buffer, 2> whole{asio::buffer(head_bytes_), asio::buffer(body)};
    const std::size_t total = head_bytes_.size() + body.size();
    beast::error_code ec;
    const std::size_t sent = stream_.socket().write_some(whole, ec);
    if (ec && ec != asio::error::would_block && ec != asio::error::try_again) {
      return on_write(ec, 0);
    }
    if (!ec && sent == total) return on_write({}, sent);
    // The rest, as far as the client takes it: a client that does not read its response may
    // hold the connection send_timeout, no longer.
    unsent_ = beast::buffers_suffix<std::array<asio::const_buffer, 2>>(whole);
    unsent_->consume(ec ? 0 : sent);
    stream_.expires_after(options_.send_timeout);
    asio::async_write(stream_, *unsent_,
                      beast::bind_front_handler(&Session::on_write, shared_from_this()));
  }

  // --- a streamed body (BodySource) ---

  void write_stream_head(bool keep_alive) {
    set_phase(Phase::kWriting);
    keep_alive_after_ = keep_alive;
    linger_ = false;
    stream_done_ = false;
    stream_.expires_after(options_.send_timeout);
    head_writer_.emplace(response_);
    bhttp::async_write_header(
        stream_, *head_writer_,
        beast::bind_front_handler(&Session::on_stream_written, shared_from_this()));
  }

  // The head or a piece is out: ask for the next piece (backpressure: only now), or finish.
  void on_stream_written(beast::error_code ec, std::size_t) {
    stream_piece_.clear();
    if (ec) {
      server_.log().info("streamed response to {} {} cut short: {}", request_.method,
                         request_.target, ec.message());
      return end_stream(ec);
    }
    if (stream_done_) return end_stream({});
    make_next_piece();
  }

  void make_next_piece() {
    set_phase(Phase::kHandling);
    auto self = shared_from_this();
    auto work = asio::make_work_guard(io_);
    const FairPool::Submitted submitted = server_.pool().submit(
        decision_.tenant, [self, source = source_, work = std::move(work)]() mutable {
          Result<bool> more = Status::Internal("the body source failed");
          try {
            // The session does not touch stream_piece_ while the piece is being made.
            more = source->next(self->stream_piece_);
          } catch (const std::exception& e) {
            more = Status::Internal(e.what());
          } catch (...) {
            more = Status::Internal("unknown exception");
          }
          asio::post(self->stream_.get_executor(),
                     [self, more = std::move(more), work = std::move(work)]() mutable {
                       self->write_piece(std::move(more));
                     });
        });
    if (submitted != FairPool::Submitted::kQueued) {
      server_.log().warn("streamed response to {} {} cut short: the workers' queue is full",
                         request_.method, request_.target);
      end_stream(asio::error::no_buffer_space);
    }
  }

  void write_piece(Result<bool> more) {
    if (!more.ok()) {
      server_.log().error("streamed response to {} {} cut short: {}", request_.method,
                          request_.target, more.status().message());
      return end_stream(asio::error::operation_aborted);
    }
    stream_done_ = !*more;
    const bool chunked = response_.chunked();
    if (stream_piece_.empty() && !(stream_done_ && chunked)) {
      if (stream_done_) return end_stream({});
      return make_next_piece();  // nothing to write yet
    }
    set_phase(Phase::kWriting);
    static constexpr std::string_view kCrlf = "\r\n";
    static constexpr std::string_view kLastChunk = "0\r\n\r\n";
    // Members: the write keeps a view of the sequence until it completes.
    std::array<asio::const_buffer, 4>& buffers = piece_buffers_;
    std::size_t n = 0;
    if (chunked && !stream_piece_.empty()) {
      char size[20];
      const int len = std::snprintf(size, sizeof size, "%zx\r\n", stream_piece_.size());
      chunk_size_.assign(size, static_cast<std::size_t>(len));
      buffers[n++] = asio::buffer(chunk_size_);
      buffers[n++] = asio::buffer(stream_piece_);
      buffers[n++] = asio::buffer(kCrlf.data(), kCrlf.size());
    } else if (!stream_piece_.empty()) {
      buffers[n++] = asio::buffer(stream_piece_);
    }
    if (chunked && stream_done_) buffers[n++] = asio::buffer(kLastChunk.data(), kLastChunk.size());
    if (stream_done_) count_request();  // the last bytes of the body
    stream_.expires_after(options_.send_timeout);
    asio::async_write(stream_, std::span(buffers.data(), n),
                      beast::bind_front_handler(&Session::on_stream_written, shared_from_this()));
  }

  void end_stream(beast::error_code ec) {
    source_.reset();
    head_writer_.reset();
    std::string().swap(stream_piece_);
    on_write(ec, 0);
  }

  // Tells the observer of the request once, before the last bytes of its response are handed
  // to the socket: a client that has read a response finds it counted by the next scrape of the
  // metrics, on whatever connection (told after the write, the count could come later than a
  // scrape that the response's reader sends at once). A response cut short is told at its end.
  void count_request() {
    if (counted_ || !options_.observer) return;
    counted_ = true;
    options_.observer->request_done(request_.method, decision_.route,
                                    static_cast<int>(response_.result_int()),
                                    Clock::now() - request_start_);
  }

  void on_write(beast::error_code ec, std::size_t) {
    count_request();
    if (options_.access_log) log_access();
    response_ = {};  // free the body of a large response while the connection idles
    unsent_.reset();
    if (ec) return close_now();
    first_request_ = false;
    body_pending_ = false;
    body_read_ = false;
    if (linger_ || !keep_alive_after_) return linger();  // the client reads, then sees the end
    wait_for_request();
  }

  // The request's access line: "ADDRESS ACCOUNT METHOD TARGET STATUS 0.05ms API_ID" (`-` for
  // what is missing), into the server's AccessLog when it gathers lines, else to the logger.
  void log_access() {
    spdlog::logger& log = server_.log();
    if (!log.should_log(spdlog::level::info)) return;
    const std::chrono::duration<double, std::milli> elapsed = Clock::now() - request_start_;
    std::string redacted;
    std::string_view target = request_.target;
    if (options_.redact_numbers) {
      redacted = redact_numbers(target);
      target = redacted;
    }
    const auto or_dash = [](const std::string& s) {
      return s.empty() ? std::string_view("-") : std::string_view(s);
    };
    thread_local fmt::memory_buffer line;  // reused by every line of the thread
    line.clear();
    fmt::format_to(std::back_inserter(line), FMT_COMPILE("{} {} {} {} {} {:.2f}ms {}"),
                   or_dash(remote_address_), or_dash(decision_.account),
                   std::string_view(request_.method), target, response_.result_int(),
                   elapsed.count(), or_dash(api_id_));
    const std::string_view message(line.data(), line.size());
    if (AccessLog* access = server_.access_log()) {
      access->log(message);
    } else {
      log.info("{}", message);
    }
  }

  // --- closing ---

  // Stops sending and drains what the client still sends until it closes or kLingerTime
  // passes (see kLingerTime).
  void linger() {
    set_phase(Phase::kClosing);
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
    set_phase(Phase::kClosing);
    stream_.close();
  }

  ServerCore& server_;
  asio::io_context& io_;  // the one the connection runs on
  const ServerOptions& options_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;  // one per connection, reused by every request on it
  std::optional<bhttp::request_parser<bhttp::empty_body>> head_parser_;
  std::optional<bhttp::request_parser<bhttp::string_body>> body_parser_;
  std::optional<bhttp::request_parser<bhttp::buffer_body>> stream_parser_;
  // A streamed body's reads land in chunk_ (allocated only while one is read: an idle or
  // refused connection costs no more than its read buffer) and gather in piece_ until handed
  // to the sink.
  std::unique_ptr<char[]> chunk_;
  std::string piece_;
  bhttp::response<bhttp::string_body> response_;  // must live until its write completes
  std::string head_bytes_;  // response_'s head as sent (write_response), reused
  // What the first write of a response left, while the rest is being sent.
  std::optional<beast::buffers_suffix<std::array<asio::const_buffer, 2>>> unsent_;
  // A streamed body: its source, the serializer of its head, the piece being made or written
  // and the chunk-size line before it.
  std::shared_ptr<BodySource> source_;
  std::optional<bhttp::response_serializer<bhttp::string_body>> head_writer_;
  std::string stream_piece_;
  std::string chunk_size_;
  std::array<asio::const_buffer, 4> piece_buffers_;
  bool stream_done_ = false;
  bool counted_ = false;  // the observer was told of this request (count_request)
  HttpRequest request_;   // the current request, as the handler sees it
  RouteDecision decision_;
  std::string api_id_;
  std::string peeked_method_;
  std::string peeked_target_;
  std::string remote_address_;
  Phase phase_ = Phase::kIdle;
  std::atomic<std::int64_t> idle_since_{-1};
  unsigned version_ = 11;
  bool keep_alive_ = false;        // the client's wish for this request
  bool keep_alive_after_ = false;  // what the response said
  bool head_ = false;
  bool body_pending_ = false;  // the request announced a body
  bool body_read_ = false;
  bool first_request_ = true;
  bool linger_ = false;
  Clock::time_point accepted_at_;
  Clock::time_point request_start_;
};

// --- ServerCore ---

ServerOptions normalized(ServerOptions options) {
  options.threads = std::max(options.threads, 1);
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  if (options.workers <= 0) options.workers = std::max(4, 2 * cores);
  // A tenant may keep half the cores busy, so another always finds a core of its own.
  if (options.max_running_per_tenant <= 0) {
    options.max_running_per_tenant = std::max(1, cores / 2);
  }
  options.stream_piece_bytes = std::max(options.stream_piece_bytes, std::size_t{64} * 1024);
  if (!options.error_renderer) {
    options.error_renderer = [](std::string_view, int status, std::string_view message) {
      return error_response(status, message);
    };
  }
  return options;
}

// Raises the soft limit on open files to the hard limit; the connection cap must fit in it.
ServerOptions fit_to_open_file_limit(ServerOptions options, spdlog::logger& log) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return options;
  if (options.raise_fd_limit && limit.rlim_cur < limit.rlim_max) {
    const rlim_t before = limit.rlim_cur;
    limit.rlim_cur = limit.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &limit) == 0) {
      log.info("raised the open-file limit from {} to {}", before, limit.rlim_cur);
    } else {
      getrlimit(RLIMIT_NOFILE, &limit);
    }
  }
  // Room for the database, the log and the listening socket.
  constexpr rlim_t kReserved = 64;
  if (options.max_connections > 0 && limit.rlim_cur != RLIM_INFINITY &&
      options.max_connections + kReserved > limit.rlim_cur) {
    const std::size_t fitted =
        limit.rlim_cur > 2 * kReserved ? limit.rlim_cur - kReserved : kReserved;
    log.warn("the open-file limit is {}: at most {} connections (asked for {})", limit.rlim_cur,
             fitted, options.max_connections);
    options.max_connections = fitted;
  }
  return options;
}

FairPool::Limits pool_limits(const ServerOptions& options) {
  FairPool::Limits limits;
  limits.threads = options.workers;
  limits.per_tenant_running = options.max_running_per_tenant;
  limits.per_tenant_queued = options.max_queued_per_tenant;
  limits.max_queued = options.max_queued;
  return limits;
}

ServerCore::ServerCore(ServerOptions options, Admitter admitter)
    : options_(fit_to_open_file_limit(normalized(std::move(options)), *http_logger())),
      admitter_(std::move(admitter)),
      log_(http_logger()),
      access_log_(options_.access_log && options_.access_log_buffer_bytes > 0
                      ? std::make_unique<AccessLog>(
                            AccessLog::Options{.buffer_bytes = options_.access_log_buffer_bytes,
                                               .flush_interval = options_.access_log_flush})
                      : nullptr),
      ios_([&] {
        std::vector<std::unique_ptr<asio::io_context>> ios;
        ios.reserve(static_cast<std::size_t>(options_.threads));
        for (int i = 0; i < options_.threads; ++i) {
          ios.push_back(std::make_unique<asio::io_context>(1));
        }
        return ios;
      }()),
      control_(asio::make_strand(*ios_.front())),
      acceptor_(control_),
      signals_(control_),
      grace_timer_(control_),
      accept_retry_timer_(control_),
      pool_(pool_limits(options_)) {}

Status ServerCore::listen() {
  const std::string wanted = options_.address + ":" + std::to_string(options_.port);
  auto fail = [&](const std::string& what, const beast::error_code& ec) {
    return Status::Unavailable("cannot listen on " + wanted + ": " + what + ": " + ec.message());
  };
  beast::error_code ec;
  // Resolving accepts an IP address as well as a name such as "localhost".
  tcp::resolver resolver(*ios_.front());
  const auto endpoints =
      resolver.resolve(options_.address, std::to_string(options_.port),
                       tcp::resolver::passive | tcp::resolver::numeric_service, ec);
  if (ec || endpoints.empty()) return fail("cannot resolve the address", ec);
  const tcp::endpoint endpoint = endpoints.begin()->endpoint();

  acceptor_.open(endpoint.protocol(), ec);
  if (ec) return fail("open", ec);
  acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (ec) return fail("set reuse_address", ec);
  acceptor_.bind(endpoint, ec);
  if (ec) return fail("bind", ec);
  acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return fail("listen", ec);
  const auto local = acceptor_.local_endpoint(ec);
  if (ec) return fail("local_endpoint", ec);
  port_ = local.port();
  listen_label_ = endpoint_label(local);
  return Status::Ok();
}

ServerCore::~ServerCore() {
  stop();
  {
    MutexLock lock(&run_mutex_);
    while (running_) run_done_.wait();
  }
  pool_.stop();
  // Sessions the io_context still holds die with it; they must not post anything then.
  tearing_down_.store(true);
}

RouteDecision ServerCore::admit(const HttpRequest& head) const { return admitter_(head); }

HttpResponse ServerCore::render_error(std::string_view path, int status,
                                      std::string_view message) const {
  return options_.error_renderer(path, status, message);
}

Status ServerCore::run() {
  {
    MutexLock lock(&run_mutex_);
    if (running_) return Status::Internal("HttpServer::run() is already running");
    running_ = true;
  }
  struct MarkDone {
    ServerCore& core;
    ~MarkDone() {
      MutexLock lock(&core.run_mutex_);
      core.running_ = false;
      core.run_done_.signal_all();
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
  log_->info("listening on {} ({} I/O thread{}, {} workers, at most {} connections)", listen_label_,
             options_.threads, options_.threads == 1 ? "" : "s", options_.workers,
             options_.max_connections);

  std::vector<std::thread> workers;
  workers.reserve(ios_.size() - 1);
  // The first io_context has work while it accepts; the others wait for connections until the
  // shutdown begins (begin_shutdown, on the first io_context's thread, lets them go).
  if (!stopping()) {
    for (std::size_t i = 1; i < ios_.size(); ++i) {
      keep_running_.push_back(asio::make_work_guard(*ios_[i]));
    }
  }
  for (std::size_t i = 1; i < ios_.size(); ++i) {
    workers.emplace_back([this, i] { run_io(*ios_[i]); });
  }
  run_io(*ios_.front());
  for (auto& worker : workers) worker.join();
  // Workers still running a handler after a forced stop finish it; their answers go nowhere.
  pool_.stop();
  if (access_log_) access_log_->flush();  // every request's line, before the stop's own
  log_->info("stopped listening on {}", listen_label_);
  return Status::Ok();
}

void ServerCore::run_io(asio::io_context& io) {
  for (;;) {
    try {
      io.run();
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
  // Each connection lives on the next I/O thread's io_context in turn (no strand: that thread
  // alone runs it).
  asio::io_context& io = *ios_[next_io_++ % ios_.size()];
  acceptor_.async_accept(io.get_executor(),
                         [this, &io](const beast::error_code& ec, tcp::socket socket) {
                           on_accept(ec, std::move(socket), io);
                         });
}

bool ServerCore::close_an_idle_connection() {
  std::shared_ptr<Session> oldest;
  std::int64_t oldest_since = 0;
  {
    MutexLock lock(&sessions_mutex_);
    for (const auto& [raw, weak] : sessions_) {
      const std::int64_t since = raw->idle_since();
      if (since >= 0 && (!oldest || since < oldest_since)) {
        if (auto session = weak.lock()) {
          oldest = std::move(session);
          oldest_since = since;
        }
      }
    }
  }
  if (!oldest) return false;
  oldest->close_if_idle();
  return true;
}

void ServerCore::on_accept(const beast::error_code& ec, tcp::socket socket, asio::io_context& io) {
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
  if (options_.max_connections > 0) {
    std::size_t open;
    {
      MutexLock lock(&sessions_mutex_);
      open = sessions_.size();
    }
    if (open >= options_.max_connections && !close_an_idle_connection()) {
      // Refused cleanly: a short 503 the kernel's send buffer takes at once, then close.
      static const std::string kRefusal = [] {
        const HttpResponse r = error_response(503, "too many connections: retry later");
        return "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
               "Retry-After: 1\r\nConnection: close\r\nContent-Length: " +
               std::to_string(r.body.size()) + "\r\n\r\n" + r.body;
      }();
      beast::error_code ignored;
      socket.non_blocking(true, ignored);
      socket.write_some(asio::buffer(kRefusal), ignored);
      socket.shutdown(tcp::socket::shutdown_both, ignored);
      socket.close(ignored);
      log_->warn("refused a connection: {} connections are open (the cap)", open);
      return accept_next();
    }
  }
  beast::error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);  // responses go out as soon as written
  std::make_shared<Session>(*this, io, std::move(socket))->start();
  accept_next();
}

void ServerCore::session_started(const std::shared_ptr<Session>& session) {
  {
    MutexLock lock(&sessions_mutex_);
    sessions_.emplace(session.get(), session);
  }
  if (options_.observer) options_.observer->connection_opened();
}

void ServerCore::session_ended(Session* session) noexcept {
  bool none_left;
  bool erased;
  {
    MutexLock lock(&sessions_mutex_);
    erased = sessions_.erase(session) > 0;
    none_left = sessions_.empty();
  }
  if (erased && options_.observer) options_.observer->connection_closed();
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
  if (options_.on_shutdown) options_.on_shutdown();

  beast::error_code ignored;
  acceptor_.close(ignored);
  keep_running_.clear();  // each I/O thread returns once its connections have closed
  accept_retry_timer_.cancel();
  // A second SIGINT/SIGTERM now gets the default action and ends the process at once.
  signals_.cancel(ignored);
  signals_.clear(ignored);

  std::vector<std::shared_ptr<Session>> live;
  {
    MutexLock lock(&sessions_mutex_);
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
      MutexLock lock(&sessions_mutex_);
      left = sessions_.size();
    }
    if (left == 0) return;
    log_->warn("{} connection(s) still open after the {}ms grace period; stopping anyway", left,
               options_.shutdown_grace.count());
    for (auto& io : ios_) io->stop();
  });
}

}  // namespace

// --- HttpServer ---

struct HttpServer::Impl : ServerCore {
  using ServerCore::ServerCore;
};

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Result<std::unique_ptr<HttpServer>> HttpServer::create(ServerOptions options, Admitter admitter) {
  auto impl = std::make_unique<Impl>(std::move(options), std::move(admitter));
  RETURN_IF_ERROR(impl->listen());
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

Result<std::unique_ptr<HttpServer>> HttpServer::create(ServerOptions options, Handler handler) {
  const std::size_t limit = options.max_body_bytes;
  return create(std::move(options), [limit, handler = std::move(handler)](const HttpRequest&) {
    RouteDecision decision;
    decision.max_body_bytes = limit;
    decision.handle = handler;
    return decision;
  });
}

HttpServer::~HttpServer() = default;

std::uint16_t HttpServer::port() const { return impl_->port(); }
Status HttpServer::run() { return impl_->run(); }
void HttpServer::stop() { impl_->stop(); }

}  // namespace cdrd::http
