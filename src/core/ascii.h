// ASCII text helpers the layers share: case folding independent of the locale (header names,
// media types, enum words) and trimming of the blanks HTTP and CSV allow around a value.
// Bytes other than ASCII letters are kept as they are. Also the one percent-decoder (URLs, form
// bodies, the values switches URL-encode). Pure; thread-safe.
#pragma once

#include <cstddef>
#include <optional>
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

// True if every byte of `s` is printable ASCII, ' ' to '~' (no control character, no DEL, nothing
// from 0x80 up): text that is valid UTF-8, one character a byte. 16 bytes at a time with SSE2.
bool is_printable_ascii(std::string_view s);

// How many bytes of `s` are `c` (std::count's answer), 16 bytes at a time with SSE2: ingest
// counts the line ends of every piece of a body with it.
std::size_t count_byte(std::string_view s, char c);

// `s` without its leading and trailing spaces and tabs (HTTP's optional white space).
std::string_view trim_blanks(std::string_view s);

// RFC 3986 percent-encoding: every byte but the unreserved A-Z a-z 0-9 - . _ ~ becomes %XX
// (upper-case hex), so a space is %20 and '+' is %2B; with `keep_path_chars` the characters a
// URL path may hold as they are (/ ! $ & ' ( ) * + , ; = : @) are kept too.
std::string percent_encode(std::string_view s, bool keep_path_chars = false);

// Decodes %XX escapes (and '+' as ' ' when `plus_is_space`); nullopt on a bad escape.
std::optional<std::string> percent_decode(std::string_view s, bool plus_is_space);

}  // namespace cdrd
