#include "store/segment/segment_call_store.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <filesystem>
#include <functional>
#include <future>
#include <limits>
#include <map>
#include <utility>

#include "core/ascii.h"
#include "core/call_match.h"
#include "core/errno_text.h"
#include "core/stage_times.h"
#include "store/index/uuid_snapshot.h"

namespace cdrd::segment {
namespace {

using index::AccountCallIndex;
using index::IndexedCall;

constexpr std::int64_t kLastId = std::numeric_limits<std::int64_t>::max();
// A page of up to this many calls is bounded work (list_is_bounded), as in the sqlite store.
constexpr std::size_t kBoundedPage = 32;

// `uuid` folded to ASCII lower case into `out`: the key calls are told apart by.
void fold_uuid(std::string_view uuid, std::string& out) {
  out.assign(uuid);
  for (char& c : out) c = ascii_lower(c);
}

// The directory, made with mode 0700 when missing (the calls are the server user's alone).
Status make_dir(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status::IOError("calls directory " + dir + ": " + ec.message());
  if (::chmod(dir.c_str(), 0700) != 0) {
    return Status::IOError("calls directory " + dir + ": chmod: " + errno_text());
  }
  return Status::Ok();
}

// An exclusive lock on DIR/LOCK for this process's life: the log is one process's at a time.
Result<int> lock_dir(const std::string& dir) {
  const std::string path = dir + "/LOCK";
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return Status::IOError("calls directory lock " + path + ": " + errno_text());
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const bool busy = errno == EWOULDBLOCK;
    const Status s = Status::IOError(
        busy ? "the calls in " + dir +
                   " are in use by another process (a running cdrd serve or import): stop it, "
                   "or send the calls to it over HTTP"
             : "calls directory lock " + path + ": " + errno_text());
    ::close(fd);
    return s;
  }
  return fd;
}

}  // namespace

Result<std::unique_ptr<SegmentCallStore>> SegmentCallStore::open(const std::string& dir,
                                                                 StoreOptions options) {
  RETURN_IF_ERROR(make_dir(dir));
  ASSIGN_OR_RETURN(const int lock_fd, lock_dir(dir));
  // The snapshot files are read beside the log's open (each takes seconds at millions of calls);
  // whether they name the state the log is in is known once both are done.
  std::future<SnapshotFiles> files = std::async(std::launch::async, [&dir] {
    return SnapshotFiles{index::read_snapshot_file(dir + "/index", 2),
                         index::read_uuid_snapshot_file(dir + "/uuids")};
  });
  Result<std::unique_ptr<CallLog>> log = CallLog::open(dir, options.log);
  Result<std::unique_ptr<DeletedCalls>> deleted =
      log.ok() ? DeletedCalls::open(dir + "/deleted") : log.status();
  SnapshotFiles read = files.get();
  if (!deleted.ok()) {
    ::close(lock_fd);
    return deleted.status();
  }
  std::unique_ptr<SegmentCallStore> store(new SegmentCallStore(
      dir, options.query_budget_ms, std::move(log).value(), std::move(deleted).value(), lock_fd));
  if (const Status loaded = store->load_snapshot(std::move(read)); loaded.ok()) {
    store->start_.from_snapshot = true;
  } else {
    store->start_.why = loaded.message();
    RETURN_IF_ERROR(store->build());
  }
  store->next_id_ = std::max<std::int64_t>(1, store->log_->next_id());
  return store;
}

SegmentCallStore::SegmentCallStore(std::string dir, int query_budget_ms,
                                   std::unique_ptr<CallLog> log,
                                   std::unique_ptr<DeletedCalls> deleted, int lock_fd)
    : dir_(std::move(dir)),
      query_budget_ms_(query_budget_ms),
      log_(std::move(log)),
      deleted_(std::move(deleted)),
      lock_fd_(lock_fd),
      commit_(
          {}, [this](Group& group) { write_group(group); },
          [this](Group& group) { publish(group); }) {}

index::SnapshotMeta SegmentCallStore::state() const {
  index::SnapshotMeta meta;
  meta.token = "segments deleted=" + std::to_string(deleted_->size());
  meta.last_call_id = std::max<std::int64_t>(0, log_->next_id() - 1);
  return meta;
}

