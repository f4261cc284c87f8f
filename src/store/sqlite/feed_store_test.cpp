// CallStore::calls_stored_after, the change feed: calls come in storage order from a cursor on,
// a late call (an end_time older than calls already read) comes after the cursor like any
// other, a retried batch adds nothing, and an id is never given twice, also after retention
// deleted the newest row and across a restart.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "store/sqlite/stores.h"
#include "testing/stores.h"
#include "testing/temp_dir.h"
#include "testing/values.h"

namespace cdrd {
namespace {

class FeedStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    stores_ = testing::open_stores_in(dir_);
    account_ = testing::add_account(*stores_, "a", "MAAAAAAAAAAAAAAAAAAA").id;
    other_ = testing::add_account(*stores_, "b", "MABBBBBBBBBBBBBBBBBB").id;
  }

  CallRecord call(std::int64_t account, const std::string& uuid, const char* end) const {
    CallRecord c;
    c.account_id = account;
    c.call_uuid = uuid;
    c.direction = Direction::kOutbound;
    c.from_number = "+4930123456";
    c.to_number = "+14155550100";
    c.end_time = testing::at(end);
    c.initiation_time = c.end_time - 60 * kMicrosPerSecond;
    c.duration_s = 60;
    c.bill_duration_s = 60;
    return c;
  }

  std::vector<InsertOutcome> insert(const std::vector<CallRecord>& calls) {
    Result<std::vector<InsertOutcome>> r = stores_->calls.insert_calls(calls);
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? *r : std::vector<InsertOutcome>();
  }

  std::vector<StoredCall> feed(std::int64_t after, int limit = 100, std::int64_t account = 0) {
    Result<std::vector<StoredCall>> r = stores_->calls.calls_stored_after(
        account == 0 ? account_ : account, after, /*served_from=*/0, limit);
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? *r : std::vector<StoredCall>();
  }

  static std::vector<std::string> uuids(const std::vector<StoredCall>& calls) {
    std::vector<std::string> out;
    for (const StoredCall& c : calls) out.push_back(c.call.call_uuid);
    return out;
  }

  testing::TempDir dir_;
  std::unique_ptr<sqlite::Stores> stores_;
  std::int64_t account_ = 0, other_ = 0;
};

TEST_F(FeedStoreTest, ComesInStorageOrderPageByPageAndOnlyTheAccountsOwn) {
  insert({call(account_, "c1", "2026-01-03 10:00:00"), call(other_, "x1", "2026-01-03 10:00:00"),
          call(account_, "c2", "2026-01-01 10:00:00"),
          call(account_, "c3", "2026-01-02 10:00:00")});
  const std::vector<StoredCall> all = feed(0);
  EXPECT_EQ(uuids(all), (std::vector<std::string>{"c1", "c2", "c3"}));
  ASSERT_EQ(all.size(), 3u);
  EXPECT_LT(all[0].id, all[1].id);
  EXPECT_LT(all[1].id, all[2].id);
  const std::vector<StoredCall> first = feed(0, 2);
  EXPECT_EQ(uuids(first), (std::vector<std::string>{"c1", "c2"}));
  EXPECT_EQ(uuids(feed(first.back().id, 2)), (std::vector<std::string>{"c3"}));
  EXPECT_TRUE(feed(all.back().id).empty());
  EXPECT_EQ(uuids(feed(0, 100, other_)), (std::vector<std::string>{"x1"}));
  EXPECT_TRUE(feed(0, 0).empty());
}

