// SegmentCallStore: the CallStore (store/call_store.h) kept in a calls log (call_log.h), a
// directory of append-only segment files, instead of a table: step 2 of the segment store
// (docs/architecture.md, "The segment store"). `cdrd serve --calls segments` and `cdrd import
// --calls segments` choose it; accounts, trunks, decks and tokens stay in the sqlite database
// beside it. Once insert_calls returns ok, the batch survives a process crash and a power loss,
// and the very next list counts it.
//
// In memory, per account: its list index (store/index/account_call_index.h), which counts a
// list's matches and names the ids of its page, and its uuid map (call_uuid_map.h), which finds
// a call by its uuid; both are built by one scan of the log when the store opens. Every call is
// read by its id from the log (one pread). Lists the index cannot answer exactly, usage, the
// change feed and the export scan the account's blocks of the log (CallLog::scan), each call
// matched by core/call_match.h, which the differential tests hold to the sqlite store's SQL.
//
// Writes (group_commit.h, shared with SqliteCallStore): insert_calls and insert_calls_async queue
// their batch; one writer thread takes every batch waiting (up to 40,000 calls), finds the
// duplicates in the uuid maps (each candidate read from the log, or from the group), gives the new
// calls their ids and appends them as one block, synced (group commit); the publisher thread then
// adds them to the list indexes and answers each batch, while the writer goes on with the next
// group. A failed append fails every batch of its group and writes nothing of them. Of two batches
// holding one call, the one queued first stores it. After ingest the writer packs the indexes again
// once it has had no batch for a second.
//
// Retention deletes by writing the ids to the deleted-calls file (deleted_calls.h) beside the
// segments; every read passes them over, and a call deleted may be stored again.
//
// Starts: save_snapshot() (a clean stop) writes every account's list index and uuid map beside
// the segments (the files `index` and `uuids`, store/index/index_snapshot.h and uuid_snapshot.h),
// named by the store's state: the last id appended and the number of deleted calls. open()
// loads them when they name the state it finds (neither grows back, so no other state has the
// same pair), else, or on any doubt about the files, builds both by one scan of the log.
//
// Not yet (docs/architecture.md): re-rating the stored calls (`cdrd rerate` sees the sqlite
// table only), compaction of deleted calls out of the segments. The records are kept as given: the
// account of each is not checked (the ingest service found it by its key).
//
// One process at a time: open() takes an exclusive lock (flock) on the directory's LOCK file
// and fails naming it while another process holds it.
//
// Thread-safety: safe for concurrent use.
#pragma once

#include <cstddef>
#include <cstdint>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/mutex.h"
#include "store/call_store.h"
#include "store/group_commit.h"
#include "store/index/account_call_index.h"
#include "store/index/call_uuid_map.h"
#include "store/index/index_snapshot.h"
#include "store/index/uuid_snapshot.h"
#include "store/segment/call_log.h"
#include "store/segment/deleted_calls.h"

namespace cdrd::segment {

struct StoreOptions {
  CallLogOptions log;
  // The time one scan of the log (a list the index does not answer, usage, a feed page, an
  // export window) may take; past it the scan stops and fails kUnavailable, as a read of the
  // sqlite store past its budget. 0: no limit.
  int query_budget_ms = 0;
};

class SegmentCallStore final : public CallStore {
 public:
  // The most calls the publisher adds to one account's index under one hold of its lock: a list
  // of that account waits for one run at most.
  static constexpr std::size_t kPublishRun = 512;

  // Opens (or makes, mode 0700) the store in `dir` and builds every account's index and uuid
  // map from its calls. kIOError as CallLog::open and DeletedCalls::open, or when another
  // process holds the directory.
  static Result<std::unique_ptr<SegmentCallStore>> open(const std::string& dir,
                                                        StoreOptions options = {});
  // Writes what is queued, then stops the writer and the publisher.
  ~SegmentCallStore() override;
  SegmentCallStore(const SegmentCallStore&) = delete;
  SegmentCallStore& operator=(const SegmentCallStore&) = delete;

  Result<std::vector<InsertOutcome>> insert_calls(const std::vector<CallRecord>& records) override;
  std::future<Result<std::vector<InsertOutcome>>> insert_calls_async(
      std::vector<CallRecord> records) override;
  std::vector<CallRecord> take_spent_records() override;

  Result<std::optional<CallRecord>> find_call(std::int64_t account_id, std::string_view call_uuid,
                                              Micros served_from) override;
  bool find_call_is_local() const override { return true; }
  bool list_is_bounded(const CallQuery& query) override;
  Result<Page<CallRecord>> list_calls(const CallQuery& query) override;
  // The same answer without the list index: every call of the account read from the log and
  // matched (call_match.h). The answer of a query the index cannot answer exactly.
  Result<Page<CallRecord>> list_calls_scan(const CallQuery& query);
  Result<UsageAnswer> usage(const UsageQuery& query) override;
  Result<std::vector<StoredCall>> calls_stored_after(std::int64_t account_id, std::int64_t after_id,
                                                     Micros served_from, int limit) override;
  Result<std::int64_t> export_calls(const ExportQuery& query, std::int64_t after_id,
                                    std::int64_t through_id, const ExportRowFn& row) override;
  Result<std::int64_t> last_call_id() override;
  Result<std::int64_t> delete_calls_ended_before(Micros floor, int max_rows) override;

