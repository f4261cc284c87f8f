// The legs of a call (CallRecord::legs) as one compact value: a BLOB of the sqlite calls table
// (so storing and reading a call stays one row, no child table to join or to insert into during
// ingest), the ClickHouse table's `legs`, and a string of a call in a segment
// (store/segment/call_codec.h).
//
// Format, version 1: the byte 0x01, a varint leg count, then each leg's fields in declaration
// order of CallLeg, in the encodings of core/byte_codec.h (strings a varint byte length and the
// bytes: any bytes round-trip; integers zigzag varints; an optional a byte 0 or 1 and its value).
// A new CallLeg field means a new format version: decode() must keep reading version 1.
//
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/call_record.h"
#include "core/status.h"

namespace cdrd {

std::string encode_legs(const std::vector<CallLeg>& legs);
// kIOError ("corrupt legs ...") when `blob` is not something encode_legs produced.
Result<std::vector<CallLeg>> decode_legs(std::string_view blob);

}  // namespace cdrd
