// A thin RAII layer over the SQLite C API, used only inside the sqlite store.
//
//   Connection  one sqlite3 handle, its pragmas, and a cache of prepared statements
//   Statement   one prepared statement: bind helpers, step, column readers
//   StatementRef a borrowed cached statement; reset (and its bindings cleared) when it goes out
//               of scope, so no statement keeps a read snapshot open by accident
//   Transaction BEGIN [IMMEDIATE] ... COMMIT, rolled back when dropped uncommitted
//   make_private_dir / make_private_db_files  the modes of the data directory (0700) and of the
//               database, its -wal and its -shm (0600), whatever the umask
//
// Errors are Status values (kIOError carrying SQLite's message); nothing here throws. A read
// stopped by its time budget (ConnectionOptions::time_budget_ms) is kUnavailable instead.
// Thread-safety: none. A Connection and everything borrowed from it belong to one thread at a
// time (the store hands connections out under its own locks); connections are opened with
// SQLITE_OPEN_NOMUTEX for that reason.
//
// Text and blob binds are SQLITE_STATIC: the caller keeps the bound bytes alive until the
// statement is reset, which StatementRef does at the end of the scope that bound them.
#pragma once

#include <sqlite3.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/status.h"

namespace cdrd::sqlite {

class Connection;

class Statement {
 public:
  Statement(sqlite3_stmt* stmt, Connection* conn) : stmt_(stmt), conn_(conn) {}
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Binds, 1-based. A failed bind is remembered and reported by the next step().
  void bind(int i, std::int64_t v) { check(sqlite3_bind_int64(stmt_, i, v)); }
  void bind(int i, int v) { check(sqlite3_bind_int64(stmt_, i, v)); }
  void bind(int i, bool v) { check(sqlite3_bind_int64(stmt_, i, v ? 1 : 0)); }
  void bind(int i, double v) { check(sqlite3_bind_double(stmt_, i, v)); }
  void bind(int i, std::string_view v) {
    check(sqlite3_bind_text64(stmt_, i, v.data(), v.size(), SQLITE_STATIC, SQLITE_UTF8));
  }
  void bind(int i, const std::string& v) { bind(i, std::string_view(v)); }
  void bind(int i, const char* v) = delete;  // ambiguous lifetime: pass a string_view
  void bind_blob(int i, std::string_view v) {
    check(sqlite3_bind_blob64(stmt_, i, v.data(), v.size(), SQLITE_STATIC));
  }
  void bind_null(int i) { check(sqlite3_bind_null(stmt_, i)); }
  template <class T>
  void bind(int i, const std::optional<T>& v) {
    if (v) {
      bind(i, *v);
    } else {
      bind_null(i);
    }
  }

  // Advances: true when a row is ready, false when done.
  Result<bool> step();
  // Steps to completion, ignoring rows.
  Status run();
  // Ready for the next use: resets and clears the bindings.
  void reset();

  // Column readers, 0-based. NULL reads as 0 / "" / nullopt.
  bool is_null(int c) const { return sqlite3_column_type(stmt_, c) == SQLITE_NULL; }
  std::int64_t int64(int c) const { return sqlite3_column_int64(stmt_, c); }
  double real(int c) const { return sqlite3_column_double(stmt_, c); }
  std::string text(int c) const;
  std::string_view blob(int c) const;
  std::optional<std::int64_t> opt_int64(int c) const {
    return is_null(c) ? std::nullopt : std::optional<std::int64_t>(int64(c));
  }
  std::optional<double> opt_real(int c) const {
    return is_null(c) ? std::nullopt : std::optional<double>(real(c));
  }
  std::optional<std::string> opt_text(int c) const {
    return is_null(c) ? std::nullopt : std::optional<std::string>(text(c));
  }

  sqlite3_stmt* handle() const { return stmt_; }
  const char* sql() const { return sqlite3_sql(stmt_); }

 private:
  friend class Connection;
  friend class StatementRef;
  void check(int rc) {
    if (rc != SQLITE_OK && bind_rc_ == SQLITE_OK) bind_rc_ = rc;
  }

