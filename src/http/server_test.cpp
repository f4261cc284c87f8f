// HttpServer tests: a real server on a free port, run() on a background thread, spoken to by
// HttpClient and, for what a well-behaved client never sends, by a raw socket.
#include "http/server.h"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <future>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <regex>
#include <stdexcept>
#include <thread>

#include "http/client.h"
#include "http/url.h"
#include "testing/http_client.h"

namespace cdrd::http {
namespace {

// The Asio and Beast names of server.cpp and client.cpp, repeated here on purpose: the raw
// connection below speaks those types directly, to send what HttpClient never would.
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

std::chrono::milliseconds since(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
}

ServerOptions test_options() {
  ServerOptions options;
  options.address = "127.0.0.1";
  options.port = 0;
  options.threads = 2;
  options.handle_signals = false;
  options.shutdown_grace = 3s;
  return options;
}

// Remembers every request a handler saw (handlers run on the server's threads).
class Recorder {
 public:
  void add(const HttpRequest& request) {
    std::lock_guard lock(mutex_);
    requests_.push_back(request);
  }
  std::size_t count() {
    std::lock_guard lock(mutex_);
    return requests_.size();
  }
  HttpRequest last() {
    std::lock_guard lock(mutex_);
    return requests_.empty() ? HttpRequest() : requests_.back();
  }

 private:
  std::mutex mutex_;
  std::vector<HttpRequest> requests_;
};

// Answers with the decoded path as text, and records the request.
Handler echo_path(Recorder& recorder) {
  return [&recorder](const HttpRequest& request) {
    recorder.add(request);
    HttpResponse response;
    response.content_type = "text/plain";
    response.body = request.path;
    return response;
  };
}

using cdrd::testing::TestClient;

// The server HttpServer::create() makes; a server that cannot listen fails the test.
template <class Routing>
std::unique_ptr<HttpServer> listening(ServerOptions options, Routing routing) {
  Result<std::unique_ptr<HttpServer>> server =
      HttpServer::create(std::move(options), std::move(routing));
  if (!server.ok()) throw std::runtime_error(server.status().message());
  return std::move(server).value();
}

// A server on a free port whose run() runs on a background thread until stop_and_join().
class RunningServer {
 public:
  explicit RunningServer(Handler handler, ServerOptions options = test_options())
      : server_(listening(std::move(options), std::move(handler))),
        thread_([this] { EXPECT_TRUE(server_->run().ok()); }) {}
  RunningServer(Admitter admitter, ServerOptions options)
      : server_(listening(std::move(options), std::move(admitter))),
        thread_([this] { EXPECT_TRUE(server_->run().ok()); }) {}
  ~RunningServer() { stop_and_join(); }

  std::uint16_t port() const { return server_->port(); }
  HttpServer& server() { return *server_; }
  TestClient client() const {
    TestClient client("127.0.0.1", port());
    client.set_timeout(3s);
    return client;
  }
  // Calls stop() and waits for run() to return; returns how long that took.
  std::chrono::milliseconds stop_and_join() {
    if (!thread_.joinable()) return 0ms;
    const auto start = Clock::now();
    server_->stop();
    thread_.join();
    return since(start);
  }
  // Waits for a run() that something else stopped.
  void join() { thread_.join(); }

 private:
  std::unique_ptr<HttpServer> server_;
  std::thread thread_;
};

// A plain TCP connection, for sending what HttpClient never would. Every wait has a limit.
class RawConnection {
 public:
  explicit RawConnection(std::uint16_t port) : socket_(ioc_) {
    socket_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  }

  void send(std::string_view bytes) {
    asio::write(socket_, asio::buffer(bytes.data(), bytes.size()));
  }

  // The next response, or nullopt if the connection ended or none came within `limit` (or its
  // body is over `body_limit` bytes).
  std::optional<bhttp::response<bhttp::string_body>> read_response(
      std::chrono::milliseconds limit = 3s,
      std::uint64_t body_limit = std::uint64_t{8} * 1024 * 1024) {
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(body_limit);
    beast::error_code result = asio::error::would_block;
    bhttp::async_read(socket_, buffer_, parser,
                      [&result](beast::error_code ec, std::size_t) { result = ec; });
    if (!run_for(limit) || result) return std::nullopt;
    return parser.release();
  }

  // True if the server closes the connection within `limit` (and sends nothing before).
  bool closed_within(std::chrono::milliseconds limit) {
    if (buffer_.size() > 0) return false;
    char byte;
    beast::error_code result = asio::error::would_block;
    socket_.async_read_some(asio::buffer(&byte, 1), [&result](beast::error_code ec, std::size_t) {
      result = ec ? ec : asio::error::already_connected;  // any error but eof/reset: data came
    });
    if (!run_for(limit)) return false;
    return result == asio::error::eof || result == asio::error::connection_reset;
  }

 private:
  // Runs the pending operation for at most `limit`; false (operation cancelled) if it did not
  // complete in time.
  bool run_for(std::chrono::milliseconds limit) {
    ioc_.restart();
    ioc_.run_for(limit);
    if (ioc_.stopped()) return true;
    beast::error_code ignored;
    socket_.cancel(ignored);
    ioc_.restart();
    ioc_.run();
    return false;
  }

