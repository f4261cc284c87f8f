#include "store/sqlite/sqlite_store.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <system_error>
#include <utility>

#include "core/clock.h"
#include "store/sqlite/call_filter.h"
#include "store/sqlite/call_row.h"
#include "store/sqlite/leg_codec.h"
#include "store/sqlite/migrations.h"
#include "store/sqlite/reader_lease.h"
#include "store/sqlite/secret_keys.h"
#include "store/sqlite/sqlite_db.h"

namespace cdrd {

using sqlite::Connection;
using sqlite::ConnectionOptions;
using sqlite::Statement;
using sqlite::StatementRef;
using sqlite::Transaction;

namespace {

const std::string kSelectAccount =
    "SELECT id, auth_id, name, token_hash, created_at FROM accounts ";

Account read_account(const Statement& st) {
  Account a;
  a.id = st.int64(0);
  a.auth_id = st.text(1);
  a.name = st.text(2);
  a.token_hash = st.text(3);
  a.created_at = st.int64(4);
  return a;
}

const std::string& find_call_sql() {
  static const std::string sql = std::string("SELECT ") + sqlite::kCallColumns +
                                 " FROM calls WHERE account_id = ? AND call_uuid = ?"
                                 " AND end_time >= ?";
  return sql;
}

// The page and count statements of a list query. Only the WHERE shape varies (build_call_filter
// assembles it from fixed fragments); the order is one of two literals.
std::string page_sql(const sqlite::CallFilter& f, SortOrder order) {
  std::string sql = "SELECT ";
  sql += sqlite::kCallColumns;
  sql += " FROM calls WHERE ";
  sql += f.where;
  sql += order == SortOrder::kOldestFirst ? " ORDER BY end_time ASC, id ASC"
                                          : " ORDER BY end_time DESC, id DESC";
  sql += " LIMIT ? OFFSET ?";
  return sql;
}

std::string count_sql(const sqlite::CallFilter& f) {
  return "SELECT COUNT(*) FROM calls WHERE " + f.where;
}

// The EXPLAIN QUERY PLAN of `sql` (values bound as the real statement would have them), one
// line per plan node, indented by depth.
Result<std::vector<std::string>> explain(Connection& conn, const std::string& sql,
                                         const std::vector<sqlite::SqlValue>& values,
                                         std::string_view label) {
  Result<std::unique_ptr<Statement>> st = conn.prepare_uncached("EXPLAIN QUERY PLAN " + sql);
  if (!st.ok()) return st.status();
  sqlite::bind_values(**st, values);
  std::vector<std::string> lines;
  std::vector<std::pair<std::int64_t, int>> depth;  // (node id, depth)
  for (;;) {
    Result<bool> row = (*st)->step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    std::int64_t id = (*st)->int64(0), parent = (*st)->int64(1);
    int d = 0;
    for (const auto& [node, nd] : depth) {
      if (node == parent) d = nd + 1;
    }
    depth.emplace_back(id, d);
    lines.push_back(std::string(label) + ": " + std::string(2 * d, ' ') + (*st)->text(3));
  }
  return lines;
}

}  // namespace

Result<std::unique_ptr<SqliteStore>> SqliteStore::open(const std::string& path,
                                                       SqliteOptions opts) {
  if (path.empty() || path == ":memory:" || path.starts_with("file:")) {
    return Status::Invalid("sqlite store: a database file path is required, got '" + path + "'");
  }
  if (Status s = sqlite::make_private_dir(std::filesystem::path(path).parent_path(), false);
      !s.ok()) {
    return Status::IOError("sqlite store: " + s.message());
  }
  if (Status s = sqlite::make_private_db_files(path); !s.ok()) {
    return Status::IOError("sqlite store: " + s.message());
  }
  ConnectionOptions co;
  co.create = true;
  co.busy_timeout_ms = opts.busy_timeout_ms;
  co.cache_kib = opts.writer_cache_kib;
  Result<std::unique_ptr<Connection>> writer = Connection::open(path, co);
  if (!writer.ok()) return writer.status();
  Connection& w = **writer;

  // WAL persists in the file; setting it again is a no-op. It must be confirmed, as SQLite
  // silently keeps the old mode where WAL is impossible (e.g. some network file systems).
  {
    Result<StatementRef> st = w.prepare("PRAGMA journal_mode=WAL");
    if (!st.ok()) return st.status();
    Result<bool> row = (*st)->step();
    if (!row.ok()) return row.status();
    if (!*row || (*st)->text(0) != "wal") {
      return Status::IOError("sqlite store: cannot use WAL journal mode for " + path);
    }
  }
  // Keep the WAL file from staying huge after a big ingest has been checkpointed.
  if (Status s = w.exec("PRAGMA journal_size_limit=67108864"); !s.ok()) return s;
  if (Status s = sqlite::migrate(w); !s.ok()) return s;
  Result<std::shared_ptr<const SecretBox>> secrets = sqlite::open_secrets(w, path);
  if (!secrets.ok()) return secrets.status();

  return std::unique_ptr<SqliteStore>(new SqliteStore(path, opts, std::move(writer).value(),
                                                      std::move(secrets).value()));
}

SqliteStore::SqliteStore(std::string path, SqliteOptions opts,
                         std::unique_ptr<Connection> writer,
                         std::shared_ptr<const SecretBox> secrets)
    : path_(std::move(path)),
      opts_(opts),
      writer_(std::move(writer)),
      secrets_(std::move(secrets)) {}

SqliteStore::~SqliteStore() {
  {
    std::lock_guard lock(pool_mu_);
    idle_readers_.clear();
  }
  std::lock_guard lock(write_mu_);
  // Refresh the planner statistics where they went stale; analysis_limit keeps this quick on
  // big tables. Best effort: a failure here loses nothing.
  (void)writer_->exec("PRAGMA analysis_limit=400; PRAGMA optimize;");
  writer_.reset();  // the last connection: SQLite checkpoints and removes the WAL
}

Result<SqliteStore::ReaderLease> SqliteStore::reader() {
  {
    std::lock_guard lock(pool_mu_);
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
  Result<std::unique_ptr<Connection>> conn = Connection::open(path_, co);
  if (!conn.ok()) return conn.status();
  return ReaderLease(this, std::move(conn).value());
}

Status SqliteStore::with_writer(const std::function<Status(Connection&)>& fn) {
  std::lock_guard lock(write_mu_);
  return fn(*writer_);
}

Status SqliteStore::with_reader(const std::function<Status(Connection&)>& fn) {
  Result<ReaderLease> conn = reader();
  if (!conn.ok()) return conn.status();
  return fn(**conn);
}

// --- accounts ---

Result<Account> SqliteStore::create_account(const std::string& name, const std::string& auth_id,
                                            const std::string& token_hash) {
  Account a;
  a.auth_id = auth_id;
  a.name = name;
  a.token_hash = token_hash;
  a.created_at = system_now();
  std::lock_guard lock(write_mu_);
  Result<StatementRef> st = writer_->prepare(
      "INSERT INTO accounts (auth_id, name, token_hash, created_at) VALUES (?, ?, ?, ?)");
  if (!st.ok()) return st.status();
  (*st)->bind(1, a.auth_id);
  (*st)->bind(2, a.name);
  (*st)->bind(3, a.token_hash);
  (*st)->bind(4, a.created_at);
  if (Status s = (*st)->run(); !s.ok()) {
    if (sqlite3_extended_errcode(writer_->handle()) == SQLITE_CONSTRAINT_UNIQUE) {
      return Status::Conflict("auth_id " + auth_id + " is already taken");
    }
    return s;
  }
  a.id = writer_->last_insert_rowid();
  return a;
}

Result<std::optional<Account>> SqliteStore::find_account(const std::string& sql,
                                                         std::string_view key) {
  Result<ReaderLease> conn = reader();
  if (!conn.ok()) return conn.status();
  Result<StatementRef> st = (*conn)->prepare(sql);
  if (!st.ok()) return st.status();
  (*st)->bind(1, key);
  Result<bool> row = (*st)->step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<Account>();
  return std::optional<Account>(read_account(**st));
}

Result<std::optional<Account>> SqliteStore::find_account_by_auth_id(std::string_view auth_id) {
  static const std::string sql = kSelectAccount + "WHERE auth_id = ?";
  return find_account(sql, auth_id);
}

Result<std::optional<Account>> SqliteStore::find_account_by_name(std::string_view name) {
  static const std::string sql = kSelectAccount + "WHERE name = ? ORDER BY id LIMIT 1";
  return find_account(sql, name);
}

Status SqliteStore::set_token_hash(std::int64_t account_id, const std::string& token_hash) {
  std::lock_guard lock(write_mu_);
  Result<StatementRef> st = writer_->prepare("UPDATE accounts SET token_hash = ? WHERE id = ?");
  if (!st.ok()) return st.status();
  (*st)->bind(1, token_hash);
  (*st)->bind(2, account_id);
  if (Status s = (*st)->run(); !s.ok()) return s;
  if (writer_->changes() == 0) {
    return Status::NotFound("no account with id " + std::to_string(account_id));
  }
  return Status::Ok();
}

Result<std::vector<Account>> SqliteStore::list_accounts() {
  static const std::string sql = kSelectAccount + "ORDER BY id";
  Result<ReaderLease> conn = reader();
  if (!conn.ok()) return conn.status();
  Result<StatementRef> st = (*conn)->prepare(sql);
  if (!st.ok()) return st.status();
  std::vector<Account> out;
  for (;;) {
    Result<bool> row = (*st)->step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    out.push_back(read_account(**st));
  }
  return out;
}

// --- calls ---

Result<std::vector<InsertOutcome>> SqliteStore::insert_calls(
    const std::vector<CallRecord>& records) {
  std::vector<InsertOutcome> outcomes;
  if (records.empty()) return outcomes;
  outcomes.reserve(records.size());
  std::string legs_blob;

  std::lock_guard lock(write_mu_);
  Result<Transaction> tx = Transaction::begin(*writer_, Transaction::Kind::kWrite);
  if (!tx.ok()) return tx.status();
  {
    // Declared after the transaction so it is reset before the transaction ends.
    Result<StatementRef> st = writer_->prepare(sqlite::insert_call_sql());
    if (!st.ok()) return st.status();
    for (const CallRecord& r : records) {
      legs_blob.clear();
      if (!r.legs.empty()) legs_blob = sqlite::encode_legs(r.legs);
      sqlite::bind_call(**st, r, legs_blob);
      Status s = (*st)->run();
      (*st)->reset();
      if (!s.ok()) {
        if (sqlite3_extended_errcode(writer_->handle()) == SQLITE_CONSTRAINT_FOREIGNKEY) {
          return Status::Invalid("call " + r.call_uuid + ": no account with id " +
                                 std::to_string(r.account_id));
        }
        return s;  // the transaction rolls back: nothing of the batch is written
      }
      // ON CONFLICT DO NOTHING inserts no row for a key already stored, including one stored
      // earlier in this same batch.
      outcomes.push_back(writer_->changes() == 1 ? InsertOutcome::kStored
                                                 : InsertOutcome::kDuplicate);
    }
  }
  if (Status s = tx->commit(); !s.ok()) return s;
  return outcomes;
}

Result<std::optional<CallRecord>> SqliteStore::find_call(std::int64_t account_id,
                                                         std::string_view call_uuid,
                                                         Micros served_from) {
  Result<ReaderLease> conn = reader();
  if (!conn.ok()) return conn.status();
  Result<StatementRef> st = (*conn)->prepare(find_call_sql());
  if (!st.ok()) return st.status();
  (*st)->bind(1, account_id);
  (*st)->bind(2, call_uuid);
  (*st)->bind(3, served_from);
  Result<bool> row = (*st)->step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<CallRecord>();
  Result<CallRecord> call = sqlite::read_call(**st);
  if (!call.ok()) return call.status();
  return std::optional<CallRecord>(std::move(call).value());
}

Result<Page<CallRecord>> SqliteStore::list_calls(const CallQuery& query) {
  Page<CallRecord> page;
  sqlite::CallFilter filter = sqlite::build_call_filter(query);
  if (filter.matches_nothing) return page;
  const std::int64_t limit = std::max(0, query.limit);
  const std::int64_t offset = std::max<std::int64_t>(0, query.offset);

  Result<ReaderLease> conn = reader();
  if (!conn.ok()) return conn.status();
  // One read transaction: the page and the count come from the same snapshot.
  Result<Transaction> tx = Transaction::begin(**conn, Transaction::Kind::kRead);
  if (!tx.ok()) return tx.status();
  {
    Result<StatementRef> st = (*conn)->prepare(page_sql(filter, query.order));
    if (!st.ok()) return st.status();
    const int n = static_cast<int>(filter.values.size());
    sqlite::bind_values(**st, filter.values);
    (*st)->bind(n + 1, limit);
    (*st)->bind(n + 2, offset);
    page.rows.reserve(static_cast<std::size_t>(std::min<std::int64_t>(limit, 100)));
    for (;;) {
      Result<bool> row = (*st)->step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      Result<CallRecord> call = sqlite::read_call(**st);
      if (!call.ok()) return call.status();
      page.rows.push_back(std::move(call).value());
    }
  }
  const auto got = static_cast<std::int64_t>(page.rows.size());
  if (!query.count_total) {
    page.total_count = 0;
  } else if (got < limit && (got > 0 || offset == 0)) {
    // A short page that is not past the end: the matches stop right here.
    page.total_count = offset + got;
  } else {
    Result<StatementRef> st = (*conn)->prepare(count_sql(filter));
    if (!st.ok()) return st.status();
    sqlite::bind_values(**st, filter.values);
    Result<bool> row = (*st)->step();
    if (!row.ok()) return row.status();
    if (!*row) return Status::Internal("sqlite: COUNT(*) returned no row");
    page.total_count = (*st)->int64(0);
  }
  if (Status s = tx->commit(); !s.ok()) return s;
  return page;
}

Result<std::int64_t> SqliteStore::delete_calls_ended_before(Micros floor, int max_rows) {
  std::int64_t deleted = 0;
  if (max_rows <= 0) return deleted;
  std::lock_guard lock(write_mu_);
  Result<Transaction> tx = Transaction::begin(*writer_, Transaction::Kind::kWrite);
  if (!tx.ok()) return tx.status();
  {
    // Account by account, so that each DELETE is one range of calls_by_end_time.
    Result<StatementRef> accounts = writer_->prepare("SELECT id FROM accounts ORDER BY id");
    if (!accounts.ok()) return accounts.status();
    std::vector<std::int64_t> ids;
    for (;;) {
      Result<bool> row = (*accounts)->step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      ids.push_back((*accounts)->int64(0));
    }
    (*accounts)->reset();
    Result<StatementRef> del = writer_->prepare(
        "DELETE FROM calls WHERE id IN (SELECT id FROM calls WHERE account_id = ? AND "
        "end_time < ? ORDER BY end_time LIMIT ?)");
    if (!del.ok()) return del.status();
    for (std::int64_t id : ids) {
      if (deleted >= max_rows) break;
      (*del)->bind(1, id);
      (*del)->bind(2, floor);
      (*del)->bind(3, static_cast<std::int64_t>(max_rows) - deleted);
      Status s = (*del)->run();
      (*del)->reset();
      if (!s.ok()) return s;  // the transaction rolls back
      deleted += writer_->changes();
    }
  }
  if (Status s = tx->commit(); !s.ok()) return s;
  return deleted;
}

Result<std::vector<std::string>> SqliteStore::explain_list_calls(const CallQuery& query) {
  sqlite::CallFilter filter = sqlite::build_call_filter(query);
  std::vector<sqlite::SqlValue> page_values = filter.values;
  page_values.emplace_back(std::int64_t{query.limit});
  page_values.emplace_back(std::int64_t{query.offset});
  Result<ReaderLease> conn = reader();
  if (!conn.ok()) return conn.status();
  Result<std::vector<std::string>> page =
      explain(**conn, page_sql(filter, query.order), page_values, "page");
  if (!page.ok()) return page.status();
  Result<std::vector<std::string>> count =
      explain(**conn, count_sql(filter), filter.values, "count");
  if (!count.ok()) return count.status();
  std::vector<std::string> lines = std::move(page).value();
  lines.insert(lines.end(), count->begin(), count->end());
  return lines;
}

Result<std::vector<std::string>> SqliteStore::explain_find_call() {
  Result<ReaderLease> conn = reader();
  if (!conn.ok()) return conn.status();
  std::vector<sqlite::SqlValue> values = {std::int64_t{0}, std::string(), std::int64_t{0}};
  return explain(**conn, find_call_sql(), values, "find");
}

}  // namespace cdrd
