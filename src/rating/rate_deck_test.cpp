#include "rating/rate_deck.h"
#include "testing/values.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>
#include <set>
#include <string>
#include <vector>

namespace cdrd::rating {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

using cdrd::testing::at;

using cdrd::testing::money;

RateRow row(std::string prefix, std::string_view rate, Micros from = kSinceBeginning,
            Direction d = Direction::kOutbound, int initial = 60, int subsequent = 60) {
  return cdrd::testing::rate_row(std::move(prefix), money(rate), initial, subsequent, from, d);
}

RateDeck deck_of(std::vector<RateRow> rows) {
  auto deck = RateDeck::from_rows(std::move(rows));
  EXPECT_TRUE(deck.ok()) << deck.status().message();
  return deck.ok() ? std::move(deck).value() : RateDeck();
}

// The prefix that rates `number` outbound at `t`, or "-" when nothing does.
std::string matched(const RateDeck& deck, std::string_view number, Micros t = 0,
                    Direction d = Direction::kOutbound) {
  const RateRow* r = deck.match(d, number, t);
  return r ? r->prefix : "-";
}

// ---------------------------------------------------------------- matching

class PrefixMatch : public ::testing::Test {
 protected:
  RateDeck deck = deck_of({row("1", "0.01000"), row("1212", "0.02000"), row("12125", "0.03000"),
                           row("44", "0.05000"), row("4420", "0.06000"), row("125", "0.07000"),
                           row("1259", "0.08000")});
};

TEST_F(PrefixMatch, LongestPrefixWins) {
  EXPECT_EQ(matched(deck, "12125551234"), "12125");
  EXPECT_EQ(matched(deck, "12124551234"), "1212");
  EXPECT_EQ(matched(deck, "13105550000"), "1");
  EXPECT_EQ(matched(deck, "442071234567"), "4420");
  EXPECT_EQ(matched(deck, "447700900123"), "44");
}

TEST_F(PrefixMatch, ReturnsTheRowsRate) {
  const RateRow* r = deck.match(Direction::kOutbound, "12125551234", 0);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->rate, money("0.03"));
}

TEST_F(PrefixMatch, NumberShorterThanLongerPrefixes) {
  EXPECT_EQ(matched(deck, "121"), "1");
  EXPECT_EQ(matched(deck, "1212"), "1212");  // the number is exactly a prefix
  EXPECT_EQ(matched(deck, "12"), "1");
  EXPECT_EQ(matched(deck, "4"), "-");
}

TEST_F(PrefixMatch, SiblingThatSortsBetweenPrefixAndNumber) {
  // "1259" is the greatest prefix <= "1260..." in text order, but not a prefix of it.
  EXPECT_EQ(matched(deck, "12605550000"), "1");
  EXPECT_EQ(matched(deck, "12595550000"), "1259");
  EXPECT_EQ(matched(deck, "12585550000"), "125");
}

TEST_F(PrefixMatch, NoMatch) {
  EXPECT_EQ(matched(deck, "33123456789"), "-");
  EXPECT_EQ(matched(deck, "0044123"), "-");
  EXPECT_EQ(matched(deck, "99999999999"), "-");
}

TEST_F(PrefixMatch, EmptyOrNonDigitNumbersMatchNothing) {
  EXPECT_EQ(matched(deck, ""), "-");
  EXPECT_EQ(matched(deck, "+12125551234"), "-");  // callers strip the '+'
  EXPECT_EQ(matched(deck, "1alice"), "-");
  EXPECT_EQ(matched(deck, "44 20"), "-");
}

TEST_F(PrefixMatch, NumbersLongerThanSixteenDigits) {
  EXPECT_EQ(matched(deck, "12125123456789012345"), "12125");
  EXPECT_EQ(matched(deck, "1212512345678901234x"), "-");
}

TEST_F(PrefixMatch, DirectionsAreSeparate) {
  EXPECT_EQ(matched(deck, "12125551234", 0, Direction::kInbound), "-");
  RateDeck both =
      deck_of({row("1", "0.01"), row("1", "0.002", kSinceBeginning, Direction::kInbound)});
  EXPECT_EQ(both.match(Direction::kInbound, "1212", 0)->rate, money("0.002"));
  EXPECT_EQ(both.match(Direction::kOutbound, "1212", 0)->rate, money("0.01"));
  EXPECT_EQ(both.size(), 2u);
  EXPECT_EQ(both.rows(Direction::kInbound).size(), 1u);
}

