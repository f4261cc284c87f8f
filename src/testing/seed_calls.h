// The example calls of the seeds as CallRecords, for the unit tests: seed 000's as its switch
// reports it (before rating and enrichment) and as the current representation shows it, seed
// 001's as the legacy representation shows it. Test code only; plain values, no failure modes.
#pragma once

#include "core/call_record.h"
#include "core/money.h"
#include "core/time.h"
#include "testing/values.h"

namespace cdrd::testing {

// The records of this file keep the same field-by-field shape on purpose: each line is one
// value of the seed's example, so a record reads against its seed line by line.

// A 4 s outbound call within India, answered after 8 s; account 1, the seed's call_uuid.
inline CallRecord seed000_reported_call() {
  CallRecord c;
  c.account_id = 1;
  c.call_uuid = "90b6eb07-796c-4d86-a4fd-44ed11667ddb";
  c.direction = Direction::kOutbound;
  c.from_number = "+912235328936";
  c.to_number = "+919943720205";
  c.initiation_time = at("2022-12-06 07:01:48");
  c.answer_time = at("2022-12-06 07:01:56");
  c.end_time = at("2022-12-06 07:02:00");
  c.duration_s = 4;
  c.bill_duration_s = 4;
  return c;
}

// Seed 000's example: a 4 s outbound call at 0.03 per minute.
inline CallRecord seed000_call() {
  CallRecord c = seed000_reported_call();
  c.hangup_cause_code = 3000;
  c.hangup_cause_name = "normal_hangup";
  c.hangup_source = HangupSource::kCarrier;
  c.trunk_id = "93667062664669661";
  c.trunk_domain = "93667062664669661.ap-south-1.zt.plivo.com";
  c.region = "ap-south-1";
  c.transport = Transport::kUdp;
  c.srtp = false;
  c.secure_trunking = false;
  c.rate = money("0.03");
  c.secure_trunking_rate = money("0");
  c.total_amount = money("0.002");
  c.from_country = "IN";
  c.to_country = "IN";
  c.stir_verification = StirVerification::kNotApplicable;
  c.attestation = Attestation::kNone;
  c.sip_call_id = "a84b4c76e66710@pc33.example.com";
  c.cnam_lookup = false;
  c.cnam_lookup_rate = money("0");
  return c;
}

// Seed 001's example: a Brazil -> US call with secure trunking, shown with numeric numbers.
inline CallRecord seed001_call() {
  CallRecord c;
  c.account_id = 1;
  c.call_uuid = "6c3a8b60-26e0-4842-9387-2350de79f16b";
  c.direction = Direction::kOutbound;
  c.from_number = "+552135006716";
  c.to_number = "+12604109832";
  c.initiation_time = at("2022-05-26 13:32:06");
  c.answer_time = at("2022-05-26 13:32:09");
  c.end_time = at("2022-05-26 13:32:37");
  c.duration_s = 28;
  c.bill_duration_s = 7200;
  c.hangup_cause_code = 3010;
  c.hangup_cause_name = "normal_hangup";
  c.hangup_source = HangupSource::kCustomer;
  c.trunk_id = "126041xxxx";
  c.trunk_domain = "31723558297410168.zt.plivops.com";
  c.region = "us-east-1";
  c.transport = Transport::kUdp;
  c.srtp = false;
  c.secure_trunking = true;
  c.rate = money("0.318");
  c.secure_trunking_rate = money("0");
  c.total_amount = money("0.318");
  c.from_country = "BR";
  c.to_country = "US";
  c.stir_verification = StirVerification::kNotVerified;
  c.attestation = Attestation::kB;
  return c;
}

}  // namespace cdrd::testing
