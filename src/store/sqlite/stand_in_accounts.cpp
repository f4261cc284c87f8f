#include "store/sqlite/stand_in_accounts.h"

#include <future>
#include <string>
#include <utility>
#include <vector>

namespace cdrd::sqlite {

Status StandInAccountsCallStore::add_stand_ins(const std::vector<CallRecord>& records) {
  std::vector<std::int64_t> missing;
  {
    MutexLock lock(&mu_);
    for (const CallRecord& r : records) {
      if (!present_.contains(r.account_id) && (missing.empty() || missing.back() != r.account_id)) {
        missing.push_back(r.account_id);
      }
    }
  }
  if (!missing.empty()) {
    RETURN_IF_ERROR(db_.write_transaction([&](Connection& c) -> Status {
      for (const std::int64_t id : missing) {
        const std::string stand_in = "stand-in:" + std::to_string(id);
        RETURN_IF_ERROR(
            c.run("INSERT INTO accounts (id, auth_id, name, token_hash, created_at) "
                  "VALUES (?, ?, '', '', 0) ON CONFLICT (id) DO NOTHING",
                  id, stand_in));
        ASSIGN_OR_RETURN(
            const bool ours,
            c.exists("SELECT 1 FROM accounts WHERE id = ? AND auth_id = ?", id, stand_in));
        if (!ours) {
          return Status::Conflict(
              "account " + std::to_string(id) +
              " of the control plane is a different account in this calls database; give this "
              "node a new calls database");
        }
      }
      return Status::Ok();
    }));
    MutexLock lock(&mu_);
    present_.insert(missing.begin(), missing.end());
  }
  return Status::Ok();
}

Result<std::vector<InsertOutcome>> StandInAccountsCallStore::insert_calls(
    const std::vector<CallRecord>& records) {
  RETURN_IF_ERROR(add_stand_ins(records));
  return inner().insert_calls(records);
}

std::future<Result<std::vector<InsertOutcome>>> StandInAccountsCallStore::insert_calls_async(
    std::vector<CallRecord> records) {
  if (Status s = add_stand_ins(records); !s.ok()) {
    std::promise<Result<std::vector<InsertOutcome>>> refused;
    refused.set_value(std::move(s));
    return refused.get_future();
  }
  return inner().insert_calls_async(std::move(records));
}

}  // namespace cdrd::sqlite
