#include "store/sqlite/sqlite_call_store.h"

#include <pthread.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <system_error>
#include <utility>

#include <limits>
#include <map>
#include <set>
#include <tuple>
#include <unordered_map>

#include "core/ascii.h"
#include "core/call_match.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "core/leg_codec.h"
#include "core/stage_times.h"
#include "store/index/call_uuid_map.h"
#include "store/index/index_snapshot.h"
#include "store/index/uuid_snapshot.h"
#include "store/sqlite/call_filter.h"
#include "store/sqlite/call_row.h"
#include "store/sqlite/enum_codes.h"

namespace cdrd {

using index::AccountCallIndex;
using index::IndexedCall;
using sqlite::Connection;
using sqlite::SqlValue;
using sqlite::Statement;
using sqlite::StatementRef;

namespace {

// The columns the list index keeps, in the order read_indexed_call reads them.
constexpr std::string_view kIndexColumns =
    "id, end_time, initiation_time, direction, from_number, to_number, trunk_id, "
    "hangup_cause_code, hangup_source, stir_verification, duration_s, bill_duration_s, "
    "bridged_duration_s, from_username, to_username, bridged_username, did_number, extension_id";

// One account's calls for its index, in id (storage) order through calls_by_account: the index
// takes them in any order, and compact() then sorts them by (end_time, id) in memory.
const std::string& build_index_sql() {
  static const std::string sql = "SELECT " + std::string(kIndexColumns) +
                                 " FROM calls INDEXED BY calls_by_account WHERE account_id = ?"
                                 " ORDER BY id";
  return sql;
}

// The columns of kIndexColumns from column `i` on.
Result<IndexedCall> read_indexed_call(const Statement& st, int i = 0) {
  IndexedCall c;
  c.id = st.int64(i++);
  c.end_time = st.int64(i++);
  c.initiation_time = st.int64(i++);
  bool ok = sqlite::decode_enum(st.int64(i++), c.direction);
  c.from_number = st.text_view(i++);
  c.to_number = st.text_view(i++);
  c.trunk_id = st.text_view(i++);
  if (const std::optional<std::int64_t> code = st.opt_int64(i++)) {
    c.hangup_cause_code = static_cast<int>(*code);
  }
  ok &= sqlite::decode_enum(st.int64(i++), c.hangup_source);
  ok &= sqlite::decode_enum(st.int64(i++), c.stir_verification);
  c.duration_s = st.int64(i++);
  c.bill_duration_s = st.int64(i++);
  c.bridged_duration_s = st.opt_int64(i++);
  c.from_username = st.text_view(i++);
  c.to_username = st.text_view(i++);
  c.bridged_username = st.text_view(i++);
  c.did_number = st.text_view(i++);
  c.extension_id = st.opt_int64(i++);
  if (!ok) return Status::IOError("call row " + std::to_string(c.id) + ": unknown enum code");
  return c;
}

// Adds each row `st` steps to (kIndexColumns from column `first` on) to the index into(row)
// names; the first row that cannot be read stops it.
template <class Into>
Status index_rows(Statement& st, int first, Into into) {
  Status row_status;
  RETURN_IF_ERROR(st.for_each([&](const Statement& row) {
    if (!row_status.ok()) return;
    Result<IndexedCall> call = read_indexed_call(row, first);
    if (!call.ok()) {
      row_status = call.status();
      return;
    }
    into(row).add(*call);
  }));
  st.reset();
  return row_status;
}

// A call by its row id (found in the account's uuid map), with its stored key last; the
// account and the served window are checked here, the uuid by the caller.
const std::string& find_call_sql() {
  static const std::string sql = std::string("SELECT ") + sqlite::kCallColumns +
                                 ", call_uuid FROM calls WHERE id = ? AND account_id = ?"
                                 " AND end_time >= ?";
  return sql;
}
// The same with the SIP-trunk columns only (the stored key after them).
const std::string& find_trunk_call_sql() {
  static const std::string sql = std::string("SELECT ") + sqlite::kTrunkCallColumns +
                                 ", call_uuid FROM calls WHERE id = ? AND account_id = ?"
                                 " AND end_time >= ?";
  return sql;
}

// `uuid` folded to ASCII lower case into `out` (as bind_call folds the stored key).
void fold_uuid(std::string_view uuid, std::string& out) {
  out.assign(uuid);
  for (char& ch : out) ch = ascii_lower(ch);
}

// Adds the account's rows past its uuids_through_id to its uuid map (every row, the first
// time), in id order through calls_by_account, and marks it caught up at `generation`.
Status catch_up_uuids(Connection& c, sqlite::CallIndexes::Slot& s, std::int64_t account_id,
                      std::uint64_t generation) REQUIRES(s.uuids_mu) {
  ASSIGN_OR_RETURN(StatementRef st,
                   c.prepare("SELECT id, call_uuid FROM calls INDEXED BY calls_by_account"
                             " WHERE account_id = ? AND id > ? ORDER BY id"));
  st->bind_all(1, account_id, s.uuids_through_id);
  if (!s.uuids_built) ++s.uuids_builds;
  std::string key;
  const Status read = st->for_each([&](const Statement& row) NO_THREAD_SAFETY_ANALYSIS {
    const std::int64_t id = row.int64(0);
    fold_uuid(row.text_view(1), key);
    s.uuids.add(index::call_uuid_hash(key), id);
    s.uuids_through_id = id;
  });
  st->reset();
  RETURN_IF_ERROR(read);
  s.uuids_built = true;
  s.uuids_unbuilt_calls.store(0, std::memory_order_release);
  s.uuids_generation = generation;
  return Status::Ok();
}

// Makes `map`, which holds every row of the account up to id `through` (a map loaded from the
// uuid snapshot, or one built outside the write lock), the account's, unless it has one built
// already (then that one is as new or newer): false. Its generation 0 is never current, so the
// next write to the account reads the rows past `through` first, and a lookup on a miss.
bool adopt_uuid_map(sqlite::CallIndexes::Slot& s, index::CallUuidMap&& map, std::int64_t through)
    REQUIRES(s.uuids_mu) {
  if (s.uuids_built) return false;
  s.uuids = std::move(map);
  s.uuids_through_id = through;
  s.uuids_generation = 0;
  s.uuids_built = true;
  s.uuids_unbuilt_calls.store(0, std::memory_order_release);
  return true;
}

// The matches of a list query: the (end_time, id) of each row the filter selects, read in one
// pass over the account's rows through calls_by_account (the table has no end_time index since
// migration 10), then sorted in memory. Only the WHERE shape varies (build_call_filter
// assembles it from fixed fragments).
std::string match_sql(const sqlite::CallFilter& f) {
  return "SELECT end_time, id FROM calls WHERE " + f.where;
}

// A row of a page, by its id.
const std::string& call_by_id_sql() {
  static const std::string sql =
      std::string("SELECT ") + sqlite::kCallColumns + " FROM calls WHERE id = ?";
  return sql;
}

// The EXPLAIN QUERY PLAN of `sql` (values bound as the real statement would have them), one
// line per plan node, indented by depth.
Result<std::vector<std::string>> explain(Connection& conn, const std::string& sql,
                                         const std::vector<SqlValue>& values,
                                         std::string_view label) {
  ASSIGN_OR_RETURN(std::unique_ptr<Statement> st,
                   conn.prepare_uncached("EXPLAIN QUERY PLAN " + sql));
  st->bind_all(1, values);
  std::vector<std::string> lines;
  std::vector<std::pair<std::int64_t, int>> depth;  // (node id, depth)
  RETURN_IF_ERROR(st->for_each([&](const Statement& row) {
    const std::int64_t id = row.int64(0), parent = row.int64(1);
    int d = 0;
    for (const auto& [node, nd] : depth) {
      if (node == parent) d = nd + 1;
    }
    depth.emplace_back(id, d);
    lines.push_back(std::string(label) + ": " + std::string(2 * static_cast<std::size_t>(d), ' ') +
                    row.text(3));
  }));
  return lines;
}

}  // namespace

namespace sqlite {

Result<CallIndexes::Slot*> built_slot(Database& db, std::int64_t account_id) {
  CallIndexes::Slot& s = db.call_indexes().slot(account_id);
  {
    ReaderLock lock(&s.mu);
    if (s.built) return &s;
  }
  WriterLock lock(&s.mu);
  if (s.built) return &s;
  // Under the database's write lock: no write commits while the rows are read, and every write
  // after this one adds its rows itself (it finds the slot built).
  AccountCallIndex index;
  std::int64_t through = 0;
  RETURN_IF_ERROR(db.with_writer([&](Connection& c) -> Status {
    ASSIGN_OR_RETURN(through, c.query_int("SELECT IFNULL(MAX(id), 0) FROM calls"));
    ASSIGN_OR_RETURN(StatementRef st, c.prepare(build_index_sql()));
    st->bind_all(1, account_id);
    return index_rows(*st, 0, [&index](const Statement&) -> AccountCallIndex& { return index; });
  }));
  index.compact();
  s.index = std::move(index);
  s.indexed_through_id = through;
  s.built = true;
  return &s;
}

}  // namespace sqlite

Result<SqliteCallStore::Slot*> SqliteCallStore::built_slot(std::int64_t account_id) {
  return sqlite::built_slot(db_, account_id);
}

Result<std::int64_t> SqliteCallStore::build_indexes() {
  // One pass over the table in storage order (sequential reads, unlike an end_time index scan
  // per account, which visits rows at random), under the write lock: no write lands halfway.
  std::unordered_map<std::int64_t, AccountCallIndex> fresh;
  std::vector<std::int64_t> accounts;
  std::int64_t through = 0;
  RETURN_IF_ERROR(db_.with_writer([&](Connection& c) -> Status {
    ASSIGN_OR_RETURN(through, c.query_int("SELECT IFNULL(MAX(id), 0) FROM calls"));
    ASSIGN_OR_RETURN(accounts, c.query_all("SELECT id FROM accounts ORDER BY id",
                                           [](const Statement& st) { return st.int64(0); }));
    ASSIGN_OR_RETURN(StatementRef st,
                     c.prepare("SELECT account_id, " + std::string(kIndexColumns) + " FROM calls"));
    return index_rows(*st, 1, [&fresh](const Statement& row) -> AccountCallIndex& {
      return fresh[row.int64(0)];
    });
  }));
  // Packed (the rows came in storage order), two accounts at a time on two threads.
  std::vector<AccountCallIndex*> to_pack;
  to_pack.reserve(accounts.size());
  for (std::int64_t id : accounts) to_pack.push_back(&fresh[id]);
  std::atomic<std::size_t> next{0};
  auto pack = [&] {
    for (std::size_t i; (i = next.fetch_add(1)) < to_pack.size();) to_pack[i]->compact();
  };
  std::thread second(pack);
  pack();
  second.join();
  // An account whose index a write built meanwhile keeps it: that one is as new or newer.
  std::int64_t calls = 0;
  for (std::int64_t id : accounts) {
    Slot& s = db_.call_indexes().slot(id);
    WriterLock lock(&s.mu);
    if (!s.built) {
      s.index = std::move(fresh[id]);
      s.indexed_through_id = through;
      s.built = true;
    }
    calls += static_cast<std::int64_t>(s.index.size());
  }
  return calls;
}

SqliteCallStore::SqliteCallStore(sqlite::Database& db)
    : db_(db),
      commit_(
          {.max_group_records = kMaxGroupRecords,
           .spent_kept = kSpentKept,
           .spent_max_records = kSpentMaxRecords},
          [this](std::vector<std::unique_ptr<QueuedBatch>>& group) { write_group(group); },
          [this](std::vector<std::unique_ptr<QueuedBatch>>& group) { publish(group); },
          [this] { db_.call_indexes().count_compaction_step(); }) {}

void SqliteCallStore::set_after_commit_hook(std::function<void()> hook) {
  MutexLock lock(&config_mu_);
  after_commit_ = std::move(hook);
}

void SqliteCallStore::set_rows_per_insert(int rows) {
  MutexLock lock(&config_mu_);
  rows_per_insert_ = std::max(rows, 1);
}

Result<SqliteCallStore::IndexStart> SqliteCallStore::load_or_build_indexes() {
  IndexStart start;
  const std::string path = db_.snapshot_path();
  const std::optional<std::string>& token = db_.snapshot_token();
  std::vector<std::int64_t> accounts;  // sorted, once read
  auto loaded = [&]() -> Result<index::LoadedSnapshot> {
    if (!token) {
      return Status::NotFound(
          "the database holds no snapshot token (no clean stop since its last open or change)");
    }
    ASSIGN_OR_RETURN(const index::SnapshotMeta meta, index::read_snapshot_meta(path));
    if (meta.token != *token) {
      return Status::Conflict("the snapshot file's token is not the database's");
    }
    // The highest call id and the accounts, as the snapshot saw them: a call another program
    // added since takes a new id (ids are never reused).
    std::int64_t last_id = 0;
    RETURN_IF_ERROR(db_.with_writer([&](Connection& c) -> Status {
      ASSIGN_OR_RETURN(last_id, c.query_int("SELECT COALESCE(MAX(id), 0) FROM calls"));
      ASSIGN_OR_RETURN(accounts, c.query_all("SELECT id FROM accounts",
                                             [](const Statement& st) { return st.int64(0); }));
      return Status::Ok();
    }));
    if (last_id != meta.last_call_id) {
      return Status::Conflict("the highest call id is " + std::to_string(last_id) +
                              ", the snapshot's " + std::to_string(meta.last_call_id));
    }
    ASSIGN_OR_RETURN(index::LoadedSnapshot snap, index::read_snapshot_file(path, 2));
    if (snap.meta.token != *token || snap.meta.last_call_id != last_id) {
      return Status::Conflict("the snapshot file changed while it was read");
    }
    std::sort(accounts.begin(), accounts.end());
    for (const auto& [id, _] : snap.accounts) {
      if (!std::binary_search(accounts.begin(), accounts.end(), id)) {
        return Status::Conflict("the snapshot holds account " + std::to_string(id) +
                                ", which the database does not");
      }
    }
    return snap;
  }();
  if (!loaded.ok()) {
    start.why = loaded.status().message();
    start.uuid_why = "the list index was not loaded from its snapshot";
    ASSIGN_OR_RETURN(start.calls, build_indexes());
    note_unbuilt_uuid_maps();
    return start;
  }
  for (auto& [id, index] : loaded->accounts) {
    Slot& s = db_.call_indexes().slot(id);
    WriterLock lock(&s.mu);
    s.index = std::move(index);
    s.indexed_through_id = loaded->meta.last_call_id;
    s.built = true;
  }
  // The accounts the snapshot does not hold (none had a built index at the stop) build theirs
  // from the table on first use (built_slot).
  start.calls = static_cast<std::int64_t>(loaded->calls);
  start.from_snapshot = true;
  load_uuid_maps(*token, loaded->meta.last_call_id, accounts, start);
  note_unbuilt_uuid_maps();
  return start;
}

void SqliteCallStore::note_unbuilt_uuid_maps() {
  for (const auto& [id, s] : db_.call_indexes().all_slots()) {
    ReaderLock lock(&s->mu);
    MutexLock uuids_lock(&s->uuids_mu);
    if (!s->built || s->uuids_built) continue;
    s->uuids_unbuilt_calls.store(static_cast<std::int64_t>(s->index.size()),
                                 std::memory_order_release);
  }
}

bool SqliteCallStore::find_call_is_bounded(std::int64_t account_id) {
  return db_.call_indexes().slot(account_id).uuids_unbuilt_calls.load(std::memory_order_acquire) <=
         kInlineUuidBuildCalls;
}

Status SqliteCallStore::build_uuid_map(Slot& slot, std::int64_t account_id,
                                       const std::atomic<bool>* stop) {
  MutexLock build(&slot.uuids_build_mu);
  {
    MutexLock lock(&slot.uuids_mu);
    if (slot.uuids_built) return Status::Ok();
  }
  // The rows in id order, one bounded read at a time (each well inside a read's time budget),
  // without the database's write lock: ingest goes on meanwhile. Ids are never reused, so a
  // row committed during the build has an id past the last read, and the catch-up below reads
  // it; a row deleted during the build leaves an entry the map's users drop (its entries are
  // hints, checked against the rows).
  // A read stopped by the time budget keeps the rows it added (`through` is the last one) and
  // the next takes half as many; below kUuidBuildMinRows the rest is read under the write lock,
  // which has no budget (catch_up_uuids).
  index::CallUuidMap map;
  std::int64_t through = 0;
  std::int64_t chunk = kUuidBuildRows;
  std::string key;
  while (chunk >= kUuidBuildMinRows) {
    if (stop != nullptr && stop->load(std::memory_order_acquire)) {
      return Status::Unavailable("the build of the uuid map was stopped");
    }
    std::int64_t rows = 0;
    const Status read = db_.with_reader([&](Connection& c) -> Status {
      ASSIGN_OR_RETURN(StatementRef st,
                       c.prepare("SELECT id, call_uuid FROM calls INDEXED BY calls_by_account"
                                 " WHERE account_id = ? AND id > ? ORDER BY id LIMIT ?"));
      st->bind_all(1, account_id, through, chunk);
      Status rows_read = st->for_each([&](const Statement& row) {
        const std::int64_t id = row.int64(0);
        fold_uuid(row.text_view(1), key);
        map.add(index::call_uuid_hash(key), id);
        through = id;
        ++rows;
      });
      st->reset();
      return rows_read;
    });
    if (read.code() == Status::Code::kUnavailable) {
      chunk /= 2;
      continue;
    }
    RETURN_IF_ERROR(read);
    if (rows < chunk) break;
  }
  if (chunk < kUuidBuildMinRows) {
    return db_.with_writer([&](Connection& c) -> Status {
      MutexLock lock(&slot.uuids_mu);
      if (slot.uuids_built) return Status::Ok();
      slot.uuids = std::move(map);
      slot.uuids_through_id = through;
      return catch_up_uuids(c, slot, account_id, 0);
    });
  }
  // The map is the account's without the database's write lock, so that a lookup on an I/O
  // thread never waits for a group commit. No write of this process added a row of the account
  // since the first read: ingest's writer builds a missing map itself before it writes to the
  // account. So the rows past `through` are another program's, which adopt_uuid_map leaves to
  // the next write and a lookup's miss.
  MutexLock lock(&slot.uuids_mu);
  if (adopt_uuid_map(slot, std::move(map), through)) ++slot.uuids_builds;
  return Status::Ok();
}

void SqliteCallStore::start_uuid_builds() {
  std::vector<std::tuple<std::int64_t, std::int64_t, Slot*>> todo;  // (-calls, account, slot)
  for (const auto& [id, s] : db_.call_indexes().all_slots()) {
    const std::int64_t calls = s->uuids_unbuilt_calls.load(std::memory_order_acquire);
    if (calls > 0) todo.emplace_back(-calls, id, s);
  }
  std::sort(todo.begin(), todo.end());
  MutexLock lock(&builder_mu_);
  if (stop_builds_.load(std::memory_order_acquire) || builder_.joinable() || todo.empty()) return;
  uuid_builds_pending_.store(todo.size(), std::memory_order_release);
  builder_ = std::thread([this, todo = std::move(todo)] {
    // At the threads' common priority: a first retrieve or write of an account waits for the
    // builder's build of its map, and a builder kept below them by a busy machine made that
    // wait several times longer than the build (docs/benchmarks.md).
    pthread_setname_np(pthread_self(), "cdrd-uuid-build");
    const auto t0 = std::chrono::steady_clock::now();
    std::int64_t calls = 0;
    std::size_t built = 0;
    for (const auto& [minus_calls, account_id, slot] : todo) {
      if (stop_builds_.load(std::memory_order_acquire)) break;
      const Status s = build_uuid_map(*slot, account_id, &stop_builds_);
      uuid_builds_pending_.fetch_sub(1, std::memory_order_acq_rel);
      if (!s.ok()) {
        if (!stop_builds_.load(std::memory_order_acquire)) {
          spdlog::warn(
              "uuid maps: account {} not built in the background ({}); it is built "
              "at its first write or lookup",
              account_id, s.message());
        }
        continue;
      }
      calls -= minus_calls;
      ++built;
    }
    if (!stop_builds_.load(std::memory_order_acquire)) {
      spdlog::info("uuid maps: {} calls of {} accounts built in the background in {:.2f} s", calls,
                   built,
                   std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }
  });
}

void SqliteCallStore::stop_uuid_builds() {
  std::thread builder;
  {
    MutexLock lock(&builder_mu_);
    stop_builds_.store(true, std::memory_order_release);
    builder = std::move(builder_);
  }
  if (builder.joinable()) builder.join();
}

void SqliteCallStore::load_uuid_maps(const std::string& token, std::int64_t last_call_id,
                                     const std::vector<std::int64_t>& accounts, IndexStart& start) {
  // Trusted on the same grounds as the list index just loaded: the database's token and
  // highest call id are the file's. A map so loaded holds every row of its account up to that
  // id; its generation 0 is never current, so the first write to the account also reads the
  // rows past it (another program's, committed since the start; usually none).
  Result<index::LoadedUuidSnapshot> uuids = [&]() -> Result<index::LoadedUuidSnapshot> {
    ASSIGN_OR_RETURN(index::LoadedUuidSnapshot snap,
                     index::read_uuid_snapshot_file(db_.uuid_snapshot_path()));
    if (snap.meta.token != token) {
      return Status::Conflict("the uuid snapshot's token is not the database's");
    }
    if (snap.meta.last_call_id != last_call_id) {
      return Status::Conflict("the uuid snapshot's highest call id is " +
                              std::to_string(snap.meta.last_call_id) + ", the table's " +
                              std::to_string(last_call_id));
    }
    for (const auto& [id, _] : snap.accounts) {
      if (!std::binary_search(accounts.begin(), accounts.end(), id)) {
        return Status::Conflict("the uuid snapshot holds account " + std::to_string(id) +
                                ", which the database does not");
      }
    }
    return snap;
  }();
  if (!uuids.ok()) {
    start.uuid_why = uuids.status().message();
    return;
  }
  for (auto& [id, map] : uuids->accounts) {
    Slot& s = db_.call_indexes().slot(id);
    MutexLock lock(&s.uuids_mu);
    if (!adopt_uuid_map(s, std::move(map), last_call_id)) continue;
    ++start.uuid_accounts;
    start.uuid_calls += s.uuids.size();
  }
}

namespace {

// Holds every slot's lock for reading for its scope (the slots of `all`), taken in one order.
class AllSlotsReadLocked {
 public:
  explicit AllSlotsReadLocked(std::vector<sqlite::CallIndexes::Slot*> slots)
      NO_THREAD_SAFETY_ANALYSIS : slots_(std::move(slots)) {
    for (auto* s : slots_) s->mu.lock_shared();
  }
  ~AllSlotsReadLocked() NO_THREAD_SAFETY_ANALYSIS {
    for (auto* s : slots_) s->mu.unlock_shared();
  }
  AllSlotsReadLocked(const AllSlotsReadLocked&) = delete;
  AllSlotsReadLocked& operator=(const AllSlotsReadLocked&) = delete;

 private:
  std::vector<sqlite::CallIndexes::Slot*> slots_;
};

}  // namespace

Status SqliteCallStore::save_index_snapshot(UuidSnapshotSaved* uuids_saved)
    NO_THREAD_SAFETY_ANALYSIS {
  // A uuid snapshot of an earlier stop is never left beside a newer index snapshot.
  std::error_code ec;
  std::filesystem::remove(db_.uuid_snapshot_path(), ec);
  std::vector<std::pair<std::int64_t, Slot*>> slots = db_.call_indexes().all_slots();
  std::sort(slots.begin(), slots.end());
  std::vector<Slot*> locked;
  locked.reserve(slots.size());
  for (const auto& [id, s] : slots) locked.push_back(s);
  // The slots' locks before the database's write lock (the lock order of call_indexes.h); the
  // write lock then keeps every write out until the token is recorded.
  const AllSlotsReadLocked hold(std::move(locked));
  std::vector<index::SnapshotAccount> accounts;
  std::size_t calls = 0;
  for (const auto& [id, s] : slots) {
    if (!s->built) continue;
    accounts.push_back({id, &s->index});  // read-locked above
    calls += s->index.size();
  }
  // The snapshot only saves time: it never takes the space the database needs. It is written
  // when, at a generous 64 bytes a call (and 16 for its uuid map entry), it leaves 64 MiB and
  // 2% of the file system free.
  const std::filesystem::space_info space =
      std::filesystem::space(std::filesystem::absolute(db_.path()).parent_path(), ec);
  constexpr std::uintmax_t kMiB = 1 << 20;
  const std::uintmax_t needed = 80 * static_cast<std::uintmax_t>(calls);
  if (ec || space.available < needed + std::max<std::uintmax_t>(64 * kMiB, space.capacity / 50)) {
    return Status::Exhausted("the database's file system has " +
                             std::to_string(ec ? 0 : space.available / kMiB) +
                             " MiB free, too little for a snapshot of " + std::to_string(calls) +
                             " calls and room to spare");
  }
  return db_.with_writer([&](Connection& c) -> Status {
    ASSIGN_OR_RETURN(const bool alone, db_.unchanged_by_others(c));
    if (!alone) {
      return Status::Conflict(
          "another program wrote to the database while this one had it open: the indexes may "
          "not hold its writes");
    }
    index::SnapshotMeta meta;
    meta.token = new_uuid_v4();
    ASSIGN_OR_RETURN(meta.last_call_id, c.query_int("SELECT COALESCE(MAX(id), 0) FROM calls"));
    ASSIGN_OR_RETURN(const index::SnapshotStats stats,
                     index::write_snapshot_file(db_.snapshot_path(), meta, accounts));
    // Ingest's writer adds a group's rows to the index after their commit (it waits for the
    // slot locks held here): rows of the highest ids committed, not yet indexed.
    if (stats.max_call_id != meta.last_call_id) {
      std::filesystem::remove(db_.snapshot_path(), ec);
      return Status::Conflict("call " + std::to_string(meta.last_call_id) +
                              " is committed but not yet in the list index");
    }
    save_uuid_maps(meta, slots, uuids_saved);
    // The file is durable: only now may the database name it.
    return c.run("INSERT OR REPLACE INTO index_snapshot(id, token, written_at) VALUES (1, ?, ?)",
                 meta.token, system_now());
  });
}

void SqliteCallStore::save_uuid_maps(const index::SnapshotMeta& meta,
                                     const std::vector<std::pair<std::int64_t, Slot*>>& slots,
                                     UuidSnapshotSaved* saved) NO_THREAD_SAFETY_ANALYSIS {
  // Under the database's write lock (the caller's): no write adds to a map meanwhile, and no
  // other program commits, so every built map holds every row of its account up to
  // meta.last_call_id (the caller checked that no other program committed since the open). The
  // maps' own locks too, in the slots' order, for lookups that catch up. An empty map is not
  // written: it costs nothing to build.
  std::vector<Slot*> locked;
  std::vector<index::UuidSnapshotAccount> accounts;
  std::size_t calls = 0;
  for (const auto& [id, s] : slots) {
    s->uuids_mu.lock();
    locked.push_back(s);
    if (!s->uuids_built || s->uuids.size() == 0) continue;
    accounts.push_back({id, &s->uuids});
    calls += s->uuids.size();
  }
  const Result<std::size_t> written =
      index::write_uuid_snapshot_file(db_.uuid_snapshot_path(), meta, accounts);
  for (Slot* s : locked) s->uuids_mu.unlock();
  if (saved == nullptr) return;
  if (written.ok()) {
    saved->written = true;
    saved->accounts = accounts.size();
    saved->calls = calls;
  } else {
    saved->why = written.status().message();
  }
}

SqliteCallStore::~SqliteCallStore() {
  stop_uuid_builds();
  commit_.stop();  // everything queued is committed, published and answered
}

Result<std::vector<InsertOutcome>> SqliteCallStore::insert_calls(
    const std::vector<CallRecord>& records) {
  if (records.empty()) return std::vector<InsertOutcome>();
  auto batch = std::make_unique<QueuedBatch>();
  batch->records = &records;  // this call waits for the answer: the records outlive the write
  return enqueue(std::move(batch)).get();
}

std::future<Result<std::vector<InsertOutcome>>> SqliteCallStore::insert_calls_async(
    std::vector<CallRecord> records) {
  auto batch = std::make_unique<QueuedBatch>();
  batch->owned = std::move(records);
  batch->records = &batch->owned;
  return enqueue(std::move(batch));
}

std::future<Result<std::vector<InsertOutcome>>> SqliteCallStore::enqueue(
    std::unique_ptr<QueuedBatch> batch) {
  std::future<Result<std::vector<InsertOutcome>>> answer = batch->done.get_future();
  if (batch->records->empty()) {
    batch->done.set_value(std::vector<InsertOutcome>());
    return answer;
  }
  // Every account of the batch has its index built before the batch is written, so the rows
  // written now are added after the commit (a build later would find them in the table anyway).
  std::optional<std::int64_t> last_account;  // a batch's records mostly share one account
  for (const CallRecord& r : *batch->records) {
    if (r.account_id == last_account) continue;
    last_account = r.account_id;
    if (batch->slots.count(r.account_id)) continue;
    Result<Slot*> slot = built_slot(r.account_id);
    if (!slot.ok()) {
      batch->done.set_value(slot.status());
      return answer;
    }
    batch->slots[r.account_id] = *slot;
  }
  // Each account's uuid map is built before the batch is queued, on this thread and outside the
  // database's write lock (build_uuid_map: bounded reads on a reader connection, or a wait for
  // the background builder's build of that map), so that the writer does not build it inside
  // its write transaction, where every batch of every account would wait for it (seconds at
  // millions of calls). A build that fails here is left to the writer, which builds a map it
  // finds missing itself, as it always did.
  for (const auto& [account_id, slot] : batch->slots) {
    bool built = false;
    {
      MutexLock lock(&slot->uuids_mu);
      built = slot->uuids_built;
    }
    if (!built) (void)build_uuid_map(*slot, account_id, nullptr);
  }
  commit_.enqueue(std::move(batch));
  return answer;
}

std::vector<CallRecord> SqliteCallStore::take_spent_records() {
  return commit_.take_spent_records();
}

namespace {

// An entry a write transaction added to a uuid map: taken out again if the rows are rolled
// back (their ids would be given again), with the account's caught-up id as it was.
struct UuidAdded {
  sqlite::CallIndexes::Slot* slot;
  std::uint64_t hash;
  std::int64_t id;
  std::int64_t through_before;
};

// Takes the entries from `from` on out of their maps, newest first.
void undo_uuids(std::vector<UuidAdded>& added, std::size_t from) NO_THREAD_SAFETY_ANALYSIS {
  while (added.size() > from) {
    const UuidAdded& a = added.back();
    MutexLock lock(&a.slot->uuids_mu);
    a.slot->uuids.remove(a.hash, a.id);
    a.slot->uuids_through_id = a.through_before;
    added.pop_back();
  }
}

// A call insert_rows found new and put aside for the next multi-row insert.
struct PendingRow {
  std::size_t index;  // in the batch's records
  sqlite::CallIndexes::Slot* slot;
  std::uint64_t hash;  // of its folded uuid
};

// Scratch space of the writer, reused from call to call.
struct WriteScratch {
  std::string legs_blob, folded;
  std::vector<std::int64_t> candidates;
  // The batch's uuids, each folded once (for its hash, its duplicate check and its bind), bound
  // in place until its insert ran.
  index::FoldedUuids uuids;
  std::vector<PendingRow> pending;  // put aside for the next multi-row insert
  // With the connection's foreign key checks and CHECK constraints off
  // (Database::write_transaction_unchecked), the writer looks each account up itself, once a
  // group (those found so far), and checks each call's enum codes.
  bool check_rows = false;
  std::vector<std::int64_t> accounts_found;
  // The batch failed on an account that does not exist or a code out of range: its own
  // failure, as a constraint's.
  bool refused = false;

  std::string_view key(std::size_t i) const { return uuids.key(i); }
};

// How many calls ahead the writer asks for the uuid map's slots (insert_rows).
constexpr std::size_t kUuidPrefetchAhead = 8;

// Whether the account already holds the call whose folded uuid is `key` (hash `h`): each id
// the map names is checked against its row, in this write transaction. An entry whose row is
// gone (retention, another program) or holds a uuid of another hash is dropped; one whose row
// holds another uuid of the same hash (a collision) stays.
Result<bool> stored_already(Connection& c, sqlite::CallIndexes::Slot& s, std::int64_t account_id,
                            std::string_view key, std::uint64_t h, WriteScratch& w)
    REQUIRES(s.uuids_mu) {
  w.candidates.clear();
  s.uuids.find(h, w.candidates);
  for (const std::int64_t id : w.candidates) {
    ASSIGN_OR_RETURN(StatementRef q,
                     c.prepare("SELECT account_id, call_uuid FROM calls WHERE id = ?"));
    q->bind_all(1, id);
    ASSIGN_OR_RETURN(const bool found, q->step());
    bool same = false, stale = !found;
    if (found) {
      fold_uuid(q->text_view(1), w.folded);
      same = q->int64(0) == account_id && w.folded == key;
      stale = !same && (q->int64(0) != account_id || index::call_uuid_hash(w.folded) != h);
    }
    q->reset();
    if (same) return true;
    if (stale) s.uuids.remove(h, id);
  }
  return false;
}

// The failure of a call whose account does not exist, whether SQLite's foreign key found it
// (insert_one) or the writer did (check_row).
Status no_account(const CallRecord& r) {
  return Status::Invalid("call " + r.call_uuid + ": no account with id " +
                         std::to_string(r.account_id));
}

// What SQLite checks for each row when the connection checks (WriteScratch::check_rows is
// false), checked here for `r`, about to be written: its enum codes (the table's CHECK
// constraints), then its account (the foreign key), looked up once a group inside its write
// transaction, so that no connection can delete it before the commit. A row that fails fails
// its batch as SQLite's check would, with the same error, on the same call: the first (in the
// batch's order) that is not a duplicate and fails it.
Status check_row(Connection& c, const CallRecord& r, WriteScratch& w) {
  if (const std::optional<std::string_view> check = sqlite::failed_check(r)) {
    w.refused = true;
    return Status::IOError("sqlite step: CHECK constraint failed: " + std::string(*check) +
                           " (code " + std::to_string(SQLITE_CONSTRAINT_CHECK) + ")");
  }
  if (std::find(w.accounts_found.begin(), w.accounts_found.end(), r.account_id) !=
      w.accounts_found.end()) {
    return Status::Ok();
  }
  ASSIGN_OR_RETURN(const bool exists,
                   c.exists("SELECT 1 FROM accounts WHERE id = ?", r.account_id));
  if (!exists) {
    w.refused = true;
    return no_account(r);
  }
  w.accounts_found.push_back(r.account_id);
  return Status::Ok();
}

// The inserts of a group: every column bound, or the trunk-only calls' (call_row.h), one call
// per statement or `rows_per_insert` at once (`trunk_only_rows`; null when that is 1).
struct InsertStatements {
  Statement& full;
  Statement& trunk_only;
  Statement* trunk_only_rows;
  std::size_t rows_per_insert;
};

// What the writer keeps of a batch's calls as it writes them.
struct RowsWritten {
  std::optional<std::int64_t>& next_id;
  std::vector<std::int64_t>& row_ids;
  std::vector<UuidAdded>& added;
};

// Call `index` of the batch is stored with row id `id`: its uuid goes into the account's map.
void note_stored(sqlite::CallIndexes::Slot& slot, std::uint64_t h, std::int64_t id,
                 std::size_t index, RowsWritten& out) NO_THREAD_SAFETY_ANALYSIS {
  out.row_ids[index] = id;
  out.next_id.reset();  // the table's MAX(id) is above every deleted id now
  MutexLock lock(&slot.uuids_mu);
  out.added.push_back({&slot, h, id, slot.uuids_through_id});
  slot.uuids.add(h, id);
  slot.uuids_through_id = std::max(slot.uuids_through_id, id);
}

// Writes call `index` of `records` by an insert of its own.
Status insert_one(Connection& c, const InsertStatements& st, const std::vector<CallRecord>& records,
                  std::size_t index, sqlite::CallIndexes::Slot& slot, std::uint64_t h,
                  RowsWritten& out, WriteScratch& w) {
  const CallRecord& r = records[index];
  Statement* insert = &st.trunk_only;
  if (sqlite::is_trunk_only_call(r)) {
    sqlite::bind_trunk_only_call_keyed(*insert, r, w.key(index), out.next_id);
  } else {
    insert = &st.full;
    w.legs_blob.clear();
    if (!r.legs.empty()) w.legs_blob = encode_legs(r.legs);
    sqlite::bind_call_keyed(*insert, r, w.legs_blob, w.key(index), out.next_id);
  }
  // Every parameter is bound again for the next call: no clearing in between.
  Status s = insert->run();
  insert->rewind();
  if (!s.ok()) {
    if (sqlite3_extended_errcode(c.handle()) == SQLITE_CONSTRAINT_FOREIGNKEY) {
      return no_account(r);
    }
    return s;
  }
  note_stored(slot, h, sqlite3_last_insert_rowid(c.handle()), index, out);
  return Status::Ok();
}

// Writes the calls put aside (w.pending): by one multi-row insert when they are as many as it
// takes, else one by one. SQLite gives a multi-row insert's rows consecutive ids in order (each
// MAX(id) + 1 as it is inserted, the first the deleted ids' successor when `next_id` says so),
// so the ids are the ones the inserts one by one give. When that insert fails on a constraint,
// SQLite has undone it whole, and the calls are written one by one: the failure is then the
// one of the call that fails, with its message, as it always was.
Status flush_pending(Connection& c, const InsertStatements& st,
                     const std::vector<CallRecord>& records, RowsWritten& out, WriteScratch& w) {
  const std::size_t n = w.pending.size();
  if (n == 0) return Status::Ok();
  if (st.trunk_only_rows != nullptr && n == st.rows_per_insert) {
    Statement& insert = *st.trunk_only_rows;
    for (std::size_t k = 0; k < n; ++k) {
      const std::size_t index = w.pending[k].index;
      sqlite::bind_trunk_only_call_keyed(insert, records[index], w.key(index),
                                         k == 0 ? out.next_id : std::nullopt,
                                         static_cast<int>(k) * sqlite::kTrunkOnlyParameters + 1);
    }
    Status s = insert.run();
    insert.rewind();
    if (s.ok()) {
      const std::int64_t first =
          sqlite3_last_insert_rowid(c.handle()) - static_cast<std::int64_t>(n) + 1;
      if (static_cast<std::size_t>(c.changes()) != n || (out.next_id && first != *out.next_id)) {
        return Status::Internal("sqlite: a multi-row insert did not write its rows in order");
      }
      for (std::size_t k = 0; k < n; ++k) {
        const PendingRow& p = w.pending[k];
        note_stored(*p.slot, p.hash, first + static_cast<std::int64_t>(k), p.index, out);
      }
      w.pending.clear();
      return Status::Ok();
    }
    // Any other failure is the transaction's: it fails as it is.
    if ((sqlite3_extended_errcode(c.handle()) & 0xff) != SQLITE_CONSTRAINT || !c.in_transaction()) {
      return s;
    }
  }
  for (std::size_t k = 0; k < n; ++k) {
    const PendingRow& p = w.pending[k];
    RETURN_IF_ERROR(insert_one(c, st, records, p.index, *p.slot, p.hash, out, w));
  }
  w.pending.clear();
  return Status::Ok();
}

// Writes the calls of one batch with `st` (the inserts of call_row.h), each unless its
// account's uuid map finds it stored already (in an earlier group, or earlier in this group or
// batch: every stored row's entry is added once its insert ran, and a call put aside for the
// next multi-row insert is compared with those put aside before it). `next_id` is the id the
// next stored row must take, when SQLite's own MAX(id) + 1 would reuse a deleted one. The rows
// take their ids in the order of the calls, whichever insert writes them.
Status insert_rows(Connection& c, const InsertStatements& st,
                   const std::vector<CallRecord>& records,
                   const std::map<std::int64_t, sqlite::CallIndexes::Slot*>& slots,
                   std::optional<std::int64_t>& next_id, std::vector<std::int64_t>& row_ids,
                   std::vector<InsertOutcome>& outcomes, std::vector<UuidAdded>& added,
                   WriteScratch& w) NO_THREAD_SAFETY_ANALYSIS {
  row_ids.assign(records.size(), 0);  // 0: not stored
  outcomes.clear();
  outcomes.reserve(records.size());
  w.pending.clear();
  RowsWritten out{next_id, row_ids, added};
  // The hashes first, so that each call can ask for the map's slots of a call a few ahead: a
  // lookup in a map of millions of entries otherwise waits for memory every time.
  // Each uuid is folded here once, into one buffer that does not move while the batch is
  // written (its keys are bound in place).
  w.uuids.fold(records);
  for (std::size_t i = 0; i < records.size(); ++i) {
    const CallRecord& r = records[i];
    sqlite::CallIndexes::Slot& slot = *slots.at(r.account_id);
    const std::string_view key = w.key(i);
    const std::uint64_t h = w.uuids.hash(i);
    bool duplicate = false;
    {
      MutexLock lock(&slot.uuids_mu);
      if (const std::size_t ahead = i + kUuidPrefetchAhead;
          ahead < records.size() && records[ahead].account_id == r.account_id) {
        slot.uuids.prefetch(w.uuids.hash(ahead));  // the same map, under the lock held
      }
      ASSIGN_OR_RETURN(duplicate, stored_already(c, slot, r.account_id, key, h, w));
    }
    // The calls put aside are in no map yet.
    for (std::size_t k = 0; k < w.pending.size() && !duplicate; ++k) {
      duplicate = w.pending[k].hash == h &&
                  records[w.pending[k].index].account_id == r.account_id &&
                  w.key(w.pending[k].index) == key;
    }
    if (duplicate) {
      outcomes.push_back(InsertOutcome::kDuplicate);
      continue;
    }
    if (w.check_rows) RETURN_IF_ERROR(check_row(c, r, w));
    if (st.trunk_only_rows != nullptr && sqlite::is_trunk_only_call(r)) {
      w.pending.push_back({i, &slot, h});
      if (w.pending.size() == st.rows_per_insert)
        RETURN_IF_ERROR(flush_pending(c, st, records, out, w));
    } else {
      RETURN_IF_ERROR(flush_pending(c, st, records, out, w));  // the ids go in the calls' order
      RETURN_IF_ERROR(insert_one(c, st, records, i, slot, h, out, w));
    }
    outcomes.push_back(InsertOutcome::kStored);
  }
  return flush_pending(c, st, records, out, w);
}

// Ids are never reused (migration 8): when retention deleted the row of the largest id, the
// first row stored now takes the id after the largest ever deleted, and SQLite's MAX(id) + 1
// goes on from there.
Result<std::optional<std::int64_t>> first_free_id(Connection& c) {
  ASSIGN_OR_RETURN(const std::int64_t deleted_max,
                   c.query_int("SELECT id FROM call_id_high_water"));
  ASSIGN_OR_RETURN(const std::int64_t table_max,
                   c.query_int("SELECT IFNULL(MAX(id), 0) FROM calls"));
  if (deleted_max > table_max) return std::optional<std::int64_t>(deleted_max + 1);
  return std::optional<std::int64_t>();
}

}  // namespace

void SqliteCallStore::write_group(std::vector<std::unique_ptr<QueuedBatch>>& group) {
  // The store stage of ingest (core/stage_times.h): the commit and the index update.
  const std::uint64_t started = stages::stage_timing_on() ? stages::now_ns() : 0;
  WriteScratch scratch;
  std::vector<UuidAdded> added;
  const bool alone = group.size() == 1;
  int rows_per_insert = 1;
  {
    MutexLock lock(&config_mu_);
    rows_per_insert = rows_per_insert_;
  }
  // The foreign key of each row (its account) and its CHECK constraints are checked by the
  // writer (check_row: each account once a group), not by SQLite for every row.
  const Status committed = db_.write_transaction_unchecked([&](Connection& c,
                                                               bool unchecked) -> Status {
    scratch.check_rows = unchecked;
    // Another program may have stored calls since this process last looked (the write lock of
    // the database file is ours now, so none can meanwhile): each account of the group reads
    // the rows past the last it knows into its uuid map before a call is checked against it.
    sqlite::CallIndexes& indexes = db_.call_indexes();
    ASSIGN_OR_RETURN(const std::int64_t data_version, c.query_int("PRAGMA data_version"));
    indexes.note_data_version(data_version);
    const std::uint64_t generation = indexes.foreign_writes();
    std::set<Slot*> caught_up;
    for (auto& batch : group) {
      for (auto& [account_id, slot] : batch->slots) {
        if (!caught_up.insert(slot).second) continue;
        MutexLock lock(&slot->uuids_mu);
        if (slot->uuids_built && slot->uuids_generation == generation) continue;
        RETURN_IF_ERROR(catch_up_uuids(c, *slot, account_id, generation));
      }
    }
    ASSIGN_OR_RETURN(std::optional<std::int64_t> next_id, first_free_id(c));
    // The statements of the group, bound and run once per call.
    ASSIGN_OR_RETURN(StatementRef full, c.prepare(sqlite::insert_call_sql()));
    ASSIGN_OR_RETURN(StatementRef trunk_only, c.prepare(sqlite::insert_trunk_only_call_sql()));
    std::optional<StatementRef> trunk_only_rows;
    if (rows_per_insert > 1) {
      // A library built with fewer parameters a statement than the 1,088 of 32 rows (before
      // SQLite 3.32 the limit was 999) refuses it: then every call has its own insert.
      Result<StatementRef> rows = c.prepare(sqlite::insert_trunk_only_calls_sql(rows_per_insert));
      if (rows.ok()) trunk_only_rows.emplace(std::move(rows).value());
    }
    const InsertStatements st{*full, *trunk_only, trunk_only_rows ? &**trunk_only_rows : nullptr,
                              static_cast<std::size_t>(rows_per_insert)};
    for (auto& batch : group) {
      // A batch alone fails its transaction (nothing written); in a group its savepoint
      // undoes it alone, unless the failure is not the batch's own (then the group fails).
      if (!alone) RETURN_IF_ERROR(c.exec("SAVEPOINT batch"));
      const std::size_t added_before = added.size();
      scratch.refused = false;
      batch->status = insert_rows(c, st, *batch->records, batch->slots, next_id, batch->row_ids,
                                  batch->outcomes, added, scratch);
      if (batch->status.ok()) {
        if (!alone) RETURN_IF_ERROR(c.exec("RELEASE batch"));
        continue;
      }
      const int code = sqlite3_extended_errcode(c.handle()) & 0xff;
      if (alone || (code != SQLITE_CONSTRAINT && !scratch.refused)) return batch->status;
      RETURN_IF_ERROR(c.exec("ROLLBACK TO batch"));
      RETURN_IF_ERROR(c.exec("RELEASE batch"));
      undo_uuids(added, added_before);
      batch->row_ids.clear();
      // The rows undone may have taken the deleted ids' place: ask again.
      ASSIGN_OR_RETURN(next_id, first_free_id(c));
    }
    return Status::Ok();
  });
  if (!committed.ok()) {
    undo_uuids(added, 0);  // nothing of the group is stored
    for (auto& batch : group) batch->done.set_value(committed);
    commit_.answer(group, {});
    return;
  }
  std::function<void()> hook;
  {
    MutexLock lock(&config_mu_);
    hook = after_commit_;
  }
  if (hook) hook();
  if (started != 0) stages::add_ingest_store_ns(stages::now_ns() - started);
  // Durable now. The publisher adds the rows to the list index and answers the batches, while
  // this thread writes the next group.
  commit_.publish_group(std::move(group));
}

void SqliteCallStore::publish(std::vector<std::unique_ptr<QueuedBatch>>& group) {
  // The store stage of ingest goes on here: the index update is part of the write.
  const std::uint64_t started = stages::stage_timing_on() ? stages::now_ns() : 0;
  // Into the indexes, before the callers acknowledge their batches. A re-rating may have
  // changed a row's bill_duration since the commit: its value waits in the slot's late_bill
  // (call_indexes.h) and is taken in place of the one inserted.
  std::map<Slot*, std::int64_t> touched;  // the largest id each slot took
  std::vector<std::size_t> order;
  for (auto& batch : group) {
    if (!batch->status.ok()) continue;
    const std::vector<CallRecord>& records = *batch->records;
    for (auto& [account_id, slot] : batch->slots) {
      // The account's new calls in (end_time, id) order, so that the calls of one chunk of the
      // index are added one after the other while its columns are in the cache.
      order.clear();
      for (std::size_t i = 0; i < records.size(); ++i) {
        if (batch->row_ids[i] != 0 && records[i].account_id == account_id) order.push_back(i);
      }
      std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        return records[a].end_time < records[b].end_time ||
               (records[a].end_time == records[b].end_time &&
                batch->row_ids[a] < batch->row_ids[b]);
      });
      WriterLock lock(&slot->mu);
      std::int64_t& largest = touched[slot];
      for (const std::size_t i : order) {
        IndexedCall call = IndexedCall::of(batch->row_ids[i], records[i]);
        if (!slot->late_bill.empty()) {
          const auto late = slot->late_bill.find(call.id);
          if (late != slot->late_bill.end()) call.bill_duration_s = late->second;
        }
        slot->index.add(call);
        slot->indexed_through_id = std::max(slot->indexed_through_id, call.id);
        largest = std::max(largest, call.id);
      }
    }
  }
  // Groups are published in the order they committed, and ids grow: what is left in late_bill
  // up to this group's largest id names rows that are gone; above it, rows of groups committed
  // since, not yet published.
  for (const auto& [slot, largest] : touched) {
    WriterLock lock(&slot->mu);
    std::erase_if(slot->late_bill,
                  [largest = largest](const auto& e) { return e.first <= largest; });
  }
  if (started != 0) stages::add_ingest_store_ns(stages::now_ns() - started);
  for (auto& batch : group) {
    if (batch->status.ok()) {
      batch->done.set_value(std::move(batch->outcomes));
    } else {
      batch->done.set_value(batch->status);
    }
  }
  std::vector<Slot*> indexed;
  indexed.reserve(touched.size());
  for (const auto& [slot, largest] : touched) indexed.push_back(slot);
  commit_.answer(group, indexed);  // the writer compacts what was indexed once it is idle
}

