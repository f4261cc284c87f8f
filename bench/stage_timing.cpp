// stage_timing: what the stage timers of core/stage_times.h cost (docs/benchmarks.md).
//
// Times, on one thread, a loop of each: a read of the monotonic clock; one timed stage (two clock
// reads and an add); the timers of one ingested record (its three timed stages parse, validate
// and rate, which read the clock for one record in kIngestSampleEvery); a whole list timing (a
// ListTiming and its three stage timers, as every list). Prints one line per figure, the best of
// the passes in nanoseconds:
//   stage_timing_clock_read_ns <n>
//   stage_timing_stage_ns <n>
//   stage_timing_ingest_record_ns <n>
//   stage_timing_list_ns <n>
// With CDRD_STAGE_TIMING=off the timers read no clock: the figures are then what is left.
//
// Usage: stage_timing [--iterations N] [--passes N]
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>

#include "core/stage_times.h"

namespace {

using namespace cdrd::stages;

long parse_flag(int argc, char** argv, const char* name, long fallback) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], name) == 0) return std::strtol(argv[i + 1], nullptr, 10);
  }
  return fallback;
}

// The best of `passes` timings of `n` calls of `f`, in ns per call.
template <typename F>
double best_ns(long n, long passes, F&& f) {
  double best = std::numeric_limits<double>::max();
  for (long p = 0; p < passes; ++p) {
    const auto t0 = std::chrono::steady_clock::now();
    for (long i = 0; i < n; ++i) f();
    const std::chrono::duration<double, std::nano> took = std::chrono::steady_clock::now() - t0;
    best = std::min(best, took.count() / static_cast<double>(n));
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  const long n = parse_flag(argc, argv, "--iterations", 2'000'000);
  const long passes = parse_flag(argc, argv, "--passes", 5);
  volatile std::uint64_t sink = 0;

  const double clock_ns = best_ns(n, passes, [&] { sink = sink + now_ns(); });
  double stage_ns = 0, record_ns = 0;
  {
    IngestTally tally;
    stage_ns = best_ns(n, passes, [&] { IngestTimer t(tally, IngestStage::kStore); });
    record_ns = best_ns(n, passes, [&] {
      tally.begin_record();
      { IngestTimer t(tally, IngestStage::kParse); }
      { IngestTimer t(tally, IngestStage::kValidate); }
      IngestTimer t(tally, IngestStage::kRate);
    });
  }
  const double list_ns = best_ns(n / 4, passes, [&] {
    ListTiming list(ListApi::kZentrunk);
    { ListTimer t(ListStage::kMatchCount); }
    { ListTimer t(ListStage::kFetch); }
    ListTimer t(ListStage::kRender);
  });
  std::printf("stage_timing_clock_read_ns %.1f\n", clock_ns);
  std::printf("stage_timing_stage_ns %.1f\n", stage_ns);
  std::printf("stage_timing_ingest_record_ns %.1f\n", record_ns);
  std::printf("stage_timing_list_ns %.1f\n", list_ns);
  std::printf("timers %s; %ld iterations, best of %ld passes\n",
              stage_timing_on() ? "on" : "off (CDRD_STAGE_TIMING=off)", n, passes);
  return sink == 1 ? 1 : 0;
}
