// Tests of the canonical record rules: every field's good and bad forms, defaults, derived
// values and the checks between fields.
#include "service/ingest/validate.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <utility>

#include "core/crypto.h"
#include "core/time.h"
#include "testing/values.h"

namespace cdrd::service::ingest {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr std::string_view kRecordAuthId = "MA0123456789ABCDEFGH";

// A valid record (seed 001's example call in the canonical names), as raw JSON values.
const std::map<std::string, std::string> kBase = {
    {"account", "\"MA0123456789ABCDEFGH\""},
    {"call_uuid", "\"6c3a8b60-26e0-4842-9387-2350de79f16b\""},
    {"call_direction", "\"outbound\""},
    {"from_number", "\"+552135006716\""},
    {"to_number", "\"+12604109832\""},
    {"initiation_time", "\"2022-05-26 13:32:06\""},
    {"answer_time", "\"2022-05-26 13:32:09\""},
    {"end_time", "\"2022-05-26 13:32:37\""},
};

using Changes = std::vector<std::pair<std::string, std::optional<std::string>>>;

// kBase with fields replaced (or removed, for nullopt), as one NDJSON line.
std::string line(const Changes& changes = {}) {
  std::map<std::string, std::string> fields = kBase;
  for (const auto& [k, v] : changes) {
    if (v)
      fields[k] = *v;
    else
      fields.erase(k);
  }
  std::string out = "{";
  for (const auto& [k, v] : fields) out += (out.size() > 1 ? ", \"" : "\"") + k + "\": " + v;
  return out + "}";
}

Result<std::optional<std::int64_t>> resolve_account(std::string_view auth_id) {
  if (auth_id == kRecordAuthId) return std::optional<std::int64_t>(7);
  return std::optional<std::int64_t>();
}

Result<CallRecord> check_line(const std::string& json) {
  Result<RawRecord> raw = parse_ndjson_line(json);
  if (!raw.ok()) return raw.status();
  return validate_record(*raw, resolve_account);
}

Result<CallRecord> check(const Changes& changes = {}) { return check_line(line(changes)); }

// The error of a record with `changes`, or "<ok>".
std::string error(const Changes& changes) {
  Result<CallRecord> r = check(changes);
  return r.ok() ? "<ok>" : r.status().message();
}

// The record of a CSV-like row: every value untyped text.
Result<CallRecord> check_text(const std::map<std::string, std::string>& extra) {
  RawRecord raw;
  std::map<std::string, std::string> all = {{"account", std::string(kRecordAuthId)},
                                            {"call_uuid", "u1"},
                                            {"call_direction", "inbound"},
                                            {"from_number", "14155550100"},
                                            {"to_number", "alice"},
                                            {"initiation_time", "2022-05-26 13:32:06"},
                                            {"end_time", "2022-05-26 13:32:37"}};
  for (const auto& [k, v] : extra) all[k] = v;
  for (const auto& [k, v] : all) raw.fields.push_back({k, RawValue{RawKind::kText, v, {}, {}}});
  return validate_record(raw, resolve_account);
}

using cdrd::testing::at;

TEST(Validate, MinimalRecordAndDefaults) {
  Result<CallRecord> r = check();
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->account_id, 7);
  EXPECT_EQ(r->call_uuid, "6c3a8b60-26e0-4842-9387-2350de79f16b");
  EXPECT_EQ(r->direction, Direction::kOutbound);
  EXPECT_EQ(r->from_number, "+552135006716");
  EXPECT_EQ(r->to_number, "+12604109832");
  EXPECT_EQ(r->initiation_time, at("2022-05-26 13:32:06"));
  EXPECT_EQ(r->answer_time, at("2022-05-26 13:32:09"));
  EXPECT_EQ(r->end_time, at("2022-05-26 13:32:37"));
  EXPECT_EQ(r->duration_s, 28);
  EXPECT_EQ(r->bill_duration_s, 28);
  EXPECT_FALSE(r->hangup_cause_code);
  EXPECT_EQ(r->hangup_source, HangupSource::kUnknown);
  EXPECT_EQ(r->transport, Transport::kUdp);
  EXPECT_FALSE(r->srtp);
  EXPECT_FALSE(r->secure_trunking);
  EXPECT_FALSE(r->cnam_lookup);
  EXPECT_TRUE(r->rate.is_zero());
  EXPECT_TRUE(r->total_amount.is_zero());
  EXPECT_EQ(r->rating, RatingState::kUnrated);
  EXPECT_EQ(r->stir_verification, StirVerification::kNotApplicable);
  EXPECT_EQ(r->attestation, Attestation::kNone);
  EXPECT_FALSE(r->ext_number_reg);
  EXPECT_TRUE(r->legs.empty());
  // The cloud-PBX view names the parties by their numbers when the record names no usernames.
  EXPECT_EQ(r->from_username, "+552135006716");
  EXPECT_EQ(r->to_username, "+12604109832");
}

TEST(Validate, GivenUsernamesAreKept) {
  Result<CallRecord> r = check_text({{"from_username", "100*0111"}, {"to_username", "200"}});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->from_username, "100*0111");
  EXPECT_EQ(r->to_username, "200");
  EXPECT_EQ(r->from_number, "+14155550100");
}

