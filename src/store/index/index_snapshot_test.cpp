#include "store/index/index_snapshot.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <string>
#include <tuple>
#include <vector>

#include "testing/random_calls.h"

namespace cdrd::index {
namespace {

using testing::Random;
using testing::random_call;
using testing::random_query;

std::string snapshot_answer(const IndexAnswer& a) {
  std::string s = "total " + std::to_string(a.total_count) + ", ids";
  for (std::int64_t id : a.ids) s += " " + std::to_string(id);
  return s;
}

std::string call_text(const IndexedCall& c) {
  auto opt = [](const auto& o) { return o ? std::to_string(*o) : std::string("-"); };
  return std::to_string(c.id) + " " + std::to_string(c.end_time) + " " +
         std::to_string(c.initiation_time) + " " + std::to_string(static_cast<int>(c.direction)) +
         " [" + std::string(c.from_number) + "] [" + std::string(c.to_number) + "] [" +
         std::string(c.trunk_id) + "] " + opt(c.hangup_cause_code) + " " +
         std::to_string(static_cast<int>(c.hangup_source)) + " " +
         std::to_string(static_cast<int>(c.stir_verification)) + " " +
         std::to_string(c.duration_s) + " " + std::to_string(c.bill_duration_s) + " " +
         opt(c.bridged_duration_s) + " [" + std::string(c.from_username) + "] [" +
         std::string(c.to_username) + "] [" + std::string(c.bridged_username) + "] [" +
         std::string(c.did_number) + "] " + opt(c.extension_id);
}

// Every call as for_each_call gives it out, as text (for comparing two indexes).
std::vector<std::string> calls_of(const AccountCallIndex& index) {
  std::vector<std::string> out;
  index.for_each_call([&out](const IndexedCall& c) { out.push_back(call_text(c)); });
  return out;
}

// A number as the index gives it out: without its leading '+'s when it is not 0 to 18 digits
// after them (kept as text); else its digits with one '+', or without when a username of the
// call that is the number itself was sent without one.
std::string number_given_out(std::string_view n, std::initializer_list<std::string_view> users) {
  std::string_view d = n;
  while (!d.empty() && d.front() == '+') d.remove_prefix(1);
  const bool digits = d.size() <= 18 && std::all_of(d.begin(), d.end(),
                                                    [](char ch) { return ch >= '0' && ch <= '9'; });
  if (!digits) return std::string(d);
  for (std::string_view u : users) {
    if (u == n && n == d && !d.empty()) return std::string(d);
  }
  return "+" + std::string(d);
}

// The calls an index of these records should give out: in (end_time, id) order, numbers as
// number_given_out says.
template <class Rows>
std::vector<std::string> expected_calls(Rows rows) {
  std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) {
    return std::pair(a.r.end_time, a.id) < std::pair(b.r.end_time, b.id);
  });
  std::vector<std::string> out;
  for (const auto& row : rows) {
    IndexedCall c = IndexedCall::of(row.id, row.r);
    const std::string from = number_given_out(c.from_number, {c.from_username});
    const std::string to =
        number_given_out(c.to_number, {c.to_username, c.bridged_username, c.did_number});
    c.from_number = from;
    c.to_number = to;
    out.push_back(call_text(c));
  }
  return out;
}

// An index through the snapshot and back.
AccountCallIndex round_trip(const AccountCallIndex& index, std::size_t chunk_rows) {
  const Result<std::string> bytes = encode_snapshot({"t", 7}, {{42, &index}});
  EXPECT_TRUE(bytes.ok()) << bytes.status().message();
  Result<LoadedSnapshot> loaded = decode_snapshot(*bytes, 2, chunk_rows);
  EXPECT_TRUE(loaded.ok()) << loaded.status().message();
  EXPECT_EQ(loaded->accounts.size(), 1u);
  EXPECT_EQ(loaded->accounts[0].first, 42);
  EXPECT_EQ(loaded->calls, index.size());
  return std::move(loaded->accounts[0].second);
}