  sqlite3_stmt* stmt_;
  Connection* conn_;
  int bind_rc_ = SQLITE_OK;
  bool in_use_ = false;
};

// A cached statement on loan; resets it and gives it back to the cache when destroyed.
class StatementRef {
 public:
  explicit StatementRef(Statement* s) : s_(s) { s_->in_use_ = true; }
  ~StatementRef() {
    if (s_) {
      s_->reset();
      s_->in_use_ = false;
    }
  }
  StatementRef(StatementRef&& o) noexcept : s_(o.s_) { o.s_ = nullptr; }
  StatementRef& operator=(StatementRef&&) = delete;
  StatementRef(const StatementRef&) = delete;

  Statement* operator->() const { return s_; }
  Statement& operator*() const { return *s_; }

 private:
  Statement* s_;
};

struct ConnectionOptions {
  bool read_only = false;  // query_only: the reader connections of the pool
  bool create = false;     // create the file when missing
  int busy_timeout_ms = 5000;
  int cache_kib = 8 * 1024;
  // Readers: how long the statements run between start_budget() and stop_budget() may take
  // together; past it the running statement is interrupted and fails kUnavailable. 0 = no limit.
  // Checked every kBudgetCheckSteps virtual-machine steps, so the overrun is a fraction of a ms.
  int time_budget_ms = 0;
};

class Connection {
 public:
  // Opens `path` and applies the per-connection pragmas (busy_timeout, foreign_keys,
  // synchronous=FULL, cache_size, temp_store, query_only for readers).
  static Result<std::unique_ptr<Connection>> open(const std::string& path,
                                                  const ConnectionOptions& opts);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs SQL text that yields no rows we care about (pragmas, DDL, BEGIN/COMMIT).
  Status exec(const std::string& sql);
  // A prepared statement from this connection's cache (prepared on first use).
  Result<StatementRef> prepare(const std::string& sql);
  // A one-off statement (not cached), e.g. for statements whose text is seen once.
  Result<std::unique_ptr<Statement>> prepare_uncached(const std::string& sql);

  // The Status for a failed call that returned `rc`: kIOError "sqlite <what>: <message>".
  Status error(int rc, std::string_view what) const;
  int changes() const { return sqlite3_changes(db_); }
  std::int64_t last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }
  bool in_transaction() const { return sqlite3_get_autocommit(db_) == 0; }
  sqlite3* handle() const { return db_; }

  // The time budget (ConnectionOptions::time_budget_ms) starts now / stops. Without a budget
  // both do nothing.
  void start_budget();
  void stop_budget();

  static constexpr int kBudgetCheckSteps = 1000;

 private:
  explicit Connection(sqlite3* db) : db_(db) {}
  static constexpr std::size_t kMaxCachedStatements = 64;
  static int over_budget(void* self);  // the progress handler: nonzero interrupts

  sqlite3* db_;
  std::chrono::milliseconds budget_{0};
  std::chrono::steady_clock::time_point deadline_ = std::chrono::steady_clock::time_point::max();
  bool interrupted_by_budget_ = false;
  std::unordered_map<std::string, std::unique_ptr<Statement>> cache_;
};

// BEGIN (deferred: a read snapshot starts at the first read) or BEGIN IMMEDIATE (takes the write
// lock now). Rolled back on destruction unless commit() succeeded.
class Transaction {
 public:
  enum class Kind { kRead, kWrite };
  static Result<Transaction> begin(Connection& conn, Kind kind);
  Transaction(Transaction&& o) noexcept : conn_(o.conn_) { o.conn_ = nullptr; }
  Transaction& operator=(Transaction&&) = delete;
  ~Transaction();
  Status commit();

 private:
  explicit Transaction(Connection* conn) : conn_(conn) {}
  Connection* conn_;
};

// Creates `dir` and its missing parents; each directory it creates gets mode 0700, whatever the
// umask. With `tighten_existing` (the caller owns `dir`, e.g. cdrd's data directory), an
// existing `dir` open to group or others is chmod-ed to 0700 and a warning is logged (a sticky,
// shared directory such as /tmp is only warned about).
Status make_private_dir(const std::filesystem::path& dir, bool tighten_existing);

// Gives the database file at `db_path` mode 0600: a missing file is created empty with 0600
// (SQLite then gives its -wal and -shm the same mode), and an existing database, -wal or -shm
// open to group or others is chmod-ed to 0600 with a warning logged.
Status make_private_db_files(const std::string& db_path);

}  // namespace cdrd::sqlite
