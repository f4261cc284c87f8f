// RateDeck: one account's per-minute rates by number prefix, for both call directions, each row
// in force from a UTC instant on (see docs/rating.md). A deck is built once, from CSV text or from
// rows, and is immutable afterwards: any number of threads may call match() on the same deck at
// once without locking. match() allocates nothing (a binary search over packed prefixes).
// Pure: no I/O; callers read deck files and pass their text in.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/enums.h"
#include "core/money.h"
#include "core/rate_row.h"
#include "core/status.h"
#include "core/time.h"

namespace cdrd::rating {

using cdrd::kSinceBeginning;
using cdrd::RateRow;  // core/rate_row.h: the row type the stores keep too
// A prefix is 1 to 15 digits (the longest E.164 number) without '+'.
inline constexpr std::size_t kMaxPrefixDigits = 15;
// Billing increments are 1 second to 1 day.
inline constexpr int kMaxIncrementSeconds = 86'400;
// The largest per-minute rate of a deck row: 99999.99999. With the surcharge (at most the
// largest parsed amount) and the longest call ingest takes (10^9 s), every amount a deck row
// gives is checked (billing.h), and with rates up to this one it always fits.
inline constexpr Money kMaxDeckRate = Money::from_units(9'999'999'999);

class RateDeck {
 public:
  RateDeck() = default;  // an empty deck, which matches nothing

  // Checks every row (prefix, rate, increments) and that no two rows share (direction, prefix,
  // effective_from), then builds the index. Errors name the row by its 0-based index in `rows`.
  static Result<RateDeck> from_rows(std::vector<RateRow> rows);

  // The row that rates a call in `direction` to/from a number whose digits (no '+') are
  // `number_digits`, initiated at `at`: among the prefixes of the number that have a row in force
  // at `at` (the greatest effective_from <= at), the longest. nullptr when there is none, and
  // for an empty `number_digits` or one with a non-digit. Thread-safe; allocation-free.
  const RateRow* match(Direction direction, std::string_view number_digits, Micros at) const;

  // All rows of one direction, ordered by prefix, then effective_from.
  std::span<const RateRow> rows(Direction direction) const;
  std::size_t size() const { return inbound_.rows.size() + outbound_.rows.size(); }
  bool empty() const { return size() == 0; }

 private:
  // One distinct prefix of one direction.
  struct Node {
    std::uint32_t parent;     // index of the longest shorter prefix in the deck, or kNone
    std::uint32_t first_row;  // its rows: rows[first_row, first_row + row_count)
    std::uint32_t row_count;
    std::uint32_t length;  // digits in the prefix
  };
  // The prefixes of one direction, each packed into 64 bits (4 bits a digit, digit + 1, zero
  // padding), which makes integer order the same as text order and a prefix test one mask.
  struct Index {
    std::vector<std::uint64_t> keys;  // ascending, distinct
    std::vector<Node> nodes;          // nodes[i] belongs to keys[i]
    std::vector<RateRow> rows;        // grouped by prefix in key order, then by effective_from
  };
  static constexpr std::uint32_t kNone = std::numeric_limits<std::uint32_t>::max();

  static void build_index(std::vector<RateRow> rows, Index& index);
  const Index& index(Direction d) const { return d == Direction::kInbound ? inbound_ : outbound_; }

  Index inbound_, outbound_;
};

// Parses a rate deck in CSV (docs/rating.md): a header row naming the columns prefix, rate,
// initial_increment, subsequent_increment (required) and effective_from, direction (optional),
// in any order, then one row per rate. All or nothing: the first bad row fails the whole deck
// with kInvalidArgument "rate deck row N: <reason>", N counting lines from 1 (the header).
// Without `only`, an empty or missing direction cell means outbound. With `only`, the deck is of
// that direction alone: an empty or missing cell means `only`, and a row naming the other
// direction is refused.
Result<RateDeck> parse_rate_deck_csv(std::string_view text,
                                     std::optional<Direction> only = std::nullopt);

// The rows as a deck CSV that parse_rate_deck_csv reads back to the same rows: the header
// "prefix,rate,initial_increment,subsequent_increment,effective_from,direction", rates with 5
// decimals, effective_from "YYYY-MM-DD HH:MM:SS" (empty when since the beginning; fractions of a
// second, which a CSV cannot give, are kept to the microsecond).
std::string format_rate_deck_csv(std::span<const RateRow> rows);

}  // namespace cdrd::rating
