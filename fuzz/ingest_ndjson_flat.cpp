// Fuzzes ingest's in-place reading of the common NDJSON line (read_flat_line, raw_record.h)
// against parse_ndjson_line, which copies the same line into a RawRecord: each line of the input
// that is read in place must be read by parse_ndjson_line too, to the same fields, and the
// validator and the trunk link must answer the same from both (the same message, or the same
// CallRecord). The FlatRecord is reused from line to line and input to input, as ingest reuses
// it, so nothing of an earlier line may show through.
#include <optional>
#include <string>

#include "fake_stores.h"
#include "fuzz_target.h"
#include "service/ingest/raw_record.h"
#include "service/ingest/test_readings.h"
#include "service/ingest/trunk_link.h"
#include "service/ingest/validate.h"

using namespace cdrd;
using namespace cdrd::service::ingest;

namespace {

Result<std::optional<std::int64_t>> resolve(std::string_view auth_id) {
  if (auth_id == fuzz::kAuthId) return std::optional<std::int64_t>(fuzz::kAccountId);
  return std::optional<std::int64_t>();
}

// GB for the trunk "gb" (its numbers read in the national form), none for any other.
Result<std::string> default_country(std::int64_t, std::string_view trunk_id) {
  return std::string(trunk_id == "gb" ? "GB" : "");
}

void check_line(std::string_view line, FlatRecord& flat) {
  if (!read_flat_line(line, flat)) return;
  const Result<RawRecord> raw = parse_ndjson_line(line);
  CDRD_FUZZ_CHECK(raw.ok());
  CDRD_FUZZ_CHECK(
      first_reading_difference(flat, *raw, resolve, default_country, fuzz::check_refusal).empty());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static FlatRecord* flat = new FlatRecord();
  std::string_view text = fuzz::as_text(data, size);
  // The input whole, then each of its lines.
  check_line(text, *flat);
  while (!text.empty()) {
    const std::size_t nl = text.find('\n');
    check_line(text.substr(0, nl), *flat);
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return 0;
}
