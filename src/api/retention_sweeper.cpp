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
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
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
    std::unique_lock lock(mu_);
    if (wake_.wait_for(lock, options_.pause, [this] { return stop_; })) break;
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
    std::unique_lock lock(mu_);
    if (wake_.wait_for(lock, options_.interval, [this] { return stop_; })) return;
  }
}

}  // namespace cdrd::api