Status SegmentCallStore::load_snapshot(SnapshotFiles files) {
  const index::SnapshotMeta now = state();
  RETURN_IF_ERROR(files.indexes.status());
  RETURN_IF_ERROR(files.uuids.status());
  index::LoadedSnapshot& indexes = *files.indexes;
  index::LoadedUuidSnapshot& uuids = *files.uuids;
  for (const index::SnapshotMeta& m : {indexes.meta, uuids.meta}) {
    if (m.token != now.token || m.last_call_id != now.last_call_id) {
      return Status::Conflict("the snapshot is of another state (" + m.token + ", last id " +
                              std::to_string(m.last_call_id) + ") than the calls' (" + now.token +
                              ", last id " + std::to_string(now.last_call_id) + ")");
    }
  }
  // Every account's index beside its uuid map, as many calls in each.
  std::map<std::int64_t, index::CallUuidMap*> maps;
  for (auto& [account, map] : uuids.accounts) maps[account] = &map;
  if (maps.size() != indexes.accounts.size()) {
    return Status::Conflict("the snapshot files hold different accounts");
  }
  for (const auto& [account, idx] : indexes.accounts) {
    const auto it = maps.find(account);
    if (it == maps.end() || it->second->size() != idx.size()) {
      return Status::Conflict("the snapshot files disagree on account " + std::to_string(account));
    }
  }
  for (auto& [account, idx] : indexes.accounts) {
    Slot& s = slot(account);
    {
      WriterLock lock(&s.mu);
      s.index = std::move(idx);
    }
    MutexLock lock(&s.uuids_mu);
    s.uuids = std::move(*maps[account]);
  }
  return Status::Ok();
}

Result<SegmentCallStore::SnapshotSaved> SegmentCallStore::save_snapshot() {
  // Every slot held for reading while its index and map are written: no write changes them.
  const std::vector<std::pair<std::int64_t, Slot*>> slots = all_slots();
  std::vector<index::SnapshotAccount> indexes;
  std::vector<index::UuidSnapshotAccount> maps;
  SnapshotSaved saved;
  for (const auto& [account, s] : slots) {
    s->mu.lock_shared();
    s->uuids_mu.lock();
  }
  const index::SnapshotMeta meta = state();
  for (const auto& [account, s] : slots) {
    if (s->index.size() == 0) continue;
    indexes.push_back({account, &s->index});
    maps.push_back({account, &s->uuids});
    ++saved.accounts;
    saved.calls += s->index.size();
  }
  Result<index::SnapshotStats> written = index::write_snapshot_file(dir_ + "/index", meta, indexes);
  Result<std::size_t> uuid_bytes =
      written.ok() ? index::write_uuid_snapshot_file(dir_ + "/uuids", meta, maps)
                   : Result<std::size_t>(written.status());
  for (const auto& [account, s] : slots) {
    s->uuids_mu.unlock();
    s->mu.unlock_shared();
  }
  if (!uuid_bytes.ok()) return uuid_bytes.status();
  saved.bytes = written->bytes + *uuid_bytes;
  return saved;
}

SegmentCallStore::~SegmentCallStore() {
  commit_.stop();     // everything queued is written and answered
  ::close(lock_fd_);  // releases the lock
}

Status SegmentCallStore::build() {
  std::string key;
  std::int64_t last_account = 0;
  Slot* s = nullptr;
  RETURN_IF_ERROR(log_->scan(std::nullopt, 0, kLastId, [&](std::int64_t id, const CallRecord& c) {
    if (deleted_->contains(id)) return true;
    if (s == nullptr || c.account_id != last_account) {
      s = &slot(c.account_id);
      last_account = c.account_id;
    }
    {
      WriterLock lock(&s->mu);
      s->index.add(IndexedCall::of(id, c));
    }
    fold_uuid(c.call_uuid, key);
    MutexLock lock(&s->uuids_mu);
    s->uuids.add(index::call_uuid_hash(key), id);
    return true;
  }));
  for (const auto& [account, each] : all_slots()) {
    WriterLock lock(&each->mu);
    each->index.compact();
  }
  return Status::Ok();
}

SegmentCallStore::Slot& SegmentCallStore::slot(std::int64_t account_id) {
  MutexLock lock(&slots_mu_);
  std::unique_ptr<Slot>& s = slots_[account_id];
  if (!s) s = std::make_unique<Slot>();
  return *s;
}

SegmentCallStore::Slot* SegmentCallStore::find_slot(std::int64_t account_id) {
  MutexLock lock(&slots_mu_);
  const auto it = slots_.find(account_id);
  return it == slots_.end() ? nullptr : it->second.get();
}

