// IngestService: ingest of canonical call records (docs/ingest.md), NDJSON (one JSON object per
// line) and CSV with a header row. Every record is parsed and validated into a CallRecord and
// linked to the trunk it names (trunk_link.h: the trunk must be one of the account's); a bad
// record is reported with its line number and a reason that names the field and the accepted
// form, and is not stored, while the valid ones are rated from their account's deck
// (RatingService) and stored, in one transaction per batch. Bad records include one whose
// end_time is already past retention (retention_floor()) and one whose amount cannot be
// represented (rating::rate_call). The report keeps the first kMaxFailedShown failed lines and
// counts them all, so its size is bounded whatever the input. The same (account, call_uuid)
// sent twice is stored once.
//
// Used by POST /v1/ingest/calls (api/ingest/ingest_stream.h), the switch endpoints (POST
// /v1/ingest/freeswitch and /v1/ingest/kamailio, through ingest_records), `cdrd import` and
// `cdrd demo`. Thread-safe (the stores and the rating
// service are).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <future>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/call_record.h"
#include "core/clock.h"
#include "core/status.h"
#include "core/time.h"
#include "service/ingest/raw_record.h"
#include "service/rating/rating_service.h"
#include "store/call_store.h"
#include "store/trunk_store.h"

namespace cdrd::service::ingest {

struct LineError {
  std::int64_t line = 0;  // 1-based line number in the input (CSV: counting the header as 1)
  std::string error;
};

// The failed lines reported in full: enough to find what is wrong with an input, and small
// enough that a body of nothing but bad lines answers with a small reply in bounded memory.
inline constexpr std::size_t kMaxFailedShown = 1'000;

// Why a line failed, as a small fixed set (the metrics count failed lines by it; the line's
// message says what exactly is wrong).
enum class FailureReason {
  kMalformed,       // not a JSON object / CSV row that can be read, or a bad CSV header
  kInvalid,         // a field is missing or has no accepted form
  kUnknownAccount,  // the account named is not one of cdrd's
  kUnknownTrunk,    // the trunk_id is not one of the account's trunks
  kPastRetention,   // end_time is past the retention period
  kUnrateable,      // the amount cannot be represented
};
inline constexpr std::size_t kFailureReasons = 6;
// "malformed", "invalid", "unknown_account", "unknown_trunk", "past_retention", "unrateable".
std::string_view to_string(FailureReason reason);

struct BatchResult {
  std::int64_t stored = 0;        // new records written
  std::int64_t duplicates = 0;    // already stored (or repeated within the input)
  std::int64_t failed_count = 0;  // every line that failed
  std::vector<LineError> failed;  // the first kMaxFailedShown of them, in input order
  // failed_count by FailureReason (indexed by its value).
  std::array<std::int64_t, kFailureReasons> failed_by_reason{};
  // The new records written by how their money fields came to be (core/enums.h RatingState).
  std::int64_t rated = 0, provided = 0, unrated = 0;

  // Counts a failed line; keeps its error only while fewer than kMaxFailedShown are kept.
  void add_failure(std::int64_t line, std::string error,
                   FailureReason reason = FailureReason::kInvalid);
  // Adds the counts and failures of a later part of the same input (cdrd import's chunks).
  void merge(BatchResult&& later);
};

enum class Format { kNdjson, kCsv };

// One record a switch adapter (freeswitch.h, asterisk.h) mapped onto the canonical field names,
// or why it could not be mapped, with the line it is reported as.
struct MappedRecord {
  std::int64_t line = 0;
  Result<RawRecord> record = RawRecord{};
};

struct IngestSettings {
  // Calls that ended more than `retention_days` days ago are refused: they would never be
  // served, and the retention sweep would delete them.
  std::int64_t retention_days = 90;
  // Wall clock; tests may fix it.
  Clock now;
  // Told of the counts of every batch ingest_text stored (metrics); none when empty. Called on
  // the ingesting thread: must be thread-safe and cheap.
  std::function<void(const BatchResult&)> on_batch;
};

// An ingest whose records were parsed, validated and rated, and are being stored
// (CallStore::insert_calls_async): its counts are known once wait() returns. Move-only; a
// PendingBatch dropped without wait() still has its records written.
class PendingBatch {
 public:
  PendingBatch() = default;
  PendingBatch(PendingBatch&&) = default;
  PendingBatch& operator=(PendingBatch&&) = default;

  // Blocks until every record is durable (or its batch failed), then returns the counts, or
  // the first storage failure (the earlier chunks of the same input may be stored). Once only.
  Result<BatchResult> wait();

  // One insert_calls_async of the input, with the rating state of each of its records.
  struct Chunk {
    std::future<Result<std::vector<InsertOutcome>>> outcomes;
    std::vector<RatingState> rating;
  };

 private:
  friend class IngestService;
  PendingBatch(BatchResult result, std::vector<Chunk> chunks, Status error,
               std::function<void(const BatchResult&)> on_batch)
      : result_(std::move(result)),
        chunks_(std::move(chunks)),
        error_(std::move(error)),
        on_batch_(std::move(on_batch)) {}

  BatchResult result_;  // the failed lines; the stored counts are added by wait()
  std::vector<Chunk> chunks_;
  Status error_;  // a storage failure while reading the input (nothing after it was queued)
  std::function<void(const BatchResult&)> on_batch_;
};

class IngestService {
 public:
  IngestService(AccountStore& accounts, CallStore& calls, TrunkStore& trunks, RatingService& rating,
                IngestSettings settings);
  IngestService(const IngestService&) = delete;
  IngestService& operator=(const IngestService&) = delete;

  // Parses, validates, rates and stores every record of `text`. Line numbers start at
  // `first_line`. A storage failure is returned as a Status (nothing of that batch is written).
  Result<BatchResult> ingest_text(std::string_view text, Format format,
                                  std::int64_t first_line = 1) const;

  // As ingest_text, but returns once the records are parsed, validated and rated, while they
  // are being stored: the caller can read its next input meanwhile (POST /v1/ingest/calls and
  // `cdrd import` keep a few inputs in flight) and answer once PendingBatch::wait() returns.
  PendingBatch ingest_text_async(std::string_view text, Format format,
                                 std::int64_t first_line = 1) const;

  // As ingest_text_async(head + rest, Format::kNdjson, first_line), without making that text:
  // `head` is empty or ends with a line end. POST /v1/ingest/calls reads a line that straddles
  // two pieces of a body as `head` (its start kept from the one piece, completed from the next)
  // and the next piece's later lines as `rest`, in place, rather than copying the piece.
  PendingBatch ingest_ndjson_async(std::string_view head, std::string_view rest,
                                   std::int64_t first_line = 1) const;

  // Validates, rates and stores records that a switch adapter mapped: the same one validation,
  // trunk link, retention and rating as ingest_text, and the same (account, call_uuid)
  // idempotency. A storage failure is returned as a Status (nothing of that batch is written).
  Result<BatchResult> ingest_records(const std::vector<MappedRecord>& records) const;

  // The first end_time still kept: now - retention_days.
  Micros retention_floor() const;

 private:
  AccountStore& accounts_;
  CallStore& calls_;
  TrunkStore& trunks_;
  RatingService& rating_;
  const IngestSettings settings_;
};

}  // namespace cdrd::service::ingest
