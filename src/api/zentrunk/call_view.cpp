// The two JSON views of a CallRecord on the SIP-trunk Call API, and the list envelope.
// Field names, order and JSON types follow seed 000 (current) and seed 001 (legacy). Money is
// written from its exact decimal text (Money::to_fixed5 as a string, Money::to_trimmed as a raw
// number token), never through a double.
// Strings are written through JsonWriter, which keeps the body valid UTF-8 whatever was stored.
#include <optional>
#include <string>
#include <string_view>

#include "api/page_links.h"
#include "api/zentrunk/call_view.h"
#include "api/zentrunk/calls.h"
#include "core/ascii.h"
#include "core/crypto.h"
#include "core/enums.h"
#include "core/json_writer.h"
#include "core/phone.h"
#include "core/time.h"

namespace cdrd::api::zentrunk {
namespace {

void time_field(JsonWriter& w, std::string_view k, Micros t) {
  w.string_member(k, timestamp_text(t).view());
}

void optional_time_field(JsonWriter& w, std::string_view k, const std::optional<Micros>& t) {
  if (t) {
    time_field(w, k, *t);
  } else {
    w.null_member(k);
  }
}

// Current representation: money is a string with exactly 5 decimals ("0.03000").
void money_string_field(JsonWriter& w, std::string_view k, Money m) {
  w.string_member(k, m.to_fixed5());
}

// Legacy representation: money is a JSON number written from its exact decimal text ("0.318").
void money_number_field(JsonWriter& w, std::string_view k, Money m) {
  const std::string text = m.to_trimmed();
  w.key(k);
  w.raw_number(text);
}

// Legacy from_number / to_number. Seed 001 shows phone numbers as bare JSON numbers
// (552135006716), so a stored +E.164 number is written as the number token of its digits; an
// E.164 number has at most 15 digits and no leading 0, so every JSON reader (even one that
// parses numbers as doubles) gets it back exactly. Anything else the switch sent, such as a SIP
// username, cannot be a number and stays a JSON string.
void legacy_number_field(JsonWriter& w, std::string_view k, std::string_view number) {
  w.key(k);
  if (is_e164(number)) {
    w.raw_number(number.substr(1));
  } else {
    w.string_value(number);
  }
}

// Seed 000: hangup_source and stir_verification in lower case ("not applicable").
void write_current_fields(JsonWriter& w, const CallRecord& c) {
  w.string_member("call_uuid", c.call_uuid);
  w.string_member("from_number", c.from_number);
  w.string_member("to_number", c.to_number);
  w.string_member("call_direction", to_string(c.direction));
  w.int_member("call_duration", c.duration_s);
  w.int_member("bill_duration", c.bill_duration_s);
  w.int_member("billed_duration", c.bill_duration_s);
  time_field(w, "end_time", c.end_time);
  w.string_member("hangup_cause_name", c.hangup_cause_name);
  w.string_member("hangup_source", ascii_lower(to_string(c.hangup_source)));
  money_string_field(w, "total_rate", c.rate + c.secure_trunking_rate);
  money_string_field(w, "total_amount", c.total_amount);
  time_field(w, "initiation_time", c.initiation_time);
  optional_time_field(w, "answer_time", c.answer_time);
  w.string_member("trunk_domain", c.trunk_domain);
  w.string_member("from_country", c.from_country);
  w.string_member("to_country", c.to_country);
  w.string_member("transport_protocol", to_string(c.transport));
  w.bool_member("srtp", c.srtp);
  w.optional_int_member("hangup_cause_code", c.hangup_cause_code);
  w.bool_member("secure_trunking", c.secure_trunking);
  money_string_field(w, "secure_trunking_rate", c.secure_trunking_rate);
  w.string_member("stir_verification", ascii_lower(to_string(c.stir_verification)));
  // The string "null" when there is no attestation, as in seed 000.
  w.string_member("attestation_indicator", to_string(c.attestation));
  w.string_member("call_id", c.sip_call_id);
  w.bool_member("cnam_lookup", c.cnam_lookup);
  money_string_field(w, "cnam_lookup_rate", c.cnam_lookup_rate);
}

// Seed 001: numbers are JSON numbers, stir_verification in its canonical capitalisation.
// Kept apart from write_current_fields though many lines look alike: each function is the field
// list of one seed, in that seed's order, names and JSON types.
void write_legacy_fields(JsonWriter& w, const CallRecord& c) {
  w.string_member("call_uuid", c.call_uuid);
  w.int_member("bill_duration", c.bill_duration_s);
  w.string_member("trunk_id", c.trunk_id);
  time_field(w, "end_time", c.end_time);
  legacy_number_field(w, "from_number", c.from_number);
  legacy_number_field(w, "to_number", c.to_number);
  w.string_member("call_direction", to_string(c.direction));
  w.int_member("duration", c.duration_s);
  w.string_member("hangup_cause", c.hangup_cause_name);
  w.string_member("hangup_initiator", ascii_lower(to_string(c.hangup_source)));
  money_number_field(w, "rate", c.rate);
  money_number_field(w, "total_amount", c.total_amount);
  time_field(w, "initiation_time", c.initiation_time);
  optional_time_field(w, "answer_time", c.answer_time);
  w.string_member("trunk_domain", c.trunk_domain);
  w.string_member("region", c.region);
  w.string_member("from_country", c.from_country);
  w.string_member("to_country", c.to_country);
  w.string_member("transport_protocol", to_string(c.transport));
  w.bool_member("srtp", c.srtp);
  w.optional_int_member("hangup_code", c.hangup_cause_code);
  w.bool_member("secure_trunking", c.secure_trunking);
  money_number_field(w, "secure_trunking_rate", c.secure_trunking_rate);
  w.string_member("stir_verification", to_string(c.stir_verification));
}

}  // namespace

void write_call_fields(JsonWriter& w, const CallRecord& call, Representation rep) {
  if (rep == Representation::kCurrent) {
    write_current_fields(w, call);
  } else {
    write_legacy_fields(w, call);
  }
}

std::string render_call(const CallRecord& call, Representation rep) {
  JsonWriter w;
  w.start_object();
  write_call_fields(w, call, rep);
  w.end_object();
  return w.text();
}

std::string render_call_response(const CallRecord& call, Representation rep,
                                 std::string_view api_id) {
  JsonWriter w;
  w.start_object();
  w.string_member("api_id", api_id);
  write_call_fields(w, call, rep);
  w.end_object();
  return w.text();
}

std::string render_call_list(const Page<CallRecord>& page, const CallQuery& query,
                             Representation rep, std::string_view request_path,
                             const http::Params& request_params) {
  JsonWriter w(1024 + page.rows.size() * 1024);  // a call's object is about 900 bytes
  w.start_object();
  w.string_member("api_id", new_uuid_v4());
  write_list_meta(w, query.limit, query.offset, page.total_count, request_path, request_params,
                  rep == Representation::kLegacy ? NeighbourPages::kFlags : NeighbourPages::kLinks);
  w.key("objects");
  w.start_array();
  for (const CallRecord& call : page.rows) {
    w.start_object();
    write_call_fields(w, call, rep);
    w.end_object();
  }
  w.end_array();
  w.end_object();
  return w.text();
}

}  // namespace cdrd::api::zentrunk
