// JSON text helpers shared by every module that writes JSON by hand (error bodies, small
// responses). Pure; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace cdrd {

// `s` as a JSON string literal, quotes included: '"', '\\' and control characters escaped.
// UTF-8 passes through unchanged; a byte that does not start a well-formed UTF-8 sequence
// (messages echo what clients sent, and an echo may be cut mid-character) becomes U+FFFD, so
// the result is always valid JSON text.
std::string json_quote(std::string_view s);

}  // namespace cdrd
