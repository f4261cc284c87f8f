#include "store/sqlite/sqlite_db.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
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
    ASSIGN_OR_RETURN(const bool row, step());
    if (!row) return Status::Ok();
  }
}

void Statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  bind_rc_ = SQLITE_OK;
}

void Statement::rewind() {
  sqlite3_reset(stmt_);
  bind_rc_ = SQLITE_OK;
}

std::string Statement::text(int c) const {
  const unsigned char* p = sqlite3_column_text(stmt_, c);
  int n = sqlite3_column_bytes(stmt_, c);
  if (p == nullptr) return std::string();
  return std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(n));
}

std::string_view Statement::text_view(int c) const {
  const unsigned char* p = sqlite3_column_text(stmt_, c);
  const int n = sqlite3_column_bytes(stmt_, c);
  if (p == nullptr) return {};
  return {reinterpret_cast<const char*>(p), static_cast<std::size_t>(n)};
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
  // Once per process, before SQLite initialises itself (the first open): no global memory
  // statistics. Kept, they take a process-wide mutex around every allocation SQLite makes (a
  // few per row written), which nothing here reads (no sqlite3_memory_used, no heap limit).
  // After initialisation the call fails harmlessly (SQLITE_MISUSE) and the default stays.
  static const int memstatus_off = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  (void)memstatus_off;
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
                        ";PRAGMA cache_size=-" +
                        std::to_string(opts.cache_kib) + ";";
  if (opts.read_only) pragmas += "PRAGMA query_only=ON;";
  RETURN_IF_ERROR(conn->exec(pragmas));
  if (opts.time_budget_ms > 0) {
    conn->budget_ = std::chrono::milliseconds(opts.time_budget_ms);
    sqlite3_progress_handler(db, kBudgetCheckSteps, &Connection::over_budget, conn.get());
  }
  return conn;
}

int Connection::over_budget(void* self) {
  auto* c = static_cast<Connection*>(self);
  if (std::chrono::steady_clock::now() < c->deadline_) return 0;
  c->interrupted_by_budget_ = true;
  return 1;
}

void Connection::start_budget() {
  if (budget_.count() == 0) return;
  interrupted_by_budget_ = false;
  deadline_ = std::chrono::steady_clock::now() + budget_;
}

void Connection::stop_budget() {
  // The rollback that follows an interrupted read must not be interrupted in turn.
  deadline_ = std::chrono::steady_clock::time_point::max();
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
  if ((rc & 0xff) == SQLITE_INTERRUPT && interrupted_by_budget_) {
    return Status::Unavailable("query over its time budget of " + std::to_string(budget_.count()) +
                               " ms; narrow the filter or try again");
  }
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
  RETURN_IF_ERROR(conn.run(kind == Kind::kWrite ? "BEGIN IMMEDIATE" : "BEGIN"));
  return Transaction(&conn);
}

Transaction::~Transaction() {
  if (conn_ == nullptr || !conn_->in_transaction()) return;
  (void)conn_->run("ROLLBACK");
}

Status Transaction::commit() {
  if (conn_ == nullptr) return Status::Internal("sqlite: commit of a finished transaction");
  Status s = conn_->run("COMMIT");
  if (s.ok()) conn_ = nullptr;  // else the destructor rolls back
  return s;
}

namespace {

bool open_to_others(mode_t mode) { return (mode & 077) != 0; }

// chmod `path` to `mode` when it exists and is open to group or others; logs what it did.
Status tighten(const std::string& path, mode_t mode, const char* what) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return Status::Ok();
    return Status::IOError("cannot stat " + path + ": " + std::strerror(errno));
  }
  if (!open_to_others(st.st_mode)) return Status::Ok();
  if ((st.st_mode & S_ISVTX) != 0) {
    // A shared directory such as /tmp: restricting it would break everyone else.
    spdlog::warn(
        "{} {} is a shared directory (sticky, mode {:04o}); left as it is: give cdrd a "
        "directory of its own",
        what, path, st.st_mode & 07777);
    return Status::Ok();
  }
  if (::chmod(path.c_str(), mode) != 0) {
    return Status::IOError("cannot restrict the mode of " + path + " to " +
                           (mode == 0700 ? "0700" : "0600") + ": " + std::strerror(errno));
  }
  spdlog::warn("{} {} was open to other users (mode {:04o}); restricted it to {:04o}", what, path,
               st.st_mode & 07777, mode);
  return Status::Ok();
}

}  // namespace

Status make_private_dir(const std::filesystem::path& dir, bool tighten_existing) {
  if (dir.empty()) return Status::Ok();
  std::error_code ec;
  if (std::filesystem::is_directory(dir, ec)) {
    return tighten_existing ? tighten(dir.string(), 0700, "data directory") : Status::Ok();
  }
  RETURN_IF_ERROR(make_private_dir(dir.parent_path(), false));
  // mkdir's mode is masked by the umask, so the mode is set again explicitly.
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return Status::IOError("cannot create " + dir.string() + ": " + std::strerror(errno));
  }
  if (::chmod(dir.c_str(), 0700) != 0) {
    return Status::IOError("cannot set the mode of " + dir.string() + ": " + std::strerror(errno));
  }
  return Status::Ok();
}

Status make_private_db_files(const std::string& db_path) {
  const int fd = ::open(db_path.c_str(), O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd >= 0) {
    ::close(fd);
    if (::chmod(db_path.c_str(), 0600) != 0) {
      return Status::IOError("cannot set the mode of " + db_path + ": " + std::strerror(errno));
    }
  } else if (errno != EEXIST) {
    return Status::IOError("cannot create " + db_path + ": " + std::strerror(errno));
  }
  for (const char* suffix : {"", "-wal", "-shm"}) {
    RETURN_IF_ERROR(tighten(db_path + suffix, 0600, "database file"));
  }
  return Status::Ok();
}

}  // namespace cdrd::sqlite
