#include "rating/stir.h"

#include <gtest/gtest.h>

namespace cdrd::rating {
namespace {

using A = Attestation;
using V = StirVerification;

TEST(CheckStir, Verified) {
  EXPECT_TRUE(check_stir(V::kVerified, A::kA).ok());
  EXPECT_TRUE(check_stir(V::kVerified, A::kNone).ok());
  EXPECT_FALSE(check_stir(V::kVerified, A::kB).ok());
  EXPECT_FALSE(check_stir(V::kVerified, A::kC).ok());
}

TEST(CheckStir, NotVerified) {
  EXPECT_TRUE(check_stir(V::kNotVerified, A::kB).ok());
  EXPECT_TRUE(check_stir(V::kNotVerified, A::kC).ok());
  EXPECT_TRUE(check_stir(V::kNotVerified, A::kNone).ok());  // the legacy seed's case
  EXPECT_FALSE(check_stir(V::kNotVerified, A::kA).ok());
}

TEST(CheckStir, NotApplicableAcceptsAnything) {
  for (A a : {A::kNone, A::kA, A::kB, A::kC}) EXPECT_TRUE(check_stir(V::kNotApplicable, a).ok());
}

TEST(CheckStir, Messages) {
  const Status s = check_stir(V::kVerified, A::kC);
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "attestation_indicator: 'C' contradicts stir_verification 'Verified' (which means "
            "attestation A)");
  EXPECT_EQ(check_stir(V::kNotVerified, A::kA).message(),
            "attestation_indicator: 'A' contradicts stir_verification 'Not Verified' (which "
            "means attestation B or C)");
}

}  // namespace
}  // namespace cdrd::rating
