// The OpenAPI 3.1 document of every route of the app (openapi/cdrd.openapi.json), embedded in
// the binary at build time (embed_openapi.cmake writes its text into a generated source), and
// its answer at GET /openapi.json: no authentication, application/json, an ETag (the
// document's SHA-256) with Cache-Control: no-cache, and 304 without a body when the request's
// If-None-Match names that ETag. docs/openapi.md says how tests keep the document true.
// Thread-safe: the document is a constant.
#pragma once

#include <string_view>

#include "http/message.h"

namespace cdrd::api {

// The document's JSON text.
std::string_view openapi_document();
// Its entity tag, quoted: "\"<32 hex digits>\"".
std::string_view openapi_etag();

// The answer to GET /openapi.json.
http::HttpResponse openapi_response(const http::HttpRequest& request);

}  // namespace cdrd::api
