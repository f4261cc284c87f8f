// Metrics and the operator routes without a socket: counters move with the right labels, no
// label takes a value the client chooses, the store's figures are read at each scrape, and
// /readyz names each check and the one that failed.
#include "api/app/metrics.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "api/app/operations.h"

namespace cdrd::api {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(Metrics, CountRequestsByMethodRouteAndStatusWithTheirDurations) {
  Metrics m;
  m.request_done("GET", "/v1/Account/{auth_id}/Call", 200, std::chrono::milliseconds(3));
  m.request_done("GET", "/v1/Account/{auth_id}/Call", 200, std::chrono::milliseconds(30));
  m.request_done("GET", "/v1/Account/{auth_id}/Call", 503, std::chrono::milliseconds(2000));
  const std::string text = m.scrape();
  EXPECT_THAT(text, HasSubstr("cdrd_http_requests_total{method=\"GET\",route=\"/v1/Account/"
                              "{auth_id}/Call\",status=\"200\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("cdrd_http_requests_total{method=\"GET\",route=\"/v1/Account/"
                              "{auth_id}/Call\",status=\"503\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("cdrd_http_request_duration_seconds_count{method=\"GET\",route=\"/"
                              "v1/Account/{auth_id}/Call\"} 3\n"));
  EXPECT_THAT(text, HasSubstr("cdrd_http_request_duration_seconds_bucket{method=\"GET\",route=\"/"
                              "v1/Account/{auth_id}/Call\",le=\"0.005\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("# TYPE cdrd_http_request_duration_seconds histogram"));
}

TEST(Metrics, RequestsCountedFromManyThreadsAddUp) {
  Metrics m;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&m, t] {
      for (int i = 0; i < 500; ++i) {
        m.request_done("GET", "/v1/Account/{auth_id}/Call/{call_uuid}", t % 2 ? 200 : 404,
                       std::chrono::microseconds(100));
      }
    });
  }
  for (auto& t : threads) t.join();
  const std::string text = m.scrape();
  for (const char* status : {"200", "404"}) {
    EXPECT_THAT(text, HasSubstr(std::string("cdrd_http_requests_total{method=\"GET\",route=\"/v1/"
                                            "Account/{auth_id}/Call/{call_uuid}\",status=\"") +
                                status + "\"} 1000\n"));
  }
  EXPECT_THAT(text, HasSubstr("cdrd_http_request_duration_seconds_count{method=\"GET\",route=\"/"
                              "v1/Account/{auth_id}/Call/{call_uuid}\"} 2000\n"));
}

TEST(Metrics, LabelsTakeNoValueTheClientChooses) {
  Metrics m;
  m.request_done("BREW", "", 400, std::chrono::milliseconds(1));
  const std::string text = m.scrape();
  EXPECT_THAT(text, HasSubstr("cdrd_http_requests_total{method=\"other\",route=\"unmatched\","
                              "status=\"400\"} 1\n"));
  EXPECT_THAT(text, Not(HasSubstr("BREW")));
}

TEST(Metrics, CountThrottledRequestsAndOpenConnections) {
  Metrics m;
  m.connection_opened();
  m.connection_opened();
  m.connection_closed();
  m.request_done("POST", "/oauth/token", 429, std::chrono::milliseconds(1));
  const std::string text = m.scrape();
  EXPECT_THAT(text, HasSubstr("cdrd_http_open_connections 1\n"));
  EXPECT_THAT(text, HasSubstr("cdrd_http_throttled_requests_total 1\n"));
}

TEST(Metrics, CountIngestByOutcomeReasonAndRating) {
  Metrics m;
  service::ingest::BatchResult batch;
  batch.stored = 5;
  batch.duplicates = 2;
  batch.add_failure(3, "account: no account has auth_id ...",
                    service::ingest::FailureReason::kUnknownAccount);
  batch.add_failure(4, "end_time: ... past the 90-day retention",
                    service::ingest::FailureReason::kPastRetention);
  batch.rated = 3;
  batch.provided = 2;
  m.observe_batch(batch);
  m.observe_batch(batch);
  const std::string text = m.scrape();
  EXPECT_THAT(text, HasSubstr("cdrd_ingest_records_total{outcome=\"stored\"} 10\n"));
  EXPECT_THAT(text, HasSubstr("cdrd_ingest_records_total{outcome=\"duplicate\"} 4\n"));
  EXPECT_THAT(text, HasSubstr("cdrd_ingest_records_total{outcome=\"failed\"} 4\n"));
  EXPECT_THAT(text, HasSubstr("cdrd_ingest_failed_records_total{reason=\"unknown_account\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("cdrd_ingest_failed_records_total{reason=\"past_retention\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("cdrd_ingest_failed_records_total{reason=\"malformed\"} 0\n"));
  EXPECT_THAT(text, HasSubstr("cdrd_rating_records_total{outcome=\"rated\"} 6\n"));
  EXPECT_THAT(text, HasSubstr("cdrd_rating_records_total{outcome=\"provided\"} 4\n"));
  EXPECT_THAT(text, HasSubstr("cdrd_rating_records_total{outcome=\"unrated\"} 0\n"));
  // The line's message (free text) never reaches a label.
  EXPECT_THAT(text, Not(HasSubstr("no account has")));
}

TEST(Metrics, ReadTheStoreFiguresAtEachScrape) {
  Metrics m;
  std::uint64_t over_budget = 2;
  m.set_store_figures([&]() -> Result<StoreFigures> {
    StoreFigures f;
    f.calls_held = 3000;
    f.list_index_bytes = 250'000;
    f.database_bytes = 4096;
    f.reads_over_budget = over_budget;
    f.uuid_map_calls = 2900;
    f.uuid_map_bytes = 65'536;
    f.uuid_map_builds = 3;
    return f;
  });
  std::string text = m.scrape();
  EXPECT_THAT(text, HasSubstr("cdrd_uuid_map_calls 2900\n"));
  EXPECT_THAT(text, HasSubstr("cdrd_uuid_map_memory_bytes 65536\n"));
  EXPECT_THAT(text, HasSubstr("cdrd_uuid_map_builds_total 3\n"));
  EXPECT_THAT(text, HasSubstr("cdrd_calls_held 3000\n"));
  EXPECT_THAT(text, HasSubstr("cdrd_list_index_memory_bytes 250000\n"));
  EXPECT_THAT(text, HasSubstr("cdrd_database_size_bytes 4096\n"));
  EXPECT_THAT(text, HasSubstr("cdrd_store_queries_over_budget_total 2\n"));
  over_budget = 5;
  text = m.scrape();
  EXPECT_THAT(text, HasSubstr("cdrd_store_queries_over_budget_total 5\n"));
}

TEST(Metrics, CountTheListIndexCompaction) {
  Metrics m;
  StoreFigures f;
  f.index_compaction_steps = 7;
  f.index_pending_calls = 120;
  m.set_store_figures([&]() -> Result<StoreFigures> { return f; });
  std::string text = m.scrape();
  EXPECT_THAT(text, HasSubstr("cdrd_list_index_compaction_steps_total 7\n"));
  EXPECT_THAT(text, HasSubstr("cdrd_list_index_pending_calls 120\n"));
  f.index_compaction_steps = 9;
  f.index_pending_calls = 0;
  text = m.scrape();
  EXPECT_THAT(text, HasSubstr("cdrd_list_index_compaction_steps_total 9\n"));
  EXPECT_THAT(text, HasSubstr("cdrd_list_index_pending_calls 0\n"));
}

TEST(Readiness, NamesEveryCheckWhenReady) {
  const http::HttpResponse r = readiness_response(
      {{"database", [] { return Status::Ok(); }}, {"migrations", [] { return Status::Ok(); }}});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"status":"ready","checks":{"database":"ok","migrations":"ok"}})");
}

TEST(Readiness, Answers503WithTheFailingCheck) {
  const http::HttpResponse r = readiness_response(
      {{"database", [] { return Status::Ok(); }},
       {"migrations", [] { return Status::Unavailable("the schema is at version 3"); }},
       {"list_index", [] { return Status::Ok(); }}});
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(
      r.body,
      R"({"status":"not ready","checks":{"database":"ok","migrations":"the schema is at version 3"}})");
}

}  // namespace
}  // namespace cdrd::api
