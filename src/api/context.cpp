#include "api/context.h"

#include <utility>

#include "core/call_uuid.h"

namespace cdrd::api {

Micros ApiContext::now() const { return now_from(settings.now); }

namespace {

// A retrieve's lookup through `find` (CallStore::find_call or find_trunk_call).
template <class Find>
Result<CallRecord> find_one(std::string_view call_uuid, Find find) {
  // Echo at most the length a valid uuid could have.
  const auto not_found = [call_uuid] {
    std::string shown(call_uuid.substr(0, kMaxCallUuidLength));
    if (call_uuid.size() > kMaxCallUuidLength) shown += "...";
    return Status::NotFound("call not found: " + shown);
  };
  if (!is_plausible_call_uuid(call_uuid)) return not_found();
  // Moved out of the store's answer once (a record is some sixty members).
  Result<std::optional<CallRecord>> found = find();
  if (!found.ok()) return found.status();
  if (!found.value()) return not_found();
  return std::move(*found.value());
}

}  // namespace

Result<CallRecord> ApiContext::find_call(std::int64_t account_id,
                                         std::string_view call_uuid) const {
  return find_one(call_uuid,
                  [&] { return calls.find_call(account_id, call_uuid, retention_floor()); });
}

Result<CallRecord> ApiContext::find_trunk_call(std::int64_t account_id,
                                               std::string_view call_uuid) const {
  return find_one(call_uuid,
                  [&] { return calls.find_trunk_call(account_id, call_uuid, retention_floor()); });
}

}  // namespace cdrd::api
