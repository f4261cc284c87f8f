// StandInAccountsCallStore (the calls of a node whose accounts live in the PostgreSQL control
// plane): a stand-in account row before the first call of an account, and every other call
// store operation answered as the sqlite call store answers it: the export, the feed, the
// retrieve on the I/O thread, the pipelined insert.
#include "store/sqlite/stand_in_accounts.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "testing/stores.h"
#include "testing/values.h"

namespace cdrd::stand_in_accounts_test {

using cdrd::testing::minimal_call;

constexpr Micros kT0 = 1'616'327'220 * kMicrosPerSecond;  // 2021-03-21 11:47:00 UTC

TEST(StandInAccountsCallStore, AnswersEveryCallStoreOperationAsTheSqliteStore) {
  cdrd::testing::TempDir dir;
  auto stores = cdrd::testing::open_stores_in(dir);
  sqlite::StandInAccountsCallStore calls(*stores->db, stores->calls);
  constexpr std::int64_t kAccount = 4242;  // no such account in this database yet

  Result<std::vector<InsertOutcome>> first =
      calls.insert_calls({minimal_call(kAccount, "a-1", kT0), minimal_call(kAccount, "a-2", kT0)});
  ASSERT_TRUE(first.ok()) << first.status().message();
  Result<std::vector<InsertOutcome>> second =
      calls.insert_calls_async({minimal_call(kAccount, "a-3", kT0 + 1)}).get();
  ASSERT_TRUE(second.ok()) << second.status().message();

  EXPECT_EQ(calls.find_call_is_local(), stores->calls.find_call_is_local());
  Result<std::int64_t> last = calls.last_call_id();
  ASSERT_TRUE(last.ok()) << last.status().message();
  EXPECT_EQ(*last, *stores->calls.last_call_id());
  EXPECT_EQ(*last, 3);

  ExportQuery everything;
  everything.all_accounts = true;
  std::vector<std::string> exported;
  Result<std::int64_t> handed =
      calls.export_calls(everything, 0, *last,
                         [&](const CallExportRow& row) { exported.emplace_back(row.call_uuid); });
  ASSERT_TRUE(handed.ok()) << handed.status().message();
  EXPECT_EQ(exported, (std::vector<std::string>{"a-1", "a-2", "a-3"}));
  Result<std::int64_t> next = calls.next_export_id(everything, 0);
  ASSERT_TRUE(next.ok()) << next.status().message();
  EXPECT_EQ(*next, *stores->calls.next_export_id(everything, 0));
}

}  // namespace cdrd::stand_in_accounts_test
