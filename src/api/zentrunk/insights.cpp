#include "api/zentrunk/insights.h"

#include <cmath>
#include <cstdio>
#include <optional>

#include "api/errors.h"
#include "core/crypto.h"
#include "core/emodel.h"
#include "core/enums.h"
#include "core/json_writer.h"

namespace cdrd::api::zentrunk {
namespace {

// A string, or null when it is empty (not known).
void text_or_null(JsonWriter& w, std::string_view k, std::string_view v) {
  w.key(k);
  if (v.empty()) {
    w.null_value();
  } else {
    w.string_value(v);
  }
}

void metric(JsonWriter& w, std::string_view k, const std::optional<double>& v) {
  w.key(k);
  if (v) {
    const std::string text = format_metric(*v);
    w.string_value(text);
  } else {
    w.null_value();
  }
}

void party(JsonWriter& w, std::string_view k, std::string_view carrier, std::string_view number,
           std::string_view region) {
  w.key(k);
  w.start_object();
  text_or_null(w, "carrier", carrier);
  text_or_null(w, "number", number);
  text_or_null(w, "region", region);
  w.end_object();
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
  JsonWriter w;
  w.start_object();
  text_or_null(w, "api_id", api_id);
  text_or_null(w, "call_uuid", call.call_uuid);
  party(w, "from", q.caller_carrier, call.from_number, q.from_region);
  party(w, "to", q.callee_carrier, call.to_number, q.to_region);
  text_or_null(w, "hangup_cause", call.hangup_cause_name);
  text_or_null(w, "hangup_source", to_string(call.hangup_source));
  metric(w, "rtt", q.rtt_ms);
  metric(w, "jitter", q.jitter_ms);
  metric(w, "packet_loss", q.packet_loss_pct);
  w.key("post_dial_delay");
  if (q.post_dial_delay_ms) {
    w.int_value(*q.post_dial_delay_ms);
  } else {
    w.null_value();
  }
  w.key("plivo_quality_score");
  if (q.rtt_ms && q.jitter_ms && q.packet_loss_pct) {
    const emodel::CallScore score =
        emodel::score_call({*q.rtt_ms, *q.jitter_ms, *q.packet_loss_pct});
    const std::string text = emodel::format_score(score.mos);
    w.string_value(text);
  } else {
    w.null_value();
  }
  w.end_object();
  return w.text();
}

http::HttpResponse get_call_insights(const ApiContext& ctx, const Account& account,
                                     std::string_view call_uuid) {
  Result<CallRecord> found = ctx.find_call(account.id, call_uuid);
  if (!found.ok()) return error_response(found.status());
  http::HttpResponse r;
  r.status = 200;
  r.body = render_insights(*found, new_uuid_v4());
  return r;
}

}  // namespace cdrd::api::zentrunk
