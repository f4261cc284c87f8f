// `cdrd demo` (what `make run` runs first): idempotent, and the credentials it writes to
// demo.env work against the server for both APIs.
#include <gtest/gtest.h>

#include "harness.h"
#include "records.h"

namespace cdrd::test {
namespace {

TEST(Demo, IsIdempotentAndItsCredentialsWork) {
  CdrdServer server;
  const std::string dir = server.data_dir();
  CommandResult first = run_cdrd({"--data-dir", dir, "demo", "--calls", "120"});
  ASSERT_EQ(first.exit_code, 0) << first.out;
  EXPECT_NE(first.out.find("demo calls:   120 new, 0 already there"), std::string::npos)
      << first.out;
  const auto env = read_env(dir + "/demo.env");
  CommandResult second = run_cdrd({"--data-dir", dir, "demo", "--calls", "120"});
  ASSERT_EQ(second.exit_code, 0) << second.out;
  EXPECT_NE(second.out.find("demo calls:   0 new, 120 already there"), std::string::npos)
      << second.out;
  EXPECT_EQ(read_env(dir + "/demo.env"), env);  // same account, token and app

  const Credentials demo{env.at("CDRD_AUTH_ID"), env.at("CDRD_AUTH_TOKEN")};
  auto list = server.get(demo, "/v1/Account/" + demo.auth_id + "/Zentrunk/Call/?limit=1");
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_EQ(parse_json(list.body)["meta"]["total_count"].GetInt(), 120);
  auto one = server.get(demo, "/v1/Account/" + demo.auth_id + "/Call/" + env.at("CDRD_DEMO_CALL"));
  EXPECT_EQ(one.status, 200) << one.body;

  auto token = request_token(server.port(), env.at("CDRD_CLIENT_ID"), env.at("CDRD_CLIENT_SECRET"));
  ASSERT_EQ(token.status, 200) << token.body;
  const std::string bearer = parse_json(token.body)["access_token"].GetString();
  auto calls = server.client().request("GET", "/api/ver1.0/client/@me/calls/?per_page=500", "",
                                       {{"Authorization", "Bearer " + bearer}});
  ASSERT_EQ(calls.status, 200) << calls.body;
  EXPECT_EQ(parse_json(calls.body)["calls"].Size(), 120u);
}

// The demo calls are the same for any demo account (drawn from its name, not its auth_id) and
// carry what the README's PBX and Insights examples show: legs, Q.850 causes, dispositions and
// quality metrics.
TEST(Demo, CallsAreTheSameEverywhereAndCarryPbxFieldsAndQuality) {
  TempDir other;
  CdrdServer server;
  CommandResult a = run_cdrd({"--data-dir", server.data_dir(), "demo", "--calls", "300"});
  CommandResult b = run_cdrd({"--data-dir", other.path(), "demo", "--calls", "300"});
  ASSERT_EQ(a.exit_code, 0) << a.out;
  ASSERT_EQ(b.exit_code, 0) << b.out;
  const auto env = read_env(server.data_dir() + "/demo.env");
  const auto other_env = read_env(other.path() + "/demo.env");
  EXPECT_NE(env.at("CDRD_AUTH_ID"), other_env.at("CDRD_AUTH_ID"));
  EXPECT_EQ(env.at("CDRD_DEMO_CALL"), other_env.at("CDRD_DEMO_CALL"));

  auto token = request_token(server.port(), env.at("CDRD_CLIENT_ID"), env.at("CDRD_CLIENT_SECRET"));
  ASSERT_EQ(token.status, 200) << token.body;
  const std::string bearer = parse_json(token.body)["access_token"].GetString();
  auto history = server.client().request("GET", "/api/ver1.0/client/@me/call_history/?per_page=300",
                                         "", {{"Authorization", "Bearer " + bearer}});
  ASSERT_EQ(history.status, 200) << history.body;
  const auto doc = parse_json(history.body);
  const auto& calls = doc["call_history"];
  ASSERT_EQ(calls.Size(), 300u);
  int recorded = 0, two_legs = 0;
  for (const auto& call : calls.GetArray()) {
    EXPECT_NE(std::string(call["hangup_cause"].GetString()), "") << history.body.substr(0, 300);
    EXPECT_NE(std::string(call["hangup_disposition"].GetString()), "");
    EXPECT_TRUE(call["extension_id"].IsInt64());
    ASSERT_GE(call["cdr"].Size(), 1u);
    two_legs += call["cdr"].Size() == 2;
    for (const auto& leg : call["cdr"].GetArray()) {
      // A leg without a recording: "" (or null, as the provider's clients expect).
      const auto& record = leg["record_uuid"];
      recorded += record.IsString() && record.GetStringLength() > 0 ? 1 : 0;
    }
  }
  EXPECT_GT(recorded, 50);
  EXPECT_GT(two_legs, 10);

  const Credentials demo{env.at("CDRD_AUTH_ID"), env.at("CDRD_AUTH_TOKEN")};
  auto insights = server.get(demo, "/v1/Account/" + demo.auth_id + "/Zentrunk/Call/" +
                                       env.at("CDRD_DEMO_CALL") + "/Insights/");
  ASSERT_EQ(insights.status, 200) << insights.body;
  const auto q = parse_json(insights.body);
  EXPECT_TRUE(q["from"]["carrier"].IsString()) << insights.body;
  EXPECT_TRUE(q["post_dial_delay"].IsInt64()) << insights.body;
}

}  // namespace
}  // namespace cdrd::test
