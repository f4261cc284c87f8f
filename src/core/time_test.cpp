#include "core/time.h"

#include <gtest/gtest.h>
#include <cstdio>
#include <limits>
#include <string>
#include <vector>

namespace cdrd {
namespace {

TEST(ParseTimestamp, SecondsPrecisionIsOneSecondWide) {
  auto t = parse_timestamp("2022-12-06 07:02:00");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->start, 1670310120LL * kMicrosPerSecond);
  EXPECT_EQ(t->width, kMicrosPerSecond);
}

TEST(ParseTimestamp, MinutePrecisionCoversTheWholeMinute) {
  auto t = parse_timestamp("2021-03-21 11:47");
  ASSERT_TRUE(t);
  EXPECT_EQ(format_timestamp(t->start), "2021-03-21 11:47:00");
  EXPECT_EQ(t->width, kMicrosPerMinute);
}

TEST(ParseTimestamp, FractionSetsTheWidth) {
  auto t = parse_timestamp("2021-03-21 11:47:30.25");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->start % kMicrosPerSecond, 250000);
  EXPECT_EQ(t->width, 10000);
  auto u = parse_timestamp("2021-03-21 11:47:30.000001");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->start % kMicrosPerSecond, 1);
  EXPECT_EQ(u->width, 1);
}

TEST(ParseTimestamp, AcceptsIsoUtcForms) {
  auto a = parse_timestamp("2022-05-26T13:32:37Z");
  auto b = parse_timestamp("2022-05-26 13:32:37");
  auto c = parse_timestamp("2022-05-26T13:32:37+00:00");
  ASSERT_TRUE(a && b && c);
  EXPECT_EQ(a->start, b->start);
  EXPECT_EQ(c->start, b->start);
}

TEST(ParseTimestamp, SubtractsAnIsoOffset) {
  const Micros utc = parse_timestamp("2026-11-30 09:00:00")->start;
  for (const char* same :
       {"2026-11-30T10:00:00+01:00", "2026-11-30T10:00:00+0100", "2026-11-30T10:00:00+01",
        "2026-11-30 04:30:00-04:30", "2026-11-30T09:00:00-00:00"}) {
    const auto t = parse_timestamp(same);
    ASSERT_TRUE(t) << same;
    EXPECT_EQ(t->start, utc) << same;
    EXPECT_EQ(t->width, kMicrosPerSecond) << same;
  }
  const auto centis = parse_timestamp("2026-11-30T10:00:00.25+01:00");
  ASSERT_TRUE(centis);
  EXPECT_EQ(centis->start, utc + 250'000);
  EXPECT_EQ(parse_timestamp("2021-01-01 10:00+01:00")->start,
            parse_timestamp("2021-01-01 09:00")->start);  // minute precision keeps its width
  EXPECT_EQ(parse_timestamp("2021-01-01 00:30+01:00")->start,
            parse_timestamp("2020-12-31 23:30")->start);  // across the year
}

TEST(ParseEpoch, SecondsWithAFractionOrWholeMicroseconds) {
  const Micros t = parse_timestamp("2025-12-01 10:00:00")->start;
  EXPECT_EQ(parse_epoch("1764583200"), t);
  EXPECT_EQ(parse_epoch("1764583200.25"), t + 250'000);
  EXPECT_EQ(parse_epoch("1764583200.000001"), t + 1);
  EXPECT_EQ(parse_epoch("1764583200250000"), t + 250'000);
  EXPECT_EQ(parse_epoch("0"), 0);
  for (const char* bad :
       {"", "-1", "+1764583200", "1764583200.", ".5", "1764583200.1234567", "1764583200250",
        "17645832002500000000", "1.7e9", "17645832 00", "1764583200250000.5"}) {
    EXPECT_FALSE(parse_epoch(bad)) << bad;
  }
}

TEST(ParseTimestamp, RejectsMalformedAndImpossibleDates) {
  for (const char* bad :
       {"yesterday", "", "2021-02-30 00:00", "2021-13-01 00:00", "2021-01-01 24:00",
        "2021-01-01 10:60", "2021-01-01 10:00:60", "2021-01-01 10:00:00.",
        "2021-01-01 10:00:00.1234567", "2021-1-01 10:00", "2021-01-01", "2021-01-01 10:00:00 ",
        "1969-12-31 23:59:59", "2021-01-01 10:00:00+24:00", "2021-01-01 10:00:00+01:60",
        "2021-01-01 10:00:00+1", "2021-01-01 10:00:00+01:0", "2021-01-01 10:00:00+",
        "2021-01-01 10:00:00Z+01"}) {
    EXPECT_FALSE(parse_timestamp(bad)) << bad;
  }
  EXPECT_TRUE(parse_timestamp("2024-02-29 00:00"));
  EXPECT_FALSE(parse_timestamp("2023-02-29 00:00"));
}

TEST(FormatTimestamp, RoundTripsAndTruncatesFraction) {
  auto t = parse_timestamp("2022-05-26 13:32:09.999");
  ASSERT_TRUE(t);
  EXPECT_EQ(format_timestamp(t->start), "2022-05-26 13:32:09");
  EXPECT_EQ(format_timestamp(0), "1970-01-01 00:00:00");
}

TEST(FormatTimestamp, CentisShowsFractionOnlyWhenPresent) {
  EXPECT_EQ(format_timestamp_centis(parse_timestamp("2021-01-01 16:29:38.76")->start),
            "2021-01-01 16:29:38.76");
  EXPECT_EQ(format_timestamp_centis(parse_timestamp("2021-01-01 16:29:38")->start),
            "2021-01-01 16:29:38");
}

TEST(Civil, DaysRoundTripAcrossCenturies) {
  for (std::int64_t z = -800000; z <= 800000; z += 997) {
    int y;
    unsigned m, d;
    civil_from_days(z, y, m, d);
    EXPECT_EQ(days_from_civil(y, m, d), z);
  }
}

TEST(FloorDiv, RoundsTowardNegativeInfinity) {
  EXPECT_EQ(floor_div(7, 2), 3);
  EXPECT_EQ(floor_div(-7, 2), -4);
  EXPECT_EQ(floor_div(-8, 2), -4);
}

// The text written digit by digit is printf's, for every second of a day, days across 400
// years and the years printf alone writes (before year 0, after 9999).
TEST(FormatTimestamp, WritesWhatPrintfWrites) {
  const auto printf_text = [](Micros t) {
    const std::int64_t secs = floor_div(t, kMicrosPerSecond);
    const std::int64_t days = floor_div(secs, 86400);
    const std::int64_t sod = secs - days * 86400;
    int y;
    unsigned m, d;
    civil_from_days(days, y, m, d);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u %02d:%02d:%02d", y, m, d,
                  static_cast<int>(sod / 3600), static_cast<int>(sod / 60 % 60),
                  static_cast<int>(sod % 60));
    return std::string(buf);
  };
  std::vector<Micros> times;
  for (std::int64_t s = 0; s < 86400; s += 7)
    times.push_back(1764547200 * kMicrosPerSecond + s * kMicrosPerSecond + 999999);
  for (std::int64_t day = -800000; day < 3000000; day += 97)
    times.push_back(day * 86400 * kMicrosPerSecond + 3723000001);
  for (const Micros t :
       {Micros{0}, Micros{-1}, Micros{1}, std::numeric_limits<Micros>::max(),
        std::numeric_limits<Micros>::min() + kMicrosPerSecond * 86400,
        Micros{253402300799} * kMicrosPerSecond, Micros{253402300800} * kMicrosPerSecond,
        Micros{-62167219200} * kMicrosPerSecond, Micros{-62167219201} * kMicrosPerSecond}) {
    times.push_back(t);
  }
  for (const Micros t : times) {
    ASSERT_EQ(format_timestamp(t), printf_text(t)) << t;
    ASSERT_EQ(timestamp_text(t).view(), printf_text(t)) << t;
  }
}

}  // namespace
}  // namespace cdrd