namespace {

constexpr std::size_t kFetchIds = 32;

// The rows of a page, `ids` in the index's order: kFetchIds ids per statement (the slots a page
// does not fill are NULL, which matches no row), each row read in place into its slot of `rows`
// by the id it comes back with. One statement instead of one per row, and no record moved.
Status read_rows_by_id(sqlite::Connection& c, const std::vector<std::int64_t>& ids,
                       std::vector<CallRecord>& rows) {
  static const std::string sql = [] {
    std::string s =
        std::string("SELECT ") + sqlite::kCallColumns + ", id FROM calls WHERE id IN (?";
    for (std::size_t i = 1; i < kFetchIds; ++i) s += ", ?";
    return s + ")";
  }();
  rows.clear();
  rows.resize(ids.size());
  std::vector<bool> read(ids.size());
  for (std::size_t first = 0; first < ids.size(); first += kFetchIds) {
    const std::size_t n = std::min(kFetchIds, ids.size() - first);
    ASSIGN_OR_RETURN(sqlite::StatementRef st, c.prepare(sql));
    for (std::size_t k = 0; k < kFetchIds; ++k) {
      if (k < n) {
        st->bind(static_cast<int>(k + 1), ids[first + k]);
      } else {
        st->bind_null(static_cast<int>(k + 1));
      }
    }
    for (;;) {
      ASSIGN_OR_RETURN(const bool more, st->step());
      if (!more) break;
      const std::int64_t id = st->int64(sqlite::kCallColumnCount);
      std::size_t k = 0;
      while (k < n && ids[first + k] != id) ++k;
      if (k == n || read[first + k]) {
        return Status::Internal("the calls table gave row " + std::to_string(id) +
                                ", which the page did not ask for");
      }
      RETURN_IF_ERROR(sqlite::read_call_into(*st, rows[first + k]));
      read[first + k] = true;
    }
  }
  for (std::size_t k = 0; k < ids.size(); ++k) {
    if (!read[k]) {
      return Status::Internal("the list index names call row " + std::to_string(ids[k]) +
                              ", which the calls table does not hold");
    }
  }
  return Status::Ok();
}

}  // namespace

