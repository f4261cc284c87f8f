// The closed vocabularies of a call and their text forms at the API edges.
// parse_* accept the forms clients send (case-insensitive where the APIs are); to_* give the
// canonical form. Pure; thread-safe.
#pragma once

#include <optional>
#include <string_view>

namespace cdrd {

enum class Direction { kInbound, kOutbound };
enum class HangupSource { kUnknown, kCustomer, kCarrier, kZentrunk };
enum class Transport { kUdp, kTcp, kTls };
enum class StirVerification { kNotApplicable, kVerified, kNotVerified };
enum class Attestation { kNone, kA, kB, kC };
// How the money fields of a record came to be.
enum class RatingState {
  kProvided,  // the record carried its own rate and amount
  kRated,     // cdrd rated it from the account's deck
  kUnrated,   // no deck row matched: served with rate and amount 0
};

std::optional<Direction> parse_direction(std::string_view s);  // inbound | outbound
std::string_view to_string(Direction d);
std::optional<HangupSource> parse_hangup_source(std::string_view s);  // customer|carrier|zentrunk
std::string_view to_string(HangupSource s);                           // "" for kUnknown
std::optional<Transport> parse_transport(std::string_view s);         // udp | tcp | tls
std::string_view to_string(Transport t);
// Verified | Not Verified | Not Applicable, any case, '_' or ' ' between words.
std::optional<StirVerification> parse_stir(std::string_view s);
std::string_view to_string(StirVerification v);  // "Verified", "Not Verified", "Not Applicable"
std::optional<Attestation> parse_attestation(std::string_view s);  // A | B | C | "" | "null"
std::string_view to_string(Attestation a);                         // "A".."C", "null" for none
std::string_view to_string(RatingState r);                         // provided | rated | unrated
std::optional<RatingState> parse_rating_state(std::string_view s);

}  // namespace cdrd
