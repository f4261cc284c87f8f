#include "core/time.h"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstdio>
#include <cstring>

namespace cdrd {

std::int64_t days_from_civil(int y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

void civil_from_days(std::int64_t z, int& y, unsigned& m, unsigned& d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t yy = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = static_cast<int>(yy + (m <= 2));
}

namespace {

bool is_leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned days_in_month(int y, unsigned m) {
  static const unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : kDays[m - 1];
}

// Reads exactly n decimal digits at text[pos...]; false if any is not a digit.
bool digits(std::string_view text, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > text.size()) return false;
  int v = 0;
  for (std::size_t i = 0; i < n; ++i) {
    char c = text[pos + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  out = v;
  return true;
}

// text.find_last_of("+-"), without a look-up in "+-" per character.
std::size_t last_sign(std::string_view text) {
  for (std::size_t i = text.size(); i > 0; --i) {
    if (text[i - 1] == '+' || text[i - 1] == '-') return i - 1;
  }
  return std::string_view::npos;
}

// The common form "YYYY-MM-DD HH:MM:SS" (or 'T' for the space), exactly 19 characters, read at
// its fixed places: nullopt when `text` is not of that shape (then the general reading decides);
// else what the general reading gives for it (a valid instant, or nullopt inside for an
// impossible one). time_test.cpp compares the two over every shape.
std::optional<std::optional<TimeInterval>> parse_plain_seconds(std::string_view text) {
  if (text.size() != 19) return std::nullopt;
  const char* const p = text.data();
  if (p[4] != '-' || p[7] != '-' || (p[10] != ' ' && p[10] != 'T') || p[13] != ':' ||
      p[16] != ':') {
    return std::nullopt;
  }
  const auto d = [p](int i) { return static_cast<unsigned>(p[i] - '0'); };
  if constexpr (std::endian::native == std::endian::little) {
    // The 14 digit places checked 8 bytes at a time (bytes 0-7, 8-15 and 11-18, each word's
    // digit bytes picked by a mask): a byte is a digit when its high half is 3 and adding 6
    // leaves it 3 (0x30-0x39; a byte 0x3A-0x3F carries into its high half, and no byte whose
    // high half is 3 carries out of itself).
    const auto all_digits = [p](int at, std::uint64_t mask) {
      std::uint64_t w;
      std::memcpy(&w, p + at, sizeof w);
      const std::uint64_t high = mask & 0xF0F0F0F0F0F0F0F0, three = mask & 0x3030303030303030;
      return (w & high) == three && ((w + (mask & 0x0606060606060606)) & high) == three;
    };
    if (!all_digits(0, 0x00FFFF00FFFFFFFF) || !all_digits(8, 0xFFFF00FFFF00FFFF) ||
        !all_digits(11, 0xFFFF000000000000)) {
      return std::nullopt;
    }
  } else {
    // A byte below '0' wraps to a large unsigned value: one comparison checks a digit.
    for (const int i : {0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18}) {
      if (d(i) > 9) return std::nullopt;
    }
  }
  const int y = static_cast<int>(d(0) * 1000 + d(1) * 100 + d(2) * 10 + d(3));
  const unsigned mo = d(5) * 10 + d(6), day = d(8) * 10 + d(9);
  const unsigned h = d(11) * 10 + d(12), mi = d(14) * 10 + d(15), s = d(17) * 10 + d(18);
  if (y < 1970 || mo < 1 || mo > 12 || day < 1 || day > days_in_month(y, mo) || h > 23 || mi > 59 ||
      s > 59) {
    return std::optional<TimeInterval>();
  }
  const Micros secs = days_from_civil(y, mo, day) * 86400 + Micros{h} * 3600 + Micros{mi} * 60 + s;
  return std::optional<TimeInterval>(TimeInterval{secs * kMicrosPerSecond, kMicrosPerSecond});
}

}  // namespace

std::optional<TimeInterval> parse_timestamp(std::string_view text) {
  if (std::optional<std::optional<TimeInterval>> plain = parse_plain_seconds(text)) return *plain;
  // Strip the zone designator: 'Z', or an offset from UTC after the minutes.
  Micros offset = 0;
  if (!text.empty() && (text.back() == 'Z' || text.back() == 'z')) {
    text.remove_suffix(1);
  } else if (const std::size_t sign = last_sign(text);
             sign != std::string_view::npos && sign >= 16) {
    const std::string_view zone = text.substr(sign + 1);
    int oh = 0, om = 0;
    const bool ok =
        (zone.size() == 2 && digits(zone, 0, 2, oh)) ||
        (zone.size() == 4 && digits(zone, 0, 2, oh) && digits(zone, 2, 2, om)) ||
        (zone.size() == 5 && digits(zone, 0, 2, oh) && zone[2] == ':' && digits(zone, 3, 2, om));
    if (!ok || oh > 23 || om > 59) return std::nullopt;
    offset = (Micros{oh} * 3600 + Micros{om} * 60) * kMicrosPerSecond;
    if (text[sign] == '-') offset = -offset;
    text = text.substr(0, sign);
  }
  int y, mo, d, h, mi, s = 0;
  if (!digits(text, 0, 4, y) || text.size() < 16 || text[4] != '-' || !digits(text, 5, 2, mo) ||
      text[7] != '-' || !digits(text, 8, 2, d) || (text[10] != ' ' && text[10] != 'T') ||
      !digits(text, 11, 2, h) || text[13] != ':' || !digits(text, 14, 2, mi)) {
    return std::nullopt;
  }
  if (y < 1970 || mo < 1 || mo > 12 || d < 1 || static_cast<unsigned>(d) > days_in_month(y, mo) ||
      h > 23 || mi > 59) {
    return std::nullopt;
  }
  Micros width = kMicrosPerMinute;
  Micros frac = 0;
  std::size_t pos = 16;
  if (pos < text.size()) {
    if (text[pos] != ':' || !digits(text, pos + 1, 2, s) || s > 59) return std::nullopt;
    pos += 3;
    width = kMicrosPerSecond;
    if (pos < text.size()) {
      if (text[pos] != '.') return std::nullopt;
      ++pos;
      std::size_t n = text.size() - pos;
      if (n < 1 || n > 6) return std::nullopt;
      int f;
      if (!digits(text, pos, n, f)) return std::nullopt;
      width = 1;
      for (std::size_t i = n; i < 6; ++i) {
        f *= 10;
        width *= 10;
      }
      frac = f;
    }
  }
  const Micros secs = days_from_civil(y, mo, d) * 86400 + Micros{h} * 3600 + Micros{mi} * 60 + s;
  return TimeInterval{secs * kMicrosPerSecond + frac - offset, width};
}

std::optional<Micros> parse_epoch(std::string_view text) {
  const std::size_t dot = text.find('.');
  const std::string_view whole = text.substr(0, dot);
  const std::string_view frac =
      dot == std::string_view::npos ? std::string_view() : text.substr(dot + 1);
  const auto all_digits = [](std::string_view s) {
    if (s.empty()) return false;
    for (char c : s) {
      if (c < '0' || c > '9') return false;
    }
    return true;
  };
  if (!all_digits(whole) || (dot != std::string_view::npos && !all_digits(frac))) {
    return std::nullopt;
  }
  // The forms bound the digits, so the value below cannot overflow: check them first.
  const bool seconds = whole.size() <= 10 && frac.size() <= 6;
  const bool micros = (whole.size() == 16 || whole.size() == 17) && dot == std::string_view::npos;
  if (!seconds && !micros) return std::nullopt;
  Micros value = 0;
  for (char c : whole) value = value * 10 + (c - '0');
  if (seconds) {
    Micros micros = 0, scale = kMicrosPerSecond;
    for (char c : frac) {
      scale /= 10;
      micros += (c - '0') * scale;
    }
    return value * kMicrosPerSecond + micros;
  }
  return value;
}

TimestampText timestamp_text(Micros t) {
  const std::int64_t secs = floor_div(t, kMicrosPerSecond);
  const std::int64_t days = floor_div(secs, 86400);
  const std::int64_t sod = secs - days * 86400;
  int y;
  unsigned m, d;
  civil_from_days(days, y, m, d);
  TimestampText out;
  const auto hour = static_cast<unsigned>(sod / 3600);
  const auto minute = static_cast<unsigned>(sod / 60 % 60);
  const auto second = static_cast<unsigned>(sod % 60);
  if (y < 0 || y > 9999) {
    // Outside the four-digit years: printf's widths decide (a sign, more digits).
    const int n = std::snprintf(out.data, sizeof out.data, "%04d-%02u-%02u %02u:%02u:%02u", y, m, d,
                                hour, minute, second);
    out.size = n < 0 ? 0 : std::min(static_cast<std::size_t>(n), sizeof out.data - 1);
    return out;
  }
  // "YYYY-MM-DD HH:MM:SS", digit by digit: what the snprintf above writes for these years.
  char* p = out.data;
  const auto two = [&p](unsigned v) {
    *p++ = static_cast<char>('0' + v / 10);
    *p++ = static_cast<char>('0' + v % 10);
  };
  const auto year = static_cast<unsigned>(y);
  two(year / 100);
  two(year % 100);
  *p++ = '-';
  two(m);
  *p++ = '-';
  two(d);
  *p++ = ' ';
  two(hour);
  *p++ = ':';
  two(minute);
  *p++ = ':';
  two(second);
  out.size = static_cast<std::size_t>(p - out.data);
  return out;
}

std::string format_timestamp(Micros t) { return std::string(timestamp_text(t).view()); }

std::string format_timestamp_centis(Micros t) {
  std::string out = format_timestamp(t);
  const std::int64_t frac = t - floor_div(t, kMicrosPerSecond) * kMicrosPerSecond;
  const int centis = static_cast<int>(frac / 10000);
  if (centis != 0) {
    char buf[8];
    std::snprintf(buf, sizeof buf, ".%02d", centis);
    out += buf;
  }
  return out;
}

}  // namespace cdrd
