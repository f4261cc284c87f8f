// RatingStore: what rating keeps per account (docs/rating.md): its rate deck, one list of rows
// per call direction, and its rating settings; plus the two ways rating touches stored calls
// (re-rating them after a deck change, and reporting the ones no deck row rated).
//
// Every change to an account's deck or settings raises the account's rating version in the same
// transaction, so a process that caches a compiled deck (the ingest path) can tell with one cheap
// read whether its copy is still current, even when another process (`cdrd ratedeck load`)
// changed the deck.
//
// Thread-safety: implementations are safe for concurrent use from many threads. Errors are
// Status values, never exceptions.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <vector>

#include "core/call_record.h"
#include "core/enums.h"
#include "core/money.h"
#include "core/rate_row.h"
#include "core/status.h"
#include "core/time.h"

namespace cdrd {

struct RatingSettings {
  // Per minute, added to the deck's rate of every secure-trunked call the account makes.
  Money secure_trunking_rate;
  // Rate records that arrive with their own rate and amount too (normally they keep them).
  bool always_rerate = false;

  friend bool operator==(const RatingSettings&, const RatingSettings&) = default;
};

// An account's rating as stored: read in one snapshot, so rows, settings and version agree.
struct RatingProfile {
  std::int64_t version = 0;  // 0: the account never had a deck or settings
  RatingSettings settings;
  std::vector<RateRow> rows;  // both directions, in no particular order
};

// One stored call as rating sees it. `call` holds only the fields rating reads and writes:
// call_uuid, direction, to_number, did_number, initiation_time, answer_time, end_time,
// duration_s, secure_trunking, bill_duration_s, rate, secure_trunking_rate, total_amount and
// rating (everything else is left at its default).
struct BilledCall {
  std::int64_t row_id = 0;  // the store's key of the call
  CallRecord call;
};

// Which stored calls of one account a billing scan returns, oldest end_time first.
struct BillingScan {
  std::int64_t account_id = 0;
  Micros initiated_from = std::numeric_limits<Micros>::min();    // initiation_time >= this
  Micros initiated_before = std::numeric_limits<Micros>::max();  // initiation_time < this
  bool include_provided = false;  // calls whose record carried its own rate and amount
  bool include_rated = true;      // calls rated from the deck
  bool include_unrated = true;    // calls no deck row matched
};

// Where a scan goes on: after the last call of the previous page (end_time, then row_id).
struct BillingCursor {
  Micros end_time = std::numeric_limits<Micros>::min();
  std::int64_t row_id = 0;
};

class RatingStore {
 public:
  virtual ~RatingStore() = default;

  // Replaces the account's deck rows of `direction` (of both directions when nullopt) by `rows`
  // in one transaction, and raises the account's rating version. Every row must be of a
  // replaced direction (kInvalidArgument otherwise, nothing written); the rows are stored as
  // given (the caller has checked them with the rating library). kNotFound for an unknown account.
  virtual Status replace_rate_deck(std::int64_t account_id, std::optional<Direction> direction,
                                   const std::vector<RateRow>& rows) = 0;

  // The account's deck, settings and version from one snapshot (defaults and version 0 when the
  // account never had any).
  virtual Result<RatingProfile> rating_profile(std::int64_t account_id) = 0;
  // Just the version: one indexed read, for cache checks.
  virtual Result<std::int64_t> rating_version(std::int64_t account_id) = 0;

  // Stores the account's settings and raises its rating version. kNotFound for an unknown account.
  virtual Status set_rating_settings(std::int64_t account_id, const RatingSettings& settings) = 0;

  // Up to `limit` calls of the scan after `after`, ordered by (end_time, row_id).
  virtual Result<std::vector<BilledCall>> scan_billing(const BillingScan& scan,
                                                       const BillingCursor& after, int limit) = 0;

  // Writes the billing outputs of each call (bill_duration_s, rate, secure_trunking_rate,
  // total_amount, rating), found by row_id, in one transaction. Returns how many calls exist
  // and were written.
  virtual Result<std::int64_t> update_billing(const std::vector<BilledCall>& calls) = 0;
};

}  // namespace cdrd
