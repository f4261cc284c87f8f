// SqliteCallStore: the CallStore (store/call_store.h) kept in the calls table of a
// sqlite::Database (database.h). Once insert_calls returns ok, the batch survives a process
// crash and a power loss; list_calls answers its page and its total_count from one snapshot.
//
// Errors: insert_calls fails with kInvalidArgument (nothing written) when a record names an
// account that does not exist; a read past its time budget fails kUnavailable; storage failures
// are kIOError. Thread-safety: safe for concurrent use; the Database must outlive it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/call_store.h"
#include "store/sqlite/database.h"

namespace cdrd {

class SqliteCallStore final : public CallStore {
 public:
  explicit SqliteCallStore(sqlite::Database& db) : db_(db) {}

  Result<std::vector<InsertOutcome>> insert_calls(const std::vector<CallRecord>& records) override;
  Result<std::optional<CallRecord>> find_call(std::int64_t account_id, std::string_view call_uuid,
                                              Micros served_from) override;
  // A cloud-PBX flow filter value "in" matches inbound calls and "out" outbound ones; other
  // values match nothing.
  Result<Page<CallRecord>> list_calls(const CallQuery& query) override;
  // Walks the accounts and deletes each one's oldest expired calls through its end_time index;
  // the legs are a column of the call row, so they go with it. The freed pages stay in the
  // file and are reused by later inserts (no VACUUM: that would rewrite the whole file).
  Result<std::int64_t> delete_calls_ended_before(Micros floor, int max_rows) override;

  // Diagnostics: the EXPLAIN QUERY PLAN lines of the statements list_calls would run for
  // `query` (page first, then count; each line "page: ..." / "count: ..."), and of find_call.
  Result<std::vector<std::string>> explain_list_calls(const CallQuery& query);
  Result<std::vector<std::string>> explain_find_call();

 private:
  sqlite::Database& db_;
};

}  // namespace cdrd
