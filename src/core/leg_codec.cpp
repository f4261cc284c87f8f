#include "core/leg_codec.h"

#include <cstdint>
#include <optional>

#include "core/byte_codec.h"

namespace cdrd {
namespace {

constexpr unsigned char kFormatV1 = 0x01;

// The members of a leg in the format's order, each handed to a ByteWriter (Leg is const
// CallLeg) or a ByteReader (CallLeg): one list for both directions, so they cannot disagree.
template <class Leg, class Visitor>
void visit_leg(Leg& l, Visitor& v) {
  v.str(l.record_uuid);
  v.str(l.flow);
  v.str(l.result);
  v.str(l.from_username);
  v.str(l.from_domain);
  v.str(l.from_screen_name);
  v.str(l.to_username);
  v.str(l.to_domain);
  v.str(l.source_number);
  v.str(l.source_domain);
  v.str(l.dest_number);
  v.str(l.dest_domain);
  v.str(l.did_number);
  v.str(l.did_domain);
  v.str(l.ani_number);
  v.str(l.application);
  v.opt(l.extension_id);
  v.str(l.extension_name);
  v.str(l.extension_type);
  v.opt(l.extension_group_owner_id);
  v.opt(l.ext_number_reg);
  v.str(l.hangup_cause);
  v.str(l.hangup_disposition);
  v.i64(l.init_time);
  v.opt(l.start_time);
  v.i64(l.hangup_time);
  v.i64(l.duration_s);
  v.i64(l.record_file_size);
}

}  // namespace

std::string encode_legs(const std::vector<CallLeg>& legs) {
  std::string out;
  out.reserve(16 + legs.size() * 256);
  out.push_back(static_cast<char>(kFormatV1));
  ByteWriter w(out);
  w.varint(legs.size());
  for (const CallLeg& l : legs) visit_leg(l, w);
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
    visit_leg(l, r);
    if (!r.ok()) return Status::IOError("corrupt legs: truncated");
  }
  if (r.remaining() != 0) return Status::IOError("corrupt legs: trailing bytes");
  return legs;
}

}  // namespace cdrd
