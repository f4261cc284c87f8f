#include "core/call_match.h"

#include <gtest/gtest.h>

namespace cdrd {
namespace {

CallRecord a_call() {
  CallRecord c;
  c.direction = Direction::kOutbound;
  c.from_number = "+14155550100";
  c.to_number = "442071234567";
  c.trunk_id = "trunk-a";
  c.end_time = 1'000'000;
  c.initiation_time = 900'000;
  c.duration_s = 60;
  c.bill_duration_s = 60;
  c.hangup_source = HangupSource::kCustomer;
  c.from_username = "alice";
  return c;
}

TEST(CallMatchTest, NumberPrefixesIgnoreLeadingPlusOnEitherSide) {
  for (const char* digits : {"1415", "+1415", "14155550100", "+14155550100"}) {
    EXPECT_TRUE(number_has_prefix("+14155550100", {digits})) << digits;
    EXPECT_TRUE(number_has_prefix("14155550100", {digits})) << digits;
    EXPECT_TRUE(number_has_prefix("++14155550100", {digits})) << digits;
  }
  EXPECT_FALSE(number_has_prefix("+14155550100", {"141555501000"}));  // longer than the number
  EXPECT_FALSE(number_has_prefix("+14155550100", {"4155"}));          // not at the start
  EXPECT_FALSE(number_has_prefix("", {"1"}));
  // "+" alone (never asked by an API): the numbers written with a plus, as the SQL answers.
  EXPECT_TRUE(number_has_prefix("+1", {"+"}));
  EXPECT_FALSE(number_has_prefix("1", {"+"}));
  EXPECT_FALSE(number_has_prefix("", {""}));
}

TEST(CallMatchTest, EachFilterMatchesAndRefuses) {
  const CallRecord c = a_call();
  EXPECT_TRUE(matches_filters(c, CallQuery{}));
  const auto with = [](auto set) {
    CallQuery q;
    set(q);
    return q;
  };
  EXPECT_TRUE(matches_filters(c, with([](CallQuery& q) { q.direction = Direction::kOutbound; })));
  EXPECT_FALSE(matches_filters(c, with([](CallQuery& q) { q.direction = Direction::kInbound; })));
  EXPECT_TRUE(matches_filters(c, with([](CallQuery& q) { q.to_number = NumberPrefix{"+44"}; })));
  EXPECT_FALSE(matches_filters(c, with([](CallQuery& q) { q.from_number = NumberPrefix{"44"}; })));
  EXPECT_FALSE(matches_filters(c, with([](CallQuery& q) { q.trunk_id = "trunk-b"; })));
  EXPECT_FALSE(matches_filters(c, with([](CallQuery& q) { q.trunk_id = ""; })));
  EXPECT_TRUE(matches_filters(c, with([](CallQuery& q) { q.bill_duration = {60, 60}; })));
  EXPECT_FALSE(matches_filters(c, with([](CallQuery& q) { q.bill_duration = {61, {}}; })));
  EXPECT_FALSE(matches_filters(c, with([](CallQuery& q) { q.duration = {{}, 59}; })));
  EXPECT_FALSE(matches_filters(c, with([](CallQuery& q) { q.duration = {70, 10}; })));  // empty
  // Time ranges are half open: [from, until).
  EXPECT_TRUE(matches_filters(c, with([](CallQuery& q) { q.end_time = {1'000'000, 1'000'001}; })));
  EXPECT_FALSE(matches_filters(c, with([](CallQuery& q) { q.end_time.until = 1'000'000; })));
  EXPECT_FALSE(matches_filters(c, with([](CallQuery& q) { q.initiation_time.from = 900'001; })));
  EXPECT_FALSE(
      matches_filters(c, with([](CallQuery& q) { q.hangup_source = HangupSource::kCarrier; })));
  EXPECT_FALSE(matches_filters(
      c, with([](CallQuery& q) { q.stir_verification = StirVerification::kVerified; })));
  EXPECT_TRUE(matches_filters(c, with([](CallQuery& q) { q.from_usernames = {"bob", "alice"}; })));
  EXPECT_FALSE(matches_filters(c, with([](CallQuery& q) { q.from_usernames = {"Alice"}; })));
  // An empty username is a value like any other: a call without one matches "".
  EXPECT_TRUE(matches_filters(c, with([](CallQuery& q) { q.to_usernames = {""}; })));
  EXPECT_FALSE(matches_filters(c, with([](CallQuery& q) { q.did_numbers = {"100"}; })));
  EXPECT_FALSE(matches_filters(c, with([](CallQuery& q) { q.bridged_usernames = {"100"}; })));
}

TEST(CallMatchTest, FlowsAreTheDirectionAndUnknownOnesMatchNothing) {
  CallRecord c = a_call();
  const auto flows = [](std::vector<std::string> v) {
    CallQuery q;
    q.flows = std::move(v);
    return q;
  };
  EXPECT_TRUE(matches_filters(c, flows({"out"})));
  EXPECT_FALSE(matches_filters(c, flows({"in"})));
  EXPECT_TRUE(matches_filters(c, flows({"transfer", "out"})));
  EXPECT_FALSE(matches_filters(c, flows({"transfer"})));
  c.direction = Direction::kInbound;
  EXPECT_TRUE(matches_filters(c, flows({"in"})));
}

TEST(CallMatchTest, AFilterOnAMissingOptionalNeverMatches) {
  CallRecord c = a_call();
  CallQuery cause, ext, bridged, open_bridged;
  cause.hangup_cause_code = 200;
  ext.extension_ids = {7};
  bridged.bridged_duration = {0, {}};
  EXPECT_FALSE(matches_filters(c, cause));
  EXPECT_FALSE(matches_filters(c, ext));
  EXPECT_FALSE(matches_filters(c, bridged));
  EXPECT_TRUE(matches_filters(c, open_bridged));  // no bound: no filter
  c.hangup_cause_code = 200;
  c.extension_id = 7;
  c.bridged_duration_s = 0;
  EXPECT_TRUE(matches_filters(c, cause));
  EXPECT_TRUE(matches_filters(c, ext));
  EXPECT_TRUE(matches_filters(c, bridged));
  c.hangup_cause_code = 486;
  c.extension_id = 8;
  c.bridged_duration_s = -1;
  EXPECT_FALSE(matches_filters(c, cause));
  EXPECT_FALSE(matches_filters(c, ext));
  EXPECT_FALSE(matches_filters(c, bridged));
}

}  // namespace
}  // namespace cdrd
