#include "api/context.h"

#include "core/call_uuid.h"

namespace cdrd::api {

Micros ApiContext::now() const { return now_from(settings.now); }

Result<CallRecord> ApiContext::find_call(std::int64_t account_id,
                                         std::string_view call_uuid) const {
  // Echo at most the length a valid uuid could have.
  const auto not_found = [call_uuid] {
    std::string shown(call_uuid.substr(0, kMaxCallUuidLength));
    if (call_uuid.size() > kMaxCallUuidLength) shown += "...";
    return Status::NotFound("call not found: " + shown);
  };
  if (!is_plausible_call_uuid(call_uuid)) return not_found();
  ASSIGN_OR_RETURN(std::optional<CallRecord> found,
                   calls.find_call(account_id, call_uuid, retention_floor()));
  if (!found) return not_found();
  return *std::move(found);
}

}  // namespace cdrd::api
