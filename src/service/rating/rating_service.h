// RatingService: rating as the running system does it (docs/rating.md), on top of the pure
// rating library (src/rating) and the RatingStore:
//   - load an account's rate deck from CSV, all or nothing, replacing it atomically;
//   - keep each account's compiled deck and settings in memory (AccountRating), so ingest rates
//     a record with one in-memory lookup; a cached entry is checked against the store's rating
//     version (one indexed read) when a batch first needs it, and dropped on every load through
//     this service, so a deck loaded by another process is picked up by the next batch;
//   - rate_record: the rule ingest, re-rating and the benchmark share;
//   - re-rate stored calls after a deck change, and report the calls no deck row rated.
//
// Thread-safety: every member function may be called from many threads at once. An
// AccountRating is immutable once built and shared by shared_ptr.
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/account.h"
#include "core/call_record.h"
#include "core/mutex.h"
#include "core/status.h"
#include "rating/rate_deck.h"
#include "store/call_store.h"
#include "store/rating_store.h"

namespace cdrd::service {

// One account's rating, compiled: its settings and its deck indexed for matching.
struct AccountRating {
  std::int64_t account_id = 0;
  std::int64_t version = 0;  // the store's rating version this was built from
  RatingSettings settings;
  rating::RateDeck deck;
};

// Rates `record` the way ingest does: a record that carried its own rate and amount
// (RatingState::kProvided) keeps them unless the account always re-rates; any other record is
// rated from the deck row in force at its initiation_time for the longest prefix of its rated
// number (rating::rated_number): kRated with rate, the secure-trunking surcharge, bill_duration
// and total_amount; or, when no row matches, kUnrated with rate and amount 0 and bill_duration
// = duration. Returns whether it rated the record. Allocation-free. kInvalidArgument (the
// record unchanged) when its amount cannot be represented (rating::rate_call): ingest reports
// the record as a failed line, re-rating leaves the stored call as it is.
[[nodiscard]] Result<bool> rate_record(const AccountRating& rating, CallRecord& record);

struct DeckLoadResult {
  std::optional<Direction> direction;     // the direction replaced; nullopt: both
  std::size_t rows[2] = {0, 0};           // rows now in force, by Direction (inbound 0, outbound 1)
  std::size_t prefixes[2] = {0, 0};       // distinct prefixes among them
  std::size_t previous_rows[2] = {0, 0};  // rows before the load
};

struct RerateResult {
  std::int64_t examined = 0;     // calls looked at
  std::int64_t changed = 0;      // calls whose billing changed and was written
  std::int64_t now_rated = 0;    // of the changed ones: rated from the deck
  std::int64_t now_unrated = 0;  // of the changed ones: no row matched any more
  std::int64_t refused = 0;      // calls whose new amount cannot be represented: left as they were
};

struct UnratedGroup {
  Direction direction = Direction::kOutbound;
  std::string prefix;   // the first digits of the rated number; "" when it is no phone number
  std::string country;  // ISO 3166 alpha-2 of the group's first number, "" when none
  std::int64_t calls = 0;
  std::int64_t talk_seconds = 0;  // sum of the calls' duration
  Micros first_initiation = std::numeric_limits<Micros>::max();
  Micros last_initiation = std::numeric_limits<Micros>::min();
};

struct UnratedReport {
  std::int64_t calls = 0;
  std::vector<UnratedGroup> groups;  // most calls first, then by direction and prefix
};

// The window of re-rating and the report: calls initiated in [since, until).
struct CallWindow {
  Micros since = std::numeric_limits<Micros>::min();
  Micros until = std::numeric_limits<Micros>::max();
};

class RatingService {
 public:
  RatingService(AccountStore& accounts, RatingStore& store) : accounts_(accounts), store_(store) {}
  RatingService(const RatingService&) = delete;
  RatingService& operator=(const RatingService&) = delete;

  // The account with this auth_id, or kNotFound "no account has auth_id 'X'".
  Result<Account> account(std::string_view auth_id);

  // The account's current rating: from the cache when the stored version is the cached one,
  // else read from the store and compiled (and cached). A storage error, or stored rows the
  // rating library refuses (kInternal), is returned.
  Result<std::shared_ptr<const AccountRating>> current(std::int64_t account_id) EXCLUDES(mu_);

  // Parses `csv` (rating::parse_rate_deck_csv; `direction` restricts it to one direction) and
  // replaces the account's deck of that direction (both when nullopt) with it in one
  // transaction. A bad deck is kInvalidArgument "rate deck row N: reason" and changes nothing.
  Result<DeckLoadResult> load_deck(std::int64_t account_id, std::optional<Direction> direction,
                                   std::string_view csv);

  Result<RatingSettings> settings(std::int64_t account_id);
  Status set_settings(std::int64_t account_id, const RatingSettings& settings);

  // Rates again, with the deck and settings in force now, the account's stored calls initiated
  // in `window` that rating owns: rated and unrated ones, and with always_rerate also those
  // that came with their own rate and amount. Writes only the calls whose billing changes, a
  // chunk per transaction, so running it twice changes nothing the second time.
  Result<RerateResult> rerate(std::int64_t account_id, CallWindow window);

  // The account's unrated calls initiated in `window`, grouped by direction and the first
  // `digits` digits (1..15) of their rated number.
  Result<UnratedReport> unrated_report(std::int64_t account_id, CallWindow window, int digits);

 private:
  void forget(std::int64_t account_id) EXCLUDES(mu_);

  AccountStore& accounts_;
  RatingStore& store_;
  Mutex mu_;
  std::unordered_map<std::int64_t, std::shared_ptr<const AccountRating>> cache_ GUARDED_BY(mu_);
};

}  // namespace cdrd::service
