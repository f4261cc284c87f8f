// Black-box tests of the request path's hardening (docs/operations.md, "Limits"): bodies are
// refused from the head alone, ingest streams, failed authentication is throttled per address,
// protocol edge cases, the access log, the connection cap and the open-file limit.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <fstream>
#include <regex>
#include <sstream>

#include "fault_harness.h"
#include "http/url.h"

namespace cdrd::test {
namespace {

using namespace std::chrono_literals;

std::string basic(const Credentials& who) {
  return "Authorization: " + http::basic_auth(who.auth_id, who.auth_token);
}

std::string head(const std::string& method, const std::string& target,
                 const std::vector<std::string>& headers) {
  std::string out = method + " " + target + " HTTP/1.1\r\nHost: cdrd\r\n";
  for (const auto& h : headers) out += h + "\r\n";
  return out + "\r\n";
}

// Sends `bytes` on a new connection and reads one response within `limit`.
RawResponse exchange(std::uint16_t port, const std::string& bytes,
                     std::chrono::milliseconds limit = 5s) {
  RawConnection conn;
  if (!conn.connect(port)) throw std::runtime_error("cannot connect");
  conn.send_all(bytes);
  RawResponse r;
  if (conn.read_response(r, false, limit) != RawConnection::ReadResult::kResponse) {
    throw std::runtime_error("no response within the limit to: " + bytes.substr(0, 200));
  }
  return r;
}

rapidjson::Document json_of(const std::string& body) {
  rapidjson::Document d;
  d.Parse(body.c_str(), body.size());
  return d;
}

class Hardening : public ::testing::Test {
 protected:
  void start(const std::vector<std::string>& args = {}) {
    alice_ = create_account_in(dir_.path(), "alice");
    server_ = std::make_unique<ServerProcess>(dir_.path());
    server_->start(args);
  }
  TempDir dir_;
  Credentials alice_;
  std::unique_ptr<ServerProcess> server_;
};

TEST_F(Hardening, AnUnauthenticatedUploadIsAnsweredFromItsHeadAlone) {
  start();
  const auto started = std::chrono::steady_clock::now();
  // 32 MiB announced, not a byte sent: the answers come from the heads.
  RawResponse r =
      exchange(server_->port(),
               head("POST", "/v1/ingest/calls",
                    {"Authorization: Bearer wrong-key-0123456789", "Content-Length: 33554432"}));
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.header("connection"), "close");
  r = exchange(server_->port(), head("POST", "/oauth/token",
                                     {"Content-Type: application/x-www-form-urlencoded",
                                      "Content-Length: 33554432"}));
  EXPECT_EQ(r.status, 413);
  const auto body = json_of(r.body);
  ASSERT_TRUE(body.IsObject()) << r.body;
  EXPECT_STREQ(body["error"].GetString(), "invalid_request");
  EXPECT_NE(std::string(body["error_description"].GetString()).find("65536 bytes"),
            std::string::npos);
  r = exchange(server_->port(), head("POST", "/v1/Account/" + alice_.auth_id + "/Zentrunk/Trunk/",
                                     {"Content-Length: 33554432"}));
  EXPECT_EQ(r.status, 401);
  // A cloud-PBX request with a body and a bad token: the 401 comes before the body.
  r = exchange(server_->port(),
               head("GET", "/api/ver1.0/client/@me/calls/",
                    {"Authorization: Bearer not-a-token", "Content-Length: 4096"}));
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.header("connection"), "close");
  EXPECT_LT(std::chrono::steady_clock::now() - started, 3s);
}

TEST_F(Hardening, IngestStoresALargeNdjsonBodyPieceByPieceWithTheRightLineNumbers) {
  start();
  std::string body;
  const int n = 4000;  // about 7 MB: several 1 MiB pieces
  for (int i = 1; i <= n; ++i) {
    if (i == 3500) {
      body += "{\"account\": \"" + alice_.auth_id + "\", \"call_uuid\": \"bad\"}\n";
      continue;
    }
    body += fault_call(alice_.auth_id, "nd-" + std::to_string(i), 256).line() + "\n";
  }
  ASSERT_GT(body.size(), 5u << 20);
  const auto r = server_->ingest(body);
  ASSERT_EQ(r.status, 200) << r.body.substr(0, 300);
  const auto d = json_of(r.body);
  EXPECT_EQ(d["stored"].GetInt(), n - 1);
  EXPECT_EQ(d["failed_count"].GetInt(), 1);
  ASSERT_EQ(d["failed"].Size(), 1u);
  EXPECT_EQ(d["failed"][0]["line"].GetInt(), 3500);
  EXPECT_EQ(stored_call_uuids(server_->db_path(), alice_.auth_id).size(),
            static_cast<std::size_t>(n - 1));
}

