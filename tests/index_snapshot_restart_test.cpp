// Black-box tests of the index snapshot (docs/architecture.md, "The index snapshot"): a server
// stopped cleanly starts from the snapshot and lists exactly what it listed before; after a
// kill -9, a `cdrd import` into the stopped database, or a change another program made to a
// call, the start reads the calls table instead and lists every call as it now is.
#include <gtest/gtest.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <sqlite3.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "fault_harness.h"
#include "records.h"

namespace cdrd::test {
namespace {

constexpr const char* kLoaded = "loaded from the index snapshot";
constexpr const char* kBuilt = "built from the calls table";

std::string to_json(const rapidjson::Value& v) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  v.Accept(w);
  return buf.GetString();
}

// Calls of several shapes: numbers of two countries and a SIP username, long calls (over 18
// hours: past the 16-bit durations and 32-bit initiation times of the index), ties on end_time.
std::string calls_body(const std::string& account, const std::string& prefix, int n) {
  std::string body;
  for (int i = 0; i < n; ++i) {
    const std::int64_t talk = i % 37 == 0 ? 70'000 : i % 7;
    Record r = with_own_billing(
        answered_call(account, prefix + std::to_string(i), talk, 60 + (i / 3) * 100));
    if (i % 5 == 0) r.set("to_number", str("+4930" + std::to_string(1000 + i)));
    if (i % 11 == 0) r.set("from_number", str("anonymous"));
    if (i % 2 == 0) r.set("call_direction", str("inbound"));
    body += r.line() + "\n";
  }
  return body;
}

class RestartTest : public ::testing::Test {
 protected:
  void SetUp() override {
    accounts_ = {create_account_in(dir_.path(), "snap-a"),
                 create_account_in(dir_.path(), "snap-b")};
  }

  // Starts the server; the part of its log this start wrote.
  std::string start() {
    const std::size_t before = server_.log().size();
    server_.start({"--no-access-log"});
    return server_.log().substr(before);
  }

  // The pages and counts of a few lists of each account (filters, offsets, both APIs' shapes).
  std::vector<std::string> lists() {
    std::vector<std::string> out;
    for (const Credentials& a : accounts_) {
      for (const std::string q :
           {"limit=20", "limit=20&offset=20", "to_number=4930&limit=5", "call_direction=inbound",
            "from_number=anonymous", "bill_duration__gte=60000", "limit=3&offset=100"}) {
        const std::string target = "/v1/Account/" + a.auth_id + "/Call/?" + q;
        const http::ClientResponse r = server_.get(a, target);
        EXPECT_EQ(r.status, 200) << target << " " << r.body;
        const rapidjson::Document d = parse_json(r.body);
        out.push_back(target + " " + to_json(d["meta"]) + " " + to_json(d["objects"]));
      }
    }
    return out;
  }

  std::int64_t count(std::size_t account) {
    return listed_call_count(server_.port(), accounts_[account]);
  }

  void ingest(const std::string& prefix, int n) {
    for (const Credentials& a : accounts_) {
      const http::ClientResponse r = server_.ingest(calls_body(a.auth_id, prefix, n));
      ASSERT_EQ(r.status, 200) << r.body;
    }
  }

  // A statement run on the stopped database by another program (the sqlite3 library itself).
  void foreign_write(const std::string& sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(server_.db_path().c_str(), &db), SQLITE_OK);
    char* error = nullptr;
    const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
    const std::string message = error ? error : "";
    sqlite3_free(error);
    sqlite3_close(db);
    ASSERT_EQ(rc, SQLITE_OK) << message;
  }

  TempDir dir_;
  std::vector<Credentials> accounts_;
  ServerProcess server_{dir_.path()};
};

TEST_F(RestartTest, CleanStopLoadsTheSnapshotAndKillNineRebuildsWithTheSameLists) {
  EXPECT_NE(start().find(kBuilt), std::string::npos);
  ingest("first-", 400);
  const std::vector<std::string> before = lists();
  ASSERT_EQ(count(0), 400);

  ASSERT_EQ(server_.stop(SIGTERM), 0);
  EXPECT_NE(server_.log().find("list index: snapshot written"), std::string::npos) << server_.log();
  const std::string loaded = start();
  EXPECT_NE(loaded.find(kLoaded), std::string::npos) << loaded;
  EXPECT_EQ(lists(), before);

  // Writes after a start from the snapshot, then a crash: the next start reads the table.
  ingest("second-", 50);
  const std::vector<std::string> grown = lists();
  ASSERT_EQ(count(1), 450);
  ASSERT_EQ(server_.stop(SIGKILL), 128 + SIGKILL);
  const std::string rebuilt = start();
  EXPECT_NE(rebuilt.find(kBuilt), std::string::npos) << rebuilt;
  EXPECT_NE(rebuilt.find("no snapshot token"), std::string::npos) << rebuilt;
  EXPECT_EQ(lists(), grown);

  // One start trusts a snapshot once: stopped cleanly again, started twice with a kill between.
  ASSERT_EQ(server_.stop(SIGTERM), 0);
  EXPECT_NE(start().find(kLoaded), std::string::npos);
  ASSERT_EQ(server_.stop(SIGKILL), 128 + SIGKILL);
  EXPECT_NE(start().find(kBuilt), std::string::npos);
  EXPECT_EQ(lists(), grown);
}

