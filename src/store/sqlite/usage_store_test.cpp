// CallStore::usage against the calls list_calls lists: over random calls and random queries,
// every (period, group) row's figures equal the sums the test makes over the listed calls,
// exactly (integer seconds and 1/100000 money units).
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "store/sqlite/stores.h"
#include "testing/random_calls.h"
#include "testing/stores.h"
#include "testing/temp_dir.h"
#include "testing/values.h"

namespace cdrd {
namespace {

using testing::Random;

const Micros kStart = testing::at("2026-01-01 00:00:00");
constexpr Micros kSpan = 130 * kMicrosPerDay;

// A random call (testing::random_call) spread over four months and more, with the fields the
// totals read: answered or not, a destination country, an amount.
CallRecord random_usage_call(Random& rnd) {
  CallRecord c = testing::random_call(rnd);
  if (rnd.chance(10)) {
    // On a period boundary (hours, days and month starts are all hour starts).
    c.end_time = kStart + 3600 * kMicrosPerSecond * rnd.between(0, kSpan / 3600 / 1'000'000);
  } else if (rnd.chance(3)) {
    c.end_time = testing::at("2026-03-01 00:00:00") - rnd.between(0, 1);
  } else {
    c.end_time = kStart + rnd.between(0, kSpan);
  }
  c.initiation_time = c.end_time - kMicrosPerSecond * rnd.between(0, 900);
  if (rnd.chance(65)) c.answer_time = c.end_time - c.duration_s * kMicrosPerSecond;
  c.to_country = rnd.pick<std::string>({"DE", "GB", "US", "", "FR"});
  c.total_amount = Money::from_units(rnd.chance(2) ? rnd.between(0, 10'000'000'000'000)
                                                   : rnd.between(0, 50'000'000));
  return c;
}

std::string group_of(const CallRecord& c, const std::optional<UsageGroup>& g) {
  if (!g) return "";
  switch (*g) {
    case UsageGroup::kDirection:
      return std::string(to_string(c.direction));
    case UsageGroup::kToCountry:
      return c.to_country;
    case UsageGroup::kTrunkId:
      return c.trunk_id;
    case UsageGroup::kHangupSource:
      return std::string(to_string(c.hangup_source));
  }
  return "";
}

using Sums = std::map<std::pair<Micros, std::string>, UsageTotals>;

std::string describe(const Sums& sums) {
  std::string s;
  for (const auto& [key, t] : sums) {
    s += format_timestamp(key.first) + " '" + key.second + "' " + std::to_string(t.calls) + " " +
         std::to_string(t.answered_calls) + " " + std::to_string(t.answered_duration_s) + " " +
         std::to_string(t.bill_duration_s) + " " + t.total_amount.to_fixed5() + "\n";
  }
  return s;
}

// An answer's rows in their order, as text.
std::string describe(const UsageAnswer& a) {
  std::string s = a.more ? "more\n" : "";
  for (const UsageRow& r : a.rows) {
    s += format_timestamp(r.period_start) + " '" + r.group + "' " + std::to_string(r.totals.calls) +
         " " + std::to_string(r.totals.answered_calls) + " " +
         std::to_string(r.totals.answered_duration_s) + " " +
         std::to_string(r.totals.bill_duration_s) + " " + r.totals.total_amount.to_fixed5() + "\n";
  }
  return s;
}

class UsageStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    stores_ = testing::open_stores_in(dir_);
    account_ = testing::add_account(*stores_, "a", "MAAAAAAAAAAAAAAAAAAA").id;
    other_ = testing::add_account(*stores_, "b", "MABBBBBBBBBBBBBBBBBB").id;
  }

  // Every call list_calls lists for `q`'s filter.
  std::vector<CallRecord> listed_calls(const UsageQuery& q) {
    CallQuery list = q.filter;
    list.limit = 1'000'000;
    list.offset = 0;
    list.order = SortOrder::kOldestFirst;
    list.count_total = true;
    const Result<Page<CallRecord>> page = stores_->calls.list_calls(list);
    EXPECT_TRUE(page.ok()) << page.status().message();
    if (!page.ok()) return {};
    EXPECT_EQ(page->total_count, static_cast<std::int64_t>(page->rows.size()));
    return page->rows;
  }

  // The sums the test makes over every call list_calls lists for `q`'s filter.
  Sums sums_of_listed_calls(const UsageQuery& q) {
    Sums sums;
    for (const CallRecord& c : listed_calls(q)) {
      UsageTotals one;
      one.calls = 1;
      one.answered_calls = c.answer_time ? 1 : 0;
      one.answered_duration_s = c.answer_time ? c.duration_s : 0;
      one.bill_duration_s = c.bill_duration_s;
      one.total_amount = c.total_amount;
      const std::pair<Micros, std::string> key(usage_period_start(q.period, c.end_time),
                                               group_of(c, q.group_by));
      EXPECT_TRUE(sums[key].add(one));
    }
    return sums;
  }

