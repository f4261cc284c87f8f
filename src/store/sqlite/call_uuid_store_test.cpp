// Duplicates found in memory (migration 10, call_uuid_map.h): the calls table has no unique
// uuid key, and every way a call can come twice is still refused, exactly once.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "store/index/call_uuid_map.h"
#include "store/sqlite/call_row.h"
#include "store/sqlite/migrations.h"
#include "store/sqlite/stores.h"
#include "testing/temp_dir.h"
#include "testing/values.h"

namespace cdrd::call_uuid_store_test {

using cdrd::testing::minimal_call;
using cdrd::testing::TempDir;
using ::testing::ElementsAre;

constexpr Micros kT0 = 1'616'327'220 * kMicrosPerSecond;  // 2021-03-21 11:47:00 UTC

std::unique_ptr<sqlite::Stores> open_store(const std::string& path) {
  Result<std::unique_ptr<sqlite::Stores>> s = sqlite::open_stores(path);
  EXPECT_TRUE(s.ok()) << s.status().message();
  if (!s.ok()) std::abort();
  return std::move(s).value();
}

// Runs `sql` on a connection of its own; the first column of its first row (or -1).
std::int64_t raw_int(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr),
            SQLITE_OK);
  sqlite3_busy_timeout(db, 5000);
  sqlite3_stmt* st = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr), SQLITE_OK)
      << sql << ": " << sqlite3_errmsg(db);
  std::int64_t v = -1;
  const int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) v = sqlite3_column_int64(st, 0);
  EXPECT_TRUE(rc == SQLITE_ROW || rc == SQLITE_DONE) << sql << ": " << sqlite3_errmsg(db);
  sqlite3_finalize(st);
  sqlite3_close(db);
  return v;
}

// Replaces the uuid hash for its scope.
class HashForTesting {
 public:
  explicit HashForTesting(index::CallUuidHashFn fn) { index::set_call_uuid_hash_for_testing(fn); }
  ~HashForTesting() { index::set_call_uuid_hash_for_testing(nullptr); }
  HashForTesting(const HashForTesting&) = delete;
  HashForTesting& operator=(const HashForTesting&) = delete;
};

class CallUuidStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = open_store(path());
    Result<Account> a = store_->accounts.create_account("Acme", "MAAAAAAAAAAAAAAAAAAA", "hash-a");
    ASSERT_TRUE(a.ok()) << a.status().message();
    acct_ = a->id;
    Result<Account> b = store_->accounts.create_account("Other", "MABBBBBBBBBBBBBBBBBB", "hash-b");
    ASSERT_TRUE(b.ok());
    other_ = b->id;
  }

  std::string path() const { return dir_.file("data/cdrd.db"); }

  static std::vector<InsertOutcome> insert(sqlite::Stores& s, const std::vector<CallRecord>& c) {
    Result<std::vector<InsertOutcome>> r = s.calls.insert_calls(c);
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? *r : std::vector<InsertOutcome>{};
  }
  std::vector<InsertOutcome> insert(const std::vector<CallRecord>& c) { return insert(*store_, c); }

  std::optional<CallRecord> find(sqlite::Stores& s, std::int64_t account, const std::string& uuid) {
    Result<std::optional<CallRecord>> r = s.calls.find_call(account, uuid, 0);
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? *r : std::nullopt;
  }
  std::optional<CallRecord> find(const std::string& uuid) { return find(*store_, acct_, uuid); }

  std::int64_t rows(const std::string& uuid) {
    return raw_int(path(),
                   "SELECT COUNT(*) FROM calls WHERE lower(call_uuid) = lower('" + uuid + "')");
  }

  TempDir dir_;
  std::unique_ptr<sqlite::Stores> store_;
  std::int64_t acct_ = 0, other_ = 0;
};

TEST_F(CallUuidStoreTest, RefusesDuplicatesWithinABatchAcrossBatchesAndInOtherCases) {
  EXPECT_THAT(
      insert({minimal_call(acct_, "Aa-1", kT0), minimal_call(acct_, "aA-1", kT0 + 1),
              minimal_call(other_, "AA-1", kT0)}),
      ElementsAre(InsertOutcome::kStored, InsertOutcome::kDuplicate, InsertOutcome::kStored));
  EXPECT_THAT(insert({minimal_call(acct_, "AA-1", kT0 + 2), minimal_call(acct_, "b", kT0)}),
              ElementsAre(InsertOutcome::kDuplicate, InsertOutcome::kStored));
  EXPECT_EQ(find("aa-1")->call_uuid, "Aa-1");
  EXPECT_EQ(find("AA-1")->end_time, kT0);
  EXPECT_FALSE(find("aa-2").has_value());
  EXPECT_EQ(rows("aa-1"), 2);  // one per account
}

