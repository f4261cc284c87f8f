#include "core/call_uuid.h"

#include <array>

namespace cdrd {
namespace {

// The bytes a call_uuid may hold. Looked up for every byte without stopping at the first bad
// one: ingest checks every record's uuid, and a uuid mixes letters, digits and dashes in no
// order a branch predictor can follow, so one table load per byte beats four comparisons and a
// branch.
constexpr std::array<bool, 256> kUuidBytes = [] {
  std::array<bool, 256> t{};
  for (int c = 'A'; c <= 'Z'; ++c) t[static_cast<std::size_t>(c)] = true;
  for (int c = 'a'; c <= 'z'; ++c) t[static_cast<std::size_t>(c)] = true;
  for (int c = '0'; c <= '9'; ++c) t[static_cast<std::size_t>(c)] = true;
  t[static_cast<std::size_t>('-')] = true;
  return t;
}();

}  // namespace

bool is_plausible_call_uuid(std::string_view s) {
  if (s.empty() || s.size() > kMaxCallUuidLength) return false;
  bool ok = true;
  for (unsigned char c : s) ok &= kUuidBytes[c];
  return ok;
}

}  // namespace cdrd
