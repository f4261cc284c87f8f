#include "rating/billing.h"
#include "testing/values.h"

#include <gtest/gtest.h>

#include <initializer_list>
#include <limits>

namespace cdrd::rating {
namespace {

using cdrd::testing::at;
using cdrd::testing::money;
Money units(std::int64_t u) { return Money::from_units(u); }

// ---------------------------------------------------------------- billed_seconds

// Each case of one pair of increments as a row {call seconds, billed seconds}: the rows are
// the table of the rule, and a failing row names its seconds.
struct Billed {
  std::int64_t seconds;
  std::int64_t billed;
};
void expect_billed(int initial, int subsequent, std::initializer_list<Billed> rows) {
  for (const Billed& b : rows) {
    EXPECT_EQ(billed_seconds(b.seconds, initial, subsequent), b.billed)
        << b.seconds << " s in increments of " << initial << "/" << subsequent;
  }
}

TEST(BilledSeconds, SixtySixty) {
  expect_billed(60, 60, {{0, 0}, {1, 60}, {59, 60}, {60, 60}, {61, 120}, {120, 120}, {121, 180}});
}

TEST(BilledSeconds, ThirtySix) {
  expect_billed(30, 6, {{0, 0}, {1, 30}, {29, 30}, {30, 30}, {31, 36}, {36, 36}, {37, 42}});
}

TEST(BilledSeconds, OneOne) {
  expect_billed(1, 1, {{0, 0}, {1, 1}, {4, 4}, {61, 61}, {7200, 7200}});
}

TEST(BilledSeconds, SixtyOne) { expect_billed(60, 1, {{5, 60}, {61, 61}}); }

TEST(BilledSeconds, SubsequentLongerThanInitial) {
  expect_billed(6, 60, {{7, 66}, {66, 66}, {67, 126}});
}

TEST(BilledSeconds, DegenerateInputs) {
  EXPECT_EQ(billed_seconds(-5, 60, 60), 0);
  EXPECT_EQ(billed_seconds(7, 0, 0), 7);  // increments below 1 count as 1
  EXPECT_EQ(billed_seconds(7, -3, 5), 11);
  EXPECT_EQ(billed_seconds(1'000'000'000'000, 60, 60), 1'000'000'000'020);
}

// ---------------------------------------------------------------- amount_for

TEST(AmountFor, SeedExample) {
  // 4 s at 0.03000/min: 3000 units x 4 / 60 = 200 units.
  EXPECT_EQ(amount_for(money("0.03000"), 4)->to_fixed5(), "0.00200");
}

TEST(AmountFor, WholeMinutes) {
  EXPECT_EQ(amount_for(money("0.01250"), 60)->to_fixed5(), "0.01250");
  EXPECT_EQ(amount_for(money("0.01250"), 120)->to_fixed5(), "0.02500");
  EXPECT_EQ(amount_for(money("0.318"), 7200)->to_fixed5(), "38.16000");
}

TEST(AmountFor, RoundsHalfUp) {
  // 0.01001/min for 30 s = 0.005005 exactly: half a unit, rounds up.
  EXPECT_EQ(amount_for(money("0.01001"), 30)->to_fixed5(), "0.00501");
  // n units for 1 s = n/60 units: remainder 29 (below half), 30 (half), 31 (above).
  EXPECT_EQ(amount_for(units(29), 1), units(0));
  EXPECT_EQ(amount_for(units(30), 1), units(1));
  EXPECT_EQ(amount_for(units(31), 1), units(1));
  EXPECT_EQ(amount_for(units(89), 1), units(1));
  EXPECT_EQ(amount_for(units(90), 1), units(2));   // 1.5 -> 2
  EXPECT_EQ(amount_for(units(150), 1), units(3));  // 2.5 -> 3 (half-up, not half-even)
  // 0.00001/min: 29 s is 0.483 unit, 30 s exactly half, 31 s 0.517.
  EXPECT_EQ(amount_for(money("0.00001"), 29), units(0));
  EXPECT_EQ(amount_for(money("0.00001"), 30), units(1));
  EXPECT_EQ(amount_for(money("0.00001"), 31), units(1));
}

TEST(AmountFor, ZeroAndNegative) {
  EXPECT_EQ(amount_for(money("0.05"), 0), units(0));
  EXPECT_EQ(amount_for(money("0.05"), -60), units(0));
  EXPECT_EQ(amount_for(money("0"), 600), units(0));
  EXPECT_EQ(amount_for(units(-30), 1), units(-1));  // half away from zero
  EXPECT_EQ(amount_for(units(-29), 1), units(0));
}

TEST(AmountFor, NoOverflowInTheProduct) {
  // 1e17 units x 3600 s does not fit in 64 bits, the result (6e18 units) does.
  EXPECT_EQ(amount_for(units(100'000'000'000'000'000), 3600), units(6'000'000'000'000'000'000));
}

TEST(AmountFor, LargestAmountIsExactOneUnitMoreIsRefused) {
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  // 60 s at kMax units a minute is exactly kMax; the same rate for 61 s is beyond the range.
  EXPECT_EQ(amount_for(units(kMax), 60), units(kMax));
  EXPECT_EQ(amount_for(units(kMax), 61), std::nullopt);
  // The largest rate x seconds product whose amount rounds to kMax, then a rate just below and
  // just above it for 10^9 s (the longest call ingest takes).
  const __int128 limit_product = static_cast<__int128>(kMax) * 60 + 29;  // 29/60 rounds down
  const std::int64_t seconds = 1'000'000'000;
  const auto rate = static_cast<std::int64_t>(limit_product / seconds);
  EXPECT_TRUE(amount_for(units(rate), seconds).has_value());
  EXPECT_EQ(amount_for(units(rate + 1), seconds), std::nullopt);
  // Never clamped: 1e17 units a minute for 1e12 s used to come out as the int64 limit.
  EXPECT_EQ(amount_for(units(100'000'000'000'000'000), 1'000'000'000'000), std::nullopt);
  EXPECT_EQ(amount_for(units(-kMax), 60), units(-kMax));
  EXPECT_EQ(amount_for(units(-kMax), 61), std::nullopt);
}

// ---------------------------------------------------------------- rating_digits, rated_number

TEST(RatingDigits, PhoneNumbersOnly) {
  EXPECT_EQ(rating_digits("+919943720205"), "919943720205");
  EXPECT_EQ(rating_digits("12604109832"), "12604109832");
  EXPECT_EQ(rating_digits("+12345678"), "12345678");
  EXPECT_EQ(rating_digits("+123456789012345"), "123456789012345");
  EXPECT_FALSE(rating_digits("+1234567890123456"));
  EXPECT_FALSE(rating_digits("1001"));
  EXPECT_FALSE(rating_digits("alice"));
  EXPECT_FALSE(rating_digits(""));
  EXPECT_FALSE(rating_digits("+"));
  EXPECT_FALSE(rating_digits("0044207946000"));
  EXPECT_FALSE(rating_digits("+44 2079460000"));
}

TEST(RatedNumber, OutboundByDestinationInboundByDid) {
  CallRecord r;
  r.from_number = "+912235328936";
  r.to_number = "+919943720205";
  r.direction = Direction::kOutbound;
  EXPECT_EQ(rated_number(r), "+919943720205");
  r.direction = Direction::kInbound;
  EXPECT_EQ(rated_number(r), "+919943720205");
  r.did_number = "+18005551234";
  EXPECT_EQ(rated_number(r), "+18005551234");
  r.did_number = "ext-12";
  EXPECT_EQ(rated_number(r), "+919943720205");
  r.direction = Direction::kOutbound;
  r.did_number = "+18005551234";
  EXPECT_EQ(rated_number(r), "+919943720205");
}

// ---------------------------------------------------------------- rate_call, apply_rating

RateRow row(std::string prefix, std::string_view rate, int initial, int subsequent,
            Micros from = kSinceBeginning, Direction d = Direction::kOutbound) {
  return cdrd::testing::rate_row(std::move(prefix), money(rate), initial, subsequent, from, d);
}

class RateCall : public ::testing::Test {
 protected:
  RateCall() {
    std::vector<RateRow> rows = {
        row("91", "0.03000", 1, 1),
        row("1", "0.01000", 60, 60),
        row("1", "0.00800", 60, 60, at("2024-01-01 00:00:00")),
        row("1800", "0.02000", 30, 6, kSinceBeginning, Direction::kInbound),
    };
    deck = std::move(RateDeck::from_rows(std::move(rows))).value();
    // The seed's call (seed 000).
    seed.call_uuid = "90b6eb07-796c-4d86-a4fd-44ed11667ddb";
    seed.from_number = "+912235328936";
    seed.to_number = "+919943720205";
    seed.direction = Direction::kOutbound;
    seed.initiation_time = at("2022-12-06 07:01:48");
    seed.answer_time = at("2022-12-06 07:01:56");
    seed.end_time = at("2022-12-06 07:02:00");
    seed.duration_s = 4;
  }
  RateDeck deck;
  CallRecord seed;
};

TEST_F(RateCall, SeedExample) {
  const RatingResult r = rate_call(deck, seed, money("0.00500")).value();
  EXPECT_TRUE(r.matched);
  EXPECT_EQ(r.prefix, "91");
  EXPECT_EQ(r.rate.to_fixed5(), "0.03000");
  EXPECT_EQ(r.initial, 1);
  EXPECT_EQ(r.subsequent, 1);
  EXPECT_EQ(r.bill_duration_s, 4);
  EXPECT_EQ(r.secure_rate.to_fixed5(), "0.00000");  // secure_trunking false
  EXPECT_EQ(r.total_rate.to_fixed5(), "0.03000");
  EXPECT_EQ(r.total_amount.to_fixed5(), "0.00200");

  CallRecord rec = seed;
  apply_rating(r, rec);
  EXPECT_EQ(rec.rating, RatingState::kRated);
  EXPECT_EQ(rec.rate.to_fixed5(), "0.03000");
  EXPECT_EQ(rec.secure_trunking_rate.to_fixed5(), "0.00000");
  EXPECT_EQ(rec.bill_duration_s, 4);
  EXPECT_EQ(rec.total_amount.to_fixed5(), "0.00200");
  EXPECT_EQ(rec.duration_s, 4);  // untouched
}

TEST_F(RateCall, SecureTrunkingSurcharge) {
  CallRecord rec = seed;
  rec.to_number = "+12125551234";
  rec.initiation_time = at("2023-05-01 10:00:00");
  rec.duration_s = 61;
  rec.secure_trunking = true;
  const RatingResult r = rate_call(deck, rec, money("0.00500")).value();
  EXPECT_EQ(r.rate.to_fixed5(), "0.01000");
  EXPECT_EQ(r.secure_rate.to_fixed5(), "0.00500");
  EXPECT_EQ(r.total_rate.to_fixed5(), "0.01500");
  EXPECT_EQ(r.bill_duration_s, 120);
  EXPECT_EQ(r.total_amount.to_fixed5(), "0.03000");
  apply_rating(r, rec);
  EXPECT_EQ(rec.secure_trunking_rate.to_fixed5(), "0.00500");
  EXPECT_EQ(rec.total_amount.to_fixed5(), "0.03000");

  rec.secure_trunking = false;
  const RatingResult plain = rate_call(deck, rec, money("0.00500")).value();
  EXPECT_EQ(plain.secure_rate.to_fixed5(), "0.00000");
  EXPECT_EQ(plain.total_amount.to_fixed5(), "0.02000");
}

TEST_F(RateCall, RateInForceAtInitiationNotAnswer) {
  CallRecord rec = seed;
  rec.to_number = "+12125551234";
  rec.initiation_time = at("2023-12-31 23:59:59");
  rec.answer_time = at("2024-01-01 00:00:05");
  rec.duration_s = 60;
  EXPECT_EQ(rate_call(deck, rec, Money())->rate.to_fixed5(), "0.01000");
  rec.initiation_time = at("2024-01-01 00:00:00");
  EXPECT_EQ(rate_call(deck, rec, Money())->rate.to_fixed5(), "0.00800");
}

TEST_F(RateCall, UnansweredCallBillsNothing) {
  CallRecord rec = seed;
  rec.answer_time.reset();
  rec.duration_s = 0;
  const RatingResult r = rate_call(deck, rec, Money()).value();
  EXPECT_TRUE(r.matched);
  EXPECT_EQ(r.rate.to_fixed5(), "0.03000");
  EXPECT_EQ(r.bill_duration_s, 0);
  EXPECT_EQ(r.total_amount, Money());
  rec.duration_s = 30;  // inconsistent input: still not answered, still 0
  EXPECT_EQ(rate_call(deck, rec, Money())->bill_duration_s, 0);
}

TEST_F(RateCall, AnsweredZeroSecondsBillsNothing) {
  CallRecord rec = seed;
  rec.to_number = "+12125551234";
  rec.duration_s = 0;
  const RatingResult r = rate_call(deck, rec, Money()).value();
  EXPECT_TRUE(r.matched);
  EXPECT_EQ(r.bill_duration_s, 0);
  EXPECT_EQ(r.total_amount, Money());
}

TEST_F(RateCall, NoMatchingPrefixIsUnrated) {
  CallRecord rec = seed;
  rec.to_number = "+33142685300";
  rec.duration_s = 42;
  rec.secure_trunking = true;
  rec.rate = money("9");
  rec.total_amount = money("9");
  const RatingResult r = rate_call(deck, rec, money("0.005")).value();
  EXPECT_FALSE(r.matched);
  EXPECT_EQ(r.prefix, "");
  EXPECT_EQ(r.bill_duration_s, 42);
  EXPECT_EQ(r.rate, Money());
  EXPECT_EQ(r.secure_rate, Money());
  EXPECT_EQ(r.total_rate, Money());
  EXPECT_EQ(r.total_amount, Money());
  apply_rating(r, rec);
  EXPECT_EQ(rec.rating, RatingState::kUnrated);
  EXPECT_EQ(rec.rate, Money());
  EXPECT_EQ(rec.secure_trunking_rate, Money());
  EXPECT_EQ(rec.total_amount, Money());
  EXPECT_EQ(rec.bill_duration_s, 42);

  rec.answer_time.reset();
  EXPECT_EQ(rate_call(deck, rec, Money())->bill_duration_s, 0);
}

TEST_F(RateCall, NonPhoneNumbersAreUnrated) {
  CallRecord rec = seed;
  rec.to_number = "alice";
  EXPECT_FALSE(rate_call(deck, rec, Money())->matched);
  rec.to_number = "1001";  // an extension would otherwise match prefix "1"
  EXPECT_FALSE(rate_call(deck, rec, Money())->matched);
  rec.to_number = "12604109832";  // bare international digits (legacy form) are a number
  EXPECT_TRUE(rate_call(deck, rec, Money())->matched);
}

TEST_F(RateCall, InboundUsesTheInboundDeckAndTheDid) {
  CallRecord rec = seed;
  rec.direction = Direction::kInbound;
  rec.from_number = "+12125551234";
  rec.to_number = "+18005550100";
  rec.duration_s = 31;
  const RatingResult r = rate_call(deck, rec, Money()).value();
  ASSERT_TRUE(r.matched);
  EXPECT_EQ(r.prefix, "1800");
  EXPECT_EQ(r.bill_duration_s, 36);
  EXPECT_EQ(r.total_amount.to_fixed5(), "0.01200");  // 2000 units x 36 / 60
  rec.to_number = "+12125550100";                    // no inbound row for it
  EXPECT_FALSE(rate_call(deck, rec, Money())->matched);
}

TEST_F(RateCall, AnAmountBeyondTheLargestIsRefusedNamingTheFieldAndTheLimit) {
  std::vector<RateRow> rows = {row("91", "99999.99999", 1, 1)};
  const RateDeck big = std::move(RateDeck::from_rows(std::move(rows))).value();
  CallRecord rec = seed;
  rec.duration_s = 30'000'000;
  rec.secure_trunking = true;
  // The largest deck rate for a long call fits: 9999999999 units x 3e7 s / 60.
  const Result<RatingResult> fits = rate_call(big, rec, Money());
  ASSERT_TRUE(fits.ok()) << fits.status().message();
  EXPECT_EQ(fits->total_amount.to_fixed5(), "49999999995.00000");
  // A surcharge near the largest parsed amount makes it overflow: refused, not clamped.
  const Result<RatingResult> r = rate_call(big, rec, money("999999999999.99999"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(r.status().message(),
            "total_amount: the amount for 30000000 s at rate 1000000099999.99998 exceeds the "
            "largest amount 92233720368547.75807");
}

}  // namespace
}  // namespace cdrd::rating
