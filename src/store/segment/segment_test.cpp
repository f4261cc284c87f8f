#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "core/byte_codec.h"
#include "core/crc32c.h"
#include "store/segment/call_codec.h"
#include "store/segment/segment_file.h"
#include "testing/any_call.h"
#include "testing/killed_writer.h"
#include "testing/temp_dir.h"

namespace cdrd::segment {
namespace {

using testing::file_bytes;
using testing::write_bytes;

using testing::AnyCall;

std::string encode(const CallRecord& c) {
  std::string out;
  encode_call(c, out);
  return out;
}

TEST(CallCodecTest, EveryMemberComesBackIntoAFreshOrAReusedRecord) {
  AnyCall any(1);
  CallRecord reused = any.next();
  for (int i = 0; i < 2000; ++i) {
    const CallRecord call = any.next();
    const std::string bytes = encode(call);
    CallRecord fresh;
    ASSERT_TRUE(decode_call(bytes, fresh).ok()) << i;
    EXPECT_EQ(fresh, call) << i;
    ASSERT_TRUE(decode_call(bytes, reused).ok()) << i;
    EXPECT_EQ(reused, call) << i;  // nothing of the call decoded into it before stays
  }
  const CallRecord empty;
  CallRecord back = any.next();
  ASSERT_TRUE(decode_call(encode(empty), back).ok());
  EXPECT_EQ(back, empty);
}

TEST(CallCodecTest, ADoubleKeepsItsBits) {
  CallRecord c;
  c.quality.rtt_ms = std::nan("7");
  c.quality.jitter_ms = -0.0;
  CallRecord back;
  ASSERT_TRUE(decode_call(encode(c), back).ok());
  ASSERT_TRUE(back.quality.rtt_ms.has_value());
  EXPECT_TRUE(std::isnan(*back.quality.rtt_ms));
  EXPECT_TRUE(std::signbit(*back.quality.jitter_ms));
}

TEST(CallCodecTest, RefusesEveryCutTrailingBytesAndCodesOutOfRange) {
  AnyCall any(2);
  CallRecord out;
  for (int i = 0; i < 50; ++i) {
    const std::string bytes = encode(any.next());
    for (std::size_t cut = 0; cut < bytes.size(); ++cut) {
      EXPECT_FALSE(decode_call(std::string_view(bytes).substr(0, cut), out).ok()) << cut;
    }
    EXPECT_FALSE(decode_call(bytes + '\0', out).ok());
  }
  // The direction's byte: after the version (1), the account id 1 (1) and the uuid "u" (2).
  CallRecord c;
  c.account_id = 1;
  c.call_uuid = "u";
  std::string bytes = encode(c);
  ASSERT_EQ(bytes[4], static_cast<char>(Direction::kOutbound));
  bytes[4] = 2;
  const Status s = decode_call(bytes, out);
  EXPECT_EQ(s.code(), Status::Code::kIOError);
  EXPECT_EQ(s.message(), "corrupt call: a code out of its range");
  bytes[0] = 2;
  EXPECT_EQ(decode_call(bytes, out).message(), "corrupt call: unknown format");
}

std::vector<CallRecord> calls(AnyCall& any, int n) {
  std::vector<CallRecord> v;
  v.reserve(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) v.push_back(any.next());
  return v;
}

// Every call of the segment at `path`, decoded, with its id.
std::vector<std::pair<std::int64_t, CallRecord>> read_back(const SegmentFile& file) {
  std::vector<std::pair<std::int64_t, CallRecord>> out;
  const Status s = file.scan([&](std::int64_t id, std::string_view encoded) {
    CallRecord c;
    RETURN_IF_ERROR(decode_call(encoded, c));
    out.emplace_back(id, std::move(c));
    return Status::Ok();
  });
  EXPECT_TRUE(s.ok()) << s.message();
  return out;
}

TEST(SegmentFileTest, AppendsAndReadsBackInOrderAfterAReopen) {
  testing::TempDir dir;
  const std::string path = dir.file("00000001.seg");
  AnyCall any(3);
  const std::vector<CallRecord> a = calls(any, 3), b = calls(any, 1), c = calls(any, 40);
  {
    auto file = SegmentFile::open(path);
    ASSERT_TRUE(file.ok()) << file.status().message();
    EXPECT_EQ((*file)->next_id(), 0);
    EXPECT_EQ((*file)->size(), kFileMagic.size());
    // The calls are the customers' data: readable by the server's user alone, as the database.
    namespace fs = std::filesystem;
    EXPECT_EQ(fs::status(path).permissions() & (fs::perms::group_all | fs::perms::others_all),
              fs::perms::none);
    ASSERT_TRUE((*file)->append(1, a).ok());
    ASSERT_TRUE((*file)->append(4, b).ok());
    ASSERT_TRUE((*file)->append(100, c).ok());  // ids may leave a gap, never go back
    EXPECT_EQ((*file)->next_id(), 140);
  }
  auto file = SegmentFile::open(path);
  ASSERT_TRUE(file.ok()) << file.status().message();
  EXPECT_EQ((*file)->next_id(), 140);
  EXPECT_EQ((*file)->torn_bytes_cut(), 0u);
  EXPECT_EQ((*file)->size(), std::filesystem::file_size(path));
  const auto back = read_back(**file);
  ASSERT_EQ(back.size(), 44u);
  for (std::size_t i = 0; i < 3; ++i) EXPECT_EQ(back[i], std::make_pair(std::int64_t(1 + i), a[i]));
  EXPECT_EQ(back[3], std::make_pair(std::int64_t{4}, b[0]));
  for (std::size_t i = 0; i < 40; ++i) {
    EXPECT_EQ(back[4 + i], std::make_pair(std::int64_t(100 + i), c[i]));
  }
}

TEST(SegmentFileTest, RefusesIdsThatGoBackAndEmptyAppendsWritingNothing) {
  testing::TempDir dir;
  auto file = SegmentFile::open(dir.file("s.seg"));
  ASSERT_TRUE(file.ok());
  AnyCall any(4);
  ASSERT_TRUE((*file)->append(10, calls(any, 2)).ok());  // ids 10 and 11
  const std::uint64_t size = (*file)->size();
  EXPECT_EQ((*file)->append(11, calls(any, 1)).code(), Status::Code::kInvalidArgument);
  EXPECT_EQ((*file)->append(0, calls(any, 1)).code(), Status::Code::kInvalidArgument);
  EXPECT_EQ((*file)->append(20, std::vector<CallRecord>{}).code(), Status::Code::kInvalidArgument);
  EXPECT_EQ((*file)->size(), size);
  EXPECT_EQ(std::filesystem::file_size(dir.file("s.seg")), size);
  EXPECT_TRUE((*file)->append(12, calls(any, 1)).ok());
}

// A crash during an append leaves part of its block: every cut of the last block, and a tail
// of zeros, is taken off at the next open, and what was acknowledged before stays.
TEST(SegmentFileTest, ATornTailIsCutAtEveryByteAndAppendsGoOn) {
  testing::TempDir dir;
  const std::string path = dir.file("s.seg");
  AnyCall any(5);
  const std::vector<CallRecord> first = calls(any, 5), second = calls(any, 7);
  std::uint64_t acknowledged = 0;
  {
    auto file = SegmentFile::open(path);
    ASSERT_TRUE(file.ok());
    ASSERT_TRUE((*file)->append(1, first).ok());
    acknowledged = (*file)->size();
    ASSERT_TRUE((*file)->append(6, second).ok());
  }
  const std::string whole = file_bytes(path);
  std::vector<std::string> torn;
  for (std::size_t cut = acknowledged; cut < whole.size(); ++cut)
    torn.push_back(whole.substr(0, cut));
  torn.push_back(whole.substr(0, acknowledged) + std::string(4096, '\0'));
  std::string zeroed = whole;  // the block's place grown but never written: zeros
  std::fill(zeroed.begin() + static_cast<std::ptrdiff_t>(acknowledged), zeroed.end(), '\0');
  torn.push_back(zeroed);
  std::string bad_crc = whole;  // the last block's bytes garbled, nothing after it
  bad_crc.back() = static_cast<char>(bad_crc.back() ^ 0x40);
  torn.push_back(bad_crc);
  for (const std::string& bytes : torn) {
    write_bytes(path, bytes);
    auto file = SegmentFile::open(path);
    ASSERT_TRUE(file.ok()) << bytes.size() << ": " << file.status().message();
    EXPECT_EQ((*file)->torn_bytes_cut(), bytes.size() - acknowledged) << bytes.size();
    EXPECT_EQ((*file)->size(), acknowledged);
    EXPECT_EQ(std::filesystem::file_size(path), acknowledged);
    EXPECT_EQ((*file)->next_id(), 6);
    ASSERT_TRUE((*file)->append(6, {second[0]}).ok());
    const auto back = read_back(**file);
    ASSERT_EQ(back.size(), 6u);
    EXPECT_EQ(back[4].second, first[4]);
    EXPECT_EQ(back[5], std::make_pair(std::int64_t{6}, second[0]));
  }
}

// Damage with acknowledged data after it is not a torn write: the open fails, naming the
// block, and leaves the file as it was.
TEST(SegmentFileTest, ADamagedBlockBeforeOthersFailsTheOpenAndChangesNothing) {
  testing::TempDir dir;
  const std::string path = dir.file("s.seg");
  AnyCall any(6);
  {
    auto file = SegmentFile::open(path);
    ASSERT_TRUE(file.ok());
    ASSERT_TRUE((*file)->append(1, calls(any, 3)).ok());
    ASSERT_TRUE((*file)->append(4, calls(any, 3)).ok());
  }
  const std::string whole = file_bytes(path);
  // (offset, bit): the magic, the length's low bit (the payload then ends inside the next
  // block), a high bit of the length (it then ends past the file's end, as a torn block's
  // would: only the header's own checksum tells the two apart), the payload's checksum, a byte
  // of the payload.
  for (const auto& [at, bit] : std::vector<std::pair<std::size_t, int>>{
           {8, 0x01}, {12, 0x01}, {14, 0x10}, {16, 0x01}, {40, 0x01}}) {
    std::string damaged = whole;
    damaged[at] = static_cast<char>(damaged[at] ^ bit);
    write_bytes(path, damaged);
    auto file = SegmentFile::open(path);
    ASSERT_FALSE(file.ok()) << at;
    EXPECT_EQ(file.status().code(), Status::Code::kIOError);
    EXPECT_EQ(file.status().message(), "segment " + path + ": corrupt block at offset 8") << at;
    EXPECT_EQ(file_bytes(path), damaged) << at;
  }
}

TEST(SegmentFileTest, AFileThatIsNoSegmentIsRefusedAndAnEmptyOneStarts) {
  testing::TempDir dir;
  write_bytes(dir.file("text"), "hello, world: not a segment");
  auto text = SegmentFile::open(dir.file("text"));
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.status().message(),
            "segment " + dir.file("text") + ": not a segment file (no \"cdrdseg1\" header)");
  EXPECT_EQ(file_bytes(dir.file("text")), "hello, world: not a segment");
  // A file whose creation was cut short (empty, or part of the header) holds no call.
  for (const std::string_view start : {std::string_view(), std::string_view("cdrd")}) {
    write_bytes(dir.file("new"), start);
    auto file = SegmentFile::open(dir.file("new"));
    ASSERT_TRUE(file.ok()) << file.status().message();
    EXPECT_EQ((*file)->next_id(), 0);
    EXPECT_EQ(file_bytes(dir.file("new")), kFileMagic);
  }
  auto missing = SegmentFile::open(dir.file("no-such-dir/s.seg"));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), Status::Code::kIOError);
}

