// SqliteStore::ReaderLease, shared by the .cpp files that implement SqliteStore (the store's
// own reads and the RatingStore part in sqlite_rating.cpp). Internal to the sqlite store.
#pragma once

#include <memory>
#include <mutex>
#include <utility>

#include "store/sqlite/sqlite_db.h"
#include "store/sqlite/sqlite_store.h"

namespace cdrd {

// A reader connection on loan from the pool; returned to it (or closed, if the pool is full)
// when the lease ends.
class SqliteStore::ReaderLease {
 public:
  ReaderLease(SqliteStore* store, std::unique_ptr<sqlite::Connection> conn)
      : store_(store), conn_(std::move(conn)) {
    conn_->start_budget();  // every read of the store gets SqliteOptions::query_budget_ms
  }
  ReaderLease(ReaderLease&& o) noexcept : store_(o.store_), conn_(std::move(o.conn_)) {}
  ReaderLease& operator=(ReaderLease&&) = delete;
  ~ReaderLease() {
    if (!conn_) return;
    conn_->stop_budget();
    if (conn_->in_transaction()) (void)conn_->exec("ROLLBACK");  // never park a snapshot
    std::lock_guard lock(store_->pool_mu_);
    if (store_->idle_readers_.size() < store_->opts_.max_idle_readers) {
      store_->idle_readers_.push_back(std::move(conn_));
    }
  }
  sqlite::Connection& operator*() const { return *conn_; }
  sqlite::Connection* operator->() const { return conn_.get(); }

 private:
  SqliteStore* store_;
  std::unique_ptr<sqlite::Connection> conn_;
};

}  // namespace cdrd
