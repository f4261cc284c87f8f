// SqliteCallStore: the CallStore (store/call_store.h) kept in the calls table of a
// sqlite::Database (database.h). Once insert_calls returns ok, the batch survives a process
// crash and a power loss, and the very next list counts it.
//
// Lists are answered by the account's list index (call_indexes.h, store/index/): the index
// counts the matches and names the row ids of the page, which are then read by primary key, all
// under the account's index lock, so count and page agree. list_calls_scan answers the same
// query with SQL over the table's own indexes: the reference the differential tests compare
// with, and the answer for the rare query or account the index cannot answer exactly.
//
// Writes go through one writer thread (group commit, store/group_commit.h, shared with the
// segment store): insert_calls and insert_calls_async queue
// their batch, and the writer commits every batch waiting (up to kMaxGroupRecords calls) in one
// transaction, so one fsync serves several requests, then hands the group to the publisher
// thread and goes on with the next group; the publisher adds the rows to the list index and only
// then fulfils each batch's future (groups in the order they committed). Each batch has its own
// savepoint inside the transaction: a batch refused by a constraint (an unknown account) is rolled
// back alone and the others commit; a failure of the transaction itself fails every batch of it,
// and nothing of them is written. Batches are written in the order they were queued, so of two
// batches holding the same call the earlier one stores it.
//
// After ingest the list index is packed again in the background: once the writer has had no
// batch for a second, it runs AccountCallIndex::compact_step on each account that took calls,
// one bounded step at a time under the account's index lock, and looks at its queue between two
// steps, so neither a list nor a batch waits for more than one step.
//
// Duplicates (the table has no unique uuid key since migration 10) are found in the account's
// CallUuidMap (call_uuid_map.h, docs/architecture.md "Duplicates in memory"), checked against
// the row, inside the group's write transaction; before it the writer reads the rows another
// connection committed since its last look (PRAGMA data_version).
//
// Errors: insert_calls fails with kInvalidArgument (nothing written) when a record names an
// account that does not exist; a read past its time budget fails kUnavailable; storage failures
// are kIOError. Thread-safety: safe for concurrent use; the Database must outlive it.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/mutex.h"
#include "store/call_store.h"
#include "store/group_commit.h"
#include "store/sqlite/database.h"

namespace cdrd::index {
struct SnapshotMeta;
}  // namespace cdrd::index

namespace cdrd {

class SqliteCallStore final : public CallStore {
 public:
  // The most calls one group transaction takes (a batch larger than this is one group alone).
  static constexpr std::size_t kMaxGroupRecords = 40'000;

  explicit SqliteCallStore(sqlite::Database& db);
  // Writes what is queued, then stops the writer thread.
  ~SqliteCallStore() override;
  SqliteCallStore(const SqliteCallStore&) = delete;
  SqliteCallStore& operator=(const SqliteCallStore&) = delete;

  Result<std::vector<InsertOutcome>> insert_calls(const std::vector<CallRecord>& records) override;
  std::future<Result<std::vector<InsertOutcome>>> insert_calls_async(
      std::vector<CallRecord> records) override;
  // The records of an answered insert_calls_async batch: the next enqueue after a batch is
  // answered keeps its records (at most kSpentKept batches of at most kSpentMaxRecords records)
  // instead of freeing them.
  std::vector<CallRecord> take_spent_records() override;
  static constexpr std::size_t kSpentKept = 4;
  static constexpr std::size_t kSpentMaxRecords = 16'384;
  Result<std::optional<CallRecord>> find_call(std::int64_t account_id, std::string_view call_uuid,
                                              Micros served_from) override;
  // Reads only the SIP-trunk columns of the row.
  Result<std::optional<CallRecord>> find_trunk_call(std::int64_t account_id,
                                                    std::string_view call_uuid,
                                                    Micros served_from) override;
  // The account's uuid map (call_uuid_map.h), then one read by row id.
  bool find_call_is_local() const override { return true; }
  // Unless the account's uuid map is still to be built from more than kInlineUuidBuildCalls
  // rows (after a start from the table, before the background builder got to it): that
  // retrieve builds it first (or waits for the builder), seconds at millions of calls.
  bool find_call_is_bounded(std::int64_t account_id) override;
  // A page of at most 32 rows (one statement) whose matches the account's list index,
  // already built, finds through its postings (AccountCallIndex::selective). Never waits: while
  // the index is held for writing (the publisher adding calls, a compaction step), false.
  bool list_is_bounded(const CallQuery& query) override;
  // A cloud-PBX flow filter value "in" matches inbound calls and "out" outbound ones; other
  // values match nothing.
  Result<Page<CallRecord>> list_calls(const CallQuery& query) override;
  // The same answer as list_calls, from SQL alone (one read transaction): the account's
  // matching rows read once through calls_by_account, sorted in memory, the page read by id.
  Result<Page<CallRecord>> list_calls_scan(const CallQuery& query);
  // One pass over the account's rows (calls_by_account, storage order), those the list filter
  // selects summed into a map of at most max_rows + 1 (period, group) rows with checked integer
  // additions.
  Result<UsageAnswer> usage(const UsageQuery& query) override;
  // One range of calls_by_account (migration 8); the ids are never reused (insert_calls).
  Result<std::vector<StoredCall>> calls_stored_after(std::int64_t account_id, std::int64_t after_id,
                                                     Micros served_from, int limit) override;
  // Walks the accounts and deletes each one's oldest expired calls (found in its list index) by
  // row id; the legs are a column of the call row, so they go with it. The freed pages stay in the
  // file and are reused by later inserts (no VACUUM: that would rewrite the whole file).
  Result<std::int64_t> export_calls(const ExportQuery& query, std::int64_t after_id,
                                    std::int64_t through_id, const ExportRowFn& row) override;
  Result<std::int64_t> last_call_id() override;
  Result<std::int64_t> delete_calls_ended_before(Micros floor, int max_rows) override;

