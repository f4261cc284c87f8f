#include "service/ingest/validate.h"

#include <array>
#include <bitset>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <limits>
#include <unordered_map>
#include <vector>

#include "core/ascii.h"
#include "core/call_uuid.h"
#include "core/crypto.h"
#include "core/enums.h"
#include "core/money.h"
#include "core/phone.h"
#include "core/time.h"
#include "rating/country.h"
#include "rating/hangup.h"
#include "rating/stir.h"

namespace cdrd::service::ingest {
namespace {

using std::int64_t;

constexpr std::size_t kMaxText = 256;           // free text
constexpr std::size_t kMaxShortText = 128;      // trunk_id, trunk_domain, region
constexpr std::size_t kMaxNumberText = 64;      // from_number, to_number, call_uuid
constexpr int64_t kMaxSeconds = 1'000'000'000;  // any duration (about 31 years)
constexpr std::size_t kMaxLegs = 1000;

constexpr int64_t kInt64Min = std::numeric_limits<int64_t>::min();
constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();
constexpr int64_t kIntMax = std::numeric_limits<int>::max();

// Accepted forms, as error messages and docs/ingest.md state them.
constexpr std::string_view kFormText = "a string of at most 256 characters";
constexpr std::string_view kFormShortText = "a string of at most 128 characters";
constexpr std::string_view kFormTime =
    "a UTC timestamp \"YYYY-MM-DD HH:MM:SS[.ffffff]\" (ISO 8601 with T and Z or an offset "
    "such as +01:00 also accepted), or Unix epoch seconds (up to 6 decimals) or microseconds";
constexpr std::string_view kFormSeconds = "a whole number of seconds from 0 to 1000000000";
constexpr std::string_view kFormMoney =
    "a decimal from 0 to 999999999999.99999 with at most 5 decimals, as a string or a JSON "
    "number (e.g. \"0.31800\")";
constexpr std::string_view kFormCallUuid = "1-64 characters of A-Z, a-z, 0-9 and '-'";
constexpr std::string_view kFormBool = "true or false (CSV: true, false, 1 or 0)";
constexpr std::string_view kFormInt = "a whole number";
constexpr std::string_view kFormCountry = "two upper-case letters (ISO 3166 alpha-2, e.g. US)";
constexpr std::string_view kFormNumber =
    "a phone number or SIP user: a string (or a JSON number of digits) of 1-64 characters";
constexpr std::string_view kFormMillis = "a decimal number of milliseconds >= 0 (e.g. 12.5)";

std::string quoted(std::string_view s) { return "'" + std::string(s) + "'"; }

struct Errors {
  std::vector<std::string> list;
  void add(std::string_view field, std::string_view message) {
    list.push_back(std::string(field) + ": " + std::string(message));
  }
};

// One input value being converted, wherever it lies: a RawRecord's RawValue (`whole`, for the
// items of an array) or a FlatRecord's view (no array or object there, `whole` null).
// `printable`: the text is known to be printable ASCII (RawView::printable), so check_text
// need not read its bytes again.
struct Value {
  RawKind kind = RawKind::kNull;
  std::string_view text;
  const RawValue* whole = nullptr;
  bool printable = false;
};

Value value_of(const RawValue& v) { return Value{v.kind, v.text, &v, false}; }
Value value_of(const RawView& v) { return Value{v.kind, v.text, nullptr, v.printable}; }

// One field being converted: its full name for messages ("legs[1].flow", a prefix and the name,
// joined only when a message needs it) and accepted form.
struct FieldCtx {
  Errors& errors;
  std::string_view prefix;
  std::string_view field;
  std::string_view form;

