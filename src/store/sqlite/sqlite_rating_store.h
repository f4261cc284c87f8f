// SqliteRatingStore: the RatingStore (store/rating_store.h) kept in a sqlite::Database
// (database.h): the rate_deck_rows and account_rating tables of migration 2, and the billing
// columns of calls. Each change is one write transaction that also raises the account's rating
// version; rating_profile reads rows, settings and version from one snapshot.
//
// Errors: kNotFound for an unknown account, kInvalidArgument for a deck row that is a duplicate,
// out of range or of the other direction, or for a negative rate; kIOError for storage failures.
// Thread-safety: safe for concurrent use; the Database must outlive it.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "store/rating_store.h"
#include "store/sqlite/database.h"

namespace cdrd {

class SqliteRatingStore final : public RatingStore {
 public:
  explicit SqliteRatingStore(sqlite::Database& db) : db_(db) {}

  Status replace_rate_deck(std::int64_t account_id, std::optional<Direction> direction,
                           const std::vector<RateRow>& rows) override;
  Result<RatingProfile> rating_profile(std::int64_t account_id) override;
  Result<std::int64_t> rating_version(std::int64_t account_id) override;
  Status set_rating_settings(std::int64_t account_id, const RatingSettings& settings) override;
  Result<std::vector<BilledCall>> scan_billing(const BillingScan& scan, const BillingCursor& after,
                                               int limit) override;
  Result<std::int64_t> update_billing(const std::vector<BilledCall>& calls) override;

 private:
  // scan_billing for an account its list index cannot answer; the rating codes as bound.
  Result<std::vector<BilledCall>> scan_billing_in_sql(const BillingScan& scan,
                                                      const BillingCursor& after, int limit,
                                                      std::int64_t provided, std::int64_t rated,
                                                      std::int64_t unrated);

  sqlite::Database& db_;
};

}  // namespace cdrd
