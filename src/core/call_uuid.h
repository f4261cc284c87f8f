// The form of a call_uuid, the id a switch gives a call and the idempotency key of ingest
// (unique per account). Call uuids are UUIDs in practice; ingest accepts other ids too, so the
// form is 1 to 64 characters of A-Z, a-z, 0-9 and '-'. Ingest refuses a record whose call_uuid
// has another form, and the APIs answer 404 at once for a path whose call_uuid has another form:
// it cannot name a stored call. Pure; thread-safe.
#pragma once

#include <cstddef>
#include <string_view>

namespace cdrd {

constexpr std::size_t kMaxCallUuidLength = 64;

// True when `s` has the form of a call_uuid (so may name a stored call).
bool is_plausible_call_uuid(std::string_view s);

}  // namespace cdrd
