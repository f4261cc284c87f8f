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

  std::vector<Inst> program_;
  std::uint16_t first_digits_ = 0;
};

}  // namespace cdrd::rating
