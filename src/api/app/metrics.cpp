#include "api/app/metrics.h"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <array>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/mutex.h"
#include "core/stage_times.h"

namespace cdrd::api {
namespace {

// Latency buckets in seconds: from a cached lookup (well under a millisecond) to a query at
// the default budget (2 s) and a large upload.
const prometheus::Histogram::BucketBoundaries& duration_buckets() {
  static const prometheus::Histogram::BucketBoundaries kBuckets = {
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  return kBuckets;
}

// The method as a label: one of the methods cdrd serves or knows, else "other" (a client
// chooses the method, so it cannot be a label as sent).
std::string method_label(std::string_view method) {
  for (const std::string_view known :
       {"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"}) {
    if (method == known) return std::string(known);
  }
  return "other";
}

constexpr std::array<service::ingest::FailureReason, service::ingest::kFailureReasons> kReasons = {
    service::ingest::FailureReason::kMalformed,      service::ingest::FailureReason::kInvalid,
    service::ingest::FailureReason::kUnknownAccount, service::ingest::FailureReason::kUnknownTrunk,
    service::ingest::FailureReason::kPastRetention,  service::ingest::FailureReason::kUnrateable};

}  // namespace

struct Metrics::Impl {
  Impl()
      : registry(std::make_shared<prometheus::Registry>()),
        requests(prometheus::BuildCounter()
                     .Name("cdrd_http_requests_total")
                     .Help("HTTP requests answered, by method, route pattern and status code")
                     .Register(*registry)),
        durations(prometheus::BuildHistogram()
                      .Name("cdrd_http_request_duration_seconds")
                      .Help("Time from a request's first byte to the last byte of its response, "
                            "by method and route pattern")
                      .Register(*registry)),
        connections(prometheus::BuildGauge()
                        .Name("cdrd_http_open_connections")
                        .Help("Client connections open now")
                        .Register(*registry)
                        .Add({})),
        throttled(prometheus::BuildCounter()
                      .Name("cdrd_http_throttled_requests_total")
                      .Help("Requests answered 429: failed authentications from the address, or "
                            "too many requests of one account waiting")
                      .Register(*registry)
                      .Add({})),
        records_family(prometheus::BuildCounter()
                           .Name("cdrd_ingest_records_total")
                           .Help("Ingested records by outcome: stored, duplicate (already "
                                 "stored) or failed")
                           .Register(*registry)),
        stored(records_family.Add({{"outcome", "stored"}})),
        duplicate(records_family.Add({{"outcome", "duplicate"}})),
        failed(records_family.Add({{"outcome", "failed"}})),
        failures_family(prometheus::BuildCounter()
                            .Name("cdrd_ingest_failed_records_total")
                            .Help("Ingested records refused, by reason class")
                            .Register(*registry)),
        rating_family(prometheus::BuildCounter()
                          .Name("cdrd_rating_records_total")
                          .Help("Stored records by how their amount came to be: rated from the "
                                "account's deck, provided with the record, or unrated (no "
                                "deck row matched)")
                          .Register(*registry)),
        rated(rating_family.Add({{"outcome", "rated"}})),
        provided(rating_family.Add({{"outcome", "provided"}})),
        unrated(rating_family.Add({{"outcome", "unrated"}})),
        calls_held(prometheus::BuildGauge()
                       .Name("cdrd_calls_held")
                       .Help("Calls held in the list index of every account")
                       .Register(*registry)
                       .Add({})),
        index_bytes(prometheus::BuildGauge()
                        .Name("cdrd_list_index_memory_bytes")
                        .Help("Memory used by the list index (approximately)")
                        .Register(*registry)
                        .Add({})),
        database_bytes(prometheus::BuildGauge()
                           .Name("cdrd_database_size_bytes")
                           .Help("Size of the database file and its write-ahead log")
                           .Register(*registry)
                           .Add({})),
        over_budget(prometheus::BuildCounter()
                        .Name("cdrd_store_queries_over_budget_total")
                        .Help("Store reads stopped by the query budget (answered 503)")
                        .Register(*registry)
                        .Add({})),
        compaction_steps(prometheus::BuildCounter()
                             .Name("cdrd_list_index_compaction_steps_total")
                             .Help("Steps of the list index's background compaction after ingest")
                             .Register(*registry)
                             .Add({})),
        pending_calls(prometheus::BuildGauge()
                          .Name("cdrd_list_index_pending_calls")
                          .Help("Calls of the list index added out of order and not yet merged "
                                "into their chunk")
                          .Register(*registry)
                          .Add({})),
        uuid_map_calls(prometheus::BuildGauge()
                           .Name("cdrd_uuid_map_calls")
                           .Help("Call uuids held in the accounts' uuid maps (duplicates found in "
                                 "memory)")
                           .Register(*registry)
                           .Add({})),
        uuid_map_bytes(prometheus::BuildGauge()
                           .Name("cdrd_uuid_map_memory_bytes")
                           .Help("Memory used by the uuid maps (approximately)")
                           .Register(*registry)
                           .Add({})),
        uuid_map_builds(prometheus::BuildCounter()
                            .Name("cdrd_uuid_map_builds_total")
                            .Help("Uuid maps built by reading an account's calls from the table "
                                  "(not loaded from the snapshot)")
                            .Register(*registry)
                            .Add({})),
        ingest_stage_family(prometheus::BuildCounter()
                                .Name("cdrd_ingest_stage_seconds_total")
                                .Help("Time spent in each stage of ingest, summed over the "
                                      "ingesting threads (core/stage_times.h)")
                                .Register(*registry)),
        ingest_stage_records(prometheus::BuildCounter()
                                 .Name("cdrd_ingest_stage_records_total")
                                 .Help("Ingested records whose stages "
                                       "cdrd_ingest_stage_seconds_total counts")
                                 .Register(*registry)
                                 .Add({})),
        list_stage_family(prometheus::BuildCounter()
                              .Name("cdrd_list_stage_seconds_total")
                              .Help("Time spent in each stage of the call lists, by API, summed "
                                    "over the handler threads (core/stage_times.h)")
                              .Register(*registry)),
        list_stage_lists_family(prometheus::BuildCounter()
                                    .Name("cdrd_list_stage_lists_total")
                                    .Help("Call lists whose stages cdrd_list_stage_seconds_total "
                                          "counts, by API")
                                    .Register(*registry)) {
    for (std::size_t i = 0; i < kReasons.size(); ++i) {
      failures[i] = &failures_family.Add({{"reason", std::string(to_string(kReasons[i]))}});
    }
    for (std::size_t i = 0; i < stages::kIngestStages; ++i) {
      ingest_stages[i] = &ingest_stage_family.Add(
          {{"stage", std::string(to_string(static_cast<stages::IngestStage>(i)))}});
    }
    for (std::size_t a = 0; a < stages::kListApis; ++a) {
      const std::string api(to_string(static_cast<stages::ListApi>(a)));
      for (std::size_t i = 0; i < stages::kListStages; ++i) {
        list_stages[a][i] = &list_stage_family.Add(
            {{"api", api}, {"stage", std::string(to_string(static_cast<stages::ListStage>(i)))}});
      }
      list_stage_lists[a] = &list_stage_lists_family.Add({{"api", api}});
    }
  }

