// Money is an exact integer count of 1/100000 currency units (the APIs show 5 decimals).
// No binary floating point anywhere on the money path: amounts parse from decimal text and
// format back to decimal text. Plain value type; thread-safe.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cdrd {

class Money {
 public:
  static constexpr std::int64_t kScale = 100'000;  // units per currency unit

  constexpr Money() = default;
  static constexpr Money from_units(std::int64_t units) { return Money(units); }

  // Parses a plain decimal: optional '-', digits, optional '.' and 1 to 5 digits ("0.318", "12",
  // "-0.5"). No exponent, no more than 5 decimals (more would have to be rounded: refuse instead),
  // at most 12 integer digits. Returns nullopt otherwise.
  static std::optional<Money> parse(std::string_view text);

  constexpr std::int64_t units() const { return units_; }
  constexpr bool is_zero() const { return units_ == 0; }
  constexpr bool is_negative() const { return units_ < 0; }

  // Always 5 decimals: "0.03000", "-1.50000" (the current SIP-trunk representation).
  std::string to_fixed5() const;
  // Shortest decimal with the same value: "0.318", "0", "12.5" (the legacy representation,
  // which shows JSON numbers).
  std::string to_trimmed() const;

  friend constexpr Money operator+(Money a, Money b) { return Money(a.units_ + b.units_); }
  friend constexpr Money operator-(Money a, Money b) { return Money(a.units_ - b.units_); }
  friend constexpr auto operator<=>(Money a, Money b) = default;

 private:
  constexpr explicit Money(std::int64_t units) : units_(units) {}
  std::int64_t units_ = 0;
};

}  // namespace cdrd
