#include "rating/digit_pattern.h"

#include <gtest/gtest.h>

#include <functional>
#include <random>
#include <string>
#include <vector>

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

// The step-by-step simulation (start, step, match_here, match_at_end) gives the walk's answers:
// over generated patterns of the whole dialect and random digit strings of 0-15 digits,
// matches_entirely is match_at_end after every digit and matches_prefix is match_here after
// some proper prefix or match_at_end after all (where the walk answers at all).
TEST(DigitPattern, TheStepByStepSimulationGivesTheWalksAnswers) {
  std::mt19937_64 rng(20261203);
  const auto below = [&](std::uint64_t n) { return static_cast<int>(rng() % n); };
  // A random pattern of depth <= 3: sequences of digits, classes, \d, groups, alternatives,
  // quantifiers and $.
  std::function<std::string(int)> gen = [&](int depth) {
    std::string out;
    const int alternatives = 1 + (depth < 3 && below(3) == 0 ? below(3) : 0);
    for (int a = 0; a < alternatives; ++a) {
      if (a > 0) out += '|';
      for (int n = below(4); n >= 0; --n) {
        const int kind = below(depth < 3 ? 6 : 4);
        if (kind == 0) {
          out += static_cast<char>('0' + below(10));
        } else if (kind == 1) {
          out += "\\d";
        } else if (kind == 2) {
          const int lo = below(10), hi = lo + below(10 - lo);
          out += "[" + std::to_string(lo) + (hi > lo ? "-" + std::to_string(hi) : "") + "]";
        } else if (kind == 3) {
          out += below(8) == 0 ? "$" : std::string(1, static_cast<char>('0' + below(10)));
        } else {
          out += (below(2) ? "(?:" : "(") + gen(depth + 1) + ")";
        }
        if (out.back() == '$') continue;
        switch (below(7)) {
          case 0:
            out += '?';
            break;
          case 1:
            out += '*';
            break;
          case 2:
            out += '+';
            break;
          case 3: {
            const int m = below(4);
            out += "{" + std::to_string(m) + (below(2) ? "," + std::to_string(m + below(4)) : "") +
                   "}";
            break;
          }
          default:
            break;
        }
      }
    }
    return out;
  };
  int compared = 0, yes = 0;
  for (int p = 0; p < 2000; ++p) {
    const std::string text = gen(0);
    Result<DigitPattern> pattern = DigitPattern::compile(text);
    ASSERT_TRUE(pattern.ok()) << text << ": " << pattern.status().message();
    for (int i = 0; i < 100; ++i) {
      std::string digits;
      for (int n = below(16); n > 0; --n) digits += static_cast<char>('0' + below(10));
      const Match entire = pattern->matches_entirely(digits);
      const Match prefix = pattern->matches_prefix(digits);
      DigitPattern::Threads at = pattern->start();
      bool prefix_here = false;
      for (char c : digits) {
        prefix_here = prefix_here || pattern->match_here(at);
        at = pattern->step(at, static_cast<unsigned>(c - '0'));
      }
      const bool stepped_entire = pattern->match_at_end(at);
      const bool stepped_prefix = prefix_here || stepped_entire;
      if (entire != Match::kUnknown) {
        ++compared;
        yes += entire == Match::kYes;
        ASSERT_EQ(entire == Match::kYes, stepped_entire) << text << " over '" << digits << "'";
      }
      if (prefix != Match::kUnknown) {
        ASSERT_EQ(prefix == Match::kYes, stepped_prefix)
            << text << " over '" << digits << "' (prefix)";
      }
    }
  }
  EXPECT_GT(compared, 150'000);
  EXPECT_GT(yes, 5'000);
}

// What no walk can answer, the simulation still can: it has no step budget.
TEST(DigitPattern, TheSimulationHasNoBudget) {
  Result<DigitPattern> p = DigitPattern::compile("(?:\\d*)*5");
  ASSERT_TRUE(p.ok());
  DigitPattern::Threads at = p->start();
  for (int i = 0; i < 15; ++i) at = p->step(at, 1);
  EXPECT_FALSE(p->match_at_end(at));
  EXPECT_TRUE(p->match_at_end(p->step(at, 5)));
}

}  // namespace
}  // namespace cdrd::rating
