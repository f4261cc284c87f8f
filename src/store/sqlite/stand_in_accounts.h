// StandInAccountsCallStore: the calls of this sqlite database for a node whose accounts live in
// another store (the PostgreSQL control plane, docs/scale-out.md). calls.account_id keeps its
// foreign key to this database's accounts table, so before a batch is stored every account it
// names gets a stand-in row here, once: the control plane's id, auth_id "stand-in:<id>" (no
// client can present it: real auth ids are "MA" + 18 letters and digits), name '' and an empty
// token hash (no token hashes to it). Nothing authenticates against these rows; they exist so
// the calls' key holds. Everything else is SqliteCallStore's, unchanged.
//
// Errors: as SqliteCallStore; kConflict when this database already holds a real account under
// one of the ids (a database used without --control before: start the node on a new one).
// Thread-safety: safe for concurrent use; the Database and the SqliteCallStore must outlive it.
#pragma once

#include <cstdint>
#include <set>

#include "core/mutex.h"
#include "store/sqlite/database.h"
#include "store/sqlite/sqlite_call_store.h"

namespace cdrd::sqlite {

class StandInAccountsCallStore final : public CallStore {
 public:
  StandInAccountsCallStore(Database& db, SqliteCallStore& calls) : db_(db), calls_(calls) {}

  Result<std::vector<InsertOutcome>> insert_calls(const std::vector<CallRecord>& records) override;
  Result<std::optional<CallRecord>> find_call(std::int64_t account_id, std::string_view call_uuid,
                                              Micros served_from) override {
    return calls_.find_call(account_id, call_uuid, served_from);
  }
  Result<Page<CallRecord>> list_calls(const CallQuery& query) override {
    return calls_.list_calls(query);
  }
  Result<UsageAnswer> usage(const UsageQuery& query) override { return calls_.usage(query); }
  Result<std::vector<StoredCall>> calls_stored_after(std::int64_t account_id, std::int64_t after_id,
                                                     Micros served_from, int limit) override {
    return calls_.calls_stored_after(account_id, after_id, served_from, limit);
  }
  Result<std::int64_t> delete_calls_ended_before(Micros floor, int max_rows) override {
    return calls_.delete_calls_ended_before(floor, max_rows);
  }

 private:
  Database& db_;
  SqliteCallStore& calls_;
  Mutex mu_;
  std::set<std::int64_t> present_ GUARDED_BY(mu_);  // ids known to have a row here
};

}  // namespace cdrd::sqlite
