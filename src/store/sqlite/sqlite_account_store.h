// SqliteAccountStore: the AccountStore (store/call_store.h) kept in the accounts table of a
// sqlite::Database (database.h), whose durability, single serialised writer and reader pool it
// shares with the other sqlite stores.
//
// Errors: kConflict for a taken auth_id, kNotFound for an unknown account id, kIOError for
// storage failures. Thread-safety: safe for concurrent use; the Database must outlive it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/call_store.h"
#include "store/sqlite/database.h"

namespace cdrd {

class SqliteAccountStore final : public AccountStore {
 public:
  explicit SqliteAccountStore(sqlite::Database& db) : db_(db) {}

  Result<Account> create_account(const std::string& name, const std::string& auth_id,
                                 const std::string& token_hash) override;
  Result<std::optional<Account>> find_account_by_auth_id(std::string_view auth_id) override;
  // The oldest account of that name (names are not unique).
  Result<std::optional<Account>> find_account_by_name(std::string_view name) override;
  // kNotFound when no account has that id.
  Status set_token_hash(std::int64_t account_id, const std::string& token_hash) override;
  Status set_default_country(std::int64_t account_id, const std::string& country) override;
  // Oldest first.
  Result<std::vector<Account>> list_accounts() override;

 private:
  sqlite::Database& db_;
};

}  // namespace cdrd
