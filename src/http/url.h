// Percent-decoding of request targets and query strings, and the ASCII case folding of header
// names and methods that the server and the client share. Pure; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "http/message.h"

namespace cdrd::http {

// Larger request heads get 431. Real requests carry a few hundred bytes of header; 16 KiB leaves
// room for long query strings without letting a client make the server buffer much.
constexpr std::uint32_t kMaxHeaderBytes = 16 * 1024;

// The path part of a request target: the part before '?', without the scheme and authority of
// an absolute-form target ("http://host/x" -> "/x"), which HTTP/1.1 servers must accept.
std::string_view target_path(std::string_view target);

// Decodes %XX escapes (and '+' as ' ' when `plus_is_space`); nullopt on a bad escape.
std::optional<std::string> percent_decode(std::string_view s, bool plus_is_space);

// Splits "a=1&b=2&b=3" into decoded pairs in order; nullopt on a bad escape.
// A key without '=' has an empty value; empty segments ("a=1&&b=2") are skipped.
std::optional<Params> parse_query(std::string_view query);

// ASCII case folding, independent of the locale: header names are compared and stored in lower
// case, methods in upper case. Bytes other than ASCII letters are kept as they are.
constexpr char ascii_lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}
constexpr char ascii_upper(char c) {
  return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
}
std::string ascii_lower(std::string_view s);

}  // namespace cdrd::http

namespace cdrd::http {

// The request target with the digits of phone-number-like query values replaced by '*', for
// logs: values of parameters whose name contains "number", "username", "did" or "caller"
// ("/x?to_number=4420&limit=5" -> "/x?to_number=****&limit=5"). The path is kept as it is.
std::string redact_numbers(std::string_view target);

}  // namespace cdrd::http
