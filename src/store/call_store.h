// The storage interfaces. A handler never writes SQL and a store never formats JSON: handlers
// turn requests into typed queries (CallQuery), a store answers them with records.
//
// Thread-safety: every implementation is safe for concurrent use from many threads; writes are
// serialised inside the store, reads may run in parallel. Errors are values (Status), never
// exceptions.
#pragma once

#include <cstdint>
#include <functional>
#include <future>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/account.h"
#include "core/call_export.h"
#include "core/call_query.h"
#include "core/call_record.h"
#include "core/status.h"
#include "core/usage.h"

namespace cdrd {

class AccountStore {
 public:
  virtual ~AccountStore() = default;
  // Fails with kConflict if auth_id is taken.
  virtual Result<Account> create_account(const std::string& name, const std::string& auth_id,
                                         const std::string& token_hash) = 0;
  virtual Result<std::optional<Account>> find_account_by_auth_id(std::string_view auth_id) = 0;
  virtual Result<std::optional<Account>> find_account_by_name(std::string_view name) = 0;
  virtual Status set_token_hash(std::int64_t account_id, const std::string& token_hash) = 0;
  // The account's default country ("" for none); kNotFound for no such account.
  virtual Status set_default_country(std::int64_t account_id, const std::string& country) = 0;
  virtual Result<std::vector<Account>> list_accounts() = 0;
};

enum class InsertOutcome { kStored, kDuplicate };

// A call with its storage id, the position of the change feed.
struct StoredCall {
  std::int64_t id = 0;
  CallRecord call;
};

// The question of an export: the list's filters (filter.limit, offset, order and count_total
// play no part) over one account (filter.account_id) or every account, without calls that ended
// before `served_from` (retention).
struct ExportQuery {
  CallQuery filter;
  bool all_accounts = false;
  Micros served_from = std::numeric_limits<Micros>::min();
};

// Receives the rows of an export; the views of a row live only during the call.
using ExportRowFn = std::function<void(const CallExportRow&)>;

class CallStore {
 public:
  virtual ~CallStore() = default;

  // Writes all records in one transaction (all or nothing on a storage error). A record whose
  // (account_id, call_uuid) is already stored is left as it is and reported kDuplicate, also
  // when the same key appears twice in `records`. Call uuids compare without regard to ASCII
  // letter case ("CAA308E3" and "caa308e3" are one call). outcome[i] belongs to records[i].
  virtual Result<std::vector<InsertOutcome>> insert_calls(
      const std::vector<CallRecord>& records) = 0;

  // Starts insert_calls(records) and returns at once; the future holds what insert_calls
  // returns, once the records are durable (or failed). Lets a caller prepare its next batch
  // while this one is written, and a store commit the batches of several callers in one
  // transaction (group commit). Each batch stays all or nothing, and a failure of one batch
  // never fails another's. The default runs insert_calls before it returns.
  // (`records` by value: a store that writes later keeps the batch, SqliteCallStore queues it.)
  virtual std::future<Result<std::vector<InsertOutcome>>> insert_calls_async(
      std::vector<CallRecord> records) {  // NOLINT(performance-unnecessary-value-param)
    std::promise<Result<std::vector<InsertOutcome>>> done;
    done.set_value(insert_calls(records));
    return done.get_future();
  }

  // The records of a batch given to insert_calls_async and answered since, handed back for the
  // caller to write a later batch into, so that their strings' room and their memory are used
  // again instead of freed and allocated anew; an empty vector when there are none. Their
  // values are stale: a caller assigns each record before it uses it (`r = CallRecord{}` keeps
  // the strings' room). Default: none.
  virtual std::vector<CallRecord> take_spent_records() { return {}; }

