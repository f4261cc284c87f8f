// The two JSON views of a CallRecord on the SIP-trunk Call API, and the list envelope.
// Field names, order and JSON types follow seed 000 (current) and seed 001 (legacy). Money is
// written from its exact decimal text (Money::to_fixed5 as a string, Money::to_trimmed as a raw
// number token), never through a double.
// Strings are written as they are stored; ingest is expected to have checked they are UTF-8.
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cctype>
#include <optional>
#include <string>
#include <string_view>

#include "api/page_links.h"
#include "api/zentrunk/call_view.h"
#include "api/zentrunk/calls.h"
#include "core/crypto.h"
#include "core/enums.h"
#include "core/json_text.h"
#include "core/phone.h"
#include "core/time.h"

namespace cdrd::api::zentrunk {
namespace {

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

rapidjson::SizeType size_of(std::string_view s) {
  return static_cast<rapidjson::SizeType>(s.size());
}

void key(JsonWriter& w, std::string_view k) { w.Key(k.data(), size_of(k)); }

// Writes `text` (already a valid JSON number) as a number token. Not Writer::RawNumber: in
// RapidJSON 1.1.0, the version Debian 12 ships, RawNumber writes its text as a quoted string.
void raw_number(JsonWriter& w, std::string_view text) {
  w.RawValue(text.data(), text.size(), rapidjson::kNumberType);
}

void string_field(JsonWriter& w, std::string_view k, std::string_view v) {
  key(w, k);
  json_write_string(w, v);
}

void int_field(JsonWriter& w, std::string_view k, std::int64_t v) {
  key(w, k);
  w.Int64(v);
}

void bool_field(JsonWriter& w, std::string_view k, bool v) {
  key(w, k);
  w.Bool(v);
}

void optional_int_field(JsonWriter& w, std::string_view k, const std::optional<int>& v) {
  key(w, k);
  if (v) {
    w.Int(*v);
  } else {
    w.Null();
  }
}

void time_field(JsonWriter& w, std::string_view k, Micros t) {
  string_field(w, k, format_timestamp(t));
}

void optional_time_field(JsonWriter& w, std::string_view k, const std::optional<Micros>& t) {
  if (t) {
    time_field(w, k, *t);
  } else {
    key(w, k);
    w.Null();
  }
}

// Current representation: money is a string with exactly 5 decimals ("0.03000").
void money_string_field(JsonWriter& w, std::string_view k, Money m) {
  string_field(w, k, m.to_fixed5());
}

// Legacy representation: money is a JSON number written from its exact decimal text ("0.318").
void money_number_field(JsonWriter& w, std::string_view k, Money m) {
  const std::string text = m.to_trimmed();
  key(w, k);
  raw_number(w, text);
}

// Legacy from_number / to_number. Seed 001 shows phone numbers as bare JSON numbers
// (552135006716), so a stored +E.164 number is written as the number token of its digits; an
// E.164 number has at most 15 digits and no leading 0, so every JSON reader (even one that
// parses numbers as doubles) gets it back exactly. Anything else the switch sent, such as a SIP
// username, cannot be a number and stays a JSON string.
void legacy_number_field(JsonWriter& w, std::string_view k, std::string_view number) {
  key(w, k);
  if (is_e164(number)) {
    raw_number(w, number.substr(1));
  } else {
    json_write_string(w, number);
  }
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// Seed 000: hangup_source and stir_verification in lower case ("not applicable").
void write_current_fields(JsonWriter& w, const CallRecord& c) {
  string_field(w, "call_uuid", c.call_uuid);
  string_field(w, "from_number", c.from_number);
  string_field(w, "to_number", c.to_number);
  string_field(w, "call_direction", to_string(c.direction));
  int_field(w, "call_duration", c.duration_s);
  int_field(w, "bill_duration", c.bill_duration_s);
  int_field(w, "billed_duration", c.bill_duration_s);
  time_field(w, "end_time", c.end_time);
  string_field(w, "hangup_cause_name", c.hangup_cause_name);
  string_field(w, "hangup_source", lower(to_string(c.hangup_source)));
  money_string_field(w, "total_rate", c.rate + c.secure_trunking_rate);
  money_string_field(w, "total_amount", c.total_amount);
  time_field(w, "initiation_time", c.initiation_time);
  optional_time_field(w, "answer_time", c.answer_time);
  string_field(w, "trunk_domain", c.trunk_domain);
  string_field(w, "from_country", c.from_country);
  string_field(w, "to_country", c.to_country);
  string_field(w, "transport_protocol", to_string(c.transport));
  bool_field(w, "srtp", c.srtp);
  optional_int_field(w, "hangup_cause_code", c.hangup_cause_code);
  bool_field(w, "secure_trunking", c.secure_trunking);
  money_string_field(w, "secure_trunking_rate", c.secure_trunking_rate);
  string_field(w, "stir_verification", lower(to_string(c.stir_verification)));
  // The string "null" when there is no attestation, as in seed 000.
  string_field(w, "attestation_indicator", to_string(c.attestation));
  string_field(w, "call_id", c.sip_call_id);
  bool_field(w, "cnam_lookup", c.cnam_lookup);
  money_string_field(w, "cnam_lookup_rate", c.cnam_lookup_rate);
}

// Seed 001: numbers are JSON numbers, stir_verification in its canonical capitalisation.
void write_legacy_fields(JsonWriter& w, const CallRecord& c) {
  string_field(w, "call_uuid", c.call_uuid);
  int_field(w, "bill_duration", c.bill_duration_s);
  string_field(w, "trunk_id", c.trunk_id);
  time_field(w, "end_time", c.end_time);
  legacy_number_field(w, "from_number", c.from_number);
  legacy_number_field(w, "to_number", c.to_number);
  string_field(w, "call_direction", to_string(c.direction));
  int_field(w, "duration", c.duration_s);
  string_field(w, "hangup_cause", c.hangup_cause_name);
  string_field(w, "hangup_initiator", lower(to_string(c.hangup_source)));
  money_number_field(w, "rate", c.rate);
  money_number_field(w, "total_amount", c.total_amount);
  time_field(w, "initiation_time", c.initiation_time);
  optional_time_field(w, "answer_time", c.answer_time);
  string_field(w, "trunk_domain", c.trunk_domain);
  string_field(w, "region", c.region);
  string_field(w, "from_country", c.from_country);
  string_field(w, "to_country", c.to_country);
  string_field(w, "transport_protocol", to_string(c.transport));
  bool_field(w, "srtp", c.srtp);
  optional_int_field(w, "hangup_code", c.hangup_cause_code);
  bool_field(w, "secure_trunking", c.secure_trunking);
  money_number_field(w, "secure_trunking_rate", c.secure_trunking_rate);
  string_field(w, "stir_verification", to_string(c.stir_verification));
}

void write_call_fields(JsonWriter& w, const CallRecord& call, Representation rep) {
  if (rep == Representation::kCurrent) {
    write_current_fields(w, call);
  } else {
    write_legacy_fields(w, call);
  }
}

}  // namespace

std::string render_call(const CallRecord& call, Representation rep) {
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  write_call_fields(w, call, rep);
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

std::string render_call_response(const CallRecord& call, Representation rep,
                                 std::string_view api_id) {
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  string_field(w, "api_id", api_id);
  write_call_fields(w, call, rep);
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

std::string render_call_list(const Page<CallRecord>& page, const CallQuery& query,
                             Representation rep, std::string_view request_path,
                             const http::Params& request_params) {
  const std::int64_t limit = query.limit;
  const std::int64_t offset = query.offset;
  const bool has_next = offset + limit < page.total_count;
  const bool has_previous = offset > 0;

  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  string_field(w, "api_id", new_uuid_v4());
  key(w, "meta");
  w.StartObject();
  int_field(w, "limit", limit);
  key(w, "next");
  if (rep == Representation::kLegacy) {
    w.Bool(has_next);
  } else if (has_next) {
    const std::string link = page_link(request_path, request_params, limit, offset + limit);
    w.String(link.data(), size_of(link));
  } else {
    w.Null();
  }
  int_field(w, "offset", offset);
  key(w, "previous");
  if (rep == Representation::kLegacy) {
    w.Bool(has_previous);
  } else if (has_previous) {
    const std::string link =
        page_link(request_path, request_params, limit, std::max<std::int64_t>(0, offset - limit));
    w.String(link.data(), size_of(link));
  } else {
    w.Null();
  }
  int_field(w, "total_count", page.total_count);
  w.EndObject();
  key(w, "objects");
  w.StartArray();
  for (const CallRecord& call : page.rows) {
    w.StartObject();
    write_call_fields(w, call, rep);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

}  // namespace cdrd::api::zentrunk
