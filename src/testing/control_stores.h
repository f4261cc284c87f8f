// The control-plane stores (AccountStore, RatingStore, OAuthStore, TrunkStore) of either backend,
// for the conformance tests that run every rule against both (docs/scale-out.md, "Tests"):
//   "sqlite"    the sqlite stores in a TempDir (testing/stores.h)
//   "postgres"  the PostgreSQL stores over a new database of the test server (testing/postgres.h),
//               their billing side over the sqlite store of a TempDir, as `cdrd serve --control`
// reopen() closes and opens the stores again on the same data, as a restart would. A backend that
// cannot run here (no test PostgreSQL) has skip_reason set. Test code only.
#pragma once

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include "store/postgres/stores.h"
#include "testing/postgres.h"
#include "testing/stores.h"
#include "testing/temp_dir.h"

namespace cdrd::testing {

class ControlStores {
 public:
  explicit ControlStores(std::string backend) : backend_(std::move(backend)) {
    if (backend_ == "postgres") {
      const PostgresServer server = test_postgres();
      if (server.url.empty()) {
        skip_reason_ = server.skip_reason;
        return;
      }
      database_.emplace(server.url);
    }
    reopen();
  }
  ~ControlStores() { close(); }
  ControlStores(const ControlStores&) = delete;
  ControlStores& operator=(const ControlStores&) = delete;

  const std::string& skip_reason() const { return skip_reason_; }
  bool is_postgres() const { return backend_ == "postgres"; }
  const TestDatabase& database() const { return *database_; }
  const std::string& key_file() const { return key_file_; }

  AccountStore& accounts() {
    return pg_ ? static_cast<AccountStore&>(pg_->accounts) : sqlite_->accounts;
  }
  RatingStore& rating() { return pg_ ? static_cast<RatingStore&>(pg_->rating) : sqlite_->rating; }
  OAuthStore& oauth() { return pg_ ? static_cast<OAuthStore&>(pg_->oauth) : sqlite_->oauth; }
  TrunkStore& trunks() { return pg_ ? static_cast<TrunkStore&>(pg_->trunks) : sqlite_->trunks; }

  // Another node (or process) on the same data: its own stores, as open as these.
  std::unique_ptr<postgres::ControlStores> open_another_postgres() {
    postgres::PgOptions options;
    options.url = database_->url();
    options.key_file = key_file_;
    Result<std::unique_ptr<postgres::ControlStores>> s =
        postgres::open_control_stores(options, sqlite_->rating);
    if (!s.ok()) throw std::runtime_error("cannot open the stores: " + s.status().message());
    return std::move(s).value();
  }

  void reopen() {
    close();
    sqlite_ = open_stores_in(dir_);
    if (!is_postgres()) return;
    pg_ = open_another_postgres();
  }

  Account add_account(const std::string& name, const std::string& auth_id,
                      const std::string& token_hash = "h") {
    Result<Account> a = accounts().create_account(name, auth_id, token_hash);
    if (!a.ok()) throw std::runtime_error("cannot add test account: " + a.status().message());
    return *a;
  }

 private:
  void close() {
    pg_.reset();
    sqlite_.reset();
  }

  std::string backend_;
  std::string skip_reason_;
  TempDir dir_{"cdrd_control_"};
  std::string key_file_ = dir_.file("control.key");
  std::optional<TestDatabase> database_;
  std::unique_ptr<sqlite::Stores> sqlite_;
  std::unique_ptr<postgres::ControlStores> pg_;
};

}  // namespace cdrd::testing
