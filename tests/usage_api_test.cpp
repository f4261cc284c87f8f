// The usage totals through the real binary: on the demo calls, every total of
// GET .../Zentrunk/Usage/ equals the sum the test makes over the calls the Call API lists (page
// by page), to the last 0.00001; `cdrd usage` prints the same totals; refusals name the field.
#include <gtest/gtest.h>

#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "core/money.h"
#include "core/time.h"
#include "core/usage.h"
#include "harness.h"
#include "records.h"

namespace cdrd::test {
namespace {

struct Listed {
  std::string uuid, direction, to_country, hangup_source, trunk_id;
  Micros end_time = 0;
  bool answered = false;
  std::int64_t duration = 0, bill_duration = 0;
  Money amount;
};

// Every call of the default window, through the list API (current representation, 20 a page;
// the trunk_id from the legacy one).
std::vector<Listed> list_every_call(const CdrdServer& server, const Credentials& who) {
  std::vector<Listed> calls;
  std::map<std::string, std::string> trunks;
  for (const char* path : {"/Zentrunk/Call/", "/Call/"}) {
    const bool current = std::string_view(path) == "/Zentrunk/Call/";
    for (int offset = 0;; offset += 20) {
      auto page = server.get(
          who, "/v1/Account/" + who.auth_id + path + "?limit=20&offset=" + std::to_string(offset));
      EXPECT_EQ(page.status, 200) << page.body;
      if (page.status != 200) return calls;
      const rapidjson::Document doc = parse_json(page.body);
      const auto& objects = doc["objects"];
      for (const auto& o : objects.GetArray()) {
        if (!current) {
          trunks[o["call_uuid"].GetString()] = o["trunk_id"].GetString();
          continue;
        }
        Listed c;
        c.uuid = o["call_uuid"].GetString();
        c.direction = o["call_direction"].GetString();
        c.to_country = o["to_country"].GetString();
        c.hangup_source = o["hangup_source"].GetString();
        c.end_time = parse_timestamp(o["end_time"].GetString())->start;
        c.answered = !o["answer_time"].IsNull();
        c.duration = o["call_duration"].GetInt64();
        c.bill_duration = o["bill_duration"].GetInt64();
        c.amount = *Money::parse(o["total_amount"].GetString());
        calls.push_back(c);
      }
      if (objects.Size() < 20) break;
    }
  }
  for (Listed& c : calls) c.trunk_id = trunks.at(c.uuid);
  return calls;
}

std::string figures(const UsageTotals& t) {
  return std::to_string(t.calls) + " " + std::to_string(t.answered_calls) + " " +
         usage_asr(t).value_or("null") + " " + usage_acd(t).value_or("null") + " " +
         std::to_string(t.bill_duration_s) + " " + usage_billed_minutes(t) + " " +
         t.total_amount.to_fixed5();
}

std::string text_or_null(const rapidjson::Value& v) { return v.IsNull() ? "null" : v.GetString(); }

std::string figures(const rapidjson::Value& o) {
  return std::to_string(o["calls"].GetInt64()) + " " +
         std::to_string(o["answered_calls"].GetInt64()) + " " + text_or_null(o["asr"]) + " " +
         text_or_null(o["acd"]) + " " + std::to_string(o["bill_duration"].GetInt64()) + " " +
         o["billed_minutes"].GetString() + " " + o["total_amount"].GetString();
}

class UsageApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const CommandResult demo =
        run_cdrd({"--data-dir", server_.data_dir(), "demo", "--calls", "500"});
    ASSERT_EQ(demo.exit_code, 0) << demo.out;
    const auto env = read_env(server_.data_dir() + "/demo.env");
    who_ = {env.at("CDRD_AUTH_ID"), env.at("CDRD_AUTH_TOKEN")};
  }
  http::ClientResponse usage(const std::string& query) {
    return server_.get(who_, "/v1/Account/" + who_.auth_id + "/Zentrunk/Usage/?" + query);
  }

  CdrdServer server_;
  Credentials who_;
};

