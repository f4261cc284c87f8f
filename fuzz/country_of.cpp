// Fuzzes the country of a number (rating/country.h): the input is a number as a record gives it
// ("+919943720205", "552135006716", "alice"). country_of answers from its digit automaton; it
// must give what the table's patterns walked one by one give (country_of_by_patterns), whatever
// the bytes, and the same answer when asked again (then perhaps from the recent answers).
#include <string>

#include "fuzz_target.h"
#include "rating/country.h"

using namespace cdrd;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 32) return 0;  // longer than any number a country has
  const std::string_view number = fuzz::as_text(data, size);
  const std::string country = rating::country_of(number);
  CDRD_FUZZ_CHECK(country.empty() || country.size() == 2);
  CDRD_FUZZ_CHECK(country == rating::country_of_by_patterns(number));
  CDRD_FUZZ_CHECK(country == rating::country_of(number));
  return 0;
}
