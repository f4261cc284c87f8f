// DigitPattern: a regular expression over the digits 0-9, in the small dialect libphonenumber's
// metadata is written in ("(?:1|6\d)\d{7}|[135-9]\d{5}"), matched without a regex library.
// country.cpp compiles the metadata's patterns once into DigitPatterns so that the country of a
// number is found without libphonenumber's ICU regular expressions on the ingest path.
//
// The dialect: the digits, \d, classes of digits and ranges ([2-46-9]), groups (?:...) and
// (...) (captures are not kept), alternation |, the quantifiers ?, *, +, {n}, {n,} and {n,m}
// (n, m <= 64), and $ (the end of the input). Anything else (letters, ^, lookarounds, a class
// with a letter) is refused by compile(), so a pattern is either understood exactly or not
// used at all. Matching is a backtracking walk with a step budget: a match that would take more
// steps answers kUnknown rather than guessing.
//
// The same program can also be run one digit at a time over all its paths at once (start, step,
// match_here, match_at_end: a Thompson simulation without a budget), so that country.cpp can
// build an automaton that reads a number digit by digit for every pattern of a calling code.
//
// Immutable after compile(); thread-safe. compile() returns kInvalidArgument for a pattern
// outside the dialect.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace cdrd::rating {

class DigitPattern {
 public:
  enum class Match { kNo, kYes, kUnknown };

  static Result<DigitPattern> compile(std::string_view pattern);

  // The whole of `digits` matches (libphonenumber's MatchesEntirely).
  Match matches_entirely(std::string_view digits) const { return run(digits, true); }
  // Some prefix of `digits`, the empty one included, matches (libphonenumber's Consume /
  // LookingAt as a yes-or-no answer).
  Match matches_prefix(std::string_view digits) const { return run(digits, false); }

  // Where the paths of a match stand after some digits: the instructions they wait at (a digit,
  // a $ or the match), sorted, without repeats. Empty: no match can follow any more.
  using Threads = std::vector<std::uint32_t>;
  // Before any digit.
  Threads start() const;
  // After one more digit d (0-9).
  Threads step(const Threads& at, unsigned d) const;
  // A match ends where `at` stands, whether the input ends there or not (no $ passed).
  bool match_here(const Threads& at) const;
  // A match ends where `at` stands if the input ends there ($ passed too).
  bool match_at_end(const Threads& at) const;
  // So: matches_entirely(s) is match_at_end after the digits of s, and matches_prefix(s) is
  // match_here after some proper prefix of s or match_at_end after all of it.

  // Bit d is set when a non-empty match may start with the digit d (a superset: exact for the
  // first digit, but a later $ is not looked at).
  std::uint16_t first_digits() const { return first_digits_; }

 private:
  enum class Op : std::uint8_t { kDigits, kSplit, kJump, kEnd, kMatch };
  struct Inst {
    Op op;
    std::uint16_t digits;  // kDigits: bit d for the digit d
    std::uint32_t x, y;    // kSplit: try x, then y; kJump: x
  };
  friend class PatternCompiler;

  Match run(std::string_view digits, bool entirely) const;
  // Adds to `out` every instruction reached from `pc` through splits and jumps (and past a $
  // when `at_end`) that waits for a digit, a $ or is the match.
  // (Each instruction once per step: the step's marks are the thread's, see digit_pattern.cpp.)
  void close(std::uint32_t pc, bool at_end, Threads& out) const;

  std::vector<Inst> program_;
  std::uint16_t first_digits_ = 0;
};

}  // namespace cdrd::rating