TEST(Validate, EveryFieldOfAFullRecord) {
  Result<CallRecord> r = check({
      {"duration", "28"},
      {"bill_duration", "60"},
      {"hangup_cause_code", "3010"},
      {"hangup_cause_name", "\"normal_hangup\""},
      {"hangup_source", "\"customer\""},
      {"trunk_id", "\"126041xxxx\""},
      {"trunk_domain", "\"31723558297410168.zt.plivops.com\""},
      {"region", "\"us-east-1\""},
      {"transport_protocol", "\"tls\""},
      {"srtp", "true"},
      {"secure_trunking", "true"},
      {"cnam_lookup", "true"},
      {"rate", "0.318"},
      {"secure_trunking_rate", "\"0.00500\""},
      {"total_amount", "\"0.32300\""},
      {"cnam_lookup_rate", "\"0.004\""},
      {"from_country", "\"BR\""},
      {"to_country", "\"US\""},
      {"stir_verification", "\"Not Verified\""},
      {"attestation_indicator", "\"B\""},
      {"call_id", "\"a84b4c76e66710@pc33.example.com\""},
      {"flow", "\"out\""},
      {"from_username", "\"100*0111\""},
      {"from_domain", "\"sip.example\""},
      {"from_screen_name", "\"Reception\""},
      {"to_username", "\"+71111111111\""},
      {"to_domain", "\"pstn.example\""},
      {"did_number", "\"74950000000\""},
      {"did_domain", "\"did.example\""},
      {"bridged_username", "\"+71111111111\""},
      {"bridged_domain", "\"b.example\""},
      {"bridged_time", "\"2022-05-26 13:32:10\""},
      {"bridged_duration", "27"},
      {"extension_id", "469100"},
      {"extension_name", "\"100*0111@sipproxy.example\""},
      {"extension_type", "\"phone\""},
      {"extension_group_owner_id", "12"},
      {"ext_number_reg", "\"74950000001\""},
      {"diversion_number", "\"74950000002\""},
      {"result", "\"bridged\""},
      {"hangup_disposition", "\"caller_bye\""},
      {"q850_cause", "\"NORMAL_CLEARING\""},
      {"quality_rate", "4"},
      {"quality_max_rate", "5"},
      {"rtt_ms", "\"120.5\""},
      {"jitter_ms", "3"},
      {"packet_loss_pct", "0.25"},
      {"post_dial_delay_ms", "1800"},
      {"caller_carrier", "\"Claro\""},
      {"callee_carrier", "\"AT&T\""},
      {"from_region", "\"Rio de Janeiro\""},
      {"to_region", "\"Indiana\""},
  });
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->duration_s, 28);
  EXPECT_EQ(r->bill_duration_s, 60);
  EXPECT_EQ(r->hangup_cause_code, 3010);
  EXPECT_EQ(r->hangup_cause_name, "normal_hangup");
  EXPECT_EQ(r->hangup_source, HangupSource::kCustomer);
  EXPECT_EQ(r->trunk_id, "126041xxxx");
  EXPECT_EQ(r->trunk_domain, "31723558297410168.zt.plivops.com");
  EXPECT_EQ(r->region, "us-east-1");
  EXPECT_EQ(r->transport, Transport::kTls);
  EXPECT_TRUE(r->srtp);
  EXPECT_TRUE(r->secure_trunking);
  EXPECT_TRUE(r->cnam_lookup);
  EXPECT_EQ(r->rate.units(), 31800);
  EXPECT_EQ(r->secure_trunking_rate.units(), 500);
  EXPECT_EQ(r->total_amount.units(), 32300);
  EXPECT_EQ(r->cnam_lookup_rate.units(), 400);
  EXPECT_EQ(r->rating, RatingState::kProvided);
  EXPECT_EQ(r->from_country, "BR");
  EXPECT_EQ(r->to_country, "US");
  EXPECT_EQ(r->stir_verification, StirVerification::kNotVerified);
  EXPECT_EQ(r->attestation, Attestation::kB);
  EXPECT_EQ(r->sip_call_id, "a84b4c76e66710@pc33.example.com");
  EXPECT_EQ(r->from_username, "100*0111");
  EXPECT_EQ(r->from_domain, "sip.example");
  EXPECT_EQ(r->from_screen_name, "Reception");
  EXPECT_EQ(r->to_username, "+71111111111");
  EXPECT_EQ(r->to_domain, "pstn.example");
  EXPECT_EQ(r->did_number, "74950000000");
  EXPECT_EQ(r->did_domain, "did.example");
  EXPECT_EQ(r->bridged_username, "+71111111111");
  EXPECT_EQ(r->bridged_domain, "b.example");
  EXPECT_EQ(r->bridged_time, at("2022-05-26 13:32:10"));
  EXPECT_EQ(r->bridged_duration_s, 27);
  EXPECT_EQ(r->extension_id, 469100);
  EXPECT_EQ(r->extension_name, "100*0111@sipproxy.example");
  EXPECT_EQ(r->extension_type, "phone");
  EXPECT_EQ(r->extension_group_owner_id, 12);
  EXPECT_EQ(r->ext_number_reg, "74950000001");
  EXPECT_EQ(r->diversion_number, "74950000002");
  EXPECT_EQ(r->result, "bridged");
  EXPECT_EQ(r->hangup_disposition, "caller_bye");
  EXPECT_EQ(r->q850_cause, "NORMAL_CLEARING");
  EXPECT_EQ(r->quality_rate, 4);
  EXPECT_EQ(r->quality_max_rate, 5);
  EXPECT_EQ(r->quality.rtt_ms, 120.5);
  EXPECT_EQ(r->quality.jitter_ms, 3.0);
  EXPECT_EQ(r->quality.packet_loss_pct, 0.25);
  EXPECT_EQ(r->quality.post_dial_delay_ms, 1800);
  EXPECT_EQ(r->quality.caller_carrier, "Claro");
  EXPECT_EQ(r->quality.callee_carrier, "AT&T");
  EXPECT_EQ(r->quality.from_region, "Rio de Janeiro");
  EXPECT_EQ(r->quality.to_region, "Indiana");
}

// From here on, rows of a field's value and the message it gets, one rule a test: the shape of
// call_query_parser_test.cpp's refusals too, since each row is a documented case.
TEST(Validate, RequiredFields) {
  for (const char* f : {"account", "call_uuid", "call_direction", "from_number", "to_number",
                        "initiation_time", "end_time"}) {
    EXPECT_THAT(error({{f, std::nullopt}}), HasSubstr(std::string(f) + ": is required (")) << f;
    EXPECT_THAT(error({{f, "null"}}), HasSubstr(std::string(f) + ": is required")) << f;
    EXPECT_THAT(error({{f, "\"\""}}), HasSubstr(std::string(f) + ": is required")) << f;
  }
}

TEST(Validate, UnknownAndRepeatedFields) {
  EXPECT_EQ(error({{"durration", "3"}}), "durration: unknown field");
  EXPECT_EQ(error({{"call_duration", "3"}}),
            "call_duration: unknown field (did you mean duration?)");
  EXPECT_EQ(check_line(R"({"call_uuid": "a", )" + line().substr(1)).status().message(),
            "call_uuid: given more than once");
  EXPECT_FALSE(is_known_field("durration"));
  EXPECT_TRUE(is_known_field("duration"));
}

