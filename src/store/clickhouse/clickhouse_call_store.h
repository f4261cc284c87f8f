// ClickHouseCallStore: the CallStore over a ClickHouse server (docs/clickhouse.md), for the
// deployments whose calls outgrow one machine. Accounts and the rest stay in their own store;
// only the calls live here. It speaks ClickHouse's HTTP interface (clickhouse::Client) and is
// written for ClickHouse 18.16, the version Debian 12 ships, and later.
//
// Tables (created or migrated by open(), versioned in `cdrd_schema`):
//   calls      ReplacingMergeTree(version), PARTITION BY month of end_time, ORDER BY
//              (account_id, end_time, call_key): an account's time window is one range of the
//              sort key; a month is dropped whole by retention.
//   call_keys  (account_id, call_key) -> end_time, id: the lookup of a call by its uuid (ingest's
//              duplicate check, find_call), sorted by the key.
//
// Answers equal the sqlite store's (the conformance test compares them): the same filters,
// exact total_count, the same order with ties broken by storage id.
//
// Idempotency: a batch's uuids are looked up before it is written (under this node's write
// lock), so a retried batch is reported kDuplicate; and every read dedupes (FINAL) rows of one
// (account, end_time, uuid), keeping the first stored, so a batch that was written twice (an
// answer lost after the insert, or two nodes racing on one call) never counts twice, also
// before ClickHouse merges the parts.
//
// Sharded layout (cluster=NAME): each listed server holds calls_local and call_keys_local, and
// `calls` and `call_keys` are Distributed tables over them, sharded by a hash of (account, key),
// so every copy of a call lands on one shard; inserts wait for the shard (insert_distributed_
// sync) before they are acknowledged; retention runs on each shard's local tables.
//
// Storage ids (the change feed): ((microseconds since 2024-01-01) << 4) | node, rising within
// a node and above every id in the table at start, never reused. With several writing nodes
// ids rise per node only (see docs/clickhouse.md); feed_lag_ms=N in the URL makes the feed leave
// out the ids of the last N ms, so a reader is not passed by another node's late insert as long
// as inserts and the nodes' clock difference stay within N.
//
// Errors: kUnavailable when ClickHouse is down, slow past the budget or refusing for load
// (503 with Retry-After in the APIs); kIOError for a refused statement or a corrupt answer.
// insert_calls acknowledges only what ClickHouse answered 200 to.
// Thread-safety: safe for concurrent use; this node's writes are serialised.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/mutex.h"
#include "store/call_store.h"
#include "store/clickhouse/client.h"

namespace cdrd::clickhouse {

struct StoreOptions {
  ClientOptions client;
  // How long delete_calls_ended_before waits for ClickHouse's mutation to finish.
  std::chrono::milliseconds mutation_wait{120'000};
};

// The schema version this build writes and reads.
constexpr int kSchemaVersion = 1;

class ClickHouseCallStore final : public CallStore {
 public:
  // Connects to `url` (clickhouse://HOST:PORT[,HOST:PORT...]/DATABASE[?node=N&cluster=NAME]),
  // creates the database and the tables or migrates them to kSchemaVersion (on every shard, with
  // the Distributed tables over them, when `cluster` is set). kUnavailable when the server cannot
  // be reached; kIOError when its schema is newer than this build's.
  static Result<std::unique_ptr<ClickHouseCallStore>> open(std::string_view url,
                                                           StoreOptions options = {});

  Result<std::vector<InsertOutcome>> insert_calls(const std::vector<CallRecord>& records) override;
  Result<std::optional<CallRecord>> find_call(std::int64_t account_id, std::string_view call_uuid,
                                              Micros served_from) override;
  Result<Page<CallRecord>> list_calls(const CallQuery& query) override;
  Result<UsageAnswer> usage(const UsageQuery& query) override;
  Result<std::vector<StoredCall>> calls_stored_after(std::int64_t account_id, std::int64_t after_id,
                                                     Micros served_from, int limit) override;
  // The export reads a window's end_times without FINAL, then its calls through FINAL within
  // them, the exported columns only, in id order. Ids are sparse (time-based), so
  // next_export_id tells an export where the next matching call is.
  Result<std::int64_t> export_calls(const ExportQuery& query, std::int64_t after_id,
                                    std::int64_t through_id, const ExportRowFn& row) override;
  Result<std::int64_t> next_export_id(const ExportQuery& query, std::int64_t after_id) override;
  Result<std::int64_t> last_call_id() override;
  // Whole months before `floor` are dropped as partitions; the rest by one mutation, waited
  // for. One call deletes every call before `floor` and returns how many (which may be more
  // than max_rows), so a caller that stops at a short batch stops after the next call.
  Result<std::int64_t> delete_calls_ended_before(Micros floor, int max_rows) override;

  // Ok when the server answers; for the readiness check.
  Status check_reachable();
  const Endpoint& endpoint() const { return client_.endpoint(); }

  ClickHouseCallStore(const Endpoint& endpoint, StoreOptions options);

 private:
  Status migrate();
  Status migrate_server(Client& client);
  Result<std::vector<StoredCall>> select_calls(const std::string& sql);
  // The calls `where` matches in the order and range of `tail` ("ORDER BY ... LIMIT ..."), in
  // two reads: their ids through FINAL, then their rows.
  Result<std::vector<StoredCall>> select_in_order(const std::string& where,
                                                  const std::string& tail);

  Client client_;  // the first server: every read and write
  const StoreOptions options_;
  const bool sharded_;                           // cluster=NAME: Distributed tables
  const std::string in_;                         // " GLOBAL IN " when sharded, else " IN "
  std::vector<std::unique_ptr<Client>> shards_;  // every server: schema and retention
  Mutex write_mu_;
  std::int64_t last_tick_ GUARDED_BY(write_mu_) = 0;  // the id's time part last given
};

}  // namespace cdrd::clickhouse
