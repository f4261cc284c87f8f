// A thin RAII layer over the SQLite C API, used only inside the sqlite store.
//
//   Connection  one sqlite3 handle, its pragmas, and a cache of prepared statements
//   Statement   one prepared statement: bind helpers, step, column readers
//   StatementRef a borrowed cached statement; reset (and its bindings cleared) when it goes out
//               of scope, so no statement keeps a read snapshot open by accident
//   Transaction BEGIN [IMMEDIATE] ... COMMIT, rolled back when dropped uncommitted
//   Connection::run / query / query_one / query_all / exists / query_int  one statement in one
//               line: prepare (cached), bind the arguments to ?1, ?2, ... in order, step:
//                 RETURN_IF_ERROR(c.run("UPDATE accounts SET name = ? WHERE id = ?", name, id));
//                 ASSIGN_OR_RETURN(auto found, c.query_one(sql, read_account, auth_id));
//   make_private_dir / make_private_db_files  the modes of the data directory (0700) and of the
//               database, its -wal and its -shm (0600), whatever the umask
//
// Errors are Status values (kIOError carrying SQLite's message); nothing here throws. A read
// stopped by its time budget (ConnectionOptions::time_budget_ms) is kUnavailable instead;
// query_int on a statement that yields no row, and a cached statement asked for again while on
// loan, are kInternal (bugs in the caller).
// Thread-safety: none. A Connection and everything borrowed from it belong to one thread at a
// time (sqlite::Database, database.h, hands connections out under its own locks); connections
// are opened with SQLITE_OPEN_NOMUTEX for that reason.
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
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

#include "core/money.h"
#include "core/status.h"

namespace cdrd::sqlite {

class Connection;

// A value bound as a BLOB (a string binds as TEXT). A view: the bytes must outlive the step.
struct Blob {
  std::string_view bytes;
};

// A value of a WHERE clause assembled at run time (call_filter.h, the trunk list filter).
using SqlValue = std::variant<std::int64_t, std::string>;

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
  void bind(int i, Blob v) { bind_blob(i, v.bytes); }
  void bind(int i, Money v) { bind(i, v.units()); }
  void bind(int i, const SqlValue& v) {
    std::visit([&](const auto& x) { bind(i, x); }, v);
  }
  template <class T>
  void bind(int i, const std::optional<T>& v) {
    if (v) {
      bind(i, *v);
    } else {
      bind_null(i);
    }
  }
  // Binds `args` to the parameters first, first + 1, ... in order; a std::vector<SqlValue>
  // takes one parameter per element. Returns the index after the last one bound.
  template <class... Args>
  int bind_all(int first, const Args&... args) {
    int i = first;
    (bind_next(i, args), ...);
    return i;
  }

  // Advances: true when a row is ready, false when done.
  Result<bool> step();
  // Steps to completion, ignoring rows.
  Status run();
  // Steps through the rows, calling fn(const Statement&) on each; fn returns void or a Status
  // (a failed one stops the walk and is returned).
  template <class Fn>
  Status for_each(Fn&& fn);
  // Ready for the next use: resets and clears the bindings.
  void reset();
  // Ready to step again, keeping the bindings: for a statement whose every parameter is bound
  // again before each step (clearing them first would be work thrown away).
  void rewind();

  // Column readers, 0-based. NULL reads as 0 / "" / nullopt.
  bool is_null(int c) const { return sqlite3_column_type(stmt_, c) == SQLITE_NULL; }
  std::int64_t int64(int c) const { return sqlite3_column_int64(stmt_, c); }
  double real(int c) const { return sqlite3_column_double(stmt_, c); }
  std::string text(int c) const;
  // The text of column c without a copy: valid until the statement steps or resets.
  std::string_view text_view(int c) const;
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
  template <class T>
  void bind_next(int& i, const T& v) {
    bind(i++, v);
  }
  void bind_next(int& i, const std::vector<SqlValue>& values) {
    for (const SqlValue& v : values) bind(i++, v);
  }
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

  // One statement in one line. Each prepares `sql` from the cache and binds `args` to its
  // parameters 1, 2, ... (Statement::bind_all: integers, bool, double, strings, Blob, Money,
  // optional<> as NULL when empty, SqlValue, vector<SqlValue>). Text and blobs are bound without
  // a copy; these helpers finish with the statement before they return, so temporaries are fine.
  //
  // Runs `sql` to completion (changes() and last_insert_rowid() tell what it did).
  template <class... Args>
  Status run(const std::string& sql, const Args&... args);
  // The statement, bound and ready to step. The bound values must outlive the stepping, so
  // an owning temporary (a std::string, ...) is refused at compile time: pass an lvalue.
  template <class... Args>
  Result<StatementRef> query(const std::string& sql, Args&&... args);
  // The first row, read by `read` (T(const Statement&) or Result<T>(const Statement&)), or
  // nullopt when there is none.
  template <class Read, class... Args>
  auto query_one(const std::string& sql, Read&& read, const Args&... args);
  // Every row, read by `read` as in query_one.
  template <class Read, class... Args>
  auto query_all(const std::string& sql, Read&& read, const Args&... args);
  // Whether `sql` yields a row.
  template <class... Args>
  Result<bool> exists(const std::string& sql, const Args&... args);
  // The integer in the first column of the first row; kInternal when there is no row.
  template <class... Args>
  Result<std::int64_t> query_int(const std::string& sql, const Args&... args);

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
  // Whether a statement since start_budget() was interrupted by the budget.
  bool interrupted_by_budget() const { return interrupted_by_budget_; }