// The uuid maps that find duplicates come back with the snapshot after a clean stop (the start
// says so), and calls sent again are refused; after a kill -9 the maps are read from the table
// again, and the calls are still refused.
TEST_F(RestartTest, CleanStopKeepsTheUuidMapsAndCallsSentAgainAreStillDuplicates) {
  start();
  ingest("first-", 150);
  ASSERT_EQ(server_.stop(SIGTERM), 0);
  EXPECT_NE(server_.log().find("uuid maps: 300 calls of 2 accounts written to"), std::string::npos)
      << server_.log();
  const std::string loaded = start();
  EXPECT_NE(loaded.find("uuid maps: 300 calls of 2 accounts loaded from their snapshot"),
            std::string::npos)
      << loaded;
  auto send_again = [&](int& duplicates) {
    for (const Credentials& a : accounts_) {
      const http::ClientResponse r = server_.ingest(calls_body(a.auth_id, "first-", 150));
      ASSERT_EQ(r.status, 200) << r.body;
      duplicates += parse_json(r.body)["duplicates"].GetInt();
    }
  };
  int duplicates = 0;
  send_again(duplicates);
  EXPECT_EQ(duplicates, 300);
  EXPECT_EQ(count(0), 150);

  ASSERT_EQ(server_.stop(SIGKILL), 128 + SIGKILL);
  const std::string rebuilt = start();
  EXPECT_NE(rebuilt.find("uuid maps: each built from the calls table on first use"),
            std::string::npos)
      << rebuilt;
  duplicates = 0;
  send_again(duplicates);
  EXPECT_EQ(duplicates, 300);
  EXPECT_EQ(count(1), 150);
}

// After a start from the table (here after a kill -9), every account's uuid map is built in
// the background, with no retrieve or write asking for it, so the next clean stop writes them
// all and the start after it loads them (before, it wrote only the maps used since the start).
TEST_F(RestartTest, AfterAStartFromTheTableTheCleanStopWritesEveryUuidMap) {
  start();
  ingest("first-", 150);
  ASSERT_EQ(server_.stop(SIGKILL), 128 + SIGKILL);
  const std::string rebuilt = start();
  EXPECT_NE(rebuilt.find(kBuilt), std::string::npos) << rebuilt;
  const char* const kBackground = "uuid maps: 300 calls of 2 accounts built in the background";
  for (int i = 0; i < 200 && server_.log().find(kBackground) == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_NE(server_.log().find(kBackground), std::string::npos) << server_.log();
  const std::size_t before_stop = server_.log().size();
  ASSERT_EQ(server_.stop(SIGTERM), 0);
  const std::string stopped = server_.log().substr(before_stop);
  EXPECT_NE(stopped.find("uuid maps: 300 calls of 2 accounts written to"), std::string::npos)
      << stopped;
  const std::string loaded = start();
  EXPECT_NE(loaded.find("uuid maps: 300 calls of 2 accounts loaded from their snapshot"),
            std::string::npos)
      << loaded;
}

TEST_F(RestartTest, ImportIntoTheStoppedDatabaseIsSeenByTheNextStart) {
  start();
  ingest("first-", 100);
  ASSERT_EQ(server_.stop(SIGTERM), 0);

  const std::string file = dir_.path() + "/more.ndjson";
  std::ofstream(file) << calls_body(accounts_[0].auth_id, "imported-", 30);
  const CommandResult imported = run_cdrd({"--data-dir", dir_.path(), "import", file});
  ASSERT_EQ(imported.exit_code, 0) << imported.out;

  const std::string log = start();
  EXPECT_NE(log.find(kBuilt), std::string::npos) << log;
  EXPECT_EQ(count(0), 130);
  EXPECT_EQ(count(1), 100);
}

TEST_F(RestartTest, AChangeAnotherProgramMadeToACallIsSeenByTheNextStart) {
  start();
  ingest("first-", 100);
  ASSERT_EQ(server_.stop(SIGTERM), 0);
  // A re-rating behind cdrd's back (the trigger of the token's table takes the token away).
  foreign_write("UPDATE calls SET bill_duration_s = 99999 WHERE call_uuid = 'first-3'");
  std::string log = start();
  EXPECT_NE(log.find(kBuilt), std::string::npos) << log;
  const std::string target = "/v1/Account/" + accounts_[0].auth_id + "/Call/?bill_duration=99999";
  const rapidjson::Document d = parse_json(server_.get(accounts_[0], target).body);
  EXPECT_EQ(d["meta"]["total_count"].GetInt64(), 1) << target;

  // A row deleted (the oldest: the highest id stays) and one added with a new id.
  ASSERT_EQ(server_.stop(SIGTERM), 0);
  foreign_write("DELETE FROM calls WHERE id = (SELECT MIN(id) FROM calls)");
  log = start();
  EXPECT_NE(log.find(kBuilt), std::string::npos) << log;
  EXPECT_EQ(count(0) + count(1), 199);
}

}  // namespace
}  // namespace cdrd::test
