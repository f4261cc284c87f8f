#include "core/call_export.h"

#include <charconv>

#include "core/json_writer.h"

namespace cdrd {
namespace {

void append_int(std::string& out, std::int64_t v) {
  char buf[24];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, static_cast<std::size_t>(end - buf));
}

// Money::to_fixed5 without the allocation: "-12.34500".
void append_money(std::string& out, Money m) {
  const std::int64_t units = m.units();
  // The magnitude as unsigned, so that the most negative value has one too.
  const std::uint64_t a =
      units < 0 ? 0 - static_cast<std::uint64_t>(units) : static_cast<std::uint64_t>(units);
  if (units < 0) out += '-';
  char buf[24];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, a / 100000);
  out.append(buf, static_cast<std::size_t>(end - buf));
  std::uint64_t frac = a % 100000;
  char digits[6] = {'.', '0', '0', '0', '0', '0'};
  for (int i = 5; i >= 1; --i) {
    digits[i] = static_cast<char>('0' + frac % 10);
    frac /= 10;
  }
  out.append(digits, 6);
}

void two_digits(char* p, std::int64_t v) {
  p[0] = static_cast<char>('0' + v / 10);
  p[1] = static_cast<char>('0' + v % 10);
}

// Bytes that a JSON string cannot take as they are (control characters, '"', '\\', and every
// non-ASCII byte, which may not be UTF-8), and bytes that make a CSV cell quoted.
struct SpecialBytes {
  bool json[256] = {};
  bool csv[256] = {};
  constexpr SpecialBytes() {
    for (int c = 0; c < 256; ++c) json[c] = c < 0x20 || c >= 0x80 || c == '"' || c == '\\';
    csv[static_cast<unsigned char>(',')] = csv[static_cast<unsigned char>('"')] = true;
    csv[static_cast<unsigned char>('\r')] = csv[static_cast<unsigned char>('\n')] = true;
  }
};
constexpr SpecialBytes kSpecial;

// A table lookup per byte: find_first_of would call memchr once per byte.
bool has_special(std::string_view s, const bool (&table)[256]) {
  bool any = false;
  for (const char ch : s) any |= table[static_cast<unsigned char>(ch)];
  return any;
}

// True when `s` goes into a JSON string as it is: printable ASCII without '"' or '\\'.
bool json_plain(std::string_view s) { return !has_special(s, kSpecial.json); }

void append_json_string(std::string& out, std::string_view s) {
  if (json_plain(s)) {
    out += '"';
    out += s;
    out += '"';
    return;
  }
  // Escapes, and bytes that are not UTF-8, as every JSON body of the service writes them.
  JsonWriter w;
  w.string_value(s);
  out += w.view();
}

// RFC 4180: a cell with a comma, a quote or a line break is quoted, its quotes doubled.
void append_csv_cell(std::string& out, std::string_view v) {
  if (!has_special(v, kSpecial.csv)) {
    out += v;
    return;
  }
  out += '"';
  for (const char ch : v) {
    if (ch == '"') out += '"';
    out += ch;
  }
  out += '"';
}

// ".uuuuuu" of a second's microseconds, nothing when they are zero.
void append_fraction(std::string& out, std::int64_t frac) {
  if (frac == 0) return;
  char f[7] = {'.'};
  for (int i = 6; i >= 1; --i) {
    f[i] = static_cast<char>('0' + frac % 10);
    frac /= 10;
  }
  out.append(f, sizeof f);
}

std::string_view bool_text(bool b) { return b ? "true" : "false"; }

// ',"name":' of each field, for NDJSON (the first member's ',' becomes '{').
struct MemberPrefixes {
  std::string text[std::size(kExportFields)];
  MemberPrefixes() {
    for (std::size_t i = 0; i < std::size(kExportFields); ++i) {
      text[i] = ",\"" + std::string(kExportFields[i]) + "\":";
    }
  }
};
const MemberPrefixes kMemberPrefixes;