SegmentCallStore::Slot& SegmentCallStore::SlotCache::get(std::int64_t account_id) {
  if (last_ != nullptr && account_id == last_account_) return *last_;
  Slot*& s = seen_[account_id];
  if (s == nullptr) s = &store_.slot(account_id);
  last_account_ = account_id;
  last_ = s;
  return *s;
}

std::vector<std::pair<std::int64_t, SegmentCallStore::Slot*>> SegmentCallStore::all_slots() {
  std::vector<std::pair<std::int64_t, Slot*>> all;
  {
    MutexLock lock(&slots_mu_);
    for (const auto& [account, s] : slots_) all.emplace_back(account, s.get());
  }
  std::sort(all.begin(), all.end());
  return all;
}

Result<bool> SegmentCallStore::read_live(std::int64_t id, CallRecord& out) const {
  if (deleted_->contains(id)) return false;
  return log_->read(id, out);
}

Status SegmentCallStore::read_page(const std::vector<std::int64_t>& ids,
                                   std::vector<CallRecord>& rows) const {
  rows.clear();
  rows.resize(ids.size());
  for (std::size_t i = 0; i < ids.size(); ++i) {
    ASSIGN_OR_RETURN(const bool found, read_live(ids[i], rows[i]));
    if (!found) {
      return Status::Internal("the list index names call " + std::to_string(ids[i]) +
                              ", which the calls log does not hold");
    }
  }
  return Status::Ok();
}

Status SegmentCallStore::scan_live(
    std::optional<std::int64_t> account_id, std::int64_t after_id, std::int64_t through_id,
    const std::function<bool(std::int64_t, const CallRecord&)>& visit) const {
  using Clock = std::chrono::steady_clock;
  const Clock::time_point deadline = Clock::now() + std::chrono::milliseconds(query_budget_ms_);
  bool over = false;
  std::uint32_t calls = 0;
  RETURN_IF_ERROR(
      log_->scan(account_id, after_id, through_id, [&](std::int64_t id, const CallRecord& c) {
        // The clock once every 1,024 calls (well under a millisecond).
        if (query_budget_ms_ > 0 && ++calls % 1024 == 0 && Clock::now() > deadline) {
          over = true;
          return false;
        }
        return deleted_->contains(id) || visit(id, c);
      }));
  if (over) {
    return Status::Unavailable("query over its time budget of " + std::to_string(query_budget_ms_) +
                               " ms; narrow the filter or try again");
  }
  return Status::Ok();
}

// --- Writes ---------------------------------------------------------------------------------

void SegmentCallStore::prefetch_uuid(const Slot& s, std::uint64_t hash) { s.uuids.prefetch(hash); }

Result<std::vector<InsertOutcome>> SegmentCallStore::insert_calls(
    const std::vector<CallRecord>& records) {
  if (records.empty()) return std::vector<InsertOutcome>();
  auto batch = std::make_unique<QueuedBatch>();
  batch->records = &records;  // this call waits for the answer: the records outlive the write
  std::future<Result<std::vector<InsertOutcome>>> answer = batch->done.get_future();
  commit_.enqueue(std::move(batch));
  return answer.get();
}

std::future<Result<std::vector<InsertOutcome>>> SegmentCallStore::insert_calls_async(
    std::vector<CallRecord> records) {
  auto batch = std::make_unique<QueuedBatch>();
  batch->owned = std::move(records);
  batch->records = &batch->owned;
  std::future<Result<std::vector<InsertOutcome>>> answer = batch->done.get_future();
  commit_.enqueue(std::move(batch));
  return answer;
}

std::vector<CallRecord> SegmentCallStore::take_spent_records() {
  return commit_.take_spent_records();
}