  asio::io_context ioc_;
  tcp::socket socket_;
  beast::flat_buffer buffer_;
};

// {"api_id": "<uuid v4>", "error": "<error>"}, those two members in that order (compared as
// parsed JSON, so spacing does not matter); any error text when `error` is empty.
bool is_error_body(const std::string& body, const std::string& error) {
  static const std::regex uuid(
      "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  rapidjson::Document d;
  d.Parse(body.c_str(), body.size());
  if (d.HasParseError() || !d.IsObject() || d.MemberCount() != 2) return false;
  const auto api_id = d.MemberBegin();
  const auto message = api_id + 1;
  return std::string_view(api_id->name.GetString()) == "api_id" && api_id->value.IsString() &&
         std::regex_match(api_id->value.GetString(), uuid) &&
         std::string_view(message->name.GetString()) == "error" && message->value.IsString() &&
         (error.empty() || message->value.GetString() == error);
}

// Each test starts its own server (and raw connection) and states one behaviour, from the bytes
// sent to the answer; the opening lines they share stay in each test so that it reads alone.
TEST(HttpServer, RoundTrip) {
  Recorder recorder;
  RunningServer server([&recorder](const HttpRequest& request) {
    recorder.add(request);
    HttpResponse response;
    response.status = 201;
    response.content_type = "text/plain";
    response.body = "got " + request.method + " " + request.body;
    response.headers = {{"X-Reply", "yes"}};
    return response;
  });
  ASSERT_NE(server.port(), 0);

  auto client = server.client();
  const auto response = client.request("POST", "/echo", "hello", {{"X-Test", "abc"}});
  EXPECT_EQ(response.status, 201);
  EXPECT_EQ(response.body, "got POST hello");
  EXPECT_EQ(response.header("content-type"), "text/plain");
  EXPECT_EQ(response.header("content-length"), "14");
  EXPECT_EQ(response.header("x-reply"), "yes");

  ASSERT_EQ(recorder.count(), 1u);
  const HttpRequest seen = recorder.last();
  EXPECT_EQ(seen.method, "POST");
  EXPECT_EQ(seen.target, "/echo");
  EXPECT_EQ(seen.path, "/echo");
  EXPECT_TRUE(seen.query.empty());
  EXPECT_EQ(seen.body, "hello");
  EXPECT_EQ(seen.header("x-test"), "abc");
  EXPECT_EQ(seen.header("content-length"), "5");
  EXPECT_EQ(seen.header("host"), "127.0.0.1:" + std::to_string(server.port()));
  EXPECT_EQ(seen.remote_address, "127.0.0.1");
}

TEST(HttpServer, DecodesPathAndQuery) {
  Recorder recorder;
  RunningServer server(echo_path(recorder));
  auto client = server.client();
  const std::string target = "/v1/Account/MA%20X/Call/?limit=5&to=%2B1555&name=a+b&name=c&flag";
  const auto response = client.get(target);
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, "/v1/Account/MA X/Call/");

  const HttpRequest seen = recorder.last();
  EXPECT_EQ(seen.target, target);
  EXPECT_EQ(seen.path, "/v1/Account/MA X/Call/");
  const Params expected = {
      {"limit", "5"}, {"to", "+1555"}, {"name", "a b"}, {"name", "c"}, {"flag", ""}};
  EXPECT_EQ(seen.query, expected);
}

TEST(HttpServer, MethodIsUpperCasedAndHeaderNamesLowerCased) {
  Recorder recorder;
  RunningServer server(echo_path(recorder));
  RawConnection raw(server.port());
  raw.send("get /x HTTP/1.1\r\nHost: a\r\nX-MiXeD-Case: Value\r\n\r\n");
  const auto response = raw.read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->result_int(), 200u);
  EXPECT_EQ(recorder.last().method, "GET");
  EXPECT_EQ(recorder.last().header("x-mixed-case"), "Value");
}

TEST(HttpServer, UndecodableTargetGets400AndTheConnectionStays) {
  Recorder recorder;
  RunningServer server(echo_path(recorder));
  auto client = server.client();
  for (const std::string target : {"/calls?to=%zz", "/bad%2"}) {
    const auto response = client.get(target);
    EXPECT_EQ(response.status, 400) << target;
    EXPECT_EQ(response.header("content-type"), "application/json");
    EXPECT_TRUE(is_error_body(response.body, "")) << response.body;
  }
  EXPECT_EQ(recorder.count(), 0u);
  EXPECT_EQ(client.get("/fine").status, 200);
}

TEST(HttpServer, KeepAliveServesPipelinedRequestsOnOneConnection) {
  Recorder recorder;
  RunningServer server(echo_path(recorder));
  RawConnection raw(server.port());
  raw.send(
      "GET /a HTTP/1.1\r\nHost: x\r\n\r\n"
      "POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nxyz"
      "GET /c HTTP/1.1\r\nHost: x\r\n\r\n");
  for (const std::string path : {"/a", "/b", "/c"}) {
    const auto response = raw.read_response();
    ASSERT_TRUE(response) << path;
    EXPECT_EQ(response->body(), path);
    EXPECT_TRUE(response->keep_alive());
  }
  // And later requests on the same connection.
  raw.send("GET /d HTTP/1.1\r\nHost: x\r\n\r\n");
  const auto later = raw.read_response();
  ASSERT_TRUE(later);
  EXPECT_EQ(later->body(), "/d");
}

// A response larger than the socket takes at once (the client reads only after a while): the
// first write hands over what fits, the rest follows, and the connection serves on.
TEST(HttpServer, AResponseTheSocketCannotTakeAtOnceArrivesWholeAndTheConnectionStays) {
  // More than the socket's buffers hold (a send buffer grows to 4 MiB at most here).
  std::string big(std::size_t{24} * 1024 * 1024, '\0');
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>('a' + i * 7 % 26);
  RunningServer server([&big](const HttpRequest& request) {
    HttpResponse response;
    response.content_type = "text/plain";
    response.body = request.path == "/big" ? big : request.path;
    return response;
  });
  RawConnection raw(server.port());
  raw.send("GET /big HTTP/1.1\r\nHost: x\r\n\r\nGET /small HTTP/1.1\r\nHost: x\r\n\r\n");
  std::this_thread::sleep_for(200ms);  // the server's first write fills the socket's buffers
  const auto first = raw.read_response(10s, big.size());
  ASSERT_TRUE(first);
  EXPECT_EQ(first->result_int(), 200u);
  EXPECT_EQ(first->body().size(), big.size());
  EXPECT_TRUE(first->body() == big);
  const auto second = raw.read_response();
  ASSERT_TRUE(second);
  EXPECT_EQ(second->body(), "/small");
}

TEST(HttpServer, ClientKeepsItsConnectionAcrossRequests) {
  Recorder recorder;
  RunningServer server(echo_path(recorder));
  auto client = server.client();
  for (int i = 0; i < 20; ++i) {
    const auto response = client.get("/n/" + std::to_string(i));
    ASSERT_EQ(response.status, 200);
    EXPECT_EQ(response.body, "/n/" + std::to_string(i));
    EXPECT_NE(response.header("connection"), "close");
  }
}

TEST(HttpServer, Http10ClosesUnlessAskedToKeepAlive) {
  Recorder recorder;
  RunningServer server(echo_path(recorder));
  {
    RawConnection raw(server.port());
    raw.send("GET /old HTTP/1.0\r\n\r\n");
    const auto response = raw.read_response();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->version(), 10u);
    EXPECT_EQ(response->body(), "/old");
    EXPECT_TRUE(raw.closed_within(2s));
  }
  {
    RawConnection raw(server.port());
    for (int i = 0; i < 2; ++i) {
      raw.send("GET /again HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
      const auto response = raw.read_response();
      ASSERT_TRUE(response) << i;
      EXPECT_TRUE(response->keep_alive());
    }
  }
}

TEST(HttpServer, HeadGetsTheLengthButNoBody) {
  Recorder recorder;
  RunningServer server(echo_path(recorder));
  auto client = server.client();
  const auto response = client.request("HEAD", "/twelve/chars");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.header("content-length"), "13");
  EXPECT_EQ(response.body, "");
  EXPECT_EQ(client.get("/after").body, "/after");  // the connection is still in step
}

