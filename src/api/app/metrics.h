// Metrics: the Prometheus metrics of a running server (docs/metrics.md), kept with
// prometheus-cpp's core library and written in the text exposition format by scrape(). The app
// serves them at GET /metrics; nothing else sees a prometheus type (they stay in metrics.cpp).
//
// The numbers arrive through narrow hooks: the HTTP server reports connections and answered
// requests (as its http::ServerObserver), the ingest service the counts of each stored batch
// (observe_batch, from IngestSettings::on_batch), and the store's figures (calls held, memory
// of the list index, database size, reads over budget) are read at each scrape from the
// function given to set_store_figures, the time of each stage of ingest and of the lists from
// core/stage_times.h. Every label takes values from a small fixed set: the
// route *pattern* (never the path), a known method or "other", the status code, a failure
// reason class of service::ingest::FailureReason.
//
// Thread-safety: every member may be called from any thread at once.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"
#include "http/server.h"
#include "service/ingest/ingest.h"

namespace cdrd::api {

// What the store knows about itself, read at each scrape.
struct StoreFigures {
  std::int64_t calls_held = 0;          // calls in the list index of every account
  std::int64_t list_index_bytes = 0;    // the memory of the list index (approximately)
  std::int64_t database_bytes = 0;      // the database file and its write-ahead log
  std::uint64_t reads_over_budget = 0;  // reads stopped by the query budget since start
  // The list index's background compaction: steps run since start, and calls still pending
  // (out of order, not yet merged into their chunk).
  std::uint64_t index_compaction_steps = 0;
  std::int64_t index_pending_calls = 0;
  // The uuid maps (duplicates found in memory): calls and memory of the built maps, and how
  // many maps were built from the table since start.
  std::int64_t uuid_map_calls = 0;
  std::int64_t uuid_map_bytes = 0;
  std::uint64_t uuid_map_builds = 0;
};

class Metrics : public http::ServerObserver {
 public:
  Metrics();
  ~Metrics() override;
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // http::ServerObserver
  void connection_opened() override;
  void connection_closed() override;
  void request_done(std::string_view method, std::string_view route, int status,
                    std::chrono::nanoseconds elapsed) override;

  // The counts of one ingested batch: records stored, duplicate, failed by reason; the rating
  // outcome of the stored ones.
  void observe_batch(const service::ingest::BatchResult& batch);

  // Where scrape() reads the store's figures; a failure leaves the gauges as they were.
  void set_store_figures(std::function<Result<StoreFigures>()> read);

  // Every metric in the Prometheus text format (version 0.0.4).
  std::string scrape() const;

  static constexpr std::string_view kContentType = "text/plain; version=0.0.4; charset=utf-8";

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cdrd::api
