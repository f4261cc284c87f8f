// Call Insights (GET /v1/Account/{auth_id}/Zentrunk/Call/{call_uuid}/Insights/): the quality
// metrics of one call and its quality score, computed with the ITU-T G.107 E-model
// (core/emodel.h, docs/insights.md). A metric the call did not carry is null, and so is the
// score unless rtt, jitter and packet loss are all known. Pure apart from the store call;
// thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "api/context.h"
#include "core/account.h"
#include "core/call_record.h"
#include "http/message.h"

namespace cdrd::api::zentrunk {

// {"api_id", "call_uuid", "from": {carrier, number, region}, "to": {...}, "hangup_cause",
//  "hangup_source", "rtt", "jitter", "packet_loss", "post_dial_delay", "plivo_quality_score"}
std::string render_insights(const CallRecord& call, std::string_view api_id);

// A metric as the API shows it: at most 3 decimals, at least 1 ("12.5", "100.0", "0.333").
std::string format_metric(double value);

// The handler: 404 for an unknown call, another account's call or one past retention.
http::HttpResponse get_call_insights(const ApiContext& ctx, const Account& account,
                                     std::string_view call_uuid);

}  // namespace cdrd::api::zentrunk
