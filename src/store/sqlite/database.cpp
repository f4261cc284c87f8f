#include "store/sqlite/database.h"

#include <pthread.h>

#include <filesystem>
#include <string>
#include <system_error>
#include <utility>

#include "store/sqlite/migrations.h"
#include "store/sqlite/secret_keys.h"

namespace cdrd::sqlite {

Result<std::unique_ptr<Database>> Database::open(const std::string& path, SqliteOptions opts) {
  if (path.empty() || path == ":memory:" || path.starts_with("file:")) {
    return Status::Invalid("sqlite store: a database file path is required, got '" + path + "'");
  }
  if (Status s = make_private_dir(std::filesystem::path(path).parent_path(), false); !s.ok()) {
    return Status::IOError("sqlite store: " + s.message());
  }
  if (Status s = make_private_db_files(path); !s.ok()) {
    return Status::IOError("sqlite store: " + s.message());
  }
  ConnectionOptions co;
  co.create = true;
  co.busy_timeout_ms = opts.busy_timeout_ms;
  co.cache_kib = opts.writer_cache_kib;
  ASSIGN_OR_RETURN(std::unique_ptr<Connection> writer, Connection::open(path, co));

  // WAL persists in the file; setting it again is a no-op. It must be confirmed, as SQLite
  // silently keeps the old mode where WAL is impossible (e.g. some network file systems).
  ASSIGN_OR_RETURN(
      const std::optional<std::string> mode,
      writer->query_one("PRAGMA journal_mode=WAL", [](const Statement& st) { return st.text(0); }));
  if (mode != "wal") {
    return Status::IOError("sqlite store: cannot use WAL journal mode for " + path);
  }
  // Keep the WAL file from staying huge after a big ingest has been checkpointed.
  RETURN_IF_ERROR(writer->exec("PRAGMA journal_size_limit=67108864"));
  RETURN_IF_ERROR(migrate(*writer));
  // The index snapshot's token: taken away before anything else can write, so that a snapshot
  // is trusted by one start at most, and never after a write it does not hold.
  std::optional<std::string> token;
  {
    ASSIGN_OR_RETURN(Transaction tx, Transaction::begin(*writer, Transaction::Kind::kWrite));
    ASSIGN_OR_RETURN(token, writer->query_one("SELECT token FROM index_snapshot WHERE id = 1",
                                              [](const Statement& st) { return st.text(0); }));
    // Only when there is one: a command that writes nothing leaves the database unchanged.
    if (token) RETURN_IF_ERROR(writer->exec("DELETE FROM index_snapshot"));
    RETURN_IF_ERROR(tx.commit());
  }
  ASSIGN_OR_RETURN(const std::int64_t data_version, writer->query_int("PRAGMA data_version"));
  ASSIGN_OR_RETURN(std::shared_ptr<const SecretBox> secrets, open_secrets(*writer, path));
  std::unique_ptr<Database> db(new Database(path, opts, std::move(writer), std::move(secrets)));
  db->snapshot_token_ = std::move(token);
  db->data_version_ = data_version;
  if (opts.checkpoint_pages > 0) {
    MutexLock lock(&db->write_mu_);
    // Replaces SQLite's automatic checkpoint of this connection (which runs in the commit).
    sqlite3_wal_hook(db->writer_->handle(), &Database::on_wal_commit, db.get());
    db->checkpointer_ = std::thread([d = db.get()] { d->checkpoint_loop(); });
  }
  return db;
}

int Database::on_wal_commit(void* self, sqlite3*, const char*, int pages) {
  auto* db = static_cast<Database*>(self);
  db->wal_pages_.store(pages, std::memory_order_relaxed);
  if (pages < db->opts_.checkpoint_pages) return SQLITE_OK;
  {
    MutexLock lock(&db->checkpoint_mu_);
    // One pass at a time, and none before the writer copied the tail of the last one.
    if (db->checkpoint_state_ != CheckpointState::kIdle) return SQLITE_OK;
    db->checkpoint_state_ = CheckpointState::kWanted;
  }
  db->checkpoint_cv_.signal();
  return SQLITE_OK;
}

void Database::checkpoint_if_behind() {
  if (opts_.checkpoint_pages <= 0) return;
  bool tail = false;
  {
    MutexLock lock(&checkpoint_mu_);
    if (checkpoint_state_ == CheckpointState::kDone) {
      checkpoint_state_ = CheckpointState::kIdle;
      tail = true;
    }
  }
  // The background pass copied the log up to where it began; the commits since are the tail.
  if (!tail && wal_pages_.load(std::memory_order_relaxed) < opts_.checkpoint_hard_pages) return;
  // No write can start meanwhile (the write lock is held), so this copies the rest of the log
  // and the next write starts it over (rewriting the same file pages instead of growing the
  // file), unless a read still uses its older pages.
  int log = 0, copied = 0;
  (void)sqlite3_wal_checkpoint_v2(writer_->handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE, &log,
                                  &copied);
  wal_pages_.store(0, std::memory_order_relaxed);
}

void Database::checkpoint_loop() {
  pthread_setname_np(pthread_self(), "cdrd-checkpoint");  // for ps, top, perf and bench/ingest.sh
  ConnectionOptions co;
  co.busy_timeout_ms = opts_.busy_timeout_ms;
  co.cache_kib = 1024;
  Result<std::unique_ptr<Connection>> conn = Connection::open(path_, co);
  for (;;) {
    {
      MutexLock lock(&checkpoint_mu_);
      while (checkpoint_state_ != CheckpointState::kWanted && !checkpoint_stop_) {
        checkpoint_cv_.wait();
      }
      if (checkpoint_stop_) return;
      checkpoint_state_ = CheckpointState::kRunning;
    }
    // PASSIVE: copies what no reader still needs, waits for nobody, and lets commits go on.
    // A failure is left to the next pass (or to the writer's own, checkpoint_if_behind).
    if (conn.ok()) {
      int log = 0, copied = 0;
      (void)sqlite3_wal_checkpoint_v2((*conn)->handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE, &log,
                                      &copied);
    }
    MutexLock lock(&checkpoint_mu_);
    checkpoint_state_ = CheckpointState::kDone;
  }
}

Database::Database(std::string path, SqliteOptions opts, std::unique_ptr<Connection> writer,
                   std::shared_ptr<const SecretBox> secrets)
    : path_(std::move(path)),
      opts_(opts),
      writer_(std::move(writer)),
      secrets_(std::move(secrets)) {}

Database::~Database() {
  {
    MutexLock lock(&checkpoint_mu_);
    checkpoint_stop_ = true;
  }
  checkpoint_cv_.signal_all();
  if (checkpointer_.joinable()) checkpointer_.join();
  {
    MutexLock lock(&pool_mu_);
    idle_readers_.clear();
  }
  MutexLock lock(&write_mu_);
  // Refresh the planner statistics where they went stale; analysis_limit keeps this quick on
  // big tables. Best effort: a failure here loses nothing.
  (void)writer_->exec("PRAGMA analysis_limit=400; PRAGMA optimize;");
  writer_.reset();  // the last connection: SQLite checkpoints and removes the WAL
}

bool Database::checks_off() {
  if (writer_unchecked_) return true;
  // Both are flags of the connection (no I/O). SQLite then prepares each statement again on its
  // next run, as it must once checks are added or left out.
  if (writer_->in_transaction()) return false;
  sqlite3* db = writer_->handle();
  int keys = 1;
  if (sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_FKEY, 0, &keys) != SQLITE_OK || keys != 0 ||
      !writer_->exec("PRAGMA ignore_check_constraints=ON").ok()) {
    (void)sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_FKEY, 1, &keys);
    return false;
  }
  writer_unchecked_ = true;
  return true;
}

