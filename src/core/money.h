// Money is an exact integer count of 1/100000 currency units (the APIs show 5 decimals).
// No binary floating point anywhere on the money path: amounts parse from decimal text and
// format back to decimal text. Nothing is rounded or clamped silently: parse() refuses what it
// cannot hold exactly, and the checked operations (checked_add) say when a result would leave
// the int64 range. Plain value type; thread-safe.
#pragma once

#include <compare>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

namespace cdrd {

class Money {
 public:
  static constexpr std::int64_t kScale = 100'000;  // units per currency unit
  // The most integer digits parse() reads: 999999999999.99999 is the largest parsed amount.
  static constexpr int kMaxIntegerDigits = 12;
  // The largest amount there is: the int64 range, 92233720368547.75807.
  static constexpr std::int64_t kMaxUnits = std::numeric_limits<std::int64_t>::max();

  constexpr Money() = default;
  static constexpr Money from_units(std::int64_t units) { return Money(units); }

  // Parses a plain decimal: optional '-', digits, optional '.' and 1 to 5 digits ("0.318", "12",
  // "-0.5"). No exponent, no more than 5 decimals (more would have to be rounded: refuse instead),
  // at most kMaxIntegerDigits integer digits. Returns nullopt otherwise.
  static std::optional<Money> parse(std::string_view text);

  constexpr std::int64_t units() const { return units_; }
  constexpr bool is_zero() const { return units_ == 0; }
  constexpr bool is_negative() const { return units_ < 0; }

  // Always 5 decimals: "0.03000", "-1.50000" (the current SIP-trunk representation).
  std::string to_fixed5() const;
  // Shortest decimal with the same value: "0.318", "0", "12.5" (the legacy representation,
  // which shows JSON numbers).
  std::string to_trimmed() const;

  // a + b, or nullopt when the sum leaves the int64 range.
  static constexpr std::optional<Money> checked_add(Money a, Money b) {
    std::int64_t sum = 0;
    if (__builtin_add_overflow(a.units_, b.units_, &sum)) return std::nullopt;
    return Money(sum);
  }
  // Unchecked: for values known to be far from the range's ends (parsed amounts, whose sums
  // stay below 2 x 10^17 units); use checked_add otherwise.
  friend constexpr Money operator+(Money a, Money b) { return Money(a.units_ + b.units_); }
  friend constexpr Money operator-(Money a, Money b) { return Money(a.units_ - b.units_); }
  friend constexpr auto operator<=>(Money a, Money b) = default;

 private:
  constexpr explicit Money(std::int64_t units) : units_(units) {}
  std::int64_t units_ = 0;
};

}  // namespace cdrd
