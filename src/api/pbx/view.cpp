// The cloud-PBX views of a CallRecord: the call object of seed 002 (`calls`), the same plus its
// `cdr` legs (`call_history`), and the list envelope. Field names, order and JSON types follow
// seed 002 and the call_history facts of docs/api-pbx.md; nulls where the seed allows them.
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <string>
#include <string_view>

#include "api/pbx/pbx.h"
#include "core/json_text.h"
#include "core/time.h"

namespace cdrd::api::pbx {
namespace {

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

void key(JsonWriter& w, std::string_view k) {
  w.Key(k.data(), static_cast<rapidjson::SizeType>(k.size()));
}
void str(JsonWriter& w, std::string_view k, std::string_view v) {
  key(w, k);
  json_write_string(w, v);
}
// A string that is null when empty.
void str_or_null(JsonWriter& w, std::string_view k, std::string_view v) {
  if (v.empty()) {
    key(w, k);
    w.Null();
  } else {
    str(w, k, v);
  }
}
void opt_str(JsonWriter& w, std::string_view k, const std::optional<std::string>& v) {
  key(w, k);
  if (v) {
    json_write_string(w, *v);
  } else {
    w.Null();
  }
}
void num(JsonWriter& w, std::string_view k, std::int64_t v) {
  key(w, k);
  w.Int64(v);
}
void opt_num(JsonWriter& w, std::string_view k, const std::optional<std::int64_t>& v) {
  key(w, k);
  if (v) {
    w.Int64(*v);
  } else {
    w.Null();
  }
}
void time_field(JsonWriter& w, std::string_view k, const std::optional<Micros>& t,
                bool centis = false) {
  if (!t) {
    key(w, k);
    w.Null();
    return;
  }
  str(w, k, centis ? format_timestamp_centis(*t) : format_timestamp(*t));
}

std::string_view flow_of(const CallRecord& c) {
  return c.direction == Direction::kInbound ? "in" : "out";
}

// The stored result, or what the SIP-trunk facts say when the record had none.
std::string_view result_of(const CallRecord& c) {
  if (!c.result.empty()) return c.result;
  return c.answer_time ? "answered" : "not answered";
}

void write_leg(JsonWriter& w, const CallLeg& l, std::int64_t client_owner_id) {
  w.StartObject();
  str(w, "to_username", l.to_username);
  str(w, "source_number", l.source_number);
  str(w, "result", l.result);
  num(w, "duration", l.duration_s);
  time_field(w, "hangup_time_gmt", l.hangup_time, true);
  str(w, "to_domain", l.to_domain);
  num(w, "record_file_size", l.record_file_size);
  str(w, "from_username", l.from_username);
  str(w, "ani_number", l.ani_number);
  str(w, "application", l.application);
  time_field(w, "start_time_gmt", l.start_time, true);
  opt_str(w, "ext_number_reg", l.ext_number_reg);
  str(w, "hangup_cause", l.hangup_cause);
  str(w, "hangup_disposition", l.hangup_disposition);
  opt_num(w, "extension_group_owner_id", l.extension_group_owner_id);
  time_field(w, "init_time_gmt", l.init_time, true);
  str(w, "dest_domain", l.dest_domain);
  str(w, "record_uuid", l.record_uuid);
  str(w, "from_domain", l.from_domain);
  str(w, "source_domain", l.source_domain);
  str(w, "extension_type", l.extension_type);
  str(w, "did_domain", l.did_domain);
  str(w, "from_screen_name", l.from_screen_name);
  str(w, "extension_name", l.extension_name);
  str(w, "flow", l.flow);
  str(w, "dest_number", l.dest_number);
  opt_num(w, "extension_id", l.extension_id);
  str(w, "did_number", l.did_number);
  num(w, "client_owner_id", client_owner_id);
  w.EndObject();
}

void write_call(JsonWriter& w, const CallRecord& c, bool with_legs) {
  // A call was connected to a second party when it has a bridged time or party.
  const bool bridged = c.bridged_time || !c.bridged_username.empty();
  w.StartObject();
  str_or_null(w, "bridged_domain", bridged ? std::string_view(c.bridged_domain) : "");
  opt_num(w, "bridged_duration", bridged ? c.bridged_duration_s : std::nullopt);
  time_field(w, "bridged_time_gmt", c.bridged_time);
  str_or_null(w, "bridged_username", c.bridged_username);
  str(w, "call_uuid", c.call_uuid);
  num(w, "client_owner_id", c.account_id);
  str(w, "did_domain", c.did_domain);
  str(w, "did_number", c.did_number);
  num(w, "duration", c.duration_s);
  opt_str(w, "ext_number_reg", c.ext_number_reg);
  opt_num(w, "extension_group_owner_id", c.extension_group_owner_id);
  opt_num(w, "extension_id", c.extension_id);
  str(w, "extension_name", c.extension_name);
  str(w, "extension_type", c.extension_type);
  str(w, "flow", flow_of(c));
  str(w, "from_domain", c.from_domain);
  str(w, "from_screen_name", c.from_screen_name);
  str(w, "from_username", c.from_username.empty() ? c.from_number : c.from_username);
  str(w, "hangup_cause", c.q850_cause);
  str(w, "hangup_disposition", c.hangup_disposition);
  time_field(w, "hangup_time_gmt", c.end_time);
  time_field(w, "init_time_gmt", c.initiation_time);
  str(w, "result", result_of(c));
  time_field(w, "start_time_gmt", c.answer_time);
  str(w, "to_domain", c.to_domain);
  str(w, "to_username", c.to_username.empty() ? c.to_number : c.to_username);
  str(w, "diversion_number", c.diversion_number);
  key(w, "quality_rate");
  if (c.quality_rate && c.quality_max_rate) {
    w.StartObject();
    num(w, "rate", *c.quality_rate);
    num(w, "max_rate", *c.quality_max_rate);
    w.EndObject();
  } else {
    w.Null();
  }
  if (with_legs) {
    key(w, "cdr");
    w.StartArray();
    for (const CallLeg& l : c.legs) write_leg(w, l, c.account_id);
    w.EndArray();
  }
  w.EndObject();
}

}  // namespace

std::string render_call(const CallRecord& call, bool with_legs) {
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  write_call(w, call, with_legs);
  return std::string(buf.GetString(), buf.GetSize());
}

std::string render_list(const std::vector<CallRecord>& calls, bool with_legs,
                        const CallQuery& query) {
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  key(w, with_legs ? "call_history" : "calls");
  w.StartArray();
  for (const CallRecord& c : calls) write_call(w, c, with_legs);
  w.EndArray();
  str(w, "order", query.order == SortOrder::kOldestFirst ? "asc" : "desc");
  num(w, "page", query.limit > 0 ? query.offset / query.limit + 1 : 1);
  num(w, "per_page", query.limit);
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

}  // namespace cdrd::api::pbx
