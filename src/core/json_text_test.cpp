#include "core/json_text.h"

#include <gtest/gtest.h>

namespace cdrd {
namespace {

TEST(JsonQuoteTest, EscapesQuotesBackslashesAndControlCharacters) {
  EXPECT_EQ(json_quote(""), "\"\"");
  EXPECT_EQ(json_quote("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(json_quote("l1\nl2\r\t"), "\"l1\\nl2\\r\\t\"");
  EXPECT_EQ(json_quote(std::string_view("\x01\x1f", 2)), "\"\\u0001\\u001f\"");
}

TEST(JsonQuoteTest, KeepsUtf8AndPrintableAscii) {
  EXPECT_EQ(json_quote("S\xC3\xA3o Paulo ~/"), "\"S\xC3\xA3o Paulo ~/\"");
}

}  // namespace
}  // namespace cdrd
