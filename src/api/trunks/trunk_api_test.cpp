// The JSON body reader and the views.
#include "api/trunks/trunk_api.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <map>
#include <set>

#include "api/trunks/json_body.h"
#include "api/trunks/trunk_view.h"

namespace cdrd::api::trunks {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// ---- JsonBody --------------------------------------------------------------------------------

TEST(JsonBody, EmptyBodyIsAnEmptyObject) {
  for (const char* text : {"", "  \r\n", "{}"}) {
    Result<JsonBody> b = JsonBody::parse(text);
    ASSERT_TRUE(b.ok()) << text;
    EXPECT_TRUE(b->empty());
  }
}

TEST(JsonBody, RefusesWhatIsNotOneObject) {
  for (const char* text : {"[1]", "\"x\"", "{\"a\": 1} {\"b\": 2}", "{\"a\": 1,}",
                           "{\"a\": \"\xff\"}", "{\"a\": 1, \"a\": 2}"}) {
    Result<JsonBody> b = JsonBody::parse(text);
    EXPECT_EQ(b.status().code(), Status::Code::kInvalidArgument) << text;
  }
  EXPECT_THAT(JsonBody::parse("{\"a\": 1, \"a\": 2}").status().message(),
              HasSubstr("a: given more than once"));
}

TEST(JsonBody, TypedReadersNameTheFieldAndHideSecrets) {
  Result<JsonBody> b = JsonBody::parse(
      R"({"name": "x", "n": null, "flag": "yes", "list": ["a", 2], "password": 123456789012})");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(*b->string("name", "a string").value(), "x");
  EXPECT_FALSE(b->string("n", "a string")->has_value());
  EXPECT_TRUE(b->is_null("n"));
  EXPECT_FALSE(b->string("absent", "a string")->has_value());
  EXPECT_EQ(b->boolean("flag").status().message(), "flag: must be true or false, got 'yes'");
  EXPECT_EQ(b->string_array("list", "an array").status().message(),
            "list[1]: must be a string, got 2");
  const Status secret = b->string("password", "a string", true).status();
  EXPECT_THAT(secret.message(), HasSubstr("password: must be a string"));
  EXPECT_THAT(secret.message(), Not(HasSubstr("123456789012")));
  EXPECT_THAT(b->check_fields({"name", "n", "flag", "list"}).message(),
              HasSubstr("unknown field 'password'; accepted fields: name, n, flag, list"));
}

Trunk trunk(Direction d) {
  Trunk t;
  t.direction = d;
  return t;
}

// ---- views -------------------------------------------------------------------------------------

// Objects are built field by field, as in the store tests, so that every attribute the view
// must show or hide stands in the test.
TEST(Views, ObjectsCarryTheReferenceAttributesAndNoSecrets) {
  Credential c;
  c.credential_uuid = "c-1";
  c.name = "pbx";
  c.username = "pbx.main";
  c.realm = "zt.example.net";
  c.ha1 = "0123456789abcdef0123456789abcdef";
  const std::string cred = render_object(c, "api-1");
  EXPECT_EQ(
      cred,
      R"({"api_id":"api-1","credential_uuid":"c-1","name":"pbx","username":"pbx.main","realm":"zt.example.net"})");

  OriginationUri u;
  u.uri_uuid = "u-1";
  u.uri = "pbx.example.com";
  u.authentication_needed = true;
  u.username = "zentrunk";
  u.password = "Secret1234567";
  const std::string uri = render_object(u, "api-2");
  EXPECT_THAT(uri, Not(HasSubstr("Secret1234567")));
  EXPECT_THAT(uri, Not(HasSubstr("password")));
  EXPECT_THAT(uri, HasSubstr(R"("authentication_needed":true,"username":"zentrunk")"));
  u.authentication_needed = false;
  EXPECT_THAT(render_object(u, "api-3"), HasSubstr(R"("username":null)"));

  Trunk t = trunk(Direction::kInbound);
  t.trunk_id = "123";
  t.trunk_domain = "123.zt.example.net";
  t.primary_uri_uuid = "u-1";
  EXPECT_EQ(
      render_object(t, "api-4"),
      R"({"api_id":"api-4","trunk_id":"123","name":"","trunk_domain":"123.zt.example.net",)"
      R"("trunk_status":"enabled","trunk_direction":"inbound","secure":false,)"
      R"("default_country":null,"ipacl_uuid":null,"credential_uuid":null,"primary_uri_uuid":"u-1",)"
      R"("fallback_uri_uuid":null})");
}

TEST(Views, ListEnvelopeLinksNeighbouringPages) {
  Page<IpAcl> page;
  page.total_count = 5;
  IpAcl a;
  a.ipacl_uuid = "a-1";
  a.ip_addresses = {"10.0.0.0/8", "2001:db8::/32"};
  page.rows = {a};
  PageRequest req{1, 2, 2};
  const std::string body = render_list(page, req, "/v1/Account/MA1/Zentrunk/IPAccessControlList/",
                                       {{"limit", "2"}, {"offset", "2"}}, "api-5");
  rapidjson::Document d;
  d.Parse(body.c_str());
  ASSERT_FALSE(d.HasParseError()) << body;
  EXPECT_EQ(std::string(d["api_id"].GetString()), "api-5");
  EXPECT_EQ(d["meta"]["limit"].GetInt(), 2);
  EXPECT_EQ(d["meta"]["offset"].GetInt(), 2);
  EXPECT_EQ(d["meta"]["total_count"].GetInt(), 5);
  EXPECT_EQ(std::string(d["meta"]["next"].GetString()),
            "/v1/Account/MA1/Zentrunk/IPAccessControlList/?limit=2&offset=4");
  EXPECT_EQ(std::string(d["meta"]["previous"].GetString()),
            "/v1/Account/MA1/Zentrunk/IPAccessControlList/?limit=2&offset=0");
  ASSERT_EQ(d["objects"].Size(), 1u);
  EXPECT_EQ(d["objects"][0]["ip_addresses"].Size(), 2u);
  req.offset = 4;
  const std::string last = render_list(page, req, "/p/", {}, "api-6");
  EXPECT_THAT(last, HasSubstr(R"("next":null)"));
}

TEST(Routes, TheFourResources) {
  std::set<std::string_view> segments;
  for (const ResourcePath& p : resource_paths()) segments.insert(p.segment);
  EXPECT_EQ(segments,
            (std::set<std::string_view>{"Trunk", "Credential", "URI", "IPAccessControlList"}));
}

}  // namespace
}  // namespace cdrd::api::trunks