  // Diagnostics: the EXPLAIN QUERY PLAN lines of the statements list_calls would run for
  // `query` (page first, then count; each line "page: ..." / "count: ..."), and of find_call.
  Result<std::vector<std::string>> explain_list_calls(const CallQuery& query);
  Result<std::vector<std::string>> explain_find_call();

  // Builds the list index of every account that has none yet (a server does it before it
  // serves, so that the first list of each account is fast). Returns the calls indexed.
  Result<std::int64_t> build_indexes();

  // Test seam: runs on the writer thread after each group's commit and before the group goes
  // to the publisher, so before its rows are added to the list index (nullptr: none). Set it
  // while no batch is being written.
  void set_after_commit_hook(std::function<void()> hook) EXCLUDES(config_mu_);
  // How many calls without cloud-PBX fields, quality metrics or legs the writer puts in one
  // INSERT statement (sqlite::insert_trunk_only_calls_sql): kRowsPerInsert, or 1 for one
  // statement per call. The rows, their ids, the outcomes and the errors are the same either
  // way (a test seam: the differential test writes the same batches both ways). Set it while no
  // batch is being written.
  static constexpr int kRowsPerInsert = 32;
  void set_rows_per_insert(int rows) EXCLUDES(config_mu_);
  // How a start got its list indexes: loaded from the index snapshot, or built from the table
  // (then `why` says why not from the snapshot).
  struct IndexStart {
    std::int64_t calls = 0;
    bool from_snapshot = false;
    std::string why;
    // The uuid maps (call_uuid_map.h) loaded from their snapshot beside it (uuid_snapshot.h),
    // or why none was (then each is built from the table on its account's first write or
    // lookup).
    std::size_t uuid_accounts = 0, uuid_calls = 0;
    std::string uuid_why;
  };
  // The most calls of an account whose uuid map a retrieve may still build on an I/O thread
  // (a millisecond or so), and the rows one read of a build takes (well inside a read's time
  // budget; the build's other reads follow, each on its own; a read over the budget is
  // followed by reads of half as many rows, down to kUuidBuildMinRows).
  static constexpr std::int64_t kInlineUuidBuildCalls = 4096;
  static constexpr std::int64_t kUuidBuildRows = 32'768;
  static constexpr std::int64_t kUuidBuildMinRows = 256;
  // After a start that did not load every account's uuid map from the uuid snapshot: builds
  // each missing map (of an account with calls) on a thread of its own, the accounts with the
  // most calls first, reading the table in bounded reads outside the
  // database's write lock, so that the first retrieve or write of an account finds its map
  // built, and the next clean stop writes every map. Memory: the maps the snapshot would have
  // brought (16 to 24 bytes a call, call_uuid_map.h). A server calls it once it serves; a
  // second call does nothing.
  void start_uuid_builds() EXCLUDES(builder_mu_);
  // Stops the background builder (after the read it is in) and waits for it; the maps not
  // built yet are built on their account's first use. The clean stop calls it before
  // save_index_snapshot, and the destructor does.
  void stop_uuid_builds() EXCLUDES(builder_mu_);
  // Accounts the background builder has not got to yet (0 when none was started), for tests.
  std::size_t uuid_builds_pending() const {
    return uuid_builds_pending_.load(std::memory_order_acquire);
  }
  // The start of a server: loads every account's index from the index snapshot (index_snapshot.h)
  // when the database holds the snapshot's token and its highest call id, else (or on any
  // doubt about the file) build_indexes().
  Result<IndexStart> load_or_build_indexes();
  // The clean stop of a server, after its last write: writes every built index to the snapshot
  // file, then records the file's token in the database. kConflict (nothing written) when another
  // connection wrote to the database since it was opened; kInvalidArgument when an index is not
  // exact. Writes that come after it make the snapshot unused (their open or their change of a
  // call takes the token away).
  // The uuid maps are written beside it (uuid_snapshot.h) with the same token; that file only
  // saves time, so failing to write it fails nothing: `uuids_saved` (when given) says.
  struct UuidSnapshotSaved {
    bool written = false;
    std::size_t accounts = 0, calls = 0;
    std::string why;
  };
  Status save_index_snapshot(UuidSnapshotSaved* uuids_saved = nullptr);

