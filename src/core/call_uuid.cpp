#include "core/call_uuid.h"

#include <algorithm>

namespace cdrd {

bool is_plausible_call_uuid(std::string_view s) {
  return !s.empty() && s.size() <= kMaxCallUuidLength &&
         std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                  c == '-';
         });
}

}  // namespace cdrd
