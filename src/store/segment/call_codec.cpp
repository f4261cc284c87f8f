#include "store/segment/call_codec.h"

#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "core/byte_codec.h"
#include "core/leg_codec.h"

namespace cdrd::segment {
namespace {

constexpr unsigned char kFormatV1 = 0x01;

// A member added to CallRecord or CallQuality stops the build here until it is encoded below.
static_assert(sizeof(CallRecord) == 1280 && sizeof(CallQuality) == 192,
              "encode and decode every member of CallRecord in call_codec.cpp");

// The members of a call in the format's order, each handed to `v`: an Encoder (Call is
// const CallRecord) or a Decoder (CallRecord). One list for both directions, so they cannot
// disagree.
template <class Call, class Visitor>
void visit_members(Call& c, Visitor& v) {
  v.i64(c.account_id);
  v.str(c.call_uuid);
  v.code(c.direction, Direction::kOutbound);
  v.str(c.from_number);
  v.str(c.to_number);
  v.i64(c.initiation_time);
  v.opt(c.answer_time);
  v.i64(c.end_time);
  v.i64(c.duration_s);
  v.i64(c.bill_duration_s);
  v.opt(c.hangup_cause_code);
  v.str(c.hangup_cause_name);
  v.code(c.hangup_source, HangupSource::kZentrunk);
  v.str(c.trunk_id);
  v.str(c.trunk_domain);
  v.str(c.region);
  v.code(c.transport, Transport::kTls);
  v.flag(c.srtp);
  v.flag(c.secure_trunking);
  v.money(c.rate);
  v.money(c.secure_trunking_rate);
  v.money(c.total_amount);
  v.code(c.rating, RatingState::kUnrated);
  v.str(c.from_country);
  v.str(c.to_country);
  v.code(c.stir_verification, StirVerification::kNotVerified);
  v.code(c.attestation, Attestation::kC);
  v.str(c.sip_call_id);
  v.flag(c.cnam_lookup);
  v.money(c.cnam_lookup_rate);
  v.str(c.from_username);
  v.str(c.from_domain);
  v.str(c.from_screen_name);
  v.str(c.to_username);
  v.str(c.to_domain);
  v.str(c.did_number);
  v.str(c.did_domain);
  v.str(c.bridged_username);
  v.str(c.bridged_domain);
  v.opt(c.bridged_time);
  v.opt(c.bridged_duration_s);
  v.opt(c.extension_id);
  v.str(c.extension_name);
  v.str(c.extension_type);
  v.opt(c.extension_group_owner_id);
  v.opt(c.ext_number_reg);
  v.str(c.diversion_number);
  v.str(c.result);
  v.str(c.hangup_disposition);
  v.str(c.q850_cause);
  v.opt(c.quality_rate);
  v.opt(c.quality_max_rate);
  v.legs(c.legs);
  v.opt(c.quality.rtt_ms);
  v.opt(c.quality.jitter_ms);
  v.opt(c.quality.packet_loss_pct);
  v.opt(c.quality.post_dial_delay_ms);
  v.str(c.quality.caller_carrier);
  v.str(c.quality.callee_carrier);
  v.str(c.quality.from_region);
  v.str(c.quality.to_region);
}

// ByteWriter's own members write the integers, strings and optionals; these add the rest.
class Encoder : public ByteWriter {
 public:
  using ByteWriter::ByteWriter;
  template <typename Enum>
  void code(Enum e, Enum /*last*/) {
    byte(static_cast<unsigned char>(e));
  }
  void flag(bool b) { byte(b ? 1 : 0); }
  void money(Money m) { i64(m.units()); }
  // A presence byte, then the legs' own value (core/leg_codec.h) as a string.
  void legs(const std::vector<CallLeg>& legs) {
    byte(legs.empty() ? 0 : 1);
    if (!legs.empty()) str(encode_legs(legs));
  }
};

// ByteReader's own members read the integers, strings and optionals; these add the rest, and
// check what the bytes may not hold.
class Decoder : public ByteReader {
 public:
  using ByteReader::ByteReader;
  using ByteReader::i64;
  // An enum's code, which must be at most `last`.
  template <typename Enum>
  void code(Enum& e, Enum last) {
    const unsigned char b = byte();
    if (b > static_cast<unsigned char>(last)) problem_ = "a code out of its range";
    e = static_cast<Enum>(b);
  }
  void flag(bool& b) {
    const unsigned char v = byte();
    if (v > 1) problem_ = "a code out of its range";
    b = v == 1;
  }
  void money(Money& m) { m = Money::from_units(i64()); }
  void legs(std::vector<CallLeg>& legs) {
    legs.clear();
    if (!present()) return;
    const std::string_view value = view();
    if (!ok()) return;
    Result<std::vector<CallLeg>> decoded = decode_legs(value);
    if (!decoded.ok()) {
      problem_ = decoded.status().message();
    } else if (decoded->empty()) {
      problem_ = "legs present but none";
    } else {
      legs = std::move(decoded).value();
    }
  }

  Status finish() const {
    if (!ok()) return Status::IOError("corrupt call: truncated");
    if (!problem_.empty()) return Status::IOError("corrupt call: " + problem_);
    if (remaining() != 0) return Status::IOError("corrupt call: trailing bytes");
    return Status::Ok();
  }

 private:
  std::string problem_;  // the last problem found besides a cut (any one fails the call)
};

}  // namespace

void encode_call(const CallRecord& call, std::string& out) {
  out.push_back(static_cast<char>(kFormatV1));
  Encoder encoder(out);
  visit_members(call, encoder);
}

Status decode_call(std::string_view bytes, CallRecord& out) {
  if (bytes.empty() || static_cast<unsigned char>(bytes[0]) != kFormatV1) {
    return Status::IOError("corrupt call: unknown format");
  }
  Decoder decoder(bytes.substr(1));
  visit_members(out, decoder);
  return decoder.finish();
}

}  // namespace cdrd::segment
