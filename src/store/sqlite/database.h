// sqlite::Database: the one SQLite database file every sqlite store works in, and what they
// share: the writer connection, the pool of reader connections, the box that seals secrets,
// the time budget of each read, and the schema (brought up to date by open()). The stores
// (SqliteAccountStore, SqliteCallStore, SqliteRatingStore, SqliteOAuthStore, SqliteTrunkStore;
// stores.h builds all five) each take a Database& and run their statements through
// with_writer / write_transaction and with_reader / read_transaction.
//
// Durability: WAL mode with synchronous=FULL; once a write transaction commits, the data
// survives a process crash and a power loss.
//
// Thread-safety: safe for concurrent use from any number of threads. All writes go through the
// one writer connection and are serialised by write_mu_. Each read borrows a connection from a
// pool of reader connections (one is opened when every pooled one is busy, and returned to the
// pool afterwards), so reads run in parallel with each other and with the writer; a read
// transaction sees one consistent snapshot that includes every write that returned before it
// began. The Database must outlive the stores built over it.
//
// Files: the directories open() creates are 0700 and the database, its -wal and -shm 0600,
// whatever the umask (existing looser files are restricted, with a warning). Secrets (see
// secret_keys.h) are sealed under the key file "<database>.key", created 0600 on first open.
//
// Each read runs under a time budget (SqliteOptions::query_budget_ms): a read past it is
// interrupted and fails kUnavailable ("query over its time budget of N ms; ..."). Writes are
// never interrupted.
//
// Errors are Status values: kInvalidArgument for a path that is not a file (open), kIOError with
// SQLite's message for storage failures, kPermissionDenied when the key file does not open the
// stored secrets. Nothing throws out of the store (an allocation failure aside).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/mutex.h"
#include "core/secret_box.h"
#include "core/status.h"
#include "store/sqlite/call_indexes.h"
#include "store/sqlite/sqlite_db.h"

namespace cdrd {

struct SqliteOptions {
  int busy_timeout_ms = 5000;  // wait this long for a lock another process holds
  // Page cache of the writer: the ingest working set. Until migration 10, inserts landed at
  // random places in two indexes (about 70 bytes per call together), which outgrew it, and
  // 256 MiB was measured and was not faster (bench/store_write, 2,000,000 calls: 17,549
  // records/s against 18,527); since, the table and calls_by_account grow at their ends.
  int writer_cache_kib = 64 * 1024;
  int reader_cache_kib = 16 * 1024;   // page cache of each reader connection
  std::size_t max_idle_readers = 16;  // pooled reader connections kept open when idle
  int query_budget_ms = 2000;         // the time one read may take (0: no limit)
  // Checkpoints: once the write-ahead log holds this many pages after a commit, a background
  // thread copies it into the database (PASSIVE, on its own connection, so commits go on
  // meanwhile), and the writer then copies the few pages committed since, before its next
  // write, so that the log starts over (it cannot while commits keep landing during the
  // background pass); at checkpoint_hard_pages the writer checkpoints all itself. 0: SQLite's
  // own automatic checkpoint in the commit path, every 1000 pages.
  int checkpoint_pages = 8192;
  int checkpoint_hard_pages = 131072;
};

namespace sqlite {

class Database {
 public:
  // Opens (creating it and its missing parent directories if need be) the database at `path`,
  // applies the pending migrations and opens (or creates) its key file.
  static Result<std::unique_ptr<Database>> open(const std::string& path, SqliteOptions opts = {});
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  const std::string& path() const { return path_; }