namespace cdrd::time_plain_form_test {

// What the general reading gives for `text`: the same text with a 'Z' after it, which the plain
// form's reading never takes (20 characters) and which, for a text that ends in no zone, names
// the same instant. nullopt (nothing to compare) for a text the 'Z' would change: one that ends
// in a zone of its own.
std::optional<std::optional<TimeInterval>> general_reading(const std::string& text) {
  if (!text.empty() && (text.back() == 'Z' || text.back() == 'z')) return std::nullopt;
  const std::size_t sign = text.find_last_of("+-");
  if (sign != std::string::npos && sign >= 16) return std::nullopt;
  return parse_timestamp(text + "Z");
}

void expect_same(const std::string& text) {
  const auto want = general_reading(text);
  if (!want) return;
  const std::optional<TimeInterval> got = parse_timestamp(text);
  ASSERT_EQ(got.has_value(), want->has_value()) << text;
  if (got) {
    EXPECT_EQ(got->start, (*want)->start) << text;
    EXPECT_EQ(got->width, (*want)->width) << text;
  }
}

TEST(ParseTimestamp, ThePlainSecondsFormReadsAsTheGeneralReading) {
  char buf[32];
  // Every month and day from 0 to 32 of years around the edges (1969, leap and century years),
  // at times in and out of range, with either separator.
  for (const int y : {1969, 1970, 1999, 2000, 2024, 2026, 2100, 2400, 9999}) {
    for (int mo = 0; mo <= 13; ++mo) {
      for (int d = 0; d <= 32; ++d) {
        for (const char* time :
             {"00:00:00", "23:59:59", "24:00:00", "12:60:00", "12:00:60", "09:05:07"}) {
          for (const char sep : {' ', 'T'}) {
            std::snprintf(buf, sizeof buf, "%04d-%02d-%02d%c%s", y, mo, d, sep, time);
            expect_same(buf);
          }
        }
      }
    }
  }
  // Mutations of a valid text: each place given each of a set of bytes, and pairs of places.
  const std::string base = "2026-11-30 10:00:40";
  const std::string bytes = std::string("0123456789 -+:T.Zz/x\x7f") + '\0' + "\x80\xff";
  for (std::size_t i = 0; i < base.size(); ++i) {
    for (const char c : bytes) {
      std::string t = base;
      t[i] = c;
      expect_same(t);
      for (std::size_t j = i + 1; j < base.size(); j += 3) {
        for (const char c2 : {'0', '9', '-', ':', ' ', 'x'}) {
          std::string u = t;
          u[j] = c2;
          expect_same(u);
        }
      }
    }
  }
  // Lengths around 19.
  for (const std::string t : {"2026-11-30 10:00:4", "2026-11-30 10:00:400", "2026-11-30 10:00",
                              "2026-11-30 10:00:40.5", "2026-11-30T10:00:40+01"}) {
    expect_same(t);
  }
}

}  // namespace cdrd::time_plain_form_test