Result<std::optional<CallRecord>> SqliteCallStore::find_call(std::int64_t account_id,
                                                             std::string_view call_uuid,
                                                             Micros served_from) {
  return find_call_columns(account_id, call_uuid, served_from, false);
}

Result<std::optional<CallRecord>> SqliteCallStore::find_trunk_call(std::int64_t account_id,
                                                                   std::string_view call_uuid,
                                                                   Micros served_from) {
  return find_call_columns(account_id, call_uuid, served_from, true);
}

Result<std::optional<CallRecord>> SqliteCallStore::find_call_columns(std::int64_t account_id,
                                                                     std::string_view call_uuid,
                                                                     Micros served_from,
                                                                     bool trunk_only) {
  const std::string& sql = trunk_only ? find_trunk_call_sql() : find_call_sql();
  const int key_column = trunk_only ? sqlite::kTrunkCallColumnCount : sqlite::kCallColumnCount;
  Slot& slot = db_.call_indexes().slot(account_id);
  std::string key;
  fold_uuid(call_uuid, key);
  const std::uint64_t h = index::call_uuid_hash(key);
  // The first lookup of an account whose map is not built yet builds it (or waits for the
  // background builder's build of it): a read of every row of the account, seconds at millions
  // of calls, which is why such a retrieve is not answered on an I/O thread
  // (find_call_is_bounded).
  bool built = false;
  {
    MutexLock lock(&slot.uuids_mu);
    built = slot.uuids_built;
  }
  if (!built) RETURN_IF_ERROR(build_uuid_map(slot, account_id, nullptr));
  // The map is held only to name the candidates (and to catch up): the rows are read without
  // it, so lookups of one account run side by side and beside the writer. The record is read
  // in place into `found` (a record is some sixty members: each move of it costs as much as
  // reading its columns).
  Result<std::optional<CallRecord>> result = std::optional<CallRecord>();
  std::optional<CallRecord>& found = result.value();
  std::vector<std::int64_t> ids;
  {
    MutexLock lock(&slot.uuids_mu);
    slot.uuids.find(h, ids);
  }
  // The rows named that hold this uuid (several only for twins an older version stored in
  // different cases, migration 6): the one shown in the spelling asked for first, then the
  // one shown in lower case, then the first stored. A row not (yet) in this snapshot is
  // passed over; entries are only dropped by the writer, which sees every row. A row is
  // ranked by its uuid as shown (column 1) and read only when it ranks above the one held.
  auto lookup = [&](Connection& c) -> Status {
    std::sort(ids.begin(), ids.end());
    int best_rank = 3;
    std::string folded;
    for (const std::int64_t id : ids) {
      ASSIGN_OR_RETURN(StatementRef st, c.prepare(sql));
      st->bind_all(1, id, account_id, served_from);
      ASSIGN_OR_RETURN(const bool row_found, st->step());
      if (!row_found) {
        st->reset();
        continue;
      }
      fold_uuid(st->text_view(key_column), folded);
      if (folded != key) {
        st->reset();
        continue;
      }
      const std::string_view shown = st->text_view(1);
      const int rank = shown == call_uuid ? 0 : shown == key ? 1 : 2;
      if (rank < best_rank) {
        best_rank = rank;
        found.emplace();
        Status read = trunk_only ? sqlite::read_trunk_call_into(*st, *found)
                                 : sqlite::read_call_into(*st, *found);
        if (!read.ok()) {
          st->reset();
          return read;
        }
      }
      st->reset();
    }
    return Status::Ok();
  };
  // One candidate (every uuid but an old twin's): its one statement is a snapshot of its own,
  // so no explicit transaction (BEGIN and COMMIT are two statements more). Found, it is the
  // answer; not found, the transaction below asks again with the catch-up in one snapshot.
  if (ids.size() == 1) {
    RETURN_IF_ERROR(db_.with_reader([&](Connection& c) { return lookup(c); }));
    if (found) return result;
  }
  RETURN_IF_ERROR(db_.read_transaction([&](Connection& c) -> Status {
    {
      MutexLock lock(&slot.uuids_mu);
      ids.clear();
      slot.uuids.find(h, ids);
    }
    RETURN_IF_ERROR(lookup(c));
    if (found) return Status::Ok();
    // Not known: the rows another program stored since the map last looked (one range of
    // calls_by_account past the last id it knows, usually empty), then once more.
    {
      MutexLock lock(&slot.uuids_mu);
      const std::int64_t through = slot.uuids_through_id;
      RETURN_IF_ERROR(catch_up_uuids(c, slot, account_id, slot.uuids_generation));
      if (slot.uuids_through_id == through) return Status::Ok();
      ids.clear();
      slot.uuids.find(h, ids);
    }
    return lookup(c);
  }));
  return result;
}