// The calls of the block whose first id is `first`, made the same way by the writer and the
// reader of the kill test below.
std::vector<CallRecord> block_of(std::int64_t first) {
  std::vector<CallRecord> v(100);
  for (std::size_t i = 0; i < v.size(); ++i) {
    v[i].account_id = 1 + static_cast<std::int64_t>(i % 3);
    v[i].call_uuid = "call-" + std::to_string(first + static_cast<std::int64_t>(i));
    v[i].end_time = first + static_cast<std::int64_t>(i);
    v[i].from_number = std::string(200, 'x');  // blocks of about 25 KB
  }
  return v;
}

// A writer process appends blocks and reports each one once append() returned; it is killed
// with SIGKILL at a random point, most likely inside an append. At the next open every block
// reported is there, whole, and nothing else but blocks it wrote.
TEST(SegmentFileTest, EveryBlockAcknowledgedBeforeAKillNineIsThere) {
  std::mt19937 rng(11);
  for (int round = 0; round < 12; ++round) {
    testing::TempDir dir;
    const std::string path = dir.file("s.seg");
    const int before_kill = 1 + static_cast<int>(rng() % 20);
    bool killed = false;
    const std::vector<std::int64_t> acknowledged = testing::acks_before_kill(
        before_kill,
        [&](const std::function<void(std::int64_t)>& ack) {
          auto file = SegmentFile::open(path);
          if (!file.ok()) return;
          for (std::int64_t first = 1;; first += 100) {
            if (!(*file)->append(first, block_of(first)).ok()) return;
            ack(first);
          }
        },
        killed);
    ASSERT_TRUE(killed) << "the writer stopped by itself";
    ASSERT_GE(acknowledged.size(), static_cast<std::size_t>(before_kill));

    auto file = SegmentFile::open(path);
    ASSERT_TRUE(file.ok()) << file.status().message();
    const auto back = read_back(**file);
    // The blocks acknowledged, and at most the one being written when the kill came.
    const std::size_t blocks = back.size() / 100;
    ASSERT_EQ(back.size() % 100, 0u);
    ASSERT_GE(blocks, acknowledged.size()) << round;
    ASSERT_LE(blocks, acknowledged.size() + 1) << round;
    for (std::size_t b = 0; b < blocks; ++b) {
      const std::int64_t block_first = 1 + 100 * static_cast<std::int64_t>(b);
      if (b < acknowledged.size()) {
        EXPECT_EQ(acknowledged[b], block_first);
      }
      const std::vector<CallRecord> expected = block_of(block_first);
      for (std::size_t i = 0; i < 100; ++i) {
        EXPECT_EQ(back[b * 100 + i].first, block_first + static_cast<std::int64_t>(i));
        EXPECT_EQ(back[b * 100 + i].second, expected[i]);
      }
    }
    EXPECT_EQ((*file)->next_id(), 1 + 100 * static_cast<std::int64_t>(blocks));
  }
}