Status Database::checks_on() {
  if (!writer_unchecked_) return Status::Ok();
  int keys = 0;
  if (sqlite3_db_config(writer_->handle(), SQLITE_DBCONFIG_ENABLE_FKEY, 1, &keys) != SQLITE_OK ||
      keys != 1) {
    return Status::Internal("sqlite: the writer's foreign key checks cannot be turned on again");
  }
  RETURN_IF_ERROR(writer_->exec("PRAGMA ignore_check_constraints=OFF"));
  writer_unchecked_ = false;
  return Status::Ok();
}

Database::ReaderLease::ReaderLease(Database* db, std::unique_ptr<Connection> conn)
    : db_(db), conn_(std::move(conn)) {
  conn_->start_budget();
}

Database::ReaderLease::~ReaderLease() {
  if (!conn_) return;
  if (conn_->interrupted_by_budget()) {
    db_->reads_over_budget_.fetch_add(1, std::memory_order_relaxed);
  }
  conn_->stop_budget();
  if (conn_->in_transaction()) (void)conn_->exec("ROLLBACK");  // never park a snapshot
  db_->give_back(std::move(conn_));
}

void Database::give_back(std::unique_ptr<Connection> conn) {
  MutexLock lock(&pool_mu_);
  if (idle_readers_.size() < opts_.max_idle_readers) idle_readers_.push_back(std::move(conn));
}

