// Fuzzes the CSV ingest path (docs/ingest.md): the CsvReader on its own, then ingest_text over
// the input (header checks, csv_row_to_record, validation, trunk linking, rating) on in-memory
// stores.
#include "core/csv.h"
#include "fake_stores.h"
#include "fuzz_target.h"
#include "ingest_routes.h"
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

  fuzz::check_ingest(*world, service::ingest::Format::kCsv, "text/csv", data, size);
  return 0;
}
