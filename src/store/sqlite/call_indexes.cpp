#include "store/sqlite/call_indexes.h"

#include <vector>

namespace cdrd::sqlite {

CallIndexes::Slot& CallIndexes::slot(std::int64_t account_id) {
  MutexLock lock(&mu_);
  std::unique_ptr<Slot>& s = slots_[account_id];
  if (!s) s = std::make_unique<Slot>();
  return *s;
}

std::vector<std::pair<std::int64_t, CallIndexes::Slot*>> CallIndexes::all_slots() {
  MutexLock lock(&mu_);
  std::vector<std::pair<std::int64_t, Slot*>> out;
  out.reserve(slots_.size());
  for (auto& [id, s] : slots_) out.emplace_back(id, s.get());
  return out;
}

CallIndexes::Usage CallIndexes::usage() {
  std::vector<Slot*> slots;
  {
    MutexLock lock(&mu_);
    for (auto& [id, s] : slots_) slots.push_back(s.get());
  }
  Usage u;
  for (Slot* s : slots) {
    ReaderLock lock(&s->mu);
    if (!s->built) continue;
    ++u.accounts;
    u.calls += s->index.size();
    u.bytes += s->index.memory_bytes();
    const index::AccountCallIndex::Shape shape = s->index.shape();
    u.chunks += shape.chunks;
    u.packed_chunks += shape.packed_chunks;
    u.pending += shape.pending;
  }
  return u;
}

CallIndexes::UuidUsage CallIndexes::uuid_usage() {
  std::vector<Slot*> slots;
  {
    MutexLock lock(&mu_);
    for (auto& [id, s] : slots_) slots.push_back(s.get());
  }
  UuidUsage u;
  for (Slot* s : slots) {
    MutexLock lock(&s->uuids_mu);
    u.builds += s->uuids_builds;
    if (!s->uuids_built) continue;
    ++u.accounts;
    u.calls += s->uuids.size();
    u.bytes += s->uuids.memory_bytes();
  }
  return u;
}

}  // namespace cdrd::sqlite