  static constexpr int kBudgetCheckSteps = 1000;

 private:
  explicit Connection(sqlite3* db) : db_(db) {}
  static constexpr std::size_t kMaxCachedStatements = 64;
  // prepare(sql) with `args` bound to its parameters 1, 2, ...
  template <class... Args>
  Result<StatementRef> prepare_bound(const std::string& sql, const Args&... args);
  static int over_budget(void* self);  // the progress handler: nonzero interrupts

  sqlite3* db_;
  std::chrono::milliseconds budget_{0};
  std::chrono::steady_clock::time_point deadline_ = std::chrono::steady_clock::time_point::max();
  bool interrupted_by_budget_ = false;
  std::unordered_map<std::string, std::unique_ptr<Statement>> cache_;
};

namespace detail {
template <class R>
struct RowOf {
  using type = R;
};
template <class T>
struct RowOf<Result<T>> {
  using type = T;
};
// The type a row reader makes: T for T(const Statement&) and Result<T>(const Statement&).
template <class Read>
using row_of_t = typename RowOf<std::invoke_result_t<Read&, const Statement&>>::type;

// Types that own the bytes a bind points at: a temporary of one dies before the statement
// steps, so Connection::query refuses them.
template <class T>
struct OwnsBytes : std::false_type {};
template <>
struct OwnsBytes<std::string> : std::true_type {};
template <>
struct OwnsBytes<std::optional<std::string>> : std::true_type {};
template <>
struct OwnsBytes<SqlValue> : std::true_type {};
template <>
struct OwnsBytes<std::vector<SqlValue>> : std::true_type {};
}  // namespace detail

template <class Fn>
Status Statement::for_each(Fn&& fn) {
  for (;;) {
    ASSIGN_OR_RETURN(const bool row, step());
    if (!row) return Status::Ok();
    if constexpr (std::is_void_v<std::invoke_result_t<Fn&, const Statement&>>) {
      fn(static_cast<const Statement&>(*this));
    } else {
      RETURN_IF_ERROR(fn(static_cast<const Statement&>(*this)));
    }
  }
}

template <class... Args>
Result<StatementRef> Connection::prepare_bound(const std::string& sql, const Args&... args) {
  ASSIGN_OR_RETURN(StatementRef st, prepare(sql));
  st->bind_all(1, args...);
  return st;
}

template <class... Args>
Status Connection::run(const std::string& sql, const Args&... args) {
  ASSIGN_OR_RETURN(StatementRef st, prepare_bound(sql, args...));
  return st->run();
}

template <class... Args>
Result<StatementRef> Connection::query(const std::string& sql, Args&&... args) {
  static_assert(((!std::is_rvalue_reference_v<Args&&> ||
                  !detail::OwnsBytes<std::remove_cvref_t<Args>>::value) &&
                 ...),
                "query(): a bound string must outlive the statement; pass an lvalue");
  return prepare_bound(sql, args...);
}

template <class Read, class... Args>
auto Connection::query_one(const std::string& sql, Read&& read, const Args&... args) {
  using T = detail::row_of_t<Read>;
  return [&]() -> Result<std::optional<T>> {
    ASSIGN_OR_RETURN(StatementRef st, prepare_bound(sql, args...));
    ASSIGN_OR_RETURN(const bool row, st->step());
    if (!row) return std::optional<T>();
    ASSIGN_OR_RETURN(T value, Result<T>(read(static_cast<const Statement&>(*st))));
    return std::optional<T>(std::move(value));
  }();
}

template <class Read, class... Args>
auto Connection::query_all(const std::string& sql, Read&& read, const Args&... args) {
  using T = detail::row_of_t<Read>;
  return [&]() -> Result<std::vector<T>> {
    ASSIGN_OR_RETURN(StatementRef st, prepare_bound(sql, args...));
    std::vector<T> out;
    RETURN_IF_ERROR(st->for_each([&](const Statement& row) -> Status {
      ASSIGN_OR_RETURN(T value, Result<T>(read(row)));
      out.push_back(std::move(value));
      return Status::Ok();
    }));
    return out;
  }();
}

template <class... Args>
Result<bool> Connection::exists(const std::string& sql, const Args&... args) {
  ASSIGN_OR_RETURN(StatementRef st, prepare_bound(sql, args...));
  return st->step();
}

template <class... Args>
Result<std::int64_t> Connection::query_int(const std::string& sql, const Args&... args) {
  ASSIGN_OR_RETURN(StatementRef st, prepare_bound(sql, args...));
  ASSIGN_OR_RETURN(const bool row, st->step());
  if (!row) return Status::Internal(std::string("sqlite: no row from ") + st->sql());
  return st->int64(0);
}

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
