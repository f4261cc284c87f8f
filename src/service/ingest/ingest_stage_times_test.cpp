// The stage timers of ingest (core/stage_times.h) add up: N records through IngestService count
// N records, and each stage (parse, validate, rate, store) counts time. The totals are the
// process's, so the test compares them before and after.
#include <gtest/gtest.h>

#include <string>

#include "core/stage_times.h"
#include "service/ingest/ingest.h"
#include "service/rating/rating_service.h"
#include "testing/stores.h"
#include "testing/values.h"

namespace cdrd::service::ingest::stage_times_test {
namespace {

using cdrd::testing::at;

constexpr const char* kAuthId = "MA0000000000000000AB";

std::string ndjson_record(int i) {
  return std::string(R"({"account": ")") + kAuthId + R"(", "call_uuid": "stage-)" +
         std::to_string(i) +
         R"(", "call_direction": "outbound", "from_number": "+912235328936", )"
         R"("to_number": "+919943720205", "initiation_time": "2026-11-30 10:00:10", )"
         R"("answer_time": "2026-11-30 10:00:10", "end_time": "2026-11-30 10:00:40"})"
         "\n";
}

TEST(IngestStageTimes, CountEveryRecordAndTimeEveryStage) {
  if (!stages::stage_timing_on()) GTEST_SKIP() << "CDRD_STAGE_TIMING=off";
  cdrd::testing::TempDir dir{"cdrd_ingest_stages_"};
  auto store = cdrd::testing::open_stores_in(dir);
  RatingService rating(store->accounts, store->rating);
  cdrd::testing::add_account(*store, "acme", kAuthId);
  IngestSettings settings;
  settings.now = [] { return at("2026-11-30 12:00:00"); };
  const IngestService service(store->accounts, store->calls, store->trunks, rating, settings);

  constexpr int kRecords = 2'000;
  std::string body;
  for (int i = 0; i < kRecords; ++i) body += ndjson_record(i);
  body += "not json\n";  // a line that fails to parse is a timed record too

  const stages::StageTotals before = stages::stage_totals();
  const Result<BatchResult> r = service.ingest_text(body, Format::kNdjson);
  const stages::StageTotals after = stages::stage_totals();
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->stored, kRecords);
  ASSERT_EQ(r->failed_count, 1);

  EXPECT_EQ(after.ingest_records - before.ingest_records, kRecords + 1);
  for (std::size_t i = 0; i < stages::kIngestStages; ++i) {
    EXPECT_GT(after.ingest_ns[i], before.ingest_ns[i])
        << to_string(static_cast<stages::IngestStage>(i));
  }
  // Ingest times no list.
  EXPECT_EQ(after.lists, before.lists);

  // CSV goes through the same stages.
  const stages::StageTotals csv_before = stages::stage_totals();
  const Result<BatchResult> csv =
      service.ingest_text(std::string("account,call_uuid,call_direction,from_number,to_number,"
                                      "initiation_time,end_time\n") +
                              kAuthId +
                              ",stage-csv,outbound,+912235328936,+919943720205,"
                              "2026-11-30 10:00:10,2026-11-30 10:00:40\n",
                          Format::kCsv);
  ASSERT_TRUE(csv.ok()) << csv.status().message();
  ASSERT_EQ(csv->stored, 1);
  const stages::StageTotals csv_after = stages::stage_totals();
  EXPECT_EQ(csv_after.ingest_records - csv_before.ingest_records, 1U);
  EXPECT_GT(csv_after.ingest_ns[0], csv_before.ingest_ns[0]);  // parse
  EXPECT_GT(csv_after.ingest_ns[3], csv_before.ingest_ns[3]);  // store
}

}  // namespace
}  // namespace cdrd::service::ingest::stage_times_test
