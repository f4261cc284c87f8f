// SegmentCallStore against the sqlite store, the reference: the same random calls in both,
// thousands of random lists (every filter of both APIs, limits, offsets, both orders, ties on
// end_time), usage, find_call, the change feed, the export and retention must give the same
// answers, also after the store is opened again from its files. Plus duplicates from racing
// writers, retention's deleted calls across a reopen and their file's damage, the lock against a
// second process, and a writer killed with SIGKILL.
#include "store/segment/segment_call_store.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <random>
#include <set>
#include <thread>

#include "store/segment/call_codec.h"
#include "store/sqlite/stores.h"
#include "testing/killed_writer.h"
#include "testing/store_compare.h"
#include "testing/stores.h"
#include "testing/temp_dir.h"

namespace cdrd::segment {
namespace {

using cdrd::testing::Random;

// Every member of a call, as the codec writes them.
std::string full_text(const CallRecord& c) {
  std::string s;
  encode_call(c, s);
  return s;
}

std::unique_ptr<SegmentCallStore> open_store(const std::string& dir,
                                             std::uint64_t segment_bytes = 256ull << 20) {
  Result<std::unique_ptr<SegmentCallStore>> s =
      SegmentCallStore::open(dir, {.log = {.segment_bytes = segment_bytes}});
  EXPECT_TRUE(s.ok()) << s.status().message();
  return s.ok() ? std::move(s).value() : nullptr;
}

class SegmentStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sqlite_ = cdrd::testing::open_stores_in(dir_);
    account_ = cdrd::testing::add_account(*sqlite_, "a", "MAAAAAAAAAAAAAAAAAAA").id;
    other_ = cdrd::testing::add_account(*sqlite_, "b", "MABBBBBBBBBBBBBBBBBB").id;
    reopen();
  }
  // Opens the store again from its files (small segments: many of them).
  void reopen() {
    store_.reset();
    store_ = open_store(calls_dir(), 64 << 10);
    ASSERT_NE(store_, nullptr);
  }
  std::string calls_dir() const { return dir_.file("calls"); }
  cdrd::testing::StoreComparison compare() {
    return {sqlite_->calls, *store_, account_, other_, full_text};
  }

  cdrd::testing::TempDir dir_;
  std::unique_ptr<sqlite::Stores> sqlite_;
  std::unique_ptr<SegmentCallStore> store_;
  std::int64_t account_ = 0, other_ = 0;
};