  // The call, if it belongs to the account and ended at or after `served_from`. `call_uuid`
  // matches in any ASCII letter case; the call keeps the spelling it was first stored with.
  virtual Result<std::optional<CallRecord>> find_call(std::int64_t account_id,
                                                      std::string_view call_uuid,
                                                      Micros served_from) = 0;
  // As find_call, for an answer that shows only the SIP-trunk fields of a call (CallRecord's
  // account_id through cnam_lookup_rate, what the SIP-trunk Call API renders): those are
  // set as find_call sets them, the others may be left at their defaults. Default: find_call.
  virtual Result<std::optional<CallRecord>> find_trunk_call(std::int64_t account_id,
                                                            std::string_view call_uuid,
                                                            Micros served_from) {
    return find_call(account_id, call_uuid, served_from);
  }
  // Whether find_call is a local point read (an index probe in an embedded database) that never
  // waits on the network or on another request: the server may then answer a retrieve on the
  // thread that read it (http::RouteDecision::bounded). Default: no.
  virtual bool find_call_is_local() const { return false; }
  // Whether find_call of this account is such a point read now: a local store may first have
  // to build what it finds the account's calls by (seconds at millions of calls), and then the
  // retrieve is not answered on the thread that read it. Default: find_call_is_local().
  virtual bool find_call_is_bounded(std::int64_t account_id) {
    (void)account_id;
    return find_call_is_local();
  }
  // Whether list_calls(query) is bounded work in a local store: its matches found in memory by
  // the values of a selective filter (their own calls, not the account's: a rare username) and
  // a small page read by point lookups, never waiting on the network or on another request; the
  // server may then answer it on the thread that read it, as a retrieve. Default: no.
  virtual bool list_is_bounded(const CallQuery& query) {
    (void)query;
    return false;
  }

  // One page of the calls matching `query`, in its order (ties broken by storage order, so
  // pages never overlap or skip), and the exact total count of matches.
  virtual Result<Page<CallRecord>> list_calls(const CallQuery& query) = 0;

  // The usage totals of the calls `query.filter` matches (the same calls list_calls would
  // list), one row per non-empty (UTC period of end_time, group), in period then group order
  // (enum order for direction and hangup_source, bytewise for text); at most query.max_rows
  // rows, with `more` set when there were more. A sum that would leave the int64 range is
  // refused (kIOError), never wrapped; a read past its time budget fails kUnavailable.
  virtual Result<UsageAnswer> usage(const UsageQuery& query) = 0;

  // The change feed: at most `limit` of the account's calls stored after the one of storage id
  // `after_id` (0: from the first) that ended at or after `served_from`, in storage order. Ids
  // rise with every call stored and are never given twice, also after the newest calls were
  // deleted, so a client that asks again from the last id it got sees each call stored since
  // exactly once, whatever its end_time. A read past its time budget fails kUnavailable.
  virtual Result<std::vector<StoredCall>> calls_stored_after(std::int64_t account_id,
                                                             std::int64_t after_id,
                                                             Micros served_from, int limit) = 0;

  // The export (docs/export.md): hands every call that `query` matches with a storage id in
  // (after_id, through_id] to `row`, in storage order, and returns how many it handed. A
  // caller walks a large set in windows of ids (each read is short, holds no snapshot between
  // windows and has its own time budget), so its memory does not grow with the set. A read past
  // its time budget fails kUnavailable. The default refuses (kInternal): a store without it.
  virtual Result<std::int64_t> export_calls(const ExportQuery& query, std::int64_t after_id,
                                            std::int64_t through_id, const ExportRowFn& row) {
    (void)query, (void)after_id, (void)through_id, (void)row;
    return Status::Internal("this store cannot export");
  }
  // Where an export's next non-empty window may begin: a storage id above `after_id` at or below
  // that of the first call `query` matches there (a lower bound; the window read decides), or 0
  // for none. A store of sparse ids answers it so that an export skips the empty windows in
  // between; the default, after_id + 1, skips nothing (dense ids).
  virtual Result<std::int64_t> next_export_id(const ExportQuery& query, std::int64_t after_id) {
    (void)query;
    return after_id + 1;
  }
  // The highest storage id given so far (0: none): where an export that begins now ends.
  virtual Result<std::int64_t> last_call_id() {
    return Status::Internal("this store cannot export");
  }

  // Retention: deletes at most `max_rows` calls (of any account) that ended before `floor`,
  // with everything kept per call (its legs), in one transaction, and returns how many it
  // deleted; fewer than `max_rows` means none is left. Small batches keep the write lock short,
  // so ingest and reads go on between them (api/retention_sweeper.h). A storage failure is
  // kIOError and deletes nothing of that batch.
  virtual Result<std::int64_t> delete_calls_ended_before(Micros floor, int max_rows) = 0;
};

}  // namespace cdrd
