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

}  // namespace
}  // namespace cdrd