TEST(HttpServer, NoContentHasNoBodyOrLength) {
  RunningServer server([](const HttpRequest&) {
    HttpResponse response;
    response.status = 204;
    response.body = "ignored";
    return response;
  });
  RawConnection raw(server.port());
  raw.send("DELETE /x HTTP/1.1\r\nHost: x\r\n\r\nGET /y HTTP/1.1\r\nHost: x\r\n\r\n");
  for (int i = 0; i < 2; ++i) {
    const auto response = raw.read_response();
    ASSERT_TRUE(response) << i;
    EXPECT_EQ(response->result_int(), 204u);
    EXPECT_EQ(response->count(bhttp::field::content_length), 0u);
    EXPECT_EQ(response->body(), "");
  }
}

TEST(HttpServer, OversizedBodyGets413AndTheConnectionCloses) {
  Recorder recorder;
  auto options = test_options();
  options.max_body_bytes = 1024;
  RunningServer server(echo_path(recorder), options);
  const std::string expected_error =
      "request body too large: the limit of POST /upload is 1024 bytes";

  // A body much larger than the socket buffers: the server must drain it, or the client
  // could not finish sending and would never read the answer.
  auto client = server.client();
  const auto response = client.request("POST", "/upload", std::string(1 << 20, 'x'));
  EXPECT_EQ(response.status, 413);
  EXPECT_EQ(response.header("connection"), "close");
  EXPECT_TRUE(is_error_body(response.body, expected_error)) << response.body;
  EXPECT_EQ(client.request("POST", "/upload", std::string(1024, 'x')).status, 200);

  // Refused on the header alone, before any body byte is sent.
  RawConnection by_length(server.port());
  by_length.send("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 1025\r\n\r\n");
  auto refused = by_length.read_response();
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->result_int(), 413u);
  EXPECT_TRUE(by_length.closed_within(2s));

  // A chunked body has no length up front; it is refused when it passes the limit.
  RawConnection chunked(server.port());
  chunked.send("POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n800\r\n" +
               std::string(0x800, 'y') + "\r\n0\r\n\r\n");
  refused = chunked.read_response();
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->result_int(), 413u);
  EXPECT_EQ(recorder.count(), 1u);  // only the request within the limit
}

TEST(HttpServer, MalformedRequestGets400AndTheServerKeepsServing) {
  Recorder recorder;
  RunningServer server(echo_path(recorder));
  for (const std::string& garbage :
       {std::string("this is not http\r\n\r\n"), std::string("\x16\x03\x01\x02\x00\x01\x00\xff", 8),
        std::string("GET / HTTP/1.1\r\nBad Header\r\n\r\n"),
        std::string("POST / HTTP/1.1\r\nContent-Length: nope\r\n\r\n")}) {
    RawConnection raw(server.port());
    raw.send(garbage);
    const auto response = raw.read_response();
    ASSERT_TRUE(response) << garbage;
    EXPECT_EQ(response->result_int(), 400u) << garbage;
    EXPECT_FALSE(response->keep_alive());
    EXPECT_TRUE(is_error_body(response->body(), "")) << response->body();
    EXPECT_TRUE(raw.closed_within(2s));
  }
  EXPECT_EQ(recorder.count(), 0u);
  EXPECT_EQ(server.client().get("/still/here").body, "/still/here");
}

TEST(HttpServer, ClientDisconnectingMidRequestIsHarmless) {
  Recorder recorder;
  RunningServer server(echo_path(recorder));
  {
    RawConnection raw(server.port());
    raw.send("POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\npartial");
  }
  {
    RawConnection raw(server.port());
    raw.send("GET /half-a-hea");
  }
  EXPECT_EQ(server.client().get("/still/here").body, "/still/here");
  EXPECT_EQ(recorder.count(), 1u);
}

TEST(HttpServer, HeaderTooLargeGets431) {
  Recorder recorder;
  RunningServer server(echo_path(recorder));
  RawConnection raw(server.port());
  raw.send("GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(20'000, 'a') + "\r\n\r\n");
  const auto response = raw.read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->result_int(), 431u);
  EXPECT_EQ(recorder.count(), 0u);
}

TEST(HttpServer, ExpectContinueGetsAnInterimResponse) {
  Recorder recorder;
  RunningServer server(echo_path(recorder));
  RawConnection raw(server.port());
  raw.send("PUT /put HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
  const auto interim = raw.read_response();
  ASSERT_TRUE(interim);
  EXPECT_EQ(interim->result_int(), 100u);
  raw.send("hello");
  const auto response = raw.read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->result_int(), 200u);
  EXPECT_EQ(recorder.last().body, "hello");
}