void SegmentCallStore::write_group(Group& group) {
  const std::uint64_t started = stages::stage_timing_on() ? stages::now_ns() : 0;
  const std::int64_t first = next_id_;
  std::int64_t next = first;
  std::vector<const CallRecord*> block;  // the calls stored, id first, first + 1, ...
  struct Added {
    Slot* slot;
    std::uint64_t hash;
    std::int64_t id;
  };
  std::vector<Added> added;  // taken out again when the append fails
  std::string other_key;
  std::vector<std::int64_t> candidates;
  CallRecord read;
  Status status = Status::Ok();
  SlotCache slots(*this);
  index::FoldedUuids& uuids = folded_;
  for (auto& batch : group) {
    const std::vector<CallRecord>& records = *batch->records;
    batch->ids.assign(records.size(), 0);
    batch->outcomes.assign(records.size(), InsertOutcome::kDuplicate);
    // The batch's hashes and slots first, so that each call can ask for the uuid map's slots of
    // the call kUuidPrefetchAhead later: a look-up in a map of millions of entries otherwise
    // waits for memory every time.
    uuids.fold(records);
    batch_slots_.resize(records.size());
    for (std::size_t i = 0; i < records.size(); ++i) {
      batch_slots_[i] = &slots.get(records[i].account_id);
    }
    for (std::size_t i = 0; i < records.size() && status.ok(); ++i) {
      if (const std::size_t ahead = i + kUuidPrefetchAhead; ahead < records.size()) {
        prefetch_uuid(*batch_slots_[ahead], uuids.hash(ahead));
      }
      const CallRecord& r = records[i];
      Slot* const s = batch_slots_[i];
      const std::string_view key = uuids.key(i);
      const std::uint64_t h = uuids.hash(i);
      candidates.clear();
      const std::int64_t id = next;
      bool is_new = false;
      {
        MutexLock lock(&s->uuids_mu);
        s->uuids.find(h, candidates);
        // A hash the map does not hold (nearly every new call): the call is new and is added
        // under the same lock. This thread alone writes the maps, so nothing comes between.
        is_new = candidates.empty();
        if (is_new) s->uuids.add(h, id);
      }
      if (!is_new) {
        // Each call the map names with this hash: stored in this group (not in the log yet), or
        // read from the log; one of the same account and folded uuid is this call.
        bool stored = false;
        for (const std::int64_t candidate : candidates) {
          const CallRecord* other = nullptr;
          if (candidate >= first) {
            other = block[static_cast<std::size_t>(candidate - first)];
          } else {
            Result<bool> found = read_live(candidate, read);
            if (!found.ok()) {
              status = found.status();
              break;
            }
            if (!*found) continue;  // deleted: the call may be stored again
            other = &read;
          }
          fold_uuid(other->call_uuid, other_key);
          if (other->account_id == r.account_id && other_key == key) {
            stored = true;
            break;
          }
        }
        if (!status.ok() || stored) continue;
        MutexLock lock(&s->uuids_mu);
        s->uuids.add(h, id);
      }
      ++next;
      added.push_back({s, h, id});
      block.push_back(&r);
      batch->ids[i] = id;
      batch->outcomes[i] = InsertOutcome::kStored;
    }
  }
  if (status.ok() && !block.empty()) status = log_->append(first, block);
  if (!status.ok()) {
    // Nothing of the group is stored: its ids are given again, its entries go.
    for (auto it = added.rbegin(); it != added.rend(); ++it) {
      MutexLock lock(&it->slot->uuids_mu);
      it->slot->uuids.remove(it->hash, it->id);
    }
    for (auto& batch : group) batch->done.set_value(status);
    commit_.answer(group, {});
    return;
  }
  next_id_ = next;
  if (started != 0) stages::add_ingest_store_ns(stages::now_ns() - started);
  commit_.publish_group(std::move(group));
}

void SegmentCallStore::publish(Group& group) {
  const std::uint64_t started = stages::stage_timing_on() ? stages::now_ns() : 0;
  // The group's new calls by account, so that each account's index is locked once per run of up
  // to kPublishRun calls (a group's calls switch accounts nearly every call, and a lock each was
  // a lock a call); within an account in (end_time, id) order, so that the calls of one chunk of
  // the index are added one after the other while its columns are in the cache (calls arrive in
  // any order of end_time, and each add in a chunk of its own touched every column's memory).
  struct Item {
    Slot* slot;
    Micros end_time;
    std::int64_t id;
    const CallRecord* call;
  };
  std::vector<Item> items;
  SlotCache slots(*this);
  for (auto& batch : group) {
    const std::vector<CallRecord>& records = *batch->records;
    for (std::size_t i = 0; i < records.size(); ++i) {
      if (batch->ids[i] == 0) continue;
      items.push_back(
          {&slots.get(records[i].account_id), records[i].end_time, batch->ids[i], &records[i]});
    }
  }
  std::sort(items.begin(), items.end(), [](const Item& a, const Item& b) {
    if (a.slot != b.slot) return std::less<Slot*>()(a.slot, b.slot);
    return a.end_time < b.end_time || (a.end_time == b.end_time && a.id < b.id);
  });
  std::vector<Slot*> touched;
  for (std::size_t i = 0; i < items.size();) {
    Slot& s = *items[i].slot;
    touched.push_back(&s);
    // A reader of this account waits for one run at most.
    const std::size_t end = std::min(items.size(), i + kPublishRun);
    WriterLock lock(&s.mu);
    for (; i < end && items[i].slot == &s; ++i) {
      s.index.add(IndexedCall::of(items[i].id, *items[i].call));
    }
  }
  if (started != 0) stages::add_ingest_store_ns(stages::now_ns() - started);
  for (auto& batch : group) batch->done.set_value(std::move(batch->outcomes));
  touched.erase(std::unique(touched.begin(), touched.end()), touched.end());
  commit_.answer(group, touched);
}

