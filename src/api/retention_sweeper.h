// RetentionSweeper: deletes the calls that ended before the retention floor
// (ApiSettings::retention_days before now, the same floor the APIs serve from), so the database
// stops growing once it holds the retention period. It runs off the request path on its own
// thread: a sweep at start, then one every `interval`; a sweep deletes in batches of
// `batch_rows` calls, one transaction each (CallStore::delete_calls_ended_before), and pauses
// `pause` between batches so that ingest and reads are never held up for long. See
// docs/operations.md.
//
// Thread-safety: start() and stop() are for the owning thread; sweep() may be called from any
// thread (the store serialises the deletes). A storage failure is logged and the next sweep
// tries again; nothing is retried in a tight loop.
#pragma once

#include <chrono>
#include <cstdint>
#include <thread>

#include "api/context.h"
#include "core/mutex.h"
#include "core/status.h"
#include "store/call_store.h"

namespace cdrd::api {

struct RetentionSweepOptions {
  std::chrono::milliseconds interval{60'000};  // between the end of a sweep and the next
  int batch_rows = 1'000;                      // calls deleted per transaction
  std::chrono::milliseconds pause{50};         // between two batches of one sweep
};

class RetentionSweeper {
 public:
  RetentionSweeper(CallStore& calls, const ApiSettings& settings,
                   RetentionSweepOptions options = {});
  ~RetentionSweeper();  // stop()
  RetentionSweeper(const RetentionSweeper&) = delete;
  RetentionSweeper& operator=(const RetentionSweeper&) = delete;

  // Starts the thread (a sweep right away, then every interval). Once only.
  void start();
  // Asks the thread to stop (it finishes the batch in progress) and waits for it.
  void stop() EXCLUDES(mu_);

  // One sweep now, on the calling thread: batches until one deletes fewer than batch_rows.
  // Returns the calls deleted, or the storage error (the batches before it stay deleted).
  Result<std::int64_t> sweep() EXCLUDES(mu_);

  // The first end_time kept: now - retention_days (ApiContext::retention_floor).
  Micros floor() const;

 private:
  void run() EXCLUDES(mu_);
  // Waits up to `timeout` for stop(); true when stop() was asked.
  bool stop_asked_within(std::chrono::milliseconds timeout) EXCLUDES(mu_);

  CallStore& calls_;
  const ApiSettings& settings_;
  const RetentionSweepOptions options_;
  Mutex mu_;
  CondVar wake_{&mu_};
  bool stop_ GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace cdrd::api
