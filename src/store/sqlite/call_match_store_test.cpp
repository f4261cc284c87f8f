// core/call_match.h's C++ evaluation of a list's filters against the sqlite store's SQL
// (list_calls_scan): over random calls with many ties and numbers of every shape, thousands of
// random queries of both APIs' filters must count and page alike.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "core/call_match.h"
#include "store/sqlite/stores.h"
#include "testing/random_calls.h"
#include "testing/stores.h"
#include "testing/temp_dir.h"

namespace cdrd {
namespace {

using testing::Random;

// A page as "total N: uuid uuid ..." (the total left out when the query asks for none).
std::string describe(std::int64_t total, const std::vector<std::string>& uuids) {
  std::string s = "total " + std::to_string(total) + ":";
  for (const std::string& u : uuids) s += " " + u;
  return s;
}

TEST(CallFilterMatchTest, TheCppEvaluationCountsAndPagesAsTheSql) {
  testing::TempDir dir;
  std::unique_ptr<sqlite::Stores> stores = testing::open_stores_in(dir);
  const std::int64_t mine = testing::add_account(*stores, "a", "MAAAAAAAAAAAAAAAAAAA").id;
  const std::int64_t other = testing::add_account(*stores, "b", "MABBBBBBBBBBBBBBBBBB").id;
  Random rnd(21);
  // Every call stored, in storage order (a fresh database gives ids in the order of the writes).
  std::vector<CallRecord> stored;
  for (int batch = 0; batch < 8; ++batch) {
    std::vector<CallRecord> calls;
    for (int i = 0; i < 500; ++i) {
      CallRecord c = testing::random_call(rnd);
      c.account_id = rnd.chance(85) ? mine : other;
      c.call_uuid = "call-" + std::to_string(batch) + "-" + std::to_string(i);
      calls.push_back(std::move(c));
    }
    Result<std::vector<InsertOutcome>> out = stores->calls.insert_calls(calls);
    ASSERT_TRUE(out.ok()) << out.status().message();
    for (std::size_t i = 0; i < calls.size(); ++i) {
      ASSERT_EQ((*out)[i], InsertOutcome::kStored);
      stored.push_back(calls[i]);
    }
  }
  int matched_some = 0;
  for (int i = 0; i < 3000; ++i) {
    CallQuery q = testing::random_query(rnd, static_cast<std::int64_t>(stored.size()));
    q.account_id = rnd.chance(90) ? mine : other;
    const Result<Page<CallRecord>> sql = stores->calls.list_calls_scan(q);
    ASSERT_TRUE(sql.ok()) << sql.status().message();
    std::vector<std::string> sql_uuids;
    for (const CallRecord& c : sql->rows) sql_uuids.push_back(c.call_uuid);

    // The same question in C++: (end_time, storage place) of every match, in the query's order.
    std::vector<std::pair<Micros, std::size_t>> hits;
    for (std::size_t k = 0; k < stored.size(); ++k) {
      if (stored[k].account_id == q.account_id && matches_filters(stored[k], q)) {
        hits.emplace_back(stored[k].end_time, k);
      }
    }
    if (q.order == SortOrder::kNewestFirst) {
      std::sort(hits.rbegin(), hits.rend());
    } else {
      std::sort(hits.begin(), hits.end());
    }
    std::vector<std::string> cpp_uuids;
    for (std::size_t k = static_cast<std::size_t>(q.offset);
         k < hits.size() && cpp_uuids.size() < static_cast<std::size_t>(q.limit); ++k) {
      cpp_uuids.push_back(stored[hits[k].second].call_uuid);
    }
    const std::int64_t total = q.count_total ? static_cast<std::int64_t>(hits.size()) : 0;
    ASSERT_EQ(describe(total, cpp_uuids), describe(sql->total_count, sql_uuids)) << "query " << i;
    if (!hits.empty()) ++matched_some;
  }
  // The queries are not all empty ones: most of them match calls.
  EXPECT_GT(matched_some, 1500);
}

}  // namespace
}  // namespace cdrd