TEST_F(Hardening, IngestStoresRecordsBeforeTheBodyHasArrivedWhole) {
  start();
  std::string first, rest;
  for (int i = 1; i <= 3000; ++i) {
    (i <= 2000 ? first : rest) +=
        fault_call(alice_.auth_id, "early-" + std::to_string(i), 256).line() + "\n";
  }
  RawConnection conn;
  ASSERT_TRUE(conn.connect(server_->port()));
  ASSERT_TRUE(
      conn.send_all(head("POST", "/v1/ingest/calls",
                         {std::string("Authorization: Bearer ") + CdrdServer::kOperatorKey,
                          "Content-Length: " + std::to_string(first.size() + rest.size())}) +
                    first));
  // The first pieces are stored while the client still holds back the rest of the body.
  std::size_t stored = 0;
  for (int i = 0; i < 100 && stored == 0; ++i) {
    std::this_thread::sleep_for(100ms);
    stored = stored_call_uuids(server_->db_path(), alice_.auth_id).size();
  }
  EXPECT_GT(stored, 0u);
  EXPECT_LT(stored, 3000u);
  ASSERT_TRUE(conn.send_all(rest));
  RawResponse r;
  ASSERT_EQ(conn.read_response(r, false, 30s), RawConnection::ReadResult::kResponse);
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json_of(r.body)["stored"].GetInt(), 3000);
}

TEST_F(Hardening, IngestStreamsCsvWithTheHeaderAndQuotedFieldsAcrossPieces) {
  start();
  const std::string fields =
      "account,call_uuid,call_direction,from_number,to_number,initiation_time,answer_time,"
      "end_time,rate,total_amount,call_id\n";
  const Record sample = fault_call(alice_.auth_id, "x");
  const auto value = [&](const char* key) {
    const auto doc = json_of(sample.line());
    return std::string(doc[key].GetString());
  };
  std::string body = fields;
  const int n = 9000;  // well over 1 MiB
  for (int i = 1; i <= n; ++i) {
    const std::string direction = i == 8000 ? "sideways" : "outbound";
    body += alice_.auth_id + ",csv-" + std::to_string(i) + "," + direction + "," +
            value("from_number") + "," + value("to_number") + "," + value("initiation_time") + "," +
            value("answer_time") + "," + value("end_time") + ",0.03000,0.00200," + "\"Desk, \"\"" +
            std::to_string(i) + "\"\" " + std::string(90, 'q') + "\"\n";
  }
  ASSERT_GT(body.size(), 1u << 20);
  TestClient client = server_->client();
  client.set_timeout(60s);
  const auto r =
      client.request("POST", "/v1/ingest/calls", body,
                     {{"Authorization", std::string("Bearer ") + CdrdServer::kOperatorKey},
                      {"Content-Type", "text/csv"}});
  ASSERT_EQ(r.status, 200) << r.body.substr(0, 300);
  const auto d = json_of(r.body);
  EXPECT_EQ(d["stored"].GetInt(), n - 1);
  ASSERT_EQ(d["failed_count"].GetInt(), 1) << r.body.substr(0, 500);
  EXPECT_EQ(d["failed"][0]["line"].GetInt(), 8000 + 1);  // the header is line 1
  const auto list =
      server_->get(alice_, "/v1/Account/" + alice_.auth_id + "/Zentrunk/Call/csv-4321/");
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_NE(list.body.find("Desk, \\\"4321\\\""), std::string::npos) << list.body;
}

