#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <string>
#include <vector>

#include "api/zentrunk/call_view.h"
#include "api/zentrunk/calls.h"
#include "testing/random_calls.h"
#include "testing/seed_calls.h"
#include "testing/trunk_fields.h"

namespace cdrd::api::zentrunk {
namespace {

using ::testing::HasSubstr;
using testing::money;
using ::testing::Not;

enum class Type { kString, kInt, kBool, kNumber, kNull, kStringOrNull, kIntOrNull };

struct FieldSpec {
  const char* name;
  Type type;
};

// Every field of the current representation (seed 000 plus call_id, cnam_lookup,
// cnam_lookup_rate and billed_duration) and its JSON type.
const std::vector<FieldSpec> kCurrentFields = {
    {"call_uuid", Type::kString},
    {"from_number", Type::kString},
    {"to_number", Type::kString},
    {"call_direction", Type::kString},
    {"call_duration", Type::kInt},
    {"bill_duration", Type::kInt},
    {"billed_duration", Type::kInt},
    {"end_time", Type::kString},
    {"hangup_cause_name", Type::kString},
    {"hangup_source", Type::kString},
    {"total_rate", Type::kString},
    {"total_amount", Type::kString},
    {"initiation_time", Type::kString},
    {"answer_time", Type::kStringOrNull},
    {"trunk_domain", Type::kString},
    {"from_country", Type::kString},
    {"to_country", Type::kString},
    {"transport_protocol", Type::kString},
    {"srtp", Type::kBool},
    {"hangup_cause_code", Type::kIntOrNull},
    {"secure_trunking", Type::kBool},
    {"secure_trunking_rate", Type::kString},
    {"stir_verification", Type::kString},
    {"attestation_indicator", Type::kString},
    {"call_id", Type::kString},
    {"cnam_lookup", Type::kBool},
    {"cnam_lookup_rate", Type::kString},
};

// Every field of the legacy representation (seed 001). from_number / to_number are numbers for
// +E.164 numbers and strings otherwise; checked separately.
const std::vector<FieldSpec> kLegacyFields = {
    {"call_uuid", Type::kString},
    {"bill_duration", Type::kInt},
    {"trunk_id", Type::kString},
    {"end_time", Type::kString},
    {"call_direction", Type::kString},
    {"duration", Type::kInt},
    {"hangup_cause", Type::kString},
    {"hangup_initiator", Type::kString},
    {"rate", Type::kNumber},
    {"total_amount", Type::kNumber},
    {"initiation_time", Type::kString},
    {"answer_time", Type::kStringOrNull},
    {"trunk_domain", Type::kString},
    {"region", Type::kString},
    {"from_country", Type::kString},
    {"to_country", Type::kString},
    {"transport_protocol", Type::kString},
    {"srtp", Type::kBool},
    {"hangup_code", Type::kIntOrNull},
    {"secure_trunking", Type::kBool},
    {"secure_trunking_rate", Type::kNumber},
    {"stir_verification", Type::kString},
};

bool has_type(const rapidjson::Value& v, Type t) {
  switch (t) {
    case Type::kString:
      return v.IsString();
    case Type::kInt:
      return v.IsInt64();
    case Type::kBool:
      return v.IsBool();
    case Type::kNumber:
      return v.IsNumber();
    case Type::kNull:
      return v.IsNull();
    case Type::kStringOrNull:
      return v.IsString() || v.IsNull();
    case Type::kIntOrNull:
      return v.IsInt64() || v.IsNull();
  }
  return false;
}

rapidjson::Document parse_json(const std::string& text) {
  rapidjson::Document d;
  d.Parse(text.c_str(), text.size());
  EXPECT_FALSE(d.HasParseError()) << text;
  return d;
}

// Asserts that `obj` has exactly the fields of `spec` (plus `extra` untyped names), typed.
void expect_fields(const rapidjson::Value& obj, const std::vector<FieldSpec>& spec,
                   const std::vector<std::string>& extra = {}) {
  ASSERT_TRUE(obj.IsObject());
  for (const FieldSpec& f : spec) {
    ASSERT_TRUE(obj.HasMember(f.name)) << "missing " << f.name;
    EXPECT_TRUE(has_type(obj[f.name], f.type)) << "wrong type of " << f.name;
  }
  for (const std::string& name : extra) EXPECT_TRUE(obj.HasMember(name.c_str())) << name;
  EXPECT_EQ(obj.MemberCount(), spec.size() + extra.size());
}

std::string str(const rapidjson::Value& obj, const char* name) {
  return std::string(obj[name].GetString(), obj[name].GetStringLength());
}

// --- current representation ---

// One expectation a field, in the seed's order: the list is the view's specification and a
// failure names its field. Seed001Example below has the same shape for the legacy view.
TEST(RenderCurrentCallTest, Seed000Example) {
  const std::string json = render_call(testing::seed000_call(), Representation::kCurrent);
  rapidjson::Document d = parse_json(json);
  expect_fields(d, kCurrentFields);
  EXPECT_EQ(str(d, "call_uuid"), "90b6eb07-796c-4d86-a4fd-44ed11667ddb");
  EXPECT_EQ(str(d, "from_number"), "+912235328936");
  EXPECT_EQ(str(d, "to_number"), "+919943720205");
  EXPECT_EQ(str(d, "call_direction"), "outbound");
  EXPECT_EQ(d["call_duration"].GetInt64(), 4);
  EXPECT_EQ(d["bill_duration"].GetInt64(), 4);
  EXPECT_EQ(d["billed_duration"].GetInt64(), 4);
  EXPECT_EQ(str(d, "end_time"), "2022-12-06 07:02:00");
  EXPECT_EQ(str(d, "hangup_cause_name"), "normal_hangup");
  EXPECT_EQ(str(d, "hangup_source"), "carrier");
  EXPECT_EQ(str(d, "total_rate"), "0.03000");
  EXPECT_EQ(str(d, "total_amount"), "0.00200");
  EXPECT_EQ(str(d, "initiation_time"), "2022-12-06 07:01:48");
  EXPECT_EQ(str(d, "answer_time"), "2022-12-06 07:01:56");
  EXPECT_EQ(str(d, "trunk_domain"), "93667062664669661.ap-south-1.zt.plivo.com");
  EXPECT_EQ(str(d, "from_country"), "IN");
  EXPECT_EQ(str(d, "to_country"), "IN");
  EXPECT_EQ(str(d, "transport_protocol"), "udp");
  EXPECT_FALSE(d["srtp"].GetBool());
  EXPECT_EQ(d["hangup_cause_code"].GetInt64(), 3000);
  EXPECT_FALSE(d["secure_trunking"].GetBool());
  EXPECT_EQ(str(d, "secure_trunking_rate"), "0.00000");
  EXPECT_EQ(str(d, "stir_verification"), "not applicable");
  EXPECT_EQ(str(d, "attestation_indicator"), "null");
  EXPECT_EQ(str(d, "call_id"), "a84b4c76e66710@pc33.example.com");
  EXPECT_FALSE(d["cnam_lookup"].GetBool());
  EXPECT_EQ(str(d, "cnam_lookup_rate"), "0.00000");
  // The seed's field order.
  EXPECT_EQ(json.rfind("{\"call_uuid\":\"90b6eb07-796c-4d86-a4fd-44ed11667ddb\","
                       "\"from_number\":\"+912235328936\",",
                       0),
            0u);
}

TEST(RenderCurrentCallTest, TotalRateIncludesSecureTrunkingRate) {
  CallRecord c = testing::seed000_call();
  c.secure_trunking = true;
  c.secure_trunking_rate = money("0.005");
  c.rate = money("0.03");
  rapidjson::Document d = parse_json(render_call(c, Representation::kCurrent));
  EXPECT_EQ(str(d, "total_rate"), "0.03500");
  EXPECT_EQ(str(d, "secure_trunking_rate"), "0.00500");
  EXPECT_TRUE(d["secure_trunking"].GetBool());
}

TEST(RenderCurrentCallTest, MoneyIsExact) {
  CallRecord c = testing::seed000_call();
  c.rate = money("123456789012.12345");
  c.total_amount = money("0.00001");
  c.cnam_lookup = true;
  c.cnam_lookup_rate = money("0.0035");
  rapidjson::Document d = parse_json(render_call(c, Representation::kCurrent));
  EXPECT_EQ(str(d, "total_rate"), "123456789012.12345");
  EXPECT_EQ(str(d, "total_amount"), "0.00001");
  EXPECT_TRUE(d["cnam_lookup"].GetBool());
  EXPECT_EQ(str(d, "cnam_lookup_rate"), "0.00350");
}

TEST(RenderCurrentCallTest, UnansweredCallAndMissingCode) {
  CallRecord c = testing::seed000_call();
  c.answer_time.reset();
  c.hangup_cause_code.reset();
  c.hangup_source = HangupSource::kUnknown;
  rapidjson::Document d = parse_json(render_call(c, Representation::kCurrent));
  expect_fields(d, kCurrentFields);
  EXPECT_TRUE(d["answer_time"].IsNull());
  EXPECT_TRUE(d["hangup_cause_code"].IsNull());
  EXPECT_EQ(str(d, "hangup_source"), "");
}

TEST(RenderCurrentCallTest, VocabulariesInLowerCaseAndAttestation) {
  CallRecord c = testing::seed000_call();
  c.stir_verification = StirVerification::kVerified;
  c.attestation = Attestation::kA;
  c.hangup_source = HangupSource::kZentrunk;
  c.transport = Transport::kTls;
  c.direction = Direction::kInbound;
  c.srtp = true;
  rapidjson::Document d = parse_json(render_call(c, Representation::kCurrent));
  EXPECT_EQ(str(d, "stir_verification"), "verified");
  EXPECT_EQ(str(d, "attestation_indicator"), "A");
  EXPECT_EQ(str(d, "hangup_source"), "zentrunk");
  EXPECT_EQ(str(d, "transport_protocol"), "tls");
  EXPECT_EQ(str(d, "call_direction"), "inbound");
  EXPECT_TRUE(d["srtp"].GetBool());
  c.stir_verification = StirVerification::kNotVerified;
  c.attestation = Attestation::kC;
  d = parse_json(render_call(c, Representation::kCurrent));
  EXPECT_EQ(str(d, "stir_verification"), "not verified");
  EXPECT_EQ(str(d, "attestation_indicator"), "C");
}

TEST(RenderCurrentCallTest, StringsAreEscaped) {
  CallRecord c = testing::seed000_call();
  c.trunk_domain = "a\"b\\c\n";
  c.from_number = "alice";
  rapidjson::Document d = parse_json(render_call(c, Representation::kCurrent));
  EXPECT_EQ(str(d, "trunk_domain"), "a\"b\\c\n");
  EXPECT_EQ(str(d, "from_number"), "alice");
}

TEST(RenderCallResponseTest, AddsApiIdBeforeTheFields) {
  const std::string json =
      render_call_response(testing::seed000_call(), Representation::kCurrent, "id-1");
  rapidjson::Document d = parse_json(json);
  expect_fields(d, kCurrentFields, {"api_id"});
  EXPECT_EQ(str(d, "api_id"), "id-1");
  EXPECT_EQ(json.rfind("{\"api_id\":\"id-1\",\"call_uuid\":", 0), 0u);
}

// --- legacy representation ---

TEST(RenderLegacyCallTest, Seed001Example) {
  const std::string json = render_call(testing::seed001_call(), Representation::kLegacy);
  rapidjson::Document d = parse_json(json);
  expect_fields(d, kLegacyFields, {"from_number", "to_number"});
  EXPECT_EQ(str(d, "call_uuid"), "6c3a8b60-26e0-4842-9387-2350de79f16b");
  EXPECT_EQ(d["bill_duration"].GetInt64(), 7200);
  EXPECT_EQ(str(d, "trunk_id"), "126041xxxx");
  EXPECT_EQ(str(d, "end_time"), "2022-05-26 13:32:37");
  ASSERT_TRUE(d["from_number"].IsUint64());
  EXPECT_EQ(d["from_number"].GetUint64(), 552135006716u);
  ASSERT_TRUE(d["to_number"].IsUint64());
  EXPECT_EQ(d["to_number"].GetUint64(), 12604109832u);
  EXPECT_EQ(str(d, "call_direction"), "outbound");
  EXPECT_EQ(d["duration"].GetInt64(), 28);
  EXPECT_EQ(str(d, "hangup_cause"), "normal_hangup");
  EXPECT_EQ(str(d, "hangup_initiator"), "customer");
  EXPECT_EQ(str(d, "initiation_time"), "2022-05-26 13:32:06");
  EXPECT_EQ(str(d, "answer_time"), "2022-05-26 13:32:09");
  EXPECT_EQ(str(d, "trunk_domain"), "31723558297410168.zt.plivops.com");
  EXPECT_EQ(str(d, "region"), "us-east-1");
  EXPECT_EQ(str(d, "from_country"), "BR");
  EXPECT_EQ(str(d, "to_country"), "US");
  EXPECT_EQ(str(d, "transport_protocol"), "udp");
  EXPECT_FALSE(d["srtp"].GetBool());
  EXPECT_EQ(d["hangup_code"].GetInt64(), 3010);
  EXPECT_TRUE(d["secure_trunking"].GetBool());
  EXPECT_EQ(str(d, "stir_verification"), "Not Verified");
  // Exact number tokens, as in the seed.
  EXPECT_THAT(json, HasSubstr("\"from_number\":552135006716,"));
  EXPECT_THAT(json, HasSubstr("\"to_number\":12604109832,"));
  EXPECT_THAT(json, HasSubstr("\"rate\":0.318,"));
  EXPECT_THAT(json, HasSubstr("\"total_amount\":0.318,"));
  EXPECT_THAT(json, HasSubstr("\"secure_trunking_rate\":0,"));
  // The seed's field order.
  EXPECT_EQ(json.rfind("{\"call_uuid\":\"6c3a8b60-26e0-4842-9387-2350de79f16b\","
                       "\"bill_duration\":7200,\"trunk_id\":\"126041xxxx\",",
                       0),
            0u);
}

TEST(RenderLegacyCallTest, NonPhoneNumbersStayStrings) {
  CallRecord c = testing::seed001_call();
  c.from_number = "alice";
  c.to_number = "+0123";  // not E.164: never a JSON number with a leading zero
  const std::string json = render_call(c, Representation::kLegacy);
  rapidjson::Document d = parse_json(json);
  ASSERT_TRUE(d["from_number"].IsString());
  EXPECT_EQ(str(d, "from_number"), "alice");
  ASSERT_TRUE(d["to_number"].IsString());
  EXPECT_EQ(str(d, "to_number"), "+0123");
  c.from_number = "12604109832";  // stored without '+': not +E.164, kept as sent
  d = parse_json(render_call(c, Representation::kLegacy));
  EXPECT_TRUE(d["from_number"].IsString());
}

TEST(RenderLegacyCallTest, LongestE164NumberIsAnExactNumber) {
  CallRecord c = testing::seed001_call();
  c.to_number = "+999999999999999";
  const std::string json = render_call(c, Representation::kLegacy);
  EXPECT_THAT(json, HasSubstr("\"to_number\":999999999999999,"));
  rapidjson::Document d = parse_json(json);
  EXPECT_EQ(d["to_number"].GetUint64(), 999999999999999u);
}

TEST(RenderLegacyCallTest, MoneyTokensAreExactDecimals) {
  CallRecord c = testing::seed001_call();
  c.rate = money("0.00001");
  c.total_amount = money("999999999999.99999");
  c.secure_trunking_rate = money("12.5");
  const std::string json = render_call(c, Representation::kLegacy);
  parse_json(json);
  EXPECT_THAT(json, HasSubstr("\"rate\":0.00001,"));
  EXPECT_THAT(json, HasSubstr("\"total_amount\":999999999999.99999,"));
  EXPECT_THAT(json, HasSubstr("\"secure_trunking_rate\":12.5,"));
  EXPECT_THAT(json, Not(HasSubstr("e-")));
}

TEST(RenderLegacyCallTest, LegacyRateIsTheDestinationRateOnly) {
  CallRecord c = testing::seed001_call();
  c.secure_trunking_rate = money("0.005");
  const std::string json = render_call(c, Representation::kLegacy);
  EXPECT_THAT(json, HasSubstr("\"rate\":0.318,"));
  EXPECT_THAT(json, HasSubstr("\"secure_trunking_rate\":0.005,"));
}

TEST(RenderLegacyCallTest, UnansweredCallAndCanonicalStir) {
  CallRecord c = testing::seed001_call();
  c.answer_time.reset();
  c.hangup_cause_code.reset();
  c.stir_verification = StirVerification::kNotApplicable;
  rapidjson::Document d = parse_json(render_call(c, Representation::kLegacy));
  expect_fields(d, kLegacyFields, {"from_number", "to_number"});
  EXPECT_TRUE(d["answer_time"].IsNull());
  EXPECT_TRUE(d["hangup_code"].IsNull());
  EXPECT_EQ(str(d, "stir_verification"), "Not Applicable");
  c.stir_verification = StirVerification::kVerified;
  d = parse_json(render_call(c, Representation::kLegacy));
  EXPECT_EQ(str(d, "stir_verification"), "Verified");
}

// --- the list envelope ---

constexpr const char* kPath = "/v1/Account/MAXXXXXXXXXXXXXXXXXX/Zentrunk/Call/";

Page<CallRecord> page_of(int rows, std::int64_t total) {
  Page<CallRecord> p;
  for (int i = 0; i < rows; ++i) {
    CallRecord c = testing::seed000_call();
    c.call_uuid += std::to_string(i);
    p.rows.push_back(c);
  }
  p.total_count = total;
  return p;
}

CallQuery query_of(int limit, std::int64_t offset) {
  CallQuery q;
  q.limit = limit;
  q.offset = offset;
  return q;
}

TEST(RenderCallListTest, CurrentEnvelopeShape) {
  const http::Params params = {{"call_direction", "outbound"}, {"limit", "2"}};
  rapidjson::Document d = parse_json(
      render_call_list(page_of(2, 5), query_of(2, 0), Representation::kCurrent, kPath, params));
  ASSERT_TRUE(d.IsObject());
  EXPECT_EQ(d.MemberCount(), 3u);
  ASSERT_TRUE(d["api_id"].IsString());
  EXPECT_EQ(d["api_id"].GetStringLength(), 36u);
  const rapidjson::Value& meta = d["meta"];
  ASSERT_TRUE(meta.IsObject());
  EXPECT_EQ(meta.MemberCount(), 5u);
  EXPECT_EQ(meta["limit"].GetInt64(), 2);
  EXPECT_EQ(meta["offset"].GetInt64(), 0);
  EXPECT_EQ(meta["total_count"].GetInt64(), 5);
  EXPECT_EQ(str(meta, "next"), std::string(kPath) + "?call_direction=outbound&limit=2&offset=2");
  EXPECT_TRUE(meta["previous"].IsNull());
  const rapidjson::Value& objects = d["objects"];
  ASSERT_TRUE(objects.IsArray());
  ASSERT_EQ(objects.Size(), 2u);
  expect_fields(objects[0], kCurrentFields);
  EXPECT_EQ(str(objects[0], "call_uuid"), "90b6eb07-796c-4d86-a4fd-44ed11667ddb0");
  EXPECT_EQ(str(objects[1], "call_uuid"), "90b6eb07-796c-4d86-a4fd-44ed11667ddb1");
  EXPECT_EQ(str(objects[1], "total_rate"), "0.03000");
}

TEST(RenderCallListTest, CurrentNextAndPreviousThroughThePages) {
  const http::Params params = {
      {"end_time__gte", "2022-05-21 11:47"}, {"offset", "20"}, {"from_number", " 91"}};
  const std::string base =
      std::string(kPath) + "?end_time__gte=2022-05-21%2011%3A47&" + "from_number=%2091&";
  // Middle page.
  rapidjson::Document d = parse_json(
      render_call_list(page_of(20, 45), query_of(20, 20), Representation::kCurrent, kPath, params));
  EXPECT_EQ(str(d["meta"], "next"), base + "limit=20&offset=40");
  EXPECT_EQ(str(d["meta"], "previous"), base + "limit=20&offset=0");
  // Last page.
  d = parse_json(
      render_call_list(page_of(5, 45), query_of(20, 40), Representation::kCurrent, kPath, params));
  EXPECT_TRUE(d["meta"]["next"].IsNull());
  EXPECT_EQ(str(d["meta"], "previous"), base + "limit=20&offset=20");
  // An offset that is not a multiple of the limit: previous starts at 0, never below.
  d = parse_json(
      render_call_list(page_of(20, 45), query_of(20, 10), Representation::kCurrent, kPath, params));
  EXPECT_EQ(str(d["meta"], "previous"), base + "limit=20&offset=0");
  EXPECT_EQ(str(d["meta"], "next"), base + "limit=20&offset=30");
  // offset + limit == total_count: no next page.
  d = parse_json(
      render_call_list(page_of(5, 25), query_of(5, 20), Representation::kCurrent, kPath, params));
  EXPECT_TRUE(d["meta"]["next"].IsNull());
  EXPECT_EQ(str(d["meta"], "previous"), base + "limit=5&offset=15");
}

TEST(RenderCallListTest, CurrentEmptyList) {
  rapidjson::Document d = parse_json(
      render_call_list(page_of(0, 0), query_of(20, 0), Representation::kCurrent, kPath, {}));
  EXPECT_TRUE(d["meta"]["next"].IsNull());
  EXPECT_TRUE(d["meta"]["previous"].IsNull());
  EXPECT_EQ(d["meta"]["total_count"].GetInt64(), 0);
  ASSERT_TRUE(d["objects"].IsArray());
  EXPECT_EQ(d["objects"].Size(), 0u);
}

TEST(RenderCallListTest, LegacyUsesBooleans) {
  const char* path = "/v1/Account/MAXXXXXXXXXXXXXXXXXX/Call/";
  Page<CallRecord> page;
  page.rows = {testing::seed001_call()};
  page.total_count = 3;
  rapidjson::Document d =
      parse_json(render_call_list(page, query_of(1, 0), Representation::kLegacy, path, {}));
  EXPECT_EQ(d.MemberCount(), 3u);
  EXPECT_EQ(d["meta"].MemberCount(), 5u);
  ASSERT_TRUE(d["meta"]["next"].IsBool());
  ASSERT_TRUE(d["meta"]["previous"].IsBool());
  EXPECT_TRUE(d["meta"]["next"].GetBool());
  EXPECT_FALSE(d["meta"]["previous"].GetBool());
  EXPECT_EQ(d["meta"]["limit"].GetInt64(), 1);
  ASSERT_EQ(d["objects"].Size(), 1u);
  expect_fields(d["objects"][0], kLegacyFields, {"from_number", "to_number"});
  EXPECT_EQ(d["objects"][0]["from_number"].GetUint64(), 552135006716u);

  d = parse_json(render_call_list(page, query_of(1, 1), Representation::kLegacy, path, {}));
  EXPECT_TRUE(d["meta"]["next"].GetBool());
  EXPECT_TRUE(d["meta"]["previous"].GetBool());
  d = parse_json(render_call_list(page, query_of(1, 2), Representation::kLegacy, path, {}));
  EXPECT_FALSE(d["meta"]["next"].GetBool());
  EXPECT_TRUE(d["meta"]["previous"].GetBool());
  d = parse_json(
      render_call_list(page_of(0, 0), query_of(20, 0), Representation::kLegacy, path, {}));
  EXPECT_FALSE(d["meta"]["next"].GetBool());
  EXPECT_FALSE(d["meta"]["previous"].GetBool());
}

TEST(RenderCallListTest, EveryListHasAFreshApiId) {
  const std::string a =
      render_call_list(page_of(0, 0), query_of(20, 0), Representation::kCurrent, kPath, {});
  const std::string b =
      render_call_list(page_of(0, 0), query_of(20, 0), Representation::kCurrent, kPath, {});
  EXPECT_NE(str(parse_json(a), "api_id"), str(parse_json(b), "api_id"));
}

// A retrieve reads only the SIP-trunk fields of a call (CallStore::find_trunk_call): its body,
// in both representations, is the same bytes from those fields alone as from the whole record,
// for the seed records and many random ones with every other field set.
TEST(CallView, ARetrieveRendersTheSameBytesFromTheTrunkFieldsAlone) {
  std::vector<CallRecord> calls = {testing::seed000_call(), testing::seed001_call(),
                                   testing::seed000_reported_call()};
  testing::Random rnd(5);
  for (int i = 0; i < 500; ++i) {
    CallRecord c = testing::random_call(rnd);
    c.account_id = 3;
    c.call_uuid = "uuid-" + std::to_string(i);
    if (rnd.chance(50)) c.answer_time = c.initiation_time + 1'000'000;
    c.hangup_cause_name = rnd.chance(50) ? "NORMAL_CLEARING" : "";
    c.trunk_domain = rnd.chance(50) ? "t.example" : "";
    c.region = rnd.chance(50) ? "eu" : "";
    c.transport = rnd.chance(50) ? Transport::kTls : Transport::kUdp;
    c.srtp = rnd.chance(50);
    c.secure_trunking = rnd.chance(50);
    c.rate = Money::from_units(rnd.between(0, 900000));
    c.secure_trunking_rate = Money::from_units(rnd.between(0, 9000));
    c.total_amount = Money::from_units(rnd.between(0, 9000000));
    c.from_country = rnd.chance(50) ? "DE" : "";
    c.to_country = rnd.chance(50) ? "US" : "";
    c.attestation = rnd.chance(50) ? Attestation::kA : Attestation::kNone;
    c.sip_call_id = rnd.chance(50) ? "sip-" + std::to_string(i) + "\"q\"" : "";
    c.cnam_lookup = rnd.chance(30);
    c.cnam_lookup_rate = Money::from_units(rnd.between(0, 900));
    // Fields outside the SIP-trunk vocabulary, all set.
    c.from_domain = "pbx.example";
    c.result = "answered";
    c.q850_cause = "NORMAL_CLEARING";
    c.quality.rtt_ms = 12.5;
    c.quality.caller_carrier = "carrier";
    c.legs.emplace_back().record_uuid = "leg";
    calls.push_back(c);
  }
  for (const CallRecord& c : calls) {
    const CallRecord trunk = testing::trunk_fields(c);
    for (const Representation rep : {Representation::kCurrent, Representation::kLegacy}) {
      ASSERT_EQ(render_call_response(trunk, rep, "api-id"), render_call_response(c, rep, "api-id"))
          << c.call_uuid;
    }
  }
}

}  // namespace
}  // namespace cdrd::api::zentrunk
