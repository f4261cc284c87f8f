#include "service/ingest/trunk_link.h"

namespace cdrd::service::ingest {
namespace {

// Whether `raw` (a RawRecord or a FlatRecord) gives `name` a value (null and empty text count
// as left out, as in validation).
template <class Record>
bool gives(const Record& raw, std::string_view name) {
  for (const auto& f : raw.fields) {
    // The length first: most names differ in it, and it costs no call to compare the bytes.
    if (f.name.size() != name.size() || f.name != name) continue;
    const bool text = f.value.kind == RawKind::kString || f.value.kind == RawKind::kText;
    return f.value.kind != RawKind::kNull && !(text && f.value.text.empty());
  }
  return false;
}

// link_known_trunk of either record.
template <class Record>
Status link_known(CallRecord& record, const Record& raw, const std::optional<TrunkFacts>& trunk) {
  if (!trunk) {
    return Status::Invalid("trunk_id: the account has no trunk '" + record.trunk_id +
                           "' (expected the trunk_id of one of the account's trunks; create the "
                           "trunk first)");
  }
  if (record.trunk_domain.empty()) record.trunk_domain = trunk->trunk_domain;
  if (!gives(raw, "secure_trunking")) record.secure_trunking = trunk->secure;
  return Status::Ok();
}

}  // namespace

Status link_trunk(CallRecord& record, const RawRecord& raw, const TrunkResolver& resolve) {
  if (record.trunk_id.empty()) return Status::Ok();
  Result<std::optional<TrunkFacts>> trunk = resolve(record.account_id, record.trunk_id);
  if (!trunk.ok()) {
    if (trunk.status().code() == Status::Code::kInvalidArgument) {
      return Status::Internal("trunk lookup: " + trunk.status().message());
    }
    return trunk.status();
  }
  return link_known_trunk(record, raw, *trunk);
}

Status link_known_trunk(CallRecord& record, const RawRecord& raw,
                        const std::optional<TrunkFacts>& trunk) {
  return link_known(record, raw, trunk);
}

Status link_known_trunk(CallRecord& record, const FlatRecord& raw,
                        const std::optional<TrunkFacts>& trunk) {
  return link_known(record, raw, trunk);
}

}  // namespace cdrd::service::ingest