// Appends one field in the format's way: the member name and separator for NDJSON, the comma
// for CSV. Kept apart from the values so each value is formatted once for both formats.
class Line {
 public:
  Line(std::string& out, bool csv) : out_(out), csv_(csv) {}

  // Starts field `i` (an index of kExportFields); false when it is absent and NDJSON skips it.
  void begin(std::size_t i) {
    if (csv_) {
      if (i > 0) out_ += ',';
      return;
    }
    // One append per field: the member's opening text, made once.
    const std::string& prefix = kMemberPrefixes.text[i];
    out_ += prefix;
    if (first_) out_[out_.size() - prefix.size()] = '{';
    first_ = false;
  }
  void text(std::size_t i, std::string_view v) {
    begin(i);
    if (csv_) {
      append_csv_cell(out_, v);
    } else {
      append_json_string(out_, v);
    }
  }
  // A value that needs neither quoting in CSV nor escaping in JSON: quoted in JSON when
  // `quoted`, bare otherwise (numbers, booleans).
  void plain(std::size_t i, std::string_view v, bool quoted) {
    begin(i);
    if (quoted && !csv_) out_ += '"';
    out_ += v;
    if (quoted && !csv_) out_ += '"';
  }
  void number(std::size_t i, std::int64_t v) {
    begin(i);
    append_int(out_, v);
  }
  void money(std::size_t i, Money m) {
    begin(i);
    if (!csv_) out_ += '"';
    append_money(out_, m);
    if (!csv_) out_ += '"';
  }
  // An absent value: an empty cell, or nothing at all in NDJSON.
  void absent(std::size_t i) {
    if (csv_ && i > 0) out_ += ',';
  }
  void quote_open(std::size_t i) {
    begin(i);
    if (!csv_) out_ += '"';
  }
  void quote_close() {
    if (!csv_) out_ += '"';
  }
  void end() { out_ += csv_ ? "\n" : "}\n"; }

 private:
  std::string& out_;
  bool csv_;
  bool first_ = true;
};

}  // namespace

std::optional<ExportFormat> parse_export_format(std::string_view s) {
  if (s == "ndjson") return ExportFormat::kNdjson;
  if (s == "csv") return ExportFormat::kCsv;
  return std::nullopt;
}

std::string_view export_content_type(ExportFormat f) {
  return f == ExportFormat::kCsv ? "text/csv; charset=utf-8" : "application/x-ndjson";
}

CallExportRow CallExportRow::of(const CallRecord& c, std::int64_t id) {
  CallExportRow r;
  r.id = id;
  r.account_id = c.account_id;
  r.call_uuid = c.call_uuid;
  r.direction = c.direction;
  r.from_number = c.from_number;
  r.to_number = c.to_number;
  r.initiation_time = c.initiation_time;
  r.answer_time = c.answer_time;
  r.end_time = c.end_time;
  r.duration_s = c.duration_s;
  r.bill_duration_s = c.bill_duration_s;
  if (c.hangup_cause_code) r.hangup_cause_code = *c.hangup_cause_code;
  r.hangup_cause_name = c.hangup_cause_name;
  r.hangup_source = c.hangup_source;
  r.trunk_id = c.trunk_id;
  r.trunk_domain = c.trunk_domain;
  r.region = c.region;
  r.transport = c.transport;
  r.srtp = c.srtp;
  r.secure_trunking = c.secure_trunking;
  r.rate = c.rate;
  r.secure_trunking_rate = c.secure_trunking_rate;
  r.total_amount = c.total_amount;
  r.from_country = c.from_country;
  r.to_country = c.to_country;
  r.stir_verification = c.stir_verification;
  r.attestation = c.attestation;
  r.sip_call_id = c.sip_call_id;
  r.cnam_lookup = c.cnam_lookup;
  r.cnam_lookup_rate = c.cnam_lookup_rate;
  return r;
}

void CallExportFormatter::append_header(std::string& out) const {
  if (format_ != ExportFormat::kCsv) return;
  for (std::size_t i = 0; i < std::size(kExportFields); ++i) {
    if (i > 0) out += ',';
    out += kExportFields[i];
  }
  out += '\n';
}

