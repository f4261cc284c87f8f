// The operator's rate deck API as plain handler calls: operator key, path checks, all-or-nothing
// loads with the row's reason, the JSON summary and the CSV read-back.
#include "api/ratedecks/deck_api.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "testing/stores.h"

namespace cdrd::api::ratedecks {
namespace {

using service::RatingService;

using ::testing::HasSubstr;

// `text` (or its top-level `member`) parsed and written again without spaces, so two texts
// compare by their values and member order, not by their spacing.
std::string compact_json(const std::string& text, const char* member = nullptr) {
  rapidjson::Document d;
  d.Parse(text.c_str(), text.size());
  if (d.HasParseError()) return "not JSON: " + text;
  const rapidjson::Value* v = &d;
  if (member != nullptr) {
    if (!d.IsObject() || !d.HasMember(member)) return std::string("no member ") + member;
    v = &d[member];
  }
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  v->Accept(w);
  return std::string(buf.GetString(), buf.GetSize());
}

constexpr const char* kKey = "operator-key-0123456789";

class DeckApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = cdrd::testing::open_stores_in(dir_);
    service_ = std::make_unique<RatingService>(store_->accounts, store_->rating);
    settings_.operator_key = kKey;
    auth_id_ = cdrd::testing::add_account(*store_, "acme", "MA0000000000000000AA").auth_id;
  }
  void TearDown() override {
    service_.reset();
    store_.reset();
  }
  ApiContext ctx() { return ApiContext{store_->accounts, store_->calls, settings_}; }
  http::HttpRequest request(std::string method, std::string body,
                            std::string auth = std::string("Bearer ") + kKey) {
    http::HttpRequest r;
    r.method = std::move(method);
    r.body = std::move(body);
    if (!auth.empty()) r.headers.emplace_back("authorization", std::move(auth));
    r.headers.emplace_back("content-type", "text/csv");
    return r;
  }
  http::HttpResponse put(std::optional<std::string_view> direction, std::string body,
                         std::string auth = std::string("Bearer ") + kKey) {
    return handle_put_deck(ctx(), *service_, request("PUT", std::move(body), std::move(auth)),
                           auth_id_, direction);
  }
  std::string get(std::optional<std::string_view> direction) {
    http::HttpResponse r =
        handle_get_deck(ctx(), *service_, request("GET", ""), auth_id_, direction);
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.content_type, "text/csv");
    return r.body;
  }
  static std::string error_of(const http::HttpResponse& r) {
    rapidjson::Document d;
    d.Parse(r.body.c_str());
    EXPECT_TRUE(d.IsObject() && d.HasMember("api_id") && d.HasMember("error")) << r.body;
    return d.IsObject() && d.HasMember("error") ? d["error"].GetString() : "";
  }

  cdrd::testing::TempDir dir_{"cdrd_deck_api_"};
  std::unique_ptr<sqlite::Stores> store_;
  std::unique_ptr<RatingService> service_;
  ApiSettings settings_;
  std::string auth_id_;
};

constexpr const char* kOutbound =
    "prefix,rate,initial_increment,subsequent_increment,effective_from\n"
    "91,0.03,1,1,\n"
    "1212,0.008,30,6,2024-01-01\n";

TEST_F(DeckApiTest, PutOneDirectionAndReadItBack) {
  http::HttpResponse r = put("outbound", kOutbound);
  ASSERT_EQ(r.status, 200) << r.body;
  rapidjson::Document d;
  d.Parse(r.body.c_str());
  ASSERT_TRUE(d.IsObject()) << r.body;
  EXPECT_TRUE(d.HasMember("api_id"));
  EXPECT_STREQ(d["message"].GetString(), "Rate deck loaded.");
  EXPECT_STREQ(d["auth_id"].GetString(), "MA0000000000000000AA");
  EXPECT_STREQ(d["replaced"].GetString(), "outbound");
  EXPECT_EQ(d["outbound"]["rows"].GetInt(), 2);
  EXPECT_EQ(d["outbound"]["prefixes"].GetInt(), 2);
  EXPECT_EQ(d["outbound"]["previous_rows"].GetInt(), 0);
  EXPECT_EQ(d["inbound"]["rows"].GetInt(), 0);
  EXPECT_EQ(get("outbound"),
            "prefix,rate,initial_increment,subsequent_increment,effective_from,direction\n"
            "1212,0.00800,30,6,2024-01-01 00:00:00,outbound\n"
            "91,0.03000,1,1,,outbound\n");
  EXPECT_EQ(get("inbound"),
            "prefix,rate,initial_increment,subsequent_increment,effective_from,direction\n");

  // The inbound deck is separate; the outbound one stays.
  ASSERT_EQ(
      put("inbound", "prefix,rate,initial_increment,subsequent_increment\n1,0.003,60,60\n").status,
      200);
  EXPECT_THAT(get(std::nullopt), HasSubstr("91,0.03000,1,1,,outbound\n"));
  EXPECT_THAT(get(std::nullopt), HasSubstr("1,0.00300,60,60,,inbound\n"));
}

