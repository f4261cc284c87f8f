// JSON text helpers shared by every module that writes JSON (error bodies, small responses, the
// RapidJSON views): the one place that makes echoed input safe to put in a JSON document.
// Whatever bytes they are given, the text they produce is valid UTF-8 with every control
// character escaped, so a strict parser always accepts the response. Pure; thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace cdrd {

// Length of the well-formed UTF-8 sequence that starts at s[i] (1-4), or 0 if there is none
// there (stray continuation byte, overlong form, surrogate, beyond U+10FFFF, cut short).
std::size_t utf8_sequence_length(std::string_view s, std::size_t i);
bool is_valid_utf8(std::string_view s);

// `s` with each byte that does not belong to a well-formed UTF-8 sequence replaced by U+FFFD.
// Valid input comes back unchanged.
std::string to_valid_utf8(std::string_view s);

// `s` as a JSON string literal, quotes included: '"', '\\' and control characters escaped, and
// bytes that are not UTF-8 replaced by U+FFFD (so a percent-decoded %FF echoed in an error
// message still gives valid JSON).
std::string json_quote(std::string_view s);

// Writes `s` as a string (or a member name) through a RapidJSON Writer, made valid UTF-8 first
// when it is not (RapidJSON copies bytes as they are). A template so core needs no RapidJSON.
template <class Writer>
bool json_write_string(Writer& w, std::string_view s) {
  if (is_valid_utf8(s)) return w.String(s.data(), static_cast<unsigned>(s.size()));
  const std::string fixed = to_valid_utf8(s);
  return w.String(fixed.data(), static_cast<unsigned>(fixed.size()), true);
}
template <class Writer>
bool json_write_key(Writer& w, std::string_view s) {
  if (is_valid_utf8(s)) return w.Key(s.data(), static_cast<unsigned>(s.size()));
  const std::string fixed = to_valid_utf8(s);
  return w.Key(fixed.data(), static_cast<unsigned>(fixed.size()), true);
}

}  // namespace cdrd
