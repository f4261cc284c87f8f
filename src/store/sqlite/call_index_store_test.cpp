// The list index inside the store: list_calls (index) must answer exactly what list_calls_scan
// (SQL over the table) answers, through inserts with duplicates, re-rating, retention and a
// restart, and a stored call is in the very next list.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "store/sqlite/stores.h"
#include "testing/random_calls.h"
#include "testing/stores.h"
#include "testing/temp_dir.h"

namespace cdrd {
namespace {

using testing::Random;

std::string describe(const Result<Page<CallRecord>>& page) {
  if (!page.ok()) return "error: " + page.status().message();
  std::string s = "total " + std::to_string(page->total_count) + ":";
  for (const CallRecord& c : page->rows) s += " " + c.call_uuid;
  return s;
}

class CallIndexStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { reopen(); }
  void reopen() {
    stores_.reset();
    stores_ = testing::open_stores_in(dir_);
    if (account_ == 0) {
      account_ = testing::add_account(*stores_, "a", "MAAAAAAAAAAAAAAAAAAA").id;
      other_ = testing::add_account(*stores_, "b", "MABBBBBBBBBBBBBBBBBB").id;
    }
  }

  // Random queries of the account; the index and the scan must agree on each.
  void expect_agreement(Random& rnd, int queries, const std::string& when) {
    for (int i = 0; i < queries; ++i) {
      CallQuery q = testing::random_query(rnd, stored_);
      q.account_id = rnd.chance(90) ? account_ : other_;
      const Result<Page<CallRecord>> fast = stores_->calls.list_calls(q);
      const Result<Page<CallRecord>> scan = stores_->calls.list_calls_scan(q);
      ASSERT_TRUE(fast.ok()) << fast.status().message();
      ASSERT_EQ(describe(fast), describe(scan)) << when << ", query " << i;
    }
  }

  std::int64_t count_all(std::int64_t account) {
    CallQuery q;
    q.account_id = account;
    q.limit = 1;
    const Result<Page<CallRecord>> page = stores_->calls.list_calls(q);
    EXPECT_TRUE(page.ok());
    return page.ok() ? page->total_count : -1;
  }

