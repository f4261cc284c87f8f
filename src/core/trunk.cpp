#include "core/trunk.h"

namespace cdrd {

std::optional<TrunkStatus> parse_trunk_status(std::string_view s) {
  if (s == "enabled") return TrunkStatus::kEnabled;
  if (s == "disabled") return TrunkStatus::kDisabled;
  return std::nullopt;
}

std::string_view to_string(TrunkStatus s) {
  return s == TrunkStatus::kEnabled ? "enabled" : "disabled";
}

}  // namespace cdrd
