#include "rating/country.h"

#include <gtest/gtest.h>
#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>

#include <cstdint>
#include <random>
#include <set>
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

// country_of answers from a table compiled from libphonenumber's metadata; it must give exactly
// libphonenumber's answer. Compared over a seeded sample: random digits after every calling code
// (mostly invalid numbers, every length), and libphonenumber's example number of every region
// and number type with its last digits replaced at random (mostly valid numbers).
class CountryAgreement : public ::testing::Test {
 protected:
  using Util = i18n::phonenumbers::PhoneNumberUtil;

  void expect_same(const std::string& number) {
    const std::string table = country_of(number);
    const std::string reference = country_of_by_libphonenumber(number);
    ++compared_;
    placed_ += !reference.empty();
    if (table != reference && ++mismatches_ <= 20) {
      ADD_FAILURE() << number << ": country_of '" << table << "', libphonenumber '" << reference
                    << "'";
    }
  }
  void append_digits(std::string& s, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) s.push_back(static_cast<char>('0' + rng_() % 10));
  }

  std::mt19937_64 rng_{20240601};  // raw output only: the same sample on every platform
  int compared_ = 0, placed_ = 0, mismatches_ = 0;
};

TEST_F(CountryAgreement, RandomDigitsAfterEveryCallingCode) {
  const Util& util = *Util::GetInstance();
  std::set<int> code_set;
  util.GetSupportedCallingCodes(&code_set);
  const std::vector<int> codes(code_set.begin(), code_set.end());
  ASSERT_GT(codes.size(), 200u);
  for (int i = 0; i < 100'000; ++i) {
    // One in ten starts with any digits at all (codes that do not exist included).
    std::string n = "+";
    if (i % 10 == 0) {
      n += static_cast<char>('1' + rng_() % 9);
    } else {
      n += std::to_string(codes[rng_() % codes.size()]);
    }
    const std::size_t room = 16 - n.size();
    append_digits(n, rng_() % (room + 1));
    expect_same(n);
  }
  EXPECT_EQ(mismatches_, 0) << "of " << compared_;
}

TEST_F(CountryAgreement, ExampleNumbersOfEveryRegionWithRandomEndings) {
  const Util& util = *Util::GetInstance();
  std::set<std::string> regions;
  util.GetSupportedRegions(&regions);
  ASSERT_GT(regions.size(), 200u);
  std::vector<std::string> examples;
  for (const std::string& region : regions) {
    for (int t = Util::FIXED_LINE; t <= Util::VOICEMAIL; ++t) {
      i18n::phonenumbers::PhoneNumber example;
      if (!util.GetExampleNumberForType(region, static_cast<Util::PhoneNumberType>(t), &example)) {
        continue;
      }
      std::string e164;
      util.Format(example, Util::E164, &e164);
      examples.push_back(e164);
    }
  }
  ASSERT_GT(examples.size(), 1000u);
  for (const std::string& e : examples) expect_same(e);
  while (compared_ < 100'000) {
    std::string n = examples[rng_() % examples.size()];
    const std::size_t replaced = std::min<std::size_t>(n.size() - 2, 1 + rng_() % 6);
    n.resize(n.size() - replaced);
    // Mostly the same length again, sometimes one digit shorter or longer.
    const std::uint64_t roll = rng_() % 10;
    const std::size_t added = roll == 0 ? replaced - 1 : roll == 1 ? replaced + 1 : replaced;
    append_digits(n, std::min<std::size_t>(n.size() + added, 16) - n.size());
    expect_same(n);
  }
  EXPECT_EQ(mismatches_, 0) << "of " << compared_;
  EXPECT_GT(placed_, compared_ / 2);  // the sample is mostly valid numbers
}

