// CallRecord: the one record model of a finished call inside cdrd. Ingest fills it, rating
// completes it, the store keeps it, and every API shape is a view of it (see docs/data-model.md).
// Plain value types, compared member by member (==); thread-safe to copy.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/enums.h"
#include "core/money.h"
#include "core/time.h"

namespace cdrd {

// One leg of a call as a cloud-PBX records it (call_history's `cdr` array).
struct CallLeg {
  std::string record_uuid;
  std::string flow;  // in | out | transfer
  std::string result;
  std::string from_username, from_domain, from_screen_name;
  std::string to_username, to_domain;
  std::string source_number, source_domain, dest_number, dest_domain;
  std::string did_number, did_domain, ani_number, application;
  std::optional<std::int64_t> extension_id;
  std::string extension_name, extension_type;
  std::optional<std::int64_t> extension_group_owner_id;
  std::optional<std::string> ext_number_reg;
  std::string hangup_cause;  // Q.850 name, e.g. NORMAL_CLEARING
  std::string hangup_disposition;
  Micros init_time = 0;
  std::optional<Micros> start_time;
  Micros hangup_time = 0;
  std::int64_t duration_s = 0;
  std::int64_t record_file_size = 0;

  friend bool operator==(const CallLeg&, const CallLeg&) = default;
};

// Per-call quality metrics (Call Insights); every metric is optional.
struct CallQuality {
  std::optional<double> rtt_ms, jitter_ms, packet_loss_pct;
  std::optional<std::int64_t> post_dial_delay_ms;
  std::string caller_carrier, callee_carrier;
  std::string from_region, to_region;

  friend bool operator==(const CallQuality&, const CallQuality&) = default;
};

struct CallRecord {
  // --- identity ---
  std::int64_t account_id = 0;  // internal key of the owning account (not shown by any API)
  std::string call_uuid;        // unique per account; the idempotency key of ingest

  // --- the SIP-trunk vocabulary ---
  Direction direction = Direction::kOutbound;
  std::string from_number;  // +E.164 when it is a phone number, else as the switch sent it
  std::string to_number;
  Micros initiation_time = 0;
  std::optional<Micros> answer_time;  // absent: never answered
  Micros end_time = 0;
  std::int64_t duration_s = 0;       // talk time: end_time - answer_time, whole seconds
  std::int64_t bill_duration_s = 0;  // billed seconds after increments
  std::optional<int> hangup_cause_code;
  std::string hangup_cause_name;
  HangupSource hangup_source = HangupSource::kUnknown;
  std::string trunk_id, trunk_domain, region;
  Transport transport = Transport::kUdp;
  bool srtp = false;
  bool secure_trunking = false;
  Money rate;                  // per minute, by destination prefix
  Money secure_trunking_rate;  // per minute surcharge when secure_trunking
  Money total_amount;          // (rate + secure_trunking_rate) x bill_duration / 60
  RatingState rating = RatingState::kProvided;
  std::string from_country, to_country;  // ISO 3166 alpha-2, empty when not a phone number
  StirVerification stir_verification = StirVerification::kNotApplicable;
  Attestation attestation = Attestation::kNone;
  std::string sip_call_id;  // the SIP Call-ID header (`call_id` in the current representation)
  bool cnam_lookup = false;
  Money cnam_lookup_rate;

  // --- the cloud-PBX vocabulary (see docs/data-model.md for the mapping) ---
  std::string from_username, from_domain, from_screen_name;
  std::string to_username, to_domain;
  std::string did_number, did_domain;
  std::string bridged_username, bridged_domain;
  std::optional<Micros> bridged_time;
  std::optional<std::int64_t> bridged_duration_s;
  std::optional<std::int64_t> extension_id;
  std::string extension_name, extension_type;
  std::optional<std::int64_t> extension_group_owner_id;
  std::optional<std::string> ext_number_reg;
  std::string diversion_number;
  std::string result;              // busy | answered | bridged | not answered | rejected | failed
  std::string hangup_disposition;  // callee_bye | caller_bye | ... | "" (unknown)
  std::string q850_cause;          // e.g. NORMAL_CLEARING
  std::optional<int> quality_rate, quality_max_rate;
  std::vector<CallLeg> legs;

  // --- Call Insights ---
  CallQuality quality;

  friend bool operator==(const CallRecord&, const CallRecord&) = default;
};

}  // namespace cdrd