TEST(HttpServer, HandlerExceptionGives500AndTheConnectionStays) {
  RunningServer server([](const HttpRequest& request) -> HttpResponse {
    if (request.path == "/boom") throw std::runtime_error("the store is on fire");
    if (request.path == "/weird") throw 42;
    return HttpResponse{200, "text/plain", "ok", {}};
  });
  auto client = server.client();
  for (const std::string path : {"/boom", "/weird"}) {
    const auto response = client.get(path);
    EXPECT_EQ(response.status, 500);
    EXPECT_EQ(response.header("content-type"), "application/json");
    // The client learns nothing of the exception.
    EXPECT_TRUE(is_error_body(response.body, "internal server error")) << response.body;
  }
  EXPECT_EQ(client.get("/fine").body, "ok");
}

TEST(HttpServer, HeaderTimeoutClosesASilentConnection) {
  Recorder recorder;
  auto options = test_options();
  options.header_timeout = 200ms;
  RunningServer server(echo_path(recorder), options);

  RawConnection silent(server.port());
  auto start = Clock::now();
  EXPECT_TRUE(silent.closed_within(2s));
  EXPECT_GE(since(start), 150ms);

  RawConnection slow(server.port());
  start = Clock::now();
  slow.send("GET / HTTP/1.1\r\nHost: x\r\n");  // never finishes its header
  EXPECT_TRUE(slow.closed_within(2s));
  EXPECT_GE(since(start), 150ms);

  EXPECT_EQ(server.client().get("/ok").status, 200);
}

TEST(HttpServer, RequestTimeoutClosesASlowBody) {
  Recorder recorder;
  auto options = test_options();
  options.request_timeout = 200ms;
  RunningServer server(echo_path(recorder), options);
  RawConnection raw(server.port());
  raw.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nab");
  EXPECT_TRUE(raw.closed_within(2s));
  EXPECT_EQ(recorder.count(), 0u);
}

TEST(HttpServer, IdleTimeoutClosesAKeptAliveConnectionAndTheClientReconnects) {
  Recorder recorder;
  auto options = test_options();
  options.idle_timeout = 150ms;
  RunningServer server(echo_path(recorder), options);

  RawConnection raw(server.port());
  raw.send("GET /a HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_TRUE(raw.read_response());
  const auto start = Clock::now();
  EXPECT_TRUE(raw.closed_within(2s));
  EXPECT_GE(since(start), 100ms);

  // HttpClient finds its kept connection closed and sends again on a new one.
  auto client = server.client();
  EXPECT_EQ(client.get("/first").status, 200);
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(client.get("/second").body, "/second");
}

TEST(HttpServer, StopDeliversTheResponseOfARequestInFlight) {
  std::promise<void> entered;
  auto options = test_options();
  options.idle_timeout = 30s;  // the idle connection below must be closed by stop(), not this
  options.shutdown_grace = 5s;
  RunningServer server(
      [&entered](const HttpRequest& request) {
        if (request.path == "/slow") {
          entered.set_value();
          std::this_thread::sleep_for(300ms);
        }
        return HttpResponse{200, "text/plain", "done " + request.path, {}};
      },
      options);

  auto idle_client = server.client();  // a kept-alive connection with no request in flight
  ASSERT_EQ(idle_client.get("/warm").status, 200);

  auto in_flight =
      std::async(std::launch::async, [&server] { return server.client().get("/slow"); });
  ASSERT_EQ(entered.get_future().wait_for(2s), std::future_status::ready);
  const auto took = server.stop_and_join();

  const auto response = in_flight.get();
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, "done /slow");
  EXPECT_EQ(response.header("connection"), "close");
  EXPECT_LT(took, 2s);  // neither the idle connection nor the grace period held run()

  HttpClient late("127.0.0.1", server.port());
  late.set_timeout(1s);
  EXPECT_FALSE(late.get("/late").ok());  // no longer listening
}

TEST(HttpServer, TellsOnShutdownOnceWhenTheShutdownBegins) {
  std::atomic<int> told{0};
  auto options = test_options();
  options.on_shutdown = [&told] { ++told; };
  RunningServer server(
      [](const HttpRequest&) {
        return HttpResponse{200, "text/plain", "ok", {}};
      },
      options);
  EXPECT_EQ(server.client().get("/before").status, 200);
  EXPECT_EQ(told.load(), 0);  // not while serving
  server.server().stop();
  server.server().stop();  // a second stop begins no second shutdown
  server.join();
  EXPECT_EQ(told.load(), 1);
}

TEST(HttpServer, StopFromAHandler) {
  std::atomic<HttpServer*> self{nullptr};
  RunningServer server([&self](const HttpRequest&) {
    self.load()->stop();
    return HttpResponse{200, "text/plain", "bye", {}};
  });
  self = &server.server();
  const auto response = server.client().get("/quit");
  EXPECT_EQ(response.body, "bye");
  server.join();  // run() returns by itself
}

TEST(HttpServer, GracePeriodBoundsAStuckRequest) {
  auto options = test_options();
  options.shutdown_grace = 200ms;
  options.header_timeout = 10s;
  RunningServer server([](const HttpRequest&) { return HttpResponse{}; }, options);
  RawConnection slow(server.port());
  slow.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nab");  // in flight
  std::this_thread::sleep_for(50ms);  // let the server start reading it
  const auto took = server.stop_and_join();
  EXPECT_GE(took, 150ms);
  EXPECT_LT(took, 2s);
}

TEST(HttpServer, StopBeforeRunMakesRunReturnAtOnce) {
  const auto server = listening(test_options(), [](const HttpRequest&) { return HttpResponse{}; });
  server->stop();
  const auto start = Clock::now();
  EXPECT_TRUE(server->run().ok());
  EXPECT_LT(since(start), 1s);
}