TEST_F(CountryAgreement, SharedCallingCodesAndEdgeCases) {
  for (const char* n :
       {// +1: the NANP countries, told apart by area code
        "+12125551234", "+16135550123", "+12684601234", "+18765550123", "+17875550123",
        "+16715550123", "+12425550123", "+14415550123", "+18095550123", "+19395550123",
        "+112125551234", "+1212555123", "+121255512345", "+11", "+1",
        // +7: Russia and Kazakhstan
        "+74957397000", "+77012345678", "+77172123456", "+76000000000", "+79161234567",
        // +44: the United Kingdom, Guernsey, Jersey, the Isle of Man
        "+442079460000", "+447911123456", "+441481256789", "+447781123456", "+441534456789",
        "+447797123456", "+441624756789", "+447624123456", "+4420794600",
        // +47: Norway and Svalbard; +358: Finland and Åland; +262, +590, +599, +61, +212
        "+4722123456", "+4779123456", "+4741234567", "+358181234567", "+35891234567",
        "+262262123456", "+262269601234", "+590590271234", "+599953123456", "+59971234567",
        "+61212345678", "+61891621234", "+61891641234", "+212522123456", "+212528812345",
        // national prefixes and leading zeros after the calling code
        "+390612345678", "+3906123456", "+4401234567890", "+5491123456789", "+541115123456",
        "+2250123456789", "+79", "+7", "+8", "+800", "+80012345678", "+88212345678", "+97012345678",
        "+999123456789", "+123456789012345", "+999999999999999"}) {
    expect_same(n);
  }
  EXPECT_EQ(mismatches_, 0);
}

