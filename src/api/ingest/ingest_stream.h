// The streamed body of POST /v1/ingest/calls: records are validated and stored as the body
// arrives, piece by piece (http::BodySink), so a large upload holds about one piece in memory,
// never the whole body. Each piece is cut after its last complete record (for CSV: the last
// line end outside quotes) and handed to IngestService::ingest_text() with the right line
// numbers (CSV pieces after the first are read with the header row); the rest waits for the
// next piece. NDJSON is read in place: the line that straddles two pieces is completed from the
// new piece, and read with that piece's later complete lines where they lie
// (IngestService::ingest_ndjson_async), so no piece is copied whole. A record line longer than
// kMaxRecordBytes is reported as a failed line and skipped. The answer is ingest_response()
// (ingest_response.h) of the whole body. Batches stored before a storage failure stay stored (a
// retried upload counts them as duplicates). Not thread-safe: the server calls a sink from one
// worker at a time.
#pragma once

#include <memory>
#include <variant>

#include "http/message.h"
#include "service/ingest/ingest.h"

namespace cdrd::api::ingest {

constexpr std::size_t kMaxRecordBytes = std::size_t{1024} * 1024;

// The sink for an admitted ingest request's head (operator key already checked), or the
// response that refuses it at once (415 for an unsupported Content-Type).
std::variant<std::shared_ptr<http::BodySink>, http::HttpResponse> open_ingest_stream(
    const service::ingest::IngestService& ingest, const http::HttpRequest& head);

}  // namespace cdrd::api::ingest
