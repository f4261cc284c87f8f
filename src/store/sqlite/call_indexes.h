// CallIndexes: the list index (store/index/account_call_index.h) of every account of one
// Database, each behind its own reader/writer lock. The calls table stays the durable truth; an
// account's index is built from it on first use (under the write lock of the database, so that
// no write lands halfway through) and then kept in step by every store that writes a column the
// index holds: SqliteCallStore (insert, retention) and SqliteRatingStore (a re-rated
// bill_duration). docs/architecture.md, "The list index", has the design and its rules.
//
// Lock order: an account's Slot::mu before the database's locks. A writer of indexed columns
// holds the account's Slot::mu (writer) across its transaction and its index update, so a list,
// which holds it as a reader from its count to the fetch of its page, never sees a row id whose
// row is gone or changed.
//
// Thread-safety: safe for concurrent use; slots live as long as the CallIndexes.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/mutex.h"
#include "store/index/account_call_index.h"

namespace cdrd::sqlite {

class CallIndexes {
 public:
  struct Slot {
    SharedMutex mu;
    bool built GUARDED_BY(mu) = false;
    index::AccountCallIndex index GUARDED_BY(mu);
    // Re-rated bill_durations (row id -> seconds) of rows the index does not hold: a row the
    // group-commit writer has committed but not yet added takes its value from here when it is
    // (SqliteCallStore::write_group), which then clears what is left.
    std::unordered_map<std::int64_t, std::int64_t> late_bill GUARDED_BY(mu);
  };

  // The account's slot, made (unbuilt) on first use.
  Slot& slot(std::int64_t account_id) EXCLUDES(mu_);
  // Every slot made so far, by account id (in no particular order).
  std::vector<std::pair<std::int64_t, Slot*>> all_slots() EXCLUDES(mu_);
  // Calls held and bytes used by every built index (approximately), for the benchmark; and how
  // loose their chunks are (AccountCallIndex::Shape, summed), for the compaction's tests.
  struct Usage {
    std::size_t accounts = 0, calls = 0, bytes = 0;
    std::size_t chunks = 0, packed_chunks = 0, pending = 0;
  };
  Usage usage() EXCLUDES(mu_);

  // Compaction steps run by the store's writer after ingest (SqliteCallStore), since start.
  void count_compaction_step() { compaction_steps_.fetch_add(1, std::memory_order_relaxed); }
  std::uint64_t compaction_steps() const {
    return compaction_steps_.load(std::memory_order_relaxed);
  }

 private:
  Mutex mu_;
  std::unordered_map<std::int64_t, std::unique_ptr<Slot>> slots_ GUARDED_BY(mu_);
  std::atomic<std::uint64_t> compaction_steps_{0};
};

}  // namespace cdrd::sqlite
