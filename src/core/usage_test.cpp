#include "core/usage.h"

#include <gtest/gtest.h>

#include <limits>

namespace cdrd {
namespace {

Micros at(const char* text) { return parse_timestamp(text)->start; }

TEST(Usage, PeriodsAndGroupsHaveOneTextForm) {
  for (UsagePeriod p : {UsagePeriod::kHour, UsagePeriod::kDay, UsagePeriod::kMonth}) {
    EXPECT_EQ(parse_usage_period(to_string(p)), p);
  }
  for (UsageGroup g : {UsageGroup::kDirection, UsageGroup::kToCountry, UsageGroup::kTrunkId,
                       UsageGroup::kHangupSource}) {
    EXPECT_EQ(parse_usage_group(to_string(g)), g);
  }
  EXPECT_FALSE(parse_usage_period("week"));
  EXPECT_FALSE(parse_usage_period("Day"));
  EXPECT_FALSE(parse_usage_group("country"));
}

TEST(Usage, PeriodsAreUtcHoursDaysAndCalendarMonths) {
  const Micros t = at("2026-11-30 19:23:09.5");
  EXPECT_EQ(usage_period_start(UsagePeriod::kHour, t), at("2026-11-30 19:00:00"));
  EXPECT_EQ(usage_period_start(UsagePeriod::kDay, t), at("2026-11-30 00:00:00"));
  EXPECT_EQ(usage_period_start(UsagePeriod::kMonth, t), at("2026-11-01 00:00:00"));
  EXPECT_EQ(usage_period_end(UsagePeriod::kHour, at("2026-11-30 23:00:00")),
            at("2026-12-01 00:00:00"));
  EXPECT_EQ(usage_period_end(UsagePeriod::kMonth, at("2026-12-01 00:00:00")),
            at("2027-01-01 00:00:00"));
  EXPECT_EQ(usage_period_end(UsagePeriod::kMonth, at("2028-02-01 00:00:00")),
            at("2028-03-01 00:00:00"));
  // The first microsecond of a period is in it, the last one of the previous is not.
  EXPECT_EQ(usage_period_start(UsagePeriod::kDay, at("2026-11-30 00:00:00")),
            at("2026-11-30 00:00:00"));
  EXPECT_EQ(usage_period_start(UsagePeriod::kMonth, at("2026-11-01 00:00:00") - 1),
            at("2026-10-01 00:00:00"));
  // Before 1970 too (floor, not truncation).
  EXPECT_EQ(usage_period_start(UsagePeriod::kHour, -1), -3600 * kMicrosPerSecond);
  EXPECT_EQ(usage_period_start(UsagePeriod::kMonth, -1), -31 * kMicrosPerDay);  // 1969-12-01
}

TEST(Usage, FixedDecimalsRoundHalfUpFromExactIntegers) {
  EXPECT_EQ(fixed_decimal_ratio(2, 3, 4), "0.6667");
  EXPECT_EQ(fixed_decimal_ratio(1, 3, 4), "0.3333");
  EXPECT_EQ(fixed_decimal_ratio(1, 8, 2), "0.13");  // 0.125 rounds up
  EXPECT_EQ(fixed_decimal_ratio(7, 7, 4), "1.0000");
  EXPECT_EQ(fixed_decimal_ratio(0, 5, 2), "0.00");
  EXPECT_EQ(fixed_decimal_ratio(5, 2, 0), "3");
  EXPECT_EQ(fixed_decimal_ratio(-1, 8, 2), "-0.13");
  EXPECT_EQ(fixed_decimal_ratio(-1, 1000, 2), "0.00");
  const std::int64_t max = std::numeric_limits<std::int64_t>::max();
  EXPECT_EQ(fixed_decimal_ratio(max, 1, 5), "9223372036854775807.00000");
  EXPECT_EQ(fixed_decimal_ratio(std::numeric_limits<std::int64_t>::min(), 1, 1),
            "-9223372036854775808.0");
  EXPECT_EQ(fixed_decimal_ratio(max, 60, 5), "153722867280912930.11667");
}

TEST(Usage, AsrAcdAndMinutesOfTotals) {
  UsageTotals t;
  EXPECT_FALSE(usage_asr(t));
  EXPECT_FALSE(usage_acd(t));
  EXPECT_EQ(usage_billed_minutes(t), "0.00000");
  t.calls = 3;
  t.answered_calls = 2;
  t.answered_duration_s = 187;
  t.bill_duration_s = 1235;
  EXPECT_EQ(usage_asr(t), "0.6667");
  EXPECT_EQ(usage_acd(t), "93.50");
  EXPECT_EQ(usage_billed_minutes(t), "20.58333");
  t.answered_calls = 0;
  EXPECT_EQ(usage_asr(t), "0.0000");
  EXPECT_FALSE(usage_acd(t));
}

TEST(Usage, TotalsAddExactlyAndRefuseToOverflow) {
  UsageTotals a;
  a.calls = 1;
  a.total_amount = Money::from_units(3);
  UsageTotals b = a;
  b.total_amount = Money::from_units(Money::kMaxUnits - 3);
  ASSERT_TRUE(a.add(b));
  EXPECT_EQ(a.calls, 2);
  EXPECT_EQ(a.total_amount.units(), Money::kMaxUnits);
  const UsageTotals before = a;
  EXPECT_FALSE(a.add(b));
  EXPECT_EQ(a.calls, before.calls);
  EXPECT_EQ(a.total_amount, before.total_amount);
}

CallRecord usage_call(const char* end, Direction d, const char* country, std::int64_t bill) {
  CallRecord c;
  c.end_time = at(end);
  c.direction = d;
  c.to_country = country;
  c.trunk_id = "t";
  c.bill_duration_s = bill;
  c.duration_s = bill + 1;
  c.total_amount = Money::from_units(bill * 10);
  return c;
}

TEST(Usage, SumsGroupAndOrderAsTheStoresAnswer) {
  UsageQuery q;
  q.period = UsagePeriod::kDay;
  q.group_by = UsageGroup::kDirection;
  UsageSums sums(q);
  CallRecord answered = usage_call("2026-01-02 10:00:00", Direction::kOutbound, "DE", 30);
  answered.answer_time = answered.end_time - 31'000'000;
  ASSERT_EQ(sums.add(answered), UsageSums::Added::kAdded);
  ASSERT_EQ(sums.add(usage_call("2026-01-02 23:59:59", Direction::kInbound, "GB", 5)),
            UsageSums::Added::kAdded);
  ASSERT_EQ(sums.add(usage_call("2026-01-01 00:00:00", Direction::kOutbound, "DE", 7)),
            UsageSums::Added::kAdded);
  const UsageAnswer a = sums.answer();
  ASSERT_EQ(a.rows.size(), 3u);
  EXPECT_FALSE(a.more);
  // By period, then by the enum's order: inbound before outbound.
  EXPECT_EQ(a.rows[0].period_start, at("2026-01-01 00:00:00"));
  EXPECT_EQ(a.rows[0].group, "outbound");
  EXPECT_EQ(a.rows[1].period_start, at("2026-01-02 00:00:00"));
  EXPECT_EQ(a.rows[1].group, "inbound");
  EXPECT_EQ(a.rows[2].group, "outbound");
  EXPECT_EQ(a.rows[2].totals.calls, 1);
  EXPECT_EQ(a.rows[2].totals.answered_calls, 1);
  EXPECT_EQ(a.rows[2].totals.answered_duration_s, 31);
  EXPECT_EQ(a.rows[2].totals.bill_duration_s, 30);
  EXPECT_EQ(a.rows[2].totals.total_amount.units(), 300);
  EXPECT_EQ(a.rows[1].totals.answered_duration_s, 0);  // not answered: no answered duration

  // A text group, bytewise; without a group every call of a period is one row.
  q.group_by = UsageGroup::kToCountry;
  q.period = UsagePeriod::kMonth;
  UsageSums by_country(q);
  for (const char* country : {"GB", "", "DE", "GB"}) {
    ASSERT_EQ(by_country.add(usage_call("2026-01-05 00:00:00", Direction::kInbound, country, 1)),
              UsageSums::Added::kAdded);
  }
  const UsageAnswer c = by_country.answer();
  ASSERT_EQ(c.rows.size(), 3u);
  EXPECT_EQ(c.rows[0].group, "");
  EXPECT_EQ(c.rows[1].group, "DE");
  EXPECT_EQ(c.rows[2].group, "GB");
  EXPECT_EQ(c.rows[2].totals.calls, 2);
  q.group_by.reset();
  UsageSums all(q);
  ASSERT_EQ(all.add(usage_call("2026-01-05 00:00:00", Direction::kInbound, "GB", 1)),
            UsageSums::Added::kAdded);
  ASSERT_EQ(all.add(usage_call("2026-01-31 23:59:59", Direction::kOutbound, "DE", 1)),
            UsageSums::Added::kAdded);
  ASSERT_EQ(all.answer().rows.size(), 1u);
  EXPECT_EQ(all.answer().rows[0].group, "");
}

TEST(Usage, SumsStopAtMaxRowsAndRefuseAnOverflowingCall) {
  UsageQuery q;
  q.period = UsagePeriod::kHour;
  q.max_rows = 2;
  UsageSums sums(q);
  ASSERT_EQ(sums.add(usage_call("2026-01-01 00:10:00", Direction::kInbound, "", 1)),
            UsageSums::Added::kAdded);
  ASSERT_EQ(sums.add(usage_call("2026-01-01 01:10:00", Direction::kInbound, "", 1)),
            UsageSums::Added::kAdded);
  // A third period does not fit; calls of the two rows there still add.
  EXPECT_EQ(sums.add(usage_call("2026-01-01 02:10:00", Direction::kInbound, "", 1)),
            UsageSums::Added::kFull);
  EXPECT_EQ(sums.add(usage_call("2026-01-01 00:50:00", Direction::kInbound, "", 1)),
            UsageSums::Added::kAdded);
  UsageAnswer a = sums.answer();
  EXPECT_TRUE(a.more);
  ASSERT_EQ(a.rows.size(), 2u);
  EXPECT_EQ(a.rows[0].totals.calls, 2);

  CallRecord huge = usage_call("2026-01-01 00:20:00", Direction::kInbound, "", 1);
  huge.bill_duration_s = std::numeric_limits<std::int64_t>::max();
  EXPECT_EQ(sums.add(huge), UsageSums::Added::kOverflow);
  a = sums.answer();
  EXPECT_EQ(a.rows[0].totals.calls, 2);  // the refused call is not counted
  EXPECT_EQ(a.rows[0].totals.bill_duration_s, 2);

  q.max_rows = 0;
  UsageSums none(q);
  EXPECT_EQ(none.add(usage_call("2026-01-01 00:10:00", Direction::kInbound, "", 1)),
            UsageSums::Added::kFull);
  EXPECT_TRUE(none.answer().more);
  EXPECT_TRUE(none.answer().rows.empty());
}

}  // namespace
}  // namespace cdrd
