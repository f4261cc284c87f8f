#include "store/sqlite/sqlite_db.h"

#include <utility>

namespace cdrd::sqlite {

Statement::~Statement() { sqlite3_finalize(stmt_); }

Result<bool> Statement::step() {
  if (bind_rc_ != SQLITE_OK) return conn_->error(bind_rc_, "bind");
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return conn_->error(rc, "step");
}

Status Statement::run() {
  for (;;) {
    Result<bool> r = step();
    if (!r.ok()) return r.status();
    if (!*r) return Status::Ok();
  }
}

void Statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  bind_rc_ = SQLITE_OK;
}

std::string Statement::text(int c) const {
  const unsigned char* p = sqlite3_column_text(stmt_, c);
  int n = sqlite3_column_bytes(stmt_, c);
  if (p == nullptr) return std::string();
  return std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(n));
}

std::string_view Statement::blob(int c) const {
  const void* p = sqlite3_column_blob(stmt_, c);
  int n = sqlite3_column_bytes(stmt_, c);
  if (p == nullptr) return std::string_view();
  return std::string_view(static_cast<const char*>(p), static_cast<std::size_t>(n));
}

Result<std::unique_ptr<Connection>> Connection::open(const std::string& path,
                                                     const ConnectionOptions& opts) {
  if (sqlite3_threadsafe() == 0) {
    return Status::Internal("sqlite: the library was built without thread support");
  }
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
  if (opts.create) flags |= SQLITE_OPEN_CREATE;
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close_v2(db);
    return Status::IOError("sqlite open " + path + ": " + msg);
  }
  std::unique_ptr<Connection> conn(new Connection(db));
  sqlite3_extended_result_codes(db, 1);

  // Per-connection settings. synchronous=FULL: in WAL mode every commit syncs the WAL, so an
  // acknowledged write survives power loss (NORMAL would only survive an application crash).
  std::string pragmas = "PRAGMA busy_timeout=" + std::to_string(opts.busy_timeout_ms) +
                        ";PRAGMA foreign_keys=ON"
                        ";PRAGMA synchronous=FULL"
                        ";PRAGMA temp_store=MEMORY"
                        ";PRAGMA cache_size=-" + std::to_string(opts.cache_kib) + ";";
  if (opts.read_only) pragmas += "PRAGMA query_only=ON;";
  if (Status s = conn->exec(pragmas); !s.ok()) return s;
  return conn;
}

Connection::~Connection() {
  cache_.clear();  // finalize every statement before closing
  sqlite3_close_v2(db_);
}

Status Connection::exec(const std::string& sql) {
  char* err = nullptr;
  int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err);
  if (rc == SQLITE_OK) return Status::Ok();
  std::string msg = err ? err : sqlite3_errstr(rc);
  sqlite3_free(err);
  return Status::IOError("sqlite exec: " + msg + " (code " + std::to_string(rc) + ")");
}

Result<StatementRef> Connection::prepare(const std::string& sql) {
  auto it = cache_.find(sql);
  if (it != cache_.end() && !it->second->in_use_) return StatementRef(it->second.get());
  if (it != cache_.end()) {
    // The same text is already on loan in this scope (not done by the store); refuse rather than
    // hand out one statement twice.
    return Status::Internal("sqlite: statement already in use: " + sql);
  }
  if (cache_.size() >= kMaxCachedStatements) {
    // Evict one idle statement. The shapes of list queries vary with the filters; the fixed
    // statements are re-prepared cheaply if they are ever the victim.
    for (auto e = cache_.begin(); e != cache_.end(); ++e) {
      if (!e->second->in_use_) {
        cache_.erase(e);
        break;
      }
    }
  }
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                              SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) return error(rc, "prepare");
  if (stmt == nullptr) return Status::Internal("sqlite prepare: empty statement: " + sql);
  auto [pos, inserted] = cache_.emplace(sql, std::make_unique<Statement>(stmt, this));
  return StatementRef(pos->second.get());
}

Result<std::unique_ptr<Statement>> Connection::prepare_uncached(const std::string& sql) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
  if (rc != SQLITE_OK) return error(rc, "prepare");
  if (stmt == nullptr) return Status::Internal("sqlite prepare: empty statement: " + sql);
  return std::make_unique<Statement>(stmt, this);
}

Status Connection::error(int rc, std::string_view what) const {
  // sqlite3_errmsg describes the most recent failure on this handle, which is the one at hand
  // (a connection is used by one thread at a time).
  std::string msg = "sqlite ";
  msg += what;
  msg += ": ";
  msg += sqlite3_errmsg(db_);
  if (msg.ends_with("not an error")) {
    msg.resize(msg.size() - 12);
    msg += sqlite3_errstr(rc);
  }
  msg += " (code " + std::to_string(rc) + ")";
  return Status::IOError(std::move(msg));
}

Result<Transaction> Transaction::begin(Connection& conn, Kind kind) {
  Result<StatementRef> st = conn.prepare(kind == Kind::kWrite ? "BEGIN IMMEDIATE" : "BEGIN");
  if (!st.ok()) return st.status();
  if (Status s = (*st)->run(); !s.ok()) return s;
  return Transaction(&conn);
}

Transaction::~Transaction() {
  if (conn_ == nullptr || !conn_->in_transaction()) return;
  if (Result<StatementRef> st = conn_->prepare("ROLLBACK"); st.ok()) (void)(*st)->run();
}

Status Transaction::commit() {
  if (conn_ == nullptr) return Status::Internal("sqlite: commit of a finished transaction");
  Result<StatementRef> st = conn_->prepare("COMMIT");
  if (!st.ok()) return st.status();
  Status s = (*st)->run();
  if (s.ok()) conn_ = nullptr;  // else the destructor rolls back
  return s;
}

}  // namespace cdrd::sqlite