TEST(SegmentBlockTest, ReadsWhatAppendBlockWroteAndNothingPastTheData) {
  AnyCall any(7);
  const std::vector<CallRecord> v = calls(any, 9);
  std::string data(kFileMagic);
  Block placed;
  append_block(42, v, data, &placed);
  Block block;
  ASSERT_EQ(read_block(data, kFileMagic.size(), block), BlockState::kOk);
  // What append_block says it wrote is what read_block reads (but for the calls' views).
  EXPECT_EQ(placed.first_id, block.first_id);
  EXPECT_EQ(placed.starts, block.starts);
  EXPECT_EQ(placed.accounts, block.accounts);
  EXPECT_EQ(placed.end, block.end);
  EXPECT_TRUE(placed.calls.empty());
  EXPECT_EQ(block.first_id, 42);
  EXPECT_EQ(block.end, data.size());
  ASSERT_EQ(block.calls.size(), v.size());
  for (std::size_t i = 0; i < v.size(); ++i) {
    CallRecord c;
    ASSERT_TRUE(decode_call(block.calls[i], c).ok());
    EXPECT_EQ(c, v[i]);
  }
  EXPECT_EQ(read_block(data, data.size(), block), BlockState::kEnd);
  EXPECT_EQ(read_block(data, data.size() + 1, block), BlockState::kCorrupt);
  // The block names its calls' accounts, ascending, each once.
  std::vector<std::int64_t> accounts;
  for (const CallRecord& c : v) accounts.push_back(c.account_id);
  std::sort(accounts.begin(), accounts.end());
  accounts.erase(std::unique(accounts.begin(), accounts.end()), accounts.end());
  EXPECT_EQ(block.accounts, accounts);
}