TEST(Validate, AllErrorsOfARecordAreReported) {
  EXPECT_EQ(error({{"call_direction", "\"sideways\""}, {"srtp", "\"maybe\""}}),
            "call_direction: must be inbound or outbound, got 'sideways'; "
            "srtp: must be true or false (CSV: true, false, 1 or 0), got 'maybe'");
}

TEST(Validate, Account) {
  EXPECT_THAT(error({{"account", "\"MAUNKNOWN\""}}),
              HasSubstr("account: no account has auth_id 'MAUNKNOWN'"));
  EXPECT_THAT(error({{"account", "5"}}), HasSubstr("account: must be the auth_id"));
}

TEST(Validate, ResolverFailureIsPassedOn) {
  Result<RawRecord> raw = parse_ndjson_line(line());
  ASSERT_TRUE(raw.ok());
  Result<CallRecord> r = validate_record(*raw, [](std::string_view) {
    return Result<std::optional<std::int64_t>>(Status::IOError("disk on fire"));
  });
  EXPECT_EQ(r.status().code(), Status::Code::kIOError);
}

TEST(Validate, CallUuid) {
  EXPECT_EQ(check({{"call_uuid", "\"CAA308E3333C4A19AAED9C0254B9C61B\""}})->call_uuid,
            "CAA308E3333C4A19AAED9C0254B9C61B");
  EXPECT_TRUE(check({{"call_uuid", "\"" + std::string(64, 'a') + "\""}}).ok());
  for (const std::string& bad : {"\"" + std::string(65, 'a') + "\"", std::string("\"a_b\""),
                                 std::string("\"a b\""), std::string("12")}) {
    EXPECT_THAT(error({{"call_uuid", bad}}),
                HasSubstr("call_uuid: must be 1-64 characters of A-Z, a-z, 0-9 and '-'"))
        << bad;
  }
}

// A SIP Call-ID names the call when call_uuid is left out: the same Call-ID gives the same
// call_uuid, so a switch's retry is a duplicate.
TEST(Validate, CallUuidFromTheSipCallId) {
  const std::string call_id = "a84b4c76e66710@pc33.atlanta.example.com";
  Result<CallRecord> r = check({{"call_uuid", std::nullopt}, {"call_id", "\"" + call_id + "\""}});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->call_uuid, "4f2365e0-b6f2-50f6-bb89-2960bb78559c");
  EXPECT_EQ(r->call_uuid, uuid_v5(call_id));
  EXPECT_EQ(r->sip_call_id, call_id);
  // A call_uuid that is given wins.
  EXPECT_EQ(check({{"call_id", "\"" + call_id + "\""}})->call_uuid,
            "6c3a8b60-26e0-4842-9387-2350de79f16b");
  EXPECT_THAT(error({{"call_uuid", std::nullopt}, {"call_id", "\"\""}}),
              HasSubstr("call_uuid: is required (1-64 characters of A-Z, a-z, 0-9 and '-'), "
                        "unless call_id gives the SIP Call-ID to derive it from"));
}

TEST(Validate, CallDirection) {
  EXPECT_EQ(check({{"call_direction", "\"inbound\""}})->direction, Direction::kInbound);
  EXPECT_EQ(error({{"call_direction", "\"sideways\""}}),
            "call_direction: must be inbound or outbound, got 'sideways'");
  EXPECT_THAT(error({{"call_direction", "1"}}), HasSubstr("got 1"));
}

TEST(Validate, PhoneNumbers) {
  EXPECT_EQ(check({{"from_number", "552135006716"}})->from_number, "+552135006716");
  EXPECT_EQ(check({{"to_number", "\"919943720205\""}})->to_number, "+919943720205");
  EXPECT_EQ(check({{"to_number", "\"alice\""}})->to_number, "alice");
  EXPECT_EQ(check({{"to_number", "\"1001\""}})->to_number, "1001");
  EXPECT_EQ(check({{"to_number", "\" +12604109832 \""}})->to_number, "+12604109832");
  EXPECT_THAT(error({{"to_number", "5.5"}}), HasSubstr("to_number: must be a phone number"));
  EXPECT_THAT(error({{"to_number", "true"}}), HasSubstr("to_number: must be a phone number"));
  EXPECT_THAT(error({{"to_number", "\"   \""}}), HasSubstr("to_number: must be"));
  EXPECT_THAT(error({{"to_number", "\"a\\u0001b\""}}),
              HasSubstr("to_number: must not contain control characters"));
  EXPECT_TRUE(check({{"to_number", "\"" + std::string(64, 'x') + "\""}}).ok());
  EXPECT_THAT(error({{"to_number", "\"" + std::string(65, 'x') + "\""}}),
              HasSubstr("to_number: must be at most 64 characters, got 65"));
}

TEST(Validate, TimestampForms) {
  Result<CallRecord> r = check({{"initiation_time", "\"2022-05-26T13:32:06Z\""},
                                {"answer_time", "\"2022-05-26 13:32:09.5\""},
                                {"end_time", "\"2022-05-26T13:32:37.000001+00:00\""}});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->initiation_time, at("2022-05-26 13:32:06"));
  EXPECT_EQ(r->answer_time, at("2022-05-26 13:32:09") + 500'000);
  EXPECT_EQ(r->end_time, at("2022-05-26 13:32:37") + 1);
  for (const char* bad : {"\"2022-05-26 13:32\"", "\"2022-02-30 10:00:00\"", "\"26/05/2022\"",
                          "\"2022-05-26 24:00:00\"", "1653571957000", "\"1653571957000\"",
                          "-1653571957", "1.653571957e9", "true"}) {
    EXPECT_THAT(error({{"end_time", bad}}), HasSubstr("end_time: must be a UTC timestamp")) << bad;
  }
}

// Switches write times with a zone offset or as Unix epoch seconds or microseconds.
TEST(Validate, TimesWithAnOffsetOrAsEpochNumbers) {
  Result<CallRecord> r = check({{"initiation_time", "\"2022-05-26T15:32:06+02:00\""},
                                {"answer_time", "1653571929.5"},
                                {"end_time", "\"1653571957000001\""}});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->initiation_time, at("2022-05-26 13:32:06"));
  EXPECT_EQ(r->answer_time, at("2022-05-26 13:32:09") + 500'000);
  EXPECT_EQ(r->end_time, at("2022-05-26 13:32:37") + 1);
  EXPECT_EQ(r->duration_s, 28);
}