bool SqliteCallStore::list_is_bounded(const CallQuery& query) {
  if (query.limit < 0 || static_cast<std::size_t>(query.limit) > kFetchIds ||
      !AccountCallIndex::answers(query)) {
    return false;
  }
  Slot& slot = db_.call_indexes().slot(query.account_id);
  // Asked on the thread that read the request, which must never wait: while the publisher adds
  // a group's calls or the writer compacts (both hold the index for writing), the list is not
  // bounded now, and a worker answers it.
  if (!slot.mu.try_lock_shared()) return false;
  const bool bounded = slot.built && slot.index.exact() && slot.index.selective(query);
  slot.mu.unlock_shared();
  return bounded;
}

Result<Page<CallRecord>> SqliteCallStore::list_calls(const CallQuery& query) {
  if (!AccountCallIndex::answers(query)) return list_calls_scan(query);
  ASSIGN_OR_RETURN(Slot * slot, built_slot(query.account_id));
  // Held until the page is read: no writer changes or removes a row of it meanwhile.
  ReaderLock lock(&slot->mu);
  if (!slot->index.exact()) return list_calls_scan(query);
  stages::ListTimer matching(stages::ListStage::kMatchCount);
  index::IndexAnswer answer = slot->index.query(query);
  matching.stop();
  Page<CallRecord> page;
  page.total_count = answer.total_count;
  if (answer.ids.empty()) return page;
  stages::ListTimer fetching(stages::ListStage::kFetch);
  const auto read = [&](Connection& c) -> Status {
    return read_rows_by_id(c, answer.ids, page.rows);
  };
  // A page of up to kFetchIds rows is one statement, its own snapshot: no BEGIN and COMMIT
  // around it (the index lock, held meanwhile, keeps each of its rows in place anyway).
  RETURN_IF_ERROR(answer.ids.size() <= kFetchIds ? db_.with_reader(read)
                                                 : db_.read_transaction(read));
  return page;
}