void CallExportFormatter::append_time(std::string& out, Micros t) {
  const std::int64_t secs = t >= 0 ? t / kMicrosPerSecond : -((-t - 1) / kMicrosPerSecond) - 1;
  const std::int64_t day = secs >= 0 ? secs / 86400 : -((-secs - 1) / 86400) - 1;
  if (day != cached_day_) {
    // The civil date of a day count (H. Hinnant's days_from_civil, inverted), as time.cpp's
    // format_timestamp writes it; years 0000-9999 only, the rest the slow way.
    const std::int64_t z = day + 719468;
    const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const std::int64_t doe = z - era * 146097;
    const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const std::int64_t mp = (5 * doy + 2) / 153;
    const std::int64_t d = doy - (153 * mp + 2) / 5 + 1;
    const std::int64_t m = mp < 10 ? mp + 3 : mp - 9;
    const std::int64_t y = yoe + era * 400 + (m <= 2 ? 1 : 0);
    if (y < 0 || y > 9999) {
      out += format_timestamp(t);
      append_fraction(out, t - secs * kMicrosPerSecond);
      return;
    }
    two_digits(cached_date_, y / 100);
    two_digits(cached_date_ + 2, y % 100);
    cached_date_[4] = '-';
    two_digits(cached_date_ + 5, m);
    cached_date_[7] = '-';
    two_digits(cached_date_ + 8, d);
    cached_date_[10] = ' ';
    cached_day_ = day;
  }
  const std::int64_t sod = secs - day * 86400;
  char hms[8] = {0, 0, ':', 0, 0, ':', 0, 0};
  two_digits(hms, sod / 3600);
  two_digits(hms + 3, sod / 60 % 60);
  two_digits(hms + 6, sod % 60);
  out.append(cached_date_, sizeof cached_date_);
  out.append(hms, sizeof hms);
  append_fraction(out, t - secs * kMicrosPerSecond);
}

void CallExportFormatter::append(std::string& out, const CallExportRow& r,
                                 std::string_view auth_id) {
  Line line(out, format_ == ExportFormat::kCsv);
  std::size_t i = 0;
  line.text(i++, auth_id);
  line.text(i++, r.call_uuid);
  line.plain(i++, to_string(r.direction), true);
  line.text(i++, r.from_number);
  line.text(i++, r.to_number);
  line.quote_open(i++);
  append_time(out, r.initiation_time);
  line.quote_close();
  if (r.answer_time) {
    line.quote_open(i++);
    append_time(out, *r.answer_time);
    line.quote_close();
  } else {
    line.absent(i++);
  }
  line.quote_open(i++);
  append_time(out, r.end_time);
  line.quote_close();
  line.number(i++, r.duration_s);
  line.number(i++, r.bill_duration_s);
  if (r.hangup_cause_code) {
    line.number(i++, *r.hangup_cause_code);
  } else {
    line.absent(i++);
  }
  line.text(i++, r.hangup_cause_name);
  line.plain(i++, to_string(r.hangup_source), true);
  line.text(i++, r.trunk_id);
  line.text(i++, r.trunk_domain);
  line.text(i++, r.region);
  line.plain(i++, to_string(r.transport), true);
  line.plain(i++, bool_text(r.srtp), false);
  line.plain(i++, bool_text(r.secure_trunking), false);
  line.money(i++, r.rate);
  line.money(i++, r.secure_trunking_rate);
  line.money(i++, r.total_amount);
  line.text(i++, r.from_country);
  line.text(i++, r.to_country);
  line.plain(i++, to_string(r.stir_verification), true);
  if (r.attestation != Attestation::kNone) {
    line.plain(i++, to_string(r.attestation), true);
  } else {
    line.absent(i++);
  }
  line.text(i++, r.sip_call_id);
  line.plain(i++, bool_text(r.cnam_lookup), false);
  line.money(i++, r.cnam_lookup_rate);
  line.end();
}

}  // namespace cdrd
