// The index snapshot: every account's list index (account_call_index.h) written to one file at a
// clean shutdown, so that the next start loads it instead of reading every call row of the
// store (docs/architecture.md, "The index snapshot"). The file holds the calls as
// AccountCallIndex::for_each_call gives them out, not the index's columns, so a change of the
// columns does not change the file; loading adds them back in order.
//
// Format (version kSnapshotVersion; integers as LEB128 varints, signed ones zigzag-encoded):
//   "CDRDIXS\n", u32 version (little-endian), the header: token (length, bytes), last call id,
//   number of accounts; u64 checksum of everything before it.
//   Per account: u64 payload length, the payload, u64 checksum of the payload. The payload is
//   the account id, its call count, a string table (count, then length + bytes of each: the
//   trunk ids, usernames, DIDs and the numbers that are not 0-19 digits), then each call in
//   (end_time, id) order: id and end_time as deltas from the call before, end_time -
//   initiation_time, a byte of flags and enums, the two numbers (digit count + 1 and their
//   value, or 0 and a string), five string references, the durations, and the optional hangup
//   code, bridged duration and extension id.
//   "CDRDEND\n" and the end of the file.
//
// What the file says is checked, not trusted: the magic, version, checksums, every length
// against the bytes left, every enum value, the calls in strictly increasing (end_time, id)
// order, the trailer at the very end. Any doubt fails kIOError naming it; a missing file fails
// kNotFound. Whether the file matches the store is the caller's to know (the token).
//
// Thread-safety: free functions over their arguments; reading uses up to `threads` threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"
#include "store/index/account_call_index.h"

namespace cdrd::index {

inline constexpr std::uint32_t kSnapshotVersion = 1;

struct SnapshotMeta {
  std::string token;              // names the one store state the snapshot matches
  std::int64_t last_call_id = 0;  // the highest call row id when it was written
};

struct SnapshotAccount {
  std::int64_t account_id = 0;
  const AccountCallIndex* index = nullptr;  // must be exact()
};

struct LoadedSnapshot {
  SnapshotMeta meta;
  std::vector<std::pair<std::int64_t, AccountCallIndex>> accounts;  // in the file's order
  std::size_t calls = 0;
};

// What a written snapshot holds: its calls, the highest call id among them (0: none), bytes.
struct SnapshotStats {
  std::size_t calls = 0;
  std::int64_t max_call_id = 0;
  std::size_t bytes = 0;
};

// The whole snapshot in memory (tests) / written to `path`: to "<path>.tmp", synced, renamed
// over `path`, the directory synced. kInvalidArgument for an index that is not exact.
Result<std::string> encode_snapshot(const SnapshotMeta& meta,
                                    const std::vector<SnapshotAccount>& accounts);
Result<SnapshotStats> write_snapshot_file(const std::string& path, const SnapshotMeta& meta,
                                          const std::vector<SnapshotAccount>& accounts);

// The last step of writing a file whole: `tmp` (written and synced) renamed over `path`, then the
// directory synced, so that after a crash `path` is the old file or the new one. On a failed
// rename `tmp` is removed. Shared with the uuid maps' snapshot (store/index/uuid_snapshot.h).
Status replace_file(const std::string& tmp, const std::string& path);
// Writes all of `bytes` to the file `fd` (again after a short write or EINTR); false on an error
// (errno says which).
bool write_all(int fd, std::string_view bytes);

// Reads a snapshot back into indexes of `chunk_rows` calls a chunk.
Result<LoadedSnapshot> decode_snapshot(std::string_view bytes, std::size_t threads = 1,
                                       std::size_t chunk_rows = AccountCallIndex::kChunkRows);
Result<LoadedSnapshot> read_snapshot_file(const std::string& path, std::size_t threads = 1,
                                          std::size_t chunk_rows = AccountCallIndex::kChunkRows);
// Only the header (token, last call id) of the file: cheap, for deciding whether to load it.
Result<SnapshotMeta> read_snapshot_meta(const std::string& path);

// The checksum of the header and of each section, for a file beside the snapshot checked the
// same way (the uuid maps' snapshot, store/index/uuid_snapshot.h).
std::uint64_t snapshot_checksum(std::string_view bytes);

}  // namespace cdrd::index