  testing::TempDir dir_;
  std::unique_ptr<sqlite::Stores> stores_;
  std::int64_t account_ = 0, other_ = 0;
};

TEST_F(UsageStoreTest, TotalsEqualTheSumsOfTheListedCallsOnRandomData) {
  Random rnd(2026);
  std::int64_t uuid = 0;
  for (int batch = 0; batch < 6; ++batch) {
    std::vector<CallRecord> calls;
    for (int i = 0; i < 1000; ++i) {
      CallRecord c = random_usage_call(rnd);
      c.account_id = rnd.chance(85) ? account_ : other_;
      c.call_uuid = "call-" + std::to_string(uuid++);
      calls.push_back(std::move(c));
    }
    ASSERT_TRUE(stores_->calls.insert_calls(calls).ok());
  }
  int rows_seen = 0;
  for (int i = 0; i < 300; ++i) {
    UsageQuery q;
    q.filter = testing::random_query(rnd, 6000);
    q.filter.account_id = rnd.chance(90) ? account_ : other_;
    q.filter.end_time = {};
    if (rnd.chance(80)) q.filter.end_time.from = kStart + rnd.between(-kMicrosPerDay, kSpan);
    if (rnd.chance(60)) q.filter.end_time.until = kStart + rnd.between(0, kSpan + kMicrosPerDay);
    q.period = static_cast<UsagePeriod>(rnd.between(0, 2));
    if (rnd.chance(80)) q.group_by = static_cast<UsageGroup>(rnd.between(0, 3));
    const Result<UsageAnswer> answer = stores_->calls.usage(q);
    ASSERT_TRUE(answer.ok()) << answer.status().message();
    ASSERT_FALSE(answer->more);
    Sums got;
    Micros last_period = std::numeric_limits<Micros>::min();
    for (const UsageRow& row : answer->rows) {
      EXPECT_GE(row.period_start, last_period) << "rows in period order";
      last_period = row.period_start;
      EXPECT_EQ(usage_period_start(q.period, row.period_start), row.period_start);
      EXPECT_GT(row.totals.calls, 0) << "no empty rows";
      EXPECT_TRUE(got.emplace(std::pair{row.period_start, row.group}, row.totals).second)
          << "one row per period and group";
    }
    rows_seen += static_cast<int>(answer->rows.size());
    ASSERT_EQ(describe(got), describe(sums_of_listed_calls(q)))
        << "query " << i << ": period " << to_string(q.period) << ", group "
        << (q.group_by ? to_string(*q.group_by) : "none");
    // UsageSums fed the listed calls as values (a store that reads its calls, the segment
    // store) gives the very answer the SQL's rows gave: rows, order, group names.
    UsageSums cpp(q);
    for (const CallRecord& c : listed_calls(q)) {
      ASSERT_EQ(cpp.add(c), UsageSums::Added::kAdded);
    }
    ASSERT_EQ(describe(cpp.answer()), describe(*answer)) << "query " << i;
  }
  EXPECT_GT(rows_seen, 3000);  // the queries were not all empty
}

TEST_F(UsageStoreTest, SaysWhenThereAreMoreRowsThanAsked) {
  std::vector<CallRecord> calls;
  for (int h = 0; h < 5; ++h) {
    CallRecord c;
    c.account_id = account_;
    c.call_uuid = "h" + std::to_string(h);
    c.end_time = kStart + Micros{h} * 3600 * kMicrosPerSecond;
    c.initiation_time = c.end_time;
    calls.push_back(c);
  }
  ASSERT_TRUE(stores_->calls.insert_calls(calls).ok());
  UsageQuery q;
  q.filter.account_id = account_;
  q.period = UsagePeriod::kHour;
  q.max_rows = 5;
  Result<UsageAnswer> a = stores_->calls.usage(q);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->rows.size(), 5u);
  EXPECT_FALSE(a->more);
  q.max_rows = 4;
  a = stores_->calls.usage(q);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->rows.size(), 4u);
  EXPECT_TRUE(a->more);
  q.period = UsagePeriod::kDay;
  a = stores_->calls.usage(q);
  ASSERT_TRUE(a.ok());
  ASSERT_EQ(a->rows.size(), 1u);
  EXPECT_EQ(a->rows[0].totals.calls, 5);
  EXPECT_FALSE(a->more);
}

}  // namespace
}  // namespace cdrd
