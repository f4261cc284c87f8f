#include "store/index/account_call_index.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "core/call_match.h"
#include "testing/random_calls.h"

namespace cdrd::index {
namespace {

using testing::Random;
using testing::random_call;
using testing::random_query;

// ---- a brute-force evaluation of a CallQuery: every row through the C++ evaluation of the
// filters (core/call_match.h, held to the SQL of store/sqlite/call_filter.cpp by
// CallFilterMatchTest), then sorted and paged: nothing of the index -----------------------------

struct Row {
  std::int64_t id;
  CallRecord r;
};

IndexAnswer brute_force(const std::vector<Row>& rows, const CallQuery& q) {
  std::vector<const Row*> hits;
  for (const Row& row : rows) {
    if (matches_filters(row.r, q)) hits.push_back(&row);
  }
  std::sort(hits.begin(), hits.end(), [&](const Row* a, const Row* b) {
    const auto ka = std::pair(a->r.end_time, a->id), kb = std::pair(b->r.end_time, b->id);
    return q.order == SortOrder::kNewestFirst ? ka > kb : ka < kb;
  });
  IndexAnswer a;
  a.total_count = q.count_total ? static_cast<std::int64_t>(hits.size()) : 0;
  for (std::size_t i = static_cast<std::size_t>(q.offset);
       i < hits.size() && a.ids.size() < static_cast<std::size_t>(q.limit); ++i) {
    a.ids.push_back(hits[i]->id);
  }
  return a;
}

// Adds a batch of calls to the index and to the rows brute_force reads: sorted by end_time first
// when `in_order` (a run in order, as a switch sends), else as they come.
void add_batch(AccountCallIndex& index, std::vector<Row>& rows, std::vector<Row> batch,
               bool in_order) {
  if (in_order) {
    std::sort(batch.begin(), batch.end(),
              [](const Row& a, const Row& b) { return a.r.end_time < b.r.end_time; });
  }
  for (const Row& row : batch) {
    index.add(IndexedCall::of(row.id, row.r));
    rows.push_back(row);
  }
}

std::string describe(const IndexAnswer& a) {
  std::string s = "total " + std::to_string(a.total_count) + ", ids";
  for (std::int64_t id : a.ids) s += " " + std::to_string(id);
  return s;
}

// ---- tests
// ---------------------------------------------------------------------------------------

TEST(AccountCallIndex, NumberKeysAreBase11WordsPaddedWithZero) {
  // "49": the digits 4 and 9 as 5 and 10, then seven 0s (11^8 = 214358881, 11^7 = 19487171).
  EXPECT_EQ(number_key("+49"), (NumberKey{5u * 214358881u + 10u * 19487171u, 0}));
  EXPECT_EQ(number_key("49"), number_key("+49"));
  EXPECT_EQ(number_key("++49"), number_key("+49"));
  EXPECT_EQ(number_key(""), (NumberKey{0, 0}));
  EXPECT_EQ(number_key("+"), (NumberKey{0, 0}));
  EXPECT_EQ(number_key("1234567890").lo, 1u * 214358881u);  // the 10th digit, 0, is 1
  EXPECT_NE(number_key("123456789012345678").hi, kOddNumber);
  EXPECT_EQ(number_key("1234567890123456789").hi, kOddNumber);
  EXPECT_EQ(number_key("anonymous").hi, kOddNumber);
  EXPECT_EQ(number_key("+49 30").hi, kOddNumber);
  // A shorter number sorts below every longer number that begins with it.
  EXPECT_LT(number_key("4").hi, number_key("40").hi);
}

// The value sets are rebuilt in one pass (the largest size that can be the answer, folded down):
// the same bits as trying each size in turn, for every start size, cap and mix of keys (runs of
// one key, few distinct, all distinct, none).
TEST(AccountCallIndex, ValueSetRebuiltByFoldingEqualsEachSizeTriedInTurn) {
  std::mt19937_64 rng(9);
  for (int round = 0; round < 400; ++round) {
    const std::size_t n = round % 10 == 0 ? 0 : rng() % 9000;
    const std::uint64_t distinct = std::uint64_t{1} << (rng() % 16);
    std::vector<std::uint64_t> keys(n);
    for (std::uint64_t& k : keys) k = rng() % distinct;
    if (round % 3 == 0) std::sort(keys.begin(), keys.end());  // runs of one key
    const std::size_t start_words = std::size_t{1} << (rng() % 11);
    const std::size_t max_bits = std::size_t{64} << (rng() % 11);
    EXPECT_TRUE(value_set_rebuild_matches_doubling(keys, start_words, max_bits))
        << "round " << round << ": " << n << " keys of " << distinct << ", from " << start_words
        << " words, at most " << max_bits << " bits";
  }
}

TEST(AccountCallIndex, AnswersPagesAndCountsInEndTimeOrderWithTiesByRowId) {
  AccountCallIndex index(4);
  std::vector<CallRecord> calls(10);
  for (int i = 0; i < 10; ++i) {
    calls[i].end_time = Micros{i % 3} * 1000;  // ties
    calls[i].to_number = i % 2 ? "+4930" : "+4420";
    index.add(IndexedCall::of(100 - i, calls[i]));
  }
  CallQuery q;
  q.limit = 3;
  IndexAnswer a = index.query(q);
  EXPECT_EQ(a.total_count, 10);
  // end_time 2000: rows 2 (id 98), 5 (id 95), 8 (id 92): newest first, highest id first.
  EXPECT_EQ(a.ids, (std::vector<std::int64_t>{98, 95, 92}));
  q.offset = 3;
  EXPECT_EQ(index.query(q).ids, (std::vector<std::int64_t>{99, 96, 93}));
  q.order = SortOrder::kOldestFirst;
  q.offset = 0;
  q.to_number = NumberPrefix{"49"};
  a = index.query(q);
  EXPECT_EQ(a.total_count, 5);
  EXPECT_EQ(a.ids, (std::vector<std::int64_t>{91, 97, 93}));  // end 0: ids 91 (i=9), 97 (i=3)
}

TEST(AccountCallIndex, OddNumbersMatchAsText) {
  AccountCallIndex index;
  CallRecord c;
  c.from_number = "alice.smith";
  c.to_number = "+1234567890123456789";
  index.add(IndexedCall::of(1, c));
  CallQuery q;
  q.from_number = NumberPrefix{"alice"};
  EXPECT_EQ(index.query(q).total_count, 1);
  q.from_number = NumberPrefix{"bob"};
  EXPECT_EQ(index.query(q).total_count, 0);
  q.from_number.reset();
  q.to_number = NumberPrefix{"1234567890123456789"};
  EXPECT_EQ(index.query(q).total_count, 1);
  q.to_number = NumberPrefix{"123456789012345678"};
  EXPECT_EQ(index.query(q).total_count, 1);
  q.to_number = NumberPrefix{"12"};
  EXPECT_EQ(index.query(q).total_count, 1);
  q.to_number = NumberPrefix{"13"};
  EXPECT_EQ(index.query(q).total_count, 0);
}

TEST(AccountCallIndex, ManyDistinctUsernamesEachFindTheirCalls) {
  AccountCallIndex index(512);
  CallRecord c;
  for (int i = 0; i < 20000; ++i) {
    c.from_username = "u" + std::to_string(i);
    c.to_username = "to-" + std::to_string(i % 7);
    c.end_time = i;
    index.add(IndexedCall::of(i + 1, c));
  }
  CallQuery q;
  q.from_usernames = {"u123", "u19999", "nope"};
  IndexAnswer a = index.query(q);
  EXPECT_EQ(a.total_count, 2);
  EXPECT_EQ(a.ids, (std::vector<std::int64_t>{20000, 124}));
  q.to_usernames = {"to-4"};  // 123 % 7 == 4, 19999 % 7 == 0
  EXPECT_EQ(index.query(q).ids, (std::vector<std::int64_t>{124}));
  q.from_usernames = {"u"};
  EXPECT_EQ(index.query(q).total_count, 0);
}

TEST(AccountCallIndex, AValueTheColumnsCannotHoldMakesTheIndexInexact) {
  AccountCallIndex index;
  CallRecord c;
  c.duration_s = std::int64_t{1} << 40;
  index.add(IndexedCall::of(1, c));
  EXPECT_FALSE(index.exact());
  CallQuery q;
  q.to_number = NumberPrefix{"+"};
  EXPECT_FALSE(AccountCallIndex::answers(q));
}

// The differential test of the issue: thousands of random filter combinations over random data
// with ties on end_time, in random insertion order, with chunks small enough that every query
// spans many of them; the index's count and page must equal the brute-force evaluation.
TEST(AccountCallIndex, EqualsBruteForceOnThousandsOfRandomQueries) {
  for (std::uint32_t seed : {1u, 2u, 3u}) {
    Random rnd(seed);
    const std::size_t chunk_rows = seed == 1 ? 16 : seed == 2 ? 100 : AccountCallIndex::kChunkRows;
    AccountCallIndex index(chunk_rows);
    std::vector<Row> rows;
    const int n = seed == 3 ? 20000 : 3000;
    std::int64_t next_id = 1;
    for (int i = 0; i < n; ++i) {
      next_id += rnd.between(1, 3);
      rows.push_back({next_id, random_call(rnd)});
    }
    // Mostly in end_time order (as switches send), partly shuffled.
    std::stable_sort(rows.begin(), rows.end(),
                     [](const Row& a, const Row& b) { return a.r.end_time < b.r.end_time; });
    for (int i = 0; i < n / 10; ++i) {
      std::swap(rows[static_cast<std::size_t>(rnd.between(0, n - 1))],
                rows[static_cast<std::size_t>(rnd.between(0, n - 1))]);
    }
    for (const Row& row : rows) index.add(IndexedCall::of(row.id, row.r));
    ASSERT_TRUE(index.exact());
    ASSERT_EQ(index.size(), rows.size());

    const int queries = seed == 3 ? 500 : 2000;
    for (int i = 0; i < queries; ++i) {
      const CallQuery q = random_query(rnd, n);
      ASSERT_TRUE(AccountCallIndex::answers(q));
      const IndexAnswer want = brute_force(rows, q);
      const IndexAnswer got = index.query(q);
      ASSERT_EQ(describe(got), describe(want)) << "seed " << seed << ", query " << i;
    }

    // Retention: drop the oldest calls, then the answers still agree.
    const Micros floor = Micros{1'000'000} * 150;
    const std::vector<std::int64_t> old = index.oldest_ended_before(floor, rows.size());
    index.drop_oldest(old.size());
    std::erase_if(rows, [&](const Row& r) { return r.r.end_time < floor; });
    ASSERT_EQ(old.size() + rows.size(), static_cast<std::size_t>(n));
    ASSERT_EQ(index.size(), rows.size());
    // Packed again (as after a bulk load), then more calls out of order: still the same answers.
    index.compact();
    ASSERT_EQ(index.size(), rows.size());
    for (int i = 0; i < 200; ++i) {
      next_id += rnd.between(1, 3);
      rows.push_back({next_id, random_call(rnd)});
      index.add(IndexedCall::of(rows.back().id, rows.back().r));
    }
    ASSERT_EQ(index.size(), rows.size());
    for (int i = 0; i < 300; ++i) {
      const CallQuery q = random_query(rnd, n);
      ASSERT_EQ(describe(index.query(q)), describe(brute_force(rows, q)))
          << "after retention, seed " << seed << ", query " << i;
    }
  }
}

// The value sets that let a dictionary filter skip chunks, and the 16-bit durations and 32-bit
// initiation times with the longer ones on the side: with many rare usernames, DIDs, trunks and
// extension ids (most chunks hold none of a query's values) and durations around 2^16 s, through
// appends, calls out of order (pending merges, splits), re-rating, retention and compaction, every
// answer must still equal the brute-force evaluation.
TEST(AccountCallIndex, RareDictionaryValuesEqualBruteForceThroughEveryChange) {
  for (std::uint32_t seed : {11u, 12u}) {
    Random rnd(seed);
    AccountCallIndex index(seed == 11 ? 32 : 256);
    std::vector<Row> rows;
    std::int64_t next_id = 1;
    // Skewed: a few common values and thousands of rare ones.
    auto value = [&rnd](const char* tag, int rare) {
      return rnd.chance(50) ? std::string(tag) + std::to_string(rnd.between(0, 3))
                            : std::string(tag) + "r" + std::to_string(rnd.between(0, rare));
    };
    auto long_duration = [](Random& r) {
      return r.chance(50) ? r.between(65530, 65540) : r.between(65541, 2'000'000'000);
    };
    auto long_range = [&rnd] {
      IntRange range;
      if (rnd.chance(70))
        range.min = rnd.chance(50) ? rnd.between(65528, 65542) : rnd.between(0, 700);
      if (rnd.chance(70)) {
        range.max = rnd.chance(50) ? rnd.between(65528, 65542) : rnd.between(65543, 2'100'000'000);
      }
      return range;
    };
    auto make = [&] {
      CallRecord c = random_call(rnd);
      c.end_time = 1'000'000 * rnd.between(0, 400) + rnd.between(0, 3);
      c.from_username = value("u", 3000);
      c.to_username = value("t", 300);
      c.bridged_username = value("b", 3000);
      c.did_number = value("d", 1000);
      c.trunk_id = value("k", 200);
      if (rnd.chance(70))
        c.extension_id = rnd.chance(50) ? rnd.between(0, 3) : rnd.between(0, 2000);
      // Durations around and past what 16 bits hold (kept on the side).
      if (rnd.chance(10)) c.duration_s = long_duration(rnd);
      if (rnd.chance(10)) c.bill_duration_s = long_duration(rnd);
      if (rnd.chance(10)) c.bridged_duration_s = long_duration(rnd);
      // Initiation over 71 minutes before the end (or after it): kept on the side.
      if (rnd.chance(10)) {
        c.initiation_time = rnd.chance(70) ? c.end_time - rnd.between(4'294'967'290, 9'000'000'000)
                                           : c.end_time + rnd.between(0, 2'000'000);
      }
      return c;
    };
    auto add = [&](bool in_order_run) {
      const int n = in_order_run ? 200 : 1;
      std::vector<Row> batch;
      for (int i = 0; i < n; ++i) {
        next_id += rnd.between(1, 2);
        batch.push_back({next_id, make()});
      }
      add_batch(index, rows, std::move(batch), in_order_run);
    };
    // A query with one to three dictionary filters whose values come from stored calls.
    auto query = [&] {
      CallQuery q =
          rnd.chance(30) ? random_query(rnd, static_cast<std::int64_t>(rows.size())) : CallQuery{};
      if (rnd.chance(30)) q.limit = 20, q.offset = 0;
      auto some = [&](auto field) {
        std::vector<std::string> v;
        const std::int64_t k = rnd.between(1, 3);
        for (std::int64_t i = 0; i < k; ++i) v.push_back(field(rnd.pick(rows).r));
        if (rnd.chance(10)) v.push_back("never-seen");
        return v;
      };
      const std::int64_t which = rnd.between(0, 5);
      if (which == 0) q.from_usernames = some([](const CallRecord& c) { return c.from_username; });
      if (which == 1) q.to_usernames = some([](const CallRecord& c) { return c.to_username; });
      if (which == 2) {
        q.bridged_usernames = some([](const CallRecord& c) { return c.bridged_username; });
      }
      if (which == 3) q.did_numbers = some([](const CallRecord& c) { return c.did_number; });
      if (which == 4) q.trunk_id = rnd.pick(rows).r.trunk_id;
      if (which == 5) {
        q.extension_ids.clear();
        for (int i = 0; i < 2; ++i) {
          if (const auto& e = rnd.pick(rows).r.extension_id) q.extension_ids.push_back(*e);
        }
        if (q.extension_ids.empty()) q.extension_ids.push_back(1999);
      }
      if (rnd.chance(20)) q.from_usernames.push_back(rnd.pick(rows).r.from_username);
      if (rnd.chance(15)) q.bill_duration = long_range();
      if (rnd.chance(15)) q.duration = long_range();
      if (rnd.chance(15)) q.bridged_duration = long_range();
      if (rnd.chance(15)) {
        q.initiation_time = {};
        auto at = [&rnd] {
          return rnd.chance(50) ? 1'000'000 * rnd.between(-9000, 410) : rnd.between(-2, 2);
        };
        if (rnd.chance(70)) q.initiation_time.from = at();
        if (rnd.chance(70)) q.initiation_time.until = at();
      }
      return q;
    };
    auto check = [&](const char* stage, int count) {
      ASSERT_EQ(index.size(), rows.size()) << stage;
      for (int i = 0; i < count; ++i) {
        const CallQuery q = query();
        ASSERT_TRUE(AccountCallIndex::answers(q));
        ASSERT_EQ(describe(index.query(q)), describe(brute_force(rows, q)))
            << stage << ", seed " << seed << ", query " << i;
      }
    };

    for (int i = 0; i < 20; ++i) add(true);  // appends in end_time order: splits at the end
    check("appended", 400);
    for (int i = 0; i < 3000; ++i) add(false);  // out of order: pending merges, middle splits
    check("out of order", 400);
    for (int i = 0; i < 300; ++i) {  // re-rating
      Row& row = rows[static_cast<std::size_t>(
          rnd.between(0, static_cast<std::int64_t>(rows.size()) - 1))];
      row.r.bill_duration_s = rnd.chance(30) ? long_duration(rnd) : rnd.between(0, 700);
      ASSERT_TRUE(index.set_bill_duration(row.r.end_time, row.id, row.r.bill_duration_s));
    }
    check("re-rated", 300);
    const Micros floor = 1'000'000 * 120 + 1;  // retention, cutting through a chunk
    const std::vector<std::int64_t> old = index.oldest_ended_before(floor, rows.size());
    index.drop_oldest(old.size());
    std::erase_if(rows, [&](const Row& r) { return r.r.end_time < floor; });
    check("after retention", 300);
    index.compact();
    check("compacted", 200);
    for (int i = 0; i < 500; ++i) add(false);
    check("late calls after compaction", 300);
  }
}

// Usernames and DIDs that are their calls' numbers (as ingest names SIP-trunk calls) are kept as
// markers beside the number's integer key, not in the dictionary. Numbers of every shape ('+' and
// digits, digits alone, "++", odd ones, over 18 digits, empty) as usernames of their own call and
// of other calls, filtered by values taken from both: every answer equals the brute force, through
// appends, calls out of order, compaction, late calls and retention.
TEST(AccountCallIndex, UsernamesKeptAsTheirNumbersEqualBruteForceThroughEveryChange) {
  for (std::uint32_t seed : {21u, 22u}) {
    Random rnd(seed);
    AccountCallIndex index(seed == 21 ? 16 : 128);
    std::vector<Row> rows;
    std::int64_t next_id = 1;
    auto number = [&rnd] {
      std::string n;
      const std::int64_t shape = rnd.between(0, 9);
      if (shape <= 4) return rnd.pick(testing::kNumbers);
      if (shape == 5) n = "+";
      if (shape == 6) n = "++";
      const std::int64_t digits = shape == 7 ? rnd.between(17, 20) : rnd.between(1, 12);
      for (std::int64_t i = 0; i < digits; ++i)
        n.push_back(static_cast<char>('0' + rnd.between(0, 2)));
      return n;
    };
    auto make = [&] {
      CallRecord c = random_call(rnd);
      c.from_number = number();
      c.to_number = number();
      c.end_time = 1'000'000 * rnd.between(0, 400) + rnd.between(0, 2);
      // Mostly the call's own number, else a username or another number.
      auto name = [&](const std::string& own) {
        if (rnd.chance(70)) return own;
        return rnd.chance(50) ? rnd.pick(testing::kUsers) : number();
      };
      c.from_username = name(c.from_number);
      c.to_username = name(c.to_number);
      c.bridged_username = name(c.to_number);
      c.did_number = name(c.to_number);
      return c;
    };
    auto add = [&](int n, bool in_order) {
      std::vector<Row> batch;
      for (int i = 0; i < n; ++i) {
        next_id += rnd.between(1, 2);
        batch.push_back({next_id, make()});
      }
      add_batch(index, rows, std::move(batch), in_order);
    };
    auto query = [&] {
      CallQuery q =
          rnd.chance(30) ? random_query(rnd, static_cast<std::int64_t>(rows.size())) : CallQuery{};
      auto some = [&](auto field) {
        std::vector<std::string> v;
        const std::int64_t k = rnd.between(1, 3);
        for (std::int64_t i = 0; i < k; ++i) {
          v.push_back(rnd.chance(70) ? field(rnd.pick(rows).r) : number());
        }
        return v;
      };
      const std::int64_t which = rnd.between(0, 3);
      if (which == 0) {
        q.from_usernames = some([&rnd](const CallRecord& c) {
          return rnd.chance(50) ? c.from_username : c.from_number;
        });
      }
      if (which == 1) {
        q.to_usernames = some(
            [&rnd](const CallRecord& c) { return rnd.chance(50) ? c.to_username : c.to_number; });
      }
      if (which == 2) {
        q.bridged_usernames = some([&rnd](const CallRecord& c) {
          return rnd.chance(50) ? c.bridged_username : c.to_number;
        });
      }
      if (which == 3) {
        q.did_numbers = some(
            [&rnd](const CallRecord& c) { return rnd.chance(50) ? c.did_number : c.from_number; });
      }
      if (rnd.chance(20)) q.to_usernames.push_back(rnd.pick(rows).r.to_number);
      return q;
    };
    auto check = [&](const char* stage, int count) {
      ASSERT_EQ(index.size(), rows.size()) << stage;
      for (int i = 0; i < count; ++i) {
        const CallQuery q = query();
        ASSERT_TRUE(AccountCallIndex::answers(q));
        ASSERT_EQ(describe(index.query(q)), describe(brute_force(rows, q)))
            << stage << ", seed " << seed << ", query " << i;
      }
    };

    add(2000, true);
    check("appended", 400);
    add(1500, false);
    check("out of order", 400);
    index.compact();
    check("compacted", 300);
    add(300, false);
    check("late calls after compaction", 300);
    const Micros floor = 1'000'000 * 100 + 1;
    index.drop_oldest(index.oldest_ended_before(floor, rows.size()).size());
    std::erase_if(rows, [&](const Row& r) { return r.r.end_time < floor; });
    check("after retention", 300);
  }
}

// A column whose calls all hold one value keeps that value alone, and row ids are kept as 32-bit
// offsets in a chunk: a column that turns non-constant (a late call, a re-rating), a constant
// column after compaction or retention, ids that span 2^32 or more in one chunk (kept whole) and
// ids that come in falling order: every answer equals the brute force.
TEST(AccountCallIndex, ConstantColumnsAndFarApartIdsEqualBruteForceThroughEveryChange) {
  for (std::uint32_t seed : {31u, 32u, 33u}) {
    Random rnd(seed);
    AccountCallIndex index(seed == 31 ? 16 : seed == 32 ? 64 : 512);
    std::vector<Row> rows;
    // One kind of call (one trunk, no PBX fields, the same durations and hangup), the odd one
    // different in a field or two.
    CallRecord base;
    base.direction = Direction::kOutbound;
    base.from_number = "+4930123456";
    base.to_number = "+442071234567";
    base.from_username = base.from_number;
    base.to_username = base.to_number;
    base.trunk_id = "trunk-a";
    base.hangup_cause_code = 200;
    base.duration_s = base.bill_duration_s = 60;
    std::int64_t first_s = 0, last_s = 400;  // the seconds end times fall in
    auto make = [&](int odd_percent) {
      CallRecord c = base;
      c.end_time = 1'000'000 * rnd.between(first_s, last_s) + rnd.between(0, 1);
      c.initiation_time = c.end_time - Micros{1'000'000} * 60;
      if (rnd.chance(odd_percent)) {
        const CallRecord other = random_call(rnd);
        switch (rnd.between(0, 9)) {
          case 0:
            c.trunk_id = other.trunk_id;
            break;
          case 1:
            c.from_username = other.from_username;
            break;
          case 2:
            c.to_number = other.to_number;
            break;
          case 3:
            c.did_number = other.did_number, c.extension_id = other.extension_id;
            break;
          case 4:
            c.bridged_duration_s = other.bridged_duration_s;
            break;
          case 5:
            c.duration_s = rnd.chance(50) ? 70'000 : other.duration_s;
            break;
          case 6:
            c.hangup_cause_code = other.hangup_cause_code;
            break;
          case 7:
            c.direction = other.direction, c.stir_verification = other.stir_verification;
            break;
          case 8:
            c.initiation_time = other.initiation_time;
            break;
          default:
            c.bridged_username = other.bridged_username;
            break;
        }
      }
      return c;
    };
    // Mostly dense rising ids; now and then one far above (2^33 and more away) or a run that
    // falls.
    std::int64_t next_id = 1000;
    auto id = [&] {
      if (rnd.chance(3)) return std::int64_t{1} << rnd.between(33, 61);
      if (rnd.chance(5)) return next_id - rnd.between(1, 900) * 1'000'000;  // below: unused ids
      next_id += rnd.between(1, 3);
      return next_id;
    };
    std::vector<std::int64_t> used;
    auto add = [&](int n, int odd_percent, bool in_order) {
      std::vector<Row> batch;
      for (int i = 0; i < n; ++i) {
        std::int64_t v = id();
        while (std::find(used.begin(), used.end(), v) != used.end()) v += 7;
        used.push_back(v);
        batch.push_back({v, make(odd_percent)});
      }
      if (in_order) {
        std::sort(batch.begin(), batch.end(), [](const Row& a, const Row& b) {
          return std::pair(a.r.end_time, a.id) < std::pair(b.r.end_time, b.id);
        });
      }
      if (rnd.chance(50)) std::reverse(batch.begin(), batch.end());  // falling ids
      for (const Row& row : batch) {
        index.add(IndexedCall::of(row.id, row.r));
        rows.push_back(row);
      }
    };
    auto check = [&](const char* stage, int count) {
      ASSERT_EQ(index.size(), rows.size()) << stage;
      for (int i = 0; i < count; ++i) {
        CallQuery q = random_query(rnd, static_cast<std::int64_t>(rows.size()));
        if (rnd.chance(30)) q.from_usernames = {rnd.pick(rows).r.from_username};
        if (rnd.chance(20)) q.trunk_id = rnd.pick(rows).r.trunk_id;
        if (rnd.chance(20)) q.duration = {rnd.between(50, 70'000), std::nullopt};
        ASSERT_EQ(describe(index.query(q)), describe(brute_force(rows, q)))
            << stage << ", seed " << seed << ", query " << i;
      }
    };

    add(1500, 0, true);  // every column constant but end_time, ids, init
    check("one kind of call", 200);
    index.compact();
    check("compacted", 200);
    add(200, 30, false);  // late calls that differ: constant columns get their vectors
    check("late odd calls", 300);
    for (int i = 0; i < 100; ++i) {  // re-rating one call of a constant bill column
      Row& row = rows[static_cast<std::size_t>(
          rnd.between(0, static_cast<std::int64_t>(rows.size()) - 1))];
      row.r.bill_duration_s = rnd.chance(20) ? 70'000 : rnd.between(0, 700);
      ASSERT_TRUE(index.set_bill_duration(row.r.end_time, row.id, row.r.bill_duration_s));
    }
    check("re-rated", 200);
    const Micros floor = Micros{1'000'000} * 200;  // retention: what is left may be constant again
    index.drop_oldest(index.oldest_ended_before(floor, rows.size()).size());
    std::erase_if(rows, [&](const Row& r) { return r.r.end_time < floor; });
    check("after retention", 200);
    index.compact();
    check("compacted again", 200);
    add(500, 5, true);
    check("appended after compaction", 300);
    // Then calls of two kinds mixed, after all of those, in any order (chunks split in the
    // middle, half full): packed together, runs of one kind then the other land in one chunk.
    CallRecord other = base;
    other.trunk_id = "trunk-b";
    other.to_number = other.to_username = "+14155550100";
    other.hangup_cause_code = 486;
    other.duration_s = other.bill_duration_s = 5;
    const CallRecord first_kind = base;
    first_s = 401, last_s = 800;
    for (int i = 0; i < 60; ++i) {
      base = rnd.chance(50) ? first_kind : other;
      add(static_cast<int>(rnd.between(1, 30)), 0, false);
    }
    check("two kinds appended", 200);
    index.compact();
    check("both kinds compacted", 300);
  }
}

// End times are kept as 32-bit offsets in the largest unit (1 s, 1 ms, 1 us) that divides every
// offset of the chunk, or whole when none fits: whole seconds, milliseconds and microseconds mixed
// in one chunk, times years apart and at the ends of the 64-bit range, with windows that fall
// between them and ties, through appends, calls out of order, re-rating, retention, compaction
// and late calls: every answer equals the brute force.
TEST(AccountCallIndex, EndTimesOfEveryUnitAndFarApartEqualBruteForceThroughEveryChange) {
  constexpr Micros kMax = std::numeric_limits<Micros>::max();
  constexpr Micros kMin = std::numeric_limits<Micros>::min();
  for (std::uint32_t seed : {51u, 52u, 53u}) {
    Random rnd(seed);
    AccountCallIndex index(seed == 51 ? 16 : seed == 52 ? 128 : AccountCallIndex::kChunkRows);
    std::vector<Row> rows;
    std::int64_t next_id = 1;
    // Mostly whole seconds; the odd call with milliseconds or microseconds, or years away, or at
    // either end of the range.
    const int far = seed == 53 ? 1 : 8;
    auto end_time = [&rnd, far]() -> Micros {
      const Micros s = 1'000'000 * rnd.between(0, 400);
      const std::int64_t kind = rnd.between(1, 100);
      if (kind <= 70) return s;
      if (kind <= 80) return s + 1000 * rnd.between(0, 999);
      if (kind <= 90) return s + rnd.between(0, 999'999);
      if (kind <= 90 + far) {
        return s +
               Micros{rnd.chance(50) ? 1 : -1} * 1'000'000 * rnd.between(1, std::int64_t{1} << 40);
      }
      return rnd.chance(50) ? kMax - rnd.between(0, 3) : kMin + rnd.between(0, 3);
    };
    auto make = [&] {
      CallRecord c = random_call(rnd);
      c.end_time = end_time();
      c.initiation_time = c.end_time;  // no overflow at the ends of the range
      return c;
    };
    auto add = [&](int n, bool in_order) {
      std::vector<Row> batch;
      for (int i = 0; i < n; ++i) {
        next_id += rnd.between(1, 2);
        batch.push_back({next_id, make()});
      }
      add_batch(index, rows, std::move(batch), in_order);
    };
    // Windows from the usual range, or next to a stored time (just before, at, just after).
    auto near = [&]() -> Micros {
      const Micros t = rnd.pick(rows).r.end_time;
      const std::int64_t d = rnd.between(-2, 2);
      if ((d > 0 && t > kMax - d) || (d < 0 && t < kMin - d)) return t;
      return t + d;
    };
    auto check = [&](const char* stage, int count) {
      ASSERT_EQ(index.size(), rows.size()) << stage;
      for (int i = 0; i < count; ++i) {
        CallQuery q = random_query(rnd, static_cast<std::int64_t>(rows.size()));
        if (rnd.chance(50)) {
          q.end_time = {};
          if (rnd.chance(70)) q.end_time.from = near();
          if (rnd.chance(70)) q.end_time.until = near();
        }
        ASSERT_EQ(describe(index.query(q)), describe(brute_force(rows, q)))
            << stage << ", seed " << seed << ", query " << i;
      }
    };

    add(1500, true);
    check("appended", 300);
    add(1500, false);
    check("out of order", 300);
    for (int i = 0; i < 100; ++i) {
      Row& row = rows[static_cast<std::size_t>(
          rnd.between(0, static_cast<std::int64_t>(rows.size()) - 1))];
      row.r.bill_duration_s = rnd.between(0, 700);
      ASSERT_TRUE(index.set_bill_duration(row.r.end_time, row.id, row.r.bill_duration_s));
    }
    check("re-rated", 200);
    const Micros floor = 1'000'000 * 150 + 1;
    index.drop_oldest(index.oldest_ended_before(floor, rows.size()).size());
    std::erase_if(rows, [&](const Row& r) { return r.r.end_time < floor; });
    check("after retention", 200);
    index.compact();
    check("compacted", 300);
    add(400, false);
    check("late calls after compaction", 300);
  }
}

// The bench's kind of data (SIP-trunk calls, each naming a new remote number, usernames that are
// the numbers, rising row ids, end times in any order), packed: at most 64 bytes per call.
TEST(AccountCallIndex, SipTrunkCallsTakeAtMost64BytesEachWhenPacked) {
  Random rnd(41);
  AccountCallIndex index;
  const int n = 60000;
  for (int i = 0; i < n; ++i) {
    CallRecord c;
    c.direction = rnd.chance(65) ? Direction::kOutbound : Direction::kInbound;
    const std::string own = "+4420" + std::to_string(7000000 + rnd.between(0, 5));
    const std::string remote = "+49151" + std::to_string(rnd.between(10000000, 99999999));
    c.from_number = c.direction == Direction::kOutbound ? own : remote;
    c.to_number = c.direction == Direction::kOutbound ? remote : own;
    c.from_username = c.from_number;
    c.to_username = c.to_number;
    c.trunk_id = rnd.chance(50) ? "17283645019283746" : "28374650192837465";
    c.end_time = 1'780'000'000'000'000 + 1'000'000 * rnd.between(0, std::int64_t{30} * 86400);
    c.initiation_time = c.end_time - 1'000'000 * rnd.between(0, 3600);
    c.hangup_cause_code = 3000;
    c.duration_s = c.bill_duration_s = rnd.between(0, 3600);
    index.add(IndexedCall::of(i + 1, c));
  }
  index.compact();
  EXPECT_LE(index.memory_bytes(), std::size_t{64} * n);
}

// Compaction a step at a time between any other changes: steps of random sizes from random
// places, interleaved with adds in and out of end_time order, re-rating, retention and queries;
// every answer must equal the brute-force evaluation, and a pass run to its end without changes
// merges every pending call and leaves no two neighbouring chunks that would fit in one.
TEST(AccountCallIndex, CompactionStepsInterleavedWithEveryChangeEqualBruteForce) {
  for (std::uint32_t seed : {21u, 22u, 23u}) {
    Random rnd(seed);
    const std::size_t chunk_rows = seed == 21 ? 8 : seed == 22 ? 32 : 200;
    AccountCallIndex index(chunk_rows);
    std::vector<Row> rows;
    std::int64_t next_id = 1;
    Micros newest = 0;
    const AccountCallIndex::Position start{std::numeric_limits<Micros>::min(),
                                           std::numeric_limits<std::int64_t>::min()};
    std::optional<AccountCallIndex::Position> pass;  // the pass under way
    int steps = 0;
    auto add = [&](bool in_order) {
      CallRecord c = random_call(rnd);
      // In order: at or after the newest (ties too); else anywhere before it.
      c.end_time = in_order ? newest + 100'000 * rnd.between(0, 1) : rnd.between(0, newest);
      c.initiation_time = c.end_time - 1'000'000 * rnd.between(0, 100);
      newest = std::max(newest, c.end_time);
      next_id += rnd.between(1, 2);
      rows.push_back({next_id, c});
      index.add(IndexedCall::of(next_id, c));
    };
    auto step = [&] {
      if (!pass) pass = start;
      const auto max_rows =
          static_cast<std::size_t>(rnd.between(0, 3 * static_cast<std::int64_t>(chunk_rows)));
      pass = index.compact_step(*pass, max_rows);
      ++steps;
    };
    auto check = [&](int count, const std::string& when) {
      ASSERT_EQ(index.size(), rows.size()) << when;
      for (int i = 0; i < count; ++i) {
        const CallQuery q = random_query(rnd, static_cast<std::int64_t>(rows.size()));
        ASSERT_EQ(describe(index.query(q)), describe(brute_force(rows, q)))
            << when << ", seed " << seed << ", query " << i;
      }
    };
    for (int op = 0; op < 4000; ++op) {
      const std::int64_t what = rnd.between(0, 99);
      const std::string when = "operation " + std::to_string(op);
      if (what < 35) {
        for (std::int64_t k = rnd.between(1, 5); k > 0; --k) add(true);
      } else if (what < 55) {
        for (std::int64_t k = rnd.between(1, 5); k > 0; --k) add(false);
      } else if (what < 60 && !rows.empty()) {
        Row& row = rows[static_cast<std::size_t>(
            rnd.between(0, static_cast<std::int64_t>(rows.size()) - 1))];
        row.r.bill_duration_s = rnd.between(0, 700);
        ASSERT_TRUE(index.set_bill_duration(row.r.end_time, row.id, row.r.bill_duration_s));
      } else if (what < 61) {
        const Micros floor = rnd.between(0, newest / 4);
        const std::vector<std::int64_t> old = index.oldest_ended_before(floor, rows.size());
        index.drop_oldest(old.size());
        std::erase_if(rows, [&](const Row& r) { return r.r.end_time < floor; });
        ASSERT_EQ(index.size(), rows.size()) << when;
      } else if (what < 85) {
        step();
      } else if (what < 87 && !rows.empty()) {
        const Row& row = rnd.pick(rows);  // a pass from anywhere
        pass = AccountCallIndex::Position{row.r.end_time, row.id};
        step();
      } else {
        check(3, when);
      }
    }
    check(300, "after the interleaving");
    ASSERT_GT(steps, 500);
    // Two passes to their end with nothing between the steps: packed.
    for (int i = 0; i < 2; ++i) {
      pass = start;
      while (pass) pass = index.compact_step(*pass, chunk_rows);
    }
    const AccountCallIndex::Shape shape = index.shape();
    EXPECT_EQ(shape.pending, 0u);
    EXPECT_LE(shape.chunks, 2 * shape.packed_chunks + 1);
    check(300, "after whole passes");
  }
}

// The trunk and the hangup code are byte codes into a table of each chunk while the chunk holds
// at most 256 distinct values, the values themselves past that; the direction is a bit column;
// a prefix of up to 4 digits reads the numbers' 16-bit leads; counts come from 64-call bit words.
// Chunks that hold a few trunks and codes, then hundreds of them (the columns widen), then fewer
// again after retention and compaction (back to codes, tables merged), chunk sizes that are not
// multiples of 64, and rare values whose mask words are mostly zero: every answer equals the
// brute force.
TEST(AccountCallIndex, CodedColumnsBitDirectionAndLeadsEqualBruteForceThroughEveryChange) {
  for (std::uint32_t seed : {61u, 62u}) {
    Random rnd(seed);
    const std::size_t chunk_rows = seed == 61 ? 1000 : 333;
    AccountCallIndex index(chunk_rows);
    std::vector<Row> rows;
    std::int64_t next_id = 1;
    auto number = [&rnd] {
      if (rnd.chance(30)) return rnd.pick(testing::kNumbers);
      std::string n = rnd.chance(80) ? "+" : "";
      const std::int64_t digits = rnd.between(1, 18);
      for (std::int64_t i = 0; i < digits; ++i) {
        n += static_cast<char>('0' + (i == 0 ? rnd.between(1, 4) : rnd.between(0, 9)));
      }
      return n;
    };
    // many: hundreds of trunks and codes (a chunk's table overflows), else a few.
    auto make = [&](bool many, Micros from, Micros until) {
      CallRecord c = random_call(rnd);
      c.end_time = rnd.between(from, until);
      c.from_number = number();
      c.to_number = number();
      if (many) {
        c.trunk_id = "k" + std::to_string(rnd.between(0, 799));
        c.hangup_cause_code = static_cast<int>(rnd.between(1000, 1799));
      } else {
        c.trunk_id = "k" + std::to_string(rnd.between(0, 4));
        if (rnd.chance(90)) c.hangup_cause_code = static_cast<int>(rnd.between(1000, 1003));
      }
      return c;
    };
    auto add = [&](int n, bool many, Micros from, Micros until, bool in_order) {
      std::vector<Row> batch;
      for (int i = 0; i < n; ++i) {
        next_id += rnd.between(1, 2);
        batch.push_back({next_id, make(many, from, until)});
      }
      add_batch(index, rows, std::move(batch), in_order);
    };
    auto prefix = [&rnd](const std::string& stored) {
      std::string_view d = stored;
      if (!d.empty() && d.front() == '+') d.remove_prefix(1);
      const auto len =
          static_cast<std::size_t>(rnd.chance(80) ? rnd.between(1, 4) : rnd.between(5, 12));
      return std::string(rnd.chance(50) ? "+" : "") + std::string(d.substr(0, len));
    };
    auto check = [&](const char* stage, int count) {
      ASSERT_EQ(index.size(), rows.size()) << stage;
      for (int i = 0; i < count; ++i) {
        CallQuery q = rnd.chance(30) ? random_query(rnd, static_cast<std::int64_t>(rows.size()))
                                     : CallQuery{};
        if (rnd.chance(30)) q.limit = 20, q.offset = rnd.between(0, 40);
        const Row& row = rnd.pick(rows);
        if (rnd.chance(50)) q.trunk_id = rnd.chance(90) ? row.r.trunk_id : "k-none";
        if (rnd.chance(50)) {
          q.hangup_cause_code = rnd.chance(90) ? row.r.hangup_cause_code.value_or(1000) : 4000;
        }
        if (rnd.chance(40)) q.direction = row.r.direction;
        if (rnd.chance(30)) q.flows = {rnd.chance(50) ? "in" : "out"};
        if (rnd.chance(40)) q.to_number = NumberPrefix{prefix(row.r.to_number)};
        if (rnd.chance(20)) q.from_number = NumberPrefix{prefix(rnd.pick(rows).r.from_number)};
        if (!AccountCallIndex::answers(q)) continue;
        ASSERT_EQ(describe(index.query(q)), describe(brute_force(rows, q)))
            << stage << ", seed " << seed << ", query " << i;
      }
    };

    const Micros s = 1'000'000;
    add(3000, false, 0, 100 * s, true);  // a few trunks and codes a chunk
    check("few values", 300);
    add(3000, true, 100 * s, 200 * s, true);  // hundreds a chunk: wide columns
    check("many values", 300);
    add(1500, rnd.chance(50), 0, 200 * s, false);  // out of order: pending merges, middle splits
    for (int i = 0; i < 3; ++i) add(200, false, 0, 200 * s, false);
    check("out of order", 300);
    const Micros floor = 150 * s + 1;  // retention, cutting through a chunk of many values
    const std::vector<std::int64_t> old = index.oldest_ended_before(floor, rows.size());
    index.drop_oldest(old.size());
    std::erase_if(rows, [&](const Row& r) { return r.r.end_time < floor; });
    check("after retention", 300);
    add(2000, false, 200 * s, 300 * s, true);  // few values again after the many
    std::optional<AccountCallIndex::Position> pass =
        AccountCallIndex::Position{std::numeric_limits<Micros>::min(), 0};
    while (pass) pass = index.compact_step(*pass, 3 * chunk_rows);  // tables merged
    check("compacted in steps", 300);
    index.compact();
    add(300, false, 0, 300 * s, false);
    check("compacted, then late calls", 300);
  }
}

TEST(AccountCallIndex, ReRatesTheFirstCallOfAChunk) {
  // The call that begins a chunk is found in that chunk, not in the one before it.
  AccountCallIndex index(4);
  for (int i = 0; i < 12; ++i) {
    CallRecord c;
    c.end_time = Micros{i} * 10;
    c.bill_duration_s = 5;
    index.add(IndexedCall::of(i + 1, c));
  }
  for (int i = 0; i < 12; ++i) {
    EXPECT_TRUE(index.set_bill_duration(Micros{i} * 10, i + 1, 100)) << "call " << i + 1;
  }
  CallQuery q;
  q.bill_duration = {100, 100};
  EXPECT_EQ(index.query(q).total_count, 12);
}

// The postings (a selective filter on usernames, DIDs or extension ids reads its calls by the
// values' hashes and the seconds they ended in, not by visiting the chunks): an index answering
// through them and one that never does (max_posted_calls 0) against the brute force, with rare
// and common values, usernames that are their calls' numbers and ones kept in the dictionary,
// many calls in one second and end times within a second, windows that cut through a second,
// through appends, calls out of order, re-rating, retention, compaction, compaction steps and
// late calls. Most queries must take the postings.
TEST(AccountCallIndex, PostedAndScannedAnswersEqualBruteForceThroughEveryChange) {
  for (std::uint32_t seed : {21u, 22u}) {
    Random rnd(seed);
    const std::size_t chunk_rows = seed == 21 ? 24 : 300;
    AccountCallIndex posted(chunk_rows);
    AccountCallIndex scanned(chunk_rows, 0);
    std::vector<Row> rows;
    std::int64_t next_id = 1;
    const std::vector<std::string> numbers = {
        "+4930123456", "4930123456", "+12125550100", "+44207946000", "++4412", "sip:x@y", ""};
    auto number = [&] {
      return rnd.chance(60) ? "+4930" + std::to_string(rnd.between(100000, 100400))
                            : rnd.pick(numbers);
    };
    auto name = [&](const std::string& own, const char* tag) {
      if (rnd.chance(45)) return own;  // the call's number, as ingest names SIP-trunk calls
      if (rnd.chance(10)) return std::string();
      return rnd.chance(30) ? std::string(tag) + std::to_string(rnd.between(0, 2))
                            : std::string(tag) + "r" + std::to_string(rnd.between(0, 600));
    };
    auto make = [&] {
      CallRecord c = random_call(rnd);
      // Seconds with many calls, and end times inside a second.
      c.end_time = 1'000'000 * rnd.between(0, 300) + (rnd.chance(30) ? rnd.between(0, 999'999) : 0);
      c.initiation_time = c.end_time - 1'000'000 * rnd.between(0, 100);
      c.from_number = number();
      c.to_number = number();
      c.from_username = name(c.from_number, "u");
      c.to_username = name(c.to_number, "t");
      c.bridged_username = name(c.to_number, "b");
      c.did_number = name(c.to_number, "d");
      c.extension_id.reset();
      if (rnd.chance(60)) c.extension_id = rnd.chance(30) ? rnd.between(1, 3) : rnd.between(4, 900);
      return c;
    };
    auto add = [&](bool in_order_run) {
      const int n = in_order_run ? 100 : 1;
      std::vector<Row> batch;
      for (int i = 0; i < n; ++i) {
        next_id += rnd.between(1, 2);
        batch.push_back({next_id, make()});
      }
      std::vector<Row> also;
      add_batch(scanned, also, batch, in_order_run);
      add_batch(posted, rows, std::move(batch), in_order_run);
    };
    auto query = [&] {
      CallQuery q =
          rnd.chance(40) ? random_query(rnd, static_cast<std::int64_t>(rows.size())) : CallQuery{};
      q.from_usernames.clear(), q.to_usernames.clear(), q.bridged_usernames.clear();
      q.did_numbers.clear(), q.extension_ids.clear();
      if (rnd.chance(30)) q.limit = 20, q.offset = rnd.chance(80) ? 0 : rnd.between(0, 30);
      auto some = [&](auto field) {
        std::vector<std::string> v;
        const std::int64_t k = rnd.between(1, 3);
        for (std::int64_t i = 0; i < k; ++i) v.push_back(field(rnd.pick(rows).r));
        if (rnd.chance(10)) v.push_back(rnd.pick(numbers));
        if (rnd.chance(5)) v.push_back("never-seen");
        return v;
      };
      const std::int64_t which = rnd.between(0, 4);
      if (which == 0) q.from_usernames = some([](const CallRecord& c) { return c.from_username; });
      if (which == 1) q.to_usernames = some([](const CallRecord& c) { return c.to_username; });
      if (which == 2) {
        q.bridged_usernames = some([](const CallRecord& c) { return c.bridged_username; });
      }
      if (which == 3) q.did_numbers = some([](const CallRecord& c) { return c.did_number; });
      if (which == 4) {
        for (int i = 0; i < 2; ++i) {
          if (const auto& e = rnd.pick(rows).r.extension_id) q.extension_ids.push_back(*e);
        }
        if (q.extension_ids.empty()) q.extension_ids.push_back(899);
      }
      if (rnd.chance(15)) q.to_usernames.push_back(rnd.pick(rows).r.to_username);
      if (rnd.chance(30)) {
        // A window that may cut through a second.
        q.end_time = {};
        if (rnd.chance(70))
          q.end_time.from = 1'000'000 * rnd.between(0, 300) + rnd.between(0, 999'999);
        if (rnd.chance(70))
          q.end_time.until = 1'000'000 * rnd.between(0, 300) + rnd.between(0, 999'999);
      }
      return q;
    };
    int through_postings = 0, queries = 0;
    auto check = [&](const char* stage, int count) {
      ASSERT_EQ(posted.size(), rows.size()) << stage;
      ASSERT_EQ(scanned.size(), rows.size()) << stage;
      for (int i = 0; i < count; ++i) {
        const CallQuery q = query();
        ASSERT_TRUE(AccountCallIndex::answers(q));
        const std::string want = describe(brute_force(rows, q));
        ASSERT_EQ(describe(posted.query(q)), want) << stage << ", seed " << seed << ", query " << i;
        ASSERT_EQ(describe(scanned.query(q)), want)
            << stage << ", seed " << seed << ", query " << i;
        through_postings += posted.selective(q) ? 1 : 0;
        ++queries;
      }
    };
    auto both = [&](auto&& change) {
      change(posted);
      change(scanned);
    };

    for (int i = 0; i < 20; ++i) add(true);
    check("appended", 300);
    for (int i = 0; i < 2000; ++i) add(false);
    check("out of order", 300);
    for (int i = 0; i < 200; ++i) {  // re-rating
      Row& row = rows[static_cast<std::size_t>(
          rnd.between(0, static_cast<std::int64_t>(rows.size()) - 1))];
      row.r.bill_duration_s = rnd.between(0, 700);
      both([&](AccountCallIndex& index) {
        ASSERT_TRUE(index.set_bill_duration(row.r.end_time, row.id, row.r.bill_duration_s));
      });
    }
    check("re-rated", 200);
    const Micros floor = 1'000'000 * 90 + 500'000;  // retention, cutting through a second
    both([&](AccountCallIndex& index) {
      const std::vector<std::int64_t> old = index.oldest_ended_before(floor, rows.size());
      index.drop_oldest(old.size());
    });
    std::erase_if(rows, [&](const Row& r) { return r.r.end_time < floor; });
    check("after retention", 200);
    both([](AccountCallIndex& index) { index.compact(); });
    check("compacted", 200);
    for (int i = 0; i < 1500; ++i) add(false);
    check("late calls after compaction", 200);
    both([&](AccountCallIndex& index) {
      std::optional<AccountCallIndex::Position> at = AccountCallIndex::Position{
          std::numeric_limits<Micros>::min(), std::numeric_limits<std::int64_t>::min()};
      while (at) at = index.compact_step(*at, 1000);
    });
    check("compaction steps", 200);
    const Micros later = Micros{1'000'000} * 200;  // retention again, after a merge of the postings
    both([&](AccountCallIndex& index) {
      index.drop_oldest(index.oldest_ended_before(later, rows.size()).size());
    });
    std::erase_if(rows, [&](const Row& r) { return r.r.end_time < later; });
    for (int i = 0; i < 300; ++i) add(false);
    check("retention and late calls", 200);
    EXPECT_GT(through_postings, queries / 2) << "seed " << seed;
  }
}

TEST(AccountCallIndex, OldestEndedBeforeIsBoundedAndInOrder) {
  AccountCallIndex index(3);
  for (int i = 0; i < 10; ++i) {
    CallRecord c;
    c.end_time = Micros{10 - i} * 10;
    index.add(IndexedCall::of(i + 1, c));
  }
  // end times 10 (id 10), 20 (id 9), ... 100 (id 1)
  EXPECT_EQ(index.oldest_ended_before(35, 100), (std::vector<std::int64_t>{10, 9, 8}));
  EXPECT_EQ(index.oldest_ended_before(35, 2), (std::vector<std::int64_t>{10, 9}));
  index.drop_oldest(2);
  EXPECT_EQ(index.size(), 8u);
  EXPECT_EQ(index.oldest_ended_before(1000, 1), (std::vector<std::int64_t>{8}));
  EXPECT_GT(index.memory_bytes(), 0u);
}

}  // namespace
}  // namespace cdrd::index
