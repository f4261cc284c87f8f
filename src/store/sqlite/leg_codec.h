// The legs of a call (CallRecord::legs) as one compact BLOB in the calls table, so storing and
// reading a call stays one row (no child table to join or to insert into during ingest).
//
// Format, version 1: the byte 0x01, a varint leg count, then each leg's fields in declaration
// order of CallLeg. Strings are a varint byte length and the bytes (any bytes round-trip);
// integers are zigzag varints; an optional is a byte 0 (absent) or 1 followed by its value.
// A new CallLeg field means a new format version: decode() must keep reading version 1.
//
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/call_record.h"
#include "core/status.h"

namespace cdrd::sqlite {

std::string encode_legs(const std::vector<CallLeg>& legs);
// kIOError ("corrupt legs ...") when `blob` is not something encode_legs produced.
Result<std::vector<CallLeg>> decode_legs(std::string_view blob);

}  // namespace cdrd::sqlite
