// Black-box tests of the service process: accounts from the CLI, graceful stop, and requests
// that must neither crash nor hang the server.
#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <regex>
#include <thread>

#include "harness.h"
#include "records.h"

namespace cdrd::test {
namespace {

TEST(Accounts, CreatePrintsAnAnchorShapedIdAndAFortyCharacterToken) {
  TempDir dir;
  auto r = run_cdrd({"--data-dir", dir.path(), "account", "create", "--name", "acme"});
  ASSERT_EQ(r.exit_code, 0) << r.out;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(r.out, m, std::regex("auth_id: (MA[A-Z0-9]{18})\n"))) << r.out;
  ASSERT_TRUE(std::regex_search(r.out, m, std::regex("auth_token: ([A-Za-z0-9]{40})\n"))) << r.out;
  const std::string token = m[1];
  // Only a hash is stored: the token does not appear in the database file.
  auto dump = run_cdrd({"--data-dir", dir.path(), "account", "list"});
  EXPECT_NE(dump.out.find("acme"), std::string::npos);
  EXPECT_EQ(dump.out.find(token), std::string::npos);
}

TEST(Server, StopsGracefullyOnSigterm) {
  CdrdServer server;
  auto client = server.client();
  EXPECT_EQ(client.get("/healthz").status, 200);
  EXPECT_EQ(server.stop(SIGTERM), 0) << server.log();
}

TEST(Server, GarbageAndHalfRequestsNeitherCrashNorHangIt) {
  CdrdServer server;
  namespace asio = boost::asio;
  asio::io_context io;
  for (const std::string& junk :
       {std::string("\x16\x03\x01\x02\x00garbage\r\n\r\n", 16),
        std::string("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n"),
        std::string("GET /%zz HTTP/1.1\r\nHost: x\r\n\r\n"),
        std::string("GET /v1/Account/") + std::string(100000, 'A') + " HTTP/1.1\r\n\r\n",
        std::string(
            "POST /v1/ingest/calls HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc")}) {
    asio::ip::tcp::socket socket(io);
    socket.connect({asio::ip::make_address("127.0.0.1"), server.port()});
    boost::system::error_code ec;
    asio::write(socket, asio::buffer(junk), ec);
    socket.shutdown(asio::ip::tcp::socket::shutdown_send, ec);
    char buf[4096];
    socket.read_some(asio::buffer(buf), ec);  // an answer or a close, not a hang
    socket.close();
  }
  auto client = server.client();
  EXPECT_EQ(client.get("/healthz").status, 200) << server.log();
}

TEST(Server, KeepsServingWhileAClientHoldsAnIdleConnection) {
  CdrdServer server;
  namespace asio = boost::asio;
  asio::io_context io;
  asio::ip::tcp::socket idle(io);
  idle.connect({asio::ip::make_address("127.0.0.1"), server.port()});
  auto client = server.client();
  for (int i = 0; i < 20; ++i) EXPECT_EQ(client.get("/healthz").status, 200);
  // A graceful stop does not wait for the idle connection.
  const auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(server.stop(SIGTERM), 0);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(10));
}

TEST(Server, AccessLogNamesMethodPathStatusAndDuration) {
  CdrdServer server;
  auto client = server.client();
  client.get("/healthz?probe=1");
  server.stop(SIGTERM);
  EXPECT_TRUE(std::regex_search(server.log(), std::regex("GET /healthz\\?probe=1 200 [0-9.]+ ?ms")))
      << server.log();
}

}  // namespace
}  // namespace cdrd::test
