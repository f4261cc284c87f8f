// The real sqlite stores (store/sqlite/stores.h) in a TempDir, for the unit tests that test
// through them: open_stores_in() opens the database file of the directory (made on the first
// open; a second open is what another process would see), add_account() adds an account. The
// one store setup of the unit tests; test code only, linked with the sqlite store.
// A store that does not open or refuses the account is a broken test setup: both throw
// std::runtime_error, which fails the test. Thread-safety: as the stores.
#pragma once

#include <memory>
#include <stdexcept>
#include <string>

#include "core/account.h"
#include "store/sqlite/stores.h"
#include "testing/temp_dir.h"

namespace cdrd::testing {

// The stores over `dir`'s cdrd.db.
inline std::unique_ptr<sqlite::Stores> open_stores_in(const TempDir& dir) {
  Result<std::unique_ptr<sqlite::Stores>> s = sqlite::open_stores(dir.file("cdrd.db"));
  if (!s.ok()) throw std::runtime_error("cannot open the test stores: " + s.status().message());
  return std::move(s).value();
}

// A new account `name` with the given auth id and secret hash.
inline Account add_account(sqlite::Stores& stores, const std::string& name,
                           const std::string& auth_id, const std::string& secret_hash = "h") {
  Result<Account> a = stores.accounts.create_account(name, auth_id, secret_hash);
  if (!a.ok()) throw std::runtime_error("cannot add test account: " + a.status().message());
  return *a;
}

}  // namespace cdrd::testing
