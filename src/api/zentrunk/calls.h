// The SIP-trunk Call API (seeds 000 and 001): list and retrieve one account's calls in the
// current (`/Zentrunk/Call/`) or the legacy (`/Call/`) representation.
//
//   parse_call_list_query   request parameters -> CallQuery, or a 400 message naming the
//                           parameter and the accepted form
//   render_call             one CallRecord -> JSON object text in a representation
//   list_calls / get_call   the handlers: parse, ask the store, render
//
// Pure functions apart from the store calls; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "api/context.h"
#include "core/account.h"
#include "core/call_query.h"
#include "core/call_record.h"
#include "core/status.h"
#include "http/message.h"

namespace cdrd::api::zentrunk {

enum class Representation {
  kCurrent,  // GET /v1/Account/{auth_id}/Zentrunk/Call/ (seed 000)
  kLegacy,   // GET /v1/Account/{auth_id}/Call/ (seed 001)
};

// Turns the query parameters of a list request into a CallQuery for `account_id`.
// Applies the list window (no end_time filter: the last list_window_days days), refuses an
// upper end_time bound without a lower one, and raises every lower end_time bound to the
// retention floor. Unknown parameter names, repeated single-valued parameters and bad values
// are kInvalidArgument with a message naming the parameter and its accepted form.
Result<CallQuery> parse_call_list_query(const http::Params& params, std::int64_t account_id,
                                        Micros now, const ApiSettings& settings);

// The same filters and window rules for a question that is not a page of calls (usage
// totals): limit and offset are unknown names, and a refused unknown name lists `other_names`
// (the caller's own parameters, parsed by the caller and left out of `params`) first.
Result<CallQuery> parse_call_filter_query(const http::Params& params, std::int64_t account_id,
                                          Micros now, const ApiSettings& settings,
                                          std::string_view other_names);

// The refusal of a bad parameter value, as every parser of this API words it:
// "name: <accepted>, got '<value>'" (a long value is cut at 64 bytes and marked "...").
Status bad_param_value(std::string_view name, std::string_view accepted, std::string_view value);

// The JSON object of one call in `rep`.
std::string render_call(const CallRecord& call, Representation rep);

// The list body: {"api_id", "meta": {limit, next, offset, previous, total_count}, "objects"}.
// On the current path next/previous are the neighbouring page's path and query (the request's
// parameters with limit and offset replaced) or null; on the legacy path they are booleans.
std::string render_call_list(const Page<CallRecord>& page, const CallQuery& query,
                             Representation rep, std::string_view request_path,
                             const http::Params& request_params);

http::HttpResponse list_calls(const ApiContext& ctx, const Account& account,
                              const http::HttpRequest& request, Representation rep);
http::HttpResponse get_call(const ApiContext& ctx, const Account& account,
                            std::string_view call_uuid, Representation rep);

}  // namespace cdrd::api::zentrunk
