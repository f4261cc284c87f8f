// The HTTP side of ingest (docs/ingest.md): the format a request's Content-Type names, and the
// answer of POST /v1/ingest/calls for a BatchResult of the ingest service
// (service/ingest/ingest.h). Pure; thread-safe.
#pragma once

#include <string_view>

#include "core/status.h"
#include "http/message.h"
#include "service/ingest/ingest.h"

namespace cdrd::api::ingest {

using service::ingest::BatchResult;
using service::ingest::Format;

// The format a Content-Type names: application/x-ndjson (or application/json, or none) and
// text/csv; kInvalidArgument naming the accepted types otherwise.
Result<Format> ingest_format(std::string_view content_type);

// The answer of POST /v1/ingest/calls (served by ingest_stream.h) for a whole body:
// {"api_id", "stored", "duplicates", "failed_count", "failed": [{"line", "error"}]} (failed: the
// first kMaxFailedShown failed lines; failed_count: all of them), 200 when anything was stored or
// found stored, 400 when every line failed (nothing written) or there was none.
http::HttpResponse ingest_response(const BatchResult& result);

}  // namespace cdrd::api::ingest
