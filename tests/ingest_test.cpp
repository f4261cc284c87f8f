// Black-box tests of ingest: POST /v1/ingest/calls and `cdrd import`, against the real binary.
#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "harness.h"
#include "records.h"

namespace cdrd::test {
namespace {

Record call(const std::string& account, const std::string& uuid) {
  return with_own_billing(answered_call(account, uuid));
}

TEST(Ingest, StoresValidLinesReportsBadOnesAndIgnoresRetries) {
  CdrdServer server;
  auto alice = server.create_account("alice");
  std::string body = call(alice.auth_id, "a-1").line() + "\n" +
                     call(alice.auth_id, "a-2").set("call_direction", str("sideways")).line() +
                     "\n" + "{not json\n" + "\n" + call(alice.auth_id, "a-3").line() + "\n";
  auto r = server.ingest(body);
  ASSERT_EQ(r.status, 200) << r.body;
  auto d = parse_json(r.body);
  EXPECT_EQ(d["stored"].GetInt(), 2);
  EXPECT_EQ(d["duplicates"].GetInt(), 0);
  ASSERT_EQ(d["failed"].Size(), 2u);
  EXPECT_EQ(d["failed"][0]["line"].GetInt(), 2);
  EXPECT_NE(std::string(d["failed"][0]["error"].GetString()).find("call_direction"),
            std::string::npos);
  EXPECT_EQ(d["failed"][1]["line"].GetInt(), 3);
  EXPECT_EQ(listed_call_count(server.port(), alice), 2);

  // The same batch again (a retry): nothing new.
  auto again = parse_json(server.ingest(body).body);
  EXPECT_EQ(again["stored"].GetInt(), 0);
  EXPECT_EQ(again["duplicates"].GetInt(), 2);
  EXPECT_EQ(listed_call_count(server.port(), alice), 2);

  // The seed's call read back exactly.
  auto one =
      parse_json(server.get(alice, "/v1/Account/" + alice.auth_id + "/Zentrunk/Call/a-1/").body);
  EXPECT_EQ(one["call_duration"].GetInt(), 4);
  EXPECT_EQ(std::string(one["total_amount"].GetString()), "0.00200");
  EXPECT_EQ(std::string(one["from_number"].GetString()), "+912235328936");
}

// Two large bodies at once (each several pieces, written while the next piece is read, and
// committed together with the other request's): each answer counts its own lines, a call both
// send is stored once, and every call acknowledged is in the very next count.
TEST(Ingest, ConcurrentLargeBodiesSharingCallsAreCountedAndStoredOnce) {
  CdrdServer server;
  auto alice = server.create_account("alice");
  constexpr int kOwn = 6000, kShared = 2000;
  std::string bodies[2];
  for (int b = 0; b < 2; ++b) {
    for (int i = 0; i < kOwn + kShared; ++i) {
      // The shared calls go in opposite orders, so that the two requests race for each.
      const int shared = b == 0 ? i - kOwn : kOwn + kShared - 1 - i;
      const std::string uuid = i < kOwn ? "own-" + std::to_string(b) + "-" + std::to_string(i)
                                        : "shared-" + std::to_string(shared);
      bodies[b] += call(alice.auth_id, uuid).line() + "\n";
    }
  }
  ASSERT_GT(bodies[0].size(), 2u * 1024 * 1024);  // several pieces of the body stream
  http::ClientResponse answers[2];
  std::thread second([&] { answers[1] = server.ingest(bodies[1]); });
  answers[0] = server.ingest(bodies[0]);
  second.join();
  std::int64_t stored = 0;
  for (const http::ClientResponse& r : answers) {
    ASSERT_EQ(r.status, 200) << r.body;
    auto d = parse_json(r.body);
    EXPECT_EQ(d["stored"].GetInt() + d["duplicates"].GetInt(), kOwn + kShared);
    EXPECT_GE(d["stored"].GetInt(), kOwn);
    stored += d["stored"].GetInt();
  }
  EXPECT_EQ(stored, 2 * kOwn + kShared);
  EXPECT_EQ(listed_call_count(server.port(), alice), 2 * kOwn + kShared);
}

// A body of several pieces (the body stream reads a line that straddles two pieces from both,
// and the rest of each piece in place), with a byte-order mark in front, \r\n line ends, blank
// lines and a bad line every 97: every bad line is reported with its own number, and every good
// one is stored.
TEST(Ingest, ABodyOfSeveralPiecesNumbersEveryBadLine) {
  CdrdServer server;
  auto alice = server.create_account("alice");
  std::string body = "\xEF\xBB\xBF";
  std::vector<int> bad;
  int good = 0;
  for (int line = 1; body.size() < 3 * 1024 * 1024 + 1000; ++line) {
    if (line % 97 == 0) {
      bad.push_back(line);
      body += call(alice.auth_id, "bad-" + std::to_string(line))
                  .set("call_direction", str("sideways"))
                  .line() +
              "\n";
    } else if (line % 89 == 0) {
      body += "  \r\n";
    } else {
      ++good;
      body += call(alice.auth_id, "p-" + std::to_string(line)).line() + (line % 2 ? "\r\n" : "\n");
    }
  }
  auto r = server.ingest(body);
  ASSERT_EQ(r.status, 200) << r.body.substr(0, 500);
  auto d = parse_json(r.body);
  EXPECT_EQ(d["stored"].GetInt(), good);
  ASSERT_EQ(d["failed"].Size(), bad.size());
  for (rapidjson::SizeType i = 0; i < d["failed"].Size(); ++i) {
    EXPECT_EQ(d["failed"][i]["line"].GetInt(), bad[i]);
  }
  EXPECT_EQ(listed_call_count(server.port(), alice), good);
}

TEST(Ingest, EveryLineBadIs400AndWritesNothing) {
  CdrdServer server;
  auto alice = server.create_account("alice");
  auto r = server.ingest(call(alice.auth_id, "x").unset("end_time").line() + "\n" +
                         call("MA000000000000000000", "y").line() + "\n");
  EXPECT_EQ(r.status, 400) << r.body;
  auto d = parse_json(r.body);
  EXPECT_EQ(d["stored"].GetInt(), 0);
  EXPECT_EQ(d["failed"].Size(), 2u);
  EXPECT_NE(std::string(d["failed"][0]["error"].GetString()).find("end_time"), std::string::npos);
  EXPECT_NE(std::string(d["failed"][1]["error"].GetString()).find("account"), std::string::npos);
  EXPECT_EQ(listed_call_count(server.port(), alice), 0);
}

TEST(Ingest, NeedsTheOperatorKeyNotACustomerToken) {
  CdrdServer server;
  auto alice = server.create_account("alice");
  auto client = server.client();
  const std::string body = call(alice.auth_id, "k-1").line() + "\n";
  EXPECT_EQ(client.request("POST", "/v1/ingest/calls", body).status, 401);
  EXPECT_EQ(
      client.request("POST", "/v1/ingest/calls", body, {{"Authorization", "Bearer wrong-key"}})
          .status,
      401);
  EXPECT_EQ(client.request("POST", "/v1/ingest/calls", body, alice.basic()).status, 401);
  EXPECT_EQ(client
                .request("GET", "/v1/ingest/calls", "",
                         {{"Authorization", std::string("Bearer ") + CdrdServer::kOperatorKey}})
                .status,
            405);
  EXPECT_EQ(listed_call_count(server.port(), alice), 0);
}

TEST(Ingest, OversizedBodyIs413) {
  CdrdServer server({"--max-body-bytes", "4096"});
  auto alice = server.create_account("alice");
  std::string body;
  for (int i = 0; body.size() < 8192; ++i)
    body += call(alice.auth_id, "big-" + std::to_string(i)).line() + "\n";
  auto r = server.ingest(body);
  EXPECT_EQ(r.status, 413);
  auto d = parse_json(r.body);
  EXPECT_TRUE(d.HasMember("api_id") && d.HasMember("error"));
  EXPECT_EQ(listed_call_count(server.port(), alice), 0);
}

TEST(Import, LoadsNdjsonAndCsvWithTheSameValidation) {
  CdrdServer server;
  auto alice = server.create_account("alice");
  const std::string dir = server.data_dir();
  {
    std::ofstream out(dir + "/calls.ndjson");
    out << call(alice.auth_id, "i-1").line() << "\n"
        << call(alice.auth_id, "i-2").set("rate", str("0.123456")).line() << "\n"
        << call(alice.auth_id, "i-3").line() << "\n";
  }
  auto r = run_cdrd({"--data-dir", dir, "import", dir + "/calls.ndjson"});
  EXPECT_EQ(r.exit_code, 1) << r.out;  // one line refused
  EXPECT_NE(r.out.find("stored 2"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("line 2"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("rate"), std::string::npos) << r.out;
  {
    std::ofstream out(dir + "/calls.csv");
    out << "account,call_uuid,call_direction,from_number,to_number,initiation_time,answer_time,end_"
           "time,region\n"
        << alice.auth_id << ",c-1,inbound,+14155550100,+12125550199," << ago(100) << "," << ago(90)
        << "," << ago(30) << ",\"us-east-1, virginia\"\n"
        << alice.auth_id << ",c-2,inbound,+14155550100,+12125550199," << ago(100) << ",," << ago(95)
        << ",\n";
  }
  auto c = run_cdrd({"--data-dir", dir, "import", dir + "/calls.csv"});
  EXPECT_EQ(c.exit_code, 0) << c.out;
  EXPECT_NE(c.out.find("stored 2"), std::string::npos) << c.out;
  EXPECT_EQ(listed_call_count(server.port(), alice), 4);
  auto one = parse_json(server.get(alice, "/v1/Account/" + alice.auth_id + "/Call/c-1/").body);
  EXPECT_EQ(std::string(one["region"].GetString()), "us-east-1, virginia");
  EXPECT_EQ(one["duration"].GetInt(), 60);
  // Importing again stores nothing new.
  auto again = run_cdrd({"--data-dir", dir, "import", dir + "/calls.csv"});
  EXPECT_NE(again.out.find("duplicates 2"), std::string::npos) << again.out;
}

}  // namespace
}  // namespace cdrd::test
