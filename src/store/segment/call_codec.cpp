#include "store/segment/call_codec.h"

#include <cstdint>

#include "core/byte_codec.h"
#include "core/leg_codec.h"

namespace cdrd::segment {
namespace {

constexpr unsigned char kFormatV1 = 0x01;

// A member added to CallRecord or CallQuality stops the build here until it is encoded below.
static_assert(sizeof(CallRecord) == 1280 && sizeof(CallQuality) == 192,
              "encode and decode every member of CallRecord in call_codec.cpp");

template <typename Enum>
void put_enum(ByteWriter& w, Enum e) {
  w.byte(static_cast<unsigned char>(e));
}

// An enum's code, which must be at most `last`; else the reader fails.
template <typename Enum>
Enum get_enum(ByteReader& r, Enum last, bool& bad) {
  const unsigned char b = r.byte();
  if (b > static_cast<unsigned char>(last)) bad = true;
  return static_cast<Enum>(b);
}

bool get_bool(ByteReader& r, bool& bad) {
  const unsigned char b = r.byte();
  if (b > 1) bad = true;
  return b == 1;
}

}  // namespace

// encode_call and decode_call walk the same members in the same order, one writing and one
// reading: alike on purpose (the format is that order).
void encode_call(const CallRecord& c, std::string& out) {
  out.push_back(static_cast<char>(kFormatV1));
  ByteWriter w(out);
  w.i64(c.account_id);
  w.str(c.call_uuid);
  put_enum(w, c.direction);
  w.str(c.from_number);
  w.str(c.to_number);
  w.i64(c.initiation_time);
  w.opt(c.answer_time);
  w.i64(c.end_time);
  w.i64(c.duration_s);
  w.i64(c.bill_duration_s);
  w.opt(c.hangup_cause_code);
  w.str(c.hangup_cause_name);
  put_enum(w, c.hangup_source);
  w.str(c.trunk_id);
  w.str(c.trunk_domain);
  w.str(c.region);
  put_enum(w, c.transport);
  w.byte(c.srtp ? 1 : 0);
  w.byte(c.secure_trunking ? 1 : 0);
  w.i64(c.rate.units());
  w.i64(c.secure_trunking_rate.units());
  w.i64(c.total_amount.units());
  put_enum(w, c.rating);
  w.str(c.from_country);
  w.str(c.to_country);
  put_enum(w, c.stir_verification);
  put_enum(w, c.attestation);
  w.str(c.sip_call_id);
  w.byte(c.cnam_lookup ? 1 : 0);
  w.i64(c.cnam_lookup_rate.units());
  w.str(c.from_username);
  w.str(c.from_domain);
  w.str(c.from_screen_name);
  w.str(c.to_username);
  w.str(c.to_domain);
  w.str(c.did_number);
  w.str(c.did_domain);
  w.str(c.bridged_username);
  w.str(c.bridged_domain);
  w.opt(c.bridged_time);
  w.opt(c.bridged_duration_s);
  w.opt(c.extension_id);
  w.str(c.extension_name);
  w.str(c.extension_type);
  w.opt(c.extension_group_owner_id);
  w.opt(c.ext_number_reg);
  w.str(c.diversion_number);
  w.str(c.result);
  w.str(c.hangup_disposition);
  w.str(c.q850_cause);
  w.opt(c.quality_rate);
  w.opt(c.quality_max_rate);
  w.byte(c.legs.empty() ? 0 : 1);
  if (!c.legs.empty()) w.str(encode_legs(c.legs));
  const CallQuality& q = c.quality;
  w.opt(q.rtt_ms);
  w.opt(q.jitter_ms);
  w.opt(q.packet_loss_pct);
  w.opt(q.post_dial_delay_ms);
  w.str(q.caller_carrier);
  w.str(q.callee_carrier);
  w.str(q.from_region);
  w.str(q.to_region);
}

Status decode_call(std::string_view bytes, CallRecord& c) {
  if (bytes.empty() || static_cast<unsigned char>(bytes[0]) != kFormatV1) {
    return Status::IOError("corrupt call: unknown format");
  }
  ByteReader r(bytes.substr(1));
  bool bad = false;  // an enum or bool out of its range
  c.account_id = r.i64();
  r.str_into(c.call_uuid);
  c.direction = get_enum(r, Direction::kOutbound, bad);
  r.str_into(c.from_number);
  r.str_into(c.to_number);
  c.initiation_time = r.i64();
  r.opt(c.answer_time);
  c.end_time = r.i64();
  c.duration_s = r.i64();
  c.bill_duration_s = r.i64();
  r.opt(c.hangup_cause_code);
  r.str_into(c.hangup_cause_name);
  c.hangup_source = get_enum(r, HangupSource::kZentrunk, bad);
  r.str_into(c.trunk_id);
  r.str_into(c.trunk_domain);
  r.str_into(c.region);
  c.transport = get_enum(r, Transport::kTls, bad);
  c.srtp = get_bool(r, bad);
  c.secure_trunking = get_bool(r, bad);
  c.rate = Money::from_units(r.i64());
  c.secure_trunking_rate = Money::from_units(r.i64());
  c.total_amount = Money::from_units(r.i64());
  c.rating = get_enum(r, RatingState::kUnrated, bad);
  r.str_into(c.from_country);
  r.str_into(c.to_country);
  c.stir_verification = get_enum(r, StirVerification::kNotVerified, bad);
  c.attestation = get_enum(r, Attestation::kC, bad);
  r.str_into(c.sip_call_id);
  c.cnam_lookup = get_bool(r, bad);
  c.cnam_lookup_rate = Money::from_units(r.i64());
  r.str_into(c.from_username);
  r.str_into(c.from_domain);
  r.str_into(c.from_screen_name);
  r.str_into(c.to_username);
  r.str_into(c.to_domain);
  r.str_into(c.did_number);
  r.str_into(c.did_domain);
  r.str_into(c.bridged_username);
  r.str_into(c.bridged_domain);
  r.opt(c.bridged_time);
  r.opt(c.bridged_duration_s);
  r.opt(c.extension_id);
  r.str_into(c.extension_name);
  r.str_into(c.extension_type);
  r.opt(c.extension_group_owner_id);
  r.opt(c.ext_number_reg);
  r.str_into(c.diversion_number);
  r.str_into(c.result);
  r.str_into(c.hangup_disposition);
  r.str_into(c.q850_cause);
  r.opt(c.quality_rate);
  r.opt(c.quality_max_rate);
  c.legs.clear();
  if (r.present()) {
    const std::string_view legs = r.view();
    if (!r.ok()) return Status::IOError("corrupt call: truncated");
    Result<std::vector<CallLeg>> decoded = decode_legs(legs);
    if (!decoded.ok()) return Status::IOError("corrupt call: " + decoded.status().message());
    if (decoded->empty()) return Status::IOError("corrupt call: legs present but none");
    c.legs = std::move(decoded).value();
  }
  CallQuality& q = c.quality;
  r.opt(q.rtt_ms);
  r.opt(q.jitter_ms);
  r.opt(q.packet_loss_pct);
  r.opt(q.post_dial_delay_ms);
  r.str_into(q.caller_carrier);
  r.str_into(q.callee_carrier);
  r.str_into(q.from_region);
  r.str_into(q.to_region);
  if (!r.ok()) return Status::IOError("corrupt call: truncated");
  if (bad) return Status::IOError("corrupt call: a code out of its range");
  if (r.remaining() != 0) return Status::IOError("corrupt call: trailing bytes");
  return Status::Ok();
}

}  // namespace cdrd::segment