// A million numbers over every calling code (and some that are none), of every length from the
// code alone to 15 digits, each asked twice: the first answer comes from the table or
// libphonenumber, the second from the recent answers' cache, and both must be libphonenumber's.
TEST_F(CountryAgreement, AMillionNumbersOfEveryCallingCodeAndLengthAskedTwice) {
  const Util& util = *Util::GetInstance();
  std::set<int> code_set;
  util.GetSupportedCallingCodes(&code_set);
  const std::vector<int> codes(code_set.begin(), code_set.end());
  std::vector<int> per_code(codes.size(), 0);
  std::mt19937_64 rng(20261201);
  int cached_mismatches = 0;
  for (int i = 0; i < 1'000'000; ++i) {
    std::string n = "+";
    std::size_t code = codes.size();
    if (i % 20 == 0) {
      n += static_cast<char>('1' + rng() % 9);
    } else {
      code = static_cast<std::size_t>(rng() % codes.size());
      n += std::to_string(codes[code]);
    }
    const std::size_t room = 16 - n.size();
    for (std::size_t k = rng() % (room + 1); k > 0; --k) {
      n.push_back(static_cast<char>('0' + rng() % 10));
    }
    const std::string reference = country_of_by_libphonenumber(n);
    const std::string first = country_of(n);
    const std::string second = country_of(n);
    ++compared_;
    placed_ += !reference.empty();
    if (code < codes.size()) ++per_code[code];
    if ((first != reference || second != reference) && ++cached_mismatches <= 20) {
      ADD_FAILURE() << n << ": country_of '" << first << "', then '" << second
                    << "', libphonenumber '" << reference << "'";
    }
  }
  EXPECT_EQ(cached_mismatches, 0) << "of " << compared_;
  for (std::size_t c = 0; c < codes.size(); ++c) {
    EXPECT_GT(per_code[c], 1000) << "calling code " << codes[c];
  }
  EXPECT_GT(placed_, 10'000);  // valid numbers of some country among them
}

// country_of answers from an automaton compiled from the table's patterns; it must give the
// answer of the patterns walked one by one (country_of_by_patterns, the derivation it replaces)
// for every number: over a seeded sample of 1,000,000 numbers of every calling code and every
// length, half of them libphonenumber's example numbers with random endings (mostly valid), and
// every number of up to 5 digits.
TEST(CountryAutomaton, GivesThePatternsAnswerForEveryNumber) {
  using Util = i18n::phonenumbers::PhoneNumberUtil;
  const Util& util = *Util::GetInstance();
  std::set<int> code_set;
  util.GetSupportedCallingCodes(&code_set);
  const std::vector<int> codes(code_set.begin(), code_set.end());
  std::set<std::string> regions;
  util.GetSupportedRegions(&regions);
  std::vector<std::string> examples;
  for (const std::string& region : regions) {
    for (int t = Util::FIXED_LINE; t <= Util::VOICEMAIL; ++t) {
      i18n::phonenumbers::PhoneNumber example;
      if (util.GetExampleNumberForType(region, static_cast<Util::PhoneNumberType>(t), &example)) {
        std::string e164;
        util.Format(example, Util::E164, &e164);
        examples.push_back(e164);
      }
    }
  }
  ASSERT_GT(examples.size(), 1000u);
  std::mt19937_64 rng(20261202);
  int compared = 0, placed = 0, mismatches = 0;
  const auto expect_same = [&](const std::string& n) {
    const std::string fast = country_of(n);
    const std::string reference = country_of_by_patterns(n);
    ++compared;
    placed += !reference.empty();
    if (fast != reference && ++mismatches <= 20) {
      ADD_FAILURE() << n << ": country_of '" << fast << "', the patterns '" << reference << "'";
    }
  };
  for (int i = 0; i < 500'000; ++i) {
    std::string n = "+";
    if (i % 20 == 0) {
      n += static_cast<char>('1' + rng() % 9);
    } else {
      n += std::to_string(codes[rng() % codes.size()]);
    }
    for (std::size_t k = rng() % (16 - n.size() + 1); k > 0; --k) {
      n.push_back(static_cast<char>('0' + rng() % 10));
    }
    expect_same(n);
  }
  for (int i = 0; i < 500'000; ++i) {
    std::string n = examples[rng() % examples.size()];
    const std::size_t replaced = std::min<std::size_t>(n.size() - 2, 1 + rng() % 8);
    n.resize(n.size() - replaced);
    const std::uint64_t roll = rng() % 10;
    std::size_t added = roll == 0 ? replaced - 1 : roll == 1 ? replaced + 1 : replaced;
    for (; added > 0 && n.size() < 16; --added) n.push_back(static_cast<char>('0' + rng() % 10));
    expect_same(n);
  }
  for (int v = 1; v < 100'000; ++v) expect_same("+" + std::to_string(v));
  EXPECT_EQ(mismatches, 0) << "of " << compared;
  EXPECT_GT(placed, compared / 5);  // valid numbers of some country, some 500,000
  EXPECT_GT(country_automaton_states(), 1000u);
}

TEST(CountryOf, RecentAnswersTellNumbersOfTheSameValueApart) {
  // The cache keys on the digits' value and count: "+44..." and a number that only differs by
  // its length or by a digit must not share an answer.
  EXPECT_EQ(country_of("+442079460000"), "GB");
  EXPECT_EQ(country_of("+4420794600000"), country_of_by_libphonenumber("+4420794600000"));
  EXPECT_EQ(country_of("+442079460000"), "GB");
  EXPECT_EQ(country_of("+12125551234"), "US");
  EXPECT_EQ(country_of("+12125551235"), country_of_by_libphonenumber("+12125551235"));
  EXPECT_EQ(country_of("+999999999999999"), "");
  EXPECT_EQ(country_of("+999999999999999"), "");
}

TEST(E164InRegion, NationalAndInternationalPrefixForms) {
  EXPECT_EQ(e164_in_region("030 1234567", "DE"), "+49301234567");
  EXPECT_EQ(e164_in_region("00442079460000", "DE"), "+442079460000");
  EXPECT_EQ(e164_in_region("4155550100", "US"), "+14155550100");
  EXPECT_EQ(e164_in_region("1 (415) 555-0100", "US"), "+14155550100");
  EXPECT_EQ(e164_in_region("011 44 20 7946 0000", "US"), "+442079460000");
  EXPECT_EQ(e164_in_region("020 7946 0000", "GB"), "+442079460000");
}

TEST(E164InRegion, LeavesWhatItCannotReadToTheCaller) {
  EXPECT_EQ(e164_in_region("+442079460000", "DE"), "");  // already E.164
  EXPECT_EQ(e164_in_region("alice", "DE"), "");
  EXPECT_EQ(e164_in_region("1001", "DE"), "");  // an extension
  EXPECT_EQ(e164_in_region("1-800-FLOWERS", "US"), "");
  EXPECT_EQ(e164_in_region("030 1234567", "ZZ"), "");
  EXPECT_TRUE(is_known_region("DE"));
  EXPECT_FALSE(is_known_region("XX"));
  EXPECT_FALSE(is_known_region("de"));
}

}  // namespace
}  // namespace cdrd::rating