Result<Page<CallRecord>> SqliteCallStore::list_calls_scan(const CallQuery& query) {
  // One statement finds and counts, then the page is read: all of it is the list's match_count
  // stage.
  stages::ListTimer scanning(stages::ListStage::kMatchCount);
  const sqlite::CallFilter filter = sqlite::build_call_filter(query);
  if (filter.matches_nothing) return Page<CallRecord>();
  // One read transaction: the page and the count come from the same snapshot. The account's
  // rows are read once per list (calls_by_account, in storage order), whatever the page.
  return db_.read_transaction([&](Connection& c) -> Result<Page<CallRecord>> {
    std::vector<std::pair<Micros, std::int64_t>> matches;  // (end_time, id)
    ASSIGN_OR_RETURN(StatementRef st, c.query(match_sql(filter), filter.values));
    for (;;) {
      ASSIGN_OR_RETURN(const bool row, st->step());
      if (!row) break;
      matches.emplace_back(st->int64(0), st->int64(1));
    }
    st->reset();
    Page<CallRecord> page;
    page.total_count = query.count_total ? static_cast<std::int64_t>(matches.size()) : 0;
    const auto [first, end] = order_page(matches, query);
    page.rows.reserve(end - first);
    for (std::size_t i = first; i < end; ++i) {
      ASSIGN_OR_RETURN(std::optional<CallRecord> row,
                       c.query_one(call_by_id_sql(), sqlite::read_call, matches[i].second));
      if (row) page.rows.push_back(std::move(*row));
    }
    return page;
  });
}