// Batches queued together are written in one transaction: of two holding the same call, the
// first queued stores it.
TEST_F(CallUuidStoreTest, ConcurrentBatchesStoreACallOnce) {
  std::vector<std::future<Result<std::vector<InsertOutcome>>>> pending;
  for (int b = 0; b < 8; ++b) {
    std::vector<CallRecord> batch;
    for (int i = 0; i < 500; ++i) {
      batch.push_back(minimal_call(acct_, (b % 2 ? "C-" : "c-") + std::to_string(i), kT0 + i));
    }
    pending.push_back(store_->calls.insert_calls_async(std::move(batch)));
  }
  int stored = 0;
  for (auto& p : pending) {
    Result<std::vector<InsertOutcome>> r = p.get();
    ASSERT_TRUE(r.ok()) << r.status().message();
    stored += static_cast<int>(std::count(r->begin(), r->end(), InsertOutcome::kStored));
  }
  EXPECT_EQ(stored, 500);
  EXPECT_EQ(raw_int(path(), "SELECT COUNT(*) FROM calls"), 500);
}

TEST_F(CallUuidStoreTest, RefusesDuplicatesAfterACleanRestart) {
  EXPECT_THAT(insert({minimal_call(acct_, "before-restart", kT0)}),
              ElementsAre(InsertOutcome::kStored));
  store_.reset();
  store_ = open_store(path());
  EXPECT_TRUE(find("BEFORE-restart").has_value());
  EXPECT_THAT(insert({minimal_call(acct_, "Before-Restart", kT0 + 1)}),
              ElementsAre(InsertOutcome::kDuplicate));
  EXPECT_EQ(rows("before-restart"), 1);
}

TEST_F(CallUuidStoreTest, RefusesDuplicatesAfterAKilledProcess) {
  store_.reset();
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    // The child: store the call, then die without closing anything.
    Result<std::unique_ptr<sqlite::Stores>> s = sqlite::open_stores(path());
    if (!s.ok()) _exit(2);
    Result<std::vector<InsertOutcome>> r =
        (*s)->calls.insert_calls({minimal_call(acct_, "killed", kT0)});
    if (!r.ok() || r->front() != InsertOutcome::kStored) _exit(3);
    kill(getpid(), SIGKILL);
    _exit(4);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(status)) << "exit " << WEXITSTATUS(status);
  ASSERT_EQ(WTERMSIG(status), SIGKILL);
  store_ = open_store(path());
  EXPECT_THAT(insert({minimal_call(acct_, "KILLED", kT0 + 1)}),
              ElementsAre(InsertOutcome::kDuplicate));
  EXPECT_EQ(rows("killed"), 1);
}

// Another Database on the same file (another program: `cdrd import`, a second server) stores a
// call; this one learns of it before its next write (PRAGMA data_version) and on a lookup.
TEST_F(CallUuidStoreTest, RefusesACallAnotherConnectionStored) {
  // This one's map of the account is built first.
  EXPECT_THAT(insert({minimal_call(acct_, "mine", kT0)}), ElementsAre(InsertOutcome::kStored));
  EXPECT_TRUE(find("mine").has_value());
  std::unique_ptr<sqlite::Stores> second = open_store(path());
  EXPECT_THAT(
      insert(*second, {minimal_call(acct_, "theirs", kT0), minimal_call(acct_, "MINE", kT0)}),
      ElementsAre(InsertOutcome::kStored, InsertOutcome::kDuplicate));
  EXPECT_TRUE(find("THEIRS").has_value());  // a lookup catches up
  EXPECT_THAT(insert(*second, {minimal_call(acct_, "theirs-2", kT0)}),
              ElementsAre(InsertOutcome::kStored));
  EXPECT_THAT(insert({minimal_call(acct_, "Theirs-2", kT0 + 1), minimal_call(acct_, "x", kT0)}),
              ElementsAre(InsertOutcome::kDuplicate, InsertOutcome::kStored));
  EXPECT_THAT(insert(*second, {minimal_call(acct_, "X", kT0 + 1)}),
              ElementsAre(InsertOutcome::kDuplicate));
  EXPECT_EQ(rows("theirs-2"), 1);
  EXPECT_EQ(rows("x"), 1);
}

