// The sqlite call store's group commit (sqlite_call_store.h): batches of several callers written
// by one writer, each answered with its own outcomes once durable, none lost by another's
// failure, and the write-ahead log checkpointed off the commit path (database.h).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <future>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "store/sqlite/call_row.h"
#include "store/sqlite/stores.h"
#include "testing/temp_dir.h"
#include "testing/values.h"

namespace cdrd::group_commit_test {

using cdrd::testing::minimal_call;
using ::testing::Each;
using ::testing::ElementsAre;

constexpr Micros kT0 = 1'616'327'220 * kMicrosPerSecond;  // 2021-03-21 11:47:00 UTC

class GroupCommitTest : public ::testing::Test {
 protected:
  void SetUp() override { open(); }

  void open(SqliteOptions opts = {}) {
    Result<std::unique_ptr<sqlite::Stores>> s = sqlite::open_stores(path(), opts);
    ASSERT_TRUE(s.ok()) << s.status().message();
    store_ = std::move(s).value();
    if (acct_ == 0) {
      Result<Account> a = store_->accounts.create_account("Acme", "MAAAAAAAAAAAAAAAAAAA", "h");
      ASSERT_TRUE(a.ok()) << a.status().message();
      acct_ = a->id;
    }
  }

  std::string path() const { return dir_.file("data/cdrd.db"); }

  std::int64_t count() {
    CallQuery q;
    q.account_id = acct_;
    q.limit = 1;
    Result<Page<CallRecord>> page = store_->calls.list_calls(q);
    EXPECT_TRUE(page.ok()) << page.status().message();
    return page.ok() ? page->total_count : -1;
  }

  cdrd::testing::TempDir dir_;
  std::unique_ptr<sqlite::Stores> store_;
  std::int64_t acct_ = 0;
};

TEST_F(GroupCommitTest, ConcurrentBatchesEachGetTheirOwnOutcomesAndSharedCallsAreStoredOnce) {
  constexpr int kThreads = 6, kBatches = 15, kPerBatch = 40, kShared = 10;
  // Each batch: its own calls, plus kShared calls every thread sends in every batch.
  std::vector<std::vector<std::vector<InsertOutcome>>> got(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int b = 0; b < kBatches; ++b) {
        std::vector<CallRecord> batch;
        for (int i = 0; i < kPerBatch; ++i) {
          batch.push_back(minimal_call(
              acct_, "t" + std::to_string(t) + "-" + std::to_string(b) + "-" + std::to_string(i),
              kT0 + i));
        }
        for (int i = 0; i < kShared; ++i)
          batch.push_back(minimal_call(acct_, "SHARED-" + std::to_string(i), kT0));
        Result<std::vector<InsertOutcome>> r = store_->calls.insert_calls(batch);
        ASSERT_TRUE(r.ok()) << r.status().message();
        got[t].push_back(*r);
      }
    });
  }
  for (std::thread& t : threads) t.join();

  std::map<int, int> shared_stored;  // shared call -> how many batches were told kStored
  for (int t = 0; t < kThreads; ++t) {
    ASSERT_EQ(got[t].size(), static_cast<std::size_t>(kBatches));
    for (const std::vector<InsertOutcome>& outcomes : got[t]) {
      ASSERT_EQ(outcomes.size(), static_cast<std::size_t>(kPerBatch + kShared));
      for (int i = 0; i < kPerBatch; ++i) EXPECT_EQ(outcomes[i], InsertOutcome::kStored);
      for (int i = 0; i < kShared; ++i) {
        if (outcomes[kPerBatch + i] == InsertOutcome::kStored) ++shared_stored[i];
      }
    }
  }
  EXPECT_EQ(shared_stored.size(), static_cast<std::size_t>(kShared));
  for (const auto& [i, n] : shared_stored) EXPECT_EQ(n, 1) << "shared call " << i;
  // Every acknowledged call is in the very next count.
  EXPECT_EQ(count(), kThreads * kBatches * kPerBatch + kShared);
}

