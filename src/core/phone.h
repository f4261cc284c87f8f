// Phone numbers at the edge: cdrd stores a phone number in +E.164 and anything else (a SIP
// username, an extension) exactly as the switch sent it. Pure; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace cdrd {

// "+919943720205" and "919943720205" (bare international digits, as the legacy API shows them)
// both become "+919943720205": a '+' or not, then 8 to 15 digits not starting with 0.
// Anything else is returned unchanged (trimmed of surrounding spaces).
std::string normalize_number(std::string_view raw);

// True if `s` is "+" followed by 8 to 15 digits, the first not 0.
bool is_e164(std::string_view s);

}  // namespace cdrd
