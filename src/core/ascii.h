// ASCII text helpers the layers share: case folding independent of the locale (header names,
// media types, enum words) and trimming of the blanks HTTP and CSV allow around a value.
// Bytes other than ASCII letters are kept as they are. Pure; thread-safe; no failures.
#pragma once

#include <string>
#include <string_view>

namespace cdrd {

constexpr char ascii_lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}
constexpr char ascii_upper(char c) {
  return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
}
std::string ascii_lower(std::string_view s);
// True if `a` and `b` are equal once ASCII letters are folded to one case.
bool iequals(std::string_view a, std::string_view b);

// `s` without its leading and trailing spaces and tabs (HTTP's optional white space).
std::string_view trim_blanks(std::string_view s);

}  // namespace cdrd
