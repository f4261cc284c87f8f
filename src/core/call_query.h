// CallQuery: a typed, validated question about one account's calls, as an API handler parsed
// it from a request. Every bound is already normalised (inclusive integer ranges, half-open time
// ranges), so a store answers it without knowing any API's parameter syntax.
// Plain value type; thread-safe to copy.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/enums.h"
#include "core/time.h"

namespace cdrd {

// [min, max], either side open when absent. Empty when min > max.
struct IntRange {
  std::optional<std::int64_t> min, max;
  bool empty() const { return min && max && *min > *max; }
};

// [from, until), either side open when absent. Empty when from >= until.
struct TimeRange {
  std::optional<Micros> from, until;
  bool empty() const { return from && until && *from >= *until; }
};

// A number filter: matches stored numbers that begin with `digits`, written with or without the
// leading '+' (so "9199" and "+9199" both match "+919943720205"). An exact number is a prefix of
// itself. `digits` is never empty.
struct NumberPrefix {
  std::string digits;  // without a leading '+'
};

enum class SortOrder { kNewestFirst, kOldestFirst };

struct CallQuery {
  std::int64_t account_id = 0;

  std::optional<Direction> direction;
  std::optional<NumberPrefix> from_number, to_number;
  std::optional<std::string> trunk_id;
  std::optional<int> hangup_cause_code;
  std::optional<HangupSource> hangup_source;
  std::optional<StirVerification> stir_verification;
  IntRange bill_duration;
  IntRange duration;
  TimeRange end_time;
  TimeRange initiation_time;

  // Cloud-PBX filters: each list matches any of its values (empty list: no filter).
  std::vector<std::string> from_usernames, to_usernames, bridged_usernames, did_numbers, flows;
  std::vector<std::int64_t> extension_ids;
  IntRange bridged_duration;

  // Newest end_time first (ties: newest stored first), or the reverse.
  SortOrder order = SortOrder::kNewestFirst;
  int limit = 20;
  std::int64_t offset = 0;
  // False: the answer's total_count is not computed (left 0), for APIs that show no total.
  bool count_total = true;
};

// One page of an answer and the exact number of calls that match the query.
template <class Row>
struct Page {
  std::vector<Row> rows;
  std::int64_t total_count = 0;
};

}  // namespace cdrd