TEST_F(Hardening, FailedAuthenticationIsThrottledPerAddressInEachApisShape) {
  start({"--auth-failure-burst", "3", "--auth-failure-refill-seconds", "60"});
  const std::string calls = "/v1/Account/" + alice_.auth_id + "/Zentrunk/Call/";
  const Credentials wrong{alice_.auth_id, "not-the-token"};
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(exchange(server_->port(), head("GET", calls, {basic(wrong)})).status, 401) << i;
  }
  RawResponse r = exchange(server_->port(), head("GET", calls, {basic(wrong)}));
  EXPECT_EQ(r.status, 429);
  EXPECT_GE(std::stoi(r.header("retry-after")), 1);
  auto d = json_of(r.body);
  ASSERT_TRUE(d.IsObject() && d.HasMember("api_id") && d.HasMember("error")) << r.body;
  // The address is stopped before its credentials are looked at, on every API.
  r = exchange(server_->port(), head("GET", calls, {basic(alice_)}));
  EXPECT_EQ(r.status, 429);
  r = exchange(server_->port(),
               head("GET", "/api/ver1.0/client/@me/calls/", {"Authorization: Bearer nope"}));
  EXPECT_EQ(r.status, 429);
  d = json_of(r.body);
  ASSERT_TRUE(d.IsObject() && d.HasMember("message")) << r.body;
  r = exchange(server_->port(),
               head("POST", "/oauth/token",
                    {"Content-Type: application/x-www-form-urlencoded", "Content-Length: 0"}));
  EXPECT_EQ(r.status, 429);
  d = json_of(r.body);
  ASSERT_TRUE(d.IsObject()) << r.body;
  EXPECT_STREQ(d["error"].GetString(), "temporarily_unavailable");
  r = exchange(server_->port(),
               head("POST", "/v1/ingest/calls",
                    {"Authorization: Bearer wrong-operator-key-000", "Content-Length: 0"}));
  EXPECT_EQ(r.status, 429);
  // Requests without credentials are not throttled.
  EXPECT_EQ(exchange(server_->port(), head("GET", "/healthz", {})).status, 200);
}

TEST_F(Hardening, ProtocolEdgesAnswerAsTheRfcsSay) {
  start();
  const std::string calls = "/v1/Account/" + alice_.auth_id + "/Zentrunk/Call/";
  const std::string encoded = basic(alice_).substr(std::string("Authorization: Basic ").size());
  // The scheme name is case-insensitive.
  for (const char* scheme : {"basic", "BASIC", "bAsIc"}) {
    EXPECT_EQ(
        exchange(server_->port(),
                 head("GET", calls, {std::string("Authorization: ") + scheme + " " + encoded}))
            .status,
        200)
        << scheme;
  }
  // Two Authorization headers are refused, whichever comes first.
  RawResponse r =
      exchange(server_->port(), head("GET", calls, {basic(alice_), "Authorization: Basic eDp5"}));
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("Authorization: send the header once"), std::string::npos) << r.body;
  // A transfer coding other than chunked is 501.
  r = exchange(server_->port(),
               "POST /v1/Account/" + alice_.auth_id + "/Zentrunk/Trunk/ HTTP/1.1\r\nHost: x\r\n" +
                   basic(alice_) +
                   "\r\nTransfer-Encoding: gzip, chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n");
  EXPECT_EQ(r.status, 501);
  // Errors raised before routing take the path's API shape.
  r = exchange(server_->port(), head("GET", "/oauth/token", {}));
  EXPECT_EQ(r.status, 405);
  auto d = json_of(r.body);
  ASSERT_TRUE(d.IsObject() && d.HasMember("error_description")) << r.body;
  r = exchange(server_->port(), head("GET", "/api/ver1.0/client/@me/calls/?flow=%ZZ", {}));
  EXPECT_EQ(r.status, 400);
  d = json_of(r.body);
  ASSERT_TRUE(d.IsObject() && d.HasMember("message") && !d.HasMember("api_id")) << r.body;
  r = exchange(server_->port(),
               head("GET", "/api/ver1.0/client/@me/calls/", {"X-Big: " + std::string(20000, 'b')}));
  EXPECT_EQ(r.status, 431);
  d = json_of(r.body);
  ASSERT_TRUE(d.IsObject() && d.HasMember("message")) << r.body;
}

