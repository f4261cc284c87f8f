// The uuid maps' snapshot: each account's CallUuidMap (call_uuid_map.h) written beside the index
// snapshot (store/index/index_snapshot.h) at a clean stop, with the same token and highest call
// id, so that the next start loads it instead of reading every row's uuid on the account's first
// write or lookup (docs/architecture.md, "Duplicates in memory"). The maps are hints checked
// against the rows, so the file holds only what a map holds: each entry's hash and row id.
//
// Format (version kUuidSnapshotVersion; integers little-endian, fixed width):
//   "CDRDUUS\n", u32 version, the header: u32 token length and the token, i64 last call id,
//   u64 the hash of kUuidHashProbe under the hash the maps were made with, u64 number of
//   accounts; u64 checksum of everything before it.
//   Per account: u64 payload length, the payload, u64 checksum of the payload. The payload is
//   i64 account id, i64 base (the smallest id of the entries below), u64 n, u64 m, then n
//   entries (u64 hash, u32 id - base) in the map's slot order, the first one the entry of the
//   base itself, then m entries (u64 hash, i64 id) of ids past base + 2^32 - 2.
//   "CDRDEND\n" and the end of the file.
//
// What the file says is checked, not trusted: the magic, version, checksums, every length, no
// hash 0, no account twice, the base first, the trailer at the very end, and the hash probe
// (a map made with another hash function would name the wrong rows). Any doubt fails kIOError
// naming it; a missing file fails kNotFound. Whether the file matches the store is the
// caller's to know (the token and the highest call id, as for the index snapshot).
//
// Thread-safety: free functions over their arguments; the maps are read as given (the caller
// holds their locks).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"
#include "store/index/call_uuid_map.h"
#include "store/index/index_snapshot.h"

namespace cdrd::index {

inline constexpr std::uint32_t kUuidSnapshotVersion = 1;
// The uuid whose hash the file carries, to tell the hash function it was made with.
inline constexpr std::string_view kUuidHashProbe = "00000000-0000-4000-8000-00000000cdrd";

struct UuidSnapshotAccount {
  std::int64_t account_id = 0;
  const index::CallUuidMap* map = nullptr;
};

struct LoadedUuidSnapshot {
  index::SnapshotMeta meta;
  std::vector<std::pair<std::int64_t, index::CallUuidMap>> accounts;  // in the file's order
  std::size_t calls = 0;
};

// The whole file in memory (tests) / written to `path`: to "<path>.tmp", synced, renamed over
// `path`, the directory synced. Returns the bytes written.
std::string encode_uuid_snapshot(const index::SnapshotMeta& meta,
                                 const std::vector<UuidSnapshotAccount>& accounts);
Result<std::size_t> write_uuid_snapshot_file(const std::string& path,
                                             const index::SnapshotMeta& meta,
                                             const std::vector<UuidSnapshotAccount>& accounts);

Result<LoadedUuidSnapshot> decode_uuid_snapshot(std::string_view bytes);
Result<LoadedUuidSnapshot> read_uuid_snapshot_file(const std::string& path);

}  // namespace cdrd::index