// Two databases writing the same calls at the same time: SQLite serialises their write
// transactions, and each checks inside its own, so every call is stored exactly once.
TEST_F(CallUuidStoreTest, TwoWritersOfTheSameCallsStoreEachOnce) {
  std::unique_ptr<sqlite::Stores> second = open_store(path());
  constexpr int kCalls = 3000, kBatch = 100;
  std::atomic<int> stored{0};
  auto write = [&](sqlite::Stores& s, const char* spelling) {
    for (int b = 0; b < kCalls / kBatch; ++b) {
      std::vector<CallRecord> batch;
      for (int i = b * kBatch; i < (b + 1) * kBatch; ++i) {
        batch.push_back(minimal_call(acct_, spelling + std::to_string(i), kT0 + i));
      }
      Result<std::vector<InsertOutcome>> r = s.calls.insert_calls(batch);
      ASSERT_TRUE(r.ok()) << r.status().message();
      stored += static_cast<int>(std::count(r->begin(), r->end(), InsertOutcome::kStored));
    }
  };
  std::thread a([&] { write(*store_, "same-"); });
  std::thread b([&] { write(*second, "SAME-"); });
  a.join();
  b.join();
  EXPECT_EQ(stored.load(), kCalls);
  EXPECT_EQ(raw_int(path(), "SELECT COUNT(*) FROM calls"), kCalls);
  EXPECT_EQ(raw_int(path(), "SELECT COUNT(DISTINCT call_uuid) FROM calls"), kCalls);
}

TEST_F(CallUuidStoreTest, StoresADeletedCallAgain) {
  EXPECT_THAT(insert({minimal_call(acct_, "old", kT0), minimal_call(acct_, "gone", kT0 + 5)}),
              ElementsAre(InsertOutcome::kStored, InsertOutcome::kStored));
  // Retention deletes the first; another program deletes the second.
  Result<std::int64_t> deleted = store_->calls.delete_calls_ended_before(kT0 + 1, 100);
  ASSERT_TRUE(deleted.ok()) << deleted.status().message();
  EXPECT_EQ(*deleted, 1);
  raw_int(path(), "DELETE FROM calls WHERE call_uuid = 'gone'");
  EXPECT_FALSE(find("old").has_value());
  EXPECT_FALSE(find("gone").has_value());
  EXPECT_THAT(insert({minimal_call(acct_, "OLD", kT0 + 10), minimal_call(acct_, "gone", kT0 + 10)}),
              ElementsAre(InsertOutcome::kStored, InsertOutcome::kStored));
  EXPECT_EQ(find("old")->call_uuid, "OLD");
  EXPECT_EQ(find("gone")->end_time, kT0 + 10);
  EXPECT_THAT(insert({minimal_call(acct_, "old", kT0), minimal_call(acct_, "gone", kT0)}),
              ElementsAre(InsertOutcome::kDuplicate, InsertOutcome::kDuplicate));
}

// Every uuid has the same hash: each call is still stored once, found by its own uuid, and
// refused when it comes again.
TEST_F(CallUuidStoreTest, AHashCollisionStoresBothCalls) {
  HashForTesting collide([](std::string_view) { return std::uint64_t{7}; });
  store_.reset();
  store_ = open_store(path());  // maps built with the test's hash
  EXPECT_THAT(insert({minimal_call(acct_, "one", kT0), minimal_call(acct_, "two", kT0 + 1),
                      minimal_call(other_, "one", kT0 + 2), minimal_call(acct_, "TWO", kT0 + 3)}),
              ElementsAre(InsertOutcome::kStored, InsertOutcome::kStored, InsertOutcome::kStored,
                          InsertOutcome::kDuplicate));
  EXPECT_THAT(insert({minimal_call(acct_, "three", kT0 + 4), minimal_call(acct_, "One", kT0),
                      minimal_call(acct_, "two", kT0), minimal_call(acct_, "three", kT0)}),
              ElementsAre(InsertOutcome::kStored, InsertOutcome::kDuplicate,
                          InsertOutcome::kDuplicate, InsertOutcome::kDuplicate));
  EXPECT_EQ(find("one")->end_time, kT0);
  EXPECT_EQ(find("TWO")->end_time, kT0 + 1);
  EXPECT_EQ(find("three")->end_time, kT0 + 4);
  EXPECT_EQ(find(*store_, other_, "one")->end_time, kT0 + 2);
  EXPECT_FALSE(find("four").has_value());
  EXPECT_EQ(raw_int(path(), "SELECT COUNT(*) FROM calls"), 4);
}