  // fn(Connection&) runs on the writer connection with the write lock held, and its result
  // (a Status or a Result) is returned. fn owns the transactions it begins.
  template <class Fn, class R = std::invoke_result_t<Fn&, Connection&>>
  R with_writer(Fn&& fn) EXCLUDES(write_mu_) {
    MutexLock lock(&write_mu_);
    RETURN_IF_ERROR(checks_on());
    return fn(*writer_);
  }
  // As with_writer, inside one write transaction (BEGIN IMMEDIATE) that commits when fn
  // succeeds and rolls back when it fails.
  template <class Fn, class R = std::invoke_result_t<Fn&, Connection&>>
  R write_transaction(Fn&& fn) EXCLUDES(write_mu_) {
    MutexLock lock(&write_mu_);
    checkpoint_if_behind();
    RETURN_IF_ERROR(checks_on());
    return in_transaction(*writer_, Transaction::Kind::kWrite, fn);
  }
  // As write_transaction, with the writer connection's foreign key checks and CHECK
  // constraints off for that one transaction: for a writer that checks what it writes itself
  // (ingest's looks each account of a group up once instead of SQLite for every row, and
  // compares each enum code with its range in C++: call_row.h, failed_check). The transaction
  // holds the database file's write lock, so no connection can delete a row it checked before
  // it commits. SQLite switches both only outside a transaction, and every other use of the
  // writer connection (with_writer, write_transaction, the key rotation) switches them on again
  // first, so none ever runs without them; they stay off from one such transaction to the next
  // (turning them off or on makes SQLite prepare each statement of the connection again, which
  // a group commit would pay every time). `unchecked` tells fn whether they are off (false: they
  // are checked as ever).
  template <class Fn, class R = std::invoke_result_t<Fn&, Connection&, bool>>
  R write_transaction_unchecked(Fn&& fn) EXCLUDES(write_mu_) {
    MutexLock lock(&write_mu_);
    checkpoint_if_behind();
    const bool unchecked = checks_off();
    auto with_flag = [&](Connection& c) { return fn(c, unchecked); };
    return in_transaction(*writer_, Transaction::Kind::kWrite, with_flag);
  }
  // fn(Connection&) runs on a reader connection on loan from the pool, under the read time
  // budget; a read transaction it leaves open is rolled back afterwards.
  template <class Fn, class R = std::invoke_result_t<Fn&, Connection&>>
  R with_reader(Fn&& fn) {
    ASSIGN_OR_RETURN(ReaderLease lease, reader());
    return fn(*lease);
  }
  // As with_reader, inside one read transaction: every statement fn runs sees one snapshot.
  template <class Fn, class R = std::invoke_result_t<Fn&, Connection&>>
  R read_transaction(Fn&& fn) {
    ASSIGN_OR_RETURN(ReaderLease lease, reader());
    return in_transaction(*lease, Transaction::Kind::kRead, fn);
  }

  // For the readiness check and the metrics of a server: a reader runs "SELECT 1" (the
  // database answers) / the schema is at latest_schema_version() (kUnavailable naming both
  // versions otherwise) / the size in bytes of the database file and its write-ahead log / how
  // many reads were stopped by the time budget since open().
  Status check_reachable();
  Status check_schema();
  Result<std::int64_t> size_bytes() const;
  std::uint64_t reads_over_budget() const {
    return reads_over_budget_.load(std::memory_order_relaxed);
  }

  // The list index of each account's calls (call_indexes.h), kept beside the calls table.
  CallIndexes& call_indexes() { return call_indexes_; }

  // The index snapshot (docs/architecture.md, "The index snapshot"): its file beside the
  // database; the token open() found in the database (and deleted, in the same transaction,
  // before any other write), nullopt when there was none.
  std::string snapshot_path() const { return path_ + ".index"; }
  // The uuid maps' snapshot beside it (uuid_snapshot.h), written and trusted with it.
  std::string uuid_snapshot_path() const { return path_ + ".uuids"; }
  const std::optional<std::string>& snapshot_token() const { return snapshot_token_; }
  // Whether no other connection (another process, another tool) committed to the database
  // since open(): PRAGMA data_version of the writer connection, unchanged. Call under the
  // write lock (with_writer), so that this process does not commit meanwhile either.
  Result<bool> unchanged_by_others(Connection& writer) const;

  // The box that seals and opens the secrets kept in this database (secret_keys.h).
  std::shared_ptr<const SecretBox> secrets() const EXCLUDES(secrets_mu_);
  // Re-seals every secret under a new key in one write transaction and makes it the key file
  // ("<database>.key"; the previous one is kept as "<database>.key.old"). Returns how many
  // values were re-sealed. No other process may use the database meanwhile: a running server
  // keeps the old key in memory.
  Result<int> rotate_secret_key() EXCLUDES(write_mu_, secrets_mu_);

