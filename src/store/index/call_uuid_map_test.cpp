#include "store/index/call_uuid_map.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace cdrd::index::call_uuid_map_test {

std::vector<std::int64_t> found(const CallUuidMap& m, std::uint64_t h) {
  std::vector<std::int64_t> ids;
  m.find(h, ids);
  std::sort(ids.begin(), ids.end());
  return ids;
}

// Each call's uuid folded to ASCII lower case (nothing else changed), its hash the folded uuid's,
// and a second, shorter batch leaves nothing of the first.
TEST(FoldedUuidsTest, FoldsEachUuidOnceWithItsHashAndForgetsTheBatchBefore) {
  std::vector<CallRecord> calls(3);
  calls[0].call_uuid =
      "AB-cd-\xC3\x89"
      "f";  // a non-ASCII byte stays as it is
  calls[1].call_uuid = "";
  calls[2].call_uuid = "90B6EB07-796C-4D86-A4FD-44ED11667DDB";
  FoldedUuids f;
  f.fold(calls);
  EXPECT_EQ(f.key(0),
            "ab-cd-\xC3\x89"
            "f");
  EXPECT_EQ(f.key(1), "");
  EXPECT_EQ(f.key(2), "90b6eb07-796c-4d86-a4fd-44ed11667ddb");
  for (std::size_t i = 0; i < calls.size(); ++i) {
    EXPECT_EQ(f.hash(i), call_uuid_hash(std::string(f.key(i)))) << i;
  }
  EXPECT_NE(f.hash(0), f.hash(2));
  calls.resize(1);
  calls[0].call_uuid = "Z";
  f.fold(calls);
  EXPECT_EQ(f.key(0), "z");
  EXPECT_EQ(f.hash(0), call_uuid_hash("z"));
}

// Random adds and removes over few hashes (so that many collide and probe sequences overlap),
// checked against a plain multimap after every step.
TEST(CallUuidMapTest, FindsEveryIdOfAHashThroughAddsAndRemoves) {
  std::mt19937_64 rng(7);
  CallUuidMap m;
  std::map<std::uint64_t, std::set<std::int64_t>> truth;
  std::vector<std::pair<std::uint64_t, std::int64_t>> held;
  std::int64_t next_id = 1000;
  for (int step = 0; step < 20'000; ++step) {
    if (held.empty() || rng() % 3 != 0) {
      // Hashes near both ends of the range too: home slots at the table's edges wrap around.
      // (0 is kept as 1 in the slots: the two are one hash.)
      const std::uint64_t pick = rng() % 64;
      const std::uint64_t h = pick < 4   ? pick + 1
                              : pick < 8 ? ~std::uint64_t{0} - pick
                                         : (pick * 0x9e3779b97f4a7c15ULL);
      const std::int64_t id = next_id++;
      m.add(h, id);
      truth[h].insert(id);
      held.emplace_back(h, id);
    } else {
      const std::size_t i = rng() % held.size();
      const auto [h, id] = held[i];
      ASSERT_TRUE(m.remove(h, id));
      EXPECT_FALSE(m.remove(h, id));
      truth[h].erase(id);
      held[i] = held.back();
      held.pop_back();
    }
    if (step % 97 == 0) {
      for (const auto& [h, ids] : truth) {
        ASSERT_EQ(found(m, h), std::vector<std::int64_t>(ids.begin(), ids.end())) << step;
      }
    }
  }
  EXPECT_EQ(m.size(), held.size());
}

TEST(CallUuidMapTest, KeepsIdsFarFromTheFirst) {
  CallUuidMap m;
  m.add(5, 10);
  m.add(5, 10 + (std::int64_t{1} << 40));  // past 32 bits of offset: the side table
  m.add(6, 3);                             // below the first id
  EXPECT_EQ(found(m, 5), (std::vector<std::int64_t>{10, 10 + (std::int64_t{1} << 40)}));
  EXPECT_EQ(found(m, 6), (std::vector<std::int64_t>{3}));
  EXPECT_TRUE(m.remove(5, 10 + (std::int64_t{1} << 40)));
  EXPECT_EQ(found(m, 5), (std::vector<std::int64_t>{10}));
  EXPECT_EQ(m.size(), 2u);
}

// The size the docs state (docs/architecture.md, "Duplicates in memory"): at most 24 bytes per
// call at every size past a thousand calls.
TEST(CallUuidMapTest, HoldsAtMost24BytesPerCall) {
  CallUuidMap m;
  std::mt19937_64 rng(11);
  double worst = 0;
  for (std::int64_t n = 1; n <= 300'000; ++n) {
    m.add(rng(), n);
    if (n >= 1000) {
      worst = std::max(worst, static_cast<double>(m.memory_bytes()) / static_cast<double>(n));
    }
  }
  EXPECT_LE(worst, 24.0);
  EXPECT_GE(static_cast<double>(m.memory_bytes()) / 300'000.0, 12.0);
}

TEST(CallUuidMapTest, HashesFoldedUuidsApart) {
  EXPECT_NE(call_uuid_hash("90b6eb07-796c-4d86-a4fd-44ed11667ddb"),
            call_uuid_hash("90b6eb07-796c-4d86-a4fd-44ed11667ddc"));
  EXPECT_NE(call_uuid_hash(""), call_uuid_hash("a"));
  EXPECT_EQ(call_uuid_hash("abc"), call_uuid_hash(std::string("abc")));
  set_call_uuid_hash_for_testing([](std::string_view) { return std::uint64_t{42}; });
  EXPECT_EQ(call_uuid_hash("anything"), 42u);
  set_call_uuid_hash_for_testing(nullptr);
  EXPECT_NE(call_uuid_hash("anything"), 42u);
}

}  // namespace cdrd::index::call_uuid_map_test
