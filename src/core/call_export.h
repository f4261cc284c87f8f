// The export format of calls (docs/export.md): one call per line, as NDJSON or CSV, with the
// SIP-trunk fields of the ingest format (docs/ingest.md) in a fixed order, so that
// `cdrd import` takes an export back.
//
//   CallExportRow        one call's exported fields as views: what a store reads from its row
//                        without building a CallRecord (the views live as long as the row)
//   CallExportFormatter  appends the CSV header and each call's line to a buffer: numbers,
//                        times and amounts are formatted by hand (no allocation per call), text
//                        is copied as it is unless it needs JSON escaping or CSV quoting
//
// Pure, no I/O. A formatter is not thread-safe (it caches the last date it wrote); one per
// export.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/call_record.h"
#include "core/enums.h"
#include "core/money.h"
#include "core/time.h"

namespace cdrd {

enum class ExportFormat { kNdjson, kCsv };

// "ndjson" or "csv".
std::optional<ExportFormat> parse_export_format(std::string_view s);
// The Content-Type of a format's HTTP body.
std::string_view export_content_type(ExportFormat f);

// The exported fields, in file order (the CSV header): ingest names.
inline constexpr std::string_view kExportFields[] = {"account",
                                                     "call_uuid",
                                                     "call_direction",
                                                     "from_number",
                                                     "to_number",
                                                     "initiation_time",
                                                     "answer_time",
                                                     "end_time",
                                                     "duration",
                                                     "bill_duration",
                                                     "hangup_cause_code",
                                                     "hangup_cause_name",
                                                     "hangup_source",
                                                     "trunk_id",
                                                     "trunk_domain",
                                                     "region",
                                                     "transport_protocol",
                                                     "srtp",
                                                     "secure_trunking",
                                                     "rate",
                                                     "secure_trunking_rate",
                                                     "total_amount",
                                                     "from_country",
                                                     "to_country",
                                                     "stir_verification",
                                                     "attestation_indicator",
                                                     "call_id",
                                                     "cnam_lookup",
                                                     "cnam_lookup_rate"};

struct CallExportRow {
  std::int64_t id = 0;  // storage id (the change feed's position)
  std::int64_t account_id = 0;
  std::string_view call_uuid;
  Direction direction = Direction::kOutbound;
  std::string_view from_number, to_number;
  Micros initiation_time = 0;
  std::optional<Micros> answer_time;
  Micros end_time = 0;
  std::int64_t duration_s = 0;
  std::int64_t bill_duration_s = 0;
  std::optional<std::int64_t> hangup_cause_code;
  std::string_view hangup_cause_name;
  HangupSource hangup_source = HangupSource::kUnknown;
  std::string_view trunk_id, trunk_domain, region;
  Transport transport = Transport::kUdp;
  bool srtp = false;
  bool secure_trunking = false;
  Money rate, secure_trunking_rate, total_amount;
  std::string_view from_country, to_country;
  StirVerification stir_verification = StirVerification::kNotApplicable;
  Attestation attestation = Attestation::kNone;
  std::string_view sip_call_id;
  bool cnam_lookup = false;
  Money cnam_lookup_rate;

  // The row of a record (views into `call`, which must outlive the row).
  static CallExportRow of(const CallRecord& call, std::int64_t id = 0);
};

class CallExportFormatter {
 public:
  explicit CallExportFormatter(ExportFormat format) : format_(format) {}

  ExportFormat format() const { return format_; }
  // CSV: the header line (kExportFields joined by commas); NDJSON: nothing.
  void append_header(std::string& out) const;
  // One call as one line ending in '\n'. `auth_id` is the account column. NDJSON leaves out
  // absent values (answer_time, hangup_cause_code, attestation_indicator), as ingest's
  // defaults; CSV leaves their cells empty. Times are "YYYY-MM-DD HH:MM:SS" UTC with
  // ".uuuuuu" when the microseconds are not zero; amounts have five decimals.
  void append(std::string& out, const CallExportRow& row, std::string_view auth_id);

 private:
  void append_time(std::string& out, Micros t);

  ExportFormat format_;
  std::int64_t cached_day_ = std::int64_t{1} << 62;  // none yet
  char cached_date_[11] = {};                        // "YYYY-MM-DD " of cached_day_
};

}  // namespace cdrd
