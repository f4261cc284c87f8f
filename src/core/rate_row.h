// RateRow: one row of an account's rate deck (docs/rating.md): the per-minute rate and billing
// increments of calls in one direction to or from numbers that start with `prefix`, in force
// from `effective_from` on. A plain value shared by the rating library (which checks rows and
// matches numbers against them) and the stores (which keep them). Thread-safe to copy.
#pragma once

#include <limits>
#include <string>

#include "core/enums.h"
#include "core/money.h"
#include "core/time.h"

namespace cdrd {

// effective_from of a row that has been in force since the beginning (an empty CSV cell).
inline constexpr Micros kSinceBeginning = std::numeric_limits<Micros>::min();

struct RateRow {
  Direction direction = Direction::kOutbound;
  std::string prefix;                       // digits only, 1..15
  Money rate;                               // per minute, >= 0
  int initial_increment = 60;               // seconds billed for the first block, 1..86400
  int subsequent_increment = 60;            // seconds per further block, 1..86400
  Micros effective_from = kSinceBeginning;  // in force from this instant (UTC) on

  friend bool operator==(const RateRow&, const RateRow&) = default;
};

}  // namespace cdrd