// --- Reads ----------------------------------------------------------------------------------

Result<std::optional<CallRecord>> SegmentCallStore::find_call(std::int64_t account_id,
                                                              std::string_view call_uuid,
                                                              Micros served_from) {
  Result<std::optional<CallRecord>> result = std::optional<CallRecord>();
  Slot* s = find_slot(account_id);
  if (s == nullptr) return result;
  std::string key, stored_key;
  fold_uuid(call_uuid, key);
  const std::uint64_t h = index::call_uuid_hash(key);
  std::vector<std::int64_t> ids;
  {
    MutexLock lock(&s->uuids_mu);
    s->uuids.find(h, ids);
  }
  std::sort(ids.begin(), ids.end());
  std::optional<CallRecord>& found = result.value();
  for (const std::int64_t id : ids) {
    if (!found) found.emplace();
    ASSIGN_OR_RETURN(const bool read, read_live(id, *found));
    if (!read) continue;  // written but not appended yet, or deleted
    fold_uuid(found->call_uuid, stored_key);
    if (found->account_id == account_id && stored_key == key && found->end_time >= served_from) {
      return result;
    }
  }
  found.reset();
  return result;
}

bool SegmentCallStore::list_is_bounded(const CallQuery& query) {
  if (query.limit < 0 || static_cast<std::size_t>(query.limit) > kBoundedPage ||
      !AccountCallIndex::answers(query)) {
    return false;
  }
  Slot* s = find_slot(query.account_id);
  if (s == nullptr) return true;  // nothing to read
  // Asked on the thread that read the request, which must never wait.
  if (!s->mu.try_lock_shared()) return false;
  const bool bounded = s->index.exact() && s->index.selective(query);
  s->mu.unlock_shared();
  return bounded;
}

Result<Page<CallRecord>> SegmentCallStore::list_calls(const CallQuery& query) {
  if (!AccountCallIndex::answers(query)) return list_calls_scan(query);
  Slot* s = find_slot(query.account_id);
  if (s == nullptr) return Page<CallRecord>();
  Page<CallRecord> page;
  {
    // Held until the page is read: retention removes no call of it meanwhile.
    ReaderLock lock(&s->mu);
    if (s->index.exact()) {
      stages::ListTimer matching(stages::ListStage::kMatchCount);
      const index::IndexAnswer answer = s->index.query(query);
      matching.stop();
      page.total_count = answer.total_count;
      stages::ListTimer fetching(stages::ListStage::kFetch);
      RETURN_IF_ERROR(read_page(answer.ids, page.rows));
      return page;
    }
  }
  return list_calls_scan(query);
}

Result<Page<CallRecord>> SegmentCallStore::list_calls_scan(const CallQuery& query) {
  stages::ListTimer scanning(stages::ListStage::kMatchCount);
  // The calls appended when the scan begins: count and page come from the same calls.
  const std::int64_t through = log_->next_id() - 1;
  std::vector<std::pair<Micros, std::int64_t>> matches;  // (end_time, id)
  RETURN_IF_ERROR(
      scan_live(query.account_id, 0, through, [&](std::int64_t id, const CallRecord& c) {
        if (matches_filters(c, query)) matches.emplace_back(c.end_time, id);
        return true;
      }));
  Page<CallRecord> page;
  page.total_count = query.count_total ? static_cast<std::int64_t>(matches.size()) : 0;
  const auto [first, end] = order_page(matches, query);
  page.rows.reserve(end - first);
  CallRecord c;
  for (std::size_t i = first; i < end; ++i) {
    // A call retention deleted since the scan is left out of the page.
    ASSIGN_OR_RETURN(const bool found, read_live(matches[i].second, c));
    if (found) page.rows.push_back(c);
  }
  return page;
}

