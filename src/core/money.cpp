#include "core/money.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>

namespace cdrd {

std::optional<Money> Money::parse(std::string_view text) {
  bool negative = false;
  std::size_t pos = 0;
  if (pos < text.size() && text[pos] == '-') {
    negative = true;
    ++pos;
  }
  std::int64_t whole = 0;
  std::size_t int_digits = 0;
  while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
    if (++int_digits > kMaxIntegerDigits) return std::nullopt;
    whole = whole * 10 + (text[pos] - '0');
    ++pos;
  }
  if (int_digits == 0) return std::nullopt;
  std::int64_t frac = 0;
  if (pos < text.size()) {
    if (text[pos] != '.') return std::nullopt;
    ++pos;
    std::size_t n = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (++n > 5) return std::nullopt;
      frac = frac * 10 + (text[pos] - '0');
      ++pos;
    }
    if (n == 0 || pos != text.size()) return std::nullopt;
    for (; n < 5; ++n) frac *= 10;
  }
  // At most 10^12 * 10^5 < 2^63: cannot overflow.
  static_assert(1'000'000'000'000 * kScale < kMaxUnits / 10);
  const std::int64_t units = whole * kScale + frac;
  return Money(negative ? -units : units);
}

std::string Money::to_fixed5() const {
  if (units_ == std::numeric_limits<std::int64_t>::min()) {
    // No positive counterpart: printf's text of what the negation leaves, as ever.
    const std::int64_t a = units_;
    char buf[40];
    std::snprintf(buf, sizeof buf, "%s%lld.%05lld", "-", static_cast<long long>(a / kScale),
                  static_cast<long long>(a % kScale));
    return buf;
  }
  // "%s%lld.%05lld" of the sign, the whole units and the fraction, digit by digit (the list
  // views write three amounts per call).
  const auto a = static_cast<std::uint64_t>(units_ < 0 ? -units_ : units_);
  char buf[32];
  char* end = buf + sizeof buf;
  char* p = end;
  std::uint64_t fraction = a % static_cast<std::uint64_t>(kScale);
  for (int i = 0; i < 5; ++i, fraction /= 10) *--p = static_cast<char>('0' + fraction % 10);
  *--p = '.';
  std::uint64_t whole = a / static_cast<std::uint64_t>(kScale);
  do {
    *--p = static_cast<char>('0' + whole % 10);
    whole /= 10;
  } while (whole != 0);
  if (units_ < 0) *--p = '-';
  return std::string(p, static_cast<std::size_t>(end - p));
}

std::string Money::to_trimmed() const {
  std::string s = to_fixed5();
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  if (s == "-0") s = "0";
  return s;
}

}  // namespace cdrd
