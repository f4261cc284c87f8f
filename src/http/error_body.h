// The one error body of the SIP-trunk API and of the server itself:
// {"api_id":"<fresh uuid>","error":"<message>"}. The server's own refusals (413, 503, a bad
// request head) and every SIP-trunk handler answer with it, so a client sees one error format
// whoever refused the request. Written with core/json_writer.h, so the message (which may echo
// input) is always valid UTF-8 JSON. Pure apart from the random api_id; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "http/message.h"

namespace cdrd::http {

// The error body with a fresh api_id.
std::string error_body(std::string_view message);

// A response with `status` and the error body (content type application/json).
HttpResponse error_response(int status, std::string_view message);

}  // namespace cdrd::http
