#include "core/usage.h"

#include <algorithm>
#include <array>
#include <cstdlib>

#include "core/enum_names.h"

namespace cdrd {
namespace {

constexpr Micros kMicrosPerHour = 3600 * kMicrosPerSecond;

constexpr std::array<EnumName<UsagePeriod>, 3> kPeriods = {{
    {UsagePeriod::kHour, "hour"},
    {UsagePeriod::kDay, "day"},
    {UsagePeriod::kMonth, "month"},
}};
constexpr std::array<EnumName<UsageGroup>, 4> kGroups = {{
    {UsageGroup::kDirection, "direction"},
    {UsageGroup::kToCountry, "to_country"},
    {UsageGroup::kTrunkId, "trunk_id"},
    {UsageGroup::kHangupSource, "hangup_source"},
}};

// The digits of a non-negative 128-bit value.
std::string digits_of(unsigned __int128 v) {
  std::string s;
  do {
    s.insert(s.begin(), static_cast<char>('0' + static_cast<int>(v % 10)));
    v /= 10;
  } while (v != 0);
  return s;
}

}  // namespace

std::optional<UsagePeriod> parse_usage_period(std::string_view s) { return value_of(kPeriods, s); }
std::string_view to_string(UsagePeriod p) { return name_of(kPeriods, p, ""); }
std::optional<UsageGroup> parse_usage_group(std::string_view s) { return value_of(kGroups, s); }
std::string_view to_string(UsageGroup g) { return name_of(kGroups, g, ""); }

Micros usage_period_start(UsagePeriod p, Micros t) {
  switch (p) {
    case UsagePeriod::kHour:
      return floor_div(t, kMicrosPerHour) * kMicrosPerHour;
    case UsagePeriod::kDay:
      return floor_div(t, kMicrosPerDay) * kMicrosPerDay;
    case UsagePeriod::kMonth: {
      int y = 0;
      unsigned m = 0, d = 0;
      civil_from_days(floor_div(t, kMicrosPerDay), y, m, d);
      return days_from_civil(y, m, 1) * kMicrosPerDay;
    }
  }
  return t;
}

Micros usage_period_end(UsagePeriod p, Micros start) {
  switch (p) {
    case UsagePeriod::kHour:
      return start + kMicrosPerHour;
    case UsagePeriod::kDay:
      return start + kMicrosPerDay;
    case UsagePeriod::kMonth: {
      int y = 0;
      unsigned m = 0, d = 0;
      civil_from_days(floor_div(start, kMicrosPerDay), y, m, d);
      if (m == 12) return days_from_civil(y + 1, 1, 1) * kMicrosPerDay;
      return days_from_civil(y, m + 1, 1) * kMicrosPerDay;
    }
  }
  return start;
}

UsageSums::UsageSums(const UsageQuery& query)
    : period_(query.period),
      group_by_(query.group_by),
      max_rows_(static_cast<std::size_t>(std::max(query.max_rows, 0))) {}

UsageSums::Added UsageSums::add(Micros end_time, std::int64_t group_code,
                                std::string_view group_text, const UsageTotals& one) {
  KeyView key;
  key.period = usage_period_start(period_, end_time);
  if (group_by_ == UsageGroup::kToCountry || group_by_ == UsageGroup::kTrunkId) {
    key.text = group_text;
  } else if (group_by_) {
    key.code = group_code;
  }
  auto it = sums_.find(key);
  if (it == sums_.end()) {
    if (sums_.size() >= max_rows_) {
      more_ = true;
      return Added::kFull;
    }
    it = sums_.emplace(Key{key.period, key.code, std::string(key.text)}, UsageTotals{}).first;
  }
  return it->second.add(one) ? Added::kAdded : Added::kOverflow;
}

UsageSums::Added UsageSums::add(const CallRecord& call) {
  UsageTotals one;
  one.calls = 1;
  one.answered_calls = call.answer_time ? 1 : 0;
  one.answered_duration_s = call.answer_time ? call.duration_s : 0;
  one.bill_duration_s = call.bill_duration_s;
  one.total_amount = call.total_amount;
  std::int64_t code = 0;
  std::string_view text;
  if (group_by_ == UsageGroup::kDirection) code = static_cast<std::int64_t>(call.direction);
  if (group_by_ == UsageGroup::kHangupSource) code = static_cast<std::int64_t>(call.hangup_source);
  if (group_by_ == UsageGroup::kToCountry) text = call.to_country;
  if (group_by_ == UsageGroup::kTrunkId) text = call.trunk_id;
  return add(call.end_time, code, text, one);
}

UsageAnswer UsageSums::answer() const {
  UsageAnswer answer;
  answer.more = more_;
  answer.rows.reserve(sums_.size());
  for (const auto& [key, totals] : sums_) {
    UsageRow row;
    row.period_start = key.period;
    if (group_by_ == UsageGroup::kDirection) {
      row.group = std::string(to_string(static_cast<Direction>(key.code)));
    } else if (group_by_ == UsageGroup::kHangupSource) {
      row.group = std::string(to_string(static_cast<HangupSource>(key.code)));
    } else {
      row.group = key.text;
    }
    row.totals = totals;
    answer.rows.push_back(std::move(row));
  }
  return answer;
}

bool UsageTotals::add(const UsageTotals& o) {
  UsageTotals r;
  const std::optional<Money> amount = Money::checked_add(total_amount, o.total_amount);
  if (!amount || __builtin_add_overflow(calls, o.calls, &r.calls) ||
      __builtin_add_overflow(answered_calls, o.answered_calls, &r.answered_calls) ||
      __builtin_add_overflow(answered_duration_s, o.answered_duration_s, &r.answered_duration_s) ||
      __builtin_add_overflow(bill_duration_s, o.bill_duration_s, &r.bill_duration_s)) {
    return false;
  }
  r.total_amount = *amount;
  *this = r;
  return true;
}

std::string fixed_decimal_ratio(std::int64_t num, std::int64_t den, int decimals) {
  const bool negative = num < 0;
  // |num| * 10^decimals fits 128 bits for any int64 num and decimals <= 18.
  unsigned __int128 n = negative ? static_cast<unsigned __int128>(-(num + 1)) + 1
                                 : static_cast<unsigned __int128>(num);
  unsigned __int128 scale = 1;
  for (int i = 0; i < decimals; ++i) scale *= 10;
  const auto d = static_cast<unsigned __int128>(den);
  const unsigned __int128 scaled = (n * scale * 2 + d) / (2 * d);  // rounded half up
  std::string digits = digits_of(scaled);
  const auto places = static_cast<std::size_t>(decimals);
  if (digits.size() <= places) digits.insert(0, places + 1 - digits.size(), '0');
  std::string out = negative && scaled != 0 ? "-" : "";
  out += digits.substr(0, digits.size() - places);
  if (places > 0) out += "." + digits.substr(digits.size() - places);
  return out;
}

std::optional<std::string> usage_asr(const UsageTotals& t) {
  if (t.calls <= 0) return std::nullopt;
  return fixed_decimal_ratio(t.answered_calls, t.calls, 4);
}

std::optional<std::string> usage_acd(const UsageTotals& t) {
  if (t.answered_calls <= 0) return std::nullopt;
  return fixed_decimal_ratio(t.answered_duration_s, t.answered_calls, 2);
}

std::string usage_billed_minutes(const UsageTotals& t) {
  return fixed_decimal_ratio(t.bill_duration_s, 60, 5);
}

}  // namespace cdrd
