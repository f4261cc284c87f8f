// The text forms of an enum as one table of {enumerator, name} rows, and the two look-ups every
// enum of core makes with it (core/enums.cpp, core/trunk.cpp): so that adding an enumerator is
// adding a row, and the parse and print directions cannot disagree. Pure; thread-safe.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>

namespace cdrd {

template <class E>
struct EnumName {
  E value;
  std::string_view name;
};

// The name of `value` in `table`, or `otherwise` when the table has no row for it.
template <class E, std::size_t N>
constexpr std::string_view name_of(const std::array<EnumName<E>, N>& table, E value,
                                   std::string_view otherwise) {
  for (const EnumName<E>& row : table) {
    if (row.value == value) return row.name;
  }
  return otherwise;
}

// The enumerator whose name `matches(name)` accepts first, or nullopt when none does.
template <class E, std::size_t N, class Match>
constexpr std::optional<E> value_of(const std::array<EnumName<E>, N>& table, Match matches) {
  for (const EnumName<E>& row : table) {
    if (matches(row.name)) return row.value;
  }
  return std::nullopt;
}

// The enumerator named exactly `name`, or nullopt.
template <class E, std::size_t N>
constexpr std::optional<E> value_of(const std::array<EnumName<E>, N>& table,
                                    std::string_view name) {
  return value_of(table, [name](std::string_view row_name) { return row_name == name; });
}

}  // namespace cdrd
