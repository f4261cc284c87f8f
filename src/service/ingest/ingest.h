// Ingest of canonical call records (docs/ingest.md): NDJSON (one JSON object per line) and CSV
// with a header row. Every record is parsed and validated into a CallRecord and linked to the
// trunk it names (trunk_link.h: the trunk must be one of the account's); a bad record is
// reported with its line number and a reason that names the field and the accepted form, and is
// not stored, while the valid ones are, in one transaction per batch. Bad records include one
// whose end_time is already past retention (ApiContext::retention_floor) and one whose amount
// cannot be represented (rating::rate_call). The report keeps the first kMaxFailedShown failed
// lines and counts them all, so its size is bounded whatever the input. The same
// (account, call_uuid) sent twice is stored once.
//
// Used by POST /v1/ingest/calls (through ingest_stream.h) and by `cdrd import`. Thread-safe
// (the stores are).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "api/context.h"
#include "core/call_record.h"
#include "core/status.h"
#include "http/message.h"

namespace cdrd::api::ingest {

struct LineError {
  std::int64_t line = 0;  // 1-based line number in the input (CSV: counting the header as 1)
  std::string error;
};

// The failed lines reported in full: enough to find what is wrong with an input, and small
// enough that a body of nothing but bad lines answers with a small reply in bounded memory.
inline constexpr std::size_t kMaxFailedShown = 1'000;

struct BatchResult {
  std::int64_t stored = 0;      // new records written
  std::int64_t duplicates = 0;  // already stored (or repeated within the input)
  std::int64_t failed_count = 0;   // every line that failed
  std::vector<LineError> failed;   // the first kMaxFailedShown of them, in input order

  // Counts a failed line; keeps its error only while fewer than kMaxFailedShown are kept.
  void add_failure(std::int64_t line, std::string error);
  // Adds the counts and failures of a later part of the same input (cdrd import's chunks).
  void merge(BatchResult&& later);
};

enum class Format { kNdjson, kCsv };

// Parses, validates and stores every record of `text`. Line numbers start at `first_line`.
// A storage failure is returned as a Status (nothing of that batch is written).
Result<BatchResult> ingest_text(const ApiContext& ctx, std::string_view text, Format format,
                                std::int64_t first_line = 1);

// The format a Content-Type names: application/x-ndjson (or application/json, or none) and
// text/csv; kInvalidArgument naming the accepted types otherwise.
Result<Format> ingest_format(std::string_view content_type);

// The answer of POST /v1/ingest/calls (served by ingest_stream.h) for a whole body:
// {"api_id", "stored", "duplicates", "failed_count", "failed": [{"line", "error"}]} (failed: the
// first kMaxFailedShown failed lines; failed_count: all of them), 200 when anything was stored or
// found stored, 400 when every line failed (nothing written) or there was none.
http::HttpResponse ingest_response(const BatchResult& result);


}  // namespace cdrd::api::ingest