// The map's size as the docs state it (at most 24 bytes per call once past a few thousand).
TEST_F(CallUuidStoreTest, TheMapTakesAtMost24BytesPerCall) {
  std::vector<CallRecord> batch;
  for (int i = 0; i < 20'000; ++i) {
    batch.push_back(minimal_call(acct_, "m-" + std::to_string(i), kT0 + i));
  }
  insert(batch);
  const sqlite::CallIndexes::UuidUsage u = store_->db->call_indexes().uuid_usage();
  EXPECT_EQ(u.calls, 20'000u);
  EXPECT_LE(static_cast<double>(u.bytes) / static_cast<double>(u.calls), 24.0);
}

// The first lookup of an account's uuid builds its map from every row of the account: that
// read is not held to a read's time budget (it would fail every lookup of a large account).
TEST_F(CallUuidStoreTest, TheFirstLookupBuildsTheMapWhateverTheReadBudget) {
  std::vector<CallRecord> batch;
  for (int i = 0; i < 30'000; ++i) {
    batch.push_back(minimal_call(acct_, "b-" + std::to_string(i), kT0 + i));
  }
  insert(batch);
  store_.reset();
  SqliteOptions opts;
  opts.query_budget_ms = 10;
  Result<std::unique_ptr<sqlite::Stores>> s = sqlite::open_stores(path(), opts);
  ASSERT_TRUE(s.ok()) << s.status().message();
  store_ = std::move(s).value();
  Result<std::optional<CallRecord>> found = store_->calls.find_call(acct_, "B-29999", 0);
  ASSERT_TRUE(found.ok()) << found.status().message();
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->end_time, kT0 + 29'999);
}

// The uuid maps' snapshot (uuid_snapshot.h): a clean stop writes them beside the index
// snapshot, and the next start loads them, so the first write and the first lookup of an
// account read none of its rows; whatever makes the index snapshot untrusted makes this one so
// too, and then the maps are built from the table as before.
class UuidSnapshotStoreTest : public CallUuidStoreTest {
 protected:
  // Stores calls in both accounts and looks one up in each (both maps built), then stops
  // cleanly as a server does.
  void fill_and_stop() {
    std::vector<CallRecord> batch;
    batch.reserve(3000);
    for (int i = 0; i < 3000; ++i) {
      batch.push_back(minimal_call(i % 3 == 0 ? other_ : acct_, "U-" + std::to_string(i),
                                   kT0 + (i * 7919) % 3000 * kMicrosPerSecond));
    }
    insert(batch);
    // The oldest of the account are deleted: its map's first entries are gone.
    Result<std::int64_t> deleted = store_->calls.delete_calls_ended_before(kT0 + 5, 100);
    ASSERT_TRUE(deleted.ok()) << deleted.status().message();
    EXPECT_TRUE(find("u-2999").has_value());
    EXPECT_TRUE(find(*store_, other_, "u-3").has_value());
    SqliteCallStore::UuidSnapshotSaved saved;
    ASSERT_TRUE(store_->calls.save_index_snapshot(&saved).ok());
    EXPECT_TRUE(saved.written) << saved.why;
    EXPECT_EQ(saved.accounts, 2u);
    EXPECT_EQ(static_cast<std::int64_t>(saved.calls),
              raw_int(path(), "SELECT COUNT(*) FROM calls"));
    store_.reset();
  }
  SqliteCallStore::IndexStart start() {
    store_ = open_store(path());
    Result<SqliteCallStore::IndexStart> s = store_->calls.load_or_build_indexes();
    EXPECT_TRUE(s.ok()) << s.status().message();
    return s.ok() ? *s : SqliteCallStore::IndexStart{};
  }
  std::uint64_t builds() { return store_->db->call_indexes().uuid_usage().builds; }
  // A call another program adds with SQL of its own (no cdrd open, so the token stays): a copy
  // of the row of `like` under `uuid`.
  void insert_raw(const std::string& like, const std::string& uuid) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open_v2(path().c_str(), &db, SQLITE_OPEN_READWRITE, nullptr), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    std::string columns;
    sqlite3_stmt* st = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(db,
                                 "SELECT name FROM pragma_table_info('calls')"
                                 " WHERE name NOT IN ('id', 'call_uuid', 'call_uuid_as_sent')",
                                 -1, &st, nullptr),
              SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW) {
      columns += std::string(columns.empty() ? "" : ", ") +
                 reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
    }
    sqlite3_finalize(st);
    const std::string sql = "INSERT INTO calls (call_uuid, " + columns + ") SELECT '" + uuid +
                            "', " + columns + " FROM calls WHERE call_uuid = lower('" + like + "')";
    EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK)
        << sqlite3_errmsg(db);
    EXPECT_EQ(sqlite3_changes(db), 1);
    sqlite3_close(db);
  }
};

