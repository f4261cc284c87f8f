#include "store/index/call_uuid_map.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <limits>

#include "core/ascii.h"

namespace cdrd::index {
namespace {

// The finaliser of SplitMix64: every input bit reaches every output bit.
std::uint64_t mix(std::uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

std::uint64_t default_hash(std::string_view s) {
  std::uint64_t h = 0x9e3779b97f4a7c15ULL ^ (s.size() * 0xff51afd7ed558ccdULL);
  std::size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    std::uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    h = mix(h ^ w) + 0x9e3779b97f4a7c15ULL;
  }
  std::uint64_t tail = 0;
  if (i < s.size()) std::memcpy(&tail, s.data() + i, s.size() - i);
  return mix(h ^ tail ^ (static_cast<std::uint64_t>(s.size() - i) << 59));
}

std::atomic<CallUuidHashFn> hash_fn{nullptr};

// The slot value of a hash: 0 marks an empty slot, so a hash of 0 is kept as 1 (a hash is only
// ever a hint: every candidate is checked against its row).
std::uint64_t stored(std::uint64_t h) { return h == 0 ? 1 : h; }

constexpr std::size_t kMinSlots = 16;

}  // namespace

std::uint64_t call_uuid_hash(std::string_view folded_uuid) {
  const CallUuidHashFn fn = hash_fn.load(std::memory_order_relaxed);
  return fn != nullptr ? fn(folded_uuid) : default_hash(folded_uuid);
}

void set_call_uuid_hash_for_testing(CallUuidHashFn fn) {
  hash_fn.store(fn, std::memory_order_relaxed);
}

void FoldedUuids::fold(const std::vector<CallRecord>& records) {
  keys_.clear();
  key_at_.resize(records.size() + 1);
  key_at_[0] = 0;
  for (std::size_t i = 0; i < records.size(); ++i) {
    keys_ += records[i].call_uuid;
    key_at_[i + 1] = keys_.size();
  }
  for (char& c : keys_) c = ascii_lower(c);
  hashes_.resize(records.size());
  for (std::size_t i = 0; i < records.size(); ++i) hashes_[i] = call_uuid_hash(key(i));
}

void CallUuidMap::find(std::uint64_t hash, std::vector<std::int64_t>& ids) const {
  const std::uint64_t h = stored(hash);
  if (slots_ != 0) {
    for (std::size_t i = home(h); hashes_[i] != 0; i = next(i)) {
      if (hashes_[i] == h) ids.push_back(base_ + offsets_[i]);
    }
  }
  if (!overflow_.empty()) {
    const auto [from, to] = overflow_.equal_range(h);
    for (auto it = from; it != to; ++it) ids.push_back(it->second);
  }
}

void CallUuidMap::place(std::uint64_t h, std::uint32_t offset) {
  std::size_t i = home(h);
  while (hashes_[i] != 0) i = next(i);
  hashes_[i] = h;
  offsets_[i] = offset;
}

void CallUuidMap::grow() { rehash(std::max(kMinSlots, slots_ + slots_ / 2)); }

void CallUuidMap::reserve(std::size_t n) {
  // add() grows once 4 * size > 3 * slots.
  const std::size_t slots = std::max(kMinSlots, (4 * n + 2) / 3);
  if (slots > slots_) rehash(slots);
}

void CallUuidMap::rehash(std::size_t slots) {
  std::vector<std::uint64_t> hashes(slots, 0);
  std::vector<std::uint32_t> offsets(slots, 0);
  hashes.swap(hashes_);
  offsets.swap(offsets_);
  slots_ = slots;
  for (std::size_t i = 0; i < hashes.size(); ++i) {
    if (hashes[i] != 0) place(hashes[i], offsets[i]);
  }
}

void CallUuidMap::add(std::uint64_t hash, std::int64_t id) {
  const std::uint64_t h = stored(hash);
  if (size_ == 0 && overflow_.empty()) base_ = id;
  if (id < base_ || id - base_ >= std::numeric_limits<std::uint32_t>::max()) {
    overflow_.emplace(h, id);
    return;
  }
  if (4 * (size_ + 1) > 3 * slots_) grow();
  place(h, static_cast<std::uint32_t>(id - base_));
  ++size_;
}

bool CallUuidMap::remove(std::uint64_t hash, std::int64_t id) {
  const std::uint64_t h = stored(hash);
  if (slots_ != 0 && id >= base_ && id - base_ < std::numeric_limits<std::uint32_t>::max()) {
    const auto offset = static_cast<std::uint32_t>(id - base_);
    std::size_t i = home(h);
    for (; hashes_[i] != 0; i = next(i)) {
      if (hashes_[i] == h && offsets_[i] == offset) break;
    }
    if (hashes_[i] == 0) return false;
    // Backward shift: each entry after the hole that may sit in it moves into it, so that no
    // probe sequence crosses an empty slot before its entry.
    for (std::size_t j = next(i); hashes_[j] != 0; j = next(j)) {
      const std::size_t k = home(hashes_[j]);
      // The entry at j may move to i when its home k is not cyclically within (i, j].
      const bool stays = i <= j ? (i < k && k <= j) : (i < k || k <= j);
      if (stays) continue;
      hashes_[i] = hashes_[j];
      offsets_[i] = offsets_[j];
      i = j;
    }
    hashes_[i] = 0;
    --size_;
    return true;
  }
  const auto [from, to] = overflow_.equal_range(h);
  for (auto it = from; it != to; ++it) {
    if (it->second == id) {
      overflow_.erase(it);
      return true;
    }
  }
  return false;
}

std::size_t CallUuidMap::memory_bytes() const {
  return hashes_.capacity() * sizeof(std::uint64_t) + offsets_.capacity() * sizeof(std::uint32_t) +
         overflow_.size() * 48 + overflow_.bucket_count() * sizeof(void*);
}

}  // namespace cdrd::index
