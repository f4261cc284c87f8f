// The one error body of the SIP-trunk API: {"api_id":"<uuid>","error":"<message>"} (written by
// http/error_body.h, which the server shares), and the mapping from Status codes to HTTP
// statuses. Every response carries a fresh api_id.
#pragma once

#include <string>
#include <string_view>

#include "core/json_text.h"
#include "core/status.h"
#include "http/error_body.h"
#include "http/message.h"

namespace cdrd::api {

// 400 kInvalidArgument, 422 kMissingArgument, 404, 409, 401, 403, 503 kUnavailable (with
// Retry-After: 1),
// (quota: 400 naming the quota), 500 kIOError/kInternal.
int http_status_for(const Status& status);

using http::error_response;  // (int http_status, std::string_view message)
http::HttpResponse error_response(const Status& status);

using cdrd::json_quote;  // core/json_text.h

}  // namespace cdrd::api