TEST(Validate, TimeOrder) {
  EXPECT_THAT(error({{"answer_time", std::nullopt}, {"end_time", "\"2022-05-26 13:32:05\""}}),
              HasSubstr("initiation_time, end_time: end_time must not be before initiation_time"));
  EXPECT_THAT(error({{"answer_time", "\"2022-05-26 13:32:05\""}}),
              HasSubstr("initiation_time, answer_time: answer_time must not be before"));
  EXPECT_THAT(error({{"answer_time", "\"2022-05-26 13:32:38\""}}),
              HasSubstr("answer_time, end_time: end_time must not be before answer_time"));
  // Equal times are fine.
  EXPECT_TRUE(
      check({{"answer_time", "\"2022-05-26 13:32:06\""}, {"end_time", "\"2022-05-26 13:32:06\""}})
          .ok());
}

TEST(Validate, DurationIsDerivedFromTheTimes) {
  EXPECT_EQ(check({{"answer_time", "\"2022-05-26 13:32:09.500\""}})->duration_s, 28);  // 27.5 up
  EXPECT_EQ(check({{"answer_time", std::nullopt}})->duration_s, 0);
  EXPECT_EQ(check({{"answer_time", "null"}})->duration_s, 0);
  EXPECT_FALSE(check({{"answer_time", "null"}})->answer_time);
  EXPECT_EQ(check({{"answer_time", "\"\""}})->duration_s, 0);
}

TEST(Validate, GivenDuration) {
  EXPECT_EQ(check({{"duration", "27"}})->duration_s, 27);
  EXPECT_EQ(check({{"duration", "\"28\""}})->duration_s, 28);
  EXPECT_EQ(check({{"duration", "29"}})->duration_s, 29);  // one second of switch rounding
  EXPECT_THAT(error({{"duration", "30"}}),
              HasSubstr("duration: must not exceed end_time - answer_time (28 s, rounded up) by "
                        "more than 1 s, got 30"));
  EXPECT_EQ(check({{"answer_time", std::nullopt}, {"duration", "0"}})->duration_s, 0);
  EXPECT_THAT(error({{"answer_time", std::nullopt}, {"duration", "5"}}),
              HasSubstr("duration: must be 0 for a call that was not answered"));
  for (const char* bad : {"-1", "28.0", "2.8e1", "\"x\"", "true", "1000000001"}) {
    EXPECT_THAT(error({{"duration", bad}}),
                HasSubstr("duration: must be a whole number of seconds from 0 to 1000000000"))
        << bad;
  }
}

TEST(Validate, BillDuration) {
  EXPECT_EQ(check({{"duration", "20"}})->bill_duration_s, 20);
  EXPECT_EQ(check({{"bill_duration", "7200"}})->bill_duration_s, 7200);
  EXPECT_EQ(check({{"bill_duration", "0"}})->bill_duration_s, 0);
  EXPECT_THAT(error({{"bill_duration", "-60"}}), HasSubstr("bill_duration: must be a whole"));
}

TEST(Validate, Hangup) {
  EXPECT_EQ(check({{"hangup_cause_code", "1000"}})->hangup_cause_code, 1000);
  EXPECT_EQ(check({{"hangup_cause_code", "\"9999\""}})->hangup_cause_code, 9999);
  EXPECT_THAT(error({{"hangup_cause_code", "999"}}),
              HasSubstr("hangup_cause_code: must be a whole number from 1000 to 9999, got 999"));
  EXPECT_THAT(error({{"hangup_cause_code", "10000"}}), HasSubstr("hangup_cause_code: must be"));
  EXPECT_EQ(check({{"hangup_source", "\"Carrier\""}})->hangup_source, HangupSource::kCarrier);
  EXPECT_EQ(check({{"hangup_source", "\"zentrunk\""}})->hangup_source, HangupSource::kZentrunk);
  EXPECT_EQ(error({{"hangup_source", "\"nobody\""}}),
            "hangup_source: must be customer, carrier or zentrunk, got 'nobody'");
  EXPECT_THAT(error({{"hangup_cause_name", "3"}}),
              HasSubstr("hangup_cause_name: must be a string"));
}

TEST(Validate, ShortTextFields) {
  for (const char* f : {"trunk_id", "trunk_domain", "region"}) {
    EXPECT_TRUE(check({{f, "\"" + std::string(128, 'x') + "\""}}).ok()) << f;
    EXPECT_THAT(error({{f, "\"" + std::string(129, 'x') + "\""}}),
                HasSubstr(std::string(f) + ": must be at most 128 characters, got 129"));
    EXPECT_THAT(
        error({{f, "126041"}}),
        HasSubstr(std::string(f) + ": must be a string of at most 128 characters, got 126041"));
  }
  // Characters, not bytes: 128 two-byte characters fit.
  std::string e;
  for (int i = 0; i < 128; ++i) e += "\xc3\xa9";
  EXPECT_TRUE(check({{"region", "\"" + e + "\""}}).ok());
}

TEST(Validate, FreeTextLimitsAndControlCharacters) {
  EXPECT_TRUE(check({{"q850_cause", "\"" + std::string(256, 'x') + "\""}}).ok());
  EXPECT_THAT(error({{"q850_cause", "\"" + std::string(257, 'x') + "\""}}),
              HasSubstr("q850_cause: must be at most 256 characters"));
  EXPECT_THAT(error({{"from_screen_name", "\"a\\tb\""}}),
              HasSubstr("from_screen_name: must not contain control characters"));
  Result<CallRecord> bad_utf8 = check_text({{"from_screen_name", "caf\xe9"}});
  EXPECT_THAT(bad_utf8.status().message(), HasSubstr("from_screen_name: must be valid UTF-8"));
}

TEST(Validate, Transport) {
  EXPECT_EQ(check({{"transport_protocol", "\"tcp\""}})->transport, Transport::kTcp);
  EXPECT_EQ(check({{"transport_protocol", "\"UDP\""}})->transport, Transport::kUdp);
  EXPECT_EQ(error({{"transport_protocol", "\"sctp\""}}),
            "transport_protocol: must be udp, tcp or tls, got 'sctp'");
}

