#include "core/leg_codec.h"

#include <cstdint>
#include <optional>

#include "core/byte_codec.h"

namespace cdrd {
namespace {

constexpr unsigned char kFormatV1 = 0x01;

}  // namespace

// encode_legs and decode_legs walk the same fields in the same order, one writing and one
// reading: alike on purpose (the format is that order).
std::string encode_legs(const std::vector<CallLeg>& legs) {
  std::string out;
  out.reserve(16 + legs.size() * 256);
  out.push_back(static_cast<char>(kFormatV1));
  ByteWriter w(out);
  w.varint(legs.size());
  for (const CallLeg& l : legs) {
    w.str(l.record_uuid);
    w.str(l.flow);
    w.str(l.result);
    w.str(l.from_username);
    w.str(l.from_domain);
    w.str(l.from_screen_name);
    w.str(l.to_username);
    w.str(l.to_domain);
    w.str(l.source_number);
    w.str(l.source_domain);
    w.str(l.dest_number);
    w.str(l.dest_domain);
    w.str(l.did_number);
    w.str(l.did_domain);
    w.str(l.ani_number);
    w.str(l.application);
    w.opt(l.extension_id);
    w.str(l.extension_name);
    w.str(l.extension_type);
    w.opt(l.extension_group_owner_id);
    w.opt(l.ext_number_reg);
    w.str(l.hangup_cause);
    w.str(l.hangup_disposition);
    w.i64(l.init_time);
    w.opt(l.start_time);
    w.i64(l.hangup_time);
    w.i64(l.duration_s);
    w.i64(l.record_file_size);
  }
  return out;
}

Result<std::vector<CallLeg>> decode_legs(std::string_view blob) {
  if (blob.empty() || static_cast<unsigned char>(blob[0]) != kFormatV1) {
    return Status::IOError("corrupt legs: unknown format");
  }
  ByteReader r(blob.substr(1));
  std::uint64_t n = r.varint();
  // Every leg takes well over one byte; a larger count is corruption, not a reason to allocate.
  if (!r.ok() || n > r.remaining()) return Status::IOError("corrupt legs: bad count");
  std::vector<CallLeg> legs(n);
  for (CallLeg& l : legs) {
    l.record_uuid = r.str();
    l.flow = r.str();
    l.result = r.str();
    l.from_username = r.str();
    l.from_domain = r.str();
    l.from_screen_name = r.str();
    l.to_username = r.str();
    l.to_domain = r.str();
    l.source_number = r.str();
    l.source_domain = r.str();
    l.dest_number = r.str();
    l.dest_domain = r.str();
    l.did_number = r.str();
    l.did_domain = r.str();
    l.ani_number = r.str();
    l.application = r.str();
    r.opt(l.extension_id);
    l.extension_name = r.str();
    l.extension_type = r.str();
    r.opt(l.extension_group_owner_id);
    r.opt(l.ext_number_reg);
    l.hangup_cause = r.str();
    l.hangup_disposition = r.str();
    l.init_time = r.i64();
    r.opt(l.start_time);
    l.hangup_time = r.i64();
    l.duration_s = r.i64();
    l.record_file_size = r.i64();
    if (!r.ok()) return Status::IOError("corrupt legs: truncated");
  }
  if (r.remaining() != 0) return Status::IOError("corrupt legs: trailing bytes");
  return legs;
}

}  // namespace cdrd
