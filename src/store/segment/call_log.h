// CallLog: the calls of the segment store, a directory of segment files (segment_file.h) named
// 00000001.seg, 00000002.seg, ..., and each call found by its id: step 2's first piece of the
// segment store (docs/architecture.md, "The segment store"): SegmentCallStore keeps its calls
// here; bench/store_write.cpp measures its writes and reads beside the sqlite store's.
//
// Appends go to the last segment (the active one). Once it holds options.segment_bytes or more,
// the next append begins a new segment first; the segments before are sealed: never written
// again, so a torn tail there is corruption, not a crash's leftover. Ids rise over the whole
// log (gaps allowed), never go back and are never given twice.
//
// Finding a call: per segment, its blocks' first ids and, per call, the 4-byte offset of its
// encoding (about 4 bytes of memory per call, 24 per block). read() looks the id up in memory
// and reads the call's few hundred bytes with one pread. A call's bytes were checked at open()
// (every block's CRC-32C) or written by this process; read() checks their structure (decode_call)
// but not the block's checksum, which covers a whole block.
//
// open() reads every segment whole, once, block by block (memory: one segment at a time), cuts
// a torn tail off the active segment, and fails with kIOError naming the file for a sealed
// segment that ends torn, a damaged block, a missing segment between two others, or ids that go
// back from one segment to the next.
//
// Thread-safety: append() from one thread at a time (the store's writer); read(), next_id() and
// usage() from any thread, also during an append (a call is readable once its append returned).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/call_record.h"
#include "core/mutex.h"
#include "core/status.h"
#include "store/segment/segment_file.h"

namespace cdrd::segment {

// A call's offset is held in 4 bytes: a segment stays under 4 GiB (its last block may end at
// most kMaxBlockBytes past segment_bytes).
inline constexpr std::uint64_t kMaxSegmentBytes = 3ull << 30;

struct CallLogOptions {
  // A segment is sealed, and the next append begins a new one, once it holds this many bytes
  // (1 to kMaxSegmentBytes). open() at most reads one segment whole at a time.
  std::uint64_t segment_bytes = 256ull << 20;
};

class CallLog {
 public:
  // Opens the log in `dir`, creating the directory (mode 0700) and its first segment when
  // missing. kInvalidArgument for options out of range; kIOError as above.
  static Result<std::unique_ptr<CallLog>> open(const std::string& dir, CallLogOptions options = {});
  ~CallLog();
  CallLog(const CallLog&) = delete;
  CallLog& operator=(const CallLog&) = delete;

  // Appends `calls` as one block, ids first_id, first_id + 1, ..., and syncs it: when it
  // returns Ok, the calls are durable and read() finds them. kInvalidArgument when first_id is
  // not above every id written (nothing is written); kIOError from the segment (segment_file.h).
  Status append(std::int64_t first_id, CallRefs calls);
  Status append(std::int64_t first_id, const std::vector<CallRecord>& calls) {
    return append(first_id, refs_of(calls));
  }

  // Reads the call of id `id` into `out` (every member written, as decode_call) and returns
  // true, or returns false when the log holds no call of that id. kIOError when its bytes
  // cannot be read or are not a call.
  Result<bool> read(std::int64_t id, CallRecord& out) const;

  // Calls visit(id, call) for each call with an id in (after_id, through_id], in id order, of
  // the account `account_id` (of every account when it is nullopt); stops early when visit
  // returns false. A block that holds no call of the account is skipped unread (each block
  // names its accounts); a block that does is read whole with one pread, and its calls are
  // decoded one after the other into one record (`call` lives during the visit only). Memory:
  // one block. kIOError as read().
  Status scan(std::optional<std::int64_t> account_id, std::int64_t after_id,
              std::int64_t through_id,
              const std::function<bool(std::int64_t id, const CallRecord& call)>& visit) const;

  // One past the largest id written (0 for an empty log).
  std::int64_t next_id() const;

  struct Usage {
    std::size_t segments = 0;
    std::uint64_t calls = 0;
    std::uint64_t file_bytes = 0;      // the segments' bytes on disk
    std::uint64_t memory_bytes = 0;    // what finding a call by its id holds in memory
    std::uint64_t torn_bytes_cut = 0;  // cut off the active segment's end by open()
    std::uint64_t blocks = 0;
  };
  Usage usage() const;

 private:
  struct Segment;
  CallLog(std::string dir, CallLogOptions options);
  std::string path_of(std::uint32_t number) const;

  const std::string dir_;
  const CallLogOptions options_;
  mutable SharedMutex mu_;
  // Every segment in id order; the last is the active one. A Segment's lookup members change
  // only under mu_ held as a writer; its file is appended to by the writer outside of it.
  std::vector<std::unique_ptr<Segment>> segments_ GUARDED_BY(mu_);
  std::int64_t next_id_ GUARDED_BY(mu_) = 0;
  std::uint64_t torn_cut_ = 0;
  Block placed_;  // the writer's: the block it appended last, reused
};

}  // namespace cdrd::segment
