// The web console's routes through the real binary (docs/console.md): its files with the
// security headers, revalidation (304) and 404; the operator key reading an account's routes
// (GET only) and listing the accounts; a call's legs for the account's own credentials.
#include <gtest/gtest.h>

#include <string>

#include "records.h"
#include "server_fixture.h"

namespace cdrd::test {
namespace {

const http::Params kOperatorBearer = {
    {"Authorization", std::string("Bearer ") + CdrdServer::kOperatorKey}};

class ConsoleApiTest : public ServerTest {};

TEST_F(ConsoleApiTest, ServesItsFilesWithSecurityHeadersEtagsAnd304) {
  auto client = server_.client();
  const auto redirect = client.get("/console");
  EXPECT_EQ(redirect.status, 301);
  EXPECT_EQ(redirect.header("location"), "/console/");

  const auto index = client.get("/console/");
  ASSERT_EQ(index.status, 200);
  EXPECT_EQ(index.header("content-type"), "text/html; charset=utf-8");
  EXPECT_EQ(index.header("cache-control"), "no-cache");
  EXPECT_EQ(index.header("content-security-policy"),
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
  EXPECT_EQ(index.header("x-content-type-options"), "nosniff");
  EXPECT_EQ(index.header("referrer-policy"), "no-referrer");
  EXPECT_NE(index.body.find("<script src=\"app.js\" defer></script>"), std::string::npos);

  const auto script = client.get("/console/app.js");
  ASSERT_EQ(script.status, 200);
  EXPECT_EQ(script.header("content-type"), "text/javascript; charset=utf-8");
  const std::string etag = script.header("etag");
  ASSERT_FALSE(etag.empty());
  const auto again = client.get("/console/app.js", {{"If-None-Match", etag}});
  EXPECT_EQ(again.status, 304);
  EXPECT_TRUE(again.body.empty());
  EXPECT_EQ(again.header("etag"), etag);
  EXPECT_EQ(client.get("/console/app.js", {{"If-None-Match", "\"old\""}}).status, 200);

  const auto head = client.request("HEAD", "/console/app.js");
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.header("etag"), etag);
  EXPECT_TRUE(head.body.empty());

  const auto missing = client.get("/console/missing.js");
  EXPECT_EQ(missing.status, 404);
  EXPECT_FALSE(missing.header("content-security-policy").empty());
  EXPECT_EQ(client.request("POST", "/console/app.js", "x").status, 405);
}

TEST_F(ConsoleApiTest, TheOperatorKeyReadsAnAccountAndChangesNothing) {
  auto client = server_.client();
  const std::string base = "/v1/Account/" + acme_.auth_id + "/Zentrunk/";
  ASSERT_EQ(server_.ingest(ndjson({with_own_billing(answered_call(acme_.auth_id, "op-1"))})).status,
            200);

  const auto list = client.get(base + "Call/", kOperatorBearer);
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_EQ(parse_json(list.body)["meta"]["total_count"].GetInt(), 1);
  EXPECT_EQ(client.get(base + "Trunk/", kOperatorBearer).status, 200);
  // A change is the account's own: the operator key is refused.
  EXPECT_EQ(
      client.request("POST", base + "Trunk/", R"({"trunk_direction": "outbound"})", kOperatorBearer)
          .status,
      401);
  EXPECT_EQ(client.get(base + "Call/", {{"Authorization", "Bearer wrong"}}).status, 401);
  const auto unknown =
      client.get("/v1/Account/MA000000000000000000/Zentrunk/Call/", kOperatorBearer);
  EXPECT_EQ(unknown.status, 404) << unknown.body;

  // The operator's list of accounts; an account's own credentials do not open it.
  const auto accounts = client.get("/v1/Account/", kOperatorBearer);
  ASSERT_EQ(accounts.status, 200) << accounts.body;
  const rapidjson::Document d = parse_json(accounts.body);
  ASSERT_EQ(d["meta"]["total_count"].GetInt(), 1);
  EXPECT_EQ(std::string(d["objects"][0]["auth_id"].GetString()), acme_.auth_id);
  EXPECT_EQ(std::string(d["objects"][0]["name"].GetString()), "acme");
  EXPECT_EQ(client.get("/v1/Account/", acme_.basic()).status, 401);
}

TEST_F(ConsoleApiTest, ACallsLegsForTheAccountsCredentials) {
  Record call = with_own_billing(answered_call(acme_.auth_id, "with-legs"));
  call.set("legs", R"([{"extension_name": "101", "to_username": "+919943720205", )"
                   R"("result": "answered", "duration": 4, "init_time": ")" +
                       ago(72) + R"(", "hangup_time": ")" + ago(60) + R"("}])");
  const auto stored =
      server_.ingest(ndjson({call, with_own_billing(answered_call(acme_.auth_id, "no-legs"))}));
  ASSERT_EQ(stored.status, 200);
  ASSERT_EQ(parse_json(stored.body)["stored"].GetInt(), 2) << stored.body;
  const std::string base = "/v1/Account/" + acme_.auth_id + "/Zentrunk/Call/";
  const auto legs = server_.get(acme_, base + "WITH-LEGS/Legs/");
  ASSERT_EQ(legs.status, 200) << legs.body;
  const rapidjson::Document d = parse_json(legs.body);
  EXPECT_EQ(std::string(d["call_uuid"].GetString()), "with-legs");
  ASSERT_EQ(d["objects"].Size(), 1U);
  EXPECT_EQ(std::string(d["objects"][0]["extension_name"].GetString()), "101");
  EXPECT_EQ(d["objects"][0]["duration"].GetInt(), 4);

  const auto none = server_.get(acme_, base + "no-legs/Legs/");
  ASSERT_EQ(none.status, 200) << none.body;
  EXPECT_EQ(parse_json(none.body)["objects"].Size(), 0U);
  EXPECT_EQ(server_.get(acme_, base + "unknown/Legs/").status, 404);
  const Credentials other = server_.create_account("other");
  EXPECT_EQ(
      server_.get(other, "/v1/Account/" + other.auth_id + "/Zentrunk/Call/with-legs/Legs/").status,
      404);
}

}  // namespace
}  // namespace cdrd::test
