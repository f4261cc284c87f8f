#include "store/sqlite/sqlite_rating_store.h"

#include <algorithm>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include "store/sqlite/enum_codes.h"

namespace cdrd {

using index::AccountCallIndex;
using sqlite::CallIndexes;
using sqlite::Connection;
using sqlite::enum_code;
using sqlite::enum_from_code;
using sqlite::Statement;
using sqlite::StatementRef;

namespace {

Status account_must_exist(Connection& conn, std::int64_t account_id) {
  ASSIGN_OR_RETURN(const bool found,
                   conn.exists("SELECT 1 FROM accounts WHERE id = ?", account_id));
  if (!found) return Status::NotFound("no account with id " + std::to_string(account_id));
  return Status::Ok();
}

// Raises the account's rating version (creating its settings row with defaults if need be).
Status bump_version(Connection& conn, std::int64_t account_id) {
  return conn.run(
      "INSERT INTO account_rating (account_id, version) VALUES (?, 1) "
      "ON CONFLICT (account_id) DO UPDATE SET version = version + 1",
      account_id);
}

Status corrupt(std::string_view what, std::string_view where) {
  return Status::IOError("sqlite: corrupt " + std::string(what) + " code in " + std::string(where));
}

Result<RateRow> read_rate_row(const Statement& st) {
  RateRow r;
  r.prefix = st.text(1);
  const std::optional<Direction> direction = enum_from_code<Direction>(st.int64(0));
  if (!direction) return corrupt("direction", "the rate deck row for prefix " + r.prefix);
  r.direction = *direction;
  r.effective_from = st.int64(2);
  r.rate = Money::from_units(st.int64(3));
  r.initial_increment = static_cast<int>(st.int64(4));
  r.subsequent_increment = static_cast<int>(st.int64(5));
  return r;
}

const char* const kBillingColumns =
    "id, COALESCE(call_uuid_as_sent, call_uuid), direction, to_number, did_number, "
    "initiation_time, answer_time, end_time, "
    "duration_s, secure_trunking, bill_duration_s, rate, secure_trunking_rate, total_amount, "
    "rating";

Result<BilledCall> read_billed_call(std::int64_t account_id, const Statement& s) {
  BilledCall b;
  int c = 0;
  b.row_id = s.int64(c++);
  CallRecord& r = b.call;
  r.account_id = account_id;
  r.call_uuid = s.text(c++);
  const std::optional<Direction> direction = enum_from_code<Direction>(s.int64(c++));
  if (!direction) return corrupt("direction", "call " + r.call_uuid);
  r.direction = *direction;
  r.to_number = s.text(c++);
  r.did_number = s.text(c++);
  r.initiation_time = s.int64(c++);
  r.answer_time = s.opt_int64(c++);
  r.end_time = s.int64(c++);
  r.duration_s = s.int64(c++);
  r.secure_trunking = s.int64(c++) != 0;
  r.bill_duration_s = s.int64(c++);
  r.rate = Money::from_units(s.int64(c++));
  r.secure_trunking_rate = Money::from_units(s.int64(c++));
  r.total_amount = Money::from_units(s.int64(c++));
  const std::int64_t rating = s.int64(c++);
  const std::optional<RatingState> state = enum_from_code<RatingState>(rating);
  if (!state) {
    return Status::Internal("sqlite: call " + r.call_uuid + " has rating code " +
                            std::to_string(rating));
  }
  r.rating = *state;
  return b;
}

}  // namespace

Status SqliteRatingStore::replace_rate_deck(std::int64_t account_id,
                                            std::optional<Direction> direction,
                                            const std::vector<RateRow>& rows) {
  if (direction) {
    for (const RateRow& r : rows) {
      if (r.direction != *direction) {
        return Status::Invalid("rate deck: prefix " + r.prefix + " is an " +
                               std::string(to_string(r.direction)) + " row in a deck of " +
                               std::string(to_string(*direction)) + " rows");
      }
    }
  }
  // Rolled back on any failure: the deck in force stays as it was.
  return db_.write_transaction([&](Connection& c) -> Status {
    RETURN_IF_ERROR(account_must_exist(c, account_id));
    if (direction) {
      RETURN_IF_ERROR(c.run("DELETE FROM rate_deck_rows WHERE account_id = ? AND direction = ?",
                            account_id, enum_code(*direction)));
    } else {
      RETURN_IF_ERROR(c.run("DELETE FROM rate_deck_rows WHERE account_id = ?", account_id));
    }
    ASSIGN_OR_RETURN(StatementRef ins,
                     c.prepare("INSERT INTO rate_deck_rows (account_id, direction, prefix, "
                               "effective_from, rate, initial_increment, subsequent_increment) "
                               "VALUES (?, ?, ?, ?, ?, ?, ?)"));
    for (const RateRow& r : rows) {
      ins->bind_all(1, account_id, enum_code(r.direction), r.prefix, r.effective_from, r.rate,
                    r.initial_increment, r.subsequent_increment);
      Status s = ins->run();
      ins->reset();
      if (!s.ok()) {
        const int rc = sqlite3_extended_errcode(c.handle());
        if (rc == SQLITE_CONSTRAINT_PRIMARYKEY || rc == SQLITE_CONSTRAINT_CHECK) {
          return Status::Invalid("rate deck: row for prefix " + r.prefix + " (" +
                                 std::string(to_string(r.direction)) +
                                 ") is a duplicate or out of range: " + s.message());
        }
        return s;
      }
    }
    return bump_version(c, account_id);
  });
}

Result<RatingProfile> SqliteRatingStore::rating_profile(std::int64_t account_id) {
  return db_.read_transaction([&](Connection& c) -> Result<RatingProfile> {
    RatingProfile profile;
    ASSIGN_OR_RETURN(const std::optional<RatingProfile> stored,
                     c.query_one(
                         "SELECT version, secure_trunking_rate, always_rerate FROM account_rating "
                         "WHERE account_id = ?",
                         [](const Statement& st) {
                           RatingProfile p;
                           p.version = st.int64(0);
                           p.settings.secure_trunking_rate = Money::from_units(st.int64(1));
                           p.settings.always_rerate = st.int64(2) != 0;
                           return p;
                         },
                         account_id));
    if (stored) profile = *stored;
    ASSIGN_OR_RETURN(profile.rows, c.query_all("SELECT direction, prefix, effective_from, rate, "
                                               "initial_increment, subsequent_increment "
                                               "FROM rate_deck_rows WHERE account_id = ?",
                                               read_rate_row, account_id));
    return profile;
  });
}

Result<std::int64_t> SqliteRatingStore::rating_version(std::int64_t account_id) {
  return db_.with_reader([&](Connection& c) -> Result<std::int64_t> {
    ASSIGN_OR_RETURN(const std::optional<std::int64_t> version,
                     c.query_one(
                         "SELECT version FROM account_rating WHERE account_id = ?",
                         [](const Statement& st) { return st.int64(0); }, account_id));
    return version.value_or(0);
  });
}

Status SqliteRatingStore::set_rating_settings(std::int64_t account_id,
                                              const RatingSettings& settings) {
  if (settings.secure_trunking_rate.is_negative()) {
    return Status::Invalid("secure_trunking_rate: must not be negative");
  }
  return db_.write_transaction([&](Connection& c) -> Status {
    RETURN_IF_ERROR(account_must_exist(c, account_id));
    return c.run(
        "INSERT INTO account_rating (account_id, secure_trunking_rate, always_rerate, version) "
        "VALUES (?, ?, ?, 1) ON CONFLICT (account_id) DO UPDATE SET "
        "secure_trunking_rate = excluded.secure_trunking_rate, "
        "always_rerate = excluded.always_rerate, version = version + 1",
        account_id, settings.secure_trunking_rate, settings.always_rerate);
  });
}

Result<std::vector<BilledCall>> SqliteRatingStore::scan_billing(const BillingScan& scan,
                                                                const BillingCursor& after,
                                                                int limit) {
  if (limit <= 0 || scan.initiated_from >= scan.initiated_before) {
    return std::vector<BilledCall>();
  }
  if (!scan.include_provided && !scan.include_rated && !scan.include_unrated) {
    return std::vector<BilledCall>();
  }
  // An excluded state binds -1, which no row has.
  const auto state = [](bool included, RatingState s) {
    return included ? enum_code(s) : std::int64_t{-1};
  };
  const std::int64_t provided = state(scan.include_provided, RatingState::kProvided);
  const std::int64_t rated = state(scan.include_rated, RatingState::kRated);
  const std::int64_t unrated = state(scan.include_unrated, RatingState::kUnrated);
  // The calls table has no end_time index (migration 10): the account's list index names the
  // calls in (end_time, id) order, and each is read by id. A call ends no earlier than it
  // starts, so initiated_from also bounds end_time from below.
  ASSIGN_OR_RETURN(CallIndexes::Slot * slot, sqlite::built_slot(db_, scan.account_id));
  // Held until the rows are read: no writer changes or removes one of them meanwhile.
  ReaderLock lock(&slot->mu);
  CallQuery q;
  q.account_id = scan.account_id;
  q.end_time.from = std::max(scan.initiated_from, after.end_time);
  q.initiation_time = {scan.initiated_from, scan.initiated_before};
  q.order = SortOrder::kOldestFirst;
  q.count_total = false;
  if (!slot->index.exact() || !index::AccountCallIndex::answers(q)) {
    return scan_billing_in_sql(scan, after, limit, provided, rated, unrated);
  }
  // The calls that end at the cursor's end_time and come before it (by id) are skipped.
  std::size_t skip = 0;
  if (after.end_time >= q.end_time.from && after.end_time < std::numeric_limits<Micros>::max()) {
    CallQuery ties = q;
    ties.end_time = {after.end_time, after.end_time + 1};
    ties.count_total = true;
    ties.limit = 0;
    const std::int64_t n = slot->index.query(ties).total_count;
    ties.limit = static_cast<int>(std::min<std::int64_t>(n, std::numeric_limits<int>::max()));
    ties.count_total = false;
    for (const std::int64_t id : slot->index.query(ties).ids) skip += id <= after.row_id ? 1 : 0;
  }
  static const std::string sql = std::string("SELECT ") + kBillingColumns +
                                 " FROM calls WHERE id = ? AND account_id = ?"
                                 " AND rating IN (?, ?, ?)";
  // The rows by id, a few hundred a read, so that no read nears the time budget of one.
  constexpr int kIdsPerRead = 500;
  std::vector<BilledCall> page;
  page.reserve(static_cast<std::size_t>(limit));
  std::int64_t offset = static_cast<std::int64_t>(skip);
  // Read under the lock, for the read of the rows past it below.
  const std::int64_t indexed_through_id = slot->indexed_through_id;
  while (page.size() < static_cast<std::size_t>(limit)) {
    q.offset = offset;
    q.limit = std::min(kIdsPerRead, limit - static_cast<int>(page.size()));
    const index::IndexAnswer ids = slot->index.query(q);
    RETURN_IF_ERROR(db_.read_transaction([&](Connection& c) -> Status {
      for (const std::int64_t id : ids.ids) {
        ASSIGN_OR_RETURN(StatementRef st,
                         c.query(sql, id, scan.account_id, provided, rated, unrated));
        ASSIGN_OR_RETURN(const bool row, st->step());
        if (!row) continue;
        Result<BilledCall> b = read_billed_call(scan.account_id, *st);
        if (!b.ok()) return b.status();
        page.push_back(std::move(*b));
      }
      return Status::Ok();
    }));
    offset += static_cast<std::int64_t>(ids.ids.size());
    if (static_cast<int>(ids.ids.size()) < q.limit) break;  // the index has no more
  }
  return db_.read_transaction([&](Connection& c) -> Result<std::vector<BilledCall>> {
    // Rows past what the index holds (committed by ingest's writer and not added yet, or
    // stored by another program): one range of calls_by_account, merged in.
    static const std::string newer =
        std::string("SELECT ") + kBillingColumns +
        " FROM calls INDEXED BY calls_by_account WHERE account_id = ? AND id > ?"
        " AND end_time >= ? AND (end_time > ? OR (end_time = ? AND id > ?))"
        " AND initiation_time >= ? AND initiation_time < ? AND rating IN (?, ?, ?)";
    ASSIGN_OR_RETURN(
        std::vector<BilledCall> more,
        c.query_all(
            newer, [&](const Statement& st) { return read_billed_call(scan.account_id, st); },
            scan.account_id, indexed_through_id, *q.end_time.from, after.end_time, after.end_time,
            after.row_id, scan.initiated_from, scan.initiated_before, provided, rated, unrated));
    if (more.empty()) return page;
    for (BilledCall& b : more) page.push_back(std::move(b));
    std::sort(page.begin(), page.end(), [](const BilledCall& a, const BilledCall& b) {
      return std::pair(a.call.end_time, a.row_id) < std::pair(b.call.end_time, b.row_id);
    });
    if (page.size() > static_cast<std::size_t>(limit)) page.resize(static_cast<std::size_t>(limit));
    return page;
  });
}

Result<std::vector<BilledCall>> SqliteRatingStore::scan_billing_in_sql(
    const BillingScan& scan, const BillingCursor& after, int limit, std::int64_t provided,
    std::int64_t rated, std::int64_t unrated) {
  // For an account whose list index cannot answer (it holds a value its columns cannot keep
  // exactly): the account's matching calls through calls_by_account, sorted in memory, each
  // page. Slow for a large account; such values do not come from the APIs' validation.
  static const std::string sql =
      "SELECT end_time, id FROM calls INDEXED BY calls_by_account WHERE account_id = ?"
      " AND end_time >= ? AND (end_time > ? OR (end_time = ? AND id > ?))"
      " AND initiation_time >= ? AND initiation_time < ? AND rating IN (?, ?, ?)";
  static const std::string by_id =
      std::string("SELECT ") + kBillingColumns + " FROM calls WHERE id = ?";
  return db_.read_transaction([&](Connection& c) -> Result<std::vector<BilledCall>> {
    ASSIGN_OR_RETURN(std::vector<AccountCallIndex::Position> keys,
                     c.query_all(
                         sql,
                         [](const Statement& st) {
                           return AccountCallIndex::Position{st.int64(0), st.int64(1)};
                         },
                         scan.account_id, std::max(scan.initiated_from, after.end_time),
                         after.end_time, after.end_time, after.row_id, scan.initiated_from,
                         scan.initiated_before, provided, rated, unrated));
    const std::size_t n = std::min(keys.size(), static_cast<std::size_t>(limit));
    std::partial_sort(keys.begin(), keys.begin() + static_cast<std::ptrdiff_t>(n), keys.end());
    std::vector<BilledCall> page;
    for (std::size_t i = 0; i < n; ++i) {
      ASSIGN_OR_RETURN(
          std::optional<BilledCall> b,
          c.query_one(
              by_id, [&](const Statement& st) { return read_billed_call(scan.account_id, st); },
              keys[i].second));
      if (b) page.push_back(std::move(*b));
    }
    return page;
  });
}

Result<std::int64_t> SqliteRatingStore::update_billing(const std::vector<BilledCall>& calls) {
  if (calls.empty()) return std::int64_t{0};
  // bill_duration_s is a column of the list index: each account's calls are updated under its
  // index lock, and its index follows once the transaction has committed (call_indexes.h).
  std::map<std::int64_t, std::vector<const BilledCall*>> by_account;
  for (const BilledCall& b : calls) by_account[b.call.account_id].push_back(&b);
  std::int64_t written = 0;
  for (const auto& entry : by_account) {
    // Named, not bound: the lambda below captures them, which clang 14 refuses for bindings.
    const std::int64_t account_id = entry.first;
    const std::vector<const BilledCall*>& account_calls = entry.second;
    CallIndexes::Slot& slot = db_.call_indexes().slot(account_id);
    WriterLock lock(&slot.mu);
    ASSIGN_OR_RETURN(
        const std::int64_t n, db_.write_transaction([&](Connection& c) -> Result<std::int64_t> {
          std::int64_t changed = 0;
          for (const BilledCall* b : account_calls) {
            RETURN_IF_ERROR(
                c.run("UPDATE calls SET bill_duration_s = ?, rate = ?, "
                      "secure_trunking_rate = ?, total_amount = ?, rating = ? WHERE id = ?",
                      b->call.bill_duration_s, b->call.rate, b->call.secure_trunking_rate,
                      b->call.total_amount, enum_code(b->call.rating), b->row_id));
            changed += c.changes();
          }
          return changed;
        }));
    written += n;
    if (!slot.built) continue;  // a build later reads the new values from the table
    for (const BilledCall* b : account_calls) {
      if (!slot.index.set_bill_duration(b->call.end_time, b->row_id, b->call.bill_duration_s)) {
        slot.late_bill[b->row_id] = b->call.bill_duration_s;  // committed, not yet indexed
      }
    }
  }
  return written;
}

}  // namespace cdrd
