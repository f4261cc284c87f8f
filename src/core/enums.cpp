#include "core/enums.h"

#include <cctype>
#include <string>

namespace cdrd {
namespace {

// Lower-case with '_' and '-' folded to ' ', for forgiving comparisons.
std::string fold(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c == '_' || c == '-') c = ' ';
    out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  return out;
}

}  // namespace

std::optional<Direction> parse_direction(std::string_view s) {
  if (s == "inbound") return Direction::kInbound;
  if (s == "outbound") return Direction::kOutbound;
  return std::nullopt;
}
std::string_view to_string(Direction d) {
  return d == Direction::kInbound ? "inbound" : "outbound";
}

std::optional<HangupSource> parse_hangup_source(std::string_view s) {
  const std::string f = fold(s);
  if (f == "customer") return HangupSource::kCustomer;
  if (f == "carrier") return HangupSource::kCarrier;
  if (f == "zentrunk") return HangupSource::kZentrunk;
  return std::nullopt;
}
std::string_view to_string(HangupSource s) {
  switch (s) {
    case HangupSource::kCustomer:
      return "customer";
    case HangupSource::kCarrier:
      return "carrier";
    case HangupSource::kZentrunk:
      return "zentrunk";
    case HangupSource::kUnknown:
      break;
  }
  return "";
}

std::optional<Transport> parse_transport(std::string_view s) {
  const std::string f = fold(s);
  if (f == "udp") return Transport::kUdp;
  if (f == "tcp") return Transport::kTcp;
  if (f == "tls") return Transport::kTls;
  return std::nullopt;
}
std::string_view to_string(Transport t) {
  switch (t) {
    case Transport::kUdp:
      return "udp";
    case Transport::kTcp:
      return "tcp";
    case Transport::kTls:
      return "tls";
  }
  return "udp";
}

std::optional<StirVerification> parse_stir(std::string_view s) {
  const std::string f = fold(s);
  if (f == "verified") return StirVerification::kVerified;
  if (f == "not verified") return StirVerification::kNotVerified;
  if (f == "not applicable") return StirVerification::kNotApplicable;
  return std::nullopt;
}
std::string_view to_string(StirVerification v) {
  switch (v) {
    case StirVerification::kVerified:
      return "Verified";
    case StirVerification::kNotVerified:
      return "Not Verified";
    case StirVerification::kNotApplicable:
      return "Not Applicable";
  }
  return "Not Applicable";
}

std::optional<Attestation> parse_attestation(std::string_view s) {
  if (s.empty() || fold(s) == "null") return Attestation::kNone;
  if (s == "A" || s == "a") return Attestation::kA;
  if (s == "B" || s == "b") return Attestation::kB;
  if (s == "C" || s == "c") return Attestation::kC;
  return std::nullopt;
}
std::string_view to_string(Attestation a) {
  switch (a) {
    case Attestation::kA:
      return "A";
    case Attestation::kB:
      return "B";
    case Attestation::kC:
      return "C";
    case Attestation::kNone:
      break;
  }
  return "null";
}

std::string_view to_string(RatingState r) {
  switch (r) {
    case RatingState::kProvided:
      return "provided";
    case RatingState::kRated:
      return "rated";
    case RatingState::kUnrated:
      return "unrated";
  }
  return "provided";
}
std::optional<RatingState> parse_rating_state(std::string_view s) {
  if (s == "provided") return RatingState::kProvided;
  if (s == "rated") return RatingState::kRated;
  if (s == "unrated") return RatingState::kUnrated;
  return std::nullopt;
}

}  // namespace cdrd
