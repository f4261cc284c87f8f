// Percent-decoding of request targets and query strings. The ASCII case folding of header names
// and methods that the server and the client share is core/ascii.h. Pure; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/ascii.h"  // header names: lower case; methods: upper case
#include "http/message.h"

namespace cdrd::http {

// Larger request heads get 431. Real requests carry a few hundred bytes of header; 16 KiB leaves
// room for long query strings without letting a client make the server buffer much.
constexpr std::uint32_t kMaxHeaderBytes = 16 * 1024;

// The path part of a request target: the part before '?', without the scheme and authority of
// an absolute-form target ("http://host/x" -> "/x"), which HTTP/1.1 servers must accept.
std::string_view target_path(std::string_view target);

// Decodes %XX escapes (core/ascii.h).
using cdrd::percent_decode;

// Splits "a=1&b=2&b=3" into decoded pairs in order; nullopt on a bad escape.
// A key without '=' has an empty value; empty segments ("a=1&&b=2") are skipped.
std::optional<Params> parse_query(std::string_view query);

// The media type of a Content-Type value: lower case, without parameters and the blanks around
// it ("Text/CSV; charset=utf-8" -> "text/csv"); "" when there is none.
std::string media_type(std::string_view content_type);

}  // namespace cdrd::http

namespace cdrd::http {

// The request target with the digits of phone-number-like query values replaced by '*', for
// logs: values of parameters whose name contains "number", "username", "did" or "caller"
// ("/x?to_number=4420&limit=5" -> "/x?to_number=****&limit=5"). The path is kept as it is.
std::string redact_numbers(std::string_view target);

}  // namespace cdrd::http
