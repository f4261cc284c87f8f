#include "core/enums.h"

#include <gtest/gtest.h>

#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace cdrd {
namespace {

// Rows of an input and what it gives, one expectation a row so that a failure names its row:
// the shape every value test of the tree shares (phone, country, url, page links, validators).
TEST(Enums, StirAcceptsEveryCaseAndSeparator) {
  EXPECT_EQ(parse_stir("not applicable"), StirVerification::kNotApplicable);
  EXPECT_EQ(parse_stir("Not Verified"), StirVerification::kNotVerified);
  EXPECT_EQ(parse_stir("NOT_VERIFIED"), StirVerification::kNotVerified);
  EXPECT_EQ(parse_stir("verified"), StirVerification::kVerified);
  EXPECT_FALSE(parse_stir("maybe"));
  EXPECT_EQ(to_string(StirVerification::kNotApplicable), "Not Applicable");
}

TEST(Enums, DirectionIsExact) {
  EXPECT_EQ(parse_direction("inbound"), Direction::kInbound);
  EXPECT_EQ(parse_direction("outbound"), Direction::kOutbound);
  EXPECT_FALSE(parse_direction("sideways"));
  EXPECT_FALSE(parse_direction("Inbound"));
}

TEST(Enums, AttestationNullForms) {
  EXPECT_EQ(parse_attestation("null"), Attestation::kNone);
  EXPECT_EQ(parse_attestation(""), Attestation::kNone);
  EXPECT_EQ(parse_attestation("B"), Attestation::kB);
  EXPECT_FALSE(parse_attestation("D"));
  EXPECT_EQ(to_string(Attestation::kNone), "null");
}

TEST(Enums, RoundTrips) {
  for (auto s : {HangupSource::kCustomer, HangupSource::kCarrier, HangupSource::kZentrunk}) {
    EXPECT_EQ(parse_hangup_source(to_string(s)), s);
  }
  for (auto t : {Transport::kUdp, Transport::kTcp, Transport::kTls}) {
    EXPECT_EQ(parse_transport(to_string(t)), t);
  }
  for (auto r : {RatingState::kProvided, RatingState::kRated, RatingState::kUnrated}) {
    EXPECT_EQ(parse_rating_state(to_string(r)), r);
  }
}

// The folded parses find the canonical name by a plain comparison first; they must answer as the
// folded comparison alone did (the reference below, the code before): over every name of every
// folded enum with random case changes, separators swapped among '_', '-' and ' ', a character
// changed, added or dropped.
TEST(Enums, FoldedParsesAnswerAsTheFoldedComparisonAlone) {
  const auto fold = [](char c) {
    return c == '_' || c == '-' ? ' ' : (c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c);
  };
  const auto same_folded = [&](std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
      if (fold(a[i]) != fold(b[i])) return false;
    }
    return true;
  };
  // The reference: the value of the first row whose name folds to the same text.
  const auto reference = [&](const auto& rows, std::string_view s) {
    using E = typename std::decay_t<decltype(rows)>::value_type::second_type;
    for (const auto& [name, value] : rows) {
      if (same_folded(name, s)) return std::optional<E>(value);
    }
    return std::optional<E>();
  };
  using S = StirVerification;
  using H = HangupSource;
  using T = Transport;
  using A = Attestation;
  const std::vector<std::pair<std::string_view, S>> stir = {{"Verified", S::kVerified},
                                                            {"Not Verified", S::kNotVerified},
                                                            {"Not Applicable", S::kNotApplicable}};
  const std::vector<std::pair<std::string_view, H>> sources = {
      {"customer", H::kCustomer}, {"carrier", H::kCarrier}, {"zentrunk", H::kZentrunk}};
  const std::vector<std::pair<std::string_view, T>> transports = {
      {"udp", T::kUdp}, {"tcp", T::kTcp}, {"tls", T::kTls}};
  const std::vector<std::pair<std::string_view, A>> attestations = {
      {"A", A::kA}, {"B", A::kB}, {"C", A::kC}, {"null", A::kNone}};
  std::mt19937_64 rng(20261204);
  const std::string alphabet = "aAbBcCdDeEfFiInNoOpPrRtTuUlLsSzZvV_- 0";
  const auto mutate = [&](std::string_view name) {
    std::string s(name);
    for (char& c : s) {
      const auto roll = rng() % 8;
      if (roll == 0 && c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
      if (roll == 1 && c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
      if (c == ' ' || c == '_' || c == '-') c = " _-"[rng() % 3];
    }
    const auto edit = rng() % 6;
    if (edit == 0 && !s.empty()) s[rng() % s.size()] = alphabet[rng() % alphabet.size()];
    if (edit == 1) s.insert(s.begin() + static_cast<long>(rng() % (s.size() + 1)), 'x');
    if (edit == 2 && !s.empty()) s.erase(s.begin() + static_cast<long>(rng() % s.size()));
    return s;
  };
  int compared = 0, found = 0;
  for (int i = 0; i < 50'000; ++i) {
    std::string s = mutate(stir[rng() % stir.size()].first);
    EXPECT_EQ(parse_stir(s), reference(stir, s)) << s;
    found += parse_stir(s).has_value();
    s = mutate(sources[rng() % sources.size()].first);
    EXPECT_EQ(parse_hangup_source(s), reference(sources, s)) << s;
    s = mutate(transports[rng() % transports.size()].first);
    EXPECT_EQ(parse_transport(s), reference(transports, s)) << s;
    s = mutate(attestations[rng() % attestations.size()].first);
    if (!s.empty()) {  // "" is no attestation, a form of its own
      EXPECT_EQ(parse_attestation(s), reference(attestations, s)) << s;
    }
    compared += 4;
  }
  EXPECT_GT(found, 10'000);  // many variants still name a value
  EXPECT_EQ(compared, 200'000);
}

}  // namespace
}  // namespace cdrd
