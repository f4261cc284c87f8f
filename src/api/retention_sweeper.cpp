#include "api/retention_sweeper.h"

#include <spdlog/spdlog.h>

#include "core/clock.h"
#include "core/time.h"

namespace cdrd::api {

RetentionSweeper::RetentionSweeper(CallStore& calls, const ApiSettings& settings,
                                   RetentionSweepOptions options)
    : calls_(calls), settings_(settings), options_(options) {}

RetentionSweeper::~RetentionSweeper() { stop(); }

void RetentionSweeper::start() {
  if (thread_.joinable()) return;
  thread_ = std::thread([this] { run(); });
}

void RetentionSweeper::stop() {
  {
    MutexLock lock(&mu_);
    stop_ = true;
  }
  wake_.signal_all();
  if (thread_.joinable()) thread_.join();
}

Micros RetentionSweeper::floor() const {
  const Micros now = now_from(settings_.now);
  return now - settings_.retention_days * kMicrosPerDay;
}

Result<std::int64_t> RetentionSweeper::sweep() {
  const Micros before = floor();  // one floor for the whole sweep
  const int batch = options_.batch_rows > 0 ? options_.batch_rows : 1;
  std::int64_t total = 0;
  for (;;) {
    Result<std::int64_t> n = calls_.delete_calls_ended_before(before, batch);
    if (!n.ok()) return n.status();
    total += *n;
    if (*n < batch) break;
    // Let the writers and readers waiting on the store in between; wake early to stop.
    if (stop_asked_within(options_.pause)) break;
  }
  return total;
}

void RetentionSweeper::run() {
  for (;;) {
    const Micros before = floor();
    Result<std::int64_t> deleted = sweep();
    if (!deleted.ok()) {
      spdlog::error("retention: deleting calls that ended before {} failed: {}",
                    format_timestamp(before), deleted.status().message());
    } else if (*deleted > 0) {
      spdlog::info("retention: deleted {} calls that ended before {} ({} days)", *deleted,
                   format_timestamp(before), settings_.retention_days);
    }
    if (stop_asked_within(options_.interval)) return;
  }
}

bool RetentionSweeper::stop_asked_within(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  MutexLock lock(&mu_);
  while (!stop_) {
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) return false;
    wake_.wait_for(deadline - now);
  }
  return true;
}

}  // namespace cdrd::api
