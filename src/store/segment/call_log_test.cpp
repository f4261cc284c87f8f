#include "store/segment/call_log.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "testing/any_call.h"
#include "testing/killed_writer.h"
#include "testing/temp_dir.h"

namespace cdrd::segment {
namespace {

using testing::file_bytes;
using testing::write_bytes;

namespace fs = std::filesystem;

// The call of id `id`, the same whoever makes it (the writer and the readers of a test), of a
// size that varies with the id (so calls, blocks and segments end at ever other offsets).
CallRecord call_of(std::int64_t id) {
  CallRecord c;
  c.account_id = 1 + id % 7;
  c.call_uuid = "call-" + std::to_string(id);
  c.end_time = 1'700'000'000'000'000 + id;
  c.from_number = std::string(static_cast<std::size_t>(id % 300), static_cast<char>('a' + id % 26));
  c.to_number = "+4930" + std::to_string(id);
  return c;
}

std::vector<CallRecord> calls_of(std::int64_t first, std::int64_t n) {
  std::vector<CallRecord> v;
  for (std::int64_t id = first; id < first + n; ++id) v.push_back(call_of(id));
  return v;
}

std::unique_ptr<CallLog> open_log(const std::string& dir, std::uint64_t segment_bytes) {
  auto log = CallLog::open(dir, {.segment_bytes = segment_bytes});
  EXPECT_TRUE(log.ok()) << log.status().message();
  return log.ok() ? std::move(log).value() : nullptr;
}

// Every id of [from, to) is read back as `written` holds it, and every other id as absent.
void expect_reads(const CallLog& log, const std::map<std::int64_t, CallRecord>& written,
                  std::int64_t from, std::int64_t to) {
  CallRecord got;
  for (std::int64_t id = from; id < to; ++id) {
    Result<bool> found = log.read(id, got);
    ASSERT_TRUE(found.ok()) << id << ": " << found.status().message();
    const auto want = written.find(id);
    ASSERT_EQ(*found, want != written.end()) << id;
    if (*found) {
      ASSERT_EQ(got, want->second) << id;
    }
  }
}

TEST(CallLogTest, ReadsEveryCallByIdAcrossSegmentsAndAfterAReopen) {
  testing::TempDir dir;
  const std::string path = dir.file("calls");
  testing::AnyCall any(5);
  std::mt19937 rng(5);
  std::map<std::int64_t, CallRecord> written;
  std::int64_t next = 1;
  {
    std::unique_ptr<CallLog> log = open_log(path, 8 << 10);
    ASSERT_NE(log, nullptr);
    EXPECT_EQ(log->next_id(), 0);
    CallRecord c;
    EXPECT_FALSE(*log->read(1, c));  // an empty log holds nothing
    for (int block = 0; block < 60; ++block) {
      next += static_cast<std::int64_t>(rng() % 3);  // gaps between blocks, now and then
      std::vector<CallRecord> v;
      for (std::uint32_t n = 1 + rng() % 12; n > 0; --n) v.push_back(any.next());
      ASSERT_TRUE(log->append(next, v).ok());
      for (const CallRecord& r : v) written[next++] = r;
      EXPECT_EQ(log->next_id(), next);
    }
    const CallLog::Usage u = log->usage();
    EXPECT_GE(u.segments, 4u) << "the test is meant to roll over several segments";
    EXPECT_EQ(u.calls, written.size());
    EXPECT_EQ(u.torn_bytes_cut, 0u);
    expect_reads(*log, written, -2, next + 3);
  }
  // The customers' calls: the directory and its files are the server user's alone.
  EXPECT_EQ(fs::status(path).permissions() & (fs::perms::group_all | fs::perms::others_all),
            fs::perms::none);
  std::unique_ptr<CallLog> log = open_log(path, 8 << 10);
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(log->next_id(), next);
  expect_reads(*log, written, -2, next + 3);
  // Appends go on where they stopped, into the last segment or a new one.
  const std::size_t segments = log->usage().segments;
  for (int block = 0; block < 20; ++block) {
    const std::vector<CallRecord> v = calls_of(next, 10);
    ASSERT_TRUE(log->append(next, v).ok());
    for (const CallRecord& r : v) written[next++] = r;
  }
  EXPECT_GT(log->usage().segments, segments);
  expect_reads(*log, written, 1, next + 1);
  std::uint64_t bytes = 0;
  for (const auto& e : fs::directory_iterator(path)) bytes += fs::file_size(e.path());
  EXPECT_EQ(log->usage().file_bytes, bytes);
}

TEST(CallLogTest, RefusesIdsThatGoBackAcrossSegmentsWritingNothing) {
  testing::TempDir dir;
  std::unique_ptr<CallLog> log = open_log(dir.file("calls"), 1);  // a segment per block
  ASSERT_NE(log, nullptr);
  ASSERT_TRUE(log->append(10, calls_of(10, 5)).ok());
  ASSERT_TRUE(log->append(15, calls_of(15, 5)).ok());
  const CallLog::Usage before = log->usage();
  EXPECT_EQ(before.segments, 2u);
  for (const std::int64_t first : {0, 1, 10, 19}) {
    const Status s = log->append(first, calls_of(first, 1));
    EXPECT_EQ(s.code(), Status::Code::kInvalidArgument) << first;
  }
  EXPECT_EQ(log->usage().file_bytes, before.file_bytes);
  EXPECT_EQ(log->usage().segments, before.segments);
  EXPECT_EQ(log->next_id(), 20);
  ASSERT_TRUE(log->append(20, calls_of(20, 1)).ok());
}

TEST(CallLogTest, RefusesSegmentSizesOutOfRangeAndIgnoresOtherFiles) {
  testing::TempDir dir;
  for (const std::uint64_t bad : {std::uint64_t{0}, kMaxSegmentBytes + 1}) {
    auto log = CallLog::open(dir.file("calls"), {.segment_bytes = bad});
    ASSERT_FALSE(log.ok());
    EXPECT_EQ(log.status().code(), Status::Code::kInvalidArgument);
    EXPECT_NE(log.status().message().find("segment_bytes"), std::string::npos);
  }
  fs::create_directory(dir.file("calls"));
  write_bytes(dir.file("calls/notes.txt"), "not a segment");
  write_bytes(dir.file("calls/1.seg"), "not a segment's name either");
  std::unique_ptr<CallLog> log = open_log(dir.file("calls"), 1 << 20);
  ASSERT_NE(log, nullptr);
  ASSERT_TRUE(log->append(1, calls_of(1, 3)).ok());
  EXPECT_TRUE(fs::exists(dir.file("calls/00000001.seg")));
  EXPECT_EQ(file_bytes(dir.file("calls/notes.txt")), "not a segment");
}

// Six segments of one block each, of ten calls: 1-10 in 00000001.seg, ..., 51-60 in
// 00000006.seg (the active one).
std::map<std::int64_t, CallRecord> six_segments(const std::string& path) {
  std::map<std::int64_t, CallRecord> written;
  std::unique_ptr<CallLog> log = open_log(path, 1);
  for (std::int64_t first = 1; first <= 51; first += 10) {
    EXPECT_TRUE(log->append(first, calls_of(first, 10)).ok());
    for (std::int64_t id = first; id < first + 10; ++id) written[id] = call_of(id);
  }
  EXPECT_EQ(log->usage().segments, 6u);
  return written;
}

TEST(CallLogTest, ATornActiveSegmentIsCutAndAppendsGoOn) {
  testing::TempDir dir;
  const std::string path = dir.file("calls");
  std::map<std::int64_t, CallRecord> written = six_segments(path);
  // A crash during the next append: half of its block reached the active segment.
  const std::string last = path + "/00000006.seg";
  std::string block;
  append_block(61, calls_of(61, 10), block);
  write_bytes(last, file_bytes(last) + block.substr(0, block.size() / 2));
  std::unique_ptr<CallLog> log = open_log(path, 1);
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(log->usage().torn_bytes_cut, block.size() / 2);
  EXPECT_EQ(log->next_id(), 61);
  expect_reads(*log, written, 0, 72);
  ASSERT_TRUE(log->append(61, calls_of(61, 10)).ok());
  for (std::int64_t id = 61; id < 71; ++id) written[id] = call_of(id);
  expect_reads(*log, written, 0, 72);
}

TEST(CallLogTest, ADamagedOrMissingSealedSegmentFailsTheOpenNamingIt) {
  struct Case {
    const char* what;
    void (*damage)(const std::string& path);
    const char* message;
  };
  const Case cases[] = {
      {"a sealed segment cut inside its last block",
       [](const std::string& path) {
         const std::string f = path + "/00000002.seg";
         const std::string bytes = file_bytes(f);
         write_bytes(f, bytes.substr(0, bytes.size() - 7));
       },
       "00000002.seg: corrupt block at offset"},
      {"a sealed segment with zeros after its end",
       [](const std::string& path) {
         const std::string f = path + "/00000001.seg";
         write_bytes(f, file_bytes(f) + std::string(100, '\0'));
       },
       "00000001.seg: corrupt block at offset"},
      {"a sealed segment emptied",
       [](const std::string& path) { write_bytes(path + "/00000002.seg", ""); },
       "00000002.seg: a sealed segment holds no header"},
      {"a sealed segment cut to its header",
       [](const std::string& path) { write_bytes(path + "/00000004.seg", kFileMagic); },
       "00000004.seg: a sealed segment holds no block"},
      {"a segment between two others gone",
       [](const std::string& path) { fs::remove(path + "/00000002.seg"); },
       "segment 00000002.seg is missing"},
      {"ids that go back from one segment to the next",
       [](const std::string& path) {
         std::string bytes(kFileMagic);
         append_block(15, calls_of(15, 2), bytes);
         write_bytes(path + "/00000003.seg", bytes);
       },
       "00000003.seg: its first id 15 is not above the last id of the segment before (20)"},
  };
  for (const Case& c : cases) {
    testing::TempDir dir;
    const std::string path = dir.file("calls");
    six_segments(path);
    c.damage(path);
    auto log = CallLog::open(path, {.segment_bytes = 1});
    ASSERT_FALSE(log.ok()) << c.what;
    EXPECT_EQ(log.status().code(), Status::Code::kIOError) << c.what;
    EXPECT_NE(log.status().message().find(c.message), std::string::npos)
        << c.what << ": " << log.status().message();
  }
}

// Makes the first byte of call k's encoding (its format version) another value, in the block
// that append_block(first, calls) writes, which the file holds at `offset` (checked first).
void damage_version_byte(const std::string& file, std::size_t offset, std::int64_t first,
                         const std::vector<CallRecord>& calls, std::size_t k) {
  std::string block;
  Block placed;
  append_block(first, calls, block, &placed);
  ASSERT_EQ(file_bytes(file).substr(offset, block.size()), block);
  std::size_t at = placed.starts[k];
  while (static_cast<unsigned char>(block[at]) & 0x80) ++at;  // past its length
  std::fstream f(file, std::ios::binary | std::ios::in | std::ios::out);
  f.seekp(static_cast<std::streamoff>(offset + at + 1));
  f.put('\x7f');
}

TEST(CallLogTest, ACallWhoseBytesAreDamagedAfterTheOpenFailsItsReadNamingIt) {
  testing::TempDir dir;
  const std::string path = dir.file("calls");
  std::unique_ptr<CallLog> log = open_log(path, 1 << 20);
  ASSERT_NE(log, nullptr);
  ASSERT_TRUE(log->append(1, calls_of(1, 3)).ok());
  damage_version_byte(path + "/00000001.seg", kFileMagic.size(), 1, calls_of(1, 3), 1);
  CallRecord c;
  ASSERT_TRUE(log->read(1, c).ok());
  const Result<bool> damaged = log->read(2, c);
  ASSERT_FALSE(damaged.ok());
  EXPECT_EQ(damaged.status().code(), Status::Code::kIOError);
  EXPECT_NE(damaged.status().message().find("00000001.seg: call 2 at offset"), std::string::npos)
      << damaged.status().message();
  ASSERT_TRUE(log->read(3, c).ok());
}

// Scans by account and id window against what was written: over several segments, blocks of
// one account or of several, gaps between blocks, every window edge and an early stop.
TEST(CallLogTest, ScansAnAccountsCallsInIdOrderWithinAWindow) {
  testing::TempDir dir;
  std::unique_ptr<CallLog> log = open_log(dir.file("calls"), 4 << 10);
  ASSERT_NE(log, nullptr);
  std::mt19937 rng(17);
  std::map<std::int64_t, CallRecord> written;
  std::int64_t next = 1;
  for (int block = 0; block < 80; ++block) {
    next += static_cast<std::int64_t>(rng() % 3);
    std::vector<CallRecord> v = calls_of(next, 1 + static_cast<std::int64_t>(rng() % 9));
    // Most blocks hold one account (as a batch of one customer), some several.
    const std::int64_t account = 1 + static_cast<std::int64_t>(rng() % 4);
    for (CallRecord& c : v) {
      c.account_id = rng() % 5 == 0 ? 1 + static_cast<std::int64_t>(rng() % 4) : account;
    }
    ASSERT_TRUE(log->append(next, v).ok());
    for (const CallRecord& c : v) written[next++] = c;
  }
  ASSERT_GE(log->usage().segments, 3u);
  const auto scanned = [&](std::optional<std::int64_t> account, std::int64_t after,
                           std::int64_t through, std::size_t stop_after) {
    std::vector<std::int64_t> ids;
    const Status s = log->scan(account, after, through, [&](std::int64_t id, const CallRecord& c) {
      EXPECT_EQ(c, written.at(id)) << id;
      ids.push_back(id);
      return ids.size() < stop_after;
    });
    EXPECT_TRUE(s.ok()) << s.message();
    return ids;
  };
  for (int round = 0; round < 400; ++round) {
    std::optional<std::int64_t> account;
    if (rng() % 5 != 0) account = 1 + static_cast<std::int64_t>(rng() % 5);  // 5: none
    const std::int64_t after = static_cast<std::int64_t>(rng() % (next + 2)) - 1;
    const std::int64_t through = after + static_cast<std::int64_t>(rng() % (next + 2));
    const std::size_t stop_after = rng() % 4 == 0 ? 1 + rng() % 20 : SIZE_MAX;
    std::vector<std::int64_t> want;
    for (const auto& [id, c] : written) {
      if (id > after && id <= through && (!account || c.account_id == *account) &&
          want.size() < stop_after) {
        want.push_back(id);
      }
    }
    ASSERT_EQ(scanned(account, after, through, stop_after), want)
        << "round " << round << ": account " << account.value_or(0) << ", (" << after << ", "
        << through << "]";
  }
  // After a reopen the blocks' accounts come from the files.
  log.reset();
  log = open_log(dir.file("calls"), 4 << 10);
  ASSERT_NE(log, nullptr);
  std::vector<std::int64_t> all_of_2;
  for (const auto& [id, c] : written) {
    if (c.account_id == 2) all_of_2.push_back(id);
  }
  EXPECT_EQ(scanned(2, 0, next, SIZE_MAX), all_of_2);
}

// A scan of one account reads only the blocks that hold it: a damaged call in a block of
// another account fails that account's scan, naming the call, and not this one's.
TEST(CallLogTest, AScanSkipsTheBlocksOfOtherAccountsUnread) {
  testing::TempDir dir;
  const std::string path = dir.file("calls");
  std::unique_ptr<CallLog> log = open_log(path, 1 << 20);
  ASSERT_NE(log, nullptr);
  std::vector<CallRecord> first = calls_of(1, 4), second = calls_of(5, 4);
  for (CallRecord& c : first) c.account_id = 1;
  for (CallRecord& c : second) c.account_id = 2;
  ASSERT_TRUE(log->append(1, first).ok());
  ASSERT_TRUE(log->append(5, second).ok());
  // Call 6: the second block's second call.
  std::string before(kFileMagic);
  append_block(1, first, before);
  damage_version_byte(path + "/00000001.seg", before.size(), 5, second, 1);
  int visited = 0;
  const auto count = [&](std::int64_t, const CallRecord&) { return ++visited, true; };
  EXPECT_TRUE(log->scan(1, 0, 100, count).ok());
  EXPECT_EQ(visited, 4);
  const Status damaged = log->scan(2, 0, 100, count);
  EXPECT_EQ(damaged.code(), Status::Code::kIOError);
  EXPECT_NE(damaged.message().find("00000001.seg: call 6 at offset"), std::string::npos)
      << damaged.message();
  EXPECT_FALSE(log->scan(std::nullopt, 0, 100, count).ok());
}

// Readers on other threads read every call acknowledged so far while the writer appends and
// begins new segments: each read finds the call whole (run under ThreadSanitizer by
// `make test-sanitize`).
TEST(CallLogTest, ReadersSeeEveryAcknowledgedCallWhileTheWriterAppendsAndRolls) {
  testing::TempDir dir;
  std::unique_ptr<CallLog> log = open_log(dir.file("calls"), 16 << 10);
  ASSERT_NE(log, nullptr);
  std::atomic<bool> done{false};
  std::atomic<long> reads{0}, wrong{0};
  const auto reader = [&](unsigned seed) {
    std::mt19937 rng(seed);
    CallRecord c;
    while (!done.load()) {
      const std::int64_t next = log->next_id();
      if (next <= 1) continue;
      const std::int64_t id = 1 + static_cast<std::int64_t>(rng() % (next - 1));
      const Result<bool> found = log->read(id, c);
      if (!found.ok() || !*found || c != call_of(id)) ++wrong;
      ++reads;
    }
  };
  std::thread r1(reader, 1), r2(reader, 2);
  std::int64_t next = 1;
  for (int block = 0; block < 300; ++block) {
    const std::int64_t n = 1 + block % 17;
    ASSERT_TRUE(log->append(next, calls_of(next, n)).ok());
    next += n;
  }
  done = true;
  r1.join();
  r2.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_GT(reads.load(), 0);
  EXPECT_GE(log->usage().segments, 10u);
}

// A writer process appends blocks over small segments and reports each once append() returned;
// it is killed with SIGKILL at a random point. At the next open every call of every block
// reported is read back by its id, and besides them at most the block being written.
TEST(CallLogTest, EveryBlockAcknowledgedBeforeAKillNineIsReadBack) {
  std::mt19937 rng(13);
  for (int round = 0; round < 8; ++round) {
    testing::TempDir dir;
    const std::string path = dir.file("calls");
    const int before_kill = 1 + static_cast<int>(rng() % 30);
    bool killed = false;
    const std::vector<std::int64_t> acknowledged = testing::acks_before_kill(
        before_kill,
        [&](const std::function<void(std::int64_t)>& ack) {
          auto log = CallLog::open(path, {.segment_bytes = 64 << 10});
          if (!log.ok()) return;
          for (std::int64_t first = 1;; first += 50) {
            if (!(*log)->append(first, calls_of(first, 50)).ok()) return;
            ack(first);
          }
        },
        killed);
    ASSERT_TRUE(killed) << "the writer stopped by itself";
    ASSERT_GE(acknowledged.size(), static_cast<std::size_t>(before_kill));
    const std::int64_t acknowledged_through = acknowledged.back() + 49;

    std::unique_ptr<CallLog> log = open_log(path, 64 << 10);
    ASSERT_NE(log, nullptr);
    const std::int64_t next = log->next_id();
    ASSERT_TRUE(next == acknowledged_through + 1 || next == acknowledged_through + 51)
        << round << ": next id " << next << ", acknowledged through " << acknowledged_through;
    CallRecord c;
    for (std::int64_t id = 1; id < next; ++id) {
      const Result<bool> found = log->read(id, c);
      ASSERT_TRUE(found.ok() && *found) << round << ": " << id;
      ASSERT_EQ(c, call_of(id)) << round << ": " << id;
    }
    EXPECT_FALSE(*log->read(next, c));
  }
}

}  // namespace
}  // namespace cdrd::segment
