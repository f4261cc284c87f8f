// The cloud-PBX views of a CallRecord: the call object of seed 002 (`calls`), the same plus its
// `cdr` legs (`call_history`), and the list envelope. Field names, order and JSON types follow
// seed 002 and the call_history facts of docs/api-pbx.md; nulls where the seed allows them.
// A call's hangup_cause and hangup_disposition are the record's, or else derived from its
// provider hangup code and source (core/hangup_map.h).
#include <string>
#include <string_view>

#include "api/pbx/pbx.h"
#include "core/hangup_map.h"
#include "core/json_writer.h"
#include "core/time.h"

namespace cdrd::api::pbx {
namespace {

// A string that is null when empty.
void str_or_null(JsonWriter& w, std::string_view k, std::string_view v) {
  if (v.empty()) {
    w.null_member(k);
  } else {
    w.string_member(k, v);
  }
}
void time_field(JsonWriter& w, std::string_view k, const std::optional<Micros>& t,
                bool centis = false) {
  if (!t) {
    w.null_member(k);
    return;
  }
  if (centis) {
    w.string_member(k, format_timestamp_centis(*t));
  } else {
    w.string_member(k, timestamp_text(*t).view());
  }
}

std::string_view flow_of(const CallRecord& c) {
  return c.direction == Direction::kInbound ? "in" : "out";
}

// The stored result, or what the SIP-trunk facts say when the record had none.
std::string_view result_of(const CallRecord& c) {
  if (!c.result.empty()) return c.result;
  return c.answer_time ? "answered" : "not answered";
}

// The record's own Q.850 cause, or the one of its provider hangup code (a call ingested in the
// SIP-trunk vocabulary has only the code): the table of docs/api-pbx.md, core/hangup_map.h.
std::string_view hangup_cause_of(const CallRecord& c) {
  if (!c.q850_cause.empty()) return c.q850_cause;
  if (!c.hangup_cause_code) return {};
  return q850_name_of_hangup_code(*c.hangup_cause_code);
}

// The record's own disposition, or the one its hangup code, source and direction give.
std::string_view hangup_disposition_of(const CallRecord& c) {
  if (!c.hangup_disposition.empty()) return c.hangup_disposition;
  if (!c.hangup_cause_code) return {};
  return pbx_disposition_of(*c.hangup_cause_code, c.hangup_source, c.direction);
}

// write_leg and write_call look alike (and like the SIP-trunk views): each is the field list
// of one seed-002 object, in its order, written from a different type.
void write_leg(JsonWriter& w, const CallLeg& l, std::int64_t client_owner_id) {
  w.start_object();
  w.string_member("to_username", l.to_username);
  w.string_member("source_number", l.source_number);
  w.string_member("result", l.result);
  w.int_member("duration", l.duration_s);
  time_field(w, "hangup_time_gmt", l.hangup_time, true);
  w.string_member("to_domain", l.to_domain);
  w.int_member("record_file_size", l.record_file_size);
  w.string_member("from_username", l.from_username);
  w.string_member("ani_number", l.ani_number);
  w.string_member("application", l.application);
  time_field(w, "start_time_gmt", l.start_time, true);
  w.optional_string_member("ext_number_reg", l.ext_number_reg);
  w.string_member("hangup_cause", l.hangup_cause);
  w.string_member("hangup_disposition", l.hangup_disposition);
  w.optional_int_member("extension_group_owner_id", l.extension_group_owner_id);
  time_field(w, "init_time_gmt", l.init_time, true);
  w.string_member("dest_domain", l.dest_domain);
  // Client code tests `record_uuid != null` for "has a recording".
  str_or_null(w, "record_uuid", l.record_uuid);
  w.string_member("from_domain", l.from_domain);
  w.string_member("source_domain", l.source_domain);
  w.string_member("extension_type", l.extension_type);
  w.string_member("did_domain", l.did_domain);
  w.string_member("from_screen_name", l.from_screen_name);
  w.string_member("extension_name", l.extension_name);
  w.string_member("flow", l.flow);
  w.string_member("dest_number", l.dest_number);
  w.optional_int_member("extension_id", l.extension_id);
  w.string_member("did_number", l.did_number);
  w.int_member("client_owner_id", client_owner_id);
  w.end_object();
}

void write_call(JsonWriter& w, const CallRecord& c, bool with_legs) {
  // A call was connected to a second party when it has a bridged time or party.
  const bool bridged = c.bridged_time || !c.bridged_username.empty();
  w.start_object();
  str_or_null(w, "bridged_domain", bridged ? std::string_view(c.bridged_domain) : "");
  w.optional_int_member("bridged_duration", bridged ? c.bridged_duration_s : std::nullopt);
  time_field(w, "bridged_time_gmt", c.bridged_time);
  str_or_null(w, "bridged_username", c.bridged_username);
  w.string_member("call_uuid", c.call_uuid);
  w.int_member("client_owner_id", c.account_id);
  w.string_member("did_domain", c.did_domain);
  w.string_member("did_number", c.did_number);
  w.int_member("duration", c.duration_s);
  w.optional_string_member("ext_number_reg", c.ext_number_reg);
  w.optional_int_member("extension_group_owner_id", c.extension_group_owner_id);
  w.optional_int_member("extension_id", c.extension_id);
  w.string_member("extension_name", c.extension_name);
  w.string_member("extension_type", c.extension_type);
  w.string_member("flow", flow_of(c));
  w.string_member("from_domain", c.from_domain);
  w.string_member("from_screen_name", c.from_screen_name);
  w.string_member("from_username", c.from_username.empty() ? c.from_number : c.from_username);
  w.string_member("hangup_cause", hangup_cause_of(c));
  w.string_member("hangup_disposition", hangup_disposition_of(c));
  time_field(w, "hangup_time_gmt", c.end_time);
  time_field(w, "init_time_gmt", c.initiation_time);
  w.string_member("result", result_of(c));
  time_field(w, "start_time_gmt", c.answer_time);
  w.string_member("to_domain", c.to_domain);
  w.string_member("to_username", c.to_username.empty() ? c.to_number : c.to_username);
  w.string_member("diversion_number", c.diversion_number);
  w.key("quality_rate");
  if (c.quality_rate && c.quality_max_rate) {
    w.start_object();
    w.int_member("rate", *c.quality_rate);
    w.int_member("max_rate", *c.quality_max_rate);
    w.end_object();
  } else {
    w.null_value();
  }
  if (with_legs) {
    w.key("cdr");
    w.start_array();
    for (const CallLeg& l : c.legs) write_leg(w, l, c.account_id);
    w.end_array();
  }
  w.end_object();
}

}  // namespace

std::string render_call(const CallRecord& call, bool with_legs) {
  JsonWriter w;
  write_call(w, call, with_legs);
  return w.text();
}

std::string render_legs(const CallRecord& call, std::string_view api_id) {
  JsonWriter w;
  w.start_object();
  w.string_member("api_id", api_id);
  w.string_member("call_uuid", call.call_uuid);
  w.key("objects");
  w.start_array();
  for (const CallLeg& l : call.legs) write_leg(w, l, call.account_id);
  w.end_array();
  w.end_object();
  return w.text();
}

std::string render_list(const std::vector<CallRecord>& calls, bool with_legs,
                        const CallQuery& query) {
  JsonWriter w(256 + calls.size() * (with_legs ? 4096 : 1024));
  w.start_object();
  w.key(with_legs ? "call_history" : "calls");
  w.start_array();
  for (const CallRecord& c : calls) write_call(w, c, with_legs);
  w.end_array();
  w.string_member("order", query.order == SortOrder::kOldestFirst ? "asc" : "desc");
  w.int_member("page", query.limit > 0 ? query.offset / query.limit + 1 : 1);
  w.int_member("per_page", query.limit);
  w.end_object();
  return w.text();
}

}  // namespace cdrd::api::pbx
