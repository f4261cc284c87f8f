#include "api/retention_sweeper.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "testing/empty_call_store.h"

namespace cdrd::api {
namespace {

using namespace std::chrono_literals;

// Holds the end_times of `left` expired calls; answers deletes the way a store does.
class FakeCalls final : public cdrd::testing::EmptyCallStore {
 public:
  std::int64_t left = 0;
  bool fail = false;
  std::vector<std::pair<Micros, int>> asked;  // (floor, max_rows) of every delete
  std::atomic<int> deletes{0};

  Result<std::int64_t> delete_calls_ended_before(Micros floor, int max_rows) override {
    ++deletes;
    if (fail) return Status::IOError("disk on fire");
    asked.emplace_back(floor, max_rows);
    const std::int64_t n = std::min<std::int64_t>(left, max_rows);
    left -= n;
    return n;
  }
};

constexpr Micros kNow = 1'800'000'000 * kMicrosPerSecond;

ApiSettings settings_at_now(std::int64_t retention_days) {
  ApiSettings s;
  s.retention_days = retention_days;
  s.now = [] { return kNow; };
  return s;
}

TEST(RetentionSweeper, DeletesInBatchesUntilAShortOneAtTheRetentionFloor) {
  FakeCalls calls;
  calls.left = 2'500;
  const ApiSettings settings = settings_at_now(90);
  RetentionSweeper sweeper(calls, settings, {1h, 1'000, 1ms});
  const Result<std::int64_t> deleted = sweeper.sweep();
  ASSERT_TRUE(deleted.ok());
  EXPECT_EQ(*deleted, 2'500);
  ASSERT_EQ(calls.asked.size(), 3u);  // 1000, 1000, 500
  for (const auto& [floor, rows] : calls.asked) {
    EXPECT_EQ(floor, kNow - 90 * kMicrosPerDay);
    EXPECT_EQ(rows, 1'000);
  }
  // Nothing left: one batch that finds nothing.
  EXPECT_EQ(*sweeper.sweep(), 0);
  EXPECT_EQ(calls.asked.size(), 4u);
}

TEST(RetentionSweeper, AnExactMultipleOfTheBatchEndsWithAnEmptyBatch) {
  FakeCalls calls;
  calls.left = 2'000;
  const ApiSettings settings = settings_at_now(30);
  RetentionSweeper sweeper(calls, settings, {1h, 1'000, 1ms});
  EXPECT_EQ(*sweeper.sweep(), 2'000);
  EXPECT_EQ(calls.asked.size(), 3u);
}

TEST(RetentionSweeper, AStorageFailureIsReturned) {
  FakeCalls calls;
  calls.fail = true;
  const ApiSettings settings = settings_at_now(90);
  RetentionSweeper sweeper(calls, settings);
  EXPECT_EQ(sweeper.sweep().status().code(), Status::Code::kIOError);
}

TEST(RetentionSweeper, SweepsAtStartAndStopsPromptlyDuringTheInterval) {
  FakeCalls calls;
  calls.left = 10;
  const ApiSettings settings = settings_at_now(90);
  RetentionSweeper sweeper(calls, settings, {1h, 1'000, 1ms});
  sweeper.start();
  for (int i = 0; i < 500 && calls.deletes == 0; ++i) std::this_thread::sleep_for(10ms);
  const auto t0 = std::chrono::steady_clock::now();
  sweeper.stop();  // the thread waits out a 1 h interval: stop must not
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 5s);
  EXPECT_EQ(calls.deletes, 1);
  EXPECT_EQ(calls.left, 0);
}

TEST(RetentionSweeper, SweepsAgainEveryInterval) {
  FakeCalls calls;
  const ApiSettings settings = settings_at_now(90);
  RetentionSweeper sweeper(calls, settings, {10ms, 1'000, 1ms});
  sweeper.start();
  for (int i = 0; i < 500 && calls.deletes < 3; ++i) std::this_thread::sleep_for(10ms);
  sweeper.stop();
  EXPECT_GE(calls.deletes, 3);
}

}  // namespace
}  // namespace cdrd::api
