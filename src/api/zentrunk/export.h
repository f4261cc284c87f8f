// The streamed export of calls (docs/export.md):
//   GET /v1/Account/{auth_id}/Zentrunk/Export/?format=ndjson|csv&<filters of the Call list>
//       the account's calls (its own Basic credentials, or the operator key)
//   GET /v1/export/calls?format=ndjson|csv[&account=AUTH_ID]&<filters of the Call list>
//       the operator's: every account's calls, or one account's
// Every call that matches, in storage order, as the lines of `cdrd export` (core/call_export.h),
// in a chunked body made piece by piece (http::BodySource): the server holds one piece at a
// time, however many calls match. The filters and their window are the Call list's, parsed by
// its own parser; limit and offset are refused (an export has no pages).
//
//   parse_export_query  request parameters -> ExportRequest, or a 400 message naming the
//                       parameter and the accepted form
//   export_account_calls / export_all_calls   the handlers
//
// Pure functions apart from the store calls; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "api/context.h"
#include "core/account.h"
#include "core/call_export.h"
#include "core/status.h"
#include "http/message.h"
#include "store/call_store.h"

namespace cdrd::api::zentrunk {

struct ExportRequest {
  ExportFormat format = ExportFormat::kNdjson;
  std::optional<std::string> account;  // the operator route's account=AUTH_ID
  CallQuery filter;
};

// format (ndjson, the default, or csv), on the operator route account (an auth_id), and every
// filter of the Call list with its rules (the list window when no end_time bound is given, the
// retention floor). limit, offset, any other name, a repeated name or a bad value is
// kInvalidArgument naming the parameter.
Result<ExportRequest> parse_export_query(const http::Params& params, std::int64_t account_id,
                                         Micros now, const ApiSettings& settings,
                                         bool operator_route);

http::HttpResponse export_account_calls(const ApiContext& ctx, const Account& account,
                                        const http::HttpRequest& request);
http::HttpResponse export_all_calls(const ApiContext& ctx, const http::HttpRequest& request);

}  // namespace cdrd::api::zentrunk
