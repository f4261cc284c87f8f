// The usage totals of the SIP-trunk API (docs/api-usage.md):
//   GET /v1/Account/{auth_id}/Zentrunk/Usage/?period=day&group_by=direction&end_time__gte=...
// The calls the list's filters match (the same parameters, window and retention rules as
// GET .../Zentrunk/Call/, without limit and offset), cut into UTC periods of end_time and
// optionally grouped by one field; one object per non-empty (period, group), at most
// kMaxUsageRows (more is a 400 that says how to narrow the question, never a silent cut).
//
//   parse_usage_query   request parameters -> UsageQuery, or a 400 message naming the
//                       parameter and the accepted form
//   render_usage        the answer -> the JSON body
//   get_usage           the handler: parse, ask the store, render
//
// Pure functions apart from the store call; thread-safe.
#pragma once

#include <string>

#include "api/context.h"
#include "core/account.h"
#include "core/status.h"
#include "core/usage.h"
#include "http/message.h"

namespace cdrd::api::zentrunk {

inline constexpr int kMaxUsageRows = 10'000;

// period (hour | day | month; default day), group_by (direction | to_country | trunk_id |
// hangup_source; default none), and the call list's filters. kInvalidArgument names the
// parameter and its accepted form.
Result<UsageQuery> parse_usage_query(const http::Params& params, std::int64_t account_id,
                                     Micros now, const ApiSettings& settings);

// {"api_id", "meta": {period, group_by, end_time__gte, end_time__lt, max_rows, total_count},
//  "objects": [one per row], "totals": {the same figures over every row}}. kInvalidArgument
// when the totals over the rows would leave the int64 range.
Result<std::string> render_usage(const UsageAnswer& answer, const UsageQuery& query);

http::HttpResponse get_usage(const ApiContext& ctx, const Account& account,
                             const http::HttpRequest& request);

}  // namespace cdrd::api::zentrunk
