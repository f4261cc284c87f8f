// SegmentFile: an append-only file of encoded calls (call_codec.h), the first step of the
// segment store (docs/architecture.md, "The segment store"): each segment of the calls log
// (call_log.h) is one; bench/store_write.cpp measures its writes beside the sqlite store's.
//
// Layout: the 8 bytes "cdrdseg1", then blocks, one per append (one group commit):
//   magic   4 bytes, "SBLK"
//   length  4 bytes, little-endian: the payload's bytes (at most kMaxBlockBytes)
//   crc     4 bytes, little-endian: CRC-32C of the payload (core/crc32c.h)
//   hcrc    4 bytes, little-endian: CRC-32C of the 12 bytes before (so a damaged length is
//           told from a torn block's: only a header as written is trusted)
//   payload varint first id, varint count, varint number of accounts, the accounts of the calls
//           ascending (the first as a zigzag varint, each next one as its positive difference
//           from the one before, a varint), then each call: a varint length and its encoding
// The calls of a block have the ids first, first + 1, ...; a block's first id is above every id
// before it (ids never go back, and gaps are allowed).
//
// Durability: append() returns once the block is written and synced (fdatasync), so a block
// acknowledged survives a crash and a power loss. A crash during an append can leave the file's
// end torn: part of the block, or the file grown with zeros. open() reads every block and cuts
// such a tail off (ftruncate, then sync): the last block is torn when its header is incomplete,
// its payload runs past the file's end (by a header whose checksum holds), its payload's CRC
// does not hold, or it and everything after it are zeros. A bad block with other bytes after it
// (a header whose checksum fails, a payload whose checksum fails before more data, a checksum
// that holds over a payload that does not parse) is corruption, not a torn write:
// open() then fails with kIOError naming the file and the block's offset, and changes nothing.
//
// Memory: open() and scan() read the whole file (a store keeps each segment to a bounded size);
// append() holds one block. The file is made with mode 0600, as the database.
//
// Thread-safety: one thread at a time (the store's writer); scan() may not run during append();
// read_at() may run on any thread at any time.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/call_record.h"
#include "core/status.h"
#include "store/segment/file_io.h"

namespace cdrd::segment {

inline constexpr std::string_view kFileMagic = "cdrdseg1";
inline constexpr std::size_t kBlockHeaderBytes = 16;
inline constexpr std::uint32_t kMaxBlockBytes = 256u << 20;

// What read_block found at an offset.
enum class BlockState {
  kOk,       // a whole, valid block
  kEnd,      // the offset is the end of the data: no more blocks
  kTorn,     // an incomplete or damaged block with nothing but zeros (or nothing) after it
  kCorrupt,  // a damaged block with data after it
};

struct Block {
  std::int64_t first_id = 0;
  std::vector<std::string_view> calls;  // the encoded calls, views into the data read
  std::vector<std::size_t> starts;      // the offset in the data of each call's length varint
  std::vector<std::int64_t> accounts;   // the accounts its calls belong to, ascending
  std::size_t end = 0;                  // the offset just past the block
};

// Reads the block at `offset` of `data` (a segment's bytes from its start; `offset` at least
// kFileMagic.size()) into `out`. Pure; any bytes are safe to read (the fuzz target
// segment_block feeds it arbitrary ones). `out` is meaningful only for kOk.
BlockState read_block(std::string_view data, std::size_t offset, Block& out);

// Appends one block of `calls` (encoded here, ids first_id, first_id + 1, ...) to `out`. With
// `placed`, sets it to the block as read_block would read it from `out` (its first id, starts,
// accounts and end), but for its `calls`, which it leaves empty.
// `calls` by their addresses: a writer that gathers a block from several batches copies none.
using CallRefs = std::span<const CallRecord* const>;
void append_block(std::int64_t first_id, CallRefs calls, std::string& out, Block* placed = nullptr);
void append_block(std::int64_t first_id, const std::vector<CallRecord>& calls, std::string& out,
                  Block* placed = nullptr);
// The addresses of `calls`, in order.
std::vector<const CallRecord*> refs_of(const std::vector<CallRecord>& calls);

struct OpenOptions {
  // A segment that takes no more appends (call_log.h: every segment but the last): its end was
  // synced whole before a later segment was begun, so a torn tail is corruption, not cut off.
  bool sealed = false;
  // Called with each block open() reads, in file order (its views live during the call only).
  std::function<void(const Block&)> on_block;
};

class SegmentFile {
 public:
  // Opens the segment at `path`, creating it (and syncing its directory) when missing, and cuts
  // a torn tail off. kIOError for a file that is not a segment, a corrupt block, or a failed
  // system call (the message names the path).
  static Result<std::unique_ptr<SegmentFile>> open(const std::string& path,
                                                   const OpenOptions& options = {});
  ~SegmentFile();
  SegmentFile(const SegmentFile&) = delete;
  SegmentFile& operator=(const SegmentFile&) = delete;

  // Appends `calls` as one block, ids first_id, first_id + 1, ..., and syncs it. kInvalidArgument
  // when first_id is not above every id written or `calls` is empty or too large for a block;
  // kIOError when the write or the sync fails (the file is then cut back to its end before, and
  // when even that fails, every later append fails too). With `placed`, sets it to the block
  // written as append_block does, its offsets the file's (what read_at reads a call from).
  Status append(std::int64_t first_id, CallRefs calls, Block* placed = nullptr);
  Status append(std::int64_t first_id, const std::vector<CallRecord>& calls,
                Block* placed = nullptr) {
    return append(first_id, refs_of(calls), placed);
  }

  // Reads `length` bytes at `offset` into `out` (fewer at the file's end). It may run beside an
  // append, from any thread (pread): bytes an append has returned for never change.
  Status read_at(std::uint64_t offset, std::size_t length, std::string& out) const;

  // Calls `visit` with each call's id and encoding, in file order; stops at the first status
  // that is not ok and returns it.
  Status scan(const std::function<Status(std::int64_t id, std::string_view encoded)>& visit) const;

  // One past the largest id written (0 for an empty segment).
  std::int64_t next_id() const { return next_id_; }
  // The file's size in bytes.
  std::uint64_t size() const { return size_; }
  // The bytes of a torn tail that open() cut off (0 when the file ended cleanly).
  std::uint64_t torn_bytes_cut() const { return torn_cut_; }
  // Whether an append failed and its bytes could not be taken back: every later append fails.
  bool broken() const { return broken_; }

 private:
  SegmentFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}

  std::string path_;
  int fd_ = -1;
  std::uint64_t size_ = 0;
  std::int64_t next_id_ = 0;
  std::uint64_t torn_cut_ = 0;
  bool broken_ = false;
  std::string buffer_;  // the block being appended, reused
};

}  // namespace cdrd::segment
