// Fuzzes the NDJSON ingest path (docs/ingest.md): parse_ndjson_line and validate_record on the
// whole input as one line, then ingest_text over the input as a batch (line splitting, trunk
// linking and rating included) on in-memory stores.
#include "api/ingest/ingest.h"
#include "api/ingest/raw_record.h"
#include "api/ingest/validate.h"
#include "fake_stores.h"
#include "fuzz_target.h"

using namespace cdrd;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static fuzz::FakeWorld* world = new fuzz::FakeWorld();
  const std::string_view text = fuzz::as_text(data, size);

  const Result<api::ingest::RawRecord> raw = api::ingest::parse_ndjson_line(text);
  if (raw.ok()) {
    for (const api::ingest::RawField& f : raw->fields) (void)api::ingest::describe(f.value);
    const api::ingest::AccountResolver resolve =
        [](std::string_view auth_id) -> Result<std::optional<std::int64_t>> {
      if (auth_id == fuzz::kAuthId) return std::optional<std::int64_t>(fuzz::kAccountId);
      return std::optional<std::int64_t>();
    };
    const Result<CallRecord> record = api::ingest::validate_record(*raw, resolve);
    // A refusal is always a client error with a message, never a storage or internal code.
    if (!record.ok()) {
      CDRD_FUZZ_CHECK(record.status().code() == Status::Code::kInvalidArgument);
      CDRD_FUZZ_CHECK(!record.status().message().empty());
    }
  } else {
    CDRD_FUZZ_CHECK(raw.status().code() == Status::Code::kInvalidArgument);
  }

  const Result<api::ingest::BatchResult> batch =
      api::ingest::ingest_text(world->ctx, text, api::ingest::Format::kNdjson);
  CDRD_FUZZ_CHECK(batch.ok());  // the fake stores never fail
  for (const api::ingest::LineError& e : batch->failed) CDRD_FUZZ_CHECK(e.line >= 1);
  return 0;
}
