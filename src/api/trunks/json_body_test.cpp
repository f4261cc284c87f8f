// JsonBody over the bounded reader: the limits name themselves, syntax errors keep the hint.
#include "api/trunks/json_body.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace cdrd::api::trunks {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

TEST(JsonBodyLimits, DeepNestingIsRefusedNamingTheLimit) {
  EXPECT_EQ(JsonBody::parse(std::string(200000, '[')).status().message(),
            "body: nested deeper than 8 levels");
  std::string deep;
  for (int i = 0; i < 200000; ++i) deep += "{\"a\":";
  EXPECT_EQ(JsonBody::parse(deep).status().message(), "body: nested deeper than 8 levels");
  EXPECT_TRUE(JsonBody::parse(R"({"a": [[[[[[[1]]]]]]]})").ok());  // 8 levels
}

TEST(JsonBodyLimits, LongStringsAndBigArraysAreRefusedByName) {
  EXPECT_EQ(JsonBody::parse("{\"name\": \"" + std::string(16385, 'n') + "\"}").status().message(),
            "name: a string longer than 16384 bytes");
  std::string list = "{\"ip_addresses\": [\"a\"";
  for (int i = 0; i < 1000; ++i) list += ", \"a\"";
  EXPECT_EQ(JsonBody::parse(list + "]}").status().message(),
            "ip_addresses: an array of more than 1000 elements");
}

TEST(JsonBodyLimits, SyntaxErrorsKeepTheMediaTypeHint) {
  EXPECT_THAT(JsonBody::parse("{\"a\": ").status().message(),
              StartsWith("the body must be a JSON object (Content-Type: application/json): body "
                         "is not valid JSON"));
  EXPECT_THAT(JsonBody::parse("{\"a\": \"\xC0\xAF\"}").status().message(),
              HasSubstr("Invalid encoding"));
}

TEST(JsonBodyLimits, NumbersAreDescribedAsWritten) {
  Result<JsonBody> b = JsonBody::parse(R"({"name": 1e3})");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->string("name", "a string").status().message(), "name: must be a string, got 1e3");
}

}  // namespace
}  // namespace cdrd::api::trunks