// The data of the differential tests (account_call_index_test.cpp): every number shape, ties on
// end_time, rare dictionary values, durations past 16 bits, initiation times far from the end,
// extension ids, calls out of order; then re-rated, cut by retention, compacted and added to.
// At each stage the index goes through a snapshot, and the loaded index answers every random
// query exactly as the original does and gives out the very same calls.
TEST(IndexSnapshot, LoadedIndexAnswersEveryQueryAsTheOriginal) {
  for (std::uint32_t seed : {21u, 22u}) {
    Random rnd(seed);
    const std::size_t chunk_rows = seed == 21 ? 32 : AccountCallIndex::kChunkRows;
    AccountCallIndex index(chunk_rows);
    struct Row {
      std::int64_t id;
      CallRecord r;
    };
    std::vector<Row> rows;
    std::int64_t next_id = 1;
    auto make = [&] {
      CallRecord c = random_call(rnd);
      if (rnd.chance(30)) c.from_username = "u" + std::to_string(rnd.between(0, 500));
      if (rnd.chance(30)) c.did_number = "d" + std::to_string(rnd.between(0, 50));
      if (rnd.chance(50)) c.extension_id = rnd.between(-3, 2000);
      if (rnd.chance(5)) c.duration_s = rnd.between(65530, 2'000'000'000);
      if (rnd.chance(5)) c.bill_duration_s = rnd.between(65530, 2'000'000'000);
      if (rnd.chance(5)) c.bridged_duration_s = rnd.between(65530, 2'000'000'000);
      if (rnd.chance(5)) c.initiation_time = c.end_time - rnd.between(4'294'967'290, 9'000'000'000);
      if (rnd.chance(3)) c.initiation_time = c.end_time + rnd.between(0, 2'000'000);
      return c;
    };
    auto add = [&](int n, bool in_order) {
      std::vector<Row> batch;
      for (int i = 0; i < n; ++i) {
        next_id += rnd.between(1, 3);
        batch.push_back({next_id, make()});
      }
      if (in_order) {
        std::stable_sort(batch.begin(), batch.end(),
                         [](const Row& a, const Row& b) { return a.r.end_time < b.r.end_time; });
      }
      for (const Row& row : batch) {
        index.add(IndexedCall::of(row.id, row.r));
        rows.push_back(row);
      }
    };
    auto check = [&](const char* stage, int queries) {
      ASSERT_TRUE(index.exact());
      const AccountCallIndex loaded = round_trip(index, chunk_rows);
      ASSERT_EQ(loaded.size(), index.size()) << stage;
      ASSERT_TRUE(loaded.exact()) << stage;
      ASSERT_EQ(calls_of(index), expected_calls(rows)) << stage;
      ASSERT_EQ(calls_of(loaded), calls_of(index)) << stage;
      for (int i = 0; i < queries; ++i) {
        CallQuery q = random_query(rnd, static_cast<std::int64_t>(rows.size()));
        if (rnd.chance(20)) q.from_usernames = {rnd.pick(rows).r.from_username};
        if (rnd.chance(20)) q.did_numbers = {rnd.pick(rows).r.did_number};
        if (rnd.chance(20)) {
          if (const auto& e = rnd.pick(rows).r.extension_id) q.extension_ids = {*e};
        }
        // Ranges that tell apart durations past 16 bits.
        auto wide = [&rnd] { return rnd.between(65530, 2'000'000'000); };
        if (rnd.chance(15))
          q.bill_duration = {wide(), rnd.chance(50) ? std::optional(wide()) : std::nullopt};
        if (rnd.chance(15)) q.duration = {rnd.between(0, 70000), wide()};
        if (rnd.chance(15)) q.bridged_duration = {wide(), std::nullopt};
        ASSERT_EQ(snapshot_answer(loaded.query(q)), snapshot_answer(index.query(q)))
            << stage << ", seed " << seed << ", query " << i;
      }
    };

    add(3000, true);
    check("in order", 600);
    add(1500, false);  // out of order: pending calls in the original
    check("out of order", 600);
    for (int i = 0; i < 300; ++i) {
      Row& row = rows[static_cast<std::size_t>(
          rnd.between(0, static_cast<std::int64_t>(rows.size()) - 1))];
      row.r.bill_duration_s =
          rnd.chance(30) ? rnd.between(65530, 2'000'000'000) : rnd.between(0, 700);
      ASSERT_TRUE(index.set_bill_duration(row.r.end_time, row.id, row.r.bill_duration_s));
    }
    check("re-rated", 400);
    const std::vector<std::int64_t> old =
        index.oldest_ended_before(Micros{1'000'000} * 150, rows.size());
    index.drop_oldest(old.size());
    std::erase_if(rows, [](const Row& r) { return r.r.end_time < Micros{1'000'000} * 150; });
    check("after retention", 400);
    index.compact();
    add(200, false);
    check("compacted, then late calls", 400);
  }
}

// The columns the index builds from the calls (byte-coded trunks and hangup codes, widened past
// 256 values a chunk; the direction's bits; the numbers' leads) come back from a snapshot: the
// loaded index gives out the same calls and answers as the original.
TEST(IndexSnapshot, RebuildsCodedColumnsBitsAndLeads) {
  Random rnd(23);
  AccountCallIndex index(500);
  for (std::int64_t i = 0; i < 4000; ++i) {
    CallRecord c = random_call(rnd);
    c.end_time = 1'000'000 * rnd.between(0, 1000);
    const bool many = i >= 2000;
    c.trunk_id = "k" + std::to_string(rnd.between(0, many ? 799 : 3));
    c.hangup_cause_code = static_cast<int>(rnd.between(1000, many ? 1799 : 1002));
    c.to_number = "+" + std::to_string(rnd.between(1, 99'999'999'999));
    index.add(IndexedCall::of(i + 1, c));
  }
  const AccountCallIndex loaded = round_trip(index, 500);
  ASSERT_EQ(calls_of(loaded), calls_of(index));
  for (int i = 0; i < 500; ++i) {
    CallQuery q = random_query(rnd, 4000);
    if (rnd.chance(50)) q.trunk_id = "k" + std::to_string(rnd.between(0, 799));
    if (rnd.chance(50)) q.hangup_cause_code = static_cast<int>(rnd.between(1000, 1799));
    if (rnd.chance(50)) q.to_number = NumberPrefix{std::to_string(rnd.between(1, 9999))};
    if (rnd.chance(30)) q.direction = rnd.chance(50) ? Direction::kInbound : Direction::kOutbound;
    ASSERT_EQ(snapshot_answer(loaded.query(q)), snapshot_answer(index.query(q))) << "query " << i;
  }
}

TEST(IndexSnapshot, KeepsManyAccountsAndAnEmptyOne) {
  std::vector<AccountCallIndex> indexes(3);
  Random rnd(5);
  for (std::size_t a = 0; a < 2; ++a) {
    for (int i = 0; i < 100; ++i) indexes[a].add(IndexedCall::of(i + 1, random_call(rnd)));
  }
  const Result<std::string> bytes =
      encode_snapshot({"tok", 99}, {{1, &indexes[0]}, {2, &indexes[1]}, {3, &indexes[2]}});
  ASSERT_TRUE(bytes.ok());
  Result<LoadedSnapshot> loaded = decode_snapshot(*bytes, 2);
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  EXPECT_EQ(loaded->meta.token, "tok");
  EXPECT_EQ(loaded->meta.last_call_id, 99);
  EXPECT_EQ(loaded->calls, 200u);
  ASSERT_EQ(loaded->accounts.size(), 3u);
  for (std::size_t a = 0; a < 3; ++a) {
    EXPECT_EQ(loaded->accounts[a].first, static_cast<std::int64_t>(a + 1));
    EXPECT_EQ(calls_of(loaded->accounts[a].second), calls_of(indexes[a]));
  }
}

// SIP-trunk calls are named by their numbers: the index keeps such a username as a marker of
// the number (with or without its '+'), and the snapshot as one byte. They come back equal to
// their numbers, and a filter on the username answers as on the original.
TEST(IndexSnapshot, KeepsUsernamesThatAreTheirCallsNumbers) {
  AccountCallIndex index(64);
  Random rnd(9);
  const std::vector<std::string> forms = {"+4930123456", "4930123456", "+14155550100",
                                          "14155550100", "++4420",     "+"};
  std::vector<std::pair<std::int64_t, CallRecord>> rows;
  for (int i = 0; i < 600; ++i) {
    CallRecord c = random_call(rnd);
    c.from_number = forms[static_cast<std::size_t>(
        rnd.between(0, static_cast<std::int64_t>(forms.size()) - 1))];
    c.to_number = forms[static_cast<std::size_t>(
        rnd.between(0, static_cast<std::int64_t>(forms.size()) - 1))];
    if (rnd.chance(80)) c.from_username = c.from_number;
    if (rnd.chance(80)) c.to_username = c.to_number;
    if (rnd.chance(50)) c.bridged_username = c.to_number;
    if (rnd.chance(50)) c.did_number = c.to_number;
    index.add(IndexedCall::of(i + 1, c));
    rows.emplace_back(i + 1, c);
  }
  const AccountCallIndex loaded = round_trip(index, 64);
  EXPECT_EQ(calls_of(loaded), calls_of(index));
  for (const std::string& name : forms) {
    for (int field = 0; field < 4; ++field) {
      CallQuery q;
      q.limit = 1000;
      std::vector<std::string>& values = field == 0   ? q.from_usernames
                                         : field == 1 ? q.to_usernames
                                         : field == 2 ? q.bridged_usernames
                                                      : q.did_numbers;
      values = {name};
      const IndexAnswer want = index.query(q);
      EXPECT_EQ(snapshot_answer(loaded.query(q)), snapshot_answer(want)) << name << " " << field;
      std::int64_t brute = 0;
      for (const auto& [id, c] : rows) {
        const std::string& v = field == 0   ? c.from_username
                               : field == 1 ? c.to_username
                               : field == 2 ? c.bridged_username
                                            : c.did_number;
        brute += v == name ? 1 : 0;
      }
      EXPECT_EQ(want.total_count, brute) << name << " " << field;
    }
  }
}

TEST(IndexSnapshot, RefusesAnIndexThatIsNotExact) {
  AccountCallIndex index;
  Random rnd(1);
  CallRecord c = random_call(rnd);
  c.duration_s = std::int64_t{1} << 40;  // clamped in the columns: cannot be written back
  index.add(IndexedCall::of(1, c));
  ASSERT_FALSE(index.exact());
  const Result<std::string> bytes = encode_snapshot({"t", 1}, {{1, &index}});
  ASSERT_FALSE(bytes.ok());
  EXPECT_EQ(bytes.status().code(), Status::Code::kInvalidArgument);
}

// Every damaged form of a file fails kIOError (never a wrong index, never a crash): each
// truncation, a flipped bit anywhere, another version, bytes after the trailer.
TEST(IndexSnapshot, RefusesEveryDamagedFile) {
  Random rnd(9);
  AccountCallIndex a, b;
  for (int i = 0; i < 40; ++i) a.add(IndexedCall::of(i + 1, random_call(rnd)));
  for (int i = 0; i < 30; ++i) b.add(IndexedCall::of(i + 100, random_call(rnd)));
  const Result<std::string> good = encode_snapshot({"token", 130}, {{1, &a}, {2, &b}});
  ASSERT_TRUE(good.ok());
  ASSERT_TRUE(decode_snapshot(*good).ok());
  for (std::size_t n = 0; n < good->size(); ++n) {
    const Result<LoadedSnapshot> r = decode_snapshot(std::string_view(*good).substr(0, n));
    ASSERT_FALSE(r.ok()) << "truncated to " << n << " bytes";
    ASSERT_EQ(r.status().code(), Status::Code::kIOError);
  }
  for (std::size_t i = 0; i < good->size(); ++i) {
    for (int bit : {0, 3, 7}) {
      std::string bad = *good;
      bad[i] = static_cast<char>(bad[i] ^ (1 << bit));
      const Result<LoadedSnapshot> r = decode_snapshot(bad);
      ASSERT_FALSE(r.ok()) << "byte " << i << " bit " << bit;
      ASSERT_EQ(r.status().code(), Status::Code::kIOError);
    }
  }
  std::string newer = *good;
  newer[8] = 2;  // the version, little-endian after the magic
  const Result<LoadedSnapshot> v = decode_snapshot(newer);
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.status().message().find("version 2"), std::string::npos) << v.status().message();
  EXPECT_FALSE(decode_snapshot(*good + "x").ok());
  EXPECT_FALSE(decode_snapshot("").ok());
}

TEST(IndexSnapshot, WritesTheFileByRenameAndReadsItBack) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("cdrd-snapshot-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "calls.db.index").string();
  EXPECT_EQ(read_snapshot_file(path).status().code(), Status::Code::kNotFound);
  Random rnd(3);
  AccountCallIndex index;
  for (int i = 0; i < 500; ++i) index.add(IndexedCall::of(i + 1, random_call(rnd)));
  const Result<SnapshotStats> stats = write_snapshot_file(path, {"abc", 500}, {{7, &index}});
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->calls, 500u);
  EXPECT_EQ(stats->max_call_id, 500);
  EXPECT_EQ(stats->bytes, std::filesystem::file_size(path));
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
  const Result<SnapshotMeta> meta = read_snapshot_meta(path);
  ASSERT_TRUE(meta.ok());
  EXPECT_EQ(meta->token, "abc");
  EXPECT_EQ(meta->last_call_id, 500);
  Result<LoadedSnapshot> loaded = read_snapshot_file(path);
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  EXPECT_EQ(calls_of(loaded->accounts.at(0).second), calls_of(index));
  // Cut short (a torn copy): refused.
  std::filesystem::resize_file(path, std::filesystem::file_size(path) - 3);
  EXPECT_EQ(read_snapshot_file(path).status().code(), Status::Code::kIOError);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace cdrd::index
