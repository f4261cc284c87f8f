#include "api/zentrunk/insights.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cmath>
#include <cstdio>
#include <optional>

#include "api/errors.h"
#include "core/call_uuid.h"
#include "core/crypto.h"
#include "core/emodel.h"
#include "core/enums.h"
#include "core/json_text.h"

namespace cdrd::api::zentrunk {
namespace {

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

void key(JsonWriter& w, std::string_view k) {
  w.Key(k.data(), static_cast<rapidjson::SizeType>(k.size()));
}

// A string, or null when it is empty (not known).
void text_or_null(JsonWriter& w, std::string_view k, std::string_view v) {
  key(w, k);
  if (v.empty()) {
    w.Null();
  } else {
    json_write_string(w, v);
  }
}

void metric(JsonWriter& w, std::string_view k, const std::optional<double>& v) {
  key(w, k);
  if (v) {
    const std::string text = format_metric(*v);
    w.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
  } else {
    w.Null();
  }
}

void party(JsonWriter& w, std::string_view k, std::string_view carrier, std::string_view number,
           std::string_view region) {
  key(w, k);
  w.StartObject();
  text_or_null(w, "carrier", carrier);
  text_or_null(w, "number", number);
  text_or_null(w, "region", region);
  w.EndObject();
}

}  // namespace

std::string format_metric(double value) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.3f", value);
  std::string s = buf;
  // Trim trailing zeros but keep one decimal.
  while (s.size() >= 2 && s.back() == '0' && s[s.size() - 2] != '.') s.pop_back();
  return s;
}

std::string render_insights(const CallRecord& call, std::string_view api_id) {
  const CallQuality& q = call.quality;
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  text_or_null(w, "api_id", api_id);
  text_or_null(w, "call_uuid", call.call_uuid);
  party(w, "from", q.caller_carrier, call.from_number, q.from_region);
  party(w, "to", q.callee_carrier, call.to_number, q.to_region);
  text_or_null(w, "hangup_cause", call.hangup_cause_name);
  text_or_null(w, "hangup_source", to_string(call.hangup_source));
  metric(w, "rtt", q.rtt_ms);
  metric(w, "jitter", q.jitter_ms);
  metric(w, "packet_loss", q.packet_loss_pct);
  key(w, "post_dial_delay");
  if (q.post_dial_delay_ms) {
    w.Int64(*q.post_dial_delay_ms);
  } else {
    w.Null();
  }
  key(w, "plivo_quality_score");
  if (q.rtt_ms && q.jitter_ms && q.packet_loss_pct) {
    const emodel::CallScore score =
        emodel::score_call({*q.rtt_ms, *q.jitter_ms, *q.packet_loss_pct});
    const std::string text = emodel::format_score(score.mos);
    w.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
  } else {
    w.Null();
  }
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

http::HttpResponse get_call_insights(const ApiContext& ctx, const Account& account,
                                     std::string_view call_uuid) {
  if (!is_plausible_call_uuid(call_uuid)) {
    return error_response(404, "call not found: " +
                                   std::string(call_uuid.substr(0, kMaxCallUuidLength)) +
                                   (call_uuid.size() > kMaxCallUuidLength ? "..." : ""));
  }
  Result<std::optional<CallRecord>> found =
      ctx.calls.find_call(account.id, call_uuid, ctx.retention_floor());
  if (!found.ok()) return error_response(found.status());
  if (!found->has_value()) return error_response(404, "call not found: " + std::string(call_uuid));
  http::HttpResponse r;
  r.status = 200;
  r.body = render_insights(**found, new_uuid_v4());
  return r;
}

}  // namespace cdrd::api::zentrunk
