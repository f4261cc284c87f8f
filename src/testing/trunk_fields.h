// trunk_fields: a call's SIP-trunk fields alone (CallRecord's account_id through
// cnam_lookup_rate), every other field at its default: what CallStore::find_trunk_call must
// answer at least, and all a SIP-trunk view of the call may read. Test code only.
#pragma once

#include "core/call_record.h"

namespace cdrd::testing {

inline CallRecord trunk_fields(const CallRecord& c) {
  CallRecord t;
  t.account_id = c.account_id;
  t.call_uuid = c.call_uuid;
  t.direction = c.direction;
  t.from_number = c.from_number;
  t.to_number = c.to_number;
  t.initiation_time = c.initiation_time;
  t.answer_time = c.answer_time;
  t.end_time = c.end_time;
  t.duration_s = c.duration_s;
  t.bill_duration_s = c.bill_duration_s;
  t.hangup_cause_code = c.hangup_cause_code;
  t.hangup_cause_name = c.hangup_cause_name;
  t.hangup_source = c.hangup_source;
  t.trunk_id = c.trunk_id;
  t.trunk_domain = c.trunk_domain;
  t.region = c.region;
  t.transport = c.transport;
  t.srtp = c.srtp;
  t.secure_trunking = c.secure_trunking;
  t.rate = c.rate;
  t.secure_trunking_rate = c.secure_trunking_rate;
  t.total_amount = c.total_amount;
  t.rating = c.rating;
  t.from_country = c.from_country;
  t.to_country = c.to_country;
  t.stir_verification = c.stir_verification;
  t.attestation = c.attestation;
  t.sip_call_id = c.sip_call_id;
  t.cnam_lookup = c.cnam_lookup;
  t.cnam_lookup_rate = c.cnam_lookup_rate;
  return t;
}

}  // namespace cdrd::testing
