// The filters of a CallQuery evaluated on one call in C++: what the sqlite store's SQL
// (store/sqlite/call_filter.cpp) and the list index (store/index) answer for a stored call,
// for a store that reads its calls as values (the segment store's scans, docs/architecture.md
// "The segment store") and for the tests that check the others.
// CallFilterMatchTest holds it to the SQL on random calls and queries.
// Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <string_view>
#include <utility>
#include <vector>

#include "core/call_query.h"
#include "core/call_record.h"

namespace cdrd {

// Whether `number`, without its leading '+' characters, begins with `prefix.digits` (without a
// leading '+'): "9199" and "+9199" both match "+919943720205". Digits that are empty once the
// '+' is dropped match the numbers written with a '+' (what the SQL answers for "+" alone; an
// API never asks it).
bool number_has_prefix(std::string_view number, const NumberPrefix& prefix);

// Whether `call` matches every filter of `query`: direction, the number prefixes, trunk_id,
// hangup cause and source, STIR, the duration and time ranges, the cloud-PBX lists (any of their
// values; a flow is "in" or "out", and a list of flows of which none is either matches nothing)
// and bridged_duration. A filter on an optional member (hangup_cause_code, extension_id,
// bridged_duration_s) never matches a call without it. The query's account_id, order, limit,
// offset and count_total play no part: a caller checks the account itself.
bool matches_filters(const CallRecord& call, const CallQuery& query);

// A list's page out of all its matches, each (end_time, storage id): sorts `matches` just
// enough that positions [first, second) hold the page (query.offset and query.limit) in the
// query's order, ties broken by id, and returns them (an empty range past the last match).
std::pair<std::size_t, std::size_t> order_page(
    std::vector<std::pair<Micros, std::int64_t>>& matches, const CallQuery& query);

}  // namespace cdrd
