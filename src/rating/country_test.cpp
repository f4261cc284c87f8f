#include "rating/country.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace cdrd::rating {
namespace {

// Rows of an input and what it gives, one expectation a row so that a failure names its row:
// the shape every value test of the tree shares (phone, country, url, page links, validators).
TEST(CountryOf, India) {
  EXPECT_EQ(country_of("+919943720205"), "IN");  // seed 000, mobile
  EXPECT_EQ(country_of("+912235328936"), "IN");  // seed 000, Mumbai landline
}

TEST(CountryOf, UnitedStatesAndCanadaShareCountryCodeOne) {
  EXPECT_EQ(country_of("+12604109832"), "US");
  EXPECT_EQ(country_of("+12125551234"), "US");
  EXPECT_EQ(country_of("+16135550123"), "CA");
}

TEST(CountryOf, LegacyBareInternationalDigits) {
  EXPECT_EQ(country_of("552135006716"), "BR");  // seed 001 from_number
  EXPECT_EQ(country_of("12604109832"), "US");   // seed 001 to_number
}

TEST(CountryOf, BrazilUnitedKingdomRussia) {
  EXPECT_EQ(country_of("+552135006716"), "BR");
  EXPECT_EQ(country_of("+442079460000"), "GB");
  EXPECT_EQ(country_of("+74957397000"), "RU");
  EXPECT_EQ(country_of("+79161234567"), "RU");
}

TEST(CountryOf, NotAPhoneNumberGetsNoCountry) {
  EXPECT_EQ(country_of("alice"), "");
  EXPECT_EQ(country_of("1001"), "");
  EXPECT_EQ(country_of("+1001"), "");
  EXPECT_EQ(country_of(""), "");
  EXPECT_EQ(country_of("+"), "");
  EXPECT_EQ(country_of("sip:alice@example.com"), "");
  EXPECT_EQ(country_of("1800FLOWERS"), "");       // no vanity letters
  EXPECT_EQ(country_of("+44 20 7946 0000"), "");  // stored numbers carry no spaces
  EXPECT_EQ(country_of("00442079460000"), "");
  EXPECT_EQ(country_of("+4420794600001234567"), "");
  EXPECT_EQ(country_of("+919"), "");
}

TEST(CountryOf, NonGeographicNumbersHaveNoCountry) {
  EXPECT_EQ(country_of("+80012345678"), "");  // international freephone: region "001"
}

TEST(CountryOf, RememberedAnswersAreTheSame) {
  // The second answer comes from the in-memory table: it must equal the first, for numbers
  // with and without a country.
  for (const char* n :
       {"+919943720205", "552135006716", "+442079460000", "+80012345678", "+919", "+74957397000"}) {
    const std::string first = country_of(n);
    EXPECT_EQ(country_of(n), first) << n;
    EXPECT_EQ(country_of(n), first) << n;
  }
  EXPECT_EQ(country_of("+74957397000"), "RU");
  EXPECT_EQ(country_of("+80012345678"), "");
}

TEST(CountryOf, SafeFromManyThreads) {
  std::vector<std::thread> threads;
  std::vector<int> wrong(4, 0);
  threads.reserve(4);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([t, &wrong] {
      for (int i = 0; i < 200; ++i) {
        wrong[t] += country_of("+919943720205") != "IN";
        wrong[t] += country_of("552135006716") != "BR";
        wrong[t] += !country_of("alice").empty();
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int w : wrong) EXPECT_EQ(w, 0);
}

}  // namespace
}  // namespace cdrd::rating
