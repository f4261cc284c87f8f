// validate_record: the one set of rules of the canonical call record (docs/ingest.md), applied
// to a RawRecord from any input format. Checks every field's type and form, the required
// fields, the order of the timestamps, the talk time against the timestamps, STIR/SHAKEN
// consistency and the hangup cause name against the hangup table (filling it in from the code);
// derives duration, the countries of the numbers (libphonenumber) and the billing defaults. Pure
// apart from the account resolver; thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/call_record.h"
#include "core/status.h"
#include "service/ingest/raw_record.h"

namespace cdrd::service::ingest {

// Looks an account up by auth_id: its internal id, nullopt when there is no such account, or
// the storage error.
using AccountResolver =
    std::function<Result<std::optional<std::int64_t>>(std::string_view auth_id)>;

// The default country of a record's numbers (docs/ingest.md, "Numbers"): the ISO 3166 alpha-2
// code of its trunk (`trunk_id`, "" when the record names none) if that trunk has one, else of
// its account; "" for none. A storage failure is returned as a Status.
using DefaultCountryResolver =
    std::function<Result<std::string>(std::int64_t account_id, std::string_view trunk_id)>;

// The CallRecord of `raw`, or kInvalidArgument whose message lists every problem found as
// "field: what is wrong, accepted form, got 'value'", joined by "; ". A failure of a resolver
// is returned unchanged (a storage code, never kInvalidArgument), so callers can stop the batch.
// With a default country (`default_country` set and answering a code), from_number and
// to_number written in that country's national form or with its international prefix (00,
// 011, ...) are stored in E.164 (rating::e164_in_region); without one, numbers are read as
// before: "+..." and bare international digits become E.164, anything else is kept as sent.
Result<CallRecord> validate_record(const RawRecord& raw, const AccountResolver& resolve,
                                   const DefaultCountryResolver& default_country = {});

// The same, written into `out`, which must be a default-constructed CallRecord (the ingest batch
// validates straight into its pending records, sparing a record's move per line). Returns what
// validate_record would: Ok, or the same Status it would return. On failure `out` holds
// whatever was read so far: discard it.
Status validate_record_into(const RawRecord& raw, const AccountResolver& resolve,
                            const DefaultCountryResolver& default_country, CallRecord& out);
// The same for a flat NDJSON line read in place (raw_record.h): what validate_record_into gives
// for the RawRecord parse_ndjson_line makes of the same line (flat_record_test.cpp compares them).
Status validate_record_into(const FlatRecord& raw, const AccountResolver& resolve,
                            const DefaultCountryResolver& default_country, CallRecord& out);

// True if `name` is a field of the canonical record (CSV headers are checked with it).
bool is_known_field(std::string_view name);
// "<name>: unknown field", with a hint where another API spells a known field that way.
std::string unknown_field_message(std::string_view name);

// Which billing inputs a record carried.
struct BillingInputs {
  bool bill_duration = false;
  bool rate = false;
  bool secure_trunking_rate = false;
  bool total_amount = false;
  bool cnam_lookup_rate = false;
};

// Completes the billing fields of a valid record before rating: bill_duration defaults to
// duration; a record with rate and total_amount (validate_record refuses one without the other)
// is RatingState::kProvided, any other is kUnrated with amounts 0 until the ingest batch rates it
// from the account's deck (service/rating/rating_service.h, docs/rating.md).
void complete_billing(CallRecord& record, const BillingInputs& given);

}  // namespace cdrd::service::ingest
