// Internal to the zentrunk module: the single-call response body. render_call (calls.h) gives
// the bare call object used inside a list; a retrieve answers the same fields preceded by the
// request's api_id, since every response of this API carries one. Pure; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "api/zentrunk/calls.h"
#include "core/call_record.h"
#include "core/json_writer.h"

namespace cdrd::api::zentrunk {

// The members of one call in `rep` (inside an object the caller opened): what render_call
// writes, for bodies that hold calls (the list, the feed).
void write_call_fields(JsonWriter& w, const CallRecord& call, Representation rep);

// {"api_id": api_id, <the fields of render_call(call, rep)>}
std::string render_call_response(const CallRecord& call, Representation rep,
                                 std::string_view api_id);

}  // namespace cdrd::api::zentrunk
