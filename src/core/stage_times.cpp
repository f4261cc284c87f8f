#include "core/stage_times.h"

#include <atomic>
#include <cstdlib>

namespace cdrd::stages {
namespace {

// The process's sums. Relaxed: each is a statistic of its own, read for display.
struct Totals {
  std::array<std::atomic<std::uint64_t>, kIngestStages> ingest_ns{};
  std::atomic<std::uint64_t> ingest_records{0};
  std::array<std::array<std::atomic<std::uint64_t>, kListStages>, kListApis> list_ns{};
  std::array<std::atomic<std::uint64_t>, kListApis> lists{};
};

Totals& totals() {
  static Totals t;
  return t;
}

thread_local ListTiming* current_list = nullptr;

}  // namespace

std::string_view to_string(IngestStage stage) {
  switch (stage) {
    case IngestStage::kParse:
      return "parse";
    case IngestStage::kValidate:
      return "validate";
    case IngestStage::kRate:
      return "rate";
    case IngestStage::kStore:
      return "store";
  }
  return "parse";
}

std::string_view to_string(ListApi api) { return api == ListApi::kPbx ? "pbx" : "zentrunk"; }

std::string_view to_string(ListStage stage) {
  switch (stage) {
    case ListStage::kMatchCount:
      return "match_count";
    case ListStage::kFetch:
      return "fetch";
    case ListStage::kRender:
      return "render";
  }
  return "match_count";
}

bool stage_timing_on() {
  static const bool on = [] {
    const char* v = std::getenv("CDRD_STAGE_TIMING");  // NOLINT(concurrency-mt-unsafe): read once
    return v == nullptr || std::string_view(v) != "off";
  }();
  return on;
}

StageTotals stage_totals() {
  Totals& t = totals();
  StageTotals s;
  for (std::size_t i = 0; i < kIngestStages; ++i) {
    s.ingest_ns[i] = t.ingest_ns[i].load(std::memory_order_relaxed);
  }
  s.ingest_records = t.ingest_records.load(std::memory_order_relaxed);
  for (std::size_t a = 0; a < kListApis; ++a) {
    for (std::size_t i = 0; i < kListStages; ++i) {
      s.list_ns[a][i] = t.list_ns[a][i].load(std::memory_order_relaxed);
    }
    s.lists[a] = t.lists[a].load(std::memory_order_relaxed);
  }
  return s;
}

void add_ingest_store_ns(std::uint64_t ns) {
  if (ns == 0 || !stage_timing_on()) return;
  totals().ingest_ns[static_cast<std::size_t>(IngestStage::kStore)].fetch_add(
      ns, std::memory_order_relaxed);
}

IngestTally::~IngestTally() {
  if (!on_) return;
  Totals& t = totals();
  for (std::size_t i = 0; i < kIngestStages; ++i) {
    if (ns_[i] != 0) t.ingest_ns[i].fetch_add(ns_[i], std::memory_order_relaxed);
  }
  if (records_ != 0) t.ingest_records.fetch_add(records_, std::memory_order_relaxed);
}

ListTiming::ListTiming(ListApi api) : api_(api) {
  if (current_list == nullptr && stage_timing_on()) {
    current_list = this;
    active_ = true;
  }
}

ListTiming::~ListTiming() {
  if (!active_) return;
  current_list = nullptr;
  Totals& t = totals();
  const auto a = static_cast<std::size_t>(api_);
  for (std::size_t i = 0; i < kListStages; ++i) {
    if (ns_[i] != 0) t.list_ns[a][i].fetch_add(ns_[i], std::memory_order_relaxed);
  }
  t.lists[a].fetch_add(1, std::memory_order_relaxed);
}

ListTiming* ListTiming::current() { return current_list; }

}  // namespace cdrd::stages