TEST_F(SegmentStoreTest, AnswersEqualTheSqliteStoreOnThousandsOfRandomQueries) {
  Random rnd(12);
  std::int64_t next_uuid = 0;
  std::int64_t rows = 0;
  for (int batch = 0; batch < 8; ++batch) {
    compare().insert_both(compare().random_batch(rnd, 300, next_uuid));
    rows += 300;
    compare().expect_same_lists(rnd, 100, rows, "after batch " + std::to_string(batch));
  }
  compare().expect_same_lists(rnd, 1'000, rows, "after every batch");
  compare().expect_same_usage(rnd, 200, rows, "usage");
  compare().expect_same_finds(rnd, 300, next_uuid);
  compare().expect_same_feeds();
  compare().expect_same_exports(rnd, 300, rows, "export");
  // Every list again without the list index: the scan of the log.
  for (int i = 0; i < 300; ++i) {
    CallQuery q = cdrd::testing::random_query(rnd, rows);
    q.account_id = rnd.chance(90) ? account_ : other_;
    ASSERT_EQ(cdrd::testing::describe(store_->list_calls_scan(q)),
              cdrd::testing::describe(sqlite_->calls.list_calls(q)))
        << "scan " << i;
  }

  // Opened again from its files: the indexes and uuid maps built from the log, then (after a
  // clean stop's snapshot) loaded from the snapshot.
  reopen();
  EXPECT_FALSE(store_->start().from_snapshot);
  EXPECT_GT(store_->usage_figures().log.segments, 3u);
  compare().expect_same_lists(rnd, 300, rows, "after a reopen");
  compare().expect_same_finds(rnd, 200, next_uuid);
  ASSERT_TRUE(store_->save_snapshot().ok());
  reopen();
  EXPECT_TRUE(store_->start().from_snapshot) << store_->start().why;
  compare().expect_same_lists(rnd, 300, rows, "after a reopen from the snapshot");
  compare().expect_same_finds(rnd, 200, next_uuid);
  // The same batch again: every call a duplicate, in any letter case.
  std::int64_t again = 0;
  compare().insert_both(compare().random_batch(rnd, 300, again));

  // Retention, then everything again, before and after a reopen.
  compare().delete_both_before(Micros{1'000'000} * 120);
  EXPECT_GT(store_->usage_figures().deleted, 0u);
  compare().expect_same_lists(rnd, 300, rows, "after retention");
  compare().expect_same_usage(rnd, 50, rows, "usage after retention");
  compare().expect_same_exports(rnd, 50, rows, "export after retention");
  compare().expect_same_finds(rnd, 200, next_uuid);
  compare().expect_same_feeds();
  reopen();
  compare().expect_same_lists(rnd, 300, rows, "after retention and a reopen");
  compare().expect_same_finds(rnd, 200, next_uuid);
  compare().expect_same_feeds();
  compare().expect_same_exports(rnd, 50, rows, "export after retention and a reopen");
  // Calls retention deleted may be stored again, as in the sqlite store; new ones take ids above
  // every id given before.
  const std::int64_t last = *store_->last_call_id();
  std::int64_t renewed = 0;
  std::vector<CallRecord> more = compare().random_batch(rnd, 300, renewed);
  compare().insert_both(more);
  EXPECT_GT(*store_->last_call_id(), last);
  compare().expect_same_lists(rnd, 300, rows, "after calls stored again");
  compare().expect_same_feeds();
}

// One batch of thousands of calls of both accounts, interleaved and in no order of end_time: the
// publisher adds each account's calls in runs of at most kPublishRun, sorted by end_time; every
// call of every run is in the lists and is found.
TEST_F(SegmentStoreTest, ABatchOfManyRunsPerAccountIsIndexedWhole) {
  Random rnd(21);
  std::int64_t next_uuid = 0;
  const int n = static_cast<int>(5 * SegmentCallStore::kPublishRun);
  compare().insert_both(compare().random_batch(rnd, n, next_uuid));
  compare().expect_same_lists(rnd, 300, n, "after one large batch");
  compare().expect_same_finds(rnd, 300, next_uuid);
  compare().expect_same_feeds();
}

// Two threads write overlapping batches at once: each call is stored once, by one of them.
TEST_F(SegmentStoreTest, RacingBatchesStoreEachCallOnce) {
  std::vector<CallRecord> calls;
  Random rnd(3);
  for (int i = 0; i < 2'000; ++i) {
    CallRecord c = cdrd::testing::rich_call(rnd);
    c.account_id = i % 3 == 0 ? other_ : account_;
    c.call_uuid = "race-" + std::to_string(i);
    calls.push_back(std::move(c));
  }
  std::atomic<int> stored{0};
  std::vector<std::thread> writers;
  writers.reserve(4);
  for (int t = 0; t < 4; ++t) {
    writers.emplace_back([&, t] {
      // Batches of 100 from a different start each: every call is in the batches of all four.
      for (int k = 0; k < 20; ++k) {
        const std::size_t from = static_cast<std::size_t>((k + 5 * t) % 20) * 100;
        std::vector<CallRecord> batch(calls.begin() + static_cast<std::ptrdiff_t>(from),
                                      calls.begin() + static_cast<std::ptrdiff_t>(from + 100));
        // Upper case now and then: the same calls.
        if ((k + t) % 2 == 0) {
          for (CallRecord& c : batch) c.call_uuid = "RACE-" + c.call_uuid.substr(5);
        }
        Result<std::vector<InsertOutcome>> r = store_->insert_calls_async(batch).get();
        ASSERT_TRUE(r.ok()) << r.status().message();
        stored += static_cast<int>(std::count(r->begin(), r->end(), InsertOutcome::kStored));
      }
    });
  }
  for (std::thread& w : writers) w.join();
  EXPECT_EQ(stored.load(), 2'000);
  CallQuery q;
  q.account_id = account_;
  q.limit = 0;
  q.count_total = true;
  EXPECT_EQ(store_->list_calls(q)->total_count, 1'333);
  EXPECT_EQ(store_->list_calls_scan(q).value().total_count, 1'333);
  for (int i = 0; i < 2'000; i += 7) {
    const CallRecord& c = calls[static_cast<std::size_t>(i)];
    const Result<std::optional<CallRecord>> found =
        store_->find_call(c.account_id, "RaCe-" + std::to_string(i), 0);
    ASSERT_TRUE(found.ok() && found->has_value()) << i;
    CallRecord got = **found;
    got.call_uuid = c.call_uuid;  // stored in the spelling of the batch that came first
    EXPECT_EQ(full_text(got), full_text(c)) << i;
  }
}

// Retention's deletions are durable: after a reopen the calls stay gone. A torn end of the
// deleted-calls file (a crash during a delete, never acknowledged) is cut, and those calls come
// back until the next sweep; a damaged record with data after it fails the open, naming the file.
TEST_F(SegmentStoreTest, DeletedCallsSurviveAReopenAndTheirFileIsChecked) {
  Random rnd(8);
  std::vector<CallRecord> calls;
  for (int i = 0; i < 200; ++i) {
    CallRecord c = cdrd::testing::rich_call(rnd);
    c.account_id = account_;
    c.end_time = Micros{1'000'000} * (i + 1);
    c.call_uuid = "old-" + std::to_string(i);
    calls.push_back(std::move(c));
  }
  ASSERT_TRUE(store_->insert_calls(calls).ok());
  ASSERT_EQ(*store_->delete_calls_ended_before(Micros{1'000'000} * 51, 30), 30);
  ASSERT_EQ(*store_->delete_calls_ended_before(Micros{1'000'000} * 51, 30), 20);
  CallQuery all;
  all.account_id = account_;
  all.limit = 1;
  all.order = SortOrder::kOldestFirst;
  const auto first_left = [&] {
    Result<Page<CallRecord>> page = store_->list_calls(all);
    EXPECT_TRUE(page.ok()) << page.status().message();
    return page.ok() && !page->rows.empty()
               ? std::to_string(page->total_count) + " " + page->rows[0].call_uuid
               : std::string("none");
  };
  EXPECT_EQ(first_left(), "150 old-50");
  reopen();
  EXPECT_EQ(first_left(), "150 old-50");
  EXPECT_FALSE(store_->find_call(account_, "old-0", 0)->has_value());
  EXPECT_EQ(store_->calls_stored_after(account_, 0, 0, 1)->at(0).call.call_uuid, "old-50");

  // A torn last record: cut at the open, its calls back.
  ASSERT_EQ(*store_->delete_calls_ended_before(Micros{1'000'000} * 61, 100), 10);
  store_.reset();
  const std::string deleted = calls_dir() + "/deleted";
  const std::string whole = cdrd::testing::file_bytes(deleted);
  cdrd::testing::write_bytes(deleted, whole.substr(0, whole.size() - 5));
  reopen();
  EXPECT_EQ(first_left(), "150 old-50");
  EXPECT_EQ(store_->usage_figures().deleted, 50u);
  // A damaged earlier record: the open fails naming the file and the offset, changing nothing.
  store_.reset();
  std::string damaged = cdrd::testing::file_bytes(deleted);
  damaged[20] = static_cast<char>(damaged[20] ^ 0x40);
  cdrd::testing::write_bytes(deleted, damaged);
  Result<std::unique_ptr<SegmentCallStore>> refused = SegmentCallStore::open(calls_dir());
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find(deleted), std::string::npos)
      << refused.status().message();
  EXPECT_NE(refused.status().message().find("offset 0"), std::string::npos)
      << refused.status().message();
  EXPECT_EQ(cdrd::testing::file_bytes(deleted), damaged);
}

// The snapshot of a clean stop is loaded only while it names the store's state: after calls
// were appended or deleted since, or when a file of it is damaged, the open builds the indexes
// from the log again, saying why, and the answers are the same either way.
TEST_F(SegmentStoreTest, ASnapshotIsLoadedOnlyForTheStateItWasWrittenFor) {
  Random rnd(31);
  std::int64_t next_uuid = 0;
  compare().insert_both(compare().random_batch(rnd, 400, next_uuid));
  const auto saved = store_->save_snapshot();
  ASSERT_TRUE(saved.ok()) << saved.status().message();
  EXPECT_EQ(saved->calls, store_->usage_figures().calls);
  EXPECT_EQ(saved->accounts, 2u);
  reopen();
  ASSERT_TRUE(store_->start().from_snapshot) << store_->start().why;
  compare().expect_same_lists(rnd, 100, 400, "from the snapshot");

  // Calls appended since: the snapshot names an older last id.
  compare().insert_both(compare().random_batch(rnd, 50, next_uuid));
  reopen();
  EXPECT_FALSE(store_->start().from_snapshot);
  EXPECT_NE(store_->start().why.find("last id"), std::string::npos) << store_->start().why;
  compare().expect_same_lists(rnd, 100, 450, "calls appended after the snapshot");
  compare().expect_same_finds(rnd, 100, next_uuid);

  // Calls deleted since (the last id unchanged): the count of deleted calls differs.
  ASSERT_TRUE(store_->save_snapshot().ok());
  compare().delete_both_before(Micros{1'000'000} * 100);
  ASSERT_GT(store_->usage_figures().deleted, 0u);
  reopen();
  EXPECT_FALSE(store_->start().from_snapshot);
  EXPECT_NE(store_->start().why.find("deleted="), std::string::npos) << store_->start().why;
  compare().expect_same_lists(rnd, 100, 450, "calls deleted after the snapshot");
  compare().expect_same_finds(rnd, 100, next_uuid);

  // A damaged file: refused by its checksum, the indexes built from the log.
  ASSERT_TRUE(store_->save_snapshot().ok());
  store_.reset();
  const std::string uuids = calls_dir() + "/uuids";
  std::string bytes = cdrd::testing::file_bytes(uuids);
  bytes[bytes.size() / 2] = static_cast<char>(bytes[bytes.size() / 2] ^ 1);
  cdrd::testing::write_bytes(uuids, bytes);
  reopen();
  EXPECT_FALSE(store_->start().from_snapshot);
  EXPECT_FALSE(store_->start().why.empty());
  compare().expect_same_lists(rnd, 100, 450, "a damaged snapshot");
  compare().expect_same_finds(rnd, 100, next_uuid);
  compare().expect_same_feeds();
}

// A scan past the store's time budget stops and fails kUnavailable with the message the API
// shows, as a read of the sqlite store past its budget; a list the index answers is not a scan.
TEST_F(SegmentStoreTest, AScanPastItsTimeBudgetFailsUnavailable) {
  Random rnd(4);
  std::int64_t next_uuid = 0;
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(store_->insert_calls(compare().random_batch(rnd, 2'000, next_uuid)).ok());
  }
  store_.reset();
  Result<std::unique_ptr<SegmentCallStore>> tight =
      SegmentCallStore::open(calls_dir(), {.log = {}, .query_budget_ms = 1});
  ASSERT_TRUE(tight.ok()) << tight.status().message();
  UsageQuery u;
  u.filter.account_id = account_;
  int over = 0;
  for (int attempt = 0; attempt < 20 && over == 0; ++attempt) {
    const Result<UsageAnswer> a = (*tight)->usage(u);
    if (!a.ok()) {
      EXPECT_EQ(a.status().code(), Status::Code::kUnavailable);
      EXPECT_EQ(a.status().message(),
                "query over its time budget of 1 ms; narrow the filter or try again");
      ++over;
    }
  }
  EXPECT_EQ(over, 1) << "a scan of 16,000 calls never took more than 1 ms";
  CallQuery q;
  q.account_id = account_;
  q.limit = 20;
  q.count_total = true;
  EXPECT_TRUE((*tight)->list_calls(q).ok());
}

// The calls are one process's at a time: a second open fails, naming the directory, until the
// first store is closed.
TEST_F(SegmentStoreTest, ASecondOpenOfTheDirectoryIsRefused) {
  Result<std::unique_ptr<SegmentCallStore>> second = SegmentCallStore::open(calls_dir());
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.status().message().find("in use by another process"), std::string::npos)
      << second.status().message();
  store_.reset();
  EXPECT_TRUE(SegmentCallStore::open(calls_dir()).ok());
}

// A writer process is killed with SIGKILL at a random point: every call it acknowledged is found
// at the next open, in lists and by its uuid, and ids go on above every id given.
TEST(SegmentStoreKill, EveryCallAcknowledgedBeforeAKillNineIsThere) {
  std::mt19937 rng(21);
  for (int round = 0; round < 5; ++round) {
    cdrd::testing::TempDir dir;
    const std::string path = dir.file("calls");
    bool killed = false;
    const std::vector<std::int64_t> acknowledged = cdrd::testing::acks_before_kill(
        1 + static_cast<int>(rng() % 20),
        [&](const std::function<void(std::int64_t)>& ack) {
          std::unique_ptr<SegmentCallStore> store = open_store(path, 64 << 10);
          if (store == nullptr) return;
          Random rnd(static_cast<std::uint32_t>(round));
          for (std::int64_t batch = 0;; ++batch) {
            std::vector<CallRecord> calls;
            for (int i = 0; i < 50; ++i) {
              CallRecord c = cdrd::testing::rich_call(rnd);
              c.account_id = 1 + i % 2;
              c.call_uuid = "b" + std::to_string(batch) + "-" + std::to_string(i);
              calls.push_back(std::move(c));
            }
            if (!store->insert_calls_async(std::move(calls)).get().ok()) return;
            ack(batch);
          }
        },
        killed);
    ASSERT_TRUE(killed) << "the writer stopped by itself";
    std::unique_ptr<SegmentCallStore> store = open_store(path, 64 << 10);
    ASSERT_NE(store, nullptr);
    for (const std::int64_t batch : acknowledged) {
      for (int i = 0; i < 50; ++i) {
        const std::string uuid = "b" + std::to_string(batch) + "-" + std::to_string(i);
        ASSERT_TRUE(store->find_call(1 + i % 2, uuid, 0)->has_value()) << round << " " << uuid;
      }
    }
    CallQuery q;
    q.account_id = 1;
    q.limit = 0;
    q.count_total = true;
    const std::int64_t listed = store->list_calls(q)->total_count;
    const auto acked = static_cast<std::int64_t>(acknowledged.size()) * 25;
    EXPECT_TRUE(listed == acked || listed == acked + 25) << round << ": " << listed;
    const std::int64_t last = *store->last_call_id();
    Random one(1);
    CallRecord c = cdrd::testing::rich_call(one);
    c.account_id = 1;
    c.call_uuid = "after";
    ASSERT_TRUE(store->insert_calls({c}).ok());
    EXPECT_EQ(store->calls_stored_after(1, last, 0, 5)->size(), 1u) << round;
  }
}

}  // namespace
}  // namespace cdrd::segment