// append_block encodes each call in place after two bytes of room for its length: a call whose
// length takes one byte (under 128) or three (16,384 and more) is moved, and every block holds
// the format's bytes, each call as its length varint and its encoding.
TEST(SegmentBlockTest, CallsOfEveryLengthOfTheirLengthAreWrittenAsTheFormatSays) {
  AnyCall any(11);
  CallRecord tiny;  // every member at its default: under 128 bytes
  tiny.account_id = 3;
  tiny.call_uuid = "u";
  CallRecord big = any.next();
  big.from_screen_name = std::string(20'000, 'n');  // a length of three bytes
  const std::vector<CallRecord> v = {tiny, any.next(), big, tiny, any.next()};
  ASSERT_LT(encode(tiny).size(), 128u);
  ASSERT_GE(encode(v[1]).size(), 128u);
  ASSERT_GE(encode(big).size(), 16'384u);
  std::string data(kFileMagic);
  Block placed;
  append_block(7, v, data, &placed);
  Block block;
  ASSERT_EQ(read_block(data, kFileMagic.size(), block), BlockState::kOk);
  ASSERT_EQ(block.calls.size(), v.size());
  for (std::size_t i = 0; i < v.size(); ++i) {
    const std::string encoded = encode(v[i]);
    std::string expected;
    ByteWriter(expected).str(encoded);
    EXPECT_EQ(data.substr(block.starts[i], expected.size()), expected) << "call " << i;
    EXPECT_EQ(block.calls[i], encoded) << "call " << i;
    CallRecord c;
    ASSERT_TRUE(decode_call(block.calls[i], c).ok());
    EXPECT_EQ(c, v[i]);
  }
  EXPECT_EQ(placed.starts, block.starts);
  EXPECT_EQ(block.end, data.size());
}

// A block whose checksums hold around the given payload (as a writer of another format would
// make it), after the file's header.
std::string block_around(const std::string& payload) {
  std::string header(12, '\0');
  const auto put = [&](std::size_t at, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) header[at + i] = static_cast<char>((v >> (8 * i)) & 0xff);
  };
  header.replace(0, 4, "SBLK");
  put(4, static_cast<std::uint32_t>(payload.size()));
  put(8, crc32c(payload));
  std::string out(kFileMagic);
  out += header;
  std::string hcrc(4, '\0');
  for (int i = 0; i < 4; ++i) hcrc[i] = static_cast<char>((crc32c(header) >> (8 * i)) & 0xff);
  return out + hcrc + payload;
}

TEST(SegmentBlockTest, AccountListsOutOfOrderOrPastTheCallsAreCorrupt) {
  // first id 1, one call, then the accounts, then one call of one byte.
  const auto payload = [](std::initializer_list<std::uint8_t> accounts) {
    std::string p = {1, 1};
    for (const std::uint8_t b : accounts) p.push_back(static_cast<char>(b));
    return p + std::string{1, 1};  // a call: length 1, the byte 1
  };
  Block block;
  // One account, 3 (zigzag 6): as a writer makes it.
  EXPECT_EQ(read_block(block_around(payload({1, 6})), kFileMagic.size(), block), BlockState::kOk);
  EXPECT_EQ(block.accounts, std::vector<std::int64_t>{3});
  for (const auto& bad : {payload({0}),        // no account
                          payload({2, 6, 1}),  // two accounts for one call
                          payload({1})}) {     // the account cut off
    EXPECT_EQ(read_block(block_around(bad), kFileMagic.size(), block), BlockState::kCorrupt);
  }
  // Two calls: accounts 3 then 3 again (a step of 0) is corrupt, 3 then 4 is not.
  const auto two = [](std::uint8_t step) {
    return std::string{1, 2, 2, 6, static_cast<char>(step), 1, 1, 1, 1};
  };
  EXPECT_EQ(read_block(block_around(two(0)), kFileMagic.size(), block), BlockState::kCorrupt);
  EXPECT_EQ(read_block(block_around(two(1)), kFileMagic.size(), block), BlockState::kOk);
  EXPECT_EQ(block.accounts, (std::vector<std::int64_t>{3, 4}));
  // A step past the largest int64 is corrupt (zigzag 0xfe.. 0x01 is the largest int64).
  std::string past = {1, 2, 2};
  past += std::string("\xfe\xff\xff\xff\xff\xff\xff\xff\xff\x01", 10);  // INT64_MAX
  past += std::string{1, 1, 1, 1, 1};
  EXPECT_EQ(read_block(block_around(past), kFileMagic.size(), block), BlockState::kCorrupt);
}

}  // namespace
}  // namespace cdrd::segment
