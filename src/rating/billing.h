// Billing: how many seconds a call bills under a deck row's increments, what a per-minute rate
// costs for those seconds (exact integer arithmetic, half-up to 1/100000), and the rating of one
// CallRecord against an account's RateDeck (docs/rating.md). Pure functions on values, no
// floating point, no I/O; thread-safe (a RateDeck may be shared by any number of threads).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/call_record.h"
#include "core/money.h"
#include "core/status.h"
#include "rating/rate_deck.h"

namespace cdrd::rating {

// Seconds billed for `duration_s` seconds of talk with increments initial/subsequent:
// 0 when duration_s <= 0; `initial` when duration_s <= initial; otherwise
// initial + ceil((duration_s - initial) / subsequent) * subsequent.
// Increments below 1 are taken as 1.
std::int64_t billed_seconds(std::int64_t duration_s, int initial, int subsequent);

// per_minute x seconds / 60 in Money units, rounded half-up (half away from zero for a negative
// rate) to a whole unit (0.00001). 0 for seconds <= 0. Computed in 128 bits; nullopt when the
// amount lies outside the int64 range (beyond Money::kMaxUnits): never clamped.
std::optional<Money> amount_for(Money per_minute, std::int64_t seconds);

struct RatingResult {
  bool matched = false;  // a deck row was in force for the rated number
  std::string prefix;    // the matched prefix; empty when !matched
  Money rate;            // the row's per-minute rate; 0 when !matched
  int initial = 0;       // the row's increments; 0 when !matched
  int subsequent = 0;
  std::int64_t bill_duration_s = 0;
  Money secure_rate;   // the account's surcharge when the call was secure-trunked (and matched)
  Money total_rate;    // rate + secure_rate
  Money total_amount;  // amount_for(total_rate, bill_duration_s)
};

// The number a call is rated by: outbound, the destination (to_number); inbound, the DID the
// call arrived on (did_number when the record has a phone number there, else to_number).
std::string_view rated_number(const CallRecord& record);

// The digits of a phone number written "+" then 8 to 15 digits, or the same digits without the
// '+' (bare international form); nullopt for anything else (SIP usernames, extensions).
std::optional<std::string_view> rating_digits(std::string_view number);

// Rates `record` against `deck` at record.initiation_time. Matched: bills
// billed_seconds(duration_s, ...) when answered (answer_time present), else 0 seconds; the
// secure surcharge `secure_trunking_rate` applies when record.secure_trunking. Not matched (no
// row, or the rated number is not a phone number): matched = false, every rate and amount 0,
// bill_duration_s = duration_s when answered, else 0. Does not look at record.rating.
// Allocation-free except for a prefix longer than the small-string buffer. kInvalidArgument,
// naming the field and the limit, when rate + surcharge or the amount cannot be represented
// ("total_amount: the amount for 30000000 s at rate 9999999.99999 exceeds the largest amount
// 92233720368547.75807"): such a call cannot be rated, and nothing is clamped.
Result<RatingResult> rate_call(const RateDeck& deck, const CallRecord& record,
                               Money secure_trunking_rate);

// Writes a result into the record: rate, secure_trunking_rate, bill_duration_s, total_amount,
// and rating = kRated when matched, else kUnrated.
void apply_rating(const RatingResult& result, CallRecord& record);

}  // namespace cdrd::rating