  // The stage totals of core/stage_times.h into the counters (they only grow).
  void catch_up_stages() {
    const stages::StageTotals t = stages::stage_totals();
    for (std::size_t i = 0; i < stages::kIngestStages; ++i) {
      catch_up(*ingest_stages[i], static_cast<double>(t.ingest_ns[i]) * 1e-9);
    }
    catch_up(ingest_stage_records, static_cast<double>(t.ingest_records));
    for (std::size_t a = 0; a < stages::kListApis; ++a) {
      for (std::size_t i = 0; i < stages::kListStages; ++i) {
        catch_up(*list_stages[a][i], static_cast<double>(t.list_ns[a][i]) * 1e-9);
      }
      catch_up(*list_stage_lists[a], static_cast<double>(t.lists[a]));
    }
  }
  static void catch_up(prometheus::Counter& counter, double now) {
    const double seen = counter.Value();
    if (now > seen) counter.Increment(now - seen);
  }

  std::shared_ptr<prometheus::Registry> registry;
  prometheus::Family<prometheus::Counter>& requests;
  prometheus::Family<prometheus::Histogram>& durations;
  prometheus::Gauge& connections;
  prometheus::Counter& throttled;
  prometheus::Family<prometheus::Counter>& records_family;
  prometheus::Counter& stored;
  prometheus::Counter& duplicate;
  prometheus::Counter& failed;
  prometheus::Family<prometheus::Counter>& failures_family;
  std::array<prometheus::Counter*, service::ingest::kFailureReasons> failures{};
  prometheus::Family<prometheus::Counter>& rating_family;
  prometheus::Counter& rated;
  prometheus::Counter& provided;
  prometheus::Counter& unrated;
  prometheus::Gauge& calls_held;
  prometheus::Gauge& index_bytes;
  prometheus::Gauge& database_bytes;
  prometheus::Counter& over_budget;
  prometheus::Counter& compaction_steps;
  prometheus::Gauge& pending_calls;
  prometheus::Gauge& uuid_map_calls;
  prometheus::Gauge& uuid_map_bytes;
  prometheus::Counter& uuid_map_builds;
  prometheus::Family<prometheus::Counter>& ingest_stage_family;
  std::array<prometheus::Counter*, stages::kIngestStages> ingest_stages{};
  prometheus::Counter& ingest_stage_records;
  prometheus::Family<prometheus::Counter>& list_stage_family;
  std::array<std::array<prometheus::Counter*, stages::kListStages>, stages::kListApis>
      list_stages{};
  prometheus::Family<prometheus::Counter>& list_stage_lists_family;
  std::array<prometheus::Counter*, stages::kListApis> list_stage_lists{};

