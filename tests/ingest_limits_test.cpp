// Black-box tests of ingest's limits against the real binary: a body of nothing but bad lines
// answers with the first 1,000 failures and the count of all of them in a small reply; money
// that cannot be represented is refused (a deck row with its row number, a record as a failed
// line), never clamped; a record already past retention is a failed line.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>

#include "harness.h"
#include "records.h"
#include "server_fixture.h"

namespace cdrd::test {
namespace {

using ::testing::HasSubstr;

// An answered outbound call to India that talked `talk` seconds and ended `ended_ago` s ago.
Record call(const std::string& account, const std::string& uuid, std::int64_t talk,
            std::int64_t ended_ago = 60) {
  return answered_call(account, uuid, talk, ended_ago).set("hangup_cause_code", "3000");
}

using IngestLimits = ServerTest;

TEST_F(IngestLimits, AMultiMegabyteBodyOfBadLinesAnswersWithAThousandAndTheCount) {
  std::string body = call(acme_.auth_id, "good", 30).line() + "\n";
  const std::string bad = R"({"call_uuid": "x", "call_direction": "sideways", "pad": ")" +
                          std::string(40, 'p') + "\"}\n";
  constexpr int kBad = 50'000;
  for (int i = 0; i < kBad; ++i) body += bad;
  ASSERT_GT(body.size(), 4'000'000u);
  const auto t0 = std::chrono::steady_clock::now();
  const auto r = server_.ingest(body);
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0)
          .count();
  ASSERT_EQ(r.status, 200) << r.body.substr(0, 500);
  const auto d = parse_json(r.body);
  EXPECT_EQ(d["stored"].GetInt(), 1);
  EXPECT_EQ(d["failed_count"].GetInt(), kBad);
  ASSERT_EQ(d["failed"].Size(), 1000u);
  EXPECT_EQ(d["failed"][0]["line"].GetInt(), 2);
  EXPECT_EQ(d["failed"][999]["line"].GetInt(), 1001);
  EXPECT_LT(r.body.size(), 1'000'000u);
  RecordProperty("body_bytes", std::to_string(body.size()));
  RecordProperty("reply_bytes", std::to_string(r.body.size()));
  RecordProperty("ms", std::to_string(ms));
}

TEST_F(IngestLimits, CliImportCountsEveryFailureButListsFew) {
  std::string text;
  for (int i = 0; i < 25'000; ++i) text += "{\"call_uuid\": \"x\"}\n";
  text += call(acme_.auth_id, "good", 30).line() + "\n";
  const auto r = cdrd({"import", "--quiet", write("bad.ndjson", text)});
  EXPECT_EQ(r.exit_code, 1) << r.out.substr(0, 500);
  EXPECT_THAT(r.out, HasSubstr("stored 1, duplicates 0, failed 25000 in"));
  EXPECT_THAT(r.out, HasSubstr("... and 24950 more"));
}

TEST_F(IngestLimits, CliImportRefusesCallsPastItsRetentionDays) {
  const std::string file =
      write("old.ndjson", call(acme_.auth_id, "old", 30, 100 * 86'400).line() + "\n");
  const auto refused = cdrd({"import", "--quiet", file});
  EXPECT_EQ(refused.exit_code, 1) << refused.out;
  EXPECT_THAT(refused.out, HasSubstr("line 1: end_time: " + ago(100 * 86'400) +
                                     " is past the 90-day retention"));
  const auto kept = cdrd({"import", "--quiet", "--retention-days", "120", file});
  EXPECT_EQ(kept.exit_code, 0) << kept.out;
  EXPECT_THAT(kept.out, HasSubstr("stored 1, duplicates 0, failed 0"));
}

TEST_F(IngestLimits, ADeckRateThatUsedToBeClampedIsRefusedWithItsRow) {
  const auto load = cdrd({"ratedeck", "load", "--account", acme_.auth_id,
                          write("deck.csv",
                                "prefix,rate,initial_increment,subsequent_increment\n"
                                "1,0.01,60,60\n"
                                "91,9999999999.99999,1,1\n")});
  EXPECT_EQ(load.exit_code, 2) << load.out;
  EXPECT_THAT(load.out, HasSubstr("rate deck row 3: rate: at most 99999.99999 per minute, got "
                                  "'9999999999.99999'"));
  auto put = server_.client().request(
      "PUT", "/v1/ratedecks/" + acme_.auth_id + "/outbound",
      "prefix,rate,initial_increment,subsequent_increment\n91,100000,1,1\n",
      {{"Authorization", std::string("Bearer ") + CdrdServer::kOperatorKey},
       {"Content-Type", "text/csv"}});
  EXPECT_EQ(put.status, 400) << put.body;
  EXPECT_THAT(put.body, HasSubstr("rate deck row 2: rate: at most 99999.99999 per minute"));

  // The largest deck rate is taken, and a long call at it is rated exactly.
  ASSERT_EQ(cdrd({"ratedeck", "load", "--account", acme_.auth_id,
                  write("max.csv",
                        "prefix,rate,initial_increment,subsequent_increment\n"
                        "91,99999.99999,1,1\n")})
                .exit_code,
            0);
  const auto r = server_.ingest(ndjson({call(acme_.auth_id, "long", 2'000'000, 60)}));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(parse_json(r.body)["failed_count"].GetInt(), 0) << r.body;
}

TEST_F(IngestLimits, ARecordWhoseAmountWouldOverflowIsAFailedLineNotAClampedAmount) {
  ASSERT_EQ(cdrd({"ratedeck", "load", "--account", acme_.auth_id,
                  write("deck.csv",
                        "prefix,rate,initial_increment,subsequent_increment\n"
                        "91,99999.99999,1,1\n")})
                .exit_code,
            0);
  ASSERT_EQ(cdrd({"account", "set", "--account", acme_.auth_id, "--secure-trunking-rate",
                  "999999999999.99999"})
                .exit_code,
            0);
  const auto r = server_.ingest(
      ndjson({call(acme_.auth_id, "fits", 30).set("secure_trunking", "true"),
              call(acme_.auth_id, "overflows", 30'000'000).set("secure_trunking", "true")}));
  ASSERT_EQ(r.status, 200) << r.body;
  const auto d = parse_json(r.body);
  EXPECT_EQ(d["stored"].GetInt(), 1);
  ASSERT_EQ(d["failed_count"].GetInt(), 1) << r.body;
  EXPECT_EQ(d["failed"][0]["line"].GetInt(), 2);
  EXPECT_STREQ(d["failed"][0]["error"].GetString(),
               "total_amount: the amount for 30000000 s at rate 1000000099999.99998 exceeds the "
               "largest amount 92233720368547.75807");
  EXPECT_EQ(server_.get(acme_, "/v1/Account/" + acme_.auth_id + "/Zentrunk/Call/overflows/").status,
            404);
}

TEST_F(IngestLimits, ARecordAlreadyPastRetentionIsAFailedLine) {
  const auto r = server_.ingest(
      ndjson({call(acme_.auth_id, "recent", 30), call(acme_.auth_id, "expired", 30, 91 * 86'400)}));
  ASSERT_EQ(r.status, 200) << r.body;
  const auto d = parse_json(r.body);
  EXPECT_EQ(d["stored"].GetInt(), 1);
  ASSERT_EQ(d["failed_count"].GetInt(), 1);
  EXPECT_EQ(d["failed"][0]["line"].GetInt(), 2);
  EXPECT_EQ(std::string(d["failed"][0]["error"].GetString()),
            "end_time: " + ago(91 * 86'400) + " is past the 90-day retention");
}

}  // namespace
}  // namespace cdrd::test
