// Fuzzes the CSV ingest path (docs/ingest.md): the CsvReader on its own, then ingest_text over
// the input (header checks, csv_row_to_record, validation, trunk linking, rating) on in-memory
// stores.
#include "api/ingest/ingest_stream.h"
#include "core/csv.h"
#include "fake_stores.h"
#include "fuzz_target.h"
#include "json_check.h"
#include "service/ingest/ingest.h"

using namespace cdrd;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static fuzz::FakeWorld* world = new fuzz::FakeWorld();
  const std::string_view text = fuzz::as_text(data, size);

  // Rows come in input order and the reader always advances, so it ends within one row per byte.
  CsvReader reader(text);
  CsvRow row;
  std::int64_t last_line = 0;
  std::size_t rows = 0;
  while (reader.next(row)) {
    CDRD_FUZZ_CHECK(row.line > last_line);
    last_line = row.line;
    CDRD_FUZZ_CHECK(++rows <= size);
  }

  const Result<service::ingest::BatchResult> batch =
      world->ingest.ingest_text(text, service::ingest::Format::kCsv);
  CDRD_FUZZ_CHECK(batch.ok());  // the fake stores never fail
  for (const service::ingest::LineError& e : batch->failed) CDRD_FUZZ_CHECK(e.line >= 1);
  // The streamed route (ingest_stream.h): the same bytes in two pieces, split where the input
  // says, cut into records and answered like a whole body.
  http::HttpRequest head;
  head.headers.emplace_back("content-type", "text/csv");
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