namespace {

// The matching calls' columns the totals read, through calls_by_account: the account's rows in
// storage order, each once (see usage()).
std::string usage_sql(const sqlite::CallFilter& f, const UsageQuery& q) {
  std::string sql = "SELECT end_time, ";
  sql += sqlite::usage_group_sql(q.group_by);
  sql +=
      ", answer_time IS NOT NULL, duration_s, bill_duration_s, total_amount FROM calls"
      " INDEXED BY calls_by_account WHERE ";
  sql += f.where;
  return sql;
}

bool is_text_group(const std::optional<UsageGroup>& g) {
  return g == UsageGroup::kToCountry || g == UsageGroup::kTrunkId;
}

// Whether an enum group's stored code names a value (the sums name it by that value).
bool known_group_code(const std::optional<UsageGroup>& g, std::int64_t code) {
  if (g == UsageGroup::kDirection) return sqlite::enum_from_code<Direction>(code).has_value();
  return sqlite::enum_from_code<HangupSource>(code).has_value();
}

}  // namespace

Result<UsageAnswer> SqliteCallStore::usage(const UsageQuery& query) {
  const sqlite::CallFilter filter = sqlite::build_call_filter(query.filter);
  if (filter.matches_nothing || query.max_rows < 0) return UsageAnswer{};
  const bool text_group = is_text_group(query.group_by);
  UsageSums sums(query);
  RETURN_IF_ERROR(db_.read_transaction([&](Connection& c) -> Status {
    // Plan: the account's rows through calls_by_account, in storage order (the table has no
    // end_time index since migration 10; in storage order each row costs about 8 times less
    // than in end_time order did), the window and the filters checked on each row.
    // One pass, summing into at most max_rows rows: a row past them says there are more, and
    // the pass stops there, so neither time nor memory grows past that.
    ASSIGN_OR_RETURN(StatementRef st, c.query(usage_sql(filter, query), filter.values));
    for (;;) {
      ASSIGN_OR_RETURN(const bool row, st->step());
      if (!row) return Status::Ok();
      const std::int64_t code = text_group ? 0 : st->int64(1);
      if (query.group_by && !text_group && !known_group_code(query.group_by, code)) {
        return Status::IOError(query.group_by == UsageGroup::kDirection
                                   ? "unknown direction code"
                                   : "unknown hangup source code");
      }
      UsageTotals one;
      one.calls = 1;
      one.answered_calls = st->int64(2);
      one.answered_duration_s = one.answered_calls != 0 ? st->int64(3) : 0;
      one.bill_duration_s = st->int64(4);
      one.total_amount = Money::from_units(st->int64(5));
      switch (
          sums.add(st->int64(0), code, text_group ? st->text_view(1) : std::string_view(), one)) {
        case UsageSums::Added::kAdded:
          break;
        case UsageSums::Added::kFull:
          return Status::Ok();
        case UsageSums::Added::kOverflow:
          return Status::IOError("usage: a sum leaves the 64-bit integer range");
      }
    }
  }));
  return sums.answer();
}

