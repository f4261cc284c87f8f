// JSON text helpers shared by every module that writes JSON by hand (error bodies, small
// responses). Pure; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace cdrd {

// `s` as a JSON string literal, quotes included: '"', '\\' and control characters escaped.
// Bytes >= 0x80 pass through unchanged (the caller gives UTF-8).
std::string json_quote(std::string_view s);

}  // namespace cdrd
