// Fuzzes the Asterisk adapter (docs/switch-asterisk.md): every CSV row of the input mapped as a
// Master.csv row (with and without a time zone conversion) and as a row of the cdr_custom
// template, each mapped row validated, and the rows ingested on in-memory stores.
#include "core/csv.h"
#include "fake_stores.h"
#include "fuzz_target.h"
#include "service/ingest/asterisk.h"
#include "service/ingest/validate.h"

using namespace cdrd;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static fuzz::FakeWorld* world = new fuzz::FakeWorld();
  const std::string_view text = fuzz::as_text(data, size);

  service::ingest::AsteriskDefaults plain;
  plain.account = std::string(fuzz::kAuthId);
  plain.direction = "outbound";
  service::ingest::AsteriskDefaults zoned = plain;
  // A fixed offset, and a gap: a wall-clock time whose second is 13 does not exist.
  zoned.to_utc = [](Micros wall) -> std::optional<Micros> {
    if (wall % (60 * kMicrosPerSecond) == 13 * kMicrosPerSecond) return std::nullopt;
    return wall - 3600 * kMicrosPerSecond;
  };
  const service::ingest::AccountResolver resolve =
      [](std::string_view auth_id) -> Result<std::optional<std::int64_t>> {
    if (auth_id == fuzz::kAuthId) return std::optional<std::int64_t>(fuzz::kAccountId);
    return std::optional<std::int64_t>();
  };

  std::vector<service::ingest::MappedRecord> records;
  CsvReader reader(text);
  CsvRow row;
  while (reader.next(row)) {
    if (!row.error.empty()) continue;
    for (const auto* d : {&plain, &zoned}) {
      for (auto format : {service::ingest::AsteriskFormat::kMasterCsv,
                          service::ingest::AsteriskFormat::kCustom}) {
        Result<service::ingest::RawRecord> raw =
            service::ingest::map_asterisk_row(format, row.cells, *d);
        if (!raw.ok()) {
          fuzz::check_refusal(raw.status());
          continue;
        }
        const Result<CallRecord> record = service::ingest::validate_record(*raw, resolve);
        if (!record.ok()) fuzz::check_refusal(record.status());
        records.push_back({row.line, std::move(raw)});
      }
    }
  }
  const Result<service::ingest::BatchResult> batch = world->ingest.ingest_records(records);
  CDRD_FUZZ_CHECK(batch.ok());
  CDRD_FUZZ_CHECK(batch->stored + batch->duplicates + batch->failed_count ==
                  static_cast<std::int64_t>(records.size()));
  return 0;
}