TEST(HttpServer, BindFailureNamesTheAddress) {
  const auto first = listening(test_options(), [](const HttpRequest&) { return HttpResponse{}; });
  auto options = test_options();
  options.port = first->port();
  const auto second =
      HttpServer::create(options, [](const HttpRequest&) { return HttpResponse{}; });
  ASSERT_FALSE(second.ok()) << "a second server bound the same port";
  EXPECT_EQ(second.status().code(), Status::Code::kUnavailable);
  EXPECT_NE(second.status().message().find("127.0.0.1:" + std::to_string(first->port())),
            std::string::npos)
      << second.status().message();
}

TEST(HttpServer, RunWhileRunningIsRefused) {
  RunningServer server([](const HttpRequest&) { return HttpResponse{}; });
  ASSERT_EQ(server.client().get("/").status, 200);  // answered: run() runs
  const Status again = server.server().run();
  EXPECT_EQ(again.code(), Status::Code::kInternal);
  EXPECT_EQ(again.message(), "HttpServer::run() is already running");
}

}  // namespace
}  // namespace cdrd::http

namespace cdrd::http {
namespace {

HttpResponse text(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.content_type = "text/plain";
  r.body = std::move(body);
  return r;
}

// Routes: /open takes 16 bytes, /secret answers 401 from the head, /slow sleeps, /stream
// streams its body into a sink that records piece sizes.
struct TestRoutes {
  std::atomic<int> handled{0};
  std::atomic<int> secret_heads{0};
  std::mutex mutex;
  std::vector<std::size_t> pieces;
  std::string streamed;

  Admitter admitter() {
    return [this](const HttpRequest& head) {
      RouteDecision d;
      EXPECT_TRUE(head.body.empty());
      if (head.path == "/secret") {
        ++secret_heads;
        d.response = text(401, "who are you");
        return d;
      }
      if (head.path == "/stream") {
        struct Sink : BodySink {
          TestRoutes& routes;
          explicit Sink(TestRoutes& r) : routes(r) {}
          std::optional<HttpResponse> write(std::string_view piece) override {
            std::lock_guard lock(routes.mutex);
            routes.pieces.push_back(piece.size());
            routes.streamed.append(piece);
            return std::nullopt;
          }
          HttpResponse finish() override {
            std::lock_guard lock(routes.mutex);
            return text(200, std::to_string(routes.streamed.size()));
          }
        };
        d.max_body_bytes = 8 << 20;
        d.sink = std::make_shared<Sink>(*this);
        return d;
      }
      d.max_body_bytes = 16;
      d.tenant = std::string(head.header("x-tenant"));
      d.handle = [this](const HttpRequest& request) {
        ++handled;
        if (request.path == "/slow") std::this_thread::sleep_for(400ms);
        return text(200, "body " + request.body);
      };
      return d;
    };
  }
};

TEST(HttpServerHeadFirst, ARefusedHeadIsAnsweredWithoutReadingTheBody) {
  TestRoutes routes;
  RunningServer server(routes.admitter(), test_options());
  // The client announces 32 MiB and sends none of it: the answer comes from the head alone.
  RawConnection raw(server.port());
  raw.send("POST /secret HTTP/1.1\r\nHost: x\r\nContent-Length: 33554432\r\n\r\n");
  const auto response = raw.read_response(2s);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->result_int(), 401u);
  EXPECT_FALSE(response->keep_alive());  // the body was never read: the connection ends
  EXPECT_EQ(routes.secret_heads.load(), 1);
  EXPECT_EQ(routes.handled.load(), 0);
}

TEST(HttpServerHeadFirst, EachRouteHasItsOwnBodyLimitCheckedBeforeReading) {
  TestRoutes routes;
  RunningServer server(routes.admitter(), test_options());
  RawConnection raw(server.port());
  raw.send("POST /open HTTP/1.1\r\nHost: x\r\nContent-Length: 17\r\n\r\n");  // no body sent
  const auto refused = raw.read_response(2s);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->result_int(), 413u);
  EXPECT_NE(refused->body().find("the limit of POST /open is 16 bytes"), std::string::npos);
  auto client = server.client();
  const auto ok = client.request("POST", "/open", std::string(16, 'a'));
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.body, "body " + std::string(16, 'a'));
  EXPECT_EQ(routes.handled.load(), 1);
}

TEST(HttpServerHeadFirst, AStreamedBodyArrivesInBoundedPieces) {
  TestRoutes routes;
  auto options = test_options();
  options.stream_piece_bytes = std::size_t{256} * 1024;
  RunningServer server(routes.admitter(), options);
  auto client = server.client();
  const std::string body(3 * 1024 * 1024 + 17, 'z');
  const auto response = client.request("POST", "/stream", body);
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, std::to_string(body.size()));
  std::lock_guard lock(routes.mutex);
  EXPECT_EQ(routes.streamed, body);
  EXPECT_GE(routes.pieces.size(), 12u);
  for (std::size_t piece : routes.pieces) EXPECT_LE(piece, options.stream_piece_bytes);
}

// The room of one piece takes the next (server.cpp): no byte of an earlier piece, or of an
// earlier body on the same connection, shows in a later one, whatever their sizes.
TEST(HttpServerHeadFirst, EachPieceHoldsOnlyItsOwnBytes) {
  TestRoutes routes;
  auto options = test_options();
  options.stream_piece_bytes = std::size_t{256} * 1024;
  RunningServer server(routes.admitter(), options);
  auto client = server.client();
  std::mt19937 rng(20261201);
  std::string sent;
  for (const std::size_t size :
       {std::size_t{3} * 1024 * 1024 + 17, std::size_t{100}, std::size_t{700} * 1024 + 3}) {
    std::string body(size, ' ');
    for (char& c : body) c = static_cast<char>('a' + rng() % 26);
    const auto response = client.request("POST", "/stream", body);
    EXPECT_EQ(response.status, 200);
    sent += body;
    EXPECT_EQ(response.body, std::to_string(sent.size()));
  }
  std::lock_guard lock(routes.mutex);
  EXPECT_EQ(routes.streamed, sent);
}