TEST_F(UuidSnapshotStoreTest, ACleanRestartLoadsTheMapsAndFindsDuplicatesWithoutABuild) {
  fill_and_stop();
  const SqliteCallStore::IndexStart s = start();
  EXPECT_TRUE(s.from_snapshot) << s.why;
  EXPECT_EQ(s.uuid_why, "");
  EXPECT_EQ(s.uuid_accounts, 2u);
  EXPECT_EQ(static_cast<std::int64_t>(s.uuid_calls), raw_int(path(), "SELECT COUNT(*) FROM calls"));
  EXPECT_THAT(insert({minimal_call(acct_, "U-1", kT0), minimal_call(acct_, "u-2", kT0),
                      minimal_call(other_, "u-2", kT0), minimal_call(other_, "U-2999", kT0),
                      minimal_call(acct_, "fresh", kT0)}),
              ElementsAre(InsertOutcome::kDuplicate, InsertOutcome::kDuplicate,
                          InsertOutcome::kStored, InsertOutcome::kStored, InsertOutcome::kStored));
  EXPECT_EQ(find("u-2998")->call_uuid, "U-2998");
  EXPECT_EQ(find(*store_, other_, "U-2997")->call_uuid, "U-2997");
  EXPECT_EQ(find("FRESH")->call_uuid, "fresh");
  EXPECT_FALSE(find("U-3").has_value());  // the other account's
  // A deleted call is stored again, once.
  EXPECT_FALSE(find(*store_, other_, "u-0").has_value());
  EXPECT_THAT(insert({minimal_call(other_, "u-0", kT0 + 9), minimal_call(other_, "U-0", kT0)}),
              ElementsAre(InsertOutcome::kStored, InsertOutcome::kDuplicate));
  EXPECT_EQ(builds(), 0u);
  EXPECT_EQ(rows("u-1"), 1);
  EXPECT_EQ(rows("u-2"), 2);
}

// Another program writes after the start from the snapshot: the writer sees it (PRAGMA
// data_version) and catches the loaded map up; a lookup catches up on a miss.
TEST_F(UuidSnapshotStoreTest, AWriteAnotherProgramMakesAfterTheStartIsCaughtUp) {
  fill_and_stop();
  EXPECT_EQ(start().uuid_accounts, 2u);
  std::unique_ptr<sqlite::Stores> second = open_store(path());
  EXPECT_THAT(
      insert(*second, {minimal_call(acct_, "theirs", kT0), minimal_call(acct_, "u-5", kT0)}),
      ElementsAre(InsertOutcome::kStored, InsertOutcome::kDuplicate));
  EXPECT_THAT(insert({minimal_call(acct_, "THEIRS", kT0 + 1)}),
              ElementsAre(InsertOutcome::kDuplicate));
  EXPECT_THAT(insert(*second, {minimal_call(other_, "theirs-2", kT0)}),
              ElementsAre(InsertOutcome::kStored));
  EXPECT_TRUE(find(*store_, other_, "Theirs-2").has_value());
  EXPECT_EQ(builds(), 0u);
  EXPECT_EQ(rows("theirs"), 1);
}

// Writes made between the stop and the start: by cdrd (its open takes the token away) or by
// another program's SQL (a call with an id past the snapshot's). Neither snapshot is used, and
// the maps built from the table find those calls.
TEST_F(UuidSnapshotStoreTest, AWriteBeforeTheStartRejectsTheSnapshot) {
  fill_and_stop();
  insert_raw("U-1", "sneaky");
  SqliteCallStore::IndexStart s = start();
  EXPECT_FALSE(s.from_snapshot);
  EXPECT_EQ(s.uuid_accounts, 0u);
  EXPECT_NE(s.uuid_why, "");
  EXPECT_THAT(insert({minimal_call(acct_, "SNEAKY", kT0)}), ElementsAre(InsertOutcome::kDuplicate));
  EXPECT_EQ(builds(), 1u);
  ASSERT_TRUE(store_->calls.save_index_snapshot().ok());
  store_.reset();
  {
    std::unique_ptr<sqlite::Stores> other = open_store(path());
    EXPECT_THAT(insert(*other, {minimal_call(other_, "imported", kT0)}),
                ElementsAre(InsertOutcome::kStored));
  }
  s = start();
  EXPECT_FALSE(s.from_snapshot);
  EXPECT_EQ(s.uuid_accounts, 0u);
  EXPECT_THAT(insert({minimal_call(other_, "IMPORTED", kT0)}),
              ElementsAre(InsertOutcome::kDuplicate));
  EXPECT_EQ(rows("imported"), 1);
  EXPECT_EQ(rows("sneaky"), 1);
}

