#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <deque>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "cli/backends.h"
#include "cli/commands.h"
#include "core/csv.h"
#include "service/ingest/asterisk.h"
#include "service/ingest/ingest.h"
#include "service/rating/rating_service.h"

namespace cdrd::cli {
namespace {

using service::ingest::Format;

constexpr std::int64_t kChunkLines = 10'000;
// Chunks whose records may be being stored while the next one is read and parsed.
constexpr std::size_t kChunksInFlight = 3;
constexpr std::size_t kMaxErrorsShown = 50;

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Counts '"' to know whether a CSV line ends inside a quoted field (then the record goes on).
bool toggles_quote(const std::string& line) {
  std::size_t n = 0;
  for (char c : line) n += c == '"';
  return n % 2 == 1;
}

// The wall-clock times of the IANA zone `zone` to UTC, through the C library's reading of the
// system's zoneinfo (TZif) files: libstdc++ 12 has no std::chrono::locate_zone. The converter
// works once use_zone(zone) has set TZ for the process (the import is single-threaded; it is
// set after the store is opened, so the log lines of opening it stay in the usual zone).
// nullopt (with a message printed) for a name that is not a zone of the system.
std::optional<service::ingest::LocalToUtc> zone_converter(const std::string& zone) {
  const char* tzdir = std::getenv("TZDIR");
  const std::filesystem::path dir = tzdir != nullptr ? tzdir : "/usr/share/zoneinfo";
  std::error_code ec;
  // A zone is a TZif file of the zoneinfo tree (not zone.tab or another file beside them).
  const auto is_tzif = [](const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    char magic[4] = {};
    return in.read(magic, 4) && std::string_view(magic, 4) == "TZif";
  };
  if (zone.empty() || zone.front() == '/' || zone.find("..") != std::string::npos ||
      !std::filesystem::is_regular_file(dir / zone, ec) || !is_tzif(dir / zone)) {
    std::cerr << "cdrd: --time-zone: '" << zone << "' is not a time zone of this system (an IANA "
              << "name such as Europe/Berlin, from " << dir.string() << ")\n";
    return std::nullopt;
  }
  return [](Micros wall) -> std::optional<Micros> {
    const std::int64_t seconds = floor_div(wall, kMicrosPerSecond);
    const std::time_t as_utc = static_cast<std::time_t>(seconds);
    std::tm fields{};
    ::gmtime_r(&as_utc, &fields);
    std::tm local = fields;
    local.tm_isdst = -1;  // let the zone's rules decide (summer or winter time)
    const std::time_t t = std::mktime(&local);
    if (t == static_cast<std::time_t>(-1)) return std::nullopt;
    // A wall-clock time the zone skips (clocks going forward) comes back moved: refuse it.
    std::tm back{};
    ::localtime_r(&t, &back);
    if (back.tm_hour != fields.tm_hour || back.tm_min != fields.tm_min ||
        back.tm_mday != fields.tm_mday) {
      return std::nullopt;
    }
    return static_cast<Micros>(t) * kMicrosPerSecond + (wall - seconds * kMicrosPerSecond);
  };
}

void use_zone(const std::string& zone) {
  ::setenv("TZ", zone.c_str(), 1);
  ::tzset();
}

// Maps the CSV rows of an Asterisk chunk (no header) and ingests them.
Result<service::ingest::BatchResult> ingest_asterisk(
    const service::ingest::IngestService& ingest, service::ingest::AsteriskFormat format,
    const service::ingest::AsteriskDefaults& defaults, std::string_view text,
    std::int64_t first_line) {
  std::vector<service::ingest::MappedRecord> records;
  CsvReader reader(text, first_line);
  CsvRow row;
  while (reader.next(row)) {
    if (!row.error.empty()) {
      records.push_back({row.line, Status::Invalid(row.error)});
      continue;
    }
    records.push_back({row.line, service::ingest::map_asterisk_row(format, row.cells, defaults)});
  }
  return ingest.ingest_records(records);
}

}  // namespace

int run_import(const GlobalOptions& global, const std::string& file, const std::string& format_name,
               bool quiet, std::int64_t retention_days, const SwitchImportOptions& switch_options,
               const std::string& calls_store) {
  Format format = Format::kNdjson;
  if (format_name == "csv" || (format_name == "auto" && ends_with(file, ".csv"))) {
    format = Format::kCsv;
  }
  // Asterisk's files: CSV without a header, each row mapped by service/ingest/asterisk.h.
  const bool asterisk = format_name.starts_with("asterisk-");
  service::ingest::AsteriskDefaults asterisk_defaults;
  const service::ingest::AsteriskFormat asterisk_format =
      format_name == "asterisk-custom" ? service::ingest::AsteriskFormat::kCustom
                                       : service::ingest::AsteriskFormat::kMasterCsv;
  if (asterisk) {
    format = Format::kCsv;  // read in chunks like CSV, with no header row
    if (format_name == "asterisk-csv" && switch_options.direction.empty()) {
      std::cerr << "cdrd: --format asterisk-csv needs --direction inbound|outbound (Master.csv "
                   "does not say)\n";
      return 2;
    }
    asterisk_defaults.account = switch_options.account;
    asterisk_defaults.direction = switch_options.direction;
    asterisk_defaults.trunk_id = switch_options.trunk_id;
    if (!switch_options.time_zone.empty()) {
      auto converter = zone_converter(switch_options.time_zone);
      if (!converter) return 2;
      asterisk_defaults.to_utc = std::move(*converter);
    }
  } else if (!switch_options.time_zone.empty() || !switch_options.account.empty() ||
             !switch_options.direction.empty() || !switch_options.trunk_id.empty()) {
    std::cerr << "cdrd: --time-zone, --account, --direction and --trunk-id apply to "
                 "--format asterisk-csv and asterisk-custom only\n";
    return 2;
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    std::cerr << "cdrd: cannot read " << file << "\n";
    return 2;
  }
  const std::unique_ptr<Backends> store = open_backends(global);
  if (!store) return 2;
  if (asterisk_defaults.to_utc) use_zone(switch_options.time_zone);
  service::RatingService rating(*store->accounts, *store->rating);
  service::ingest::IngestSettings settings;
  settings.retention_days = retention_days;
  std::unique_ptr<CallStore> opened;
  CallStore* calls = choose_calls(global, calls_store, 0, *store->calls, opened);
  if (calls == nullptr) return 2;
  const service::ingest::IngestService ingest(*store->accounts, *calls, *store->trunks, rating,
                                              settings);
  const bool show_progress = !quiet && isatty(STDERR_FILENO);
  const auto started = std::chrono::steady_clock::now();

  service::ingest::BatchResult total;
  std::string header;            // CSV: repeated at the top of every chunk
  std::int64_t line_no = 0;      // lines read so far
  std::int64_t chunk_first = 1;  // line number of the chunk's first line
  std::string chunk;
  std::int64_t chunk_lines = 0;
  bool in_quotes = false;

  // Chunks parsed, validated and rated, whose records are being stored while the next chunk is
  // read (at most kChunksInFlight), with their line ranges for the report.
  struct InFlight {
    service::ingest::PendingBatch pending;
    std::int64_t first = 0, last = 0;
  };
  std::deque<InFlight> in_flight;
  bool failed_storage = false;
  auto counted = [&](Result<service::ingest::BatchResult> result, std::int64_t first,
                     std::int64_t last) {
    if (!result.ok()) {
      if (!failed_storage) {
        std::cerr << "\ncdrd: storage failed at lines " << first << "-" << last << ": "
                  << result.status().message() << " (earlier chunks are stored; importing the "
                  << "file again stores only what is missing)\n";
      }
      failed_storage = true;
      return;
    }
    if (failed_storage) return;
    total.merge(std::move(result).value());  // keeps the first failures, counts them all
    if (show_progress) {
      const double secs =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      std::fprintf(
          stderr, "\rimport: %lld lines, stored %lld, duplicates %lld, failed %lld (%.0f lines/s)",
          static_cast<long long>(last), static_cast<long long>(total.stored),
          static_cast<long long>(total.duplicates), static_cast<long long>(total.failed_count),
          secs > 0 ? static_cast<double>(last) / secs : 0.0);
    }
  };
  // Waits for the oldest chunks until at most `keep` are in flight (none after a failure).
  auto settle = [&](std::size_t keep) -> bool {
    while (in_flight.size() > keep || (failed_storage && !in_flight.empty())) {
      InFlight done = std::move(in_flight.front());
      in_flight.pop_front();
      counted(done.pending.wait(), done.first, done.last);
    }
    return !failed_storage;
  };

  auto flush = [&]() -> bool {
    if (chunk_lines == 0) return true;
    if (asterisk) {
      if (!settle(0)) return false;
      counted(ingest_asterisk(ingest, asterisk_format, asterisk_defaults, chunk, chunk_first),
              chunk_first, line_no);
    } else {
      std::string text = format == Format::kCsv ? header + "\n" + chunk : chunk;
      const std::int64_t first = format == Format::kCsv ? chunk_first - 1 : chunk_first;
      in_flight.push_back(
          InFlight{ingest.ingest_text_async(text, format, first), chunk_first, line_no});
    }
    chunk.clear();
    chunk_lines = 0;
    chunk_first = line_no + 1;
    return settle(kChunksInFlight);
  };

  std::string line;
  while (std::getline(in, line)) {
    ++line_no;
    if (format == Format::kCsv && !asterisk && header.empty() && !in_quotes) {
      if (line.empty() || line == "\r") {
        chunk_first = line_no + 1;
        continue;
      }
      header = line;
      if (!header.empty() && header.back() == '\r') header.pop_back();
      chunk_first = line_no + 1;
      continue;
    }
    chunk += line;
    chunk += '\n';
    ++chunk_lines;
    if (format == Format::kCsv && toggles_quote(line)) in_quotes = !in_quotes;
    if (chunk_lines >= kChunkLines && !in_quotes && !flush()) return 2;
  }
  if (!flush() || !settle(0)) return 2;
  if (show_progress) std::fputc('\n', stderr);

  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::cout << "imported " << file << ": " << line_no << " lines, stored " << total.stored
            << ", duplicates " << total.duplicates << ", failed " << total.failed_count << " in "
            << static_cast<long long>(secs * 1000) << " ms\n";
  for (std::size_t i = 0; i < total.failed.size() && i < kMaxErrorsShown; ++i) {
    std::cout << "  line " << total.failed[i].line << ": " << total.failed[i].error << "\n";
  }
  if (total.failed_count > static_cast<std::int64_t>(kMaxErrorsShown)) {
    std::cout << "  ... and " << total.failed_count - static_cast<std::int64_t>(kMaxErrorsShown)
              << " more\n";
  }
  return total.failed_count == 0 ? 0 : 1;
}

}  // namespace cdrd::cli