  std::string name() const { return std::string(prefix) + std::string(field); }
  void fail(std::string_view message) const { errors.add(name(), message); }
  void bad(const Value& v) const {
    errors.add(name(), "must be " + std::string(form) + ", got " + describe(v.kind, v.text));
  }
};

bool is_text(const Value& v) { return v.kind == RawKind::kString || v.kind == RawKind::kText; }

// Absent: null, or empty text (an empty CSV cell never becomes a field at all).
bool is_absent(const Value& v) {
  return v.kind == RawKind::kNull || (is_text(v) && v.text.empty());
}

std::size_t char_count(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

// Checks text for UTF-8, control characters and length. `printable`: `s` is known to be
// printable ASCII (read so from a flat line), and only its length is left to check.
bool check_text(const FieldCtx& c, std::string_view s, std::size_t max_chars,
                bool printable = false) {
  // Printable ASCII alone (nearly every value) is valid UTF-8 without control characters, one
  // character a byte: one pass decides, or none when the reading has made it already.
  if (s.size() <= max_chars && (printable || is_printable_ascii(s))) return true;
  if (!is_valid_utf8(s)) {
    c.fail("must be valid UTF-8 text");
    return false;
  }
  for (unsigned char ch : s) {
    if (ch < 0x20 || ch == 0x7F) {
      c.fail("must not contain control characters (tab, line break, ...)");
      return false;
    }
  }
  const std::size_t n = char_count(s);
  if (n > max_chars) {
    c.fail("must be at most " + std::to_string(max_chars) + " characters, got " +
           std::to_string(n));
    return false;
  }
  return true;
}

// The checked text, a view of `v` (copied only into the record's own field).
std::optional<std::string_view> text(const FieldCtx& c, const Value& v,
                                     std::size_t max_chars = kMaxText) {
  if (!is_text(v)) {
    c.bad(v);
    return std::nullopt;
  }
  if (!check_text(c, v.text, max_chars, v.printable)) return std::nullopt;
  return v.text;
}

// A whole number in [min, max]: a JSON integer, or text holding one.
std::optional<int64_t> integer(const FieldCtx& c, const Value& v, int64_t min, int64_t max) {
  if (v.kind != RawKind::kNumber && !is_text(v)) {
    c.bad(v);
    return std::nullopt;
  }
  const std::string_view s = v.text;
  const std::size_t digits_from = !s.empty() && s[0] == '-' ? 1 : 0;
  bool ok = s.size() > digits_from;
  for (std::size_t i = digits_from; ok && i < s.size(); ++i) ok = s[i] >= '0' && s[i] <= '9';
  int64_t out = 0;
  if (ok) {
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    ok = ec == std::errc() && end == s.data() + s.size();
  }
  if (!ok || out < min || out > max) {
    c.bad(v);
    return std::nullopt;
  }
  return out;
}

std::optional<bool> boolean(const FieldCtx& c, const Value& v) {
  if (v.kind == RawKind::kBool) return v.text == "true";
  if (is_text(v) || v.kind == RawKind::kNumber) {
    const std::string lower = ascii_lower(v.text);
    if (lower == "true" || lower == "1") return true;
    if (lower == "false" || lower == "0") return false;
  }
  c.bad(v);
  return std::nullopt;
}

// Money::parse reads at most Money::kMaxIntegerDigits integer digits: kFormMoney names the limit.
static_assert(Money::kMaxIntegerDigits == 12);
std::optional<Money> money(const FieldCtx& c, const Value& v) {
  if (v.kind == RawKind::kNumber || is_text(v)) {
    const std::optional<Money> m = Money::parse(v.text);
    if (m && !m->is_negative()) return m;
  }
  c.bad(v);
  return std::nullopt;
}

// A plain decimal ("12", "0.5") in [0, max]; metrics only, never money.
std::optional<double> decimal(const FieldCtx& c, const Value& v, double max) {
  if (v.kind == RawKind::kNumber || is_text(v)) {
    const std::string_view s = v.text;
    std::size_t i = 0, int_digits = 0, frac_digits = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i, ++int_digits;
    if (i < s.size() && s[i] == '.') {
      ++i;
      while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i, ++frac_digits;
      if (frac_digits == 0) int_digits = 0;  // "1." is not accepted
    }
    double out = 0;
    if (int_digits > 0 && i == s.size()) {
      const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
      if (ec == std::errc() && std::isfinite(out) && out <= max) return out;
    }
  }
  c.bad(v);
  return std::nullopt;
}

// A timestamp to the second or finer; the stored instant is the start of its interval.
std::optional<Micros> timestamp(const FieldCtx& c, const Value& v) {
  if (is_text(v)) {
    const std::optional<TimeInterval> t = parse_timestamp(v.text);
    if (t && t->width <= kMicrosPerSecond) return t->start;
  }
  if (is_text(v) || v.kind == RawKind::kNumber) {
    if (const std::optional<Micros> t = parse_epoch(v.text)) return t;
  }
  c.bad(v);
  return std::nullopt;
}

std::optional<std::string_view> one_of(const FieldCtx& c, const Value& v,
                                       std::initializer_list<std::string_view> options) {
  if (is_text(v)) {
    for (std::string_view o : options) {
      if (v.text == o) return o;
    }
  }
  c.bad(v);
  return std::nullopt;
}

template <class T>
std::optional<T> parsed(const FieldCtx& c, const Value& v,
                        std::optional<T> (*parse)(std::string_view)) {
  if (is_text(v)) {
    if (std::optional<T> out = parse(v.text)) return out;
  }
  c.bad(v);
  return std::nullopt;
}

std::optional<std::string> phone_number(const FieldCtx& c, const Value& v) {
  bool ok = is_text(v);
  if (v.kind == RawKind::kNumber) {
    ok = !v.text.empty();
    for (char ch : v.text) ok = ok && ch >= '0' && ch <= '9';
  }
  if (!ok) {
    c.bad(v);
    return std::nullopt;
  }
  std::string n = normalize_number(v.text);
  if (n.empty()) {
    c.bad(v);
    return std::nullopt;
  }
  // normalize_number trims blanks or prepends '+': printable text stays printable.
  if (!check_text(c, n, kMaxNumberText, v.printable)) return std::nullopt;
  return n;
}

std::optional<std::string> country(const FieldCtx& c, const Value& v) {
  if (is_text(v) && v.text.size() == 2 && v.text[0] >= 'A' && v.text[0] <= 'Z' &&
      v.text[1] >= 'A' && v.text[1] <= 'Z') {
    return std::string(v.text);
  }
  c.bad(v);
  return std::nullopt;
}

template <class T>
void set(T& target, std::optional<T> value) {
  if (value) target = std::move(*value);
}
template <class T>
void set(std::optional<T>& target, std::optional<T> value) {
  if (value) target = std::move(value);
}
void set(std::optional<int>& target, std::optional<int64_t> value) {
  if (value) target = static_cast<int>(*value);
}
void set(std::string& target, std::optional<std::string_view> value) {
  if (value) target.assign(*value);
}
void set(std::optional<std::string>& target, std::optional<std::string_view> value) {
  if (value) target.emplace(*value);
}

// ceil((to - from) / 1 s) for to >= from.
int64_t ceil_seconds(Micros from, Micros to) {
  return (to - from + kMicrosPerSecond - 1) / kMicrosPerSecond;
}

// A message naming where a field is spelled differently in the APIs, or "".
std::string_view hint_for(std::string_view name, bool leg) {
  static const std::unordered_map<std::string_view, std::string_view> kRecord = {
      {"call_duration", "duration"},
      {"billed_duration", "bill_duration"},
      {"hangup_code", "hangup_cause_code"},
      {"hangup_cause", "hangup_cause_name (cause name) or q850_cause (Q.850 name)"},
      {"hangup_initiator", "hangup_source"},
      {"init_time_gmt", "initiation_time"},
      {"start_time_gmt", "answer_time"},
      {"hangup_time_gmt", "end_time"},
      {"bridged_time_gmt", "bridged_time"},
      {"total_rate", "rate"},
      {"direction", "call_direction"},
      {"auth_id", "account"},
      {"account_id", "account"},
      {"to_counrty", "to_country"},
      {"sip_call_id", "call_id"},
      {"attestation", "attestation_indicator"},
      {"cdr", "legs"},
      {"rtt", "rtt_ms"},
      {"jitter", "jitter_ms"},
      {"packet_loss", "packet_loss_pct"},
      {"post_dial_delay", "post_dial_delay_ms"},
  };
  static const std::unordered_map<std::string_view, std::string_view> kLeg = {
      {"init_time_gmt", "init_time"},
      {"start_time_gmt", "start_time"},
      {"hangup_time_gmt", "hangup_time"},
  };
  const auto& table = leg ? kLeg : kRecord;
  const auto it = table.find(name);
  return it == table.end() ? std::string_view() : it->second;
}

std::string unknown_message(std::string_view full_name, std::string_view name, bool leg) {
  std::string out = std::string(full_name) + ": unknown field";
  const std::string_view hint = hint_for(name, leg);
  if (!hint.empty()) out += " (did you mean " + std::string(hint) + "?)";
  return out;
}

// --- field tables ---------------------------------------------------------------------------

// One row of a field table: how one input field is read onto a Builder.
template <class Builder>
struct FieldSpec {
  std::string_view name;
  std::string_view form;
  bool required;
  void (*apply)(Builder&, const FieldCtx&, const Value&);
};

// Field name -> row of a field table. The names are few and fixed, so an open-addressed table
// keyed by a cheap hash of the length and three characters finds a row with one comparison,
// without hashing every byte of the name.
class FieldIndex {
 public:
  static constexpr std::size_t kNone = ~std::size_t{0};

  template <class Builder, std::size_t N>
  explicit FieldIndex(const FieldSpec<Builder> (&table)[N]) {
    static_assert(N < kSlots / 2, "keep the table at most half full");
    slots_.fill(kNone);
    for (std::size_t i = 0; i < N; ++i) {
      std::size_t s = hash(table[i].name);
      while (slots_[s] != kNone) s = (s + 1) % kSlots;
      slots_[s] = i;
      names_[i] = table[i].name;
    }
  }

  // The row of `name`, or kNone.
  std::size_t find(std::string_view name) const {
    if (name.empty()) return kNone;
    for (std::size_t s = hash(name);; s = (s + 1) % kSlots) {
      const std::size_t row = slots_[s];
      if (row == kNone || same(names_[row], name)) return row;
    }
  }
  // The row of a name the table has.
  std::size_t at(std::string_view name) const { return find(name); }

 private:
  static constexpr std::size_t kSlots = 256;
  // a == b, compared here: names are short, a call to memcmp costs more than the bytes. Eight
  // bytes at a time (the last word overlapping the one before), so a name of 9-16 characters
  // costs two comparisons.
  static bool same(std::string_view a, std::string_view b) {
    const std::size_t n = a.size();
    if (n != b.size()) return false;
    if (n >= 8) {
      for (std::size_t i = 0; i + 8 < n; i += 8) {
        if (word8(a.data() + i) != word8(b.data() + i)) return false;
      }
      return word8(a.data() + n - 8) == word8(b.data() + n - 8);
    }
    if (n >= 4) {
      return word4(a.data()) == word4(b.data()) &&
             word4(a.data() + n - 4) == word4(b.data() + n - 4);
    }
    for (std::size_t i = 0; i < n; ++i) {
      if (a[i] != b[i]) return false;
    }
    return true;
  }
  static std::uint64_t word8(const char* p) {
    std::uint64_t w;
    std::memcpy(&w, p, sizeof w);
    return w;
  }
  static std::uint32_t word4(const char* p) {
    std::uint32_t w;
    std::memcpy(&w, p, sizeof w);
    return w;
  }
  static std::size_t hash(std::string_view name) {
    const auto c = [&](std::size_t i) {
      return static_cast<std::size_t>(static_cast<unsigned char>(name[i]));
    };
    const std::size_t n = name.size();
    return (n * 131 + c(0) * 31 + c(n / 2) * 7 + c(n - 1)) % kSlots;
  }
  std::array<std::size_t, kSlots> slots_{};
  std::array<std::string_view, kSlots / 2> names_{};
};

// Reads `fields` onto `b` through `table` (`index` made from it): an unknown or repeated name
// and a required field that is not present are errors; an absent value is skipped. A field is
// named `prefix` + its name in messages ("legs[0].duration"). Returns which rows were present.
// `fields` are a RawRecord's (RawField) or a FlatRecord's (FlatField), read alike.
template <class Builder, std::size_t N, class Field>
std::bitset<N> read_fields(const FieldSpec<Builder> (&table)[N], const FieldIndex& index,
                           const std::vector<Field>& fields, const std::string& prefix, bool leg,
                           Builder& b, Errors& errors) {
  std::bitset<N> seen, present;
  for (const Field& f : fields) {
    const std::string_view name = f.name;
    const std::size_t row = index.find(name);
    if (row == FieldIndex::kNone) {
      errors.list.push_back(unknown_message(prefix + std::string(name), name, leg));
      continue;
    }
    if (seen[row]) {
      errors.add(prefix + std::string(name), "given more than once");
      continue;
    }
    seen[row] = true;
    const Value v = value_of(f.value);
    if (is_absent(v)) continue;
    present[row] = true;
    const FieldSpec<Builder>& spec = table[row];
    spec.apply(b, FieldCtx{errors, prefix, name, spec.form}, v);
  }
  // The required rows, once per table: a record that has them all costs one test.
  static const std::bitset<N> kRequired = [&table] {
    std::bitset<N> out;
    for (std::size_t i = 0; i < N; ++i) out[i] = table[i].required;
    return out;
  }();
  if ((kRequired & ~present).none()) return present;
  for (std::size_t i = 0; i < N; ++i) {
    if (table[i].required && !present[i]) {
      errors.add(prefix + std::string(table[i].name),
                 "is required (" + std::string(table[i].form) + ")");
    }
  }
  return present;
}

// --- legs --------------------------------------------------------------------------------

struct LegBuilder {
  CallLeg leg;
  std::optional<Micros> init, start, hangup;
  std::optional<int64_t> duration;
};

using LegField = FieldSpec<LegBuilder>;

using LB = LegBuilder;
using FC = FieldCtx;
using RV = Value;

// The leg and record tables have many rows of one shape (a timestamp, a duration...): each row
// is the data of one field, as docs/ingest.md lists them.
const LegField kLegFields[] = {
    {"record_uuid", kFormText, false,
     [](LB& b, const FC& c, const RV& v) { set(b.leg.record_uuid, text(c, v)); }},
    {"flow", "in, out or transfer", false,
     [](LB& b, const FC& c, const RV& v) {
       set(b.leg.flow, one_of(c, v, {"in", "out", "transfer"}));
     }},
    {"result",
     "busy, answered, bridged, not answered, rejected, failed, answered elsewhere or voicemail",
     false,
     [](LB& b, const FC& c, const RV& v) {
       set(b.leg.result, one_of(c, v,
                                {"busy", "answered", "bridged", "not answered", "rejected",
                                 "failed", "answered elsewhere", "voicemail"}));
     }},
    {"from_username", kFormText, false,
     [](LB& b, const FC& c, const RV& v) { set(b.leg.from_username, text(c, v)); }},
    {"from_domain", kFormText, false,
     [](LB& b, const FC& c, const RV& v) { set(b.leg.from_domain, text(c, v)); }},
    {"from_screen_name", kFormText, false,
     [](LB& b, const FC& c, const RV& v) { set(b.leg.from_screen_name, text(c, v)); }},
    {"to_username", kFormText, false,
     [](LB& b, const FC& c, const RV& v) { set(b.leg.to_username, text(c, v)); }},
    {"to_domain", kFormText, false,
     [](LB& b, const FC& c, const RV& v) { set(b.leg.to_domain, text(c, v)); }},
    {"source_number", kFormText, false,
     [](LB& b, const FC& c, const RV& v) { set(b.leg.source_number, text(c, v)); }},
    {"source_domain", kFormText, false,
     [](LB& b, const FC& c, const RV& v) { set(b.leg.source_domain, text(c, v)); }},
    {"dest_number", kFormText, false,
     [](LB& b, const FC& c, const RV& v) { set(b.leg.dest_number, text(c, v)); }},
    {"dest_domain", kFormText, false,
     [](LB& b, const FC& c, const RV& v) { set(b.leg.dest_domain, text(c, v)); }},
    {"did_number", kFormText, false,
     [](LB& b, const FC& c, const RV& v) { set(b.leg.did_number, text(c, v)); }},
    {"did_domain", kFormText, false,
     [](LB& b, const FC& c, const RV& v) { set(b.leg.did_domain, text(c, v)); }},
    {"ani_number", kFormText, false,
     [](LB& b, const FC& c, const RV& v) { set(b.leg.ani_number, text(c, v)); }},
    {"application", kFormText, false,
     [](LB& b, const FC& c, const RV& v) { set(b.leg.application, text(c, v)); }},
    {"extension_id", kFormInt, false,
     [](LB& b, const FC& c, const RV& v) {
       set(b.leg.extension_id, integer(c, v, kInt64Min, kInt64Max));
     }},
    {"extension_name", kFormText, false,
     [](LB& b, const FC& c, const RV& v) { set(b.leg.extension_name, text(c, v)); }},
    {"extension_type", "phone, ivr, queue or fax", false,
     [](LB& b, const FC& c, const RV& v) {
       set(b.leg.extension_type, one_of(c, v, {"phone", "ivr", "queue", "fax"}));
     }},
    {"extension_group_owner_id", kFormInt, false,
     [](LB& b, const FC& c, const RV& v) {
       set(b.leg.extension_group_owner_id, integer(c, v, kInt64Min, kInt64Max));
     }},
    {"ext_number_reg", kFormText, false,
     [](LB& b, const FC& c, const RV& v) { set(b.leg.ext_number_reg, text(c, v)); }},
    {"hangup_cause", kFormText, false,
     [](LB& b, const FC& c, const RV& v) { set(b.leg.hangup_cause, text(c, v)); }},
    {"hangup_disposition",
     "callee_bye, caller_bye, caller_cancel, callee_refuse, internal_cancel or \"\" (unknown)",
     false,
     [](LB& b, const FC& c, const RV& v) {
       set(b.leg.hangup_disposition, one_of(c, v,
                                            {"callee_bye", "caller_bye", "caller_cancel",
                                             "callee_refuse", "internal_cancel"}));
     }},
    {"init_time", kFormTime, true,
     [](LB& b, const FC& c, const RV& v) { set(b.init, timestamp(c, v)); }},
    {"start_time", kFormTime, false,
     [](LB& b, const FC& c, const RV& v) { set(b.start, timestamp(c, v)); }},
    {"hangup_time", kFormTime, true,
     [](LB& b, const FC& c, const RV& v) { set(b.hangup, timestamp(c, v)); }},
    {"duration", kFormSeconds, false,
     [](LB& b, const FC& c, const RV& v) { set(b.duration, integer(c, v, 0, kMaxSeconds)); }},
    {"record_file_size", "a whole number of bytes >= 0", false,
     [](LB& b, const FC& c, const RV& v) {
       set(b.leg.record_file_size, integer(c, v, 0, kInt64Max));
     }},
};

// Validates legs[index]; appends its errors with the "legs[i]." prefix.
std::optional<CallLeg> validate_leg(const RawValue& raw, std::size_t index, Errors& errors) {
  const std::string prefix = "legs[" + std::to_string(index) + "]";
  if (raw.kind != RawKind::kObject) {
    errors.add(prefix, "must be an object with the leg fields, got " + describe(raw));
    return std::nullopt;
  }
  static const FieldIndex kIndex(kLegFields);
  const std::size_t errors_before = errors.list.size();
  LegBuilder b;
  read_fields(kLegFields, kIndex, raw.members, prefix + ".", /*leg=*/true, b, errors);
  if (errors.list.size() != errors_before) return std::nullopt;
  if (*b.hangup < *b.init) {
    errors.add(prefix + ".init_time, " + prefix + ".hangup_time",
               "hangup_time must not be before init_time");
  }
  if (b.start && (*b.start < *b.init || *b.start > *b.hangup)) {
    errors.add(prefix + ".start_time", "must lie between init_time and hangup_time");
  }
  if (errors.list.size() != errors_before) return std::nullopt;
  b.leg.init_time = *b.init;
  b.leg.start_time = b.start;
  b.leg.hangup_time = *b.hangup;
  b.leg.duration_s = b.duration ? *b.duration : b.start ? ceil_seconds(*b.start, *b.hangup) : 0;
  return std::move(b.leg);
}

// --- the record ------------------------------------------------------------------------------

struct RecordBuilder {
  explicit RecordBuilder(CallRecord& out) : rec(out) {}

  CallRecord& rec;  // the caller's, written in place (validate_record_into)
  Errors errors;
  std::optional<std::string_view> account;  // views of the RawRecord being read
  std::optional<Direction> direction;
  std::optional<std::string_view> flow;  // checked against call_direction, not stored (below)
  std::optional<Micros> initiation, answer, end, bridged;
  std::optional<int64_t> duration, bill_duration;
  std::optional<StirVerification> stir;
  std::optional<Attestation> attestation;
  std::optional<int64_t> quality_rate, quality_max_rate;
  BillingInputs billing;
  std::string_view from_raw, to_raw;  // the numbers as sent, read again with a default country
};

using RecordField = FieldSpec<RecordBuilder>;

using RB = RecordBuilder;

#define CDRD_TEXT_FIELD(field, member)                                         \
  {                                                                            \
    field, kFormText, false,                                                   \
        [](RB& b, const FC& c, const RV& v) { set(b.rec.member, text(c, v)); } \
  }

const RecordField kRecordFields[] = {
    // identity
    {"account", "the auth_id of an existing account (\"MA...\")", true,
     [](RB& b, const FC& c, const RV& v) { set(b.account, text(c, v, kMaxNumberText)); }},
    {"call_uuid", kFormCallUuid, false,
     [](RB& b, const FC& c, const RV& v) {
       if (is_text(v) && is_plausible_call_uuid(v.text))
         b.rec.call_uuid = v.text;
       else
         c.bad(v);
     }},
    // the SIP-trunk vocabulary
    {"call_direction", "inbound or outbound", true,
     [](RB& b, const FC& c, const RV& v) { set(b.direction, parsed(c, v, &parse_direction)); }},
    {"from_number", kFormNumber, true,
     [](RB& b, const FC& c, const RV& v) {
       set(b.rec.from_number, phone_number(c, v));
       b.from_raw = v.text;
     }},
    {"to_number", kFormNumber, true,
     [](RB& b, const FC& c, const RV& v) {
       set(b.rec.to_number, phone_number(c, v));
       b.to_raw = v.text;
     }},
    {"initiation_time", kFormTime, true,
     [](RB& b, const FC& c, const RV& v) { set(b.initiation, timestamp(c, v)); }},
    {"answer_time", kFormTime, false,
     [](RB& b, const FC& c, const RV& v) { set(b.answer, timestamp(c, v)); }},
    {"end_time", kFormTime, true,
     [](RB& b, const FC& c, const RV& v) { set(b.end, timestamp(c, v)); }},
    {"duration", kFormSeconds, false,
     [](RB& b, const FC& c, const RV& v) { set(b.duration, integer(c, v, 0, kMaxSeconds)); }},
    {"bill_duration", kFormSeconds, false,
     [](RB& b, const FC& c, const RV& v) { set(b.bill_duration, integer(c, v, 0, kMaxSeconds)); }},
    {"hangup_cause_code", "a whole number from 1000 to 9999", false,
     [](RB& b, const FC& c, const RV& v) {
       set(b.rec.hangup_cause_code, integer(c, v, 1000, 9999));
     }},
    CDRD_TEXT_FIELD("hangup_cause_name", hangup_cause_name),
    {"hangup_source", "customer, carrier or zentrunk", false,
     [](RB& b, const FC& c, const RV& v) {
       set(b.rec.hangup_source, parsed(c, v, &parse_hangup_source));
     }},
    {"trunk_id", kFormShortText, false,
     [](RB& b, const FC& c, const RV& v) { set(b.rec.trunk_id, text(c, v, kMaxShortText)); }},
    {"trunk_domain", kFormShortText, false,
     [](RB& b, const FC& c, const RV& v) { set(b.rec.trunk_domain, text(c, v, kMaxShortText)); }},
    {"region", kFormShortText, false,
     [](RB& b, const FC& c, const RV& v) { set(b.rec.region, text(c, v, kMaxShortText)); }},
    {"transport_protocol", "udp, tcp or tls", false,
     [](RB& b, const FC& c, const RV& v) { set(b.rec.transport, parsed(c, v, &parse_transport)); }},
    {"srtp", kFormBool, false,
     [](RB& b, const FC& c, const RV& v) { set(b.rec.srtp, boolean(c, v)); }},
    {"secure_trunking", kFormBool, false,
     [](RB& b, const FC& c, const RV& v) { set(b.rec.secure_trunking, boolean(c, v)); }},
    {"rate", kFormMoney, false,
     [](RB& b, const FC& c, const RV& v) {
       set(b.rec.rate, money(c, v));
       b.billing.rate = true;
     }},
    {"secure_trunking_rate", kFormMoney, false,
     [](RB& b, const FC& c, const RV& v) {
       set(b.rec.secure_trunking_rate, money(c, v));
       b.billing.secure_trunking_rate = true;
     }},
    {"total_amount", kFormMoney, false,
     [](RB& b, const FC& c, const RV& v) {
       set(b.rec.total_amount, money(c, v));
       b.billing.total_amount = true;
     }},
    {"from_country", kFormCountry, false,
     [](RB& b, const FC& c, const RV& v) { set(b.rec.from_country, country(c, v)); }},
    {"to_country", kFormCountry, false,
     [](RB& b, const FC& c, const RV& v) { set(b.rec.to_country, country(c, v)); }},
    {"stir_verification", "Verified, Not Verified or Not Applicable", false,
     [](RB& b, const FC& c, const RV& v) { set(b.stir, parsed(c, v, &parse_stir)); }},
    {"attestation_indicator", "A, B, C or null", false,
     [](RB& b, const FC& c, const RV& v) { set(b.attestation, parsed(c, v, &parse_attestation)); }},
    CDRD_TEXT_FIELD("call_id", sip_call_id),
    {"cnam_lookup", kFormBool, false,
     [](RB& b, const FC& c, const RV& v) { set(b.rec.cnam_lookup, boolean(c, v)); }},
    {"cnam_lookup_rate", kFormMoney, false,
     [](RB& b, const FC& c, const RV& v) {
       set(b.rec.cnam_lookup_rate, money(c, v));
       b.billing.cnam_lookup_rate = true;
     }},
    // the cloud-PBX vocabulary
    {"flow", "in, out or transfer", false,
     [](RB& b, const FC& c, const RV& v) {
       set(b.flow, one_of(c, v, {"in", "out", "transfer"}));
     }},
    CDRD_TEXT_FIELD("from_username", from_username),
    CDRD_TEXT_FIELD("from_domain", from_domain),
    CDRD_TEXT_FIELD("from_screen_name", from_screen_name),
    CDRD_TEXT_FIELD("to_username", to_username),
    CDRD_TEXT_FIELD("to_domain", to_domain),
    CDRD_TEXT_FIELD("did_number", did_number),
    CDRD_TEXT_FIELD("did_domain", did_domain),
    CDRD_TEXT_FIELD("bridged_username", bridged_username),
    CDRD_TEXT_FIELD("bridged_domain", bridged_domain),
    {"bridged_time", kFormTime, false,
     [](RB& b, const FC& c, const RV& v) { set(b.bridged, timestamp(c, v)); }},
    {"bridged_duration", kFormSeconds, false,
     [](RB& b, const FC& c, const RV& v) {
       set(b.rec.bridged_duration_s, integer(c, v, 0, kMaxSeconds));
     }},
    {"extension_id", kFormInt, false,
     [](RB& b, const FC& c, const RV& v) {
       set(b.rec.extension_id, integer(c, v, kInt64Min, kInt64Max));
     }},
    CDRD_TEXT_FIELD("extension_name", extension_name),
    {"extension_type", "phone, ivr, queue or fax", false,
     [](RB& b, const FC& c, const RV& v) {
       set(b.rec.extension_type, one_of(c, v, {"phone", "ivr", "queue", "fax"}));
     }},
    {"extension_group_owner_id", kFormInt, false,
     [](RB& b, const FC& c, const RV& v) {
       set(b.rec.extension_group_owner_id, integer(c, v, kInt64Min, kInt64Max));
     }},
    CDRD_TEXT_FIELD("ext_number_reg", ext_number_reg),
    CDRD_TEXT_FIELD("diversion_number", diversion_number),
    {"result", "busy, answered, bridged, not answered, rejected or failed", false,
     [](RB& b, const FC& c, const RV& v) {
       set(b.rec.result,
           one_of(c, v, {"busy", "answered", "bridged", "not answered", "rejected", "failed"}));
     }},
    {"hangup_disposition",
     "callee_bye, caller_bye, caller_cancel, callee_refuse, internal_cancel or \"\" (unknown)",
     false,
     [](RB& b, const FC& c, const RV& v) {
       set(b.rec.hangup_disposition, one_of(c, v,
                                            {"callee_bye", "caller_bye", "caller_cancel",
                                             "callee_refuse", "internal_cancel"}));
     }},
    CDRD_TEXT_FIELD("q850_cause", q850_cause),
    {"quality_rate", "a whole number >= 0 (send quality_rate and quality_max_rate as two numbers)",
     false,
     [](RB& b, const FC& c, const RV& v) { set(b.quality_rate, integer(c, v, 0, kIntMax)); }},
    {"quality_max_rate", "a whole number >= 0", false,
     [](RB& b, const FC& c, const RV& v) { set(b.quality_max_rate, integer(c, v, 0, kIntMax)); }},
    {"legs", "a JSON array of leg objects (NDJSON only)", false,
     [](RB& b, const FC& c, const RV& v) {
       // An array is always a RawRecord's (a FlatRecord holds none): its items are `whole`'s.
       if (v.kind != RawKind::kArray || v.whole == nullptr) return c.bad(v);
       const std::vector<RawValue>& items = v.whole->items;
       if (items.size() > kMaxLegs) {
         return c.fail("must hold at most " + std::to_string(kMaxLegs) + " legs, got " +
                       std::to_string(items.size()));
       }
       for (std::size_t i = 0; i < items.size(); ++i) {
         if (std::optional<CallLeg> leg = validate_leg(items[i], i, c.errors)) {
           b.rec.legs.push_back(std::move(*leg));
         }
       }
     }},
    // Call Insights
    {"rtt_ms", kFormMillis, false,
     [](RB& b, const FC& c, const RV& v) { set(b.rec.quality.rtt_ms, decimal(c, v, 1e9)); }},
    {"jitter_ms", kFormMillis, false,
     [](RB& b, const FC& c, const RV& v) { set(b.rec.quality.jitter_ms, decimal(c, v, 1e9)); }},
    {"packet_loss_pct", "a decimal percentage from 0 to 100 (e.g. 0.5)", false,
     [](RB& b, const FC& c, const RV& v) {
       set(b.rec.quality.packet_loss_pct, decimal(c, v, 100));
     }},
    {"post_dial_delay_ms", "a whole number of milliseconds >= 0", false,
     [](RB& b, const FC& c, const RV& v) {
       set(b.rec.quality.post_dial_delay_ms, integer(c, v, 0, kInt64Max));
     }},
    CDRD_TEXT_FIELD("caller_carrier", quality.caller_carrier),
    CDRD_TEXT_FIELD("callee_carrier", quality.callee_carrier),
    CDRD_TEXT_FIELD("from_region", quality.from_region),
    CDRD_TEXT_FIELD("to_region", quality.to_region),
};

#undef CDRD_TEXT_FIELD

using RecordPresence = std::bitset<std::size(kRecordFields)>;

const FieldIndex& record_index() {
  static const FieldIndex index(kRecordFields);
  return index;
}

// Rating and enrichment inputs (docs/rating.md): the countries come from the numbers, the
// hangup cause name from the code's row of the hangup table, and the billing fields either
// come as a pair (rate and total_amount: the call's own billing) or not at all (cdrd rates it).
void enrich(RecordBuilder& b, bool rate_given, bool total_amount_given) {
  Errors& e = b.errors;
  struct Side {
    std::string_view number_field, country_field;
    const std::string& number;
    std::string& country;
  };
  for (Side side : {Side{"from_number", "from_country", b.rec.from_number, b.rec.from_country},
                    Side{"to_number", "to_country", b.rec.to_number, b.rec.to_country}}) {
    if (side.number.empty()) continue;  // absent or invalid: reported already
    std::string derived = rating::country_of(side.number);
    if (!side.country.empty() && side.country != derived) {
      if (derived.empty()) {
        e.add(side.country_field, quoted(side.country) + " given, but " +
                                      std::string(side.number_field) + " " + quoted(side.number) +
                                      " is not a phone number of any country (leave " +
                                      std::string(side.country_field) + " out)");
      } else {
        e.add(side.country_field,
              quoted(side.country) + " contradicts " + std::string(side.number_field) + " " +
                  quoted(side.number) + ", a number of " + derived + " (leave " +
                  std::string(side.country_field) + " out or send " + derived + ")");
      }
      continue;
    }
    side.country = std::move(derived);
  }
  if (Status s = rating::check_hangup(b.rec.hangup_cause_code, b.rec.hangup_cause_name); !s.ok()) {
    e.list.push_back(s.message());
  }
  if (rate_given != total_amount_given) {
    e.add("rate, total_amount",
          std::string("give both (the call's own billing, kept as sent) or neither (cdrd rates "
                      "the call from the account's rate deck); got only ") +
              (rate_given ? "rate" : "total_amount"));
  }
}

// The checks between fields; each runs only when the fields it needs are valid.
void check_consistency(RecordBuilder& b, const RecordPresence& present, const FieldIndex& index) {
  // The rows looked at here, found once.
  static const std::size_t kAnswerTime = index.at("answer_time"), kRate = index.at("rate"),
                           kTotalAmount = index.at("total_amount");
  const auto given = [&](std::size_t row) { return bool(present[row]); };
  Errors& e = b.errors;
  const bool answer_known = b.answer || !given(kAnswerTime);  // valid, or truly absent
  if (b.initiation && b.end && *b.end < *b.initiation) {
    e.add("initiation_time, end_time", "end_time must not be before initiation_time");
  }
  if (b.initiation && b.answer && *b.answer < *b.initiation) {
    e.add("initiation_time, answer_time", "answer_time must not be before initiation_time");
  }
  if (b.answer && b.end && *b.end < *b.answer) {
    e.add("answer_time, end_time", "end_time must not be before answer_time");
  }
  if (b.bridged && b.initiation && b.end && (*b.bridged < *b.initiation || *b.bridged > *b.end)) {
    e.add("bridged_time", "must lie between initiation_time and end_time");
  }
  if (b.duration && answer_known) {
    if (!b.answer && *b.duration != 0) {
      e.add("duration", "must be 0 for a call that was not answered (no answer_time), got " +
                            std::to_string(*b.duration));
    } else if (b.answer && b.end && *b.end >= *b.answer) {
      const int64_t talk = ceil_seconds(*b.answer, *b.end);
      if (*b.duration > talk + 1) {
        e.add("duration", "must not exceed end_time - answer_time (" + std::to_string(talk) +
                              " s, rounded up) by more than 1 s, got " +
                              std::to_string(*b.duration));
      }
    }
  }
  // A call's cloud-PBX flow is its direction (CallRecord keeps no separate flow): "in" must be
  // inbound and "out" outbound; "transfer" is accepted with either.
  if (b.flow && b.direction && *b.flow != "transfer") {
    const Direction want = *b.flow == "in" ? Direction::kInbound : Direction::kOutbound;
    if (*b.direction != want) {
      e.add("flow, call_direction", "flow " + quoted(*b.flow) + " means call_direction " +
                                        std::string(to_string(want)) + ", got " +
                                        std::string(to_string(*b.direction)));
    }
  }
  if (b.stir && b.attestation) {
    if (Status s = rating::check_stir(*b.stir, *b.attestation); !s.ok()) {
      e.list.push_back(s.message());
    }
  }
  enrich(b, given(kRate), given(kTotalAmount));
  if (b.quality_rate && b.quality_max_rate && *b.quality_rate > *b.quality_max_rate) {
    e.add("quality_rate, quality_max_rate", "quality_rate must not exceed quality_max_rate");
  }
}

// National and international-prefix numbers of `country` in E.164 (validate_record's contract).
// A number that was refused already, or that libphonenumber does not read as a valid number of
// that country, stays as the plain reading made it.
void apply_default_country(RecordBuilder& b, std::string_view country) {
  for (auto [raw, number] :
       {std::pair{&b.from_raw, &b.rec.from_number}, std::pair{&b.to_raw, &b.rec.to_number}}) {
    if (number->empty()) continue;
    std::string e164 = rating::e164_in_region(trim_blanks(*raw), country);
    if (!e164.empty()) *number = std::move(e164);
  }
}

std::string join(const std::vector<std::string>& parts) {
  std::string out;
  for (const std::string& p : parts) {
    if (!out.empty()) out += "; ";
    out += p;
  }
  return out;
}

// validate_record_into of either record's fields (RawField or FlatField).
template <class Field>
Status validate_fields_into(const std::vector<Field>& fields, const AccountResolver& resolve,
                            const DefaultCountryResolver& default_country, CallRecord& out) {
  const auto& index = record_index();
  RecordBuilder b(out);
  const RecordPresence present =
      read_fields(kRecordFields, index, fields, "", /*leg=*/false, b, b.errors);
  // A switch knows its calls by SIP Call-ID: a record without a call_uuid is named by the
  // UUIDv5 of its call_id, so the same call sent again is a duplicate (docs/ingest.md).
  static const std::size_t kCallUuid = index.at("call_uuid"), kCallId = index.at("call_id");
  if (!present[kCallUuid]) {
    if (present[kCallId] && !b.rec.sip_call_id.empty()) {
      b.rec.call_uuid = uuid_v5(b.rec.sip_call_id);
    } else {
      b.errors.add("call_uuid", "is required (" + std::string(kFormCallUuid) +
                                    "), unless call_id gives the SIP Call-ID to derive it from");
    }
  }

  // The account first: its default country decides how the numbers read (before their
  // countries are derived); its error is listed after the others, as it always was.
  bool unknown_account = false;
  if (b.account) {
    const Result<std::optional<int64_t>> id = resolve(*b.account);
    if (!id.ok()) return id.status();
    if (!id.value()) {
      unknown_account = true;
    } else {
      b.rec.account_id = **id;
      if (default_country) {
        const Result<std::string> country = default_country(**id, b.rec.trunk_id);
        if (!country.ok()) return country.status();
        if (!country->empty()) apply_default_country(b, *country);
      }
    }
  }
  check_consistency(b, present, index);
  if (unknown_account) {
    b.errors.add("account", "no account has auth_id " + quoted(*b.account) +
                                " (expected the auth_id \"MA...\" of an existing account)");
  }
  if (!b.errors.list.empty()) return Status::Invalid(join(b.errors.list));

  CallRecord& r = b.rec;
  r.direction = *b.direction;
  r.initiation_time = *b.initiation;
  r.answer_time = b.answer;
  r.end_time = *b.end;
  // The cloud-PBX view names the parties by username; a record that gives none is named by its
  // numbers, so the PBX API shows and filters the same value (docs/ingest.md).
  if (r.from_username.empty()) r.from_username = r.from_number;
  if (r.to_username.empty()) r.to_username = r.to_number;
  r.bridged_time = b.bridged;
  r.duration_s = b.duration ? *b.duration : b.answer ? ceil_seconds(*b.answer, *b.end) : 0;
  if (b.bill_duration) r.bill_duration_s = *b.bill_duration;
  if (b.stir) r.stir_verification = *b.stir;
  if (b.attestation) r.attestation = *b.attestation;
  set(r.quality_rate, b.quality_rate);
  set(r.quality_max_rate, b.quality_max_rate);
  b.billing.bill_duration = b.bill_duration.has_value();
  complete_billing(r, b.billing);
  return Status::Ok();
}

}  // namespace

bool is_known_field(std::string_view name) {
  return record_index().find(name) != FieldIndex::kNone;
}

std::string unknown_field_message(std::string_view name) {
  return unknown_message(name, name, false);
}

void complete_billing(CallRecord& record, const BillingInputs& given) {
  if (!given.bill_duration) record.bill_duration_s = record.duration_s;
  if (given.rate && given.total_amount) {
    record.rating = RatingState::kProvided;
    return;
  }
  // Not rated yet: the ingest batch rates it from the account's deck next (rate_record).
  record.rating = RatingState::kUnrated;
}

Result<CallRecord> validate_record(const RawRecord& raw, const AccountResolver& resolve,
                                   const DefaultCountryResolver& default_country) {
  CallRecord record;
  RETURN_IF_ERROR(validate_record_into(raw, resolve, default_country, record));
  return record;
}

Status validate_record_into(const RawRecord& raw, const AccountResolver& resolve,
                            const DefaultCountryResolver& default_country, CallRecord& out) {
  return validate_fields_into(raw.fields, resolve, default_country, out);
}

Status validate_record_into(const FlatRecord& raw, const AccountResolver& resolve,
                            const DefaultCountryResolver& default_country, CallRecord& out) {
  return validate_fields_into(raw.fields, resolve, default_country, out);
}

}  // namespace cdrd::service::ingest
