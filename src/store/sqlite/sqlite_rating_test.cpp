// SqliteRatingStore: deck replacement (atomic, per direction), settings and
// the rating version, billing scans (window, states, keyset paging) and billing updates.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>

#include "testing/stores.h"
#include "testing/values.h"

namespace cdrd {
namespace {

using ::testing::HasSubstr;

constexpr Micros kDeckT0 = 1'700'000'000 * kMicrosPerSecond;  // 2023-11-14 22:13:20 UTC

class SqliteRating : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = cdrd::testing::open_stores_in(dir_);
    account_ = cdrd::testing::add_account(*store_, "acme", "MA0000000000000000AA").id;
    other_ = cdrd::testing::add_account(*store_, "other", "MA0000000000000000BB").id;
  }
  void TearDown() override { store_.reset(); }

  static RateRow row(Direction d, std::string prefix, std::int64_t rate_units,
                     Micros from = kSinceBeginning) {
    return cdrd::testing::rate_row(std::move(prefix), Money::from_units(rate_units), 30, 6, from,
                                   d);
  }
  static std::vector<RateRow> sorted(std::vector<RateRow> rows) {
    std::sort(rows.begin(), rows.end(), [](const RateRow& a, const RateRow& b) {
      return std::tie(a.direction, a.prefix, a.effective_from) <
             std::tie(b.direction, b.prefix, b.effective_from);
    });
    return rows;
  }
  CallRecord call(std::string uuid, Micros init, Micros end, RatingState state) {
    CallRecord c;
    c.account_id = account_;
    c.call_uuid = std::move(uuid);
    c.from_number = "+14155550100";
    c.to_number = "+919943720205";
    c.did_number = "+14155550100";
    c.initiation_time = init;
    c.answer_time = init + kMicrosPerSecond;
    c.end_time = end;
    c.duration_s = 42;
    c.bill_duration_s = 42;
    c.rate = Money::from_units(1000);
    c.total_amount = Money::from_units(700);
    c.rating = state;
    c.secure_trunking = true;
    return c;
  }

  cdrd::testing::TempDir dir_{"cdrd_rating_store_"};
  std::unique_ptr<sqlite::Stores> store_;
  std::int64_t account_ = 0, other_ = 0;
};

// The deck and settings rules every backend keeps (new account, exact rows, a failed replace,
// settings) run against sqlite and PostgreSQL in
// store/postgres/control_store_conformance_test.cpp; here what only the sqlite store does.
TEST_F(SqliteRating, ReplacingOneDirectionKeepsTheOther) {
  ASSERT_TRUE(store_->rating
                  .replace_rate_deck(
                      account_, std::nullopt,
                      {row(Direction::kOutbound, "91", 3000), row(Direction::kInbound, "1", 300)})
                  .ok());
  ASSERT_TRUE(store_->rating
                  .replace_rate_deck(account_, Direction::kOutbound,
                                     {row(Direction::kOutbound, "44", 5000),
                                      row(Direction::kOutbound, "4420", 6000)})
                  .ok());
  EXPECT_EQ(sorted(store_->rating.rating_profile(account_)->rows),
            sorted({row(Direction::kInbound, "1", 300), row(Direction::kOutbound, "44", 5000),
                    row(Direction::kOutbound, "4420", 6000)}));
  // An empty deck of one direction clears it.
  ASSERT_TRUE(store_->rating.replace_rate_deck(account_, Direction::kInbound, {}).ok());
  EXPECT_EQ(store_->rating.rating_profile(account_)->rows.size(), 2u);
  EXPECT_EQ(*store_->rating.rating_version(account_), 3);
}

TEST_F(SqliteRating, AnotherConnectionSeesTheNewVersion) {
  auto second = cdrd::testing::open_stores_in(dir_);  // as another process would
  ASSERT_TRUE(
      second->rating
          .replace_rate_deck(account_, std::nullopt, {row(Direction::kOutbound, "91", 3000)})
          .ok());
  EXPECT_EQ(*store_->rating.rating_version(account_), 1);
  EXPECT_EQ(store_->rating.rating_profile(account_)->rows.size(), 1u);
}

