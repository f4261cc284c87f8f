// The RatingStore part of SqliteStore: the rate_deck_rows and account_rating tables of migration
// 2, and the billing columns of calls. Same locking as the rest of the store: writes hold
// write_mu_ and use the writer connection; reads borrow a reader connection.
#include <algorithm>
#include <string>

#include "store/sqlite/reader_lease.h"
#include "store/sqlite/sqlite_db.h"
#include "store/sqlite/sqlite_store.h"

namespace cdrd {

using sqlite::Connection;
using sqlite::StatementRef;
using sqlite::Transaction;

namespace {

// Stored codes as in the calls table (call_row.cpp pins them with static_asserts).
int direction_code(Direction d) { return d == Direction::kInbound ? 0 : 1; }
int rating_code(RatingState r) { return static_cast<int>(r); }

Status account_must_exist(Connection& conn, std::int64_t account_id) {
  Result<StatementRef> st = conn.prepare("SELECT 1 FROM accounts WHERE id = ?");
  if (!st.ok()) return st.status();
  (*st)->bind(1, account_id);
  Result<bool> row = (*st)->step();
  if (!row.ok()) return row.status();
  if (!*row) return Status::NotFound("no account with id " + std::to_string(account_id));
  return Status::Ok();
}

// Raises the account's rating version (creating its settings row with defaults if need be).
Status bump_version(Connection& conn, std::int64_t account_id) {
  Result<StatementRef> st = conn.prepare(
      "INSERT INTO account_rating (account_id, version) VALUES (?, 1) "
      "ON CONFLICT (account_id) DO UPDATE SET version = version + 1");
  if (!st.ok()) return st.status();
  (*st)->bind(1, account_id);
  return (*st)->run();
}

const char* const kBillingColumns =
    "id, call_uuid, direction, to_number, did_number, initiation_time, answer_time, end_time, "
    "duration_s, secure_trunking, bill_duration_s, rate, secure_trunking_rate, total_amount, "
    "rating";

}  // namespace

Status SqliteStore::replace_rate_deck(std::int64_t account_id, std::optional<Direction> direction,
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
  std::lock_guard lock(write_mu_);
  Result<Transaction> tx = Transaction::begin(*writer_, Transaction::Kind::kWrite);
  if (!tx.ok()) return tx.status();
  if (Status s = account_must_exist(*writer_, account_id); !s.ok()) return s;
  {
    Result<StatementRef> del =
        direction ? writer_->prepare("DELETE FROM rate_deck_rows WHERE account_id = ? AND "
                                     "direction = ?")
                  : writer_->prepare("DELETE FROM rate_deck_rows WHERE account_id = ?");
    if (!del.ok()) return del.status();
    (*del)->bind(1, account_id);
    if (direction) (*del)->bind(2, direction_code(*direction));
    if (Status s = (*del)->run(); !s.ok()) return s;
  }
  {
    Result<StatementRef> ins = writer_->prepare(
        "INSERT INTO rate_deck_rows (account_id, direction, prefix, effective_from, rate, "
        "initial_increment, subsequent_increment) VALUES (?, ?, ?, ?, ?, ?, ?)");
    if (!ins.ok()) return ins.status();
    for (const RateRow& r : rows) {
      (*ins)->bind(1, account_id);
      (*ins)->bind(2, direction_code(r.direction));
      (*ins)->bind(3, r.prefix);
      (*ins)->bind(4, r.effective_from);
      (*ins)->bind(5, r.rate.units());
      (*ins)->bind(6, r.initial_increment);
      (*ins)->bind(7, r.subsequent_increment);
      Status s = (*ins)->run();
      (*ins)->reset();
      if (!s.ok()) {
        const int rc = sqlite3_extended_errcode(writer_->handle());
        if (rc == SQLITE_CONSTRAINT_PRIMARYKEY || rc == SQLITE_CONSTRAINT_CHECK) {
          return Status::Invalid("rate deck: row for prefix " + r.prefix + " (" +
                                 std::string(to_string(r.direction)) +
                                 ") is a duplicate or out of range: " + s.message());
        }
        return s;  // rolled back: the deck in force stays as it was
      }
    }
  }
  if (Status s = bump_version(*writer_, account_id); !s.ok()) return s;
  return tx->commit();
}

Result<RatingProfile> SqliteStore::rating_profile(std::int64_t account_id) {
  Result<ReaderLease> conn = reader();
  if (!conn.ok()) return conn.status();
  Result<Transaction> tx = Transaction::begin(**conn, Transaction::Kind::kRead);
  if (!tx.ok()) return tx.status();
  RatingProfile profile;
  {
    Result<StatementRef> st = (*conn)->prepare(
        "SELECT version, secure_trunking_rate, always_rerate FROM account_rating "
        "WHERE account_id = ?");
    if (!st.ok()) return st.status();
    (*st)->bind(1, account_id);
    Result<bool> row = (*st)->step();
    if (!row.ok()) return row.status();
    if (*row) {
      profile.version = (*st)->int64(0);
      profile.settings.secure_trunking_rate = Money::from_units((*st)->int64(1));
      profile.settings.always_rerate = (*st)->int64(2) != 0;
    }
  }
  {
    Result<StatementRef> st = (*conn)->prepare(
        "SELECT direction, prefix, effective_from, rate, initial_increment, subsequent_increment "
        "FROM rate_deck_rows WHERE account_id = ?");
    if (!st.ok()) return st.status();
    (*st)->bind(1, account_id);
    for (;;) {
      Result<bool> row = (*st)->step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      RateRow r;
      r.direction = (*st)->int64(0) == 0 ? Direction::kInbound : Direction::kOutbound;
      r.prefix = (*st)->text(1);
      r.effective_from = (*st)->int64(2);
      r.rate = Money::from_units((*st)->int64(3));
      r.initial_increment = static_cast<int>((*st)->int64(4));
      r.subsequent_increment = static_cast<int>((*st)->int64(5));
      profile.rows.push_back(std::move(r));
    }
  }
  if (Status s = tx->commit(); !s.ok()) return s;
  return profile;
}

Result<std::int64_t> SqliteStore::rating_version(std::int64_t account_id) {
  Result<ReaderLease> conn = reader();
  if (!conn.ok()) return conn.status();
  Result<StatementRef> st =
      (*conn)->prepare("SELECT version FROM account_rating WHERE account_id = ?");
  if (!st.ok()) return st.status();
  (*st)->bind(1, account_id);
  Result<bool> row = (*st)->step();
  if (!row.ok()) return row.status();
  return *row ? (*st)->int64(0) : std::int64_t{0};
}

Status SqliteStore::set_rating_settings(std::int64_t account_id, const RatingSettings& settings) {
  if (settings.secure_trunking_rate.is_negative()) {
    return Status::Invalid("secure_trunking_rate: must not be negative");
  }
  std::lock_guard lock(write_mu_);
  Result<Transaction> tx = Transaction::begin(*writer_, Transaction::Kind::kWrite);
  if (!tx.ok()) return tx.status();
  if (Status s = account_must_exist(*writer_, account_id); !s.ok()) return s;
  {
    Result<StatementRef> st = writer_->prepare(
        "INSERT INTO account_rating (account_id, secure_trunking_rate, always_rerate, version) "
        "VALUES (?, ?, ?, 1) ON CONFLICT (account_id) DO UPDATE SET "
        "secure_trunking_rate = excluded.secure_trunking_rate, "
        "always_rerate = excluded.always_rerate, version = version + 1");
    if (!st.ok()) return st.status();
    (*st)->bind(1, account_id);
    (*st)->bind(2, settings.secure_trunking_rate.units());
    (*st)->bind(3, settings.always_rerate);
    if (Status s = (*st)->run(); !s.ok()) return s;
  }
  return tx->commit();
}

Result<std::vector<BilledCall>> SqliteStore::scan_billing(const BillingScan& scan,
                                                          const BillingCursor& after, int limit) {
  std::vector<BilledCall> out;
  if (limit <= 0 || scan.initiated_from >= scan.initiated_before) return out;
  if (!scan.include_provided && !scan.include_rated && !scan.include_unrated) return out;
  // A call ends no earlier than it starts, so initiated_from also bounds end_time from below:
  // the scan is one range of calls_by_end_time (account_id, end_time), in index order.
  static const std::string sql =
      std::string("SELECT ") + kBillingColumns +
      " FROM calls WHERE account_id = ? AND end_time >= ?"
      " AND (end_time > ? OR (end_time = ? AND id > ?))"
      " AND initiation_time >= ? AND initiation_time < ? AND rating IN (?, ?, ?)"
      " ORDER BY end_time, id LIMIT ?";
  Result<ReaderLease> conn = reader();
  if (!conn.ok()) return conn.status();
  Result<StatementRef> st = (*conn)->prepare(sql);
  if (!st.ok()) return st.status();
  int i = 1;
  (*st)->bind(i++, scan.account_id);
  (*st)->bind(i++, std::max(scan.initiated_from, after.end_time));
  (*st)->bind(i++, after.end_time);
  (*st)->bind(i++, after.end_time);
  (*st)->bind(i++, after.row_id);
  (*st)->bind(i++, scan.initiated_from);
  (*st)->bind(i++, scan.initiated_before);
  // An excluded state binds -1, which no row has.
  (*st)->bind(i++, scan.include_provided ? rating_code(RatingState::kProvided) : -1);
  (*st)->bind(i++, scan.include_rated ? rating_code(RatingState::kRated) : -1);
  (*st)->bind(i++, scan.include_unrated ? rating_code(RatingState::kUnrated) : -1);
  (*st)->bind(i++, limit);
  out.reserve(static_cast<std::size_t>(std::min(limit, 10'000)));
  for (;;) {
    Result<bool> row = (*st)->step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    const sqlite::Statement& s = **st;
    BilledCall b;
    int c = 0;
    b.row_id = s.int64(c++);
    CallRecord& r = b.call;
    r.account_id = scan.account_id;
    r.call_uuid = s.text(c++);
    r.direction = s.int64(c++) == 0 ? Direction::kInbound : Direction::kOutbound;
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
    if (rating < 0 || rating > 2) {
      return Status::Internal("sqlite: call " + r.call_uuid + " has rating code " +
                              std::to_string(rating));
    }
    r.rating = static_cast<RatingState>(rating);
    out.push_back(std::move(b));
  }
  return out;
}

Result<std::int64_t> SqliteStore::update_billing(const std::vector<BilledCall>& calls) {
  if (calls.empty()) return std::int64_t{0};
  std::lock_guard lock(write_mu_);
  Result<Transaction> tx = Transaction::begin(*writer_, Transaction::Kind::kWrite);
  if (!tx.ok()) return tx.status();
  std::int64_t written = 0;
  {
    Result<StatementRef> st = writer_->prepare(
        "UPDATE calls SET bill_duration_s = ?, rate = ?, secure_trunking_rate = ?, "
        "total_amount = ?, rating = ? WHERE id = ?");
    if (!st.ok()) return st.status();
    for (const BilledCall& b : calls) {
      (*st)->bind(1, b.call.bill_duration_s);
      (*st)->bind(2, b.call.rate.units());
      (*st)->bind(3, b.call.secure_trunking_rate.units());
      (*st)->bind(4, b.call.total_amount.units());
      (*st)->bind(5, rating_code(b.call.rating));
      (*st)->bind(6, b.row_id);
      Status s = (*st)->run();
      (*st)->reset();
      if (!s.ok()) return s;
      written += writer_->changes();
    }
  }
  if (Status s = tx->commit(); !s.ok()) return s;
  return written;
}

}  // namespace cdrd