  // The series of each (method, route, status) answered so far: Family::Add builds and hashes
  // a label map, which costs more than a cheap request; a series, once added, lives as long as
  // its family. Keyed "METHOD ROUTE STATUS"; bounded as the labels are (known methods, route
  // patterns, statuses).
  struct Series {
    prometheus::Counter* requests = nullptr;
    prometheus::Histogram* duration = nullptr;
  };
  SharedMutex series_mu;
  std::unordered_map<std::string, Series> series GUARDED_BY(series_mu);

  // One scrape at a time: the store figures are copied into the gauges and counters first.
  mutable Mutex scrape_mu;
  std::function<Result<StoreFigures>()> read_store GUARDED_BY(scrape_mu);
};

Metrics::Metrics() : impl_(std::make_unique<Impl>()) {}
Metrics::~Metrics() = default;

void Metrics::connection_opened() { impl_->connections.Increment(); }
void Metrics::connection_closed() { impl_->connections.Decrement(); }

void Metrics::request_done(std::string_view method, std::string_view route, int status,
                           std::chrono::nanoseconds elapsed) {
  const std::string method_value = method_label(method);
  const std::string_view route_value = route.empty() ? "unmatched" : route;
  std::string key = method_value;
  key += ' ';
  key += route_value;
  key += ' ';
  key += std::to_string(status);
  Impl::Series series;
  {
    ReaderLock lock(&impl_->series_mu);
    const auto it = impl_->series.find(key);
    if (it != impl_->series.end()) series = it->second;
  }
  if (series.requests == nullptr) {
    const std::string route_label(route_value);
    series.requests = &impl_->requests.Add(
        {{"method", method_value}, {"route", route_label}, {"status", std::to_string(status)}});
    series.duration = &impl_->durations.Add({{"method", method_value}, {"route", route_label}},
                                            duration_buckets());
    WriterLock lock(&impl_->series_mu);
    impl_->series.emplace(std::move(key), series);
  }
  series.requests->Increment();
  series.duration->Observe(std::chrono::duration<double>(elapsed).count());
  if (status == 429) impl_->throttled.Increment();
}

void Metrics::observe_batch(const service::ingest::BatchResult& batch) {
  impl_->stored.Increment(static_cast<double>(batch.stored));
  impl_->duplicate.Increment(static_cast<double>(batch.duplicates));
  impl_->failed.Increment(static_cast<double>(batch.failed_count));
  for (std::size_t i = 0; i < kReasons.size(); ++i) {
    impl_->failures[i]->Increment(static_cast<double>(batch.failed_by_reason[i]));
  }
  impl_->rated.Increment(static_cast<double>(batch.rated));
  impl_->provided.Increment(static_cast<double>(batch.provided));
  impl_->unrated.Increment(static_cast<double>(batch.unrated));
}

void Metrics::set_store_figures(std::function<Result<StoreFigures>()> read) {
  MutexLock lock(&impl_->scrape_mu);
  impl_->read_store = std::move(read);
}

std::string Metrics::scrape() const {
  MutexLock lock(&impl_->scrape_mu);
  if (impl_->read_store) {
    if (Result<StoreFigures> figures = impl_->read_store(); figures.ok()) {
      impl_->calls_held.Set(static_cast<double>(figures->calls_held));
      impl_->index_bytes.Set(static_cast<double>(figures->list_index_bytes));
      impl_->database_bytes.Set(static_cast<double>(figures->database_bytes));
      // The store counts; the counter catches up (it never goes down).
      const double seen = impl_->over_budget.Value();
      const auto now = static_cast<double>(figures->reads_over_budget);
      if (now > seen) impl_->over_budget.Increment(now - seen);
      Impl::catch_up(impl_->compaction_steps, static_cast<double>(figures->index_compaction_steps));
      impl_->pending_calls.Set(static_cast<double>(figures->index_pending_calls));
      impl_->uuid_map_calls.Set(static_cast<double>(figures->uuid_map_calls));
      impl_->uuid_map_bytes.Set(static_cast<double>(figures->uuid_map_bytes));
      Impl::catch_up(impl_->uuid_map_builds, static_cast<double>(figures->uuid_map_builds));
    }
  }
  impl_->catch_up_stages();
  return prometheus::TextSerializer().Serialize(impl_->registry->Collect());
}

}  // namespace cdrd::api