  testing::TempDir dir_;
  std::unique_ptr<sqlite::Stores> stores_;
  std::int64_t account_ = 0, other_ = 0;
  std::int64_t stored_ = 0;
};

TEST_F(CallIndexStoreTest, ListsEqualTheSqlScanThroughInsertsRerateRetentionAndRestart) {
  Random rnd(11);
  std::int64_t next_uuid = 0;
  std::int64_t mine = 0;
  for (int batch = 0; batch < 12; ++batch) {
    std::vector<CallRecord> calls;
    for (int i = 0; i < 250; ++i) {
      CallRecord c = testing::random_call(rnd);
      c.account_id = rnd.chance(80) ? account_ : other_;
      // Now and then a uuid stored before: a duplicate, which must not count twice.
      const std::int64_t uuid =
          rnd.chance(5) && next_uuid > 0 ? rnd.between(0, next_uuid - 1) : next_uuid++;
      c.call_uuid = "call-" + std::to_string(uuid);
      calls.push_back(std::move(c));
    }
    Result<std::vector<InsertOutcome>> out = stores_->calls.insert_calls(calls);
    ASSERT_TRUE(out.ok()) << out.status().message();
    for (std::size_t i = 0; i < calls.size(); ++i) {
      if ((*out)[i] == InsertOutcome::kStored && calls[i].account_id == account_) ++mine;
    }
    stored_ += static_cast<std::int64_t>(calls.size());
    // Read your writes: the very next list counts every stored call.
    ASSERT_EQ(count_all(account_), mine) << "after batch " << batch;
    expect_agreement(rnd, 60, "after batch " + std::to_string(batch));
  }

  // Re-rating changes bill_duration, a filtered column.
  BillingScan scan;
  scan.account_id = account_;
  scan.include_provided = true;  // the random calls carry their own amounts
  Result<std::vector<BilledCall>> billed = stores_->rating.scan_billing(scan, {}, 400);
  ASSERT_TRUE(billed.ok()) << billed.status().message();
  ASSERT_FALSE(billed->empty());
  for (BilledCall& b : *billed) b.call.bill_duration_s = rnd.between(0, 700);
  ASSERT_TRUE(stores_->rating.update_billing(*billed).ok());
  expect_agreement(rnd, 300, "after re-rating");

  // Retention removes the oldest calls of every account, batch by batch.
  const Micros floor = Micros{1'000'000} * 120;
  for (;;) {
    Result<std::int64_t> n = stores_->calls.delete_calls_ended_before(floor, 97);
    ASSERT_TRUE(n.ok()) << n.status().message();
    if (*n < 97) break;
  }
  CallQuery old;
  old.account_id = account_;
  old.end_time.until = floor;
  EXPECT_EQ(stores_->calls.list_calls(old)->total_count, 0);
  EXPECT_EQ(stores_->calls.list_calls_scan(old)->total_count, 0);
  expect_agreement(rnd, 300, "after retention");

  // A restart builds the index again from the table.
  const std::int64_t before = count_all(account_);
  reopen();
  Result<std::int64_t> indexed = stores_->calls.build_indexes();
  ASSERT_TRUE(indexed.ok()) << indexed.status().message();
  EXPECT_EQ(count_all(account_), before);
  expect_agreement(rnd, 300, "after a restart");
}

// Calls stored out of end_time order leave pending calls in the index's chunks; once ingest
// pauses, the store's writer compacts the index a step at a time, while lists go on agreeing
// with the scan.
TEST_F(CallIndexStoreTest, TheIndexIsCompactedOnceIngestPauses) {
  Random rnd(12);
  for (int batch = 0; batch < 16; ++batch) {
    std::vector<CallRecord> calls;
    for (int i = 0; i < 1000; ++i) {
      CallRecord c = testing::random_call(rnd);  // end times in random order
      c.account_id = account_;
      c.call_uuid = "call-" + std::to_string(batch) + "-" + std::to_string(i);
      calls.push_back(std::move(c));
    }
    Result<std::vector<InsertOutcome>> out = stores_->calls.insert_calls(calls);
    ASSERT_TRUE(out.ok()) << out.status().message();
    stored_ += static_cast<std::int64_t>(calls.size());
  }
  ASSERT_EQ(count_all(account_), 16000);
  sqlite::CallIndexes& indexes = stores_->db->call_indexes();
  sqlite::CallIndexes::Usage usage;
  for (int i = 0; i < 400; ++i) {
    expect_agreement(rnd, 2, "while compacting");
    usage = indexes.usage();
    if (usage.pending == 0 && indexes.compaction_steps() > 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_GT(indexes.compaction_steps(), 0u);
  EXPECT_EQ(usage.pending, 0u);
  EXPECT_LE(usage.chunks, 2 * usage.packed_chunks + 1);
  EXPECT_EQ(count_all(account_), 16000);
  expect_agreement(rnd, 200, "compacted");
}

// list_is_bounded runs on the thread that read the request: it must never wait for the index,
// which the publisher holds for writing while it adds a group's calls (up to tens of
// milliseconds under ingest) and the writer while it compacts. Then the list is not bounded now
// (a worker answers it).
TEST_F(CallIndexStoreTest, TheBoundedListCheckNeverWaitsForTheIndexLock) {
  Random rnd(13);
  std::vector<CallRecord> calls;
  for (int i = 0; i < 500; ++i) {
    CallRecord c = testing::random_call(rnd);
    c.account_id = account_;
    c.call_uuid = "call-" + std::to_string(i);
    if (i == 7) c.from_username = "rare-user";
    calls.push_back(std::move(c));
  }
  ASSERT_TRUE(stores_->calls.insert_calls(calls).ok());
  ASSERT_EQ(count_all(account_), 500);  // the index is built
  CallQuery q;
  q.account_id = account_;
  q.limit = 10;
  q.from_usernames = {"rare-user"};
  ASSERT_TRUE(stores_->calls.list_is_bounded(q));

  SharedMutex& mu = stores_->db->call_indexes().slot(account_).mu;
  std::future<bool> bounded;
  {
    WriterLock held(&mu);  // as the publisher holds it
    bounded = std::async(std::launch::async, [&] { return stores_->calls.list_is_bounded(q); });
    const bool answered = bounded.wait_for(std::chrono::seconds(5)) == std::future_status::ready;
    EXPECT_TRUE(answered) << "list_is_bounded waited for the index lock";
  }
  EXPECT_FALSE(bounded.get());
  EXPECT_TRUE(stores_->calls.list_is_bounded(q));  // free again: bounded again
}

// The index snapshot: written at a stop, loaded by the next open alone (its token is taken at
// open), refused when damaged, and not written when another connection wrote meanwhile.
TEST_F(CallIndexStoreTest, TheSnapshotOfAStopIsLoadedByTheNextOpenAlone) {
  Random rnd(12);
  Result<SqliteCallStore::IndexStart> start = stores_->calls.load_or_build_indexes();
  ASSERT_TRUE(start.ok());
  EXPECT_FALSE(start->from_snapshot);
  EXPECT_NE(start->why.find("no snapshot token"), std::string::npos) << start->why;
  std::vector<CallRecord> calls;
  for (int i = 0; i < 1500; ++i) {
    CallRecord c = testing::random_call(rnd);
    c.account_id = rnd.chance(70) ? account_ : other_;
    c.call_uuid = "snap-" + std::to_string(i);
    calls.push_back(std::move(c));
  }
  ASSERT_TRUE(stores_->calls.insert_calls(calls).ok());
  stored_ = static_cast<std::int64_t>(calls.size());
  const std::int64_t mine = count_all(account_);

  ASSERT_TRUE(stores_->calls.save_index_snapshot().ok());
  reopen();
  start = stores_->calls.load_or_build_indexes();
  ASSERT_TRUE(start.ok());
  EXPECT_TRUE(start->from_snapshot) << start->why;
  EXPECT_EQ(start->calls, 1500);
  EXPECT_EQ(count_all(account_), mine);
  expect_agreement(rnd, 300, "loaded from the snapshot");

  // The file is still there, its token is not: the next open reads the table.
  reopen();
  start = stores_->calls.load_or_build_indexes();
  ASSERT_TRUE(start.ok());
  EXPECT_FALSE(start->from_snapshot);
  EXPECT_EQ(count_all(account_), mine);

  // A damaged file: the table.
  ASSERT_TRUE(stores_->calls.save_index_snapshot().ok());
  const std::string path = stores_->db->snapshot_path();
  std::filesystem::resize_file(path, std::filesystem::file_size(path) - 1);
  reopen();
  start = stores_->calls.load_or_build_indexes();
  ASSERT_TRUE(start.ok());
  EXPECT_FALSE(start->from_snapshot);
  EXPECT_NE(start->why.find("trailer"), std::string::npos) << start->why;
  expect_agreement(rnd, 100, "built after a damaged snapshot");

  // Another connection wrote while this one had the database open: no snapshot.
  {
    const std::unique_ptr<sqlite::Stores> other = testing::open_stores_in(dir_);
    CallRecord c = testing::random_call(rnd);
    c.account_id = account_;
    c.call_uuid = "written-elsewhere";
    ASSERT_TRUE(other->calls.insert_calls({c}).ok());
  }
  const Status saved = stores_->calls.save_index_snapshot();
  EXPECT_EQ(saved.code(), Status::Code::kConflict) << saved.message();
  reopen();
  start = stores_->calls.load_or_build_indexes();
  ASSERT_TRUE(start.ok());
  EXPECT_FALSE(start->from_snapshot);
  EXPECT_EQ(count_all(account_), mine + 1);
}

}  // namespace
}  // namespace cdrd