TEST_F(SqliteRating, ScanReturnsTheBillingFieldsInTheWindowAndStates) {
  const Micros s = kMicrosPerSecond;
  std::vector<CallRecord> calls = {
      call("provided", kDeckT0, kDeckT0 + 60 * s, RatingState::kProvided),
      call("rated", kDeckT0 + 10 * s, kDeckT0 + 30 * s, RatingState::kRated),
      call("unrated", kDeckT0 + 20 * s, kDeckT0 + 30 * s, RatingState::kUnrated),
      call("early", kDeckT0 - 1, kDeckT0 + 100 * s, RatingState::kRated),
      call("late", kDeckT0 + 100 * s, kDeckT0 + 200 * s, RatingState::kRated),
  };
  CallRecord theirs = call("theirs", kDeckT0, kDeckT0 + 60 * s, RatingState::kRated);
  theirs.account_id = other_;
  calls.push_back(theirs);
  ASSERT_TRUE(store_->calls.insert_calls(calls).ok());

  BillingScan scan;
  scan.account_id = account_;
  scan.initiated_from = kDeckT0;
  scan.initiated_before = kDeckT0 + 100 * s;  // "late" starts exactly at the end: excluded
  auto uuids = [&](const BillingScan& sc) {
    std::vector<std::string> out;
    Result<std::vector<BilledCall>> page = store_->rating.scan_billing(sc, {}, 100);
    EXPECT_TRUE(page.ok()) << page.status().message();
    if (!page.ok()) return out;
    for (const BilledCall& b : *page) out.push_back(b.call.call_uuid);
    return out;
  };
  // Ordered by end_time, then storage order; provided calls only when asked for.
  EXPECT_EQ(uuids(scan), (std::vector<std::string>{"rated", "unrated"}));
  scan.include_provided = true;
  EXPECT_EQ(uuids(scan), (std::vector<std::string>{"rated", "unrated", "provided"}));
  scan.include_rated = false;
  scan.include_provided = false;
  EXPECT_EQ(uuids(scan), (std::vector<std::string>{"unrated"}));
  scan.include_unrated = false;
  EXPECT_TRUE(uuids(scan).empty());

  BillingScan all;
  all.account_id = account_;
  auto page = store_->rating.scan_billing(all, {}, 100);
  ASSERT_TRUE(page.ok()) << page.status().message();
  ASSERT_EQ(page->size(), 4u);  // rated, unrated, early, late: no window, no provided calls
  const CallRecord& r = page->front().call;
  EXPECT_EQ(r.call_uuid, "rated");
  EXPECT_EQ(r.direction, Direction::kOutbound);
  EXPECT_EQ(r.to_number, "+919943720205");
  EXPECT_EQ(r.did_number, "+14155550100");
  EXPECT_EQ(r.initiation_time, kDeckT0 + 10 * s);
  EXPECT_EQ(r.answer_time, kDeckT0 + 11 * s);
  EXPECT_EQ(r.end_time, kDeckT0 + 30 * s);
  EXPECT_EQ(r.duration_s, 42);
  EXPECT_TRUE(r.secure_trunking);
  EXPECT_EQ(r.bill_duration_s, 42);
  EXPECT_EQ(r.rate.units(), 1000);
  EXPECT_EQ(r.total_amount.units(), 700);
  EXPECT_EQ(r.rating, RatingState::kRated);
}

TEST_F(SqliteRating, ScanPagesWithoutGapsOrOverlaps) {
  std::vector<CallRecord> calls;
  calls.reserve(25);
  for (int i = 0; i < 25; ++i) {
    // Many end_time ties, so the row_id half of the cursor matters.
    calls.push_back(call("c" + std::to_string(i), kDeckT0, kDeckT0 + (i / 4) * kMicrosPerSecond,
                         RatingState::kUnrated));
  }
  ASSERT_TRUE(store_->calls.insert_calls(calls).ok());
  BillingScan scan;
  scan.account_id = account_;
  BillingCursor cursor;
  std::vector<std::string> seen;
  for (int pages = 0; pages < 20; ++pages) {
    auto page = store_->rating.scan_billing(scan, cursor, 7);
    ASSERT_TRUE(page.ok());
    if (page->empty()) break;
    for (const auto& b : *page) seen.push_back(b.call.call_uuid);
    cursor = {page->back().call.end_time, page->back().row_id};
  }
  std::vector<std::string> expected;
  expected.reserve(25);
  for (int i = 0; i < 25; ++i) expected.push_back("c" + std::to_string(i));
  EXPECT_EQ(seen, expected);
}

TEST_F(SqliteRating, UpdateWritesOnlyTheBillingFields) {
  ASSERT_TRUE(
      store_->calls
          .insert_calls({call("u1", kDeckT0, kDeckT0 + kMicrosPerMinute, RatingState::kUnrated)})
          .ok());
  BillingScan scan;
  scan.account_id = account_;
  auto page = store_->rating.scan_billing(scan, {}, 10);
  ASSERT_EQ(page->size(), 1u);
  BilledCall b = page->front();
  b.call.bill_duration_s = 60;
  b.call.rate = Money::from_units(3000);
  b.call.secure_trunking_rate = Money::from_units(100);
  b.call.total_amount = Money::from_units(3100);
  b.call.rating = RatingState::kRated;
  b.call.to_number = "+10000000000";  // not a billing field: never written
  EXPECT_EQ(*store_->rating.update_billing({b}), 1);
  auto stored = store_->calls.find_call(account_, "u1", 0);
  ASSERT_TRUE(stored.ok() && *stored);
  EXPECT_EQ((*stored)->bill_duration_s, 60);
  EXPECT_EQ((*stored)->rate.units(), 3000);
  EXPECT_EQ((*stored)->secure_trunking_rate.units(), 100);
  EXPECT_EQ((*stored)->total_amount.units(), 3100);
  EXPECT_EQ((*stored)->rating, RatingState::kRated);
  EXPECT_EQ((*stored)->to_number, "+919943720205");
  EXPECT_EQ((*stored)->duration_s, 42);
  b.row_id = 999'999;  // gone: not counted
  EXPECT_EQ(*store_->rating.update_billing({b}), 0);
  EXPECT_EQ(*store_->rating.update_billing({}), 0);
}

}  // namespace
}  // namespace cdrd
