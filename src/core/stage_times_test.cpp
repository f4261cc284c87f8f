// The stage timers add what they time to the process's totals, and only there: an ingest tally
// when it ends, a list's stages and one list when its ListTiming ends, nothing for a list timer
// outside a list (on another thread, or before a list began).
#include "core/stage_times.h"

#include <gtest/gtest.h>

#include <thread>

namespace cdrd::stages {
namespace {

constexpr auto kZentrunk = static_cast<std::size_t>(ListApi::kZentrunk);
constexpr auto kPbx = static_cast<std::size_t>(ListApi::kPbx);

// Spins until the monotonic clock has moved, so a timed scope takes some time.
void pass_time() {
  const std::uint64_t t0 = now_ns();
  while (now_ns() == t0) {
  }
}

TEST(StageTimes, NamesAreTheMetricsLabels) {
  EXPECT_EQ(to_string(IngestStage::kParse), "parse");
  EXPECT_EQ(to_string(IngestStage::kValidate), "validate");
  EXPECT_EQ(to_string(IngestStage::kRate), "rate");
  EXPECT_EQ(to_string(IngestStage::kStore), "store");
  EXPECT_EQ(to_string(ListApi::kZentrunk), "zentrunk");
  EXPECT_EQ(to_string(ListApi::kPbx), "pbx");
  EXPECT_EQ(to_string(ListStage::kMatchCount), "match_count");
  EXPECT_EQ(to_string(ListStage::kFetch), "fetch");
  EXPECT_EQ(to_string(ListStage::kRender), "render");
}

TEST(StageTimes, AnIngestTallyAddsItsStagesAndRecordsWhenItEnds) {
  if (!stage_timing_on()) GTEST_SKIP() << "CDRD_STAGE_TIMING=off";
  const StageTotals before = stage_totals();
  {
    IngestTally tally;
    for (int i = 0; i < 3; ++i) {
      tally.begin_record();  // the first is sampled
      IngestTimer parsing(tally, IngestStage::kParse);
      pass_time();
      parsing.stop();
      pass_time();  // after stop(): not counted
      IngestTimer validating(tally, IngestStage::kValidate);
      pass_time();
    }
    EXPECT_EQ(stage_totals().ingest_records, before.ingest_records);  // not yet
  }
  const StageTotals after = stage_totals();
  EXPECT_EQ(after.ingest_records - before.ingest_records, 3U);
  EXPECT_GT(after.ingest_ns[0], before.ingest_ns[0]);
  EXPECT_GT(after.ingest_ns[1], before.ingest_ns[1]);
  EXPECT_EQ(after.ingest_ns[2], before.ingest_ns[2]);
  EXPECT_EQ(after.ingest_ns[3], before.ingest_ns[3]);
}

TEST(StageTimes, AnIngestTallyTimesTheRecordStagesOfOneRecordInEightAndTheStoreAlways) {
  if (!stage_timing_on()) GTEST_SKIP() << "CDRD_STAGE_TIMING=off";
  IngestTally tally;
  for (std::uint64_t i = 0; i < 3 * kIngestSampleEvery; ++i) {
    tally.begin_record();
    const bool sampled = i % kIngestSampleEvery == 0;
    EXPECT_EQ(tally.times(IngestStage::kParse), sampled) << i;
    EXPECT_EQ(tally.times(IngestStage::kValidate), sampled) << i;
    EXPECT_EQ(tally.times(IngestStage::kRate), sampled) << i;
    EXPECT_TRUE(tally.times(IngestStage::kStore)) << i;
  }
}

TEST(StageTimes, ListTimersAddToTheListOfTheirThreadOnly) {
  if (!stage_timing_on()) GTEST_SKIP() << "CDRD_STAGE_TIMING=off";
  const StageTotals before = stage_totals();
  {
    ListTimer outside(ListStage::kFetch);  // no list yet: times nothing
    pass_time();
  }
  {
    ListTiming list(ListApi::kPbx);
    ASSERT_EQ(ListTiming::current(), &list);
    ListTiming nested(ListApi::kZentrunk);  // times nothing
    {
      ListTimer matching(ListStage::kMatchCount);
      pass_time();
    }
    std::thread([] {
      EXPECT_EQ(ListTiming::current(), nullptr);
      ListTimer elsewhere(ListStage::kFetch);
      pass_time();
    }).join();
    ListTimer rendering(ListStage::kRender);
    pass_time();
  }
  EXPECT_EQ(ListTiming::current(), nullptr);
  const StageTotals after = stage_totals();
  EXPECT_EQ(after.lists[kPbx] - before.lists[kPbx], 1U);
  EXPECT_EQ(after.lists[kZentrunk], before.lists[kZentrunk]);
  EXPECT_GT(after.list_ns[kPbx][0], before.list_ns[kPbx][0]);  // match_count
  EXPECT_EQ(after.list_ns[kPbx][1], before.list_ns[kPbx][1]);  // fetch: not in this list
  EXPECT_GT(after.list_ns[kPbx][2], before.list_ns[kPbx][2]);  // render
  EXPECT_EQ(after.list_ns[kZentrunk], before.list_ns[kZentrunk]);
  EXPECT_EQ(after.ingest_records, before.ingest_records);
}

}  // namespace
}  // namespace cdrd::stages