  // How open() got its indexes and uuid maps: from the snapshot, or by a scan of the log (then
  // `why` says why not from the snapshot).
  struct Start {
    bool from_snapshot = false;
    std::string why;
  };
  const Start& start() const { return start_; }
  // The clean stop, after the last write: writes the snapshot of every account with calls.
  struct SnapshotSaved {
    std::size_t accounts = 0, calls = 0, bytes = 0;
  };
  Result<SnapshotSaved> save_snapshot() NO_THREAD_SAFETY_ANALYSIS;  // locks every slot in turn

  // What the store holds, for the log, the metrics and the tests.
  struct Usage {
    std::size_t accounts = 0, calls = 0;
    std::size_t index_bytes = 0, uuid_bytes = 0;
    std::size_t pending = 0;  // calls the indexes hold unpacked (AccountCallIndex::Shape)
    std::size_t deleted = 0;
    CallLog::Usage log;
    std::uint64_t compaction_steps = 0;
  };
  Usage usage_figures();

 private:
  struct Slot {
    SharedMutex mu;
    index::AccountCallIndex index GUARDED_BY(mu);
    Mutex uuids_mu;
    index::CallUuidMap uuids GUARDED_BY(uuids_mu);
  };
  struct QueuedBatch {
    std::vector<CallRecord> owned;
    const std::vector<CallRecord>* records = nullptr;
    std::promise<Result<std::vector<InsertOutcome>>> done;
    std::vector<std::int64_t> ids;  // the id each record took (0: a duplicate)
    std::vector<InsertOutcome> outcomes;
  };
  using Group = std::vector<std::unique_ptr<QueuedBatch>>;

  SegmentCallStore(std::string dir, int query_budget_ms, std::unique_ptr<CallLog> log,
                   std::unique_ptr<DeletedCalls> deleted, int lock_fd);
  Status build();
  // The snapshot files as read (or why not).
  struct SnapshotFiles {
    Result<index::LoadedSnapshot> indexes;
    Result<index::LoadedUuidSnapshot> uuids;
  };
  // The indexes and uuid maps from the snapshot files, when they name the store's state.
  Status load_snapshot(SnapshotFiles files);
  index::SnapshotMeta state() const;
  Slot& slot(std::int64_t account_id) EXCLUDES(slots_mu_);
  // slot() of each account once: a thread's own memo of the slots it used (a slot, once made,
  // lives as long as the store).
  class SlotCache {
   public:
    explicit SlotCache(SegmentCallStore& store) : store_(store) {}
    Slot& get(std::int64_t account_id);

   private:
    SegmentCallStore& store_;
    std::unordered_map<std::int64_t, Slot*> seen_;
    std::int64_t last_account_ = 0;
    Slot* last_ = nullptr;
  };

  // The slot of an account with calls, or null.
  Slot* find_slot(std::int64_t account_id) EXCLUDES(slots_mu_);
  // Every slot, by account id.
  std::vector<std::pair<std::int64_t, Slot*>> all_slots() EXCLUDES(slots_mu_);
  // The call of `id` when the log holds it and it is not deleted.
  Result<bool> read_live(std::int64_t id, CallRecord& out) const;
  // Reads the page's calls by id, in order.
  Status read_page(const std::vector<std::int64_t>& ids, std::vector<CallRecord>& rows) const;
  // Calls visit for each live call of the account (every account: nullopt) in (after, through].
  Status scan_live(std::optional<std::int64_t> account_id, std::int64_t after_id,
                   std::int64_t through_id,
                   const std::function<bool(std::int64_t, const CallRecord&)>& visit) const;

  // The writer's stage of a group (group_commit.h): the duplicates, the ids, one append.
  void write_group(Group& group);
  // How many calls ahead write_group asks for the uuid map's slots.
  static constexpr std::size_t kUuidPrefetchAhead = 8;
  // Asks the CPU for the slots of `s`'s uuid map that a look-up of `hash` reads first. Without
  // the map's lock: it reads the map's capacity and where its arrays are, which only the writer
  // thread (its caller) changes, by an add that grows the map (retention's remove, on another
  // thread under the lock, changes entries only), and a prefetch reads and changes no entry.
  static void prefetch_uuid(const Slot& s, std::uint64_t hash) NO_THREAD_SAFETY_ANALYSIS;
  // The publisher's: the calls into the list indexes, then the answers.
  void publish(Group& group);

  const std::string dir_;
  const int query_budget_ms_;
  Start start_;
  const std::unique_ptr<CallLog> log_;
  const std::unique_ptr<DeletedCalls> deleted_;
  const int lock_fd_;

  Mutex slots_mu_;
  std::unordered_map<std::int64_t, std::unique_ptr<Slot>> slots_ GUARDED_BY(slots_mu_);

  // The writer's: the next id to give, and its buffers, reused from batch to batch (a batch's
  // uuids folded with their hashes, and its calls' slots).
  std::int64_t next_id_ = 1;
  index::FoldedUuids folded_;
  std::vector<Slot*> batch_slots_;
  // Retention's: one delete at a time.
  Mutex delete_mu_;
  // Last, so that it stops (writing what is queued) before the members its stages use go.
  GroupCommit<QueuedBatch, Slot> commit_;
};

}  // namespace cdrd::segment
