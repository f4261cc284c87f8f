#include "core/enums.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace cdrd
