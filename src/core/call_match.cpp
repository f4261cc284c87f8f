#include "core/call_match.h"

#include <algorithm>
#include <functional>
#include <string>

namespace cdrd {
namespace {

std::string_view without_plus(std::string_view s) {
  while (!s.empty() && s.front() == '+') s.remove_prefix(1);
  return s;
}

bool in_range(std::int64_t v, const IntRange& r) {
  return (!r.min || v >= *r.min) && (!r.max || v <= *r.max);
}

bool in_window(Micros t, const TimeRange& r) {
  return (!r.from || t >= *r.from) && (!r.until || t < *r.until);
}

// An empty list is no filter.
template <class T>
bool any_of(const std::vector<T>& values, const T& v) {
  return values.empty() || std::find(values.begin(), values.end(), v) != values.end();
}

bool flow_matches(const std::vector<std::string>& flows, Direction direction) {
  if (flows.empty()) return true;
  const std::string_view flow = direction == Direction::kInbound ? "in" : "out";
  return std::find(flows.begin(), flows.end(), flow) != flows.end();
}

}  // namespace

bool number_has_prefix(std::string_view number, const NumberPrefix& prefix) {
  std::string_view digits = prefix.digits;
  if (!digits.empty() && digits.front() == '+') digits.remove_prefix(1);
  if (digits.empty()) return !number.empty() && number.front() == '+';
  return without_plus(number).starts_with(digits);
}

bool matches_filters(const CallRecord& call, const CallQuery& q) {
  if (q.direction && call.direction != *q.direction) return false;
  if (q.from_number && !number_has_prefix(call.from_number, *q.from_number)) return false;
  if (q.to_number && !number_has_prefix(call.to_number, *q.to_number)) return false;
  if (q.trunk_id && call.trunk_id != *q.trunk_id) return false;
  if (q.hangup_cause_code && call.hangup_cause_code != q.hangup_cause_code) return false;
  if (q.hangup_source && call.hangup_source != *q.hangup_source) return false;
  if (q.stir_verification && call.stir_verification != *q.stir_verification) return false;
  if (!in_range(call.bill_duration_s, q.bill_duration) || !in_range(call.duration_s, q.duration)) {
    return false;
  }
  if (!in_window(call.end_time, q.end_time) ||
      !in_window(call.initiation_time, q.initiation_time)) {
    return false;
  }
  if (!any_of(q.from_usernames, call.from_username) || !any_of(q.to_usernames, call.to_username) ||
      !any_of(q.bridged_usernames, call.bridged_username) ||
      !any_of(q.did_numbers, call.did_number) || !flow_matches(q.flows, call.direction)) {
    return false;
  }
  if (!q.extension_ids.empty() &&
      (!call.extension_id || !any_of(q.extension_ids, *call.extension_id))) {
    return false;
  }
  if ((q.bridged_duration.min || q.bridged_duration.max) &&
      (!call.bridged_duration_s || !in_range(*call.bridged_duration_s, q.bridged_duration))) {
    return false;
  }
  return true;
}

std::pair<std::size_t, std::size_t> order_page(
    std::vector<std::pair<Micros, std::int64_t>>& matches, const CallQuery& query) {
  const auto limit = static_cast<std::size_t>(std::max(0, query.limit));
  const auto offset = static_cast<std::size_t>(std::max<std::int64_t>(0, query.offset));
  if (offset >= matches.size() || limit == 0) return {0, 0};
  const std::size_t end = std::min(matches.size(), offset + std::min(limit, matches.size()));
  const auto middle = matches.begin() + static_cast<std::ptrdiff_t>(end);
  if (query.order == SortOrder::kOldestFirst) {
    std::partial_sort(matches.begin(), middle, matches.end());
  } else {
    std::partial_sort(matches.begin(), middle, matches.end(), std::greater<>());
  }
  return {offset, end};
}

}  // namespace cdrd
