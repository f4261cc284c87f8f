// PgAccountStore: the AccountStore (store/call_store.h) kept in the accounts table of the
// PostgreSQL control plane (pg_database.h), shared by every node.
//
// Errors: kConflict for a taken auth_id, kNotFound for an unknown account id, kUnavailable while
// PostgreSQL cannot be reached, kIOError for other database failures. Thread-safety: safe for
// concurrent use; the Database must outlive it.
#pragma once

#include "store/call_store.h"
#include "store/postgres/pg_database.h"

namespace cdrd::postgres {

class PgAccountStore final : public AccountStore {
 public:
  explicit PgAccountStore(Database& db) : db_(db) {}

  Result<Account> create_account(const std::string& name, const std::string& auth_id,
                                 const std::string& token_hash) override;
  Result<std::optional<Account>> find_account_by_auth_id(std::string_view auth_id) override;
  // The oldest account of that name (names are not unique).
  Result<std::optional<Account>> find_account_by_name(std::string_view name) override;
  Status set_token_hash(std::int64_t account_id, const std::string& token_hash) override;
  Status set_default_country(std::int64_t account_id, const std::string& country) override;
  // Oldest first.
  Result<std::vector<Account>> list_accounts() override;

 private:
  Database& db_;
};

}  // namespace cdrd::postgres
