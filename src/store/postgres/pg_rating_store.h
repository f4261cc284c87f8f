// PgRatingStore: the RatingStore (store/rating_store.h) whose decks and settings live in the
// PostgreSQL control plane (rate_deck_rows and account_rating, pg_database.h), so a deck changed
// through one node is the deck of every node: each change raises the account's rating version in
// the same transaction, and each node's deck cache (service/rating) compares versions.
// The billing side (scan_billing, update_billing) reads and writes stored calls, which live in
// the calls backend: it is passed to `calls_billing`, the RatingStore of that backend.
//
// Errors: as SqliteRatingStore (kNotFound for an unknown account, kInvalidArgument for a row of
// the other direction, a duplicate or a value out of range), kUnavailable while PostgreSQL cannot
// be reached. Thread-safety: safe for concurrent use; the Database and calls_billing must
// outlive it.
#pragma once

#include "store/postgres/pg_database.h"
#include "store/rating_store.h"

namespace cdrd::postgres {

class PgRatingStore final : public RatingStore {
 public:
  PgRatingStore(Database& db, RatingStore& calls_billing) : db_(db), billing_(calls_billing) {}

  Status replace_rate_deck(std::int64_t account_id, std::optional<Direction> direction,
                           const std::vector<RateRow>& rows) override;
  Result<RatingProfile> rating_profile(std::int64_t account_id) override;
  Result<std::int64_t> rating_version(std::int64_t account_id) override;
  Status set_rating_settings(std::int64_t account_id, const RatingSettings& settings) override;
  Result<std::vector<BilledCall>> scan_billing(const BillingScan& scan, const BillingCursor& after,
                                               int limit) override {
    return billing_.scan_billing(scan, after, limit);
  }
  Result<std::int64_t> update_billing(const std::vector<BilledCall>& calls) override {
    return billing_.update_billing(calls);
  }

 private:
  Database& db_;
  RatingStore& billing_;
};

}  // namespace cdrd::postgres
