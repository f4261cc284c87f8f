// `cdrd export` through the real binary: the account's calls in the order they were stored, as
// NDJSON or CSV records of the ingest format that `cdrd import` takes back (every line a
// duplicate, none failed), within --since/--until, and only the account's own.
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "records.h"
#include "server_fixture.h"

namespace cdrd::test {
namespace {

class ExportTest : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    other_ = server_.create_account("other");
    auto r = server_.ingest(ndjson({
        with_own_billing(answered_call(acme_.auth_id, "c-1", 4, 300)),
        with_own_billing(answered_call(acme_.auth_id, "c-2", 4, 200))
            .set("call_id", str("a,\"quoted\"@host"))
            .set("end_time", str(ago(200) + ".25")),
        with_own_billing(answered_call(other_.auth_id, "theirs")),
        // Late: ended a day before the others, stored after them.
        with_own_billing(answered_call(acme_.auth_id, "late", 4, 86400)),
    }));
    ASSERT_EQ(r.status, 200) << r.body;
    ASSERT_EQ(parse_json(r.body)["stored"].GetInt(), 4) << r.body;
  }

  static std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
  }

  std::string exported(std::vector<std::string> args, const std::string& name) {
    const std::string path = files_.path() + "/" + name;
    args.insert(args.begin(), {"export", "--account", acme_.auth_id});
    args.push_back(path);
    const CommandResult r = cdrd(args);
    EXPECT_EQ(r.exit_code, 0) << r.out;
    return read_text(path);
  }

  Credentials other_;
};

TEST_F(ExportTest, NdjsonInStorageOrderThatImportTakesBack) {
  const std::string text = exported({}, "calls.ndjson");
  const std::vector<std::string> lines = lines_of(text);
  ASSERT_EQ(lines.size(), 3u) << text;
  std::vector<std::string> uuids;
  std::vector<int> durations;
  for (const std::string& line : lines) {
    const rapidjson::Document d = parse_json(line);
    uuids.emplace_back(d["call_uuid"].GetString());
    EXPECT_EQ(std::string(d["account"].GetString()), acme_.auth_id);
    EXPECT_EQ(std::string(d["total_amount"].GetString()), "0.00200");
    durations.push_back(d["duration"].GetInt());
  }
  // c-2 ended 0.25 s later: its duration is rounded up to the second.
  EXPECT_EQ(durations, (std::vector<int>{4, 5, 4}));
  EXPECT_EQ(uuids, (std::vector<std::string>{"c-1", "c-2", "late"}));
  const rapidjson::Document second = parse_json(lines[1]);
  EXPECT_EQ(std::string(second["end_time"].GetString()), ago(200) + ".250000");
  EXPECT_EQ(std::string(second["call_id"].GetString()), "a,\"quoted\"@host");

  const CommandResult again = cdrd({"import", files_.path() + "/calls.ndjson"});
  EXPECT_EQ(again.exit_code, 0) << again.out;
  EXPECT_NE(again.out.find("stored 0, duplicates 3, failed 0"), std::string::npos) << again.out;
}

TEST_F(ExportTest, CsvQuotesWhatNeedsItAndImportTakesItBack) {
  const std::string text = exported({"--format", "csv"}, "calls.csv");
  const std::vector<std::string> lines = lines_of(text);
  ASSERT_EQ(lines.size(), 4u) << text;
  EXPECT_EQ(lines[0].rfind("account,call_uuid,call_direction,", 0), 0u) << lines[0];
  EXPECT_NE(lines[2].find(",\"a,\"\"quoted\"\"@host\","), std::string::npos) << lines[2];
  const CommandResult again = cdrd({"import", "--format", "csv", files_.path() + "/calls.csv"});
  EXPECT_EQ(again.exit_code, 0) << again.out;
  EXPECT_NE(again.out.find("stored 0, duplicates 3, failed 0"), std::string::npos) << again.out;
}

TEST_F(ExportTest, SinceAndUntilBoundTheEndTime) {
  // The late call alone: it ended before the hour the others ended in.
  const std::string before = ago(3600).substr(0, 16);
  const std::vector<std::string> late = lines_of(exported({"--until", before}, "late.ndjson"));
  ASSERT_EQ(late.size(), 1u);
  EXPECT_EQ(std::string(parse_json(late[0])["call_uuid"].GetString()), "late");
  const std::vector<std::string> recent = lines_of(exported({"--since", before}, "recent.ndjson"));
  EXPECT_EQ(recent.size(), 2u);

  const CommandResult bad =
      cdrd({"export", "--account", acme_.auth_id, "--format", "xml", files_.path() + "/x"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.out.find("--format: must be ndjson or csv, got 'xml'"), std::string::npos)
      << bad.out;
  const CommandResult nobody =
      cdrd({"export", "--account", "MA000000000000000000", files_.path() + "/x"});
  EXPECT_EQ(nobody.exit_code, 2);
  EXPECT_NE(nobody.out.find("no account with auth_id"), std::string::npos) << nobody.out;
}

TEST_F(ExportTest, TakesTheFiltersOfTheListAndEveryAccountWithoutAccount) {
  // c-1 talked 4 s ("late" too), c-2 5 s: bill_duration is each one's own, so filter on it.
  const std::vector<std::string> longer =
      lines_of(exported({"--filter", "bill_duration__gte=5"}, "longer.ndjson"));
  ASSERT_EQ(longer.size(), 1u);
  EXPECT_EQ(std::string(parse_json(longer[0])["call_uuid"].GetString()), "c-2");
  EXPECT_TRUE(lines_of(exported({"--filter", "call_direction=inbound"}, "in.ndjson")).empty());

  // Every account, in storage order; the same file whatever the number of threads.
  const std::string path = files_.path() + "/all.csv";
  ASSERT_EQ(cdrd({"export", "--format", "csv", "--threads", "1", path}).exit_code, 0);
  const std::string one = read_text(path);
  ASSERT_EQ(cdrd({"export", "--format", "csv", "--threads", "3", path}).exit_code, 0);
  EXPECT_EQ(read_text(path), one);
  const std::vector<std::string> lines = lines_of(one);
  ASSERT_EQ(lines.size(), 5u) << one;
  EXPECT_EQ(lines[3].rfind(other_.auth_id + ",theirs,", 0), 0u) << lines[3];

  const CommandResult bad = cdrd({"export", "--filter", "bill_duration__gt=x", path});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.out.find("cdrd: --filter bill_duration__gt: must be a non-negative integer"),
            std::string::npos)
      << bad.out;
  const CommandResult limit = cdrd({"export", "--filter", "limit=5", path});
  EXPECT_EQ(limit.exit_code, 2);
  EXPECT_NE(limit.out.find("unknown parameter 'limit'"), std::string::npos) << limit.out;
  const CommandResult shape = cdrd({"export", "--filter", "call_direction", path});
  EXPECT_EQ(shape.exit_code, 2);
  EXPECT_NE(shape.out.find("--filter: expected NAME=VALUE"), std::string::npos) << shape.out;
}

}  // namespace
}  // namespace cdrd::test
