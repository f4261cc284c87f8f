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
#include <future>
#include <set>
#include <vector>

#include "core/mutex.h"
#include "store/forwarding_call_store.h"
#include "store/sqlite/database.h"
#include "store/sqlite/sqlite_call_store.h"

namespace cdrd::sqlite {

class StandInAccountsCallStore final : public ForwardingCallStore {
 public:
  StandInAccountsCallStore(Database& db, SqliteCallStore& calls)
      : ForwardingCallStore(calls), db_(db) {}

  Result<std::vector<InsertOutcome>> insert_calls(const std::vector<CallRecord>& records) override;
  std::future<Result<std::vector<InsertOutcome>>> insert_calls_async(
      std::vector<CallRecord> records) override;

 private:
  // Adds the stand-in row of every account of `records` this database does not hold yet.
  Status add_stand_ins(const std::vector<CallRecord>& records);

  Database& db_;
  Mutex mu_;
  std::set<std::int64_t> present_ GUARDED_BY(mu_);  // ids known to have a row here
};

}  // namespace cdrd::sqlite
