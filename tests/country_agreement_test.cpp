// The countries of the sample data set's numbers (src/sample, what the demo and `make bench`
// load): country_of, as ingest derives them, against libphonenumber's own answer, over every
// number of a few thousand records of several accounts and home countries.
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "core/json_reader.h"
#include "rating/country.h"
#include "sample/sample_calls.h"

namespace cdrd {
namespace {

TEST(CountryAgreement, SampleDataSetNumbersAgreeWithLibphonenumber) {
  sample::SampleOptions options;
  options.seed = 7;
  for (int i = 0; i < 40; ++i) options.auth_ids.push_back("MASAMPLE" + std::to_string(1000 + i));
  options.end_from = 1'700'000'000'000'000;
  options.end_until = options.end_from + 30LL * 86'400'000'000;
  options.pbx_detail = true;
  std::string body;
  ASSERT_TRUE(sample::append_sample_calls(options, 0, 20'000, body).ok());
  int compared = 0, placed = 0, mismatches = 0;
  std::string_view rest = body;
  while (!rest.empty()) {
    const std::size_t nl = rest.find('\n');
    const std::string_view line = rest.substr(0, nl);
    rest.remove_prefix(nl == std::string_view::npos ? rest.size() : nl + 1);
    if (line.empty()) continue;
    Result<JsonValue> record = parse_json(line, "line");
    ASSERT_TRUE(record.ok()) << record.status().message();
    for (const JsonMember& m : record->members) {
      if (m.name != "from_number" && m.name != "to_number") continue;
      const std::string reference = rating::country_of_by_libphonenumber(m.value.text);
      ++compared;
      placed += !reference.empty();
      for (int ask = 0; ask < 2; ++ask) {  // the second answer comes from the recent answers
        const std::string answer = rating::country_of(m.value.text);
        if (answer != reference && ++mismatches <= 20) {
          ADD_FAILURE() << m.value.text << ": country_of '" << answer << "', libphonenumber '"
                        << reference << "'";
        }
      }
    }
  }
  EXPECT_EQ(compared, 40'000);
  EXPECT_GT(placed, compared * 9 / 10);
  EXPECT_EQ(mismatches, 0);
}

}  // namespace
}  // namespace cdrd