// Another program wrote while this one had the database open: the stop writes neither snapshot,
// and the uuid file of the last stop is gone too.
TEST_F(UuidSnapshotStoreTest, NoUuidSnapshotWhenAnotherProgramWroteMeanwhile) {
  fill_and_stop();
  EXPECT_EQ(start().uuid_accounts, 2u);
  {
    std::unique_ptr<sqlite::Stores> second = open_store(path());
    EXPECT_THAT(insert(*second, {minimal_call(acct_, "meanwhile", kT0)}),
                ElementsAre(InsertOutcome::kStored));
  }
  SqliteCallStore::UuidSnapshotSaved saved;
  EXPECT_EQ(store_->calls.save_index_snapshot(&saved).code(), Status::Code::kConflict);
  EXPECT_FALSE(saved.written);
  EXPECT_FALSE(std::filesystem::exists(path() + ".uuids"));
  store_.reset();
  const SqliteCallStore::IndexStart s = start();
  EXPECT_FALSE(s.from_snapshot);
  EXPECT_THAT(insert({minimal_call(acct_, "MEANWHILE", kT0)}),
              ElementsAre(InsertOutcome::kDuplicate));
}

// A damaged uuid snapshot, or one of an earlier stop: the list index is loaded, the maps are
// built from the table on first use, and duplicates are found as before.
TEST_F(UuidSnapshotStoreTest, ADamagedOrOlderUuidSnapshotIsNotUsed) {
  fill_and_stop();
  const std::string file = path() + ".uuids";
  std::filesystem::resize_file(file, std::filesystem::file_size(file) - 3);
  SqliteCallStore::IndexStart s = start();
  EXPECT_TRUE(s.from_snapshot) << s.why;
  EXPECT_EQ(s.uuid_accounts, 0u);
  EXPECT_NE(s.uuid_why.find("trailer"), std::string::npos) << s.uuid_why;
  EXPECT_THAT(insert({minimal_call(acct_, "u-1", kT0)}), ElementsAre(InsertOutcome::kDuplicate));
  EXPECT_TRUE(find(*store_, other_, "u-3").has_value());
  EXPECT_EQ(builds(), 2u);

  // The uuid file of this stop kept aside, then another stop: the older file is not used.
  ASSERT_TRUE(store_->calls.save_index_snapshot().ok());
  std::filesystem::copy_file(file, file + ".kept");
  store_.reset();
  start();
  EXPECT_THAT(insert({minimal_call(acct_, "later", kT0)}), ElementsAre(InsertOutcome::kStored));
  ASSERT_TRUE(store_->calls.save_index_snapshot().ok());
  store_.reset();
  std::filesystem::rename(file + ".kept", file);
  s = start();
  EXPECT_TRUE(s.from_snapshot) << s.why;
  EXPECT_NE(s.uuid_why.find("token"), std::string::npos) << s.uuid_why;
  EXPECT_THAT(insert({minimal_call(acct_, "LATER", kT0)}), ElementsAre(InsertOutcome::kDuplicate));
}