TEST_F(Hardening, TheAccessLogNamesAddressAccountAndApiIdAndCanHideNumbers) {
  start({"--log-redact-numbers"});
  const std::string target =
      "/v1/Account/" + alice_.auth_id + "/Zentrunk/Call/?to_number=4420&limit=5";
  const auto r = server_->get(alice_, target);
  ASSERT_EQ(r.status, 200) << r.body;
  const std::string api_id = json_of(r.body)["api_id"].GetString();
  std::this_thread::sleep_for(200ms);
  const std::string log = server_->log();
  const std::string expected = "127.0.0.1 " + alice_.auth_id + " GET /v1/Account/" +
                               alice_.auth_id + "/Zentrunk/Call/?to_number=****&limit=5 200 ";
  const std::size_t at = log.find(expected);
  ASSERT_NE(at, std::string::npos) << log;
  EXPECT_NE(log.find(api_id, at), std::string::npos) << log.substr(at, 300);
  EXPECT_EQ(log.find("to_number=4420"), std::string::npos);
}

TEST_F(Hardening, AccessLinesHeldInMemoryAreAllWrittenAtACleanStop) {
  // A minute's flush interval and room in the buffer: only the stop writes them.
  start({"--access-log-flush-ms", "60000"});
  constexpr int kRequests = 300;
  auto client = server_->client();
  for (int i = 0; i < kRequests; ++i) {
    ASSERT_EQ(client.get("/healthz?n=" + std::to_string(i)).status, 200);
  }
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(server_->log().find("GET /healthz?n=0 "), std::string::npos) << server_->log();
  EXPECT_EQ(server_->stop(SIGTERM), 0);
  const std::string log = server_->log();
  std::size_t at = 0;
  for (int i = 0; i < kRequests; ++i) {
    const std::string line =
        "] [http] [info] 127.0.0.1 - GET /healthz?n=" + std::to_string(i) + " 200 ";
    const std::size_t found = log.find(line, at);
    ASSERT_NE(found, std::string::npos) << "request " << i << " in\n" << log;
    EXPECT_EQ(log.find(line, found + 1), std::string::npos) << "request " << i << " twice";
    at = found;
  }
  // Before the stop's own last line.
  EXPECT_LT(at, log.find("stopped listening on")) << log;
}

TEST_F(Hardening, AccessLinesAreWrittenWithinTheFlushIntervalWithoutMoreRequests) {
  start({"--access-log-flush-ms", "300"});
  ASSERT_EQ(server_->client().get("/healthz?alone=1").status, 200);
  const auto asked = std::chrono::steady_clock::now();
  while (server_->log().find("GET /healthz?alone=1 200 ") == std::string::npos &&
         std::chrono::steady_clock::now() - asked < 20s) {
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_NE(server_->log().find("GET /healthz?alone=1 200 "), std::string::npos) << server_->log();
  EXPECT_TRUE(server_->alive());
}

TEST_F(Hardening, AtTheConnectionCapNewConnectionsAreRefusedCleanly) {
  start({"--max-connections", "3"});
  std::vector<std::unique_ptr<RawConnection>> held;
  for (int i = 0; i < 3; ++i) {
    held.push_back(std::make_unique<RawConnection>());
    ASSERT_TRUE(held.back()->connect(server_->port()));
    held.back()->send_all("GET /healthz HTTP/1.1\r\n");  // a head in progress: not idle
  }
  std::this_thread::sleep_for(200ms);
  RawConnection extra;
  ASSERT_TRUE(extra.connect(server_->port()));
  RawResponse r;
  ASSERT_EQ(extra.read_response(r, false, 5s), RawConnection::ReadResult::kResponse);
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.header("retry-after"), "1");
  held.clear();  // the held ones go: service resumes
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(exchange(server_->port(), head("GET", "/healthz", {})).status, 200);
}

TEST_F(Hardening, TheOpenFileLimitIsRaisedToTheHardLimit) {
  rlimit mine{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &mine), 0);
  start();
  std::ifstream limits("/proc/" + std::to_string(server_->pid()) + "/limits");
  std::string line;
  bool found = false;
  while (std::getline(limits, line)) {
    if (!line.starts_with("Max open files")) continue;
    std::istringstream in(line.substr(std::string("Max open files").size()));
    std::string soft, hard;
    in >> soft >> hard;
    EXPECT_EQ(soft, hard) << line;
    if (mine.rlim_max != RLIM_INFINITY) {
      EXPECT_EQ(hard, std::to_string(mine.rlim_max));
    }
    found = true;
  }
  EXPECT_TRUE(found);
}

}  // namespace
}  // namespace cdrd::test
