// Black-box test of the retention sweep: `cdrd serve` deletes, at start and in the background,
// the calls that ended before its --retention-days, of every account, and keeps the others.
// The database is filled directly (ingest refuses calls already past retention) before the
// server starts on it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <limits>
#include <thread>

#include "harness.h"
#include "store/sqlite/stores.h"

namespace cdrd::test {
namespace {

using ::testing::HasSubstr;

CallRecord stored_call(std::int64_t account_id, const std::string& uuid, Micros end) {
  CallRecord c;
  c.account_id = account_id;
  c.call_uuid = uuid;
  c.from_number = "+14155550100";
  c.to_number = "+919943720205";
  c.initiation_time = end - 60 * kMicrosPerSecond;
  c.end_time = end;
  return c;
}

TEST(Retention, ServeDeletesTheExpiredCallsOfEveryAccountInTheBackground) {
  TempDir dir;
  const std::string db = dir.path() + "/cdrd.db";
  const Micros now = wall_now();
  std::int64_t acme = 0, other = 0;
  {
    auto store = std::move(sqlite::open_stores(db)).value();
    acme = store->accounts.create_account("acme", "MA000000000000000001", "h")->id;
    other = store->accounts.create_account("other", "MA000000000000000002", "h")->id;
    std::vector<CallRecord> calls;
    for (int i = 0; i < 1'800; ++i) {  // expired: 31 to 40 days ago, more than one batch
      const Micros end = now - (31 * kMicrosPerDay) - i * 500 * kMicrosPerSecond;
      calls.push_back(stored_call(i % 3 ? acme : other, "old-" + std::to_string(i), end));
    }
    for (int i = 0; i < 10; ++i) {  // kept: 29 days ago and later
      const Micros end = now - 29 * kMicrosPerDay + i * kMicrosPerSecond;
      calls.push_back(stored_call(i % 2 ? acme : other, "new-" + std::to_string(i), end));
    }
    ASSERT_TRUE(store->calls.insert_calls(calls).ok());
  }

  const std::string log = dir.path() + "/server.log";
  const pid_t pid = spawn_cdrd({"--data-dir", dir.path(), "serve", "--port", "0",
                                "--retention-days", "30", "--list-window-days", "30"},
                               log);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline &&
         read_text(log).find("retention: deleted") == std::string::npos) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  kill(pid, SIGTERM);
  int status = 0;
  waitpid(pid, &status, 0);
  const std::string out = read_text(log);
  EXPECT_THAT(out, HasSubstr("retention: deleted 1800 calls that ended before")) << out;

  auto store = std::move(sqlite::open_stores(db)).value();
  const Micros any = std::numeric_limits<Micros>::min();
  for (int i = 0; i < 10; ++i) {
    EXPECT_TRUE(
        store->calls.find_call(i % 2 ? acme : other, "new-" + std::to_string(i), any)->has_value())
        << i;
  }
  for (int i : {0, 1, 2, 1'799}) {
    EXPECT_FALSE(
        store->calls.find_call(i % 3 ? acme : other, "old-" + std::to_string(i), any)->has_value())
        << i;
  }
}

}  // namespace
}  // namespace cdrd::test