TEST_F(DeckApiTest, PutTheWholeDeck) {
  ASSERT_EQ(
      put("inbound", "prefix,rate,initial_increment,subsequent_increment\n1,0.003,60,60\n").status,
      200);
  http::HttpResponse r = put(std::nullopt,
                             "prefix,rate,initial_increment,subsequent_increment,direction\n"
                             "44,0.05,60,1,outbound\n");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(compact_json(r.body, "replaced"), compact_json("\"both\""));
  EXPECT_EQ(compact_json(r.body, "inbound"),
            compact_json("{\"rows\": 0, \"prefixes\": 0, \"previous_rows\": 1}"));
  EXPECT_EQ(get(std::nullopt),
            "prefix,rate,initial_increment,subsequent_increment,effective_from,direction\n"
            "44,0.05000,60,1,,outbound\n");
}

TEST_F(DeckApiTest, ABadDeckIs400WithTheRowAndChangesNothing) {
  ASSERT_EQ(put("outbound", kOutbound).status, 200);
  const std::string before = get(std::nullopt);
  struct Case {
    std::string body, error;
  } cases[] = {
      {"prefix,rate,initial_increment,subsequent_increment,colour\n",
       "rate deck row 1: unknown column 'colour'"},
      {"prefix,rate,initial_increment,subsequent_increment\n44,0.05,60,60\n33,0.0x,60,60\n",
       "rate deck row 3: rate: '0.0x' is not a decimal number like 0.01250"},
      {"prefix,rate,initial_increment,subsequent_increment\n44,0.05,-60,60\n",
       "rate deck row 2: initial_increment: '-60' is not a positive number of seconds"},
      {"prefix,rate,initial_increment,subsequent_increment\n44,0.05,60,60\n44,0.06,60,60\n",
       "rate deck row 3: duplicate of row 2"},
      {"prefix,rate,initial_increment,subsequent_increment,direction\n44,0.05,60,60,inbound\n",
       "rate deck row 2: direction: 'inbound' in a deck loaded for outbound calls"},
      {"", "rate deck row 1: no header row"},
  };
  for (const Case& c : cases) {
    http::HttpResponse r = put("outbound", c.body);
    EXPECT_EQ(r.status, 400) << c.body;
    EXPECT_THAT(error_of(r), HasSubstr(c.error)) << c.body;
  }
  EXPECT_EQ(get(std::nullopt), before);
}

TEST_F(DeckApiTest, OperatorKeyAndPathChecks) {
  EXPECT_EQ(put("outbound", kOutbound, "").status, 401);
  EXPECT_EQ(put("outbound", kOutbound, "Bearer wrong-key-0123456789").status, 401);
  EXPECT_EQ(put("outbound", kOutbound, "Basic bWE6eA==").status, 401);
  http::HttpResponse sideways = put("sideways", kOutbound);
  EXPECT_EQ(sideways.status, 400);
  EXPECT_EQ(error_of(sideways),
            "direction: the path segment after the auth_id must be inbound or outbound, got "
            "'sideways'");
  http::HttpResponse unknown = handle_put_deck(ctx(), *service_, request("PUT", kOutbound),
                                               "MA0000000000000000ZZ", "outbound");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(error_of(unknown), "no account has auth_id 'MA0000000000000000ZZ'");
  http::HttpRequest json = request("PUT", kOutbound);
  json.headers.back().second = "application/json";
  EXPECT_EQ(handle_put_deck(ctx(), *service_, json, auth_id_, "outbound").status, 415);
  settings_.operator_key.clear();
  http::HttpResponse disabled = put("outbound", kOutbound);
  EXPECT_EQ(disabled.status, 403);
  EXPECT_EQ(error_of(disabled), "the rate deck API is disabled: start cdrd with --operator-key");
  settings_.operator_key = kKey;
  http::HttpResponse no_key_get =
      handle_get_deck(ctx(), *service_, request("GET", "", ""), auth_id_, std::nullopt);
  EXPECT_EQ(no_key_get.status, 401);
  // Nothing of the refused requests was stored.
  EXPECT_EQ(get(std::nullopt),
            "prefix,rate,initial_increment,subsequent_increment,effective_from,direction\n");
}

}  // namespace
}  // namespace cdrd::api::ratedecks