 private:
  using Slot = sqlite::CallIndexes::Slot;
  // The uuid maps' side of load_or_build_indexes and save_index_snapshot.
  void load_uuid_maps(const std::string& token, std::int64_t last_call_id,
                      const std::vector<std::int64_t>& accounts, IndexStart& start);
  void save_uuid_maps(const index::SnapshotMeta& meta,
                      const std::vector<std::pair<std::int64_t, Slot*>>& slots,
                      UuidSnapshotSaved* saved);
  // The account's slot with its index built.
  Result<Slot*> built_slot(std::int64_t account_id);
  // find_call (every column) or find_trunk_call (trunk_only: the SIP-trunk columns).
  Result<std::optional<CallRecord>> find_call_columns(std::int64_t account_id,
                                                      std::string_view call_uuid,
                                                      Micros served_from, bool trunk_only);
  // Records, for every account whose list index is built and whose uuid map is not, the calls
  // a build of the map would read (Slot::uuids_unbuilt_calls).
  void note_unbuilt_uuid_maps();
  // Builds the account's uuid map from the table unless it is built (Slot::uuids_build_mu,
  // then bounded reads, then the catch-up under the database's write lock); kUnavailable when
  // `stop` (if given) is set between two reads.
  Status build_uuid_map(Slot& slot, std::int64_t account_id, const std::atomic<bool>* stop);

  // One batch in the writer's queue: its records (owned, or those of a waiting insert_calls),
  // the index slots of its accounts (built before it was queued), and where its answer goes.
  struct QueuedBatch {
    std::vector<CallRecord> owned;
    const std::vector<CallRecord>* records = nullptr;
    std::map<std::int64_t, Slot*> slots;
    std::promise<Result<std::vector<InsertOutcome>>> done;
    // Filled by the writer: the row id of each record (0: not stored) and its outcome.
    std::vector<std::int64_t> row_ids;
    std::vector<InsertOutcome> outcomes;
    Status status;
  };
  // Builds the batch's slots and uuid maps, then queues it (group_commit.h) and returns its
  // future.
  std::future<Result<std::vector<InsertOutcome>>> enqueue(std::unique_ptr<QueuedBatch> batch);
  // The writer's stage (group_commit.h): writes one group in one transaction and hands it to
  // the publisher (a group that failed is answered here).
  void write_group(std::vector<std::unique_ptr<QueuedBatch>>& group) EXCLUDES(config_mu_);
  // The publisher's: adds a committed group's rows to the list index, then answers every batch
  // of it.
  void publish(std::vector<std::unique_ptr<QueuedBatch>>& group);

  sqlite::Database& db_;
  // The writer's settings (test seams), read once a group.
  Mutex config_mu_;
  std::function<void()> after_commit_ GUARDED_BY(config_mu_);
  int rows_per_insert_ GUARDED_BY(config_mu_) = kRowsPerInsert;
  // The background builder of the uuid maps (start_uuid_builds).
  Mutex builder_mu_;
  std::thread builder_ GUARDED_BY(builder_mu_);
  std::atomic<bool> stop_builds_{false};
  std::atomic<std::size_t> uuid_builds_pending_{0};
  // The queue, the writer and the publisher; last, so that it stops (writing what is queued)
  // before the members its stages use go.
  GroupCommit<QueuedBatch, Slot> commit_;
};

}  // namespace cdrd