TEST(RateDeck, EmptyDeckMatchesNothing) {
  RateDeck deck;
  EXPECT_TRUE(deck.empty());
  EXPECT_EQ(deck.match(Direction::kOutbound, "12125551234", 0), nullptr);
}

TEST(RateDeck, FifteenDigitPrefix) {
  RateDeck deck = deck_of({row("123456789012345", "1"), row("12345678901234", "2")});
  EXPECT_EQ(matched(deck, "123456789012345"), "123456789012345");
  EXPECT_EQ(matched(deck, "1234567890123456"), "123456789012345");
  EXPECT_EQ(matched(deck, "123456789012346"), "12345678901234");
}

// ---------------------------------------------------------------- effective dates

class EffectiveDates : public ::testing::Test {
 protected:
  const Micros t1 = at("2024-01-01 00:00:00");
  const Micros t2 = at("2024-06-01 12:30:00");
  const Micros t3 = at("2024-03-01 00:00:00");
  RateDeck deck = deck_of({
      row("44", "0.05000"),                                  // since the beginning
      row("44", "0.03000", t2),                              // listed out of order on purpose
      row("44", "0.04000", t1), row("4420", "0.09000", t3),  // the longer prefix starts later
      row("33", "0.01000", t2),                              // only in the future of t1
  });
  const RateRow* m(std::string_view n, Micros t) { return deck.match(Direction::kOutbound, n, t); }
};

TEST_F(EffectiveDates, RowAppliesFromItsExactSecond) {
  EXPECT_EQ(m("447700900123", t1 - 1)->rate, money("0.05"));  // 1 µs before: the older row
  EXPECT_EQ(m("447700900123", t1)->rate, money("0.04"));      // at T: the new row
  EXPECT_EQ(m("447700900123", t1 + 1)->rate, money("0.04"));
  EXPECT_EQ(m("447700900123", t2 - 1)->rate, money("0.04"));
  EXPECT_EQ(m("447700900123", t2)->rate, money("0.03"));
  EXPECT_EQ(m("447700900123", at("2099-01-01 00:00:00"))->rate, money("0.03"));
}