TEST(Validate, Booleans) {
  for (const char* f : {"srtp", "secure_trunking", "cnam_lookup"}) {
    EXPECT_EQ(check({{f, "true"}}).ok(), true);
    EXPECT_THAT(error({{f, "\"yes\""}}), HasSubstr(std::string(f) + ": must be true or false"));
    EXPECT_THAT(error({{f, "2"}}), HasSubstr(std::string(f) + ": must be true or false"));
  }
  EXPECT_TRUE(check({{"srtp", "true"}})->srtp);
  EXPECT_FALSE(check({{"srtp", "false"}})->srtp);
  EXPECT_TRUE(check_text({{"srtp", "1"}})->srtp);
  EXPECT_TRUE(check_text({{"srtp", "TRUE"}})->srtp);
  EXPECT_FALSE(check_text({{"srtp", "0"}})->srtp);
  EXPECT_FALSE(check_text({{"srtp", "false"}})->srtp);
}

TEST(Validate, MoneyIsExact) {
  const std::pair<std::string, std::optional<std::string>> amount = {"total_amount", "0"};
  EXPECT_EQ(check({{"rate", "\"0.31800\""}, amount})->rate.units(), 31800);
  EXPECT_EQ(check({{"rate", "0.318"}, amount})->rate.units(), 31800);
  EXPECT_EQ(check({{"rate", "0.31800"}, amount})->rate.units(), 31800);
  EXPECT_EQ(check({{"rate", "0"}, {"total_amount", "12"}})->total_amount.units(), 1'200'000);
  EXPECT_EQ(check({{"cnam_lookup_rate", "0.00001"}})->cnam_lookup_rate.units(), 1);
  EXPECT_EQ(check({{"secure_trunking_rate", "0"}})->secure_trunking_rate.units(), 0);
  for (const char* bad : {"0.318001", "-1", "\"-0.5\"", "1e2", "\"abc\"", "true", "\".5\""}) {
    EXPECT_THAT(error({{"rate", bad}}),
                HasSubstr("rate: must be a decimal from 0 to 999999999999.99999 with at most 5 "
                          "decimals"))
        << bad;
  }
}

TEST(Validate, LargestAmountAcceptedOneDigitMoreRefusedNamingTheLimit) {
  const std::pair<std::string, std::optional<std::string>> rate = {"rate", "0"};
  EXPECT_EQ(check({rate, {"total_amount", "999999999999.99999"}})->total_amount.units(),
            99'999'999'999'999'999);
  EXPECT_THAT(error({rate, {"total_amount", "1000000000000"}}),
              HasSubstr("total_amount: must be a decimal from 0 to 999999999999.99999"));
  EXPECT_THAT(error({rate, {"total_amount", "92233720368547.75808"}}),
              HasSubstr("got 92233720368547.75808"));
}

TEST(Validate, RatingState) {
  Result<CallRecord> provided = check({{"rate", "0.318"}, {"total_amount", "0.318"}});
  EXPECT_EQ(provided->rating, RatingState::kProvided);
  Result<CallRecord> zero = check({{"rate", "0"}, {"total_amount", "0"}});
  EXPECT_EQ(zero->rating, RatingState::kProvided);
  // Neither: to be rated from the account's deck (amounts 0 until then).
  Result<CallRecord> neither = check({{"bill_duration", "60"}, {"secure_trunking_rate", "0.001"}});
  EXPECT_EQ(neither->rating, RatingState::kUnrated);
  EXPECT_TRUE(neither->rate.is_zero());
  EXPECT_TRUE(neither->total_amount.is_zero());
  // One without the other is neither the call's own billing nor a call to rate.
  EXPECT_EQ(error({{"rate", "0.5"}}),
            "rate, total_amount: give both (the call's own billing, kept as sent) or neither "
            "(cdrd rates the call from the account's rate deck); got only rate");
  EXPECT_THAT(error({{"total_amount", "0.5"}}), HasSubstr("got only total_amount"));
  EXPECT_THAT(error({{"total_amount", "null"}, {"rate", "\"0.5\""}}), HasSubstr("got only rate"));
}

TEST(Validate, CountriesComeFromTheNumbers) {
  // Seed 001: 552135006716 is BR, 12604109832 is US (bare digits, stored with '+').
  Result<CallRecord> r = check();
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->from_country, "BR");
  EXPECT_EQ(r->to_country, "US");
  Result<CallRecord> bare = check({{"from_number", "552135006716"}, {"to_number", "12604109832"}});
  ASSERT_TRUE(bare.ok()) << bare.status().message();
  EXPECT_EQ(bare->from_country, "BR");
  EXPECT_EQ(bare->to_country, "US");
  Result<CallRecord> more =
      check({{"from_number", "\"+442079460000\""}, {"to_number", "\"+74957397000\""}});
  EXPECT_EQ(more->from_country, "GB");
  EXPECT_EQ(more->to_country, "RU");
  EXPECT_EQ(check({{"to_number", "\"+919943720205\""}})->to_country, "IN");
  // Not a phone number: no country, never a guessed one.
  Result<CallRecord> sip = check({{"from_number", "\"alice\""}, {"to_number", "\"1001\""}});
  ASSERT_TRUE(sip.ok()) << sip.status().message();
  EXPECT_EQ(sip->from_country, "");
  EXPECT_EQ(sip->to_country, "");
}

TEST(Validate, GivenCountriesMustAgree) {
  EXPECT_EQ(check({{"from_country", "\"BR\""}, {"to_country", "\"US\""}})->from_country, "BR");
  EXPECT_EQ(error({{"from_country", "\"IN\""}}),
            "from_country: 'IN' contradicts from_number '+552135006716', a number of BR (leave "
            "from_country out or send BR)");
  EXPECT_EQ(error({{"to_number", "\"alice\""}, {"to_country", "\"US\""}}),
            "to_country: 'US' given, but to_number 'alice' is not a phone number of any country "
            "(leave to_country out)");
  for (const char* bad : {"\"in\"", "\"IND\"", "\"I\"", "\"1N\"", "91"}) {
    EXPECT_THAT(error({{"to_country", bad}}),
                HasSubstr("to_country: must be two upper-case letters"))
        << bad;
  }
}

