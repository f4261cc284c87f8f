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

}  // namespace
}  // namespace cdrd::test
