#include "core/money.h"

#include <cstdio>
#include <cstdlib>

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
  const std::int64_t a = units_ < 0 ? -units_ : units_;
  char buf[40];
  std::snprintf(buf, sizeof buf, "%s%lld.%05lld", units_ < 0 ? "-" : "",
                static_cast<long long>(a / kScale), static_cast<long long>(a % kScale));
  return buf;
}

std::string Money::to_trimmed() const {
  std::string s = to_fixed5();
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  if (s == "-0") s = "0";
  return s;
}

}  // namespace cdrd
