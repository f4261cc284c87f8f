// Stage times: where a server's time goes, per ingested record (parse, validate, rate, store)
// and per list (match and count, fetch the page, render). The code of each stage is wrapped in a
// scoped timer that reads the monotonic clock (steady_clock: wall time, so a stage that waits, as
// the store's fsync does, counts its wait) when it is made and when it ends; the sums are kept in
// process-wide counters that only grow, read by stage_totals() (the metrics expose them,
// docs/metrics.md; `make bench` prints them per record and per list, docs/benchmarks.md).
//
// Cheap by design: the cost is the clock reads, two per timed stage (bench/stage_timing measures
// them: tens of ns each, docs/benchmarks.md). So an ingest batch times the per-record stages
// (parse, validate, rate) of one record in kIngestSampleEvery, its 1st, 9th, 17th..., and counts
// each sampled time kIngestSampleEvery times: an estimate of the total that costs under one clock
// read per record, and whose average per record is that of thousands of records per scrape. The
// store stage (once per chunk of records) and the lists (a few clock reads against a list's
// hundreds of µs) are timed every time. An ingest batch sums in plain integers (IngestTally) and
// adds to the process's atomics once, when it ends; a list's stages are summed in the ListTiming
// its handler made on the handler's thread (the store's timers find it through a thread-local
// pointer) and added once per list. A timer whose stage runs outside a tally or a list (a store
// read that is not a list) reads no clock.
//
// CDRD_STAGE_TIMING=off in the environment turns every timer off for the process (read once, at
// the first timer): the counters stay at 0. It exists to measure what the timers cost.
//
// Thread-safety: stage_totals() and the timers may be used from any thread at once; an
// IngestTally, a ListTiming and a timer belong to the thread that made them.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace cdrd::stages {

enum class IngestStage : std::uint8_t { kParse, kValidate, kRate, kStore };
inline constexpr std::size_t kIngestStages = 4;
// "parse", "validate", "rate", "store".
std::string_view to_string(IngestStage stage);

// The API a list answers.
enum class ListApi : std::uint8_t { kZentrunk, kPbx };
inline constexpr std::size_t kListApis = 2;
// "zentrunk", "pbx".
std::string_view to_string(ListApi api);

// kMatchCount: find the page's rows and count every match (the list index, or the SQL
// evaluation, which also reads the rows); kFetch: read the page's rows by id; kRender: the JSON.
enum class ListStage : std::uint8_t { kMatchCount, kFetch, kRender };
inline constexpr std::size_t kListStages = 3;
// "match_count", "fetch", "render".
std::string_view to_string(ListStage stage);

// The process's sums since it started.
struct StageTotals {
  std::array<std::uint64_t, kIngestStages> ingest_ns{};  // by IngestStage
  std::uint64_t ingest_records = 0;                      // records the tallies counted
  std::array<std::array<std::uint64_t, kListStages>, kListApis> list_ns{};  // [api][stage]
  std::array<std::uint64_t, kListApis> lists{};                             // lists by api
};
StageTotals stage_totals();

// Whether the timers run (CDRD_STAGE_TIMING is not "off").
bool stage_timing_on();

// Nanoseconds of the monotonic clock.
inline std::uint64_t now_ns() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                        std::chrono::steady_clock::now().time_since_epoch())
                                        .count());
}

// Adds `ns` to the store stage of ingest, for a store that writes its records on a thread of its
// own (the group-commit writer times each commit): the records are counted by the tallies of
// the batches that handed them over. Nothing when the timers are off.
void add_ingest_store_ns(std::uint64_t ns);

// One record in this many has its parse, validate and rate stages timed.
inline constexpr std::uint64_t kIngestSampleEvery = 8;

// The stages of one ingest batch on one thread, added to the totals when it is destroyed.
class IngestTally {
 public:
  IngestTally() : on_(stage_timing_on()) {}
  ~IngestTally();
  IngestTally(const IngestTally&) = delete;
  IngestTally& operator=(const IngestTally&) = delete;

  // A record begins (before its first stage): counts it and decides whether it is sampled.
  void begin_record() {
    sampled_ = on_ && records_ % kIngestSampleEvery == 0;
    ++records_;
  }
  // Whether a timer of `stage` times now: kStore whenever the timers are on, the others for a
  // sampled record.
  bool times(IngestStage stage) const { return stage == IngestStage::kStore ? on_ : sampled_; }
  void add(IngestStage stage, std::uint64_t ns) {
    ns_[static_cast<std::size_t>(stage)] +=
        stage == IngestStage::kStore ? ns : ns * kIngestSampleEvery;
  }

 private:
  const bool on_;
  bool sampled_ = false;
  std::array<std::uint64_t, kIngestStages> ns_{};
  std::uint64_t records_ = 0;
};

// Times one ingest stage (when its tally says so): from its making to stop() or its end,
// whichever comes first.
class IngestTimer {
 public:
  IngestTimer(IngestTally& tally, IngestStage stage)
      : tally_(tally), stage_(stage), start_(tally.times(stage) ? now_ns() : 0) {}
  ~IngestTimer() { stop(); }
  IngestTimer(const IngestTimer&) = delete;
  IngestTimer& operator=(const IngestTimer&) = delete;

  void stop() {
    if (start_ == 0) return;
    tally_.add(stage_, now_ns() - start_);
    start_ = 0;
  }

 private:
  IngestTally& tally_;
  const IngestStage stage_;
  std::uint64_t start_;  // 0: not timing
};

// One list on this thread, made by its handler before it asks the store: the store's ListTimers
// add to it, and it adds one list and its stages to the totals when it is destroyed. At most
// one per thread at a time (a nested one times nothing).
class ListTiming {
 public:
  explicit ListTiming(ListApi api);
  ~ListTiming();
  ListTiming(const ListTiming&) = delete;
  ListTiming& operator=(const ListTiming&) = delete;

  void add(ListStage stage, std::uint64_t ns) { ns_[static_cast<std::size_t>(stage)] += ns; }
  // The list being timed on this thread, or null.
  static ListTiming* current();

 private:
  const ListApi api_;
  bool active_ = false;
  std::array<std::uint64_t, kListStages> ns_{};
};

// Times one stage of the thread's current list (none: reads no clock), from its making to
// stop() or its end.
class ListTimer {
 public:
  explicit ListTimer(ListStage stage)
      : list_(ListTiming::current()), stage_(stage), start_(list_ ? now_ns() : 0) {}
  ~ListTimer() { stop(); }
  ListTimer(const ListTimer&) = delete;
  ListTimer& operator=(const ListTimer&) = delete;

  void stop() {
    if (list_ == nullptr) return;
    list_->add(stage_, now_ns() - start_);
    list_ = nullptr;
  }

 private:
  ListTiming* list_;
  const ListStage stage_;
  std::uint64_t start_;
};

}  // namespace cdrd::stages
