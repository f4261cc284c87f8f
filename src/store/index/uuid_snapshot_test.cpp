#include "store/index/uuid_snapshot.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace cdrd::index::uuid_snapshot_test {

using Entries = std::vector<std::pair<std::uint64_t, std::int64_t>>;

Entries entries(const index::CallUuidMap& m) {
  Entries out;
  m.for_each([&](std::uint64_t h, std::int64_t id) { out.emplace_back(h, id); });
  std::sort(out.begin(), out.end());
  return out;
}

// A map as the writer leaves it: ids from `first` on, some removed (the base among them, as
// retention takes the oldest), hashes that collide, and ids too far from the first for the main
// table.
index::CallUuidMap sample_map(std::uint64_t seed, std::int64_t first, int n) {
  std::mt19937_64 rng(seed);
  index::CallUuidMap m;
  Entries held;
  for (int i = 0; i < n; ++i) {
    const std::uint64_t h = i < 300 && rng() % 5 == 0 ? 1 + rng() % 8 : rng();
    const std::int64_t id = first + std::int64_t{i} * 3;
    m.add(h, id);
    held.emplace_back(h, id);
  }
  m.add(0x1234, first + (std::int64_t{1} << 33));  // past base + 2^32: the side table
  for (std::size_t i = 0; i < held.size(); i += 4)
    EXPECT_TRUE(m.remove(held[i].first, held[i].second));
  return m;
}

TEST(UuidSnapshot, RoundTripKeepsEveryEntryOfEveryAccount) {
  const index::CallUuidMap a = sample_map(1, 1, 5000), b = sample_map(2, 40'000, 300), empty;
  const std::string bytes = encode_uuid_snapshot({"tok", 99}, {{7, &a}, {-3, &b}, {12, &empty}});
  Result<LoadedUuidSnapshot> loaded = decode_uuid_snapshot(bytes);
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  EXPECT_EQ(loaded->meta.token, "tok");
  EXPECT_EQ(loaded->meta.last_call_id, 99);
  ASSERT_EQ(loaded->accounts.size(), 3u);
  EXPECT_EQ(loaded->accounts[0].first, 7);
  EXPECT_EQ(loaded->accounts[1].first, -3);
  EXPECT_EQ(loaded->accounts[2].first, 12);
  EXPECT_EQ(entries(loaded->accounts[0].second), entries(a));
  EXPECT_EQ(entries(loaded->accounts[1].second), entries(b));
  EXPECT_TRUE(entries(loaded->accounts[2].second).empty());
  EXPECT_EQ(loaded->calls, a.size() + b.size());
  // Each hash finds the same ids in the loaded map, and it stays a working map.
  index::CallUuidMap m = std::move(loaded->accounts[0].second);
  for (const auto& [h, id] : entries(a)) {
    std::vector<std::int64_t> want, got;
    a.find(h, want);
    m.find(h, got);
    std::sort(want.begin(), want.end());
    std::sort(got.begin(), got.end());
    ASSERT_EQ(got, want) << "hash " << h;
  }
  for (const auto& [h, id] : entries(a)) ASSERT_TRUE(m.remove(h, id));
  EXPECT_EQ(m.size(), 0u);
  // Loaded at the size it needs, not grown by halves: at most 16 bytes per entry.
  const index::CallUuidMap big = sample_map(3, 1, 100'000);
  const Result<LoadedUuidSnapshot> again =
      decode_uuid_snapshot(encode_uuid_snapshot({"t", 1}, {{1, &big}}));
  ASSERT_TRUE(again.ok());
  EXPECT_LE(again->accounts[0].second.memory_bytes(), 16 * big.size() + 256);
}

TEST(UuidSnapshot, RefusesEveryDamagedFile) {
  const index::CallUuidMap a = sample_map(4, 10, 30), b = sample_map(5, 500, 20);
  const std::string good = encode_uuid_snapshot({"token", 130}, {{1, &a}, {2, &b}});
  ASSERT_TRUE(decode_uuid_snapshot(good).ok());
  for (std::size_t n = 0; n < good.size(); ++n) {
    const Result<LoadedUuidSnapshot> r = decode_uuid_snapshot(std::string_view(good).substr(0, n));
    ASSERT_FALSE(r.ok()) << "truncated to " << n << " bytes";
    ASSERT_EQ(r.status().code(), Status::Code::kIOError);
  }
  for (std::size_t i = 0; i < good.size(); ++i) {
    for (int bit : {0, 3, 7}) {
      std::string bad = good;
      bad[i] = static_cast<char>(bad[i] ^ (1 << bit));
      const Result<LoadedUuidSnapshot> r = decode_uuid_snapshot(bad);
      ASSERT_FALSE(r.ok()) << "byte " << i << " bit " << bit;
      ASSERT_EQ(r.status().code(), Status::Code::kIOError);
    }
  }
  std::string newer = good;
  newer[8] = 2;  // the version, little-endian after the magic
  const Result<LoadedUuidSnapshot> v = decode_uuid_snapshot(newer);
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.status().message().find("version 2"), std::string::npos) << v.status().message();
  EXPECT_FALSE(decode_uuid_snapshot(good + "x").ok());
  EXPECT_FALSE(decode_uuid_snapshot("").ok());
}

std::uint64_t other_hash(std::string_view s) { return s.size() * 7 + 1; }

// Entries are hashes: a map made under another hash function would name the wrong rows.
TEST(UuidSnapshot, RefusesAFileMadeWithAnotherHash) {
  const index::CallUuidMap a = sample_map(6, 1, 50);
  const std::string bytes = encode_uuid_snapshot({"t", 1}, {{1, &a}});
  index::set_call_uuid_hash_for_testing(other_hash);
  const Result<LoadedUuidSnapshot> r = decode_uuid_snapshot(bytes);
  index::set_call_uuid_hash_for_testing(nullptr);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("another uuid hash"), std::string::npos);
  EXPECT_TRUE(decode_uuid_snapshot(bytes).ok());
}

TEST(UuidSnapshot, WritesTheFileByRenameAndReadsItBack) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("cdrd-uuids-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "calls.db.uuids").string();
  EXPECT_EQ(read_uuid_snapshot_file(path).status().code(), Status::Code::kNotFound);
  const index::CallUuidMap a = sample_map(7, 1, 2000);
  const Result<std::size_t> bytes = write_uuid_snapshot_file(path, {"abc", 6000}, {{7, &a}});
  ASSERT_TRUE(bytes.ok()) << bytes.status().message();
  EXPECT_EQ(*bytes, std::filesystem::file_size(path));
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
  const Result<LoadedUuidSnapshot> loaded = read_uuid_snapshot_file(path);
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  EXPECT_EQ(loaded->meta.token, "abc");
  EXPECT_EQ(entries(loaded->accounts.at(0).second), entries(a));
  std::filesystem::remove_all(dir);
}

}  // namespace cdrd::index::uuid_snapshot_test
