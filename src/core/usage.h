// UsageQuery: a typed question about one account's usage totals: the calls a CallQuery's
// filters match, cut into UTC periods (hour, day or month of end_time) and optionally grouped
// by one field (direction, to_country, trunk_id or hangup_source). A store answers it with one
// UsageRow per non-empty (period, group); the derived figures (ASR, ACD, minutes) are computed
// here from the row's integer sums, so every edge (API, CLI) shows the same text.
//
// Exactness: every sum is an integer (seconds, 1/100000 money units); nothing passes through
// binary floating point. The fixed-decimal figures round half up from exact integer arithmetic.
// Plain value types and pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/call_query.h"
#include "core/call_record.h"
#include "core/money.h"
#include "core/time.h"

namespace cdrd {

enum class UsagePeriod { kHour, kDay, kMonth };
enum class UsageGroup { kDirection, kToCountry, kTrunkId, kHangupSource };

std::optional<UsagePeriod> parse_usage_period(std::string_view s);  // hour | day | month
std::string_view to_string(UsagePeriod p);
// direction | to_country | trunk_id | hangup_source
std::optional<UsageGroup> parse_usage_group(std::string_view s);
std::string_view to_string(UsageGroup g);

// The start of the UTC period that holds `t`, and the start of the next one.
Micros usage_period_start(UsagePeriod p, Micros t);
Micros usage_period_end(UsagePeriod p, Micros start);

struct UsageQuery {
  // The filters (account, end_time window, ...); its order, limit, offset and count_total are
  // ignored.
  CallQuery filter;
  UsagePeriod period = UsagePeriod::kDay;
  std::optional<UsageGroup> group_by;
  // The most rows an answer holds: a store returns at most max_rows + 1 rows, so that the
  // caller knows there were more (UsageAnswer::more) and refuses instead of truncating.
  int max_rows = 10'000;
};

// The integer sums of a set of calls.
struct UsageTotals {
  std::int64_t calls = 0;
  std::int64_t answered_calls = 0;       // calls with an answer_time
  std::int64_t answered_duration_s = 0;  // sum of duration_s over the answered calls
  std::int64_t bill_duration_s = 0;      // sum of bill_duration_s over every call
  Money total_amount;                    // sum of total_amount over every call

  // Adds `other`; false (and unchanged) when a sum would leave the int64 range.
  [[nodiscard]] bool add(const UsageTotals& other);
};

struct UsageRow {
  Micros period_start = 0;
  // The group's value as the call APIs show it ("inbound", "DE", "trunk-a", "carrier"); ""
  // for a call without one (no country, no trunk, unknown hangup source). Empty when the query
  // has no group_by.
  std::string group;
  UsageTotals totals;
};

struct UsageAnswer {
  std::vector<UsageRow> rows;  // by period_start, then group (CallStore::usage)
  bool more = false;  // the query matched more than max_rows rows (rows is then incomplete)
};

// The sums of a usage answer, one matching call at a time in any order: what a store that reads
// the calls its query matches (rather than letting a database sum them) adds up. At most
// max_rows rows (UsageQuery): a call of a new (period, group) once they are there is refused
// (kFull, and the answer's `more` is set), so neither time nor memory grows past them. A sum
// that would leave the int64 range is refused (kOverflow) and the call is not counted.
// Not thread-safe: one owner.
class UsageSums {
 public:
  explicit UsageSums(const UsageQuery& query);

  enum class Added { kAdded, kFull, kOverflow };
  // A call by the parts the sums read: its end_time, its group (an enum group's value as its
  // integer, Direction or HangupSource cast to it, or a text group's text; either is ignored
  // without a group_by) and its totals (`one.calls` 1).
  Added add(Micros end_time, std::int64_t group_code, std::string_view group_text,
            const UsageTotals& one);
  // A call that matched the query's filter.
  Added add(const CallRecord& call);

  // The rows by period, then group (enum order; text bytewise), with the groups named as the
  // call APIs show them.
  UsageAnswer answer() const;

 private:
  // A (period, group): the group as its enum's integer or its text. Compared with a view of the
  // text as well, so that finding a row allocates nothing.
  struct Key {
    Micros period = 0;
    std::int64_t code = 0;
    std::string text;
  };
  struct KeyView {
    Micros period = 0;
    std::int64_t code = 0;
    std::string_view text;
  };
  struct Less {
    using is_transparent = void;
    template <class A, class B>
    bool operator()(const A& a, const B& b) const {
      if (a.period != b.period) return a.period < b.period;
      if (a.code != b.code) return a.code < b.code;
      return std::string_view(a.text) < std::string_view(b.text);
    }
  };

  UsagePeriod period_;
  std::optional<UsageGroup> group_by_;
  std::size_t max_rows_;
  bool more_ = false;
  std::map<Key, UsageTotals, Less> sums_;
};

// Derived figures as fixed-decimal text, rounded half up; nullopt when undefined.
//   ASR = answered_calls / calls, 4 decimals ("0.6667"); nullopt when calls is 0.
//   ACD = answered_duration_s / answered_calls seconds, 2 decimals ("93.50"); nullopt when no
//         call was answered.
//   billed minutes = bill_duration_s / 60, 5 decimals ("20.56667"): the exact figure is
//         bill_duration_s, shown beside it.
std::optional<std::string> usage_asr(const UsageTotals& t);
std::optional<std::string> usage_acd(const UsageTotals& t);
std::string usage_billed_minutes(const UsageTotals& t);

// num / den as a decimal with `decimals` digits after the point, rounded half up (away from
// zero for negatives); den > 0. Exact for any int64 operands.
std::string fixed_decimal_ratio(std::int64_t num, std::int64_t den, int decimals);

}  // namespace cdrd