Result<UsageAnswer> SegmentCallStore::usage(const UsageQuery& query) {
  if (query.max_rows < 0) return UsageAnswer{};
  UsageSums sums(query);
  Status overflow = Status::Ok();
  RETURN_IF_ERROR(
      scan_live(query.filter.account_id, 0, kLastId, [&](std::int64_t, const CallRecord& c) {
        if (!matches_filters(c, query.filter)) return true;
        switch (sums.add(c)) {
          case UsageSums::Added::kAdded:
            return true;
          case UsageSums::Added::kFull:
            return false;
          case UsageSums::Added::kOverflow:
            overflow = Status::IOError("usage: a sum leaves the 64-bit integer range");
            return false;
        }
        return true;
      }));
  RETURN_IF_ERROR(overflow);
  return sums.answer();
}

Result<std::vector<StoredCall>> SegmentCallStore::calls_stored_after(std::int64_t account_id,
                                                                     std::int64_t after_id,
                                                                     Micros served_from,
                                                                     int limit) {
  std::vector<StoredCall> out;
  if (limit <= 0) return out;
  RETURN_IF_ERROR(
      scan_live(account_id, after_id, kLastId, [&](std::int64_t id, const CallRecord& c) {
        if (c.end_time >= served_from) out.push_back(StoredCall{id, c});
        return out.size() < static_cast<std::size_t>(limit);
      }));
  return out;
}

Result<std::int64_t> SegmentCallStore::export_calls(const ExportQuery& query, std::int64_t after_id,
                                                    std::int64_t through_id,
                                                    const ExportRowFn& row) {
  std::int64_t n = 0;
  if (through_id <= after_id) return n;
  const std::optional<std::int64_t> account =
      query.all_accounts ? std::nullopt : std::optional<std::int64_t>(query.filter.account_id);
  RETURN_IF_ERROR(
      scan_live(account, after_id, through_id, [&](std::int64_t id, const CallRecord& c) {
        if (c.end_time >= query.served_from && matches_filters(c, query.filter)) {
          row(CallExportRow::of(c, id));
          ++n;
        }
        return true;
      }));
  return n;
}

Result<std::int64_t> SegmentCallStore::last_call_id() {
  return std::max<std::int64_t>(0, log_->next_id() - 1);
}

Result<std::int64_t> SegmentCallStore::delete_calls_ended_before(Micros floor, int max_rows) {
  if (max_rows <= 0) return std::int64_t{0};
  MutexLock one_at_a_time(&delete_mu_);
  std::int64_t deleted = 0;
  std::string key;
  CallRecord c;
  for (const auto& [account, s] : all_slots()) {
    if (deleted >= max_rows) break;
    // The account's lock across the delete and the index update: no list reads a call that
    // is going away.
    WriterLock lock(&s->mu);
    const std::vector<std::int64_t> ids = s->index.oldest_ended_before(
        floor, static_cast<std::size_t>(static_cast<std::int64_t>(max_rows) - deleted));
    if (ids.empty()) continue;
    std::vector<std::uint64_t> hashes;
    hashes.reserve(ids.size());
    for (const std::int64_t id : ids) {
      ASSIGN_OR_RETURN(const bool found, read_live(id, c));
      if (!found) {
        return Status::Internal("the list index names call " + std::to_string(id) +
                                ", which the calls log does not hold");
      }
      fold_uuid(c.call_uuid, key);
      hashes.push_back(index::call_uuid_hash(key));
    }
    RETURN_IF_ERROR(deleted_->add(ids));
    {
      MutexLock uuids_lock(&s->uuids_mu);
      for (std::size_t i = 0; i < ids.size(); ++i) s->uuids.remove(hashes[i], ids[i]);
    }
    s->index.drop_oldest(ids.size());
    deleted += static_cast<std::int64_t>(ids.size());
  }
  return deleted;
}

SegmentCallStore::Usage SegmentCallStore::usage_figures() {
  Usage u;
  for (const auto& [account, s] : all_slots()) {
    ++u.accounts;
    {
      ReaderLock lock(&s->mu);
      u.calls += s->index.size();
      u.index_bytes += s->index.memory_bytes();
      u.pending += s->index.shape().pending;
    }
    MutexLock lock(&s->uuids_mu);
    u.uuid_bytes += s->uuids.memory_bytes();
  }
  u.deleted = deleted_->size();
  u.log = log_->usage();
  u.compaction_steps = commit_.compaction_steps();
  return u;
}

}  // namespace cdrd::segment