TEST(Validate, HangupCauseNamesComeFromTheTable) {
  Result<CallRecord> code_only = check({{"hangup_cause_code", "3000"}});
  EXPECT_EQ(code_only->hangup_cause_name, "normal_hangup");
  EXPECT_EQ(check({{"hangup_cause_code", "4080"}})->hangup_cause_name, "route_not_found");
  EXPECT_EQ(check({{"hangup_cause_code", "3010"}, {"hangup_cause_name", "\"NORMAL_HANGUP\""}})
                ->hangup_cause_name,
            "normal_hangup");
  EXPECT_EQ(error({{"hangup_cause_code", "3000"}, {"hangup_cause_name", "\"busy\""}}),
            "hangup_cause_name: 'busy' contradicts hangup_cause_code 3000 (normal_hangup)");
  // A code the table does not know keeps the name the record gives (or none).
  EXPECT_EQ(check({{"hangup_cause_code", "9999"}, {"hangup_cause_name", "\"vendor_x\""}})
                ->hangup_cause_name,
            "vendor_x");
  EXPECT_EQ(check({{"hangup_cause_code", "9999"}})->hangup_cause_name, "");
  EXPECT_EQ(check({{"hangup_cause_name", "\"anything\""}})->hangup_cause_name, "anything");
}

TEST(Validate, StirAndAttestation) {
  EXPECT_EQ(check({{"stir_verification", "\"not applicable\""}})->stir_verification,
            StirVerification::kNotApplicable);
  EXPECT_EQ(check({{"stir_verification", "\"Verified\""}, {"attestation_indicator", "\"A\""}})
                ->attestation,
            Attestation::kA);
  EXPECT_EQ(check({{"stir_verification", "\"Not_Verified\""}, {"attestation_indicator", "\"C\""}})
                ->stir_verification,
            StirVerification::kNotVerified);
  EXPECT_EQ(check({{"attestation_indicator", "\"null\""}})->attestation, Attestation::kNone);
  EXPECT_EQ(check({{"attestation_indicator", "null"}})->attestation, Attestation::kNone);
  EXPECT_TRUE(check({{"stir_verification", "\"Verified\""}}).ok());
  EXPECT_TRUE(
      check({{"stir_verification", "\"Not Applicable\""}, {"attestation_indicator", "\"B\""}})
          .ok());
  EXPECT_EQ(error({{"stir_verification", "\"Verified\""}, {"attestation_indicator", "\"B\""}}),
            "attestation_indicator: 'B' contradicts stir_verification 'Verified' (which means "
            "attestation A)");
  EXPECT_THAT(error({{"stir_verification", "\"verified\""}, {"attestation_indicator", "\"C\""}}),
              HasSubstr("attestation_indicator: 'C' contradicts stir_verification 'Verified'"));
  EXPECT_EQ(error({{"stir_verification", "\"Not Verified\""}, {"attestation_indicator", "\"A\""}}),
            "attestation_indicator: 'A' contradicts stir_verification 'Not Verified' (which means "
            "attestation B or C)");
  EXPECT_EQ(check({{"stir_verification", "\"VERIFIED\""}})->stir_verification,
            StirVerification::kVerified);
  EXPECT_EQ(error({{"stir_verification", "\"maybe\""}}),
            "stir_verification: must be Verified, Not Verified or Not Applicable, got 'maybe'");
  EXPECT_EQ(error({{"attestation_indicator", "\"D\""}}),
            "attestation_indicator: must be A, B, C or null, got 'D'");
}

TEST(Validate, CallIdAndExtNumberReg) {
  EXPECT_EQ(check({{"call_id", "\"abc@host\""}})->sip_call_id, "abc@host");
  EXPECT_FALSE(check({{"ext_number_reg", "null"}})->ext_number_reg);
  EXPECT_EQ(check({{"ext_number_reg", "\"123\""}})->ext_number_reg, "123");
}

TEST(Validate, Flow) {
  EXPECT_TRUE(check({{"flow", "\"out\""}}).ok());
  EXPECT_TRUE(check({{"flow", "\"transfer\""}}).ok());
  EXPECT_TRUE(check({{"flow", "\"in\""}, {"call_direction", "\"inbound\""}}).ok());
  EXPECT_EQ(error({{"flow", "\"in\""}}),
            "flow, call_direction: flow 'in' means call_direction inbound, got outbound");
  EXPECT_EQ(error({{"flow", "\"sideways\""}}), "flow: must be in, out or transfer, got 'sideways'");
}

TEST(Validate, CloudPbxChoices) {
  EXPECT_EQ(check({{"result", "\"not answered\""}})->result, "not answered");
  EXPECT_THAT(
      error({{"result", "\"voicemail\""}}),
      HasSubstr("result: must be busy, answered, bridged, not answered, rejected or failed"));
  EXPECT_EQ(check({{"hangup_disposition", "\"\""}})->hangup_disposition, "");
  EXPECT_EQ(check({{"hangup_disposition", "\"internal_cancel\""}})->hangup_disposition,
            "internal_cancel");
  EXPECT_THAT(error({{"hangup_disposition", "\"bye\""}}),
              HasSubstr("hangup_disposition: must be callee_bye, caller_bye"));
  EXPECT_EQ(check({{"extension_type", "\"ivr\""}})->extension_type, "ivr");
  EXPECT_EQ(error({{"extension_type", "\"pager\""}}),
            "extension_type: must be phone, ivr, queue or fax, got 'pager'");
}

TEST(Validate, CloudPbxNumbersAndTimes) {
  EXPECT_EQ(check({{"extension_id", "-3"}})->extension_id, -3);
  EXPECT_THAT(error({{"extension_id", "1.5"}}), HasSubstr("extension_id: must be a whole number"));
  EXPECT_THAT(error({{"extension_group_owner_id", "\"x\""}}),
              HasSubstr("extension_group_owner_id: must be a whole number"));
  EXPECT_THAT(error({{"bridged_duration", "-1"}}), HasSubstr("bridged_duration: must be a whole"));
  EXPECT_THAT(error({{"bridged_time", "\"2022-05-26 13:32:38\""}}),
              HasSubstr("bridged_time: must lie between initiation_time and end_time"));
  EXPECT_THAT(error({{"bridged_time", "\"soon\""}}), HasSubstr("bridged_time: must be a UTC"));
  EXPECT_EQ(check({{"quality_rate", "0"}, {"quality_max_rate", "0"}})->quality_rate, 0);
  EXPECT_EQ(error({{"quality_rate", "6"}, {"quality_max_rate", "5"}}),
            "quality_rate, quality_max_rate: quality_rate must not exceed quality_max_rate");
  EXPECT_THAT(error({{"quality_rate", R"({"rate": 4, "max_rate": 5})"}}),
              HasSubstr("send quality_rate and quality_max_rate as two numbers), got an object"));
  EXPECT_THAT(error({{"quality_max_rate", "-1"}}), HasSubstr("quality_max_rate: must be"));
}