// A database of version 9 (the unique uuid key and calls_by_end_time) with calls: migration 10
// keeps every row and its id, lists as before, and duplicates are still refused.
TEST_F(CallUuidStoreTest, MigrationTenKeepsTheCallsAndRefusesTheirDuplicates) {
  std::vector<CallRecord> batch;
  for (int i = 0; i < 300; ++i) {
    CallRecord c = minimal_call(i % 3 == 0 ? other_ : acct_, "Mig-" + std::to_string(i),
                                kT0 + (i * 7919) % 1000 * kMicrosPerSecond);
    c.bill_duration_s = i % 50;
    batch.push_back(c);
  }
  batch.push_back(minimal_call(acct_, "expired", kT0 - 1000 * kMicrosPerSecond));
  insert(batch);
  ASSERT_EQ(*store_->calls.delete_calls_ended_before(kT0, 5), 1);  // the high water moves
  CallQuery q;
  q.account_id = acct_;
  q.limit = 1000;
  Result<Page<CallRecord>> before = store_->calls.list_calls(q);
  ASSERT_TRUE(before.ok());
  const std::int64_t sum_before =
      raw_int(path(), "SELECT SUM(id * length(call_uuid)) + COUNT(*) FROM calls");
  const std::int64_t high_water = raw_int(path(), "SELECT id FROM call_id_high_water");
  store_.reset();

  // The same data in a database built by migrations 1 to 9 only.
  const std::string old = dir_.file("data/old.db");
  raw_int(old,
          "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
          " applied_at INTEGER NOT NULL) STRICT");
  for (const sqlite::Migration& m : sqlite::migrations()) {
    if (m.version > 9) break;
    for (std::string_view sql : m.statements) raw_int(old, std::string(sql));
    raw_int(old, "INSERT INTO schema_migrations VALUES (" + std::to_string(m.version) + ", '" +
                     std::string(m.name) + "', 0)");
  }
  raw_int(old, "PRAGMA user_version=9");
  ASSERT_EQ(raw_int(old,
                    "SELECT COUNT(*) FROM sqlite_master WHERE name IN "
                    "('sqlite_autoindex_calls_1', 'calls_by_end_time')"),
            2);
  std::string columns = sqlite::kCallColumns;
  const std::string shown = "COALESCE(call_uuid_as_sent, call_uuid)";
  columns.replace(columns.find(shown), shown.size(), "call_uuid");
  columns += ", call_uuid_as_sent, id";
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(old.c_str(), &db), SQLITE_OK);
  const std::string copy = "ATTACH '" + path() +
                           "' AS src; INSERT INTO accounts SELECT * FROM src.accounts;"
                           " INSERT INTO calls (" +
                           columns + ") SELECT " + columns +
                           " FROM src.calls ORDER BY id;"
                           " UPDATE call_id_high_water SET id = (SELECT id FROM "
                           "src.call_id_high_water); DETACH src;";
  ASSERT_EQ(sqlite3_exec(db, copy.c_str(), nullptr, nullptr, nullptr), SQLITE_OK)
      << sqlite3_errmsg(db);
  sqlite3_close(db);

  store_ = open_store(old);
  EXPECT_EQ(raw_int(old, "PRAGMA user_version"), sqlite::latest_schema_version());
  EXPECT_EQ(raw_int(old, "SELECT SUM(id * length(call_uuid)) + COUNT(*) FROM calls"), sum_before);
  EXPECT_EQ(raw_int(old, "SELECT id FROM call_id_high_water"), high_water);
  EXPECT_EQ(raw_int(old,
                    "SELECT COUNT(*) FROM sqlite_master WHERE name IN "
                    "('sqlite_autoindex_calls_1', 'calls_by_end_time')"),
            0);
  EXPECT_EQ(raw_int(old,
                    "SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger' AND "
                    "tbl_name = 'calls'"),
            3);
  Result<Page<CallRecord>> after = store_->calls.list_calls(q);
  ASSERT_TRUE(after.ok());
  ASSERT_EQ(after->total_count, before->total_count);
  ASSERT_EQ(after->rows.size(), before->rows.size());
  for (std::size_t i = 0; i < after->rows.size(); ++i) {
    EXPECT_EQ(after->rows[i].call_uuid, before->rows[i].call_uuid) << i;
  }
  Result<Page<CallRecord>> scanned = store_->calls.list_calls_scan(q);
  ASSERT_TRUE(scanned.ok());
  EXPECT_EQ(scanned->total_count, before->total_count);
  EXPECT_THAT(
      insert({minimal_call(acct_, "MIG-1", kT0), minimal_call(other_, "mig-0", kT0),
              minimal_call(acct_, "mig-0", kT0)}),
      ElementsAre(InsertOutcome::kDuplicate, InsertOutcome::kDuplicate, InsertOutcome::kStored));
}