TEST(HttpServerHeadFirst, TransferCodingsOtherThanChunkedAre501) {
  TestRoutes routes;
  RunningServer server(routes.admitter(), test_options());
  RawConnection raw(server.port());
  raw.send(
      "POST /open HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"
      "3\r\nabc\r\n0\r\n\r\n");
  const auto response = raw.read_response(2s);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->result_int(), 501u);
  EXPECT_NE(response->body().find("gzip, chunked"), std::string::npos);
  EXPECT_EQ(routes.handled.load(), 0);
  // Plain chunked is read as before.
  RawConnection chunked(server.port());
  chunked.send(
      "POST /open HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: Chunked\r\n\r\n"
      "3\r\nabc\r\n0\r\n\r\n");
  const auto ok = chunked.read_response(2s);
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->result_int(), 200u);
  EXPECT_EQ(ok->body(), "body abc");
}

TEST(HttpServerHeadFirst, ServerErrorsTakeTheShapeOfThePathsApi) {
  TestRoutes routes;
  auto options = test_options();
  options.error_renderer = [](std::string_view path, int status, std::string_view message) {
    return text(status, std::string(path.starts_with("/api/") ? "pbx: " : "other: ") +
                            std::string(message));
  };
  RunningServer server(routes.admitter(), options);
  RawConnection raw(server.port());
  raw.send("GET /api/x?a=%FF%Z HTTP/1.1\r\nHost: x\r\n\r\n");
  auto response = raw.read_response(2s);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->result_int(), 400u);
  EXPECT_TRUE(response->body().starts_with("pbx: the request target has an invalid"));
  RawConnection big(server.port());
  big.send("GET /api/y HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(20000, 'b') + "\r\n\r\n");
  response = big.read_response(2s);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->result_int(), 431u);
  EXPECT_TRUE(response->body().starts_with("pbx: request header too large")) << response->body();
  RawConnection other(server.port());
  other.send("POST /v1/z HTTP/1.1\r\nHost: x\r\nContent-Length: 99\r\n\r\n");
  response = other.read_response(2s);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->result_int(), 413u);
  EXPECT_TRUE(response->body().starts_with("other: ")) << response->body();
}

TEST(HttpServerLimits, AtTheConnectionCapTheOldestIdleConnectionMakesRoom) {
  TestRoutes routes;
  auto options = test_options();
  options.max_connections = 2;
  RunningServer server(routes.admitter(), options);
  auto first = server.client();
  ASSERT_EQ(first.request("GET", "/open").status, 200);  // now idle, kept alive
  RawConnection busy(server.port());
  busy.send("GET /open HTTP/1.1\r\nHost: x\r\n");  // a head in progress: not idle
  std::this_thread::sleep_for(100ms);
  auto third = server.client();
  EXPECT_EQ(third.request("GET", "/open").status, 200);
  // The idle one was closed to make room; its client reconnects transparently.
  RawConnection fourth(server.port());  // the cap is full of non-idle connections now?
  fourth.send("GET /open HTTP/1.1\r\nHost: x\r\n\r\n");
  const auto response = fourth.read_response(2s);
  ASSERT_TRUE(response);
  // Either an idle connection (third, after its request) made room, or a clean 503 came.
  EXPECT_TRUE(response->result_int() == 200u || response->result_int() == 503u);
}

TEST(HttpServerLimits, AtTheCapWithNothingIdleANewConnectionGetsA503) {
  TestRoutes routes;
  auto options = test_options();
  options.max_connections = 1;
  RunningServer server(routes.admitter(), options);
  RawConnection busy(server.port());
  busy.send("GET /open HTTP/1.1\r\nHost: x\r\n");  // not idle
  std::this_thread::sleep_for(100ms);
  RawConnection refused(server.port());
  const auto response = refused.read_response(2s);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->result_int(), 503u);
  EXPECT_EQ(response->at(bhttp::field::retry_after), "1");
  EXPECT_TRUE(is_error_body(response->body(), "too many connections: retry later"));
}

TEST(HttpServerLimits, OneTenantCannotTakeEveryWorker) {
  TestRoutes routes;
  auto options = test_options();
  options.workers = 4;
  options.max_running_per_tenant = 2;
  RunningServer server(routes.admitter(), options);
  // Tenant A floods /slow from 6 connections; tenant B's request still runs at once.
  std::vector<std::thread> flood;
  flood.reserve(6);
  for (int i = 0; i < 6; ++i) {
    flood.emplace_back([&] {
      auto client = server.client();
      client.request("GET", "/slow", "", {{"X-Tenant", "A"}});
    });
  }
  std::this_thread::sleep_for(100ms);
  auto client = server.client();
  const auto start = Clock::now();
  EXPECT_EQ(client.request("GET", "/open", "", {{"X-Tenant", "B"}}).status, 200);
  EXPECT_LT(since(start), 350ms);  // not behind A's queue (A's 6 take 3 x 400 ms)
  for (auto& t : flood) t.join();
}

TEST(HttpServerLimits, AClientThatDoesNotReadCannotHoldTheServer) {
  TestRoutes routes;
  auto options = test_options();
  options.workers = 1;
  options.send_timeout = 500ms;
  RunningServer server(routes.admitter(), options);
  // Many pipelined requests, never read: responses pile up in socket buffers, then the send
  // times out; meanwhile the only worker keeps serving others.
  RawConnection lazy(server.port());
  std::string many;
  for (int i = 0; i < 2000; ++i) many += "GET /open HTTP/1.1\r\nHost: x\r\n\r\n";
  lazy.send(many);
  auto client = server.client();
  EXPECT_EQ(client.request("GET", "/open").status, 200);
}

// --- streamed response bodies (BodySource) ---

