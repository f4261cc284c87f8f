// One call as one encoded value: the record format of a segment (segment_file.h; the plan is in
// docs/architecture.md, "The segment store").
//
// Format, version 1: the byte 0x01, then every member of CallRecord in declaration order, in the
// encodings of core/byte_codec.h: integers and times as zigzag varints, enums and bools as one
// byte (checked against their range when read), money as its integer units, strings as a length
// and the bytes, optionals as a presence byte and the value, the legs as a string holding
// core/leg_codec.h's value (absent when there are none), then CallQuality's members. A new member
// of CallRecord or CallQuality stops the build (a static_assert on their sizes) until it is
// written here; a new format version keeps reading version 1.
//
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "core/call_record.h"
#include "core/status.h"

namespace cdrd::segment {

// Appends the encoding of `call` to `out`.
void encode_call(const CallRecord& call, std::string& out);

// Reads one encoded call, the whole of `bytes`, into `out`: every member is written, so a record
// reused from an earlier call keeps nothing of it (its strings keep their room). kIOError
// ("corrupt call: ...") when `bytes` is not a value encode_call wrote; `out` is then unspecified.
Status decode_call(std::string_view bytes, CallRecord& out);

}  // namespace cdrd::segment