Result<std::vector<StoredCall>> SqliteCallStore::calls_stored_after(std::int64_t account_id,
                                                                    std::int64_t after_id,
                                                                    Micros served_from, int limit) {
  if (limit <= 0) return std::vector<StoredCall>();
  // One range of calls_by_account (account_id, then id); rows past retention that the sweeper
  // has not deleted yet are skipped, as every read skips them.
  static const std::string sql = std::string("SELECT ") + sqlite::kCallColumns +
                                 ", id FROM calls WHERE account_id = ? AND id > ?"
                                 " AND end_time >= ? ORDER BY id LIMIT ?";
  return db_.with_reader([&](Connection& c) -> Result<std::vector<StoredCall>> {
    return c.query_all(
        sql,
        [](const Statement& st) -> Result<StoredCall> {
          ASSIGN_OR_RETURN(CallRecord call, sqlite::read_call(st));
          return StoredCall{st.int64(sqlite::kCallColumnCount), std::move(call)};
        },
        account_id, after_id, served_from, std::int64_t{limit});
  });
}

namespace {

// The columns of an export, in the order read_export_row reads them: only what the export
// format shows (docs/export.md), never the legs or the cloud-PBX fields.
constexpr const char* kExportColumns =
    "id, account_id, COALESCE(call_uuid_as_sent, call_uuid), direction, from_number, to_number, "
    "initiation_time, answer_time, end_time, duration_s, bill_duration_s, hangup_cause_code, "
    "hangup_cause_name, hangup_source, trunk_id, trunk_domain, region, transport, srtp, "
    "secure_trunking, rate, secure_trunking_rate, total_amount, from_country, to_country, "
    "stir_verification, attestation, sip_call_id, cnam_lookup, cnam_lookup_rate";

// The row's columns straight from SQLite: views of its text, no copy. False for a corrupt enum
// code.
bool read_export_row(const Statement& st, CallExportRow& r) {
  int i = 0;
  bool ok = true;
  r.id = st.int64(i++);
  r.account_id = st.int64(i++);
  r.call_uuid = st.text_view(i++);
  ok &= sqlite::decode_enum(st.int64(i++), r.direction);
  r.from_number = st.text_view(i++);
  r.to_number = st.text_view(i++);
  r.initiation_time = st.int64(i++);
  r.answer_time = st.opt_int64(i++);
  r.end_time = st.int64(i++);
  r.duration_s = st.int64(i++);
  r.bill_duration_s = st.int64(i++);
  r.hangup_cause_code = st.opt_int64(i++);
  r.hangup_cause_name = st.text_view(i++);
  ok &= sqlite::decode_enum(st.int64(i++), r.hangup_source);
  r.trunk_id = st.text_view(i++);
  r.trunk_domain = st.text_view(i++);
  r.region = st.text_view(i++);
  ok &= sqlite::decode_enum(st.int64(i++), r.transport);
  r.srtp = st.int64(i++) != 0;
  r.secure_trunking = st.int64(i++) != 0;
  r.rate = Money::from_units(st.int64(i++));
  r.secure_trunking_rate = Money::from_units(st.int64(i++));
  r.total_amount = Money::from_units(st.int64(i++));
  r.from_country = st.text_view(i++);
  r.to_country = st.text_view(i++);
  ok &= sqlite::decode_enum(st.int64(i++), r.stir_verification);
  ok &= sqlite::decode_enum(st.int64(i++), r.attestation);
  r.sip_call_id = st.text_view(i++);
  r.cnam_lookup = st.int64(i++) != 0;
  r.cnam_lookup_rate = Money::from_units(st.int64(i++));
  return ok;
}

}  // namespace

