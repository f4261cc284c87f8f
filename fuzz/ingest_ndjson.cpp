// Fuzzes the NDJSON ingest path (docs/ingest.md): parse_ndjson_line and validate_record on the
// whole input as one line, then ingest_text over the input as a batch (line splitting, trunk
// linking and rating included) on in-memory stores.
#include "api/ingest/ingest_stream.h"
#include "fake_stores.h"
#include "fuzz_target.h"
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
    if (!record.ok()) {
      CDRD_FUZZ_CHECK(record.status().code() == Status::Code::kInvalidArgument);
      CDRD_FUZZ_CHECK(!record.status().message().empty());
    }
  } else {
    CDRD_FUZZ_CHECK(raw.status().code() == Status::Code::kInvalidArgument);
  }

  const Result<service::ingest::BatchResult> batch =
      world->ingest.ingest_text(text, service::ingest::Format::kNdjson);
  CDRD_FUZZ_CHECK(batch.ok());  // the fake stores never fail
  for (const service::ingest::LineError& e : batch->failed) CDRD_FUZZ_CHECK(e.line >= 1);
  // The streamed route (ingest_stream.h): the same bytes in two pieces, split where the input
  // says, cut into records and answered like a whole body.
  http::HttpRequest head;
  head.headers.emplace_back("content-type", "application/x-ndjson");
  auto opened = api::ingest::open_ingest_stream(world->ingest, head);
  auto sink = std::get<std::shared_ptr<http::BodySink>>(std::move(opened));
  const std::size_t split = size == 0 ? 0 : data[0] % (size + 1);
  std::optional<http::HttpResponse> stop = sink->write(text.substr(0, split));
  if (!stop) stop = sink->write(text.substr(split));
  const http::HttpResponse answer = stop ? std::move(*stop) : sink->finish();
  CDRD_FUZZ_CHECK(answer.status == 200 || answer.status == 400);
  CDRD_FUZZ_CHECK(fuzz::is_json(answer.body));
  return 0;
}