TEST(Validate, QualityMetrics) {
  EXPECT_EQ(check({{"rtt_ms", "\"0\""}})->quality.rtt_ms, 0.0);
  EXPECT_EQ(check({{"packet_loss_pct", "100"}})->quality.packet_loss_pct, 100.0);
  EXPECT_THAT(error({{"packet_loss_pct", "100.1"}}),
              HasSubstr("packet_loss_pct: must be a decimal percentage from 0 to 100"));
  for (const char* bad : {"-1", "1e2", "\"fast\"", "\"1.\"", "true"}) {
    EXPECT_THAT(error({{"jitter_ms", bad}}), HasSubstr("jitter_ms: must be a decimal number"))
        << bad;
  }
  EXPECT_EQ(check({{"post_dial_delay_ms", "0"}})->quality.post_dial_delay_ms, 0);
  EXPECT_THAT(error({{"post_dial_delay_ms", "-5"}}), HasSubstr("post_dial_delay_ms: must be"));
  EXPECT_THAT(error({{"caller_carrier", "[]"}}), HasSubstr("caller_carrier: must be a string"));
}

TEST(Validate, Legs) {
  Result<CallRecord> r = check({{"legs", R"([
      {"record_uuid": "469100-5D36", "flow": "out", "result": "answered", "duration": 24,
       "from_username": "100*0111", "to_username": "+71111111111", "extension_id": 469100,
       "extension_type": "phone", "init_time": "2022-05-26 13:32:06.76",
       "start_time": "2022-05-26 13:32:10", "hangup_time": "2022-05-26 13:32:37",
       "hangup_cause": "NORMAL_CLEARING", "hangup_disposition": "caller_bye",
       "ext_number_reg": null, "record_file_size": 1024, "source_number": "1",
       "source_domain": "s", "dest_number": "2", "dest_domain": "d", "did_number": "3",
       "did_domain": "dd", "ani_number": "4", "application": "app", "extension_name": "n",
       "extension_group_owner_id": 9, "from_domain": "f", "from_screen_name": "F",
       "to_domain": "t"},
      {"init_time": "2022-05-26 13:32:06", "hangup_time": "2022-05-26 13:32:08",
       "result": "voicemail"}])"}});
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->legs.size(), 2u);
  const CallLeg& a = r->legs[0];
  EXPECT_EQ(a.record_uuid, "469100-5D36");
  EXPECT_EQ(a.flow, "out");
  EXPECT_EQ(a.result, "answered");
  EXPECT_EQ(a.duration_s, 24);
  EXPECT_EQ(a.init_time, at("2022-05-26 13:32:06") + 760'000);
  EXPECT_EQ(a.start_time, at("2022-05-26 13:32:10"));
  EXPECT_EQ(a.hangup_time, at("2022-05-26 13:32:37"));
  EXPECT_EQ(a.extension_id, 469100);
  EXPECT_EQ(a.extension_group_owner_id, 9);
  EXPECT_FALSE(a.ext_number_reg);
  EXPECT_EQ(a.record_file_size, 1024);
  EXPECT_EQ(a.hangup_cause, "NORMAL_CLEARING");
  EXPECT_EQ(a.application, "app");
  const CallLeg& b = r->legs[1];
  EXPECT_EQ(b.duration_s, 0);
  EXPECT_FALSE(b.start_time);
  // Derived leg duration.
  Result<CallRecord> d = check({{"legs", R"([{"init_time": "2022-05-26 13:32:06",
      "start_time": "2022-05-26 13:32:10", "hangup_time": "2022-05-26 13:32:20.2"}])"}});
  EXPECT_EQ(d->legs[0].duration_s, 11);
}

TEST(Validate, BadLegs) {
  EXPECT_THAT(error({{"legs", "{}"}}),
              HasSubstr("legs: must be a JSON array of leg objects (NDJSON only), got an object"));
  EXPECT_THAT(error({{"legs", "[1]"}}), HasSubstr("legs[0]: must be an object"));
  EXPECT_THAT(error({{"legs", R"([{"hangup_time": "2022-05-26 13:32:08"}])"}}),
              HasSubstr("legs[0].init_time: is required"));
  EXPECT_THAT(error({{"legs", R"([{}, {"init_time": "2022-05-26 13:32:06",
          "hangup_time": "2022-05-26 13:32:08", "hangup_time_gmt": "x"}])"}}),
              HasSubstr("legs[1].hangup_time_gmt: unknown field (did you mean hangup_time?)"));
  EXPECT_THAT(error({{"legs", R"([{"init_time": "2022-05-26 13:32:09",
          "hangup_time": "2022-05-26 13:32:08"}])"}}),
              HasSubstr("hangup_time must not be before init_time"));
  EXPECT_THAT(error({{"legs", R"([{"init_time": "2022-05-26 13:32:06", "flow": "up",
          "hangup_time": "2022-05-26 13:32:08"}])"}}),
              HasSubstr("legs[0].flow: must be in, out or transfer, got 'up'"));
  EXPECT_THAT(check_text({{"legs", "[]"}}).status().message(),
              HasSubstr("legs: must be a JSON array of leg objects (NDJSON only), got '[]'"));
}

TEST(Validate, UntypedTextRecord) {
  Result<CallRecord> r = check_text({{"rate", "0.31800"},
                                     {"total_amount", "0.318"},
                                     {"duration", "0"},
                                     {"hangup_cause_code", "3000"}});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->direction, Direction::kInbound);
  EXPECT_EQ(r->from_number, "+14155550100");
  EXPECT_EQ(r->to_number, "alice");
  EXPECT_EQ(r->rate.units(), 31800);
  EXPECT_EQ(r->total_amount.units(), 31800);
  EXPECT_EQ(r->rating, RatingState::kProvided);
  EXPECT_EQ(r->hangup_cause_code, 3000);
}