Result<std::int64_t> SqliteCallStore::export_calls(const ExportQuery& query, std::int64_t after_id,
                                                   std::int64_t through_id,
                                                   const ExportRowFn& row) {
  const sqlite::CallFilter filter = sqlite::build_call_filter(query.filter, query.all_accounts);
  if (filter.matches_nothing || through_id <= after_id) return std::int64_t{0};
  // The plan is fixed: the window of ids through the account's index (account_id, id), or the
  // table itself in id order for every account, whatever the filters. Each read then costs at
  // most the window's rows, where an index of another filter would be walked whole for every
  // window.
  std::string sql = std::string("SELECT ") + kExportColumns + " FROM calls " +
                    (query.all_accounts ? "NOT INDEXED" : "INDEXED BY calls_by_account") +
                    " WHERE ";
  if (!filter.where.empty()) sql += filter.where + " AND ";
  sql += "id > ? AND id <= ? AND end_time >= ? ORDER BY id";
  return db_.with_reader([&](Connection& c) -> Result<std::int64_t> {
    ASSIGN_OR_RETURN(StatementRef st,
                     c.query(sql, filter.values, after_id, through_id, query.served_from));
    std::int64_t n = 0;
    CallExportRow r;
    for (;;) {
      ASSIGN_OR_RETURN(const bool more, st->step());
      if (!more) return n;
      if (!read_export_row(*st, r)) {
        return Status::IOError("sqlite: corrupt enum code in the call of id " +
                               std::to_string(r.id));
      }
      row(r);
      ++n;
    }
  });
}

Result<std::int64_t> SqliteCallStore::last_call_id() {
  return db_.with_reader(
      [](Connection& c) { return c.query_int("SELECT IFNULL(MAX(id), 0) FROM calls"); });
}

Result<std::int64_t> SqliteCallStore::delete_calls_ended_before(Micros floor, int max_rows) {
  if (max_rows <= 0) return std::int64_t{0};
  ASSIGN_OR_RETURN(const std::vector<std::int64_t> accounts, db_.with_reader([](Connection& c) {
    return c.query_all("SELECT id FROM accounts ORDER BY id",
                       [](const Statement& st) { return st.int64(0); });
  }));
  std::int64_t deleted = 0;
  for (std::int64_t account_id : accounts) {
    if (deleted >= max_rows) break;
    ASSIGN_OR_RETURN(Slot * slot, built_slot(account_id));
    // The account's lock across the delete and the index update: no list reads a row id
    // that is going away.
    WriterLock lock(&slot->mu);
    const std::vector<std::int64_t> ids = slot->index.oldest_ended_before(
        floor, static_cast<std::size_t>(static_cast<std::int64_t>(max_rows) - deleted));
    if (ids.empty()) continue;
    // The uuid map loses the rows' entries too once they are gone for good (their uuids come
    // back from the delete), so that it does not grow with calls long gone.
    std::vector<std::pair<std::uint64_t, std::int64_t>> gone;
    RETURN_IF_ERROR(db_.write_transaction([&](Connection& c) -> Status {
      std::string key;
      for (std::int64_t id : ids) {
        ASSIGN_OR_RETURN(StatementRef st,
                         c.prepare("DELETE FROM calls WHERE id = ? RETURNING call_uuid"));
        st->bind_all(1, id);
        ASSIGN_OR_RETURN(const bool row, st->step());
        if (row) fold_uuid(st->text_view(0), key);
        // RETURNING yields its row before the delete is done: step to the end.
        Status done = Status::Ok();
        if (row) {
          Result<bool> more = st->step();
          if (!more.ok()) done = more.status();
        }
        st->reset();
        RETURN_IF_ERROR(done);
        if (row) gone.emplace_back(index::call_uuid_hash(key), id);
      }
      return Status::Ok();
    }));
    {
      MutexLock uuids_lock(&slot->uuids_mu);
      if (slot->uuids_built) {
        for (const auto& [h, id] : gone) slot->uuids.remove(h, id);
      }
    }
    slot->index.drop_oldest(ids.size());
    deleted += static_cast<std::int64_t>(ids.size());
  }
  return deleted;
}

Result<std::vector<std::string>> SqliteCallStore::explain_list_calls(const CallQuery& query) {
  const sqlite::CallFilter filter = sqlite::build_call_filter(query);
  return db_.with_reader([&](Connection& c) -> Result<std::vector<std::string>> {
    // The matches (count and order) come from one statement; the page's rows by id.
    ASSIGN_OR_RETURN(std::vector<std::string> lines,
                     explain(c, match_sql(filter), filter.values, "page"));
    ASSIGN_OR_RETURN(const std::vector<std::string> fetch,
                     explain(c, call_by_id_sql(), {std::int64_t{0}}, "page"));
    lines.insert(lines.end(), fetch.begin(), fetch.end());
    ASSIGN_OR_RETURN(const std::vector<std::string> count,
                     explain(c, match_sql(filter), filter.values, "count"));
    lines.insert(lines.end(), count.begin(), count.end());
    return lines;
  });
}

Result<std::vector<std::string>> SqliteCallStore::explain_find_call() {
  const std::vector<SqlValue> values = {std::int64_t{0}, std::int64_t{0}, std::int64_t{0}};
  return db_.with_reader(
      [&](Connection& c) { return explain(c, find_call_sql(), values, "find"); });
}

}  // namespace cdrd