 private:
  // A reader connection on loan from the pool; given back to it (or closed, if the pool is
  // full) when the lease ends. Every read it runs gets SqliteOptions::query_budget_ms.
  class ReaderLease {
   public:
    ReaderLease(Database* db, std::unique_ptr<Connection> conn);
    ReaderLease(ReaderLease&& o) noexcept : db_(o.db_), conn_(std::move(o.conn_)) {}
    ReaderLease& operator=(ReaderLease&&) = delete;
    ~ReaderLease();
    Connection& operator*() const { return *conn_; }

   private:
    Database* db_;
    std::unique_ptr<Connection> conn_;
  };

  Database(std::string path, SqliteOptions opts, std::unique_ptr<Connection> writer,
           std::shared_ptr<const SecretBox> secrets);

  Result<ReaderLease> reader() EXCLUDES(pool_mu_);
  // The writer connection's foreign key checks and CHECK constraints (write_transaction_
  // unchecked): turned off, both or neither (whether they are off), or on again.
  bool checks_off() REQUIRES(write_mu_);
  Status checks_on() REQUIRES(write_mu_);
  // The writer's WAL hook (after each commit): wakes the checkpointer past checkpoint_pages.
  static int on_wal_commit(void* self, sqlite3* db, const char* name, int pages);
  // Before a write: a PASSIVE checkpoint on the writer when the log reached
  // checkpoint_hard_pages (the background one could not keep up).
  void checkpoint_if_behind() REQUIRES(write_mu_) EXCLUDES(checkpoint_mu_);
  void checkpoint_loop() EXCLUDES(checkpoint_mu_);
  void give_back(std::unique_ptr<Connection> conn) EXCLUDES(pool_mu_);

  template <class Fn, class R = std::invoke_result_t<Fn&, Connection&>>
  static R in_transaction(Connection& conn, Transaction::Kind kind, Fn& fn) {
    ASSIGN_OR_RETURN(Transaction tx, Transaction::begin(conn, kind));
    R result = fn(conn);
    if (!result.ok()) return result;  // the transaction rolls back
    RETURN_IF_ERROR(tx.commit());
    return result;
  }

  const std::string path_;
  const SqliteOptions opts_;

  Mutex write_mu_;
  std::unique_ptr<Connection> writer_ GUARDED_BY(write_mu_);
  bool writer_unchecked_ GUARDED_BY(write_mu_) = false;  // checks_off() left them off

  CallIndexes call_indexes_;
  std::optional<std::string> snapshot_token_;
  std::int64_t data_version_ = 0;  // PRAGMA data_version of the writer after open()

  mutable Mutex secrets_mu_;  // rotate_secret_key replaces the box
  std::shared_ptr<const SecretBox> secrets_ GUARDED_BY(secrets_mu_);

  Mutex pool_mu_;
  std::vector<std::unique_ptr<Connection>> idle_readers_ GUARDED_BY(pool_mu_);

  std::atomic<std::uint64_t> reads_over_budget_{0};
  // The WAL's pages after the last commit (set by on_wal_commit).
  std::atomic<int> wal_pages_{0};
  // kIdle -> kWanted (a commit left the log past checkpoint_pages) -> kRunning (the background
  // pass) -> kDone -> kIdle (the writer copied the tail before its next write).
  enum class CheckpointState { kIdle, kWanted, kRunning, kDone };
  Mutex checkpoint_mu_;
  CondVar checkpoint_cv_{&checkpoint_mu_};
  CheckpointState checkpoint_state_ GUARDED_BY(checkpoint_mu_) = CheckpointState::kIdle;
  bool checkpoint_stop_ GUARDED_BY(checkpoint_mu_) = false;
  std::thread checkpointer_;  // started by open() when checkpoint_pages > 0
};

}  // namespace sqlite
}  // namespace cdrd
