// AnyCall: calls with every member set at random, for the tests of a codec that must carry any
// value a CallRecord can hold (store/segment's call codec): strings of any bytes (empty, NUL,
// not UTF-8), optionals present or not, integers from the extremes to the small ones, every
// enum code, legs or none. Deterministic for a seed. Test code only.
#pragma once

#include <cstdint>
#include <limits>
#include <random>
#include <string>

#include "core/call_record.h"

namespace cdrd::testing {

class AnyCall {
 public:
  explicit AnyCall(std::uint64_t seed) : rng_(seed) {}

  CallRecord next() {
    CallRecord c;
    c.account_id = i64();
    c.call_uuid = str();
    c.direction = static_cast<Direction>(below(2));
    c.from_number = str();
    c.to_number = str();
    c.initiation_time = i64();
    if (coin()) c.answer_time = i64();
    c.end_time = i64();
    c.duration_s = i64();
    c.bill_duration_s = i64();
    if (coin()) c.hangup_cause_code = static_cast<int>(rng_());
    c.hangup_cause_name = str();
    c.hangup_source = static_cast<HangupSource>(below(4));
    c.trunk_id = str();
    c.trunk_domain = str();
    c.region = str();
    c.transport = static_cast<Transport>(below(3));
    c.srtp = coin();
    c.secure_trunking = coin();
    c.rate = Money::from_units(i64());
    c.secure_trunking_rate = Money::from_units(i64());
    c.total_amount = Money::from_units(i64());
    c.rating = static_cast<RatingState>(below(3));
    c.from_country = str();
    c.to_country = str();
    c.stir_verification = static_cast<StirVerification>(below(3));
    c.attestation = static_cast<Attestation>(below(4));
    c.sip_call_id = str();
    c.cnam_lookup = coin();
    c.cnam_lookup_rate = Money::from_units(i64());
    c.from_username = str();
    c.from_domain = str();
    c.from_screen_name = str();
    c.to_username = str();
    c.to_domain = str();
    c.did_number = str();
    c.did_domain = str();
    c.bridged_username = str();
    c.bridged_domain = str();
    if (coin()) c.bridged_time = i64();
    if (coin()) c.bridged_duration_s = i64();
    if (coin()) c.extension_id = i64();
    c.extension_name = str();
    c.extension_type = str();
    if (coin()) c.extension_group_owner_id = i64();
    if (coin()) c.ext_number_reg = str();
    c.diversion_number = str();
    c.result = str();
    c.hangup_disposition = str();
    c.q850_cause = str();
    if (coin()) c.quality_rate = static_cast<int>(rng_());
    if (coin()) c.quality_max_rate = static_cast<int>(rng_());
    for (std::uint64_t n = below(3); n > 0; --n) {
      CallLeg l;
      l.record_uuid = str();
      l.flow = str();
      l.to_domain = str();
      if (coin()) l.extension_id = i64();
      if (coin()) l.ext_number_reg = str();
      l.init_time = i64();
      if (coin()) l.start_time = i64();
      l.duration_s = i64();
      c.legs.push_back(l);
    }
    if (coin()) c.quality.rtt_ms = real();
    if (coin()) c.quality.jitter_ms = real();
    if (coin()) c.quality.packet_loss_pct = real();
    if (coin()) c.quality.post_dial_delay_ms = i64();
    c.quality.caller_carrier = str();
    c.quality.callee_carrier = str();
    c.quality.from_region = str();
    c.quality.to_region = str();
    return c;
  }

 private:
  std::uint64_t below(std::uint64_t n) { return rng_() % n; }
  bool coin() { return below(2) == 1; }
  std::int64_t i64() {
    switch (below(4)) {
      case 0:
        return std::numeric_limits<std::int64_t>::min() + static_cast<std::int64_t>(below(3));
      case 1:
        return std::numeric_limits<std::int64_t>::max() - static_cast<std::int64_t>(below(3));
      case 2:
        return static_cast<std::int64_t>(below(300)) - 150;
      default:
        return static_cast<std::int64_t>(rng_());
    }
  }
  double real() {
    switch (below(4)) {
      case 0:
        return -0.0;
      case 1:
        return std::numeric_limits<double>::infinity();
      case 2:
        return std::numeric_limits<double>::denorm_min();
      default:
        return static_cast<double>(rng_() % 100000) / 7.0;
    }
  }
  std::string str() {
    std::string s(below(4) == 0 ? 0 : below(40), '\0');
    for (char& ch : s) ch = static_cast<char>(rng_());
    return s;
  }

  std::mt19937_64 rng_;
};

}  // namespace cdrd::testing
