// CallUuidMap: one account's stored calls by the 64-bit hash of their folded call_uuid, the
// in-memory key that finds duplicates now that the calls table has no unique uuid key
// (migration 10, docs/architecture.md "Duplicates in memory"). It answers "which row ids may
// hold this uuid": every id whose uuid has the same hash, so the caller checks each against its
// row (a collision of two uuids, or a row deleted since, must never drop or lose a call).
//
// Layout: open addressing with linear probing over two parallel arrays, the full hash (8 bytes;
// 0 marks an empty slot) and the id as an offset from the first id added (4 bytes); an id that
// does not fit 32 bits past it (about 4 billion ids later) goes to a small side table. The home
// slot is the hash scaled to the capacity (any capacity, no power of two), which grows by half
// once 3/4 full, so the table holds between 16 and 24 bytes per call once past a few thousand.
//
// Not thread-safe: its owner (CallIndexes::Slot) guards it with the account's uuid lock.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/call_record.h"

namespace cdrd::index {

// The hash of a folded (ASCII lower case) call uuid. Tests may replace it (with one that
// collides on purpose) before any store uses it, and restore it with nullptr.
std::uint64_t call_uuid_hash(std::string_view folded_uuid);
using CallUuidHashFn = std::uint64_t (*)(std::string_view);
void set_call_uuid_hash_for_testing(CallUuidHashFn fn);

// A batch's call uuids, each folded once into one buffer that does not move until the next
// fold() (a writer binds or compares them in place), with their hashes: computed before the
// batch's first look-up, so that a writer can ask for the map's slots of a call ahead
// (CallUuidMap::prefetch). Reused from batch to batch, it keeps its room.
class FoldedUuids {
 public:
  void fold(const std::vector<CallRecord>& records);
  // Call i's folded uuid and its call_uuid_hash.
  std::string_view key(std::size_t i) const {
    return std::string_view(keys_).substr(key_at_[i], key_at_[i + 1] - key_at_[i]);
  }
  std::uint64_t hash(std::size_t i) const { return hashes_[i]; }

 private:
  std::string keys_;                 // call i's is keys_[key_at_[i], key_at_[i + 1])
  std::vector<std::size_t> key_at_;  // records + 1 offsets
  std::vector<std::uint64_t> hashes_;
};

class CallUuidMap {
 public:
  // Appends to `ids` every id added with `hash` (in no particular order).
  void find(std::uint64_t hash, std::vector<std::int64_t>& ids) const;
  // Adds an entry; the same (hash, id) must not be held already.
  void add(std::uint64_t hash, std::int64_t id);
  // Asks the CPU to bring the slots find(hash) and add(hash, ...) look at first into its cache,
  // without waiting (the table is far larger than the caches: each lookup would miss). Changes
  // nothing; a later find or add of `hash` under the same lock finds them there.
  void prefetch(std::uint64_t hash) const {
    if (slots_ == 0) return;
    const std::size_t i = home(hash == 0 ? 1 : hash);
    __builtin_prefetch(hashes_.data() + i);
    __builtin_prefetch(offsets_.data() + i, 1);
  }
  // Removes the entry (hash, id); false when it is not held.
  bool remove(std::uint64_t hash, std::int64_t id);
  // Room for `n` entries in all without growing (a snapshot's load, uuid_snapshot.h).
  void reserve(std::size_t n);
  // Calls fn(hash, id) for every entry: the main table's in slot order (that is, about in hash
  // order), then the side table's. Entries added to an empty map in this order go in near one
  // another, whatever its capacity.
  template <class Fn>
  void for_each(Fn&& fn) const {
    for (std::size_t i = 0; i < slots_; ++i) {
      if (hashes_[i] != 0) fn(hashes_[i], base_ + offsets_[i]);
    }
    for (const auto& [h, id] : overflow_) fn(h, id);
  }
  std::size_t size() const { return size_ + overflow_.size(); }
  // Bytes allocated for the entries (the side table's approximately).
  std::size_t memory_bytes() const;

 private:
  std::size_t home(std::uint64_t h) const {
    return static_cast<std::size_t>((static_cast<unsigned __int128>(h) * slots_) >> 64);
  }
  std::size_t next(std::size_t i) const { return i + 1 == slots_ ? 0 : i + 1; }
  void grow();
  void rehash(std::size_t slots);
  void place(std::uint64_t h, std::uint32_t offset);

  std::vector<std::uint64_t> hashes_;  // 0: empty
  std::vector<std::uint32_t> offsets_;
  std::size_t slots_ = 0, size_ = 0;
  std::int64_t base_ = 0;  // the id of offset 0 (the first id added)
  std::unordered_multimap<std::uint64_t, std::int64_t> overflow_;
};

}  // namespace cdrd::index
