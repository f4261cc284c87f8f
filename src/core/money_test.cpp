#include "core/money.h"

#include <gtest/gtest.h>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <string>
#include <vector>

namespace cdrd {
namespace {

TEST(Money, ParsesDecimalsExactly) {
  EXPECT_EQ(Money::parse("0.318")->units(), 31800);
  EXPECT_EQ(Money::parse("0.03000")->units(), 3000);
  EXPECT_EQ(Money::parse("12")->units(), 1200000);
  EXPECT_EQ(Money::parse("0.00001")->units(), 1);
  EXPECT_EQ(Money::parse("-1.5")->units(), -150000);
  EXPECT_EQ(Money::parse("0")->units(), 0);
}

TEST(Money, RefusesWhatItCannotKeepExactly) {
  for (const char* bad : {"", "-", ".5", "1.", "1.000001", "1e3", "abc", "1,5", " 1", "1 ", "0x10",
                          "1234567890123", "+1", "1.2.3"}) {
    EXPECT_FALSE(Money::parse(bad)) << bad;
  }
}

TEST(Money, FormatsFiveDecimals) {
  EXPECT_EQ(Money::from_units(200).to_fixed5(), "0.00200");
  EXPECT_EQ(Money::from_units(3000).to_fixed5(), "0.03000");
  EXPECT_EQ(Money::from_units(0).to_fixed5(), "0.00000");
  EXPECT_EQ(Money::from_units(-150000).to_fixed5(), "-1.50000");
  EXPECT_EQ(Money::from_units(123456789).to_fixed5(), "1234.56789");
}

TEST(Money, FormatsTrimmedForJsonNumbers) {
  EXPECT_EQ(Money::from_units(31800).to_trimmed(), "0.318");
  EXPECT_EQ(Money::from_units(0).to_trimmed(), "0");
  EXPECT_EQ(Money::from_units(1200000).to_trimmed(), "12");
  EXPECT_EQ(Money::from_units(1).to_trimmed(), "0.00001");
  EXPECT_EQ(Money::from_units(-50000).to_trimmed(), "-0.5");
}

TEST(Money, Arithmetic) {
  EXPECT_EQ((Money::from_units(3000) + Money::from_units(500)).units(), 3500);
  EXPECT_LT(Money::from_units(1), Money::from_units(2));
}

// The digits written by hand are printf's "%s%lld.%05lld", for amounts of every length and
// sign and at the ends of the range.
TEST(Money, FixedFiveDecimalsAreWhatPrintfWrites) {
  const auto printf_text = [](std::int64_t u) {
    const std::int64_t a = u < 0 ? static_cast<std::int64_t>(0 - static_cast<std::uint64_t>(u)) : u;
    char buf[48];
    std::snprintf(buf, sizeof buf, "%s%lld.%05lld", u < 0 ? "-" : "",
                  static_cast<long long>(a / 100000), static_cast<long long>(a % 100000));
    return std::string(buf);
  };
  std::vector<std::int64_t> units = {0,
                                     1,
                                     -1,
                                     9,
                                     10,
                                     99999,
                                     100000,
                                     100001,
                                     -100000,
                                     -99999,
                                     std::numeric_limits<std::int64_t>::max(),
                                     std::numeric_limits<std::int64_t>::min() + 1};
  std::int64_t u = 1;
  for (int i = 0; i < 19; ++i) {
    units.push_back(u - 1);
    units.push_back(u + 7);
    units.push_back(-u + 3);
    if (i < 18) u *= 10;  // 10^18 is the largest power of ten an int64 holds
  }
  for (std::int64_t v = -300000; v <= 300000; v += 13) units.push_back(v);
  for (const std::int64_t v : units) {
    ASSERT_EQ(Money::from_units(v).to_fixed5(), printf_text(v)) << v;
  }
}

}  // namespace
TEST(Money, ParsesTheLargestAmountAndRefusesOneDigitMore) {
  EXPECT_EQ(Money::parse("999999999999.99999")->units(), 99'999'999'999'999'999);
  EXPECT_EQ(Money::parse("-999999999999.99999")->units(), -99'999'999'999'999'999);
  EXPECT_FALSE(Money::parse("1000000000000").has_value());
  EXPECT_FALSE(Money::parse("92233720368547.75807").has_value());
}

TEST(Money, CheckedAddRefusesToLeaveTheRange) {
  const Money max = Money::from_units(Money::kMaxUnits);
  EXPECT_EQ(Money::checked_add(max, Money()), max);
  EXPECT_EQ(Money::checked_add(max, Money::from_units(1)), std::nullopt);
  EXPECT_EQ(Money::checked_add(Money::from_units(-Money::kMaxUnits - 1), Money::from_units(-1)),
            std::nullopt);
  EXPECT_EQ(max.to_fixed5(), "92233720368547.75807");
}

}  // namespace cdrd