TEST_F(GroupCommitTest, QueuedBatchesAreWrittenInQueueOrder) {
  // A large batch keeps the writer busy, so that the next ones wait and go in one group.
  std::vector<CallRecord> large;
  for (int i = 0; i < 3000; ++i) large.push_back(minimal_call(acct_, "l" + std::to_string(i), kT0));
  auto first = store_->calls.insert_calls_async(std::move(large));
  auto a = store_->calls.insert_calls_async(
      {minimal_call(acct_, "twin", kT0 + 1), minimal_call(acct_, "a", kT0)});
  auto b = store_->calls.insert_calls_async(
      {minimal_call(acct_, "TWIN", kT0 + 2), minimal_call(acct_, "b", kT0)});
  ASSERT_TRUE(first.get().ok());
  Result<std::vector<InsertOutcome>> ra = a.get();
  Result<std::vector<InsertOutcome>> rb = b.get();
  ASSERT_TRUE(ra.ok() && rb.ok());
  EXPECT_THAT(*ra, ElementsAre(InsertOutcome::kStored, InsertOutcome::kStored));
  EXPECT_THAT(*rb, ElementsAre(InsertOutcome::kDuplicate, InsertOutcome::kStored));
  // The earlier batch's version is the one kept.
  EXPECT_EQ((*store_->calls.find_call(acct_, "twin", 0))->end_time, kT0 + 1);
  EXPECT_EQ(count(), 3000 + 3);
}

TEST_F(GroupCommitTest, AFailedBatchLosesNothingOfTheOthersInItsGroup) {
  std::vector<CallRecord> large;
  for (int i = 0; i < 3000; ++i) large.push_back(minimal_call(acct_, "l" + std::to_string(i), kT0));
  auto first = store_->calls.insert_calls_async(std::move(large));
  auto good1 = store_->calls.insert_calls_async(
      {minimal_call(acct_, "g1", kT0), minimal_call(acct_, "g2", kT0)});
  // An account that does not exist: this batch fails whole.
  auto bad = store_->calls.insert_calls_async(
      {minimal_call(acct_, "b1", kT0), minimal_call(424242, "b2", kT0)});
  auto good2 = store_->calls.insert_calls_async(
      {minimal_call(acct_, "g3", kT0), minimal_call(acct_, "b1", kT0)});
  ASSERT_TRUE(first.get().ok());
  Result<std::vector<InsertOutcome>> r1 = good1.get();
  Result<std::vector<InsertOutcome>> rbad = bad.get();
  Result<std::vector<InsertOutcome>> r2 = good2.get();
  ASSERT_TRUE(r1.ok()) << r1.status().message();
  ASSERT_TRUE(r2.ok()) << r2.status().message();
  ASSERT_FALSE(rbad.ok());
  EXPECT_EQ(rbad.status().code(), Status::Code::kInvalidArgument);
  EXPECT_THAT(*r1, Each(InsertOutcome::kStored));
  // b1 of the failed batch was undone, so the later batch stores it.
  EXPECT_THAT(*r2, Each(InsertOutcome::kStored));
  EXPECT_EQ(count(), 3000 + 4);
  for (const char* uuid : {"g1", "g2", "g3", "b1"}) {
    EXPECT_TRUE(store_->calls.find_call(acct_, uuid, 0)->has_value()) << uuid;
  }
  // The change feed sees every stored call once, in rising ids.
  Result<std::vector<StoredCall>> feed = store_->calls.calls_stored_after(acct_, 0, 0, 10'000);
  ASSERT_TRUE(feed.ok());
  ASSERT_EQ(feed->size(), 3004u);
  for (std::size_t i = 1; i < feed->size(); ++i) EXPECT_LT((*feed)[i - 1].id, (*feed)[i].id);
}

// Runs `sql` on a connection of its own with foreign keys enforced (as another program, e.g.
// the sqlite3 shell with PRAGMA foreign_keys=ON, would); its result code.
int run_elsewhere(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr), SQLITE_OK);
  sqlite3_busy_timeout(db, 5000);
  EXPECT_EQ(sqlite3_exec(db, "PRAGMA foreign_keys=ON", nullptr, nullptr, nullptr), SQLITE_OK);
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr);
  const int extended = sqlite3_extended_errcode(db);
  sqlite3_close(db);
  return rc == SQLITE_OK ? SQLITE_OK : extended;
}