TEST_F(EffectiveDates, SinceTheBeginningCoversOldCalls) {
  EXPECT_EQ(m("447700900123", at("1970-01-01 00:00:00"))->rate, money("0.05"));
  EXPECT_EQ(m("447700900123", -1'000'000'000)->rate, money("0.05"));
}

TEST_F(EffectiveDates, FuturePrefixFallsBackToShorterPrefix) {
  EXPECT_EQ(m("442071234567", t3 - 1)->prefix, "44");
  EXPECT_EQ(m("442071234567", t3 - 1)->rate, money("0.04"));
  EXPECT_EQ(m("442071234567", t3)->prefix, "4420");
}

TEST_F(EffectiveDates, AllRowsInTheFutureMeansNoMatch) {
  EXPECT_EQ(m("33123456789", t2 - 1), nullptr);
  EXPECT_EQ(m("33123456789", t2)->prefix, "33");
}

TEST_F(EffectiveDates, RowsAreOrderedByPrefixThenDate) {
  const auto rows = deck.rows(Direction::kOutbound);
  ASSERT_EQ(rows.size(), 5u);
  EXPECT_EQ(rows[0].prefix, "33");
  EXPECT_EQ(rows[1].effective_from, kSinceBeginning);
  EXPECT_EQ(rows[2].effective_from, t1);
  EXPECT_EQ(rows[3].effective_from, t2);
  EXPECT_EQ(rows[4].prefix, "4420");
}

// ---------------------------------------------------------------- against a naive matcher

TEST(RateDeck, AgreesWithBruteForceOnRandomDecks) {
  std::mt19937_64 rng(20240601);
  auto digits = [&](std::size_t n) {
    std::string s;
    for (std::size_t i = 0; i < n; ++i) s.push_back(static_cast<char>('0' + rng() % 10));
    return s;
  };
  for (int round = 0; round < 5; ++round) {
    std::vector<RateRow> rows;
    std::set<std::pair<std::string, Micros>> used;
    for (int i = 0; i < 1500; ++i) {
      RateRow r = row(digits(1 + rng() % 5), "0.01");
      r.rate = Money::from_units(static_cast<std::int64_t>(rng() % 100000));
      r.effective_from = rng() % 3 == 0 ? kSinceBeginning : static_cast<Micros>(rng() % 100);
      if (used.insert({r.prefix, r.effective_from}).second) rows.push_back(r);
    }
    const RateDeck deck = deck_of(rows);
    for (int q = 0; q < 4000; ++q) {
      const std::string number = digits(1 + rng() % 12);
      const Micros t = static_cast<Micros>(rng() % 110);
      const RateRow* best = nullptr;
      for (const RateRow& r : rows) {
        if (number.compare(0, r.prefix.size(), r.prefix) != 0 || r.effective_from > t) continue;
        if (!best || r.prefix.size() > best->prefix.size() ||
            (r.prefix == best->prefix && r.effective_from > best->effective_from)) {
          best = &r;
        }
      }
      const RateRow* got = deck.match(Direction::kOutbound, number, t);
      ASSERT_EQ(got == nullptr, best == nullptr) << number << " @" << t;
      if (best) {
        ASSERT_EQ(got->prefix, best->prefix) << number << " @" << t;
        ASSERT_EQ(got->effective_from, best->effective_from) << number << " @" << t;
        ASSERT_EQ(got->rate, best->rate);
      }
    }
  }
}

TEST(RateDeck, FiftyThousandPrefixesBuildAndMatch) {
  std::vector<RateRow> rows;
  rows.reserve(50'000);
  for (int i = 0; i < 50'000; ++i) {
    rows.push_back(row(std::to_string(100'000 + i * 7), "0.01000"));
  }
  rows.push_back(row("1", "0.09000"));
  const RateDeck deck = deck_of(std::move(rows));
  EXPECT_EQ(deck.size(), 50'001u);
  std::size_t hits = 0;
  for (int i = 0; i < 200'000; ++i) {
    const std::int64_t n = 10'000'000'000LL + (i * 1'777'777LL) % 9'000'000'000LL;  // "1..."
    const std::string number = std::to_string(n);
    const RateRow* r = deck.match(Direction::kOutbound, number, 0);
    ASSERT_NE(r, nullptr);
    hits += r->prefix.size() == 6;
  }
  EXPECT_GT(hits, 0u);
  EXPECT_EQ(matched(deck, "100007123"), "100007");
  EXPECT_EQ(matched(deck, "100008123"), "1");
}

// ---------------------------------------------------------------- from_rows checks

TEST(RateDeckFromRows, RejectsBadRows) {
  EXPECT_THAT(RateDeck::from_rows({row("", "0.01")}).status().message(), HasSubstr("prefix"));
  EXPECT_THAT(RateDeck::from_rows({row("1", "0.01"), row("+44", "0.01")}).status().message(),
              HasSubstr("rows[1]: prefix: '+44' is not digits only"));
  EXPECT_THAT(RateDeck::from_rows({row("1234567890123456", "0.01")}).status().message(),
              HasSubstr("longer than 15 digits"));
  EXPECT_THAT(RateDeck::from_rows({row("1", "-0.01")}).status().message(), HasSubstr("negative"));
  EXPECT_THAT(RateDeck::from_rows({row("1", "0.01", kSinceBeginning, Direction::kOutbound, 0)})
                  .status()
                  .message(),
              HasSubstr("initial_increment: 0 is not a positive number of seconds"));
  EXPECT_THAT(
      RateDeck::from_rows({row("1", "0.01", kSinceBeginning, Direction::kOutbound, 6, 90'000)})
          .status()
          .message(),
      HasSubstr("subsequent_increment: 90000 is more than 86400"));
}

TEST(RateDeckFromRows, RateAtMostTheLargestDeckRate) {
  EXPECT_TRUE(RateDeck::from_rows({row("1", "99999.99999")}).ok());
  EXPECT_EQ(RateDeck::from_rows({row("1", "0.01"), row("2", "100000")}).status().message(),
            "rate deck rows[1]: rate: at most 99999.99999 per minute, got '100000.00000'");
}

TEST(RateDeckFromRows, RejectsDuplicates) {
  const auto r = RateDeck::from_rows({row("44", "0.01"), row("1", "0.01"), row("44", "0.02")});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument);
  EXPECT_THAT(r.status().message(), HasSubstr("rows[2]: duplicates rows[0]"));
  // Same prefix in the other direction, or from another date, is fine.
  EXPECT_TRUE(RateDeck::from_rows({row("44", "0.01"),
                                   row("44", "0.01", kSinceBeginning, Direction::kInbound),
                                   row("44", "0.01", 5)})
                  .ok());
}

// ---------------------------------------------------------------- CSV

Result<RateDeck> parse(std::string_view text) { return parse_rate_deck_csv(text); }

std::string error_of(std::string_view text) {
  const auto r = parse(text);
  EXPECT_FALSE(r.ok()) << text;
  if (r.ok()) return "";
  EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument);
  return r.status().message();
}

constexpr std::string_view kHeader =
    "prefix,rate,initial_increment,subsequent_increment,effective_from\n";

TEST(RateDeckCsv, ParsesAFullDeck) {
  const auto r = parse(
      "prefix,rate,initial_increment,subsequent_increment,effective_from,direction\n"
      "91,0.03000,1,1,,outbound\n"
      "1,0.00850,60,60,2024-01-01 00:00:00,outbound\n"
      "1,0.00700,60,6,2024-07-01 00:00:00,\n"
      "1800,0.01250,30,6,,inbound\n");
  ASSERT_TRUE(r.ok()) << r.status().message();
  const RateDeck& deck = *r;
  EXPECT_EQ(deck.size(), 4u);
  const RateRow* in = deck.match(Direction::kOutbound, "919943720205", at("2022-12-06 07:01:48"));
  ASSERT_NE(in, nullptr);
  EXPECT_EQ(in->rate.to_fixed5(), "0.03000");
  EXPECT_EQ(in->initial_increment, 1);
  EXPECT_EQ(in->subsequent_increment, 1);
  EXPECT_EQ(deck.match(Direction::kOutbound, "12125551234", at("2023-12-31 23:59:59")), nullptr);
  const RateRow* us = deck.match(Direction::kOutbound, "12125551234", at("2024-08-01 00:00:00"));
  ASSERT_NE(us, nullptr);
  EXPECT_EQ(us->rate.to_fixed5(), "0.00700");  // empty direction: outbound
  EXPECT_EQ(us->subsequent_increment, 6);
  const RateRow* tf = deck.match(Direction::kInbound, "18005551234", 0);
  ASSERT_NE(tf, nullptr);
  EXPECT_EQ(tf->initial_increment, 30);
}

TEST(RateDeckCsv, OptionalColumnsMayBeLeftOut) {
  const auto r = parse("prefix,rate,initial_increment,subsequent_increment\n44,0.5,60,60\n");
  ASSERT_TRUE(r.ok()) << r.status().message();
  const auto rows = r->rows(Direction::kOutbound);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].effective_from, kSinceBeginning);
  EXPECT_EQ(rows[0].rate, Money::from_units(50'000));
}

TEST(RateDeckCsv, ColumnsInAnyOrderAnyCaseQuotedCrlf) {
  const auto r = parse(
      "\xEF\xBB\xBF Direction , RATE,prefix,subsequent_increment,initial_increment\r\n"
      "\"INBOUND\",\"0.01000\",\"44\",\"6\",\"30\"\r\n"
      "\r\n"
      "outbound, 0.02 ,44 ,60, 60\r\n");
  ASSERT_TRUE(r.ok()) << r.status().message();
  const RateRow* in = r->match(Direction::kInbound, "442071234567", 0);
  ASSERT_NE(in, nullptr);
  EXPECT_EQ(in->initial_increment, 30);
  EXPECT_EQ(in->subsequent_increment, 6);
  EXPECT_EQ(r->match(Direction::kOutbound, "442071234567", 0)->rate, money("0.02"));
}

TEST(RateDeckCsv, EffectiveFromForms) {
  const auto r = parse(std::string(kHeader) +
                       "1,1,1,1,2024-01-01\n"
                       "2,1,1,1,2024-01-01 06:00:00 UTC\n"
                       "3,1,1,1,2024-01-01T06:00:00Z\n"
                       "4,1,1,1,2024-01-01 06:00\n");
  ASSERT_TRUE(r.ok()) << r.status().message();
  const auto rows = r->rows(Direction::kOutbound);
  EXPECT_EQ(rows[0].effective_from, at("2024-01-01 00:00:00"));
  EXPECT_EQ(rows[1].effective_from, at("2024-01-01 06:00:00"));
  EXPECT_EQ(rows[2].effective_from, at("2024-01-01 06:00:00"));
  EXPECT_EQ(rows[3].effective_from, at("2024-01-01 06:00:00"));
}

TEST(RateDeckCsv, HeaderOnlyIsAnEmptyDeck) {
  const auto r = parse(kHeader);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->empty());
}

// The refusals below are rows of a deck and the message it gets, one rule a test: the shape
// they share is that of a table of cases.
TEST(RateDeckCsv, NoHeader) {
  EXPECT_EQ(error_of(""), "rate deck row 1: no header row");
  EXPECT_EQ(error_of("\n \n"), "rate deck row 1: no header row");
}

TEST(RateDeckCsv, UnknownColumn) {
  EXPECT_THAT(error_of("prefix,rate,initial_increment,subsequent_increment,currency\n"),
              StartsWith("rate deck row 1: unknown column 'currency'"));
}

TEST(RateDeckCsv, MissingColumn) {
  EXPECT_EQ(error_of("prefix,initial_increment,subsequent_increment\n1,60,60\n"),
            "rate deck row 1: missing column 'rate'");
  EXPECT_EQ(error_of("prefix,rate,initial_increment\n"),
            "rate deck row 1: missing column 'subsequent_increment'");
}

TEST(RateDeckCsv, ColumnTwice) {
  EXPECT_THAT(error_of("prefix,rate,initial_increment,subsequent_increment,Rate\n"),
              StartsWith("rate deck row 1: column 'rate' twice"));
}

TEST(RateDeckCsv, WrongNumberOfFields) {
  EXPECT_EQ(error_of(std::string(kHeader) + "1,0.1,60,60,\n44,0.1,60,60\n"),
            "rate deck row 3: has 4 fields, the header has 5");
}

TEST(RateDeckCsv, BadNumbers) {
  const std::string h(kHeader);
  EXPECT_EQ(error_of(h + "1,0.1,60,60,\n44,0.0x,60,60,\n"),
            "rate deck row 3: rate: '0.0x' is not a decimal number like 0.01250");
  EXPECT_THAT(error_of(h + "44,,60,60,\n"), StartsWith("rate deck row 2: rate: '' is not"));
  EXPECT_THAT(error_of(h + "44,.5,60,60,\n"), StartsWith("rate deck row 2: rate: '.5' is not"));
  EXPECT_THAT(error_of(h + "44,1.,60,60,\n"), StartsWith("rate deck row 2: rate: '1.' is not"));
  EXPECT_THAT(error_of(h + "44,1e-3,60,60,\n"), StartsWith("rate deck row 2: rate: '1e-3'"));
  EXPECT_THAT(error_of(h + "44,+0.1,60,60,\n"), StartsWith("rate deck row 2: rate: '+0.1'"));
  EXPECT_THAT(error_of(h + "44,1234567890123,60,60,\n"), StartsWith("rate deck row 2: rate:"));
  EXPECT_EQ(error_of(h + "44,0.1,sixty,60,\n"),
            "rate deck row 2: initial_increment: 'sixty' is not a whole number of seconds");
  EXPECT_EQ(error_of(h + "44,0.1,60,6.5,\n"),
            "rate deck row 2: subsequent_increment: '6.5' is not a whole number of seconds");
}

TEST(RateDeckCsv, RateAboveTheLargestDeckRateIsRefusedWithItsRow) {
  const std::string h(kHeader);
  ASSERT_TRUE(parse(h + "44,99999.99999,60,60,\n").ok());
  EXPECT_TRUE(parse(h + "44,0099999.99999,60,60,\n").ok());  // leading zeros are no digits
  EXPECT_EQ(error_of(h + "1,0.1,60,60,\n44,100000,60,60,\n"),
            "rate deck row 3: rate: at most 99999.99999 per minute, got '100000'");
  EXPECT_EQ(error_of(h + "44,100000.00000,60,60,\n"),
            "rate deck row 2: rate: at most 99999.99999 per minute, got '100000.00000'");
  // The rate that used to be clamped into an int64 amount, and one too long for Money::parse.
  EXPECT_EQ(error_of(h + "44,9999999999.99999,60,60,\n"),
            "rate deck row 2: rate: at most 99999.99999 per minute, got '9999999999.99999'");
  EXPECT_EQ(error_of(h + "44,1234567890123,60,60,\n"),
            "rate deck row 2: rate: at most 99999.99999 per minute, got '1234567890123'");
}

TEST(RateDeckCsv, RateWithMoreThanFiveDecimals) {
  EXPECT_EQ(error_of(std::string(kHeader) + "1,0.1,60,60,\n\n44,0.012345,60,60,\n"),
            "rate deck row 4: rate: '0.012345' has more than 5 decimals");
  EXPECT_TRUE(parse(std::string(kHeader) + "44,0.01234,60,60,\n").ok());
}

TEST(RateDeckCsv, NegativeRate) {
  EXPECT_EQ(error_of(std::string(kHeader) + "44,-0.01,60,60,\n"),
            "rate deck row 2: rate: '-0.01' is negative");
  EXPECT_TRUE(parse(std::string(kHeader) + "44,0,60,60,\n").ok());  // free is allowed
}

TEST(RateDeckCsv, ZeroOrNegativeIncrement) {
  const std::string h(kHeader);
  EXPECT_EQ(error_of(h + "44,0.1,0,60,\n"),
            "rate deck row 2: initial_increment: '0' is not a positive number of seconds");
  EXPECT_EQ(error_of(h + "44,0.1,60,-6,\n"),
            "rate deck row 2: subsequent_increment: '-6' is not a positive number of seconds");
  EXPECT_EQ(error_of(h + "44,0.1,60,000,\n"),
            "rate deck row 2: subsequent_increment: '000' is not a positive number of seconds");
  EXPECT_EQ(error_of(h + "44,0.1,86401,60,\n"),
            "rate deck row 2: initial_increment: '86401' is more than 86400 seconds");
  EXPECT_THAT(error_of(h + "44,0.1,99999999999999999999,60,\n"), HasSubstr("more than 86400"));
  EXPECT_TRUE(parse(h + "44,0.1,86400,060,\n").ok());
}

TEST(RateDeckCsv, NonDigitPrefix) {
  const std::string h(kHeader);
  EXPECT_EQ(error_of(h + "+44,0.1,60,60,\n"),
            "rate deck row 2: prefix: '+44' is not digits only (no '+', spaces or dashes)");
  EXPECT_THAT(error_of(h + "1,0.1,60,60,\n4 4,0.1,60,60,\n"),
              StartsWith("rate deck row 3: prefix: '4 4' is not digits only"));
  EXPECT_EQ(error_of(h + ",0.1,60,60,\n"),
            "rate deck row 2: prefix: empty (1 to 15 digits expected)");
  EXPECT_EQ(error_of(h + "1234567890123456,0.1,60,60,\n"),
            "rate deck row 2: prefix: '1234567890123456' is longer than 15 digits");
}

TEST(RateDeckCsv, BadEffectiveFromAndDirection) {
  EXPECT_EQ(error_of(std::string(kHeader) + "44,0.1,60,60,2024-13-01 00:00:00\n"),
            "rate deck row 2: effective_from: '2024-13-01 00:00:00' is not a UTC time "
            "YYYY-MM-DD HH:MM:SS");
  EXPECT_EQ(error_of("prefix,rate,initial_increment,subsequent_increment,direction\n"
                     "44,0.1,60,60,sideways\n"),
            "rate deck row 2: direction: 'sideways' is not inbound or outbound");
}

TEST(RateDeckCsv, DuplicateDirectionPrefixEffectiveFrom) {
  const std::string h =
      "prefix,rate,initial_increment,subsequent_increment,effective_from,direction\n";
  EXPECT_EQ(error_of(h + "44,0.1,60,60,,\n1,0.1,60,60,,\n44,0.2,1,1,,outbound\n"),
            "rate deck row 4: duplicate of row 2 (outbound, prefix 44, effective_from since the "
            "beginning)");
  EXPECT_EQ(error_of(h + "44,0.1,60,60,2024-01-01,inbound\n44,0.1,60,60,2024-01-01 00:00:00,"
                         "inbound\n"),
            "rate deck row 3: duplicate of row 2 (inbound, prefix 44, effective_from 2024-01-01 "
            "00:00:00)");
  EXPECT_TRUE(parse(h + "44,0.1,60,60,,\n44,0.1,60,60,,inbound\n44,0.1,60,60,2024-01-01,\n").ok());
}

TEST(RateDeckCsv, BrokenQuoting) {
  EXPECT_THAT(error_of(std::string(kHeader) + "44,0.1,60,60,\n\"44,0.1,60,60,\n"),
              StartsWith("rate deck row 3: a quoted field is not closed"));
}

TEST(RateDeckCsv, FirstBadRowWins) {
  EXPECT_THAT(error_of(std::string(kHeader) + "44,0.1,60,60,\n"
                                              "45,0.1x,60,60,\n"
                                              "44,0.1,60,60,\n"),
              StartsWith("rate deck row 3: rate"));
}

TEST(RateDeckCsv, LoadedForOneDirection) {
  const std::string h = "prefix,rate,initial_increment,subsequent_increment,direction\n";
  const auto r =
      parse_rate_deck_csv(h + "44,0.1,60,60,\n45,0.2,60,60,Inbound\n", Direction::kInbound);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->rows(Direction::kInbound).size(), 2u);  // the empty cell means inbound here
  EXPECT_TRUE(r->rows(Direction::kOutbound).empty());
  const auto no_column = parse_rate_deck_csv(
      "prefix,rate,initial_increment,subsequent_increment\n44,0.1,60,60\n", Direction::kInbound);
  EXPECT_EQ(no_column->rows(Direction::kInbound).size(), 1u);
  EXPECT_EQ(parse_rate_deck_csv(h + "44,0.1,60,60,\n45,0.2,60,60,outbound\n", Direction::kInbound)
                .status()
                .message(),
            "rate deck row 3: direction: 'outbound' in a deck loaded for inbound calls (leave "
            "the cell empty or write inbound)");
}

TEST(RateDeckCsv, FormatReadsBackToTheSameRows) {
  const auto deck = parse(
      "prefix,rate,initial_increment,subsequent_increment,effective_from,direction\n"
      "91,0.03,1,1,,outbound\n"
      "1,0.00850,60,60,2024-01-01 00:00:00,outbound\n"
      "1,0.007,60,6,2024-07-01 12:30:15.250000,\n"
      "1800,12.5,30,6,,inbound\n");
  ASSERT_TRUE(deck.ok()) << deck.status().message();
  std::vector<RateRow> rows;
  for (Direction d : {Direction::kOutbound, Direction::kInbound}) {
    rows.insert(rows.end(), deck->rows(d).begin(), deck->rows(d).end());
  }
  const std::string text = format_rate_deck_csv(rows);
  EXPECT_EQ(text,
            "prefix,rate,initial_increment,subsequent_increment,effective_from,direction\n"
            "1,0.00850,60,60,2024-01-01 00:00:00,outbound\n"
            "1,0.00700,60,6,2024-07-01 12:30:15.250000,outbound\n"
            "91,0.03000,1,1,,outbound\n"
            "1800,12.50000,30,6,,inbound\n");
  const auto again = parse(text);
  ASSERT_TRUE(again.ok()) << again.status().message();
  for (Direction d : {Direction::kOutbound, Direction::kInbound}) {
    const auto a = deck->rows(d), b = again->rows(d);
    EXPECT_TRUE(std::equal(a.begin(), a.end(), b.begin(), b.end()));
  }
}

}  // namespace
}  // namespace cdrd::rating
