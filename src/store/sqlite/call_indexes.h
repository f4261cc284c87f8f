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
#include "core/status.h"
#include "store/index/account_call_index.h"
#include "store/index/call_uuid_map.h"

namespace cdrd::sqlite {

class CallIndexes {
 public:
  struct Slot {
    SharedMutex mu;
    bool built GUARDED_BY(mu) = false;
    index::AccountCallIndex index GUARDED_BY(mu);
    // Re-rated bill_durations (row id -> seconds) of rows the index does not hold: a row the
    // group-commit writer has committed but the publisher has not yet added takes its value from
    // here when it is (SqliteCallStore::publish), which then drops the entries up to the group's
    // largest id (the rows of groups committed since keep theirs).
    std::unordered_map<std::int64_t, std::int64_t> late_bill GUARDED_BY(mu);
    // Every row of the account with an id up to this one that this process stored or read is in
    // `index` (or was deleted since): rows past it are committed but not indexed yet (ingest's
    // publisher adds a group's rows after its commit), or another program's.
    std::int64_t indexed_through_id GUARDED_BY(mu) = 0;

    // The account's calls by uuid (call_uuid_map.h), built from the table on first use by a
    // write to the account or a lookup of one of its uuids (SqliteCallStore). Its own lock,
    // taken after mu and after the database's write lock, never before them: ingest's writer
    // adds a row's entry inside its write transaction, before the commit.
    Mutex uuids_mu;
    bool uuids_built GUARDED_BY(uuids_mu) = false;
    index::CallUuidMap uuids GUARDED_BY(uuids_mu);
    // Every row of the account with an id up to this one is in `uuids` (or was deleted since):
    // a catch-up reads the rows past it. uuids_generation: foreign_writes() when it was last
    // caught up.
    std::int64_t uuids_through_id GUARDED_BY(uuids_mu) = 0;
    std::uint64_t uuids_generation GUARDED_BY(uuids_mu) = 0;
    // Times the map was built by reading every row of the account (not loaded from the uuid
    // snapshot, uuid_snapshot.h): for tests and the benchmark.
    std::uint64_t uuids_builds GUARDED_BY(uuids_mu) = 0;
    // Serialises the builds that read the rows outside the database's write lock (the
    // background builder's and a lookup's, SqliteCallStore::build_uuid_map), so that one
    // waits for the other instead of reading the same rows again. Taken before the database's
    // write lock and before uuids_mu, never under them.
    Mutex uuids_build_mu;
    // While the map is not built: the calls a build would read, as the account's list index
    // counted them at the start (SqliteCallStore::load_or_build_indexes); 0 once it is built
    // (or when not known: an account created since). Read without a lock on the I/O threads
    // (SqliteCallStore::find_call_is_bounded).
    std::atomic<std::int64_t> uuids_unbuilt_calls{0};
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

  // Another connection (another program) committed to the database: counted by ingest's
  // writer, which looks at PRAGMA data_version inside each write transaction (under the
  // database's write lock; `data_version` is the value it read). A uuid map caught up at an
  // older count reads the rows added since before it is used for a write.
  std::uint64_t foreign_writes() const { return foreign_writes_.load(std::memory_order_acquire); }
  void note_data_version(std::int64_t data_version) {
    if (data_version_.exchange(data_version, std::memory_order_acq_rel) != data_version) {
      foreign_writes_.fetch_add(1, std::memory_order_acq_rel);
    }
  }
  // Entries and bytes of every built uuid map (call_uuid_map.h), for tests and the benchmark.
  struct UuidUsage {
    std::size_t accounts = 0, calls = 0, bytes = 0;
    std::uint64_t builds = 0;  // maps built from the table, since start (Slot::uuids_builds)
  };
  UuidUsage uuid_usage() EXCLUDES(mu_);

  // Compaction steps run by the store's writer after ingest (SqliteCallStore), since start.
  void count_compaction_step() { compaction_steps_.fetch_add(1, std::memory_order_relaxed); }
  std::uint64_t compaction_steps() const {
    return compaction_steps_.load(std::memory_order_relaxed);
  }

 private:
  Mutex mu_;
  std::unordered_map<std::int64_t, std::unique_ptr<Slot>> slots_ GUARDED_BY(mu_);
  std::atomic<std::uint64_t> compaction_steps_{0};
  std::atomic<std::int64_t> data_version_{-1};  // none read yet: the first read counts
  std::atomic<std::uint64_t> foreign_writes_{1};
};

class Database;

// The account's slot with its list index built (from the table, on first use, under the
// database's write lock). Defined with the store that writes the calls (sqlite_call_store.cpp);
// the re-rating scan (sqlite_rating_store.cpp) pages through an account's calls with it.
Result<CallIndexes::Slot*> built_slot(Database& db, std::int64_t account_id);

}  // namespace cdrd::sqlite