// Pieces "piece-0\n" ... padded to `size` bytes each, `count` of them (0: without end), counting
// the calls of next() and telling when it is dropped; fails at call `fail_at`.
class CountingSource : public BodySource {
 public:
  CountingSource(int count, std::size_t size, std::atomic<int>& calls, std::atomic<bool>& dropped,
                 int fail_at = -1)
      : count_(count), size_(size), calls_(calls), dropped_(dropped), fail_at_(fail_at) {}
  ~CountingSource() override { dropped_ = true; }
  Result<bool> next(std::string& out) override {
    const int i = calls_++;
    if (i == fail_at_) return Status::IOError("the store failed");
    std::string piece = "piece-" + std::to_string(i) + "\n";
    if (piece.size() < size_) piece.resize(size_, 'x');
    out += piece;
    return count_ == 0 || i + 1 < count_;
  }

 private:
  const int count_;
  const std::size_t size_;
  std::atomic<int>& calls_;
  std::atomic<bool>& dropped_;
  const int fail_at_;
};

// True once `flag` is set, waiting up to 3 s: the server drops a source on its own threads
// just after the client has what it sent.
bool becomes_true(const std::atomic<bool>& flag) {
  const auto start = Clock::now();
  while (!flag.load() && since(start) < 3s) std::this_thread::sleep_for(5ms);
  return flag.load();
}

Handler streaming(int count, std::size_t size, std::atomic<int>& calls, std::atomic<bool>& dropped,
                  int fail_at = -1) {
  return [=, &calls, &dropped](const HttpRequest& request) {
    HttpResponse response;
    response.content_type = "text/plain";
    if (request.path != "/export") return response;  // any other path: a plain empty body
    response.stream = std::make_shared<CountingSource>(count, size, calls, dropped, fail_at);
    return response;
  };
}

TEST(HttpServerStream, ABodySourceIsSentChunkedPieceByPieceAndTheConnectionStays) {
  std::atomic<int> calls{0};
  std::atomic<bool> dropped{false};
  RunningServer server(streaming(100, 0, calls, dropped));
  auto client = server.client();
  const ClientResponse response = client.get("/export");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.header("transfer-encoding"), "chunked");
  std::string expected;
  for (int i = 0; i < 100; ++i) expected += "piece-" + std::to_string(i) + "\n";
  EXPECT_EQ(response.body, expected);
  EXPECT_EQ(calls.load(), 100);
  EXPECT_TRUE(becomes_true(dropped));
  EXPECT_EQ(client.get("/again").status, 200);  // keep-alive: the connection is still in step
}

TEST(HttpServerStream, Http10GetsThePiecesAsTheyAreThenTheEnd) {
  std::atomic<int> calls{0};
  std::atomic<bool> dropped{false};
  RunningServer server(streaming(3, 0, calls, dropped));
  RawConnection raw(server.port());
  raw.send("GET /export HTTP/1.0\r\n\r\n");
  const auto response = raw.read_response();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->body(), "piece-0\npiece-1\npiece-2\n");
  EXPECT_FALSE(response->chunked());
}

TEST(HttpServerStream, TheNextPieceIsMadeOnlyWhenTheClientTakesThePrevious) {
  std::atomic<int> calls{0};
  std::atomic<bool> dropped{false};
  ServerOptions options = test_options();
  options.send_timeout = 30s;  // the client's going away ends it below, not this
  RunningServer server(streaming(0, std::size_t{1} << 20, calls, dropped), options);
  std::optional<RawConnection> lazy(std::in_place, server.port());
  lazy->send("GET /export HTTP/1.1\r\nHost: x\r\n\r\n");
  // Without end and never read: the pieces stop once the socket buffers are full (a few MiB),
  // where a server that did not wait would make thousands of 1 MiB pieces in this time.
  std::this_thread::sleep_for(1500ms);
  const int made = calls.load();
  EXPECT_GE(made, 1);
  EXPECT_LT(made, 64);
  std::this_thread::sleep_for(500ms);
  EXPECT_LE(calls.load(), made + 1);  // stalled, not slowed
  EXPECT_FALSE(dropped.load());
  // The client goes away: the source is dropped and asked for nothing more.
  lazy.reset();
  EXPECT_TRUE(becomes_true(dropped));
  const int at_drop = calls.load();
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(calls.load(), at_drop);
  EXPECT_EQ(server.client().get("/after").status, 200);  // and the server goes on
}

TEST(HttpServerStream, AFailingSourceCutsTheBodyShortWithoutTheLastChunk) {
  std::atomic<int> calls{0};
  std::atomic<bool> dropped{false};
  RunningServer server(streaming(10, 0, calls, dropped, /*fail_at=*/2));
  RawConnection raw(server.port());
  raw.send("GET /export HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_FALSE(raw.read_response().has_value());  // the connection closed mid-body
  EXPECT_TRUE(becomes_true(dropped));
  EXPECT_EQ(server.client().get("/after").status, 200);
}

// Holds each request_done until released, and counts them.
class GatedObserver : public ServerObserver {
 public:
  void connection_opened() override {}
  void connection_closed() override {}
  void request_done(std::string_view, std::string_view, int status,
                    std::chrono::nanoseconds) override {
    last_status = status;
    ++told;
    const auto start = Clock::now();
    while (!released.load() && since(start) < 5s) std::this_thread::sleep_for(1ms);
  }
  std::atomic<int> told{0}, last_status{0};
  std::atomic<bool> released{false};
};

// A request is told to the observer (the metrics) before the last byte of its response goes
// out: a client that has read its response finds the request counted by a scrape it sends next,
// on any connection. Told after the write, the count came after the client had its response,
// and a scrape could come first.
TEST(HttpServerObserver, ARequestIsToldBeforeItsClientHasTheWholeResponse) {
  for (const char* path : {"/plain", "/export"}) {
    SCOPED_TRACE(path);
    std::atomic<int> calls{0};
    std::atomic<bool> dropped{false};
    auto observer = std::make_shared<GatedObserver>();
    ServerOptions options = test_options();
    options.observer = observer;
    RunningServer server(streaming(3, 0, calls, dropped), options);
    std::atomic<bool> answered{false};
    std::thread client([&] {
      auto c = server.client();
      answered = c.get(path).status == 200;
    });
    const auto start = Clock::now();
    while (observer->told.load() == 0 && since(start) < 3s) std::this_thread::sleep_for(1ms);
    EXPECT_EQ(observer->told.load(), 1);
    // Held in request_done: the client must not have the response yet, however long it waits.
    std::this_thread::sleep_for(200ms);
    EXPECT_FALSE(answered.load());
    observer->released = true;
    client.join();
    EXPECT_TRUE(answered.load());
    EXPECT_EQ(observer->told.load(), 1);
    EXPECT_EQ(observer->last_status.load(), 200);
  }
}

TEST(RedactNumbers, MasksDigitsOfNumberLikeValuesOnly) {
  EXPECT_EQ(redact_numbers("/v1/Account/MA1/Call/?to_number=%2B4420&limit=20&from_username=u55"),
            "/v1/Account/MA1/Call/?to_number=%2B****&limit=20&from_username=u**");
  EXPECT_EQ(redact_numbers("/x?did=123&callerid_number=9"), "/x?did=***&callerid_number=*");
  EXPECT_EQ(redact_numbers("/x/12345"), "/x/12345");
}

}  // namespace
}  // namespace cdrd::http

