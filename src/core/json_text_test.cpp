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

TEST(JsonQuoteTest, ReplacesBytesThatAreNotUtf8) {
  // A stray byte, a sequence cut short, an overlong form and a surrogate each become U+FFFD.
  EXPECT_EQ(json_quote("limi\xFF"), "\"limi\\ufffd\"");
  EXPECT_EQ(json_quote("ab\xC3"), "\"ab\\ufffd\"");
  EXPECT_EQ(json_quote("\xC0\xAF"), "\"\\ufffd\\ufffd\"");
  EXPECT_EQ(json_quote("\xED\xA0\x80x"), "\"\\ufffd\\ufffd\\ufffdx\"");
  EXPECT_EQ(json_quote("\xF0\x9F\x98\x80\x80"), "\"\xF0\x9F\x98\x80\\ufffd\"");
}

}  // namespace
}  // namespace cdrd
