// DeletedCalls: the ids of the segment store's calls that retention deleted (tombstones). A
// segment is never rewritten in place, so a deletion is written here, and every read of the
// store passes the ids named here over (docs/architecture.md, "The segment store").
//
// The file: records appended one per add(), each a 16-byte header (the magic "SDEL", the count
// of ids, the CRC-32C of the ids' bytes, the CRC-32C of those 12 bytes) and the ids, 8 bytes
// each, little-endian. add() returns once its record is synced (fdatasync). open() reads the
// file whole: a last record cut short or left as zeros (a crash during an add, which was not
// acknowledged) is cut off; a damaged record with data after it fails the open, naming the file
// and the offset. The file is made with mode 0600.
//
// Memory: the ids in a hash set (about 40 bytes an id).
// Thread-safety: add() from one thread at a time; contains() and size() from any thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "core/mutex.h"
#include "core/status.h"

namespace cdrd::segment {

// What read_deleted_records found in a file's bytes.
struct DeletedRecords {
  std::vector<std::int64_t> ids;  // of the whole records, in file order
  std::size_t whole = 0;          // the bytes of the whole records: the rest is a torn tail
  bool corrupt = false;           // a damaged record with data after it, at `whole`
};
// Reads the records of a deleted-calls file (its bytes from the start). Pure; any bytes are safe
// to read (the fuzz target deleted_calls feeds it arbitrary ones).
DeletedRecords read_deleted_records(std::string_view data);
// Appends one record of `ids` (at most 2^24 of them) to `out`.
void append_deleted_record(const std::vector<std::int64_t>& ids, std::string& out);

class DeletedCalls {
 public:
  static Result<std::unique_ptr<DeletedCalls>> open(const std::string& path);
  ~DeletedCalls();
  DeletedCalls(const DeletedCalls&) = delete;
  DeletedCalls& operator=(const DeletedCalls&) = delete;

  // Writes `ids` as one record and syncs it, then holds them. kIOError when the write or the
  // sync fails (the file is cut back, and after a failed sync every later add fails: what the
  // file holds is not to be trusted).
  Status add(const std::vector<std::int64_t>& ids) EXCLUDES(mu_);
  bool contains(std::int64_t id) const EXCLUDES(mu_);
  std::size_t size() const EXCLUDES(mu_);
  // The bytes cut off the file's end by open() (0 when it ended cleanly).
  std::uint64_t torn_bytes_cut() const { return torn_cut_; }

 private:
  DeletedCalls(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}

  const std::string path_;
  const int fd_;
  std::uint64_t size_ = 0;  // the file's, the adder's
  bool broken_ = false;     // the adder's
  std::uint64_t torn_cut_ = 0;
  mutable SharedMutex mu_;
  std::unordered_set<std::int64_t> ids_ GUARDED_BY(mu_);
};

}  // namespace cdrd::segment