TEST(CompleteBilling, DefaultsAndState) {
  CallRecord r;
  r.duration_s = 42;
  complete_billing(r, BillingInputs{});
  EXPECT_EQ(r.bill_duration_s, 42);
  EXPECT_EQ(r.rating, RatingState::kUnrated);
  r.bill_duration_s = 60;
  complete_billing(r, BillingInputs{.bill_duration = true, .rate = true, .total_amount = true});
  EXPECT_EQ(r.bill_duration_s, 60);
  EXPECT_EQ(r.rating, RatingState::kProvided);
}

}  // namespace
}  // namespace cdrd::service::ingest

namespace cdrd::service::ingest {
namespace {

// Account 7's default country is DE; its trunk "us-1" has US.
Result<std::string> default_country_de(std::int64_t account_id, std::string_view trunk_id) {
  EXPECT_EQ(account_id, 7);
  return std::string(trunk_id == "us-1" ? "US" : "DE");
}

Result<CallRecord> check_numbers(const std::string& from, const std::string& to,
                                 const std::string& trunk_id = "") {
  Result<RawRecord> raw = parse_ndjson_line(
      line({{"from_number", "\"" + from + "\""}, {"to_number", "\"" + to + "\""}}));
  if (!raw.ok()) return raw.status();
  if (!trunk_id.empty()) {
    raw->fields.push_back({"trunk_id", RawValue{RawKind::kString, trunk_id, {}, {}}});
  }
  return validate_record(*raw, resolve_account, default_country_de);
}

TEST(Validate, DefaultCountryTurnsNationalAndPrefixedNumbersIntoE164) {
  Result<CallRecord> r = check_numbers("030 1234567", "00442079460000");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->from_number, "+49301234567");
  EXPECT_EQ(r->from_country, "DE");
  EXPECT_EQ(r->to_number, "+442079460000");
  EXPECT_EQ(r->to_country, "GB");
  // Digits read as dialled in Germany: without 00 or '+', 44 20... is a German number; E.164
  // stays as it is.
  r = check_numbers("+12604109832", "442079460000");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->from_number, "+12604109832");
  EXPECT_EQ(r->to_number, "+49442079460000");
  // A SIP user and an extension stay as sent.
  r = check_numbers("alice", "1001");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->from_number, "alice");
  EXPECT_EQ(r->to_number, "1001");
}

TEST(Validate, TheTrunksDefaultCountryWinsOverTheAccounts) {
  // 011 is the international prefix of the US, and 10 digits a national US number.
  Result<CallRecord> r = check_numbers("4155550100", "011 44 20 7946 0000", "us-1");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->from_number, "+14155550100");
  EXPECT_EQ(r->to_number, "+442079460000");
}

TEST(Validate, WithoutADefaultCountryNumbersAreKeptAsToday) {
  Result<CallRecord> r =
      check({{"from_number", "\"030 1234567\""}, {"to_number", "\"00442079460000\""}});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->from_number, "030 1234567");
  EXPECT_EQ(r->to_number, "00442079460000");
  EXPECT_EQ(r->to_country, "");
}

// A field's row is found by comparing names a word at a time; it must find exactly the names of
// the table (a std::string_view comparison, the code before): every name, and names one edit
// away from one (a character changed, added or dropped, cut short, grown), of every length.
TEST(Validate, FieldNamesAreFoundExactly) {
  const std::set<std::string, std::less<>> names = {"account",
                                                    "call_uuid",
                                                    "call_direction",
                                                    "from_number",
                                                    "to_number",
                                                    "initiation_time",
                                                    "answer_time",
                                                    "end_time",
                                                    "duration",
                                                    "bill_duration",
                                                    "hangup_cause_code",
                                                    "hangup_cause_name",
                                                    "hangup_source",
                                                    "trunk_id",
                                                    "trunk_domain",
                                                    "region",
                                                    "transport_protocol",
                                                    "srtp",
                                                    "secure_trunking",
                                                    "rate",
                                                    "secure_trunking_rate",
                                                    "total_amount",
                                                    "from_country",
                                                    "to_country",
                                                    "stir_verification",
                                                    "attestation_indicator",
                                                    "call_id",
                                                    "cnam_lookup",
                                                    "cnam_lookup_rate",
                                                    "flow",
                                                    "from_username",
                                                    "from_domain",
                                                    "from_screen_name",
                                                    "to_username",
                                                    "to_domain",
                                                    "did_number",
                                                    "did_domain",
                                                    "bridged_username",
                                                    "bridged_domain",
                                                    "bridged_time",
                                                    "bridged_duration",
                                                    "extension_id",
                                                    "extension_name",
                                                    "extension_type",
                                                    "extension_group_owner_id",
                                                    "ext_number_reg",
                                                    "diversion_number",
                                                    "result",
                                                    "hangup_disposition",
                                                    "q850_cause",
                                                    "quality_rate",
                                                    "quality_max_rate",
                                                    "legs",
                                                    "rtt_ms",
                                                    "jitter_ms",
                                                    "packet_loss_pct",
                                                    "post_dial_delay_ms",
                                                    "caller_carrier",
                                                    "callee_carrier",
                                                    "from_region",
                                                    "to_region"};
  ASSERT_EQ(names.size(), 61u);
  std::mt19937_64 rng(20261205);
  const std::string alphabet = "abcdefghijklmnopqrstuvwxyz_0123456789ABZ";
  int known = 0, compared = 0;
  for (const std::string& n : names) {
    EXPECT_TRUE(is_known_field(n)) << n;
    for (int i = 0; i < 2000; ++i) {
      std::string m = n;
      switch (rng() % 5) {
        case 0:
          m[rng() % m.size()] = alphabet[rng() % alphabet.size()];
          break;
        case 1:
          m.insert(m.begin() + static_cast<long>(rng() % (m.size() + 1)),
                   alphabet[rng() % alphabet.size()]);
          break;
        case 2:
          m.erase(m.begin() + static_cast<long>(rng() % m.size()));
          break;
        case 3:
          m.resize(rng() % m.size());
          break;
        default:
          m += n.substr(0, rng() % (n.size() + 1));
          break;
      }
      ++compared;
      known += is_known_field(m);
      EXPECT_EQ(is_known_field(m), names.contains(m)) << "'" << m << "' from " << n;
    }
  }
  EXPECT_GT(compared, 100'000);
  EXPECT_GT(known, 1000);  // some edits give another name of the table
}

}  // namespace
}  // namespace cdrd::service::ingest
