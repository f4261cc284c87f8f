#include "core/phone.h"

#include <gtest/gtest.h>

namespace cdrd {
namespace {

// Rows of an input and what it gives, one expectation a row so that a failure names its row:
// the shape every value test of the tree shares (phone, country, url, page links, validators).
TEST(NormalizeNumber, BareInternationalDigitsGainAPlus) {
  EXPECT_EQ(normalize_number("552135006716"), "+552135006716");
  EXPECT_EQ(normalize_number("12604109832"), "+12604109832");
  EXPECT_EQ(normalize_number("+919943720205"), "+919943720205");
  EXPECT_EQ(normalize_number(" +919943720205 "), "+919943720205");
}

TEST(NormalizeNumber, OtherThingsStayAsSent) {
  EXPECT_EQ(normalize_number("alice"), "alice");
  EXPECT_EQ(normalize_number("1001"), "1001");                // an extension: too short
  EXPECT_EQ(normalize_number("02235328936"), "02235328936");  // national, leading 0
  EXPECT_EQ(normalize_number("100*0111"), "100*0111");
  EXPECT_EQ(normalize_number("1234567890123456"), "1234567890123456");  // 16 digits
}

TEST(IsE164, Bounds) {
  EXPECT_TRUE(is_e164("+12345678"));
  EXPECT_FALSE(is_e164("+1234567"));
  EXPECT_TRUE(is_e164("+123456789012345"));
  EXPECT_FALSE(is_e164("+1234567890123456"));
  EXPECT_FALSE(is_e164("+0123456789"));
  EXPECT_FALSE(is_e164("12345678"));
}

}  // namespace
}  // namespace cdrd
