#include "rating/digit_pattern.h"

#include <gtest/gtest.h>

namespace cdrd::rating {
namespace {

using Match = DigitPattern::Match;

Match whole(std::string_view pattern, std::string_view digits) {
  Result<DigitPattern> p = DigitPattern::compile(pattern);
  EXPECT_TRUE(p.ok()) << pattern;
  return p.ok() ? p->matches_entirely(digits) : Match::kUnknown;
}

Match prefix(std::string_view pattern, std::string_view digits) {
  Result<DigitPattern> p = DigitPattern::compile(pattern);
  EXPECT_TRUE(p.ok()) << pattern;
  return p.ok() ? p->matches_prefix(digits) : Match::kUnknown;
}

TEST(DigitPattern, MatchesTheWholeInput) {
  EXPECT_EQ(whole("(?:1|6\\d)\\d{7}|[135-9]\\d{5}", "612345678"), Match::kYes);
  EXPECT_EQ(whole("(?:1|6\\d)\\d{7}|[135-9]\\d{5}", "123456789"), Match::kNo);  // 9 digits, 1
  EXPECT_EQ(whole("(?:1|6\\d)\\d{7}|[135-9]\\d{5}", "312345"), Match::kYes);
  EXPECT_EQ(whole("(?:1|6\\d)\\d{7}|[135-9]\\d{5}", "412345"), Match::kNo);
  EXPECT_EQ(whole("800\\d{2,9}", "80012"), Match::kYes);
  EXPECT_EQ(whole("800\\d{2,9}", "8001"), Match::kNo);
  EXPECT_EQ(whole("800\\d{2,9}", "800123456789"), Match::kYes);
  EXPECT_EQ(whole("800\\d{2,9}", "8001234567890"), Match::kNo);
  EXPECT_EQ(whole("5(?:0[0-8]|1\\d)\\d{6}", "509123456"), Match::kNo);
  EXPECT_EQ(whole("5(?:0[0-8]|1\\d)\\d{6}", "508123456"), Match::kYes);
  EXPECT_EQ(whole("1?2+3*", "2223"), Match::kYes);
  EXPECT_EQ(whole("1?2+3*", "13"), Match::kNo);
  EXPECT_EQ(whole("\\d{3,}", "12"), Match::kNo);
  EXPECT_EQ(whole("\\d{3,}", "12345678"), Match::kYes);
}

TEST(DigitPattern, MatchesAPrefixTheEmptyOneIncluded) {
  EXPECT_EQ(prefix("268", "2684601234"), Match::kYes);
  EXPECT_EQ(prefix("268", "2694601234"), Match::kNo);
  EXPECT_EQ(prefix("0?(?:(11)15)?", "99"), Match::kYes);  // the empty match
  EXPECT_EQ(prefix("1|([457]\\d{6})$", "4123456"), Match::kYes);
  EXPECT_EQ(prefix("([457]\\d{6})$", "41234567"), Match::kNo);  // $: only at the end
}

TEST(DigitPattern, KnowsWhichDigitsAMatchStartsWith) {
  EXPECT_EQ(DigitPattern::compile("0")->first_digits(), 1u << 0);
  EXPECT_EQ(DigitPattern::compile("1|([2-4]\\d{6})$")->first_digits(), 0b11110u);
  EXPECT_EQ(DigitPattern::compile("0?(?:(11|2)15)?")->first_digits(), 0b111u);
}

TEST(DigitPattern, RefusesWhatIsOutsideItsDialect) {
  for (const char* bad :
       {"a", "^1", "[a-z]", "(1", "1)", "[1", "\\s", "1{2", "1{3,2}", "[]", "1{65}", "(?=1)"}) {
    EXPECT_FALSE(DigitPattern::compile(bad).ok()) << bad;
  }
}

TEST(DigitPattern, OnlyDigitsCanMatch) {
  EXPECT_EQ(whole("\\d\\d", "1a"), Match::kNo);
  EXPECT_EQ(whole("\\d*", ""), Match::kYes);
}

TEST(DigitPattern, AWalkPastItsBudgetIsUnknownNotAGuess) {
  // (?:\d*)* loops without consuming: the walk runs out of steps or room instead of hanging.
  EXPECT_EQ(whole("(?:\\d*)*5", "1111111111111111"), Match::kUnknown);
}

}  // namespace
}  // namespace cdrd::rating