TEST_F(UsageApiTest, TotalsEqualTheSumsOfTheListedCalls) {
  const std::vector<Listed> calls = list_every_call(server_, who_);
  ASSERT_EQ(calls.size(), 500u);
  for (const char* period : {"hour", "day", "month"}) {
    for (const char* group : {"", "direction", "to_country", "trunk_id", "hangup_source"}) {
      std::map<std::pair<std::string, std::string>, UsageTotals> sums;
      UsageTotals all;
      const UsagePeriod p = *parse_usage_period(period);
      for (const Listed& c : calls) {
        const std::string g = std::string(group) == "direction"       ? c.direction
                              : std::string(group) == "to_country"    ? c.to_country
                              : std::string(group) == "trunk_id"      ? c.trunk_id
                              : std::string(group) == "hangup_source" ? c.hangup_source
                                                                      : "";
        UsageTotals one{1, c.answered ? 1 : 0, c.answered ? c.duration : 0, c.bill_duration,
                        c.amount};
        const std::pair<std::string, std::string> key(
            format_timestamp(usage_period_start(p, c.end_time)), g);
        ASSERT_TRUE(sums[key].add(one));
        ASSERT_TRUE(all.add(one));
      }
      std::string query = std::string("period=") + period;
      if (*group != '\0') query += std::string("&group_by=") + group;
      const auto r = usage(query);
      ASSERT_EQ(r.status, 200) << r.body;
      const rapidjson::Document doc = parse_json(r.body);
      std::map<std::pair<std::string, std::string>, std::string> got;
      for (const auto& o : doc["objects"].GetArray()) {
        const std::string g = *group != '\0' ? o[group].GetString() : "";
        got[{o["period_start"].GetString(), g}] = figures(o);
      }
      std::map<std::pair<std::string, std::string>, std::string> want;
      for (const auto& [key, t] : sums) want[key] = figures(t);
      EXPECT_EQ(got, want) << query;
      EXPECT_EQ(figures(doc["totals"]), figures(all)) << query;
      EXPECT_EQ(doc["meta"]["total_count"].GetInt64(), static_cast<std::int64_t>(want.size()));
    }
  }
}

TEST_F(UsageApiTest, TheCommandPrintsTheSameTotals) {
  const auto r = usage("period=month&group_by=direction");
  ASSERT_EQ(r.status, 200) << r.body;
  const rapidjson::Document doc = parse_json(r.body);
  const auto& t = doc["totals"];
  const std::string since = format_timestamp(wall_now() - 40 * kMicrosPerDay).substr(0, 10);
  const CommandResult cli =
      run_cdrd({"--data-dir", server_.data_dir(), "usage", "--account", who_.auth_id, "--period",
                "month", "--group-by", "direction", "--since", since});
  ASSERT_EQ(cli.exit_code, 0) << cli.out;
  std::istringstream lines(cli.out);
  std::string line, last;
  while (std::getline(lines, line)) last = line;
  std::istringstream words(last);
  std::vector<std::string> cells;
  for (std::string w; words >> w;) cells.push_back(w);
  const std::vector<std::string> want = {"total",
                                         std::to_string(t["calls"].GetInt64()),
                                         std::to_string(t["answered_calls"].GetInt64()),
                                         t["asr"].GetString(),
                                         t["acd"].GetString(),
                                         std::to_string(t["bill_duration"].GetInt64()),
                                         t["billed_minutes"].GetString(),
                                         t["total_amount"].GetString()};
  EXPECT_EQ(cells, want) << cli.out;
  EXPECT_NE(cli.out.find("period_start"), std::string::npos) << cli.out;

  const CommandResult bad = run_cdrd({"--data-dir", server_.data_dir(), "usage", "--account",
                                      who_.auth_id, "--since", since, "--period", "week"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.out.find("cdrd: --period: must be hour, day or month, got 'week'"),
            std::string::npos)
      << bad.out;
}

TEST_F(UsageApiTest, RefusalsNameTheFieldAndOnlyTheAccountItselfIsServed) {
  auto r = usage("period=week");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(parse_json(r.body)["error"].GetString(),
            std::string("period: must be hour, day or month, got 'week'"));
  r = usage("group_by=country");
  EXPECT_EQ(r.status, 400);
  r = usage("limit=5");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("accepted parameters: period, group_by, call_direction"), std::string::npos)
      << r.body;
  r = usage("end_time__gte=2026-13-01");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("end_time__gte: expected YYYY-MM-DD HH:MM"), std::string::npos) << r.body;

  const Credentials other = server_.create_account("other");
  auto forbidden = server_.get(other, "/v1/Account/" + who_.auth_id + "/Zentrunk/Usage/");
  EXPECT_EQ(forbidden.status, 403) << forbidden.body;
  auto none =
      server_.client().request("GET", "/v1/Account/" + who_.auth_id + "/Zentrunk/Usage/", "", {});
  EXPECT_EQ(none.status, 401) << none.body;
  auto own = server_.get(other, "/v1/Account/" + other.auth_id + "/Zentrunk/Usage");
  ASSERT_EQ(own.status, 200) << own.body;
  EXPECT_EQ(parse_json(own.body)["meta"]["total_count"].GetInt64(), 0);
}

}  // namespace
}  // namespace cdrd::test
