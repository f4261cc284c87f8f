#include "store/postgres/pg_rating_store.h"

#include <set>
#include <tuple>

#include "store/postgres/pg_tx.h"

namespace cdrd::postgres {
namespace {

// Rows per INSERT: 7 parameters each, well below PostgreSQL's 65,535 per statement.
constexpr std::size_t kRowsPerInsert = 1000;

Status account_must_exist(Tx& tx, std::int64_t account_id) {
  // FOR SHARE: the account cannot go away before this transaction commits.
  if (!tx.exists("SELECT 1 FROM accounts WHERE id = $1 FOR SHARE", {account_id})) {
    return Status::NotFound("no account with id " + std::to_string(account_id));
  }
  return Status::Ok();
}

void bump_version(Tx& tx, std::int64_t account_id) {
  tx.exec(
      "INSERT INTO account_rating (account_id, version) VALUES ($1, 1) "
      "ON CONFLICT (account_id) DO UPDATE SET version = account_rating.version + 1",
      {account_id});
}

// The rows the schema would refuse, named as SqliteRatingStore names them (it learns them from
// SQLite's constraints; here they are checked first, so the message can name the row).
Status check_rows(const std::vector<RateRow>& rows) {
  std::set<std::tuple<Direction, std::string, Micros>> keys;
  for (const RateRow& r : rows) {
    const bool in_range = !r.rate.is_negative() && r.initial_increment >= 1 &&
                          r.initial_increment <= 86400 && r.subsequent_increment >= 1 &&
                          r.subsequent_increment <= 86400;
    if (!keys.emplace(r.direction, r.prefix, r.effective_from).second || !in_range) {
      return Status::Invalid("rate deck: row for prefix " + r.prefix + " (" +
                             std::string(to_string(r.direction)) +
                             ") is a duplicate or out of range");
    }
  }
  return Status::Ok();
}

Result<RateRow> read_rate_row(const pqxx::row& row) {
  RateRow r;
  r.prefix = text_of(row[1]);
  const std::optional<Direction> direction = parse_direction(text_of(row[0]));
  if (!direction) return Status::IOError("postgresql: corrupt direction of prefix " + r.prefix);
  r.direction = *direction;
  r.effective_from = int64_of(row[2]);
  r.rate = Money::from_units(int64_of(row[3]));
  r.initial_increment = static_cast<int>(int64_of(row[4]));
  r.subsequent_increment = static_cast<int>(int64_of(row[5]));
  return r;
}

}  // namespace

Status PgRatingStore::replace_rate_deck(std::int64_t account_id, std::optional<Direction> direction,
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
  RETURN_IF_ERROR(check_rows(rows));
  return db_.transact(Database::Kind::kWrite, [&](Tx& tx) -> Status {
    RETURN_IF_ERROR(account_must_exist(tx, account_id));
    if (direction) {
      tx.exec("DELETE FROM rate_deck_rows WHERE account_id = $1 AND direction = $2",
              {account_id, to_string(*direction)});
    } else {
      tx.exec("DELETE FROM rate_deck_rows WHERE account_id = $1", {account_id});
    }
    for (std::size_t first = 0; first < rows.size(); first += kRowsPerInsert) {
      const std::size_t end = std::min(rows.size(), first + kRowsPerInsert);
      std::string sql =
          "INSERT INTO rate_deck_rows (account_id, direction, prefix, effective_from, rate, "
          "initial_increment, subsequent_increment) VALUES ";
      std::vector<Param> params;
      params.reserve((end - first) * 7);
      for (std::size_t i = first; i < end; ++i) {
        const RateRow& r = rows[i];
        const std::size_t p = params.size();
        sql += (i == first ? "(" : ", (");
        for (std::size_t k = 1; k <= 7; ++k) sql += (k == 1 ? "$" : ", $") + std::to_string(p + k);
        sql += ")";
        for (const Param& v : {Param(account_id), Param(to_string(r.direction)), Param(r.prefix),
                               Param(r.effective_from), Param(r.rate), Param(r.initial_increment),
                               Param(r.subsequent_increment)}) {
          params.push_back(v);
        }
      }
      tx.exec(sql, params);
    }
    bump_version(tx, account_id);
    return Status::Ok();
  });
}

Result<RatingProfile> PgRatingStore::rating_profile(std::int64_t account_id) {
  RatingProfile profile;
  RETURN_IF_ERROR(db_.transact(Database::Kind::kRead, [&](Tx& tx) -> Status {
    profile = RatingProfile();
    const pqxx::result s = tx.exec(
        "SELECT version, secure_trunking_rate, always_rerate FROM account_rating "
        "WHERE account_id = $1",
        {account_id});
    if (!s.empty()) {
      profile.version = int64_of(s[0][0]);
      profile.settings.secure_trunking_rate = Money::from_units(int64_of(s[0][1]));
      profile.settings.always_rerate = bool_of(s[0][2]);
    }
    // In the key order of the sqlite store (inbound before outbound), bytewise prefixes.
    for (const pqxx::row& row :
         tx.exec("SELECT direction, prefix, effective_from, rate, initial_increment, "
                 "subsequent_increment FROM rate_deck_rows WHERE account_id = $1 "
                 "ORDER BY direction, prefix COLLATE \"C\", effective_from",
                 {account_id})) {
      ASSIGN_OR_RETURN(RateRow r, read_rate_row(row));
      profile.rows.push_back(std::move(r));
    }
    return Status::Ok();
  }));
  return profile;
}

Result<std::int64_t> PgRatingStore::rating_version(std::int64_t account_id) {
  std::int64_t version = 0;
  RETURN_IF_ERROR(db_.transact(Database::Kind::kRead, [&](Tx& tx) {
    const pqxx::result r =
        tx.exec("SELECT version FROM account_rating WHERE account_id = $1", {account_id});
    version = r.empty() ? 0 : int64_of(r[0][0]);
    return Status::Ok();
  }));
  return version;
}

Status PgRatingStore::set_rating_settings(std::int64_t account_id, const RatingSettings& settings) {
  if (settings.secure_trunking_rate.is_negative()) {
    return Status::Invalid("secure_trunking_rate: must not be negative");
  }
  return db_.transact(Database::Kind::kWrite, [&](Tx& tx) -> Status {
    RETURN_IF_ERROR(account_must_exist(tx, account_id));
    tx.exec(
        "INSERT INTO account_rating (account_id, secure_trunking_rate, always_rerate, version) "
        "VALUES ($1, $2, $3, 1) ON CONFLICT (account_id) DO UPDATE SET "
        "secure_trunking_rate = excluded.secure_trunking_rate, "
        "always_rerate = excluded.always_rerate, version = account_rating.version + 1",
        {account_id, settings.secure_trunking_rate, settings.always_rerate});
    return Status::Ok();
  });
}

}  // namespace cdrd::postgres
