#include "core/trunk.h"

#include "core/enum_names.h"

namespace cdrd {
namespace {

constexpr std::array<EnumName<TrunkStatus>, 2> kTrunkStatuses = {{
    {TrunkStatus::kEnabled, "enabled"},
    {TrunkStatus::kDisabled, "disabled"},
}};

}  // namespace

std::optional<TrunkStatus> parse_trunk_status(std::string_view s) {
  return value_of(kTrunkStatuses, s);
}

std::string_view to_string(TrunkStatus s) { return name_of(kTrunkStatuses, s, "disabled"); }

}  // namespace cdrd
