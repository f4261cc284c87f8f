// Fuzzes the NDJSON ingest path (docs/ingest.md): parse_ndjson_line and validate_record on the
// whole input as one line, then ingest_text over the input as a batch (line splitting, trunk
// linking and rating included) on in-memory stores.
#include "fake_stores.h"
#include "fuzz_target.h"
#include "ingest_routes.h"
#include "json_check.h"
#include "service/ingest/ingest.h"
#include "service/ingest/raw_record.h"
#include "service/ingest/validate.h"

using namespace cdrd;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static fuzz::FakeWorld* world = new fuzz::FakeWorld();
  const std::string_view text = fuzz::as_text(data, size);

  const Result<service::ingest::RawRecord> raw = service::ingest::parse_ndjson_line(text);
  if (raw.ok()) {
    for (const service::ingest::RawField& f : raw->fields) (void)service::ingest::describe(f.value);
    const service::ingest::AccountResolver resolve =
        [](std::string_view auth_id) -> Result<std::optional<std::int64_t>> {
      if (auth_id == fuzz::kAuthId) return std::optional<std::int64_t>(fuzz::kAccountId);
      return std::optional<std::int64_t>();
    };
    const Result<CallRecord> record = service::ingest::validate_record(*raw, resolve);
    // A refusal is always a client error with a message, never a storage or internal code.
    if (!record.ok()) fuzz::check_refusal(record.status());
  } else {
    CDRD_FUZZ_CHECK(raw.status().code() == Status::Code::kInvalidArgument);
  }

  fuzz::check_ingest(*world, service::ingest::Format::kNdjson, "application/x-ndjson", data, size);
  return 0;
}