// The writer looks each account of a group up once instead of SQLite checking the foreign key
// of every row: the refusals are the ones the foreign key gave (the batch alone, the first call
// naming the account, the same message), an account deleted by another program is refused from
// then on, every stored row's account exists, and the writer connection checks foreign keys
// again for everything else.
TEST_F(GroupCommitTest, TheWriterChecksAccountsAsTheForeignKeyDid) {
  std::vector<CallRecord> large;
  for (int i = 0; i < 3000; ++i) large.push_back(minimal_call(acct_, "l" + std::to_string(i), kT0));
  auto first = store_->calls.insert_calls_async(std::move(large));
  auto good = store_->calls.insert_calls_async({minimal_call(acct_, "g1", kT0)});
  // A duplicate and a stored call before the first call of the unknown account: refused there.
  auto bad = store_->calls.insert_calls_async(
      {minimal_call(acct_, "L7", kT0), minimal_call(acct_, "b1", kT0),
       minimal_call(424242, "b2", kT0), minimal_call(424242, "b3", kT0)});
  auto good2 = store_->calls.insert_calls_async({minimal_call(acct_, "b1", kT0)});
  ASSERT_TRUE(first.get().ok());
  ASSERT_TRUE(good.get().ok());
  Result<std::vector<InsertOutcome>> rbad = bad.get();
  ASSERT_FALSE(rbad.ok());
  EXPECT_EQ(rbad.status().code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(rbad.status().message(), "call b2: no account with id 424242");
  Result<std::vector<InsertOutcome>> r2 = good2.get();
  ASSERT_TRUE(r2.ok()) << r2.status().message();
  EXPECT_THAT(*r2, ElementsAre(InsertOutcome::kStored));
  // Alone, a full-insert call (quality metrics) of the unknown account after a trunk-only one.
  CallRecord full = minimal_call(424242, "Full-1", kT0);
  full.quality.rtt_ms = 12.5;
  Result<std::vector<InsertOutcome>> alone =
      store_->calls.insert_calls({minimal_call(acct_, "a1", kT0), full});
  ASSERT_FALSE(alone.ok());
  EXPECT_EQ(alone.status().message(), "call Full-1: no account with id 424242");
  EXPECT_FALSE(store_->calls.find_call(acct_, "a1", 0)->has_value());

  // An account another program deletes (it has no calls, so the foreign key lets it go): the
  // next write naming it is refused.
  Result<Account> gone = store_->accounts.create_account("Gone", "MAGGGGGGGGGGGGGGGGGG", "h");
  ASSERT_TRUE(gone.ok());
  ASSERT_THAT(*store_->calls.insert_calls({minimal_call(acct_, "before-delete", kT0)}),
              ElementsAre(InsertOutcome::kStored));
  ASSERT_EQ(run_elsewhere(path(), "DELETE FROM accounts WHERE id = " + std::to_string(gone->id)),
            SQLITE_OK);
  Result<std::vector<InsertOutcome>> after =
      store_->calls.insert_calls({minimal_call(gone->id, "after-delete", kT0)});
  ASSERT_FALSE(after.ok());
  EXPECT_EQ(after.status().message(),
            "call after-delete: no account with id " + std::to_string(gone->id));
  // An account with calls cannot be deleted by a program that enforces the foreign key.
  EXPECT_EQ(run_elsewhere(path(), "DELETE FROM accounts WHERE id = " + std::to_string(acct_)),
            SQLITE_CONSTRAINT_FOREIGNKEY);

  // Every stored row names an account, and the writer connection checks foreign keys again.
  const Status checked = store_->db->with_writer([&](sqlite::Connection& c) -> Status {
    ASSIGN_OR_RETURN(const std::int64_t on, c.query_int("PRAGMA foreign_keys"));
    EXPECT_EQ(on, 1);
    ASSIGN_OR_RETURN(const bool broken, c.exists("PRAGMA foreign_key_check(calls)"));
    EXPECT_FALSE(broken);
    const Status refused = c.run(
        "INSERT INTO oauth_apps (client_id, account_id, secret_hash, revoked, created_at)"
        " VALUES ('x', 424242, 'h', 0, 0)");
    EXPECT_FALSE(refused.ok());
    EXPECT_EQ(sqlite3_extended_errcode(c.handle()), SQLITE_CONSTRAINT_FOREIGNKEY);
    return Status::Ok();
  });
  ASSERT_TRUE(checked.ok()) << checked.message();
  // The same in a write transaction right after a group commit (they stay off from one group to
  // the next, and every other use turns them on first).
  ASSERT_THAT(*store_->calls.insert_calls({minimal_call(acct_, "last", kT0)}),
              ElementsAre(InsertOutcome::kStored));
  const Status in_transaction = store_->db->write_transaction([&](sqlite::Connection& c) {
    return c.run(
        "INSERT INTO oauth_apps (client_id, account_id, secret_hash, revoked, created_at)"
        " VALUES ('y', 424242, 'h', 0, 0)");
  });
  EXPECT_FALSE(in_transaction.ok());
  EXPECT_EQ(in_transaction.code(), Status::Code::kIOError);
  EXPECT_NE(in_transaction.message().find("FOREIGN KEY constraint failed"), std::string::npos)
      << in_transaction.message();
  EXPECT_EQ(count(), 3000 + 4);
}

// The writer compares each enum code with its range itself instead of SQLite's CHECK
// constraints: a code out of range (no validator makes one) is refused with SQLite's own error,
// its batch alone, and nothing of it is written.
TEST_F(GroupCommitTest, TheWriterRefusesACodeOutOfRangeAsTheCheckConstraintDid) {
  const auto sqlite_says = [&](const CallRecord& c) {
    std::string said;
    const Status s = store_->db->with_writer([&](sqlite::Connection& conn) -> Status {
      ASSIGN_OR_RETURN(std::unique_ptr<sqlite::Statement> st,
                       conn.prepare_uncached(sqlite::insert_call_sql()));
      std::string key;
      sqlite::bind_call(*st, c, "", key);
      said = st->run().message();
      return Status::Ok();
    });
    EXPECT_TRUE(s.ok()) << s.message();
    return said;
  };
  CallRecord attested = minimal_call(acct_, "bad-attestation", kT0);
  attested.attestation = static_cast<Attestation>(7);
  CallRecord directed = minimal_call(acct_, "bad-direction", kT0);
  directed.direction = static_cast<Direction>(2);
  directed.stir_verification = static_cast<StirVerification>(-1);  // the first check fails
  const std::string attestation_error = sqlite_says(attested);
  const std::string direction_error = sqlite_says(directed);
  EXPECT_EQ(attestation_error,
            "sqlite step: CHECK constraint failed: attestation BETWEEN 0 AND 3 (code 275)");
  EXPECT_EQ(direction_error,
            "sqlite step: CHECK constraint failed: direction BETWEEN 0 AND 1 (code 275)");

  std::vector<CallRecord> large;
  for (int i = 0; i < 3000; ++i) large.push_back(minimal_call(acct_, "l" + std::to_string(i), kT0));
  auto first = store_->calls.insert_calls_async(std::move(large));
  auto bad = store_->calls.insert_calls_async(
      {minimal_call(acct_, "L1", kT0), minimal_call(acct_, "c1", kT0), attested});
  auto good = store_->calls.insert_calls_async({minimal_call(acct_, "c1", kT0)});
  ASSERT_TRUE(first.get().ok());
  Result<std::vector<InsertOutcome>> rbad = bad.get();
  ASSERT_FALSE(rbad.ok());
  EXPECT_EQ(rbad.status().code(), Status::Code::kIOError);
  EXPECT_EQ(rbad.status().message(), attestation_error);
  Result<std::vector<InsertOutcome>> rgood = good.get();
  ASSERT_TRUE(rgood.ok()) << rgood.status().message();
  EXPECT_THAT(*rgood, ElementsAre(InsertOutcome::kStored));
  // Alone, after a full statement's worth of trunk-only calls.
  std::vector<CallRecord> alone;
  for (int i = 0; i < 40; ++i) alone.push_back(minimal_call(acct_, "a" + std::to_string(i), kT0));
  alone.push_back(directed);
  Result<std::vector<InsertOutcome>> ralone = store_->calls.insert_calls(alone);
  ASSERT_FALSE(ralone.ok());
  EXPECT_EQ(ralone.status().code(), Status::Code::kIOError);
  EXPECT_EQ(ralone.status().message(), direction_error);
  EXPECT_FALSE(store_->calls.find_call(acct_, "a0", 0)->has_value());
  EXPECT_EQ(count(), 3000 + 1);
  // The writer connection checks them again.
  EXPECT_EQ(sqlite_says(attested), attestation_error);
}

TEST_F(GroupCommitTest, BatchesQueuedBeforeCloseAreWritten) {
  std::vector<std::future<Result<std::vector<InsertOutcome>>>> pending;
  for (int b = 0; b < 20; ++b) {
    std::vector<CallRecord> batch;
    for (int i = 0; i < 100; ++i) {
      batch.push_back(minimal_call(acct_, std::to_string(b) + "-" + std::to_string(i), kT0));
    }
    pending.push_back(store_->calls.insert_calls_async(std::move(batch)));
  }
  store_.reset();  // not waited for: closing writes what is queued
  for (auto& p : pending) EXPECT_TRUE(p.get().ok());
  open();
  EXPECT_EQ(count(), 2000);
}

TEST_F(GroupCommitTest, TheLogIsCheckpointedWhileWritesGoOn) {
  store_.reset();
  SqliteOptions opts;
  opts.checkpoint_pages = 16;
  opts.checkpoint_hard_pages = 64;
  open(opts);
  std::uintmax_t largest_log = 0;
  for (int b = 0; b < 60; ++b) {
    std::vector<CallRecord> batch;
    for (int i = 0; i < 200; ++i) {
      batch.push_back(minimal_call(acct_, std::to_string(b) + "-" + std::to_string(i), kT0 + i));
    }
    ASSERT_TRUE(store_->calls.insert_calls(batch).ok());
    std::error_code ec;
    const std::uintmax_t size = std::filesystem::file_size(path() + "-wal", ec);
    if (!ec) largest_log = std::max(largest_log, size);
  }
  EXPECT_EQ(count(), 60 * 200);
  // 12,000 calls are several MB of pages; the log restarts instead of holding them all.
  const std::uintmax_t database = std::filesystem::file_size(path());
  EXPECT_GT(database, largest_log) << "the database file was never checkpointed into";
}

// A re-rating that lands between a group's commit and its index update (the rows are in the table,
// not yet in the index) is not lost: the index takes the re-rated bill_duration, as the table has
// it, and a list filtered on bill_duration finds the call.
TEST_F(GroupCommitTest, AReRatingBetweenCommitAndIndexUpdateReachesTheIndex) {
  std::atomic<int> rerated{0};
  store_->calls.set_after_commit_hook([&] {
    BillingScan scan;
    scan.account_id = acct_;
    scan.include_provided = true;
    scan.include_unrated = true;
    scan.include_rated = true;
    Result<std::vector<BilledCall>> billed = store_->rating.scan_billing(scan, {}, 10);
    ASSERT_TRUE(billed.ok()) << billed.status().message();
    for (BilledCall& b : *billed) b.call.bill_duration_s = 600;
    Result<std::int64_t> n = store_->rating.update_billing(*billed);
    ASSERT_TRUE(n.ok()) << n.status().message();
    rerated += static_cast<int>(*n);
  });
  CallRecord c = minimal_call(acct_, "RERATED-IN-FLIGHT", kT0);
  c.duration_s = 60;
  c.bill_duration_s = 60;
  ASSERT_TRUE(store_->calls.insert_calls({c}).ok());
  ASSERT_EQ(rerated.load(), 1) << "the hook did not re-rate the call";
  store_->calls.set_after_commit_hook(nullptr);

  CallQuery q;
  q.account_id = acct_;
  q.bill_duration.min = 600;
  Result<Page<CallRecord>> listed = store_->calls.list_calls(q);
  ASSERT_TRUE(listed.ok()) << listed.status().message();
  Result<Page<CallRecord>> scanned = store_->calls.list_calls_scan(q);
  ASSERT_TRUE(scanned.ok()) << scanned.status().message();
  EXPECT_EQ(scanned->total_count, 1);
  EXPECT_EQ(listed->total_count, scanned->total_count) << "the index kept the bill_duration of "
                                                          "the insert, not the re-rated one";
}

// The publisher adds group after group to the list index while the writer writes the next: a
// re-rating of a row of a later group, committed while an earlier group is still being
// published, waits in late_bill past the earlier group's publication and reaches the index with
// the later group. Made deterministic by holding one account's index lock (as a list does), so
// that the publisher stops halfway through the earlier group.
TEST_F(GroupCommitTest, AReRatingOfALaterGroupSurvivesThePublicationOfAnEarlierOne) {
  Result<Account> b = store_->accounts.create_account("Other", "MABBBBBBBBBBBBBBBBBB", "h");
  ASSERT_TRUE(b.ok()) << b.status().message();
  const std::int64_t held = b->id;  // larger than acct_: published after it within a batch
  ASSERT_GT(held, acct_);
  // Both accounts' indexes built, by a first call each.
  ASSERT_TRUE(
      store_->calls
          .insert_calls({minimal_call(acct_, "first-a", kT0), minimal_call(held, "first-b", kT0)})
          .ok());
  auto listed = [&](std::int64_t account, std::int64_t min_bill) {
    CallQuery q;
    q.account_id = account;
    q.bill_duration.min = min_bill;
    Result<Page<CallRecord>> page = store_->calls.list_calls(q);
    EXPECT_TRUE(page.ok()) << page.status().message();
    return page.ok() ? page->total_count : -1;
  };

  sqlite::CallIndexes::Slot& held_slot = store_->db->call_indexes().slot(held);
  std::future<Result<std::vector<InsertOutcome>>> earlier, later;
  {
    ReaderLock hold(&held_slot.mu);
    // The earlier group: a call of each account; its publication stops at `held`.
    earlier = store_->calls.insert_calls_async(
        {minimal_call(acct_, "earlier", kT0), minimal_call(held, "earlier", kT0)});
    for (int i = 0; i < 2000 && listed(acct_, 0) < 2; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ASSERT_EQ(listed(acct_, 0), 2) << "the publisher did not add the earlier group's first call";
    // The later group, re-rated right after its commit (its row is not in the index yet).
    std::atomic<int> rerated{0};
    store_->calls.set_after_commit_hook([&] {
      BillingScan scan;
      scan.account_id = acct_;
      scan.include_provided = scan.include_unrated = scan.include_rated = true;
      Result<std::vector<BilledCall>> billed = store_->rating.scan_billing(scan, {}, 10);
      ASSERT_TRUE(billed.ok()) << billed.status().message();
      std::vector<BilledCall> later_only;
      for (BilledCall& c : *billed) {
        if (c.call.call_uuid != "later") continue;
        c.call.bill_duration_s = 600;
        later_only.push_back(c);
      }
      Result<std::int64_t> n = store_->rating.update_billing(later_only);
      ASSERT_TRUE(n.ok()) << n.status().message();
      rerated += static_cast<int>(*n);
    });
    CallRecord c = minimal_call(acct_, "later", kT0);
    c.duration_s = 60;
    c.bill_duration_s = 60;
    later = store_->calls.insert_calls_async({c});
    for (int i = 0; i < 2000 && rerated.load() == 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ASSERT_EQ(rerated.load(), 1) << "the hook did not re-rate the later call";
    EXPECT_EQ(earlier.wait_for(std::chrono::milliseconds(0)), std::future_status::timeout)
        << "the earlier group was answered while its publication was held";
  }  // the publisher goes on: the rest of the earlier group, then the later one
  ASSERT_TRUE(earlier.get().ok());
  ASSERT_TRUE(later.get().ok());
  store_->calls.set_after_commit_hook(nullptr);

  CallQuery q;
  q.account_id = acct_;
  q.bill_duration.min = 600;
  Result<Page<CallRecord>> scanned = store_->calls.list_calls_scan(q);
  ASSERT_TRUE(scanned.ok()) << scanned.status().message();
  EXPECT_EQ(scanned->total_count, 1);
  EXPECT_EQ(listed(acct_, 600), 1) << "the index kept the bill_duration of the insert, not the "
                                      "re-rated one";
  EXPECT_EQ(listed(held, 0), 2);
}

TEST_F(GroupCommitTest, AnsweredBatchesRecordsAreHandedBackForTheNextBatches) {
  EXPECT_TRUE(store_->calls.take_spent_records().empty());
  // Batch i holds 3 + i calls. A batch is kept once it is answered and another is queued after
  // it; queued after the next one was answered, it is surely answered in full.
  std::vector<std::vector<CallRecord>> sent;
  for (int i = 0; i < 3 + static_cast<int>(SqliteCallStore::kSpentKept) + 2; ++i) {
    std::vector<CallRecord> batch;
    for (int k = 0; k < 3 + i; ++k) {
      batch.push_back(minimal_call(acct_, "s" + std::to_string(i) + "-" + std::to_string(k), kT0));
    }
    sent.push_back(batch);
    ASSERT_TRUE(store_->calls.insert_calls_async(std::move(batch)).get().ok());
  }
  // At most kSpentKept batches are kept, each handed back once, records and all, as written.
  std::size_t handed = 0;
  for (std::vector<CallRecord> spent = store_->calls.take_spent_records(); !spent.empty();
       spent = store_->calls.take_spent_records()) {
    ++handed;
    ASSERT_GE(spent.size(), 3u);
    const std::vector<CallRecord>& original = sent[spent.size() - 3];
    ASSERT_EQ(spent.size(), original.size());
    for (std::size_t k = 0; k < spent.size(); ++k) EXPECT_TRUE(spent[k] == original[k]);
  }
  EXPECT_GE(handed, 1u);
  EXPECT_LE(handed, SqliteCallStore::kSpentKept);
  EXPECT_EQ(count(), 3 * 9 + (0 + 1 + 2 + 3 + 4 + 5 + 6 + 7 + 8));
}

}  // namespace cdrd::group_commit_test