TEST_F(FeedStoreTest, ALateCallComesAfterTheCursorAndARetriedBatchAddsNothing) {
  const std::vector<CallRecord> batch = {call(account_, "c1", "2026-01-03 10:00:00"),
                                         call(account_, "c2", "2026-01-03 11:00:00")};
  insert(batch);
  const std::int64_t cursor = feed(0).back().id;
  // Ended two days before every call read so far.
  insert({call(account_, "late", "2026-01-01 09:00:00")});
  const std::vector<StoredCall> next = feed(cursor);
  EXPECT_EQ(uuids(next), (std::vector<std::string>{"late"}));
  // The batch again, and the late call in another letter case: duplicates, nothing new.
  const std::vector<InsertOutcome> again = insert(batch);
  EXPECT_EQ(again,
            (std::vector<InsertOutcome>{InsertOutcome::kDuplicate, InsertOutcome::kDuplicate}));
  insert({call(account_, "LATE", "2026-01-01 09:00:00")});
  EXPECT_TRUE(feed(next.back().id).empty());
}

TEST_F(FeedStoreTest, SkipsCallsPastTheRetentionFloor) {
  insert(
      {call(account_, "old", "2026-01-01 10:00:00"), call(account_, "new", "2026-02-01 10:00:00")});
  Result<std::vector<StoredCall>> r =
      stores_->calls.calls_stored_after(account_, 0, testing::at("2026-01-15 00:00:00"), 10);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(uuids(*r), (std::vector<std::string>{"new"}));
}

TEST_F(FeedStoreTest, AnIdIsNeverGivenTwiceAfterRetentionDeletedTheNewestRow) {
  insert({call(account_, "c1", "2026-01-10 10:00:00")});
  // The late call holds the largest id, and retention deletes it first.
  insert({call(account_, "late", "2026-01-01 10:00:00")});
  const std::vector<StoredCall> seen = feed(0);
  ASSERT_EQ(uuids(seen), (std::vector<std::string>{"c1", "late"}));
  const std::int64_t cursor = seen.back().id;
  Result<std::int64_t> deleted =
      stores_->calls.delete_calls_ended_before(testing::at("2026-01-05 00:00:00"), 100);
  ASSERT_TRUE(deleted.ok()) << deleted.status().message();
  ASSERT_EQ(*deleted, 1);
  // Across a restart: the high-water mark is in the database.
  stores_.reset();
  stores_ = testing::open_stores_in(dir_);
  insert(
      {call(account_, "c2", "2026-01-11 10:00:00"), call(account_, "c3", "2026-01-12 10:00:00")});
  const std::vector<StoredCall> next = feed(cursor);
  EXPECT_EQ(uuids(next), (std::vector<std::string>{"c2", "c3"}));
  ASSERT_EQ(next.size(), 2u);
  EXPECT_GT(next[0].id, cursor);
  EXPECT_GT(next[1].id, next[0].id);
  // Every call gone, then a new one: still above every id given before.
  ASSERT_TRUE(
      stores_->calls.delete_calls_ended_before(testing::at("2027-01-01 00:00:00"), 100).ok());
  insert({call(account_, "c4", "2026-12-31 10:00:00")});
  const std::vector<StoredCall> last = feed(cursor);
  EXPECT_EQ(uuids(last), (std::vector<std::string>{"c4"}));
  ASSERT_EQ(last.size(), 1u);
  EXPECT_GT(last[0].id, next[1].id);
}

TEST_F(FeedStoreTest, ReadsOneIndexRange) {
  // calls_by_account answers account_id = ? AND id > ? ORDER BY id without a sort.
  Result<std::vector<std::string>> plan =
      stores_->db->with_reader([](sqlite::Connection& c) -> Result<std::vector<std::string>> {
        return c.query_all(
            "EXPLAIN QUERY PLAN SELECT id FROM calls WHERE account_id = 1 AND id > 5 AND "
            "end_time >= 0 ORDER BY id LIMIT 10",
            [](const sqlite::Statement& st) { return st.text(3); });
      });
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  std::string all;
  for (const std::string& line : *plan) all += line + "\n";
  EXPECT_NE(all.find("calls_by_account"), std::string::npos) << all;
  EXPECT_EQ(all.find("TEMP B-TREE"), std::string::npos) << all;
}

}  // namespace
}  // namespace cdrd