// A start from the table (the last open ended without a clean stop) loads no uuid map; the
// background builder then builds every account's, largest first, reading the rows outside the
// write lock; the clean stop writes them all, and the start after it loads them all.
TEST_F(UuidSnapshotStoreTest, AfterAStartFromTheTableTheBuilderBuildsEveryMapForTheNextStop) {
  fill_and_stop();
  { std::unique_ptr<sqlite::Stores> crashed = open_store(path()); }  // no clean stop
  SqliteCallStore::IndexStart s = start();
  EXPECT_FALSE(s.from_snapshot);
  EXPECT_EQ(s.uuid_accounts, 0u);
  // Both accounts hold under kInlineUuidBuildCalls calls: their retrieves stay bounded.
  EXPECT_TRUE(store_->calls.find_call_is_bounded(acct_));
  store_->calls.start_uuid_builds();
  for (int i = 0; i < 600 && store_->calls.uuid_builds_pending() > 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(store_->calls.uuid_builds_pending(), 0u);
  EXPECT_EQ(builds(), 2u);
  EXPECT_EQ(store_->db->call_indexes().uuid_usage().accounts, 2u);
  // Nothing read again: the maps are the ones built.
  EXPECT_THAT(insert({minimal_call(acct_, "U-1", kT0), minimal_call(other_, "u-2997", kT0)}),
              ElementsAre(InsertOutcome::kDuplicate, InsertOutcome::kDuplicate));
  EXPECT_EQ(find("u-2999")->call_uuid, "U-2999");
  EXPECT_EQ(builds(), 2u);
  // A call another program stores after the build is found, and refused when sent again.
  insert_raw("U-1", "theirs-after-the-build");
  EXPECT_EQ(find("THEIRS-after-the-build")->call_uuid, "theirs-after-the-build");
  EXPECT_THAT(insert({minimal_call(acct_, "Theirs-After-The-Build", kT0)}),
              ElementsAre(InsertOutcome::kDuplicate));
  EXPECT_EQ(builds(), 2u);
  store_->calls.stop_uuid_builds();
  SqliteCallStore::UuidSnapshotSaved saved;
  EXPECT_EQ(store_->calls.save_index_snapshot(&saved).code(), Status::Code::kConflict);
  store_.reset();
  s = start();
  EXPECT_FALSE(s.from_snapshot);  // another program wrote while the store had it open
  store_->calls.start_uuid_builds();
  for (int i = 0; i < 600 && store_->calls.uuid_builds_pending() > 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_TRUE(store_->calls.save_index_snapshot(&saved).ok());
  EXPECT_EQ(saved.accounts, 2u);
  EXPECT_EQ(static_cast<std::int64_t>(saved.calls), raw_int(path(), "SELECT COUNT(*) FROM calls"));
  store_.reset();
  s = start();
  EXPECT_TRUE(s.from_snapshot) << s.why;
  EXPECT_EQ(s.uuid_accounts, 2u);
  EXPECT_EQ(builds(), 0u);
}

// A write to an account whose uuid map is not built yet (after a start from the table, before
// the background builder got to it) builds the map before its batch is queued, on the caller's
// thread and outside the database's write lock, so that no group commit waits for that build:
// here another writer holds the write lock the whole time the map is built. Duplicates are
// still found exactly.
TEST_F(UuidSnapshotStoreTest, AWriteBuildsAMissingMapOutsideTheWriteLock) {
  std::vector<CallRecord> batch;
  for (int i = 0; i < 5000; ++i) {
    batch.push_back(minimal_call(acct_, "w-" + std::to_string(i), kT0 + i));
  }
  insert(batch);
  store_.reset();
  const SqliteCallStore::IndexStart s = start();  // from the table: no clean stop
  ASSERT_FALSE(s.from_snapshot);
  ASSERT_EQ(builds(), 0u);
  std::promise<void> locked;
  std::atomic<bool> done{false};
  std::thread holder([&] {
    (void)store_->db->with_writer([&](sqlite::Connection&) -> Status {
      locked.set_value();
      for (int i = 0; i < 200 && !done.load(); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
      return Status::Ok();
    });
  });
  locked.get_future().wait();
  std::future<Result<std::vector<InsertOutcome>>> answer = store_->calls.insert_calls_async(
      {minimal_call(acct_, "W-4999", kT0), minimal_call(acct_, "w-new", kT0)});
  const std::uint64_t built_under_the_lock = builds();
  done = true;
  holder.join();
  EXPECT_EQ(built_under_the_lock, 1u);
  Result<std::vector<InsertOutcome>> r = answer.get();
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_THAT(*r, ElementsAre(InsertOutcome::kDuplicate, InsertOutcome::kStored));
  EXPECT_EQ(builds(), 1u);
  EXPECT_EQ(rows("w-4999"), 1);
}

// An account whose map is still to be built from more than kInlineUuidBuildCalls rows: its
// retrieve is not bounded (the server hands it to a worker) until the map is built, and the
// retrieve itself builds it, outside the write lock, with the right answer; a stopped builder
// leaves it to that first use.
TEST_F(UuidSnapshotStoreTest, ARetrieveOfAnUnbuiltLargeMapIsNotBoundedUntilItIsBuilt) {
  std::vector<CallRecord> batch;
  const int n = static_cast<int>(SqliteCallStore::kInlineUuidBuildCalls) + 100;
  for (int i = 0; i < n; ++i) {
    batch.push_back(minimal_call(acct_, "big-" + std::to_string(i), kT0 + i));
  }
  insert(batch);
  insert({minimal_call(other_, "small", kT0)});
  store_.reset();
  SqliteCallStore::IndexStart s = start();  // from the table: no clean stop
  EXPECT_FALSE(s.from_snapshot);
  EXPECT_FALSE(store_->calls.find_call_is_bounded(acct_));
  EXPECT_TRUE(store_->calls.find_call_is_bounded(other_));
  EXPECT_TRUE(store_->calls.find_call_is_bounded(acct_ + other_ + 1000));  // no calls known
  store_->calls.stop_uuid_builds();
  store_->calls.start_uuid_builds();  // stopped: builds nothing
  EXPECT_EQ(builds(), 0u);
  EXPECT_EQ(find("BIG-17")->call_uuid, "big-17");
  EXPECT_EQ(builds(), 1u);
  EXPECT_TRUE(store_->calls.find_call_is_bounded(acct_));
  EXPECT_THAT(insert({minimal_call(acct_, "big-" + std::to_string(n - 1), kT0)}),
              ElementsAre(InsertOutcome::kDuplicate));
  EXPECT_EQ(builds(), 1u);
}

}  // namespace cdrd::call_uuid_store_test
