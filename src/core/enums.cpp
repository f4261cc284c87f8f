#include "core/enums.h"

#include "core/ascii.h"
#include "core/enum_names.h"

namespace cdrd {
namespace {

// A character lower-cased with '_' and '-' folded to ' ', for forgiving comparisons.
char fold(char c) { return c == '_' || c == '-' ? ' ' : ascii_lower(c); }

// `a` and `b` are the same text once folded; compared in place, without a copy of either.
bool same_folded(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (fold(a[i]) != fold(b[i])) return false;
  }
  return true;
}

// The enumerator whose canonical name folds to the same text as `s`. The canonical name itself,
// what nearly every record sends, is found by a plain comparison first: no two names of a table
// fold to the same text, so that row is the one the folded comparison would find.
template <class E, std::size_t N>
std::optional<E> value_of_folded(const std::array<EnumName<E>, N>& table, std::string_view s) {
  if (std::optional<E> exact = value_of(table, s)) return exact;
  return value_of(table, [s](std::string_view name) { return same_folded(name, s); });
}

// One table per enum: the rows look alike because they are data.
constexpr std::array<EnumName<Direction>, 2> kDirections = {{
    {Direction::kInbound, "inbound"},
    {Direction::kOutbound, "outbound"},
}};
// kUnknown has no row: it prints as "" and is never parsed.
constexpr std::array<EnumName<HangupSource>, 3> kHangupSources = {{
    {HangupSource::kCustomer, "customer"},
    {HangupSource::kCarrier, "carrier"},
    {HangupSource::kZentrunk, "zentrunk"},
}};
constexpr std::array<EnumName<Transport>, 3> kTransports = {{
    {Transport::kUdp, "udp"},
    {Transport::kTcp, "tcp"},
    {Transport::kTls, "tls"},
}};
constexpr std::array<EnumName<StirVerification>, 3> kStirVerifications = {{
    {StirVerification::kVerified, "Verified"},
    {StirVerification::kNotVerified, "Not Verified"},
    {StirVerification::kNotApplicable, "Not Applicable"},
}};
constexpr std::array<EnumName<Attestation>, 4> kAttestations = {{
    {Attestation::kA, "A"},
    {Attestation::kB, "B"},
    {Attestation::kC, "C"},
    {Attestation::kNone, "null"},
}};
constexpr std::array<EnumName<RatingState>, 3> kRatingStates = {{
    {RatingState::kProvided, "provided"},
    {RatingState::kRated, "rated"},
    {RatingState::kUnrated, "unrated"},
}};

}  // namespace

std::optional<Direction> parse_direction(std::string_view s) { return value_of(kDirections, s); }
std::string_view to_string(Direction d) { return name_of(kDirections, d, "outbound"); }

std::optional<HangupSource> parse_hangup_source(std::string_view s) {
  return value_of_folded(kHangupSources, s);
}
std::string_view to_string(HangupSource s) { return name_of(kHangupSources, s, ""); }

std::optional<Transport> parse_transport(std::string_view s) {
  return value_of_folded(kTransports, s);
}
std::string_view to_string(Transport t) { return name_of(kTransports, t, "udp"); }

std::optional<StirVerification> parse_stir(std::string_view s) {
  return value_of_folded(kStirVerifications, s);
}
std::string_view to_string(StirVerification v) {
  return name_of(kStirVerifications, v, "Not Applicable");
}

// "A", "a", ... and "null" in any case; an empty text is no attestation too.
std::optional<Attestation> parse_attestation(std::string_view s) {
  if (s.empty()) return Attestation::kNone;
  return value_of_folded(kAttestations, s);
}
std::string_view to_string(Attestation a) { return name_of(kAttestations, a, "null"); }

std::string_view to_string(RatingState r) { return name_of(kRatingStates, r, "provided"); }
std::optional<RatingState> parse_rating_state(std::string_view s) {
  return value_of(kRatingStates, s);
}

}  // namespace cdrd
