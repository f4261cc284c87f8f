#include "rating/hangup.h"

#include <algorithm>

namespace cdrd::rating {
namespace {

bool equal_ignoring_case(std::string_view a, std::string_view b) {
  auto low = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                            [&](char x, char y) { return low(x) == low(y); });
}

}  // namespace

const HangupCause* find_hangup_cause(int code) {
  const std::span<const HangupCause> table = hangup_causes();
  const auto it = std::lower_bound(table.begin(), table.end(), code,
                                   [](const HangupCause& c, int k) { return c.code < k; });
  return it != table.end() && it->code == code ? &*it : nullptr;
}

Status check_hangup(std::optional<int> code, std::string& name) {
  if (!code) return Status::Ok();
  const HangupCause* cause = find_hangup_cause(*code);
  if (cause == nullptr) return Status::Ok();
  if (name.empty() || equal_ignoring_case(name, cause->name)) {
    name.assign(cause->name);
    return Status::Ok();
  }
  return Status::Invalid("hangup_cause_name: '" + name + "' contradicts hangup_cause_code " +
                         std::to_string(cause->code) + " (" + std::string(cause->name) + ")");
}

}  // namespace cdrd::rating
