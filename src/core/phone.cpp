#include "core/phone.h"

namespace cdrd {

bool is_e164(std::string_view s) {
  if (s.size() < 9 || s.size() > 16 || s[0] != '+' || s[1] == '0') return false;
  for (std::size_t i = 1; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  return true;
}

std::string normalize_number(std::string_view raw) {
  while (!raw.empty() && raw.front() == ' ') raw.remove_prefix(1);
  while (!raw.empty() && raw.back() == ' ') raw.remove_suffix(1);
  std::string candidate = raw.empty() || raw[0] == '+' ? std::string(raw) : "+" + std::string(raw);
  if (is_e164(candidate)) return candidate;
  return std::string(raw);
}

}  // namespace cdrd
