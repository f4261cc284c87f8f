#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "api/zentrunk/calls.h"
#include "testing/seed_calls.h"

namespace cdrd::api::zentrunk {
namespace {

using testing::at;
using ::testing::HasSubstr;
using ::testing::StartsWith;

const Micros kNow = at("2022-06-01 00:00:00");

class ParseCallListQueryTest : public ::testing::Test {
 protected:
  Result<CallQuery> parse(const http::Params& params) {
    return parse_call_list_query(params, 7, kNow, settings_);
  }
  CallQuery ok(const http::Params& params) {
    Result<CallQuery> r = parse(params);
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? *r : CallQuery{};
  }
  std::string error(const http::Params& params) {
    Result<CallQuery> r = parse(params);
    EXPECT_FALSE(r.ok());
    if (r.ok()) return "";
    EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument);
    return r.status().message();
  }
  // A lower end_time bound inside the window, so a test of another filter sees no window rule.
  static constexpr const char* kRecent = "2022-05-30 00:00";

  ApiSettings settings_;
};

TEST_F(ParseCallListQueryTest, DefaultsWithoutParameters) {
  CallQuery q = ok({});
  EXPECT_EQ(q.account_id, 7);
  EXPECT_EQ(q.limit, 20);
  EXPECT_EQ(q.offset, 0);
  EXPECT_EQ(q.order, SortOrder::kNewestFirst);
  EXPECT_FALSE(q.direction);
  EXPECT_FALSE(q.from_number);
  EXPECT_FALSE(q.to_number);
  EXPECT_FALSE(q.trunk_id);
  EXPECT_FALSE(q.hangup_cause_code);
  EXPECT_FALSE(q.hangup_source);
  EXPECT_FALSE(q.stir_verification);
  EXPECT_FALSE(q.bill_duration.min);
  EXPECT_FALSE(q.bill_duration.max);
  EXPECT_FALSE(q.initiation_time.from);
  EXPECT_FALSE(q.initiation_time.until);
  // The list window: the last 30 days.
  EXPECT_EQ(q.end_time.from, kNow - 30 * kMicrosPerDay);
  EXPECT_FALSE(q.end_time.until);
}

// --- limit and offset ---

// One parameter a test, as rows of a value and what it gives or the message it gets: the
// tests of validate_test.cpp share the shape, since each row is a documented case.
TEST_F(ParseCallListQueryTest, LimitBoundaries) {
  EXPECT_EQ(error({{"limit", "0"}}), "limit: must be an integer from 1 to 20, got '0'");
  EXPECT_EQ(ok({{"limit", "1"}}).limit, 1);
  EXPECT_EQ(ok({{"limit", "20"}}).limit, 20);
  EXPECT_EQ(error({{"limit", "21"}}), "limit: must be an integer from 1 to 20, got '21'");
  EXPECT_EQ(error({{"limit", "-1"}}), "limit: must be an integer from 1 to 20, got '-1'");
  EXPECT_EQ(error({{"limit", "ten"}}), "limit: must be an integer from 1 to 20, got 'ten'");
  EXPECT_EQ(error({{"limit", ""}}), "limit: must be an integer from 1 to 20, got ''");
  EXPECT_EQ(error({{"limit", "1.5"}}), "limit: must be an integer from 1 to 20, got '1.5'");
  EXPECT_EQ(error({{"limit", "99999999999999999999"}}),
            "limit: must be an integer from 1 to 20, got '99999999999999999999'");
  EXPECT_EQ(ok({{"limit", "05"}}).limit, 5);
  // "limit=+5" arrives as " 5".
  EXPECT_EQ(ok({{"limit", " 5"}}).limit, 5);
}

TEST_F(ParseCallListQueryTest, OffsetBoundaries) {
  EXPECT_EQ(error({{"offset", "-1"}}), "offset: must be a non-negative integer, got '-1'");
  EXPECT_EQ(ok({{"offset", "0"}}).offset, 0);
  EXPECT_EQ(ok({{"offset", "705"}}).offset, 705);
  EXPECT_EQ(error({{"offset", "x"}}), "offset: must be a non-negative integer, got 'x'");
  EXPECT_EQ(error({{"offset", ""}}), "offset: must be a non-negative integer, got ''");
}

// --- enumerations ---

TEST_F(ParseCallListQueryTest, CallDirection) {
  EXPECT_EQ(ok({{"call_direction", "inbound"}}).direction, Direction::kInbound);
  EXPECT_EQ(ok({{"call_direction", "outbound"}}).direction, Direction::kOutbound);
  EXPECT_EQ(error({{"call_direction", "sideways"}}),
            "call_direction: must be inbound or outbound, got 'sideways'");
  EXPECT_EQ(error({{"call_direction", ""}}), "call_direction: must be inbound or outbound, got ''");
}

TEST_F(ParseCallListQueryTest, HangupSource) {
  EXPECT_EQ(ok({{"hangup_source", "customer"}}).hangup_source, HangupSource::kCustomer);
  EXPECT_EQ(ok({{"hangup_source", "carrier"}}).hangup_source, HangupSource::kCarrier);
  EXPECT_EQ(ok({{"hangup_source", "Zentrunk"}}).hangup_source, HangupSource::kZentrunk);
  EXPECT_EQ(error({{"hangup_source", "switch"}}),
            "hangup_source: must be customer, carrier or zentrunk, got 'switch'");
}

TEST_F(ParseCallListQueryTest, StirVerificationIsCaseInsensitive) {
  EXPECT_EQ(ok({{"stir_verification", "Verified"}}).stir_verification, StirVerification::kVerified);
  EXPECT_EQ(ok({{"stir_verification", "not verified"}}).stir_verification,
            StirVerification::kNotVerified);
  EXPECT_EQ(ok({{"stir_verification", "NOT APPLICABLE"}}).stir_verification,
            StirVerification::kNotApplicable);
  EXPECT_EQ(ok({{"stir_verification", "Not_Verified"}}).stir_verification,
            StirVerification::kNotVerified);
  EXPECT_EQ(error({{"stir_verification", "maybe"}}),
            "stir_verification: must be Verified, Not Verified or Not Applicable, got 'maybe'");
}

// --- exact-match filters ---

TEST_F(ParseCallListQueryTest, TrunkId) {
  EXPECT_EQ(ok({{"trunk_id", "93667062664669661"}}).trunk_id, "93667062664669661");
  EXPECT_EQ(ok({{"trunk_id", "126041xxxx"}}).trunk_id, "126041xxxx");
  EXPECT_EQ(error({{"trunk_id", ""}}),
            "trunk_id: must be 1 to 64 letters, digits, '.', '_' or '-', got ''");
  EXPECT_THAT(error({{"trunk_id", "a/b"}}), StartsWith("trunk_id: must be"));
  EXPECT_THAT(error({{"trunk_id", std::string(65, '1')}}), StartsWith("trunk_id: must be"));
}

TEST_F(ParseCallListQueryTest, HangupCauseCode) {
  EXPECT_EQ(ok({{"hangup_cause_code", "3000"}}).hangup_cause_code, 3000);
  EXPECT_EQ(ok({{"hangup_cause_code", "0"}}).hangup_cause_code, 0);
  EXPECT_EQ(error({{"hangup_cause_code", "abc"}}),
            "hangup_cause_code: must be a non-negative integer code such as 3000, got 'abc'");
  EXPECT_THAT(error({{"hangup_cause_code", "-3000"}}), StartsWith("hangup_cause_code: must be"));
  EXPECT_THAT(error({{"hangup_cause_code", "1234567890"}}),
              StartsWith("hangup_cause_code: must be"));
}

// --- number filters ---

TEST_F(ParseCallListQueryTest, NumberPrefixWithAndWithoutPlus) {
  EXPECT_EQ(ok({{"from_number", "919943720205"}}).from_number->digits, "919943720205");
  EXPECT_EQ(ok({{"from_number", "+919943720205"}}).from_number->digits, "919943720205");
  // A raw '+' in the query string decodes to ' '.
  EXPECT_EQ(ok({{"from_number", " 9199"}}).from_number->digits, "9199");
  EXPECT_EQ(ok({{"to_number", "9"}}).to_number->digits, "9");
  EXPECT_EQ(ok({{"to_number", "+123456789012345"}}).to_number->digits, "123456789012345");
  EXPECT_EQ(ok({{"to_number", "9199 "}}).to_number->digits, "9199");
}

TEST_F(ParseCallListQueryTest, NumberFilterAcceptsSipUsernames) {
  EXPECT_EQ(ok({{"from_number", "alice.smith"}}).from_number->digits, "alice.smith");
  EXPECT_EQ(ok({{"to_number", "*97#"}}).to_number->digits, "*97#");
  EXPECT_EQ(ok({{"to_number", std::string(64, 'a')}}).to_number->digits, std::string(64, 'a'));
}

TEST_F(ParseCallListQueryTest, BadNumberFilters) {
  const std::string accepted =
      "must be a number or number prefix of 1 to 15 digits with or without a leading '+', or a "
      "SIP username of 1 to 64 letters, digits and . _ * # -";
  EXPECT_EQ(error({{"from_number", ""}}), "from_number: " + accepted + ", got ''");
  EXPECT_EQ(error({{"from_number", "+"}}), "from_number: " + accepted + ", got '+'");
  EXPECT_EQ(error({{"from_number", " "}}), "from_number: " + accepted + ", got ' '");
  EXPECT_EQ(error({{"to_number", "+alice"}}), "to_number: " + accepted + ", got '+alice'");
  EXPECT_EQ(error({{"to_number", " alice"}}), "to_number: " + accepted + ", got ' alice'");
  EXPECT_EQ(error({{"to_number", "+1234567890123456"}}),
            "to_number: " + accepted + ", got '+1234567890123456'");
  EXPECT_EQ(error({{"to_number", "++91"}}), "to_number: " + accepted + ", got '++91'");
  EXPECT_EQ(error({{"to_number", "91 99"}}), "to_number: " + accepted + ", got '91 99'");
  EXPECT_EQ(error({{"to_number", "bob@example.com"}}),
            "to_number: " + accepted + ", got 'bob@example.com'");
  EXPECT_THAT(error({{"to_number", std::string(65, 'a')}}), StartsWith("to_number: must be"));
}

// --- bill_duration ---

TEST_F(ParseCallListQueryTest, BillDurationOperators) {
  IntRange r = ok({{"bill_duration", "180"}}).bill_duration;
  EXPECT_EQ(r.min, 180);
  EXPECT_EQ(r.max, 180);
  r = ok({{"bill_duration__gt", "7200"}}).bill_duration;
  EXPECT_EQ(r.min, 7201);
  EXPECT_FALSE(r.max);
  r = ok({{"bill_duration__gte", "7200"}}).bill_duration;
  EXPECT_EQ(r.min, 7200);
  EXPECT_FALSE(r.max);
  r = ok({{"bill_duration__lt", "420"}}).bill_duration;
  EXPECT_FALSE(r.min);
  EXPECT_EQ(r.max, 419);
  r = ok({{"bill_duration__lte", "7200"}}).bill_duration;
  EXPECT_FALSE(r.min);
  EXPECT_EQ(r.max, 7200);
}

TEST_F(ParseCallListQueryTest, BillDurationBoundsIntersect) {
  IntRange r = ok({{"bill_duration__gte", "10"}, {"bill_duration__lt", "20"}}).bill_duration;
  EXPECT_EQ(r.min, 10);
  EXPECT_EQ(r.max, 19);
  r = ok({{"bill_duration__gt", "10"}, {"bill_duration__gte", "5"}}).bill_duration;
  EXPECT_EQ(r.min, 11);
  r = ok({{"bill_duration", "30"}, {"bill_duration__lt", "10"}}).bill_duration;
  EXPECT_TRUE(r.empty());
  r = ok({{"bill_duration__lt", "0"}}).bill_duration;
  EXPECT_EQ(r.max, -1);
}

TEST_F(ParseCallListQueryTest, BadBillDuration) {
  EXPECT_EQ(error({{"bill_duration__gt", "abc"}}),
            "bill_duration__gt: must be a non-negative integer number of seconds, got 'abc'");
  EXPECT_EQ(error({{"bill_duration", "-1"}}),
            "bill_duration: must be a non-negative integer number of seconds, got '-1'");
  EXPECT_THAT(error({{"bill_duration__lte", "1e3"}}), StartsWith("bill_duration__lte: must be"));
  EXPECT_THAT(error({{"bill_duration__gte", "9999999999999999999"}}),
              StartsWith("bill_duration__gte: must be"));
}

// --- time filters ---

TEST_F(ParseCallListQueryTest, EndTimeExactIsTheWholeWrittenInterval) {
  TimeRange r = ok({{"end_time", "2022-05-21 11:47"}}).end_time;
  EXPECT_EQ(r.from, at("2022-05-21 11:47:00"));
  EXPECT_EQ(r.until, at("2022-05-21 11:48:00"));
  r = ok({{"end_time", "2022-05-21 11:47:30"}}).end_time;
  EXPECT_EQ(r.from, at("2022-05-21 11:47:30"));
  EXPECT_EQ(r.until, at("2022-05-21 11:47:31"));
  r = ok({{"end_time", "2022-05-21 11:47:30.5"}}).end_time;
  EXPECT_EQ(r.from, at("2022-05-21 11:47:30") + 500'000);
  EXPECT_EQ(r.until, at("2022-05-21 11:47:30") + 600'000);
  r = ok({{"end_time", "2022-05-21 11:47:30.123456"}}).end_time;
  EXPECT_EQ(r.from, at("2022-05-21 11:47:30") + 123'456);
  EXPECT_EQ(r.until, at("2022-05-21 11:47:30") + 123'457);
}

TEST_F(ParseCallListQueryTest, EndTimeLowerOperators) {
  // gt: strictly after the whole written minute.
  TimeRange r = ok({{"end_time__gt", "2022-05-21 11:47"}}).end_time;
  EXPECT_EQ(r.from, at("2022-05-21 11:48:00"));
  EXPECT_FALSE(r.until);
  r = ok({{"end_time__gt", "2022-05-21 11:47:30"}}).end_time;
  EXPECT_EQ(r.from, at("2022-05-21 11:47:31"));
  r = ok({{"end_time__gte", "2022-05-21 11:47"}}).end_time;
  EXPECT_EQ(r.from, at("2022-05-21 11:47:00"));
  EXPECT_FALSE(r.until);
}

TEST_F(ParseCallListQueryTest, EndTimeUpperOperators) {
  const http::Params lower = {{"end_time__gte", "2022-05-20 00:00"}};
  http::Params p = lower;
  p.emplace_back("end_time__lt", "2022-05-21 11:47");
  TimeRange r = ok(p).end_time;
  EXPECT_EQ(r.from, at("2022-05-20 00:00"));
  EXPECT_EQ(r.until, at("2022-05-21 11:47:00"));
  p = lower;
  p.emplace_back("end_time__lte", "2022-05-21 11:47");
  r = ok(p).end_time;
  EXPECT_EQ(r.until, at("2022-05-21 11:48:00"));
  p = lower;
  p.emplace_back("end_time__lte", "2022-05-21 11:47:30");
  r = ok(p).end_time;
  EXPECT_EQ(r.until, at("2022-05-21 11:47:31"));
}

TEST_F(ParseCallListQueryTest, EndTimeBoundsIntersect) {
  TimeRange r = ok({{"end_time", "2022-05-21 11:47"},
                    {"end_time__gte", "2022-05-21 11:47:20"},
                    {"end_time__lt", "2022-05-21 11:47:40"},
                    {"end_time__lte", "2022-05-21 11:50"}})
                    .end_time;
  EXPECT_EQ(r.from, at("2022-05-21 11:47:20"));
  EXPECT_EQ(r.until, at("2022-05-21 11:47:40"));
  // gt and lt of the same minute leave nothing.
  r = ok({{"end_time__gt", "2022-05-21 11:47"}, {"end_time__lt", "2022-05-21 11:47"}}).end_time;
  EXPECT_TRUE(r.empty());
}

TEST_F(ParseCallListQueryTest, EndTimeAcceptsIsoForms) {
  EXPECT_EQ(ok({{"end_time__gte", "2022-05-21T11:47:30Z"}}).end_time.from,
            at("2022-05-21 11:47:30"));
  // "+00:00" sent raw arrives as " 00:00".
  EXPECT_EQ(ok({{"end_time__gte", "2022-05-21T11:47:30 00:00"}}).end_time.from,
            at("2022-05-21 11:47:30"));
  EXPECT_EQ(ok({{"end_time__gte", "2022-05-21T11:47:30+00:00"}}).end_time.from,
            at("2022-05-21 11:47:30"));
}

TEST_F(ParseCallListQueryTest, BadTimes) {
  EXPECT_EQ(error({{"end_time", "yesterday"}}),
            "end_time: expected YYYY-MM-DD HH:MM[:ss[.uuuuuu]] (UTC), got 'yesterday'");
  EXPECT_EQ(error({{"end_time__gte", "2022-02-30 10:00"}}),
            "end_time__gte: expected YYYY-MM-DD HH:MM[:ss[.uuuuuu]] (UTC), got '2022-02-30 10:00'");
  EXPECT_THAT(error({{"end_time__gt", "2022-05-21"}}), StartsWith("end_time__gt: expected"));
  EXPECT_THAT(error({{"end_time__gt", "2022-05-21 24:00"}}), StartsWith("end_time__gt: expected"));
  EXPECT_THAT(error({{"end_time__gt", "2022-05-21 11:47:30.1234567"}}),
              StartsWith("end_time__gt: expected"));
  EXPECT_THAT(error({{"end_time__gt", ""}}), StartsWith("end_time__gt: expected"));
  EXPECT_THAT(error({{"initiation_time__lt", "1653000000"}}),
              StartsWith("initiation_time__lt: expected"));
}

// --- the window and retention rules ---

TEST_F(ParseCallListQueryTest, UpperEndTimeBoundWithoutLowerIsRefused) {
  EXPECT_EQ(error({{"end_time__lt", "2022-05-21 11:47"}}),
            "end_time__lt: an upper end_time bound needs a lower one too "
            "(end_time, end_time__gt or end_time__gte)");
  EXPECT_THAT(error({{"end_time__lte", "2022-05-21 11:47"}}),
              StartsWith("end_time__lte: an upper end_time bound needs a lower one"));
  // Any lower form satisfies the rule, in any order.
  EXPECT_TRUE(
      parse({{"end_time__lt", "2022-05-21 11:47"}, {"end_time__gt", "2022-05-20 11:47"}}).ok());
  EXPECT_TRUE(
      parse({{"end_time__lte", "2022-05-21 11:47"}, {"end_time", "2022-05-21 11:00"}}).ok());
  // initiation_time has no such rule.
  EXPECT_TRUE(parse({{"initiation_time__lt", "2022-05-21 11:47"}}).ok());
}

TEST_F(ParseCallListQueryTest, WindowAppliesOnlyWithoutEndTimeFilter) {
  EXPECT_EQ(ok({{"call_direction", "inbound"}}).end_time.from, kNow - 30 * kMicrosPerDay);
  // A lower bound older than the window but inside retention is kept as given.
  EXPECT_EQ(ok({{"end_time__gte", "2022-04-01 00:00"}}).end_time.from, at("2022-04-01 00:00"));
  settings_.list_window_days = 7;
  EXPECT_EQ(ok({}).end_time.from, kNow - 7 * kMicrosPerDay);
  // The window does not touch initiation_time.
  CallQuery q = ok({{"initiation_time__gte", "2022-01-01 00:00"}});
  EXPECT_EQ(q.initiation_time.from, at("2022-01-01 00:00"));
  EXPECT_EQ(q.end_time.from, kNow - 7 * kMicrosPerDay);
}

TEST_F(ParseCallListQueryTest, LowerEndTimeBoundsAreRaisedToRetentionFloor) {
  const Micros floor = kNow - 90 * kMicrosPerDay;
  EXPECT_EQ(ok({{"end_time__gte", "2021-01-01 00:00"}}).end_time.from, floor);
  EXPECT_EQ(ok({{"end_time__gt", "2021-01-01 00:00"}}).end_time.from, floor);
  // An exact interval entirely before the floor matches nothing.
  TimeRange r = ok({{"end_time", "2021-01-01 00:00"}}).end_time;
  EXPECT_EQ(r.from, floor);
  EXPECT_EQ(r.until, at("2021-01-01 00:01"));
  EXPECT_TRUE(r.empty());
  // A window wider than retention is cut at the floor as well.
  settings_.list_window_days = 120;
  EXPECT_EQ(ok({}).end_time.from, floor);
  settings_.retention_days = 10;
  EXPECT_EQ(ok({{"end_time__gte", "2022-05-01 00:00"}}).end_time.from, kNow - 10 * kMicrosPerDay);
}

TEST_F(ParseCallListQueryTest, InitiationTimeOperators) {
  TimeRange r = ok({{"initiation_time", "2022-05-21 11:47"}}).initiation_time;
  EXPECT_EQ(r.from, at("2022-05-21 11:47"));
  EXPECT_EQ(r.until, at("2022-05-21 11:48"));
  r = ok({{"initiation_time__gt", "2022-05-21 11:47"}}).initiation_time;
  EXPECT_EQ(r.from, at("2022-05-21 11:48"));
  EXPECT_FALSE(r.until);
  r = ok({{"initiation_time__gte", "2022-05-21 11:47"}}).initiation_time;
  EXPECT_EQ(r.from, at("2022-05-21 11:47"));
  r = ok({{"initiation_time__lt", "2022-05-21 11:47"}}).initiation_time;
  EXPECT_FALSE(r.from);
  EXPECT_EQ(r.until, at("2022-05-21 11:47"));
  r = ok({{"initiation_time__lte", "2022-05-21 11:47:05"}}).initiation_time;
  EXPECT_EQ(r.until, at("2022-05-21 11:47:06"));
  // Old initiation times are not raised to the retention floor (only end_time is).
  r = ok({{"initiation_time__gte", "2020-01-01 00:00"}}).initiation_time;
  EXPECT_EQ(r.from, at("2020-01-01 00:00"));
}

// --- names ---

TEST_F(ParseCallListQueryTest, UnknownParameterIsNamedWithTheAcceptedOnes) {
  const std::string e = error({{"limit", "5"}, {"foo", "1"}});
  EXPECT_THAT(e, StartsWith("unknown parameter 'foo'; accepted parameters: "));
  for (const char* name :
       {"call_direction", "from_number", "to_number", "trunk_id", "hangup_cause_code",
        "hangup_source", "stir_verification", "bill_duration[__gt|__gte|__lt|__lte]",
        "end_time[__gt|__gte|__lt|__lte]", "initiation_time[__gt|__gte|__lt|__lte]", "limit",
        "offset"}) {
    EXPECT_THAT(e, HasSubstr(name));
  }
  EXPECT_THAT(error({{"end_time__between", "x"}}),
              StartsWith("unknown parameter 'end_time__between'"));
  EXPECT_THAT(error({{"Limit", "5"}}), StartsWith("unknown parameter 'Limit'"));
  EXPECT_THAT(error({{"duration", "5"}}), StartsWith("unknown parameter 'duration'"));
  EXPECT_THAT(error({{"", ""}}), StartsWith("unknown parameter ''"));
}

TEST_F(ParseCallListQueryTest, RepeatedParameterIsRefused) {
  EXPECT_EQ(error({{"limit", "5"}, {"limit", "5"}}),
            "limit: given more than once; give each parameter at most once");
  EXPECT_THAT(error({{"call_direction", "inbound"}, {"call_direction", "outbound"}}),
              StartsWith("call_direction: given more than once"));
  EXPECT_THAT(error({{"end_time__gte", "2022-05-21 11:47"}, {"end_time__gte", "2022-05-22 11:47"}}),
              StartsWith("end_time__gte: given more than once"));
  // Different operators of one field are different parameters.
  EXPECT_TRUE(parse({{"bill_duration__gt", "1"}, {"bill_duration__lt", "9"}}).ok());
}

TEST_F(ParseCallListQueryTest, LongValuesAreEchoedShortened) {
  const std::string e = error({{"call_direction", std::string(1000, 'x')}});
  EXPECT_EQ(e,
            "call_direction: must be inbound or outbound, got '" + std::string(64, 'x') + "...'");
}

TEST_F(ParseCallListQueryTest, AllFiltersTogether) {
  CallQuery q = ok({{"call_direction", "outbound"},
                    {"from_number", " 91"},
                    {"to_number", "9199"},
                    {"trunk_id", "126041"},
                    {"hangup_cause_code", "3010"},
                    {"hangup_source", "customer"},
                    {"stir_verification", "Not Verified"},
                    {"bill_duration__gte", "60"},
                    {"end_time__gte", kRecent},
                    {"initiation_time__lt", "2022-05-31 00:00"},
                    {"limit", "10"},
                    {"offset", "30"}});
  EXPECT_EQ(q.direction, Direction::kOutbound);
  EXPECT_EQ(q.from_number->digits, "91");
  EXPECT_EQ(q.to_number->digits, "9199");
  EXPECT_EQ(q.trunk_id, "126041");
  EXPECT_EQ(q.hangup_cause_code, 3010);
  EXPECT_EQ(q.hangup_source, HangupSource::kCustomer);
  EXPECT_EQ(q.stir_verification, StirVerification::kNotVerified);
  EXPECT_EQ(q.bill_duration.min, 60);
  EXPECT_EQ(q.end_time.from, at(kRecent));
  EXPECT_EQ(q.initiation_time.until, at("2022-05-31 00:00"));
  EXPECT_EQ(q.limit, 10);
  EXPECT_EQ(q.offset, 30);
}

}  // namespace
}  // namespace cdrd::api::zentrunk
