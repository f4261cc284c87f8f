// parse_call_list_query: the list filters of the SIP-trunk Call API (seed 001, reference
// "Listing") turned into a CallQuery. Every refusal names the parameter as the client wrote it
// and the accepted form.
#include <algorithm>
#include <charconv>
#include <optional>
#include <string>
#include <string_view>

#include "api/zentrunk/calls.h"
#include "core/enums.h"
#include "core/time.h"

namespace cdrd::api::zentrunk {
namespace {

constexpr int kMaxLimit = 20;
constexpr std::size_t kMaxEchoedValue = 64;

constexpr std::string_view kFilterNames =
    "call_direction, from_number, to_number, trunk_id, hangup_cause_code, hangup_source, "
    "stir_verification, bill_duration[__gt|__gte|__lt|__lte], "
    "end_time[__gt|__gte|__lt|__lte], initiation_time[__gt|__gte|__lt|__lte]";
constexpr std::string_view kPagingNames = "limit, offset";

enum class Field {
  kDirection,
  kFromNumber,
  kToNumber,
  kTrunkId,
  kHangupCauseCode,
  kHangupSource,
  kStir,
  kBillDuration,
  kEndTime,
  kInitiationTime,
  kLimit,
  kOffset,
};

enum class Op { kExact, kGt, kGte, kLt, kLte };

struct ParamSpec {
  std::string_view name;
  Field field;
  Op op;
};

constexpr ParamSpec kParams[] = {
    {"call_direction", Field::kDirection, Op::kExact},
    {"from_number", Field::kFromNumber, Op::kExact},
    {"to_number", Field::kToNumber, Op::kExact},
    {"trunk_id", Field::kTrunkId, Op::kExact},
    {"hangup_cause_code", Field::kHangupCauseCode, Op::kExact},
    {"hangup_source", Field::kHangupSource, Op::kExact},
    {"stir_verification", Field::kStir, Op::kExact},
    {"bill_duration", Field::kBillDuration, Op::kExact},
    {"bill_duration__gt", Field::kBillDuration, Op::kGt},
    {"bill_duration__gte", Field::kBillDuration, Op::kGte},
    {"bill_duration__lt", Field::kBillDuration, Op::kLt},
    {"bill_duration__lte", Field::kBillDuration, Op::kLte},
    {"end_time", Field::kEndTime, Op::kExact},
    {"end_time__gt", Field::kEndTime, Op::kGt},
    {"end_time__gte", Field::kEndTime, Op::kGte},
    {"end_time__lt", Field::kEndTime, Op::kLt},
    {"end_time__lte", Field::kEndTime, Op::kLte},
    {"initiation_time", Field::kInitiationTime, Op::kExact},
    {"initiation_time__gt", Field::kInitiationTime, Op::kGt},
    {"initiation_time__gte", Field::kInitiationTime, Op::kGte},
    {"initiation_time__lt", Field::kInitiationTime, Op::kLt},
    {"initiation_time__lte", Field::kInitiationTime, Op::kLte},
    {"limit", Field::kLimit, Op::kExact},
    {"offset", Field::kOffset, Op::kExact},
};
constexpr std::size_t kParamCount = sizeof kParams / sizeof kParams[0];

const ParamSpec* find_param(std::string_view name) {
  for (const ParamSpec& p : kParams) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

// The client's text inside an error message: bounded, so a huge value is not echoed back.
std::string echo(std::string_view value) {
  if (value.size() <= kMaxEchoedValue) return std::string(value);
  return std::string(value.substr(0, kMaxEchoedValue)) + "...";
}

Status bad_value(std::string_view name, std::string_view accepted, std::string_view value) {
  return bad_param_value(name, accepted, value);
}

std::string_view trim_spaces(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// A non-negative decimal integer of at most `max_digits` digits (leading zeros allowed),
// surrounded by optional spaces (a raw '+' sign decodes to a space).
std::optional<std::int64_t> parse_non_negative(std::string_view text, std::size_t max_digits) {
  text = trim_spaces(text);
  while (text.size() > 1 && text.front() == '0') text.remove_prefix(1);
  if (!all_digits(text) || text.size() > max_digits) return std::nullopt;
  std::int64_t v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || ptr != text.data() + text.size()) return std::nullopt;
  return v;
}

bool is_username_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '*' || c == '#' || c == '-';
}

// from_number / to_number. A number (or its prefix) is 1 to 15 digits; written with '+' it must
// be digits. Without '+', any SIP username of [A-Za-z0-9._*#-]{1,64} is also accepted, because
// the store keeps non-phone callers exactly as the switch sent them. A raw '+' in a query string
// decodes to ' ', so a leading space counts as the '+'.
std::optional<NumberPrefix> parse_number_filter(std::string_view raw) {
  bool plus = !raw.empty() && raw.front() == ' ';
  std::string_view s = trim_spaces(raw);
  if (!s.empty() && s.front() == '+') {
    plus = true;
    s.remove_prefix(1);
  }
  if (plus) {
    if (!all_digits(s) || s.size() > 15) return std::nullopt;
  } else if (s.empty() || s.size() > 64 || !std::all_of(s.begin(), s.end(), is_username_char)) {
    return std::nullopt;
  }
  return NumberPrefix{std::string(s)};
}

bool is_trunk_id_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

// A timestamp filter value. An ISO "+00:00" suffix written raw arrives as " 00:00"; restore it.
std::optional<TimeInterval> parse_time_filter(std::string_view raw) {
  std::string text(trim_spaces(raw));
  constexpr std::string_view kDecodedUtcOffset = " 00:00";
  if (text.size() > 16 + kDecodedUtcOffset.size() && text.ends_with(kDecodedUtcOffset)) {
    text[text.size() - kDecodedUtcOffset.size()] = '+';
  }
  return parse_timestamp(text);
}

void apply_int_bound(IntRange& range, Op op, std::int64_t v) {
  auto raise_min = [&](std::int64_t m) { range.min = range.min ? std::max(*range.min, m) : m; };
  auto lower_max = [&](std::int64_t m) { range.max = range.max ? std::min(*range.max, m) : m; };
  switch (op) {
    case Op::kExact:
      raise_min(v);
      lower_max(v);
      break;
    case Op::kGt:
      raise_min(v + 1);
      break;
    case Op::kGte:
      raise_min(v);
      break;
    case Op::kLt:
      lower_max(v - 1);
      break;
    case Op::kLte:
      lower_max(v);
      break;
  }
}

// The interval semantics of a timestamp written at some precision: "11:47" is the whole minute,
// so "after 11:47" starts at 11:48 and "before 11:47" ends at 11:47:00.
void apply_time_bound(TimeRange& range, Op op, const TimeInterval& t) {
  auto raise_from = [&](Micros m) { range.from = range.from ? std::max(*range.from, m) : m; };
  auto lower_until = [&](Micros m) { range.until = range.until ? std::min(*range.until, m) : m; };
  switch (op) {
    case Op::kExact:
      raise_from(t.start);
      lower_until(t.end());
      break;
    case Op::kGt:
      raise_from(t.end());
      break;
    case Op::kGte:
      raise_from(t.start);
      break;
    case Op::kLt:
      lower_until(t.start);
      break;
    case Op::kLte:
      lower_until(t.end());
      break;
  }
}

}  // namespace

// The list's parser; without `paging`, limit and offset are unknown names, and
// `other_names` (the caller's own parameters) lead the list of accepted names.
Result<CallQuery> parse_call_params(const http::Params& params, std::int64_t account_id, Micros now,
                                    const ApiSettings& settings, bool paging,
                                    std::string_view other_names) {
  CallQuery q;
  q.account_id = account_id;
  q.limit = kMaxLimit;
  q.offset = 0;

  bool seen[kParamCount] = {};
  bool end_time_lower = false;
  const ParamSpec* end_time_upper = nullptr;

  for (const auto& [name, value] : params) {
    const ParamSpec* spec = find_param(name);
    if (spec != nullptr && !paging &&
        (spec->field == Field::kLimit || spec->field == Field::kOffset)) {
      spec = nullptr;
    }
    if (spec == nullptr) {
      std::string accepted(other_names);
      if (!accepted.empty()) accepted += ", ";
      accepted += kFilterNames;
      if (paging) accepted += ", " + std::string(kPagingNames);
      return Status::Invalid("unknown parameter '" + echo(name) +
                             "'; accepted parameters: " + accepted);
    }
    bool& was_seen = seen[spec - kParams];
    if (was_seen) {
      return Status::Invalid(name + ": given more than once; give each parameter at most once");
    }
    was_seen = true;

    switch (spec->field) {
      case Field::kDirection: {
        auto d = parse_direction(trim_spaces(value));
        if (!d) return bad_value(name, "must be inbound or outbound", value);
        q.direction = *d;
        break;
      }
      case Field::kFromNumber:
      case Field::kToNumber: {
        auto n = parse_number_filter(value);
        if (!n) {
          return bad_value(name,
                           "must be a number or number prefix of 1 to 15 digits with or without "
                           "a leading '+', or a SIP username of 1 to 64 letters, digits and "
                           ". _ * # -",
                           value);
        }
        (spec->field == Field::kFromNumber ? q.from_number : q.to_number) = std::move(*n);
        break;
      }
      case Field::kTrunkId: {
        std::string_view t = trim_spaces(value);
        if (t.empty() || t.size() > 64 || !std::all_of(t.begin(), t.end(), is_trunk_id_char)) {
          return bad_value(name, "must be 1 to 64 letters, digits, '.', '_' or '-'", value);
        }
        q.trunk_id = std::string(t);
        break;
      }
      case Field::kHangupCauseCode: {
        auto c = parse_non_negative(value, 9);
        if (!c) return bad_value(name, "must be a non-negative integer code such as 3000", value);
        q.hangup_cause_code = static_cast<int>(*c);
        break;
      }
      case Field::kHangupSource: {
        auto s = parse_hangup_source(trim_spaces(value));
        if (!s) return bad_value(name, "must be customer, carrier or zentrunk", value);
        q.hangup_source = *s;
        break;
      }
      case Field::kStir: {
        auto s = parse_stir(trim_spaces(value));
        if (!s) {
          return bad_value(name, "must be Verified, Not Verified or Not Applicable", value);
        }
        q.stir_verification = *s;
        break;
      }
      case Field::kBillDuration: {
        // 18 digits keep x + 1 inside int64.
        auto v = parse_non_negative(value, 18);
        if (!v) return bad_value(name, "must be a non-negative integer number of seconds", value);
        apply_int_bound(q.bill_duration, spec->op, *v);
        break;
      }
      case Field::kEndTime:
      case Field::kInitiationTime: {
        auto t = parse_time_filter(value);
        if (!t) return bad_value(name, "expected YYYY-MM-DD HH:MM[:ss[.uuuuuu]] (UTC)", value);
        if (spec->field == Field::kEndTime) {
          apply_time_bound(q.end_time, spec->op, *t);
          if (spec->op == Op::kLt || spec->op == Op::kLte) {
            if (end_time_upper == nullptr) end_time_upper = spec;
          } else {
            end_time_lower = true;
          }
        } else {
          apply_time_bound(q.initiation_time, spec->op, *t);
        }
        break;
      }
      case Field::kLimit: {
        auto v = parse_non_negative(value, 2);
        if (!v || *v < 1 || *v > kMaxLimit) {
          return bad_value(name, "must be an integer from 1 to 20", value);
        }
        q.limit = static_cast<int>(*v);
        break;
      }
      case Field::kOffset: {
        auto v = parse_non_negative(value, 18);
        if (!v) return bad_value(name, "must be a non-negative integer", value);
        q.offset = *v;
        break;
      }
    }
  }

  if (end_time_upper != nullptr && !end_time_lower) {
    return Status::Invalid(std::string(end_time_upper->name) +
                           ": an upper end_time bound needs a lower one too "
                           "(end_time, end_time__gt or end_time__gte)");
  }
  if (!end_time_lower) q.end_time.from = now - settings.list_window_days * kMicrosPerDay;
  // The store never serves calls older than the retention floor; a lower bound below it is
  // raised (an end_time range entirely before it simply matches nothing).
  const Micros floor = now - settings.retention_days * kMicrosPerDay;
  q.end_time.from = std::max(*q.end_time.from, floor);
  return q;
}

Status bad_param_value(std::string_view name, std::string_view accepted, std::string_view value) {
  return Status::Invalid(std::string(name) + ": " + std::string(accepted) + ", got '" +
                         echo(value) + "'");
}

Result<CallQuery> parse_call_list_query(const http::Params& params, std::int64_t account_id,
                                        Micros now, const ApiSettings& settings) {
  return parse_call_params(params, account_id, now, settings, true, "");
}

Result<CallQuery> parse_call_filter_query(const http::Params& params, std::int64_t account_id,
                                          Micros now, const ApiSettings& settings,
                                          std::string_view other_names) {
  return parse_call_params(params, account_id, now, settings, false, other_names);
}

}  // namespace cdrd::api::zentrunk