Result<Database::ReaderLease> Database::reader() {
  {
    MutexLock lock(&pool_mu_);
    if (!idle_readers_.empty()) {
      std::unique_ptr<Connection> conn = std::move(idle_readers_.back());
      idle_readers_.pop_back();
      return ReaderLease(this, std::move(conn));
    }
  }
  // Opened outside the lock: opening a file is slow and other readers may be returning.
  ConnectionOptions co;
  co.read_only = true;
  co.busy_timeout_ms = opts_.busy_timeout_ms;
  co.cache_kib = opts_.reader_cache_kib;
  co.time_budget_ms = opts_.query_budget_ms;
  ASSIGN_OR_RETURN(std::unique_ptr<Connection> conn, Connection::open(path_, co));
  return ReaderLease(this, std::move(conn));
}

Result<bool> Database::unchanged_by_others(Connection& writer) const {
  ASSIGN_OR_RETURN(const std::int64_t version, writer.query_int("PRAGMA data_version"));
  return version == data_version_;
}

Status Database::check_reachable() {
  return with_reader([](Connection& c) -> Status {
    ASSIGN_OR_RETURN(const std::int64_t one, c.query_int("SELECT 1"));
    if (one != 1) return Status::Internal("SELECT 1 answered " + std::to_string(one));
    return Status::Ok();
  });
}

Status Database::check_schema() {
  return with_reader([](Connection& c) -> Status {
    ASSIGN_OR_RETURN(const std::int64_t version, c.query_int("PRAGMA user_version"));
    if (version != latest_schema_version()) {
      return Status::Unavailable("the schema is at version " + std::to_string(version) +
                                 ", this build needs " + std::to_string(latest_schema_version()));
    }
    return Status::Ok();
  });
}

Result<std::int64_t> Database::size_bytes() const {
  std::int64_t total = 0;
  for (const std::string& file : {path_, path_ + "-wal"}) {
    std::error_code ec;
    const std::uintmax_t size = std::filesystem::file_size(file, ec);
    if (ec == std::errc::no_such_file_or_directory && file != path_) continue;
    if (ec) return Status::IOError("size of " + file + ": " + ec.message());
    total += static_cast<std::int64_t>(size);
  }
  return total;
}

std::shared_ptr<const SecretBox> Database::secrets() const {
  MutexLock lock(&secrets_mu_);
  return secrets_;
}

Result<int> Database::rotate_secret_key() {
  MutexLock lock(&write_mu_);
  RETURN_IF_ERROR(checks_on());
  ASSIGN_OR_RETURN(RotatedKey rotated, rotate_key(*writer_, path_, *secrets()));
  MutexLock slock(&secrets_mu_);
  secrets_ = std::move(rotated.box);
  return rotated.resealed;
}

}  // namespace cdrd::sqlite