namespace cdrd::http {
namespace {

// Routes for bounded handlers (RouteDecision::bounded): /bounded/... is bounded, /worker/...
// is not, /slow/... is not and sleeps, /throw/... is bounded and throws. Each handler answers
// its path and records, per path, whether it ran on the thread that admitted the request (an
// I/O thread) and which thread that was.
struct ThreadRoutes {
  struct Seen {
    bool on_admitting_thread = false;
    std::thread::id thread;
  };
  std::mutex mutex;
  std::map<std::string, Seen> seen;

  Admitter admitter() {
    return [this](const HttpRequest& head) {
      RouteDecision d;
      const std::thread::id admitted_on = std::this_thread::get_id();
      d.bounded = head.path.starts_with("/bounded/") || head.path.starts_with("/throw/");
      d.handle = [this, admitted_on](const HttpRequest& request) {
        {
          std::lock_guard lock(mutex);
          seen[request.path] = {std::this_thread::get_id() == admitted_on,
                                std::this_thread::get_id()};
        }
        if (request.path.starts_with("/slow/")) std::this_thread::sleep_for(200ms);
        if (request.path.starts_with("/throw/")) throw std::runtime_error("a bounded failure");
        return text(200, request.path);
      };
      return d;
    };
  }
  Seen of(const std::string& path) {
    std::lock_guard lock(mutex);
    return seen.at(path);
  }
};

TEST(HttpServerBounded, ABoundedHandlerRunsOnTheIoThreadAndOthersOnAWorker) {
  ThreadRoutes routes;
  RunningServer server(routes.admitter(), test_options());
  auto client = server.client();
  EXPECT_EQ(client.get("/bounded/1").body, "/bounded/1");
  EXPECT_EQ(client.get("/worker/1").body, "/worker/1");
  EXPECT_TRUE(routes.of("/bounded/1").on_admitting_thread);
  EXPECT_FALSE(routes.of("/worker/1").on_admitting_thread);
}

TEST(HttpServerBounded, WithInlineOffEveryHandlerRunsOnAWorker) {
  ThreadRoutes routes;
  auto options = test_options();
  options.inline_bounded = false;
  RunningServer server(routes.admitter(), options);
  EXPECT_EQ(server.client().get("/bounded/1").body, "/bounded/1");
  EXPECT_FALSE(routes.of("/bounded/1").on_admitting_thread);
}

TEST(HttpServerBounded, PipelinedRequestsAreAnsweredInOrderWhereverTheyRun) {
  ThreadRoutes routes;
  RunningServer server(routes.admitter(), test_options());
  RawConnection raw(server.port());
  const std::vector<std::string> paths = {"/slow/1",    "/bounded/1", "/worker/1",
                                          "/bounded/2", "/slow/2",    "/bounded/3"};
  std::string pipelined;
  for (const std::string& path : paths) pipelined += "GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n";
  raw.send(pipelined);
  for (const std::string& path : paths) {
    const auto response = raw.read_response();
    ASSERT_TRUE(response) << path;
    EXPECT_EQ(response->body(), path);
    EXPECT_TRUE(response->keep_alive()) << path;
  }
  EXPECT_TRUE(routes.of("/bounded/2").on_admitting_thread);
  EXPECT_FALSE(routes.of("/slow/2").on_admitting_thread);
}

TEST(HttpServerBounded, ABoundedHandlerThatThrowsGets500AndTheConnectionStays) {
  ThreadRoutes routes;
  RunningServer server(routes.admitter(), test_options());
  auto client = server.client();
  const auto failed = client.get("/throw/1");
  EXPECT_EQ(failed.status, 500);
  EXPECT_TRUE(is_error_body(failed.body, "internal server error")) << failed.body;
  EXPECT_EQ(client.get("/bounded/1").status, 200);
}

// Each I/O thread runs its own connections: two connections opened in turn land on the two
// threads, and a connection's requests all run on its thread.
TEST(HttpServerBounded, ConnectionsAreSharedOutOverTheIoThreads) {
  ThreadRoutes routes;
  auto options = test_options();
  options.threads = 2;
  RunningServer server(routes.admitter(), options);
  auto first = server.client();
  auto second = server.client();
  EXPECT_EQ(first.get("/bounded/a1").status, 200);
  EXPECT_EQ(second.get("/bounded/b1").status, 200);
  EXPECT_EQ(first.get("/bounded/a2").status, 200);
  EXPECT_EQ(second.get("/bounded/b2").status, 200);
  EXPECT_EQ(routes.of("/bounded/a1").thread, routes.of("/bounded/a2").thread);
  EXPECT_EQ(routes.of("/bounded/b1").thread, routes.of("/bounded/b2").thread);
  EXPECT_NE(routes.of("/bounded/a1").thread, routes.of("/bounded/b1").thread);
}

}  // namespace
}  // namespace cdrd::http
