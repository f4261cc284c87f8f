// CallStore::export_calls, the export's read: over any window of ids it hands exactly the calls
// that list_calls_scan (the list's SQL evaluation) counts for the same filters, in storage order,
// for one account or (all_accounts) every account, and none that ended before served_from.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "store/sqlite/stores.h"
#include "testing/random_calls.h"
#include "testing/stores.h"
#include "testing/temp_dir.h"

namespace cdrd {
namespace {

using testing::Random;

class ExportStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    stores_ = testing::open_stores_in(dir_);
    account_ = testing::add_account(*stores_, "a", "MAAAAAAAAAAAAAAAAAAA").id;
    other_ = testing::add_account(*stores_, "b", "MABBBBBBBBBBBBBBBBBB").id;
    Random rnd(7);
    std::vector<CallRecord> calls;
    for (int i = 0; i < 1500; ++i) {
      CallRecord c = testing::random_call(rnd);
      c.account_id = rnd.chance(70) ? account_ : other_;
      c.call_uuid = "call-" + std::to_string(i);
      calls.push_back(std::move(c));
    }
    ASSERT_TRUE(stores_->calls.insert_calls(calls).ok());
  }

  // The uuids export_calls hands over, window by window of `window` ids, in order.
  std::vector<std::string> exported(const ExportQuery& q, std::int64_t window) {
    std::vector<std::string> uuids;
    std::int64_t last_id = 0;
    const Result<std::int64_t> through = stores_->calls.last_call_id();
    EXPECT_TRUE(through.ok());
    for (std::int64_t after = 0; after < *through; after += window) {
      const Result<std::int64_t> n = stores_->calls.export_calls(
          q, after, std::min(*through, after + window), [&](const CallExportRow& r) {
            EXPECT_GT(r.id, last_id);  // storage order
            last_id = r.id;
            EXPECT_TRUE(q.all_accounts || r.account_id == q.filter.account_id);
            uuids.emplace_back(r.call_uuid);
          });
      EXPECT_TRUE(n.ok()) << n.status().message();
    }
    return uuids;
  }

  // The uuids list_calls_scan finds for the filters (every page), sorted.
  std::vector<std::string> listed(CallQuery q) {
    q.limit = 100'000;
    q.offset = 0;
    const Result<Page<CallRecord>> page = stores_->calls.list_calls_scan(q);
    EXPECT_TRUE(page.ok()) << page.status().message();
    std::vector<std::string> uuids;
    for (const CallRecord& c : page->rows) uuids.push_back(c.call_uuid);
    std::sort(uuids.begin(), uuids.end());
    return uuids;
  }

  static std::vector<std::string> sorted(std::vector<std::string> v) {
    std::sort(v.begin(), v.end());
    return v;
  }

  testing::TempDir dir_;
  std::unique_ptr<sqlite::Stores> stores_;
  std::int64_t account_ = 0, other_ = 0;
};

TEST_F(ExportStoreTest, HandsExactlyTheCallsTheListFindsInStorageOrder) {
  Random rnd(3);
  for (int i = 0; i < 300; ++i) {
    ExportQuery q;
    q.filter = testing::random_query(rnd, 1500);
    q.filter.account_id = rnd.chance(50) ? account_ : other_;
    const std::int64_t window = rnd.pick<std::int64_t>({1, 7, 100, 4096});
    ASSERT_EQ(sorted(exported(q, window)), listed(q.filter)) << "query " << i;
  }
}

TEST_F(ExportStoreTest, EveryAccountIsBothAccountsTogether) {
  Random rnd(5);
  for (int i = 0; i < 100; ++i) {
    ExportQuery q;
    q.filter = testing::random_query(rnd, 1500);
    q.all_accounts = true;
    CallQuery mine = q.filter, theirs = q.filter;
    mine.account_id = account_;
    theirs.account_id = other_;
    std::vector<std::string> both = listed(mine);
    const std::vector<std::string> other = listed(theirs);
    both.insert(both.end(), other.begin(), other.end());
    ASSERT_EQ(sorted(exported(q, 64)), sorted(both)) << "query " << i;
  }
}

TEST_F(ExportStoreTest, LeavesOutCallsThatEndedBeforeServedFrom) {
  ExportQuery q;
  q.filter.account_id = account_;
  q.served_from = 200'000'000;  // random_call's end times run from 0 to 400 s
  CallQuery from = q.filter;
  from.end_time.from = q.served_from;
  EXPECT_EQ(sorted(exported(q, 500)), listed(from));
  EXPECT_FALSE(listed(from).empty());
}

}  // namespace
}  // namespace cdrd
