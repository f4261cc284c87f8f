// Time inside cdrd is UTC, as integer microseconds since the Unix epoch (Micros).
// Strings exist only at the edges: these functions parse and format the API forms.
// Pure functions, no I/O, no time zone database; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cdrd {

using Micros = std::int64_t;
constexpr Micros kMicrosPerSecond = 1'000'000;
constexpr Micros kMicrosPerMinute = 60 * kMicrosPerSecond;
constexpr Micros kMicrosPerDay = 86'400 * kMicrosPerSecond;

// A parsed timestamp names an interval: the text "2021-03-21 11:47" is the whole minute
// [11:47:00, 11:48:00), "2021-03-21 11:47:30" the whole second, and with a fraction of n digits
// an interval of 10^-n s. `start` is its first microsecond and `width` its length.
struct TimeInterval {
  Micros start = 0;
  Micros width = 0;
  Micros end() const { return start + width; }  // first microsecond after the interval
};

// Parses "YYYY-MM-DD HH:MM[:SS[.f{1,6}]]" (UTC). A 'T' may stand for the space, and an ISO 8601
// zone designator may follow: 'Z', or an offset "+HH:MM", "+HHMM" or "+HH" (or '-'; hours at
// most 23, minutes at most 59), which is subtracted to give UTC: "2026-11-30T10:00:00+01:00" is
// 09:00:00 UTC. Returns nullopt for anything else, including impossible dates (2021-02-30) and
// hours > 23.
std::optional<TimeInterval> parse_timestamp(std::string_view text);

// Parses a Unix epoch time as switches write it: seconds, up to 10 integer digits with an
// optional fraction of 1-6 digits ("1764496800", "1764496800.250"), or whole microseconds of
// 16 or 17 digits ("1764496800250000"). Returns nullopt for anything else (a sign, a
// millisecond count of 13 digits, an exponent).
std::optional<Micros> parse_epoch(std::string_view text);

// "YYYY-MM-DD HH:MM:SS" (the fraction is truncated, as the APIs show whole seconds).
std::string format_timestamp(Micros t);

// The same text in a buffer of its own, for writers that copy it at once (the list views write
// three per call): no allocation.
struct TimestampText {
  char data[32];
  std::size_t size = 0;
  std::string_view view() const { return {data, size}; }
};
TimestampText timestamp_text(Micros t);

// "YYYY-MM-DD HH:MM:SS" followed by ".ff" (hundredths) when the fraction is not zero; used by
// the cloud-PBX leg records, which carry fractional init times.
std::string format_timestamp_centis(Micros t);

// Days since 1970-01-01 for a proleptic Gregorian date, and the reverse (Howard Hinnant's
// algorithms); exposed for tests and for the data generators.
std::int64_t days_from_civil(int y, unsigned m, unsigned d);
void civil_from_days(std::int64_t z, int& y, unsigned& m, unsigned& d);

// Floor division that is right for negative numbers too.
inline std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

}  // namespace cdrd
