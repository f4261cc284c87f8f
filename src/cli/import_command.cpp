#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>

#include "cli/commands.h"
#include "service/ingest/ingest.h"
#include "service/rating/rating_service.h"

namespace cdrd::cli {
namespace {

using service::ingest::Format;

constexpr std::int64_t kChunkLines = 10'000;
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

}  // namespace

int run_import(const GlobalOptions& global, const std::string& file, const std::string& format_name,
               bool quiet, std::int64_t retention_days) {
  Format format = Format::kNdjson;
  if (format_name == "csv" || (format_name == "auto" && ends_with(file, ".csv"))) {
    format = Format::kCsv;
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    std::cerr << "cdrd: cannot read " << file << "\n";
    return 2;
  }
  auto store = open_store(global);
  if (!store) return 2;
  service::RatingService rating(store->accounts, store->rating);
  service::ingest::IngestSettings settings;
  settings.retention_days = retention_days;
  const service::ingest::IngestService ingest(store->accounts, store->calls, store->trunks, rating,
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

  auto flush = [&]() -> bool {
    if (chunk_lines == 0) return true;
    std::string text = format == Format::kCsv ? header + "\n" + chunk : chunk;
    const std::int64_t first = format == Format::kCsv ? chunk_first - 1 : chunk_first;
    auto result = ingest.ingest_text(text, format, first);
    if (!result.ok()) {
      std::cerr << "\ncdrd: storage failed at lines " << chunk_first << "-" << line_no << ": "
                << result.status().message() << " (earlier chunks are stored; importing the "
                << "file again stores only what is missing)\n";
      return false;
    }
    total.merge(std::move(result).value());  // keeps the first failures, counts them all
    chunk.clear();
    chunk_lines = 0;
    chunk_first = line_no + 1;
    if (show_progress) {
      const double secs =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      std::fprintf(
          stderr, "\rimport: %lld lines, stored %lld, duplicates %lld, failed %lld (%.0f lines/s)",
          static_cast<long long>(line_no), static_cast<long long>(total.stored),
          static_cast<long long>(total.duplicates), static_cast<long long>(total.failed_count),
          secs > 0 ? static_cast<double>(line_no) / secs : 0.0);
    }
    return true;
  };

  std::string line;
  while (std::getline(in, line)) {
    ++line_no;
    if (format == Format::kCsv && header.empty() && !in_quotes) {
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
  if (!flush()) return 2;
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
