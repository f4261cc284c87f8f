#include "core/json_text.h"

#include <gtest/gtest.h>

namespace cdrd {
namespace {

// Rows of an input and what it gives, one expectation a row so that a failure names its row:
// the shape every value test of the tree shares (phone, country, url, page links, validators).
TEST(JsonQuoteTest, EscapesQuotesBackslashesAndControlCharacters) {
  EXPECT_EQ(json_quote(""), "\"\"");
  EXPECT_EQ(json_quote("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(json_quote("l1\nl2\r\t"), "\"l1\\nl2\\r\\t\"");
  EXPECT_EQ(json_quote(std::string_view("\x01\x1f", 2)), "\"\\u0001\\u001f\"");
}

TEST(JsonQuoteTest, KeepsUtf8AndPrintableAscii) {
  EXPECT_EQ(json_quote("S\xC3\xA3o Paulo ~/"), "\"S\xC3\xA3o Paulo ~/\"");
}

bool strict_utf8(std::string_view s) { return is_valid_utf8(s); }

TEST(JsonQuoteTest, ReplacesBytesThatAreNotUtf8) {
  const std::string r = "\xEF\xBF\xBD";                                    // U+FFFD
  EXPECT_EQ(json_quote("\xFF\xFE"), "\"" + r + r + "\"");                  // never UTF-8
  EXPECT_EQ(json_quote("a\xA9"), "\"a" + r + "\"");                        // lone continuation
  EXPECT_EQ(json_quote("\xC0\xAF"), "\"" + r + r + "\"");                  // overlong '/'
  EXPECT_EQ(json_quote("\xE0\x80\xAF"), "\"" + r + r + r + "\"");          // overlong, 3 bytes
  EXPECT_EQ(json_quote("\xED\xA0\x80"), "\"" + r + r + r + "\"");          // surrogate U+D800
  EXPECT_EQ(json_quote("\xF4\x90\x80\x80"), "\"" + r + r + r + r + "\"");  // beyond U+10FFFF
  EXPECT_EQ(json_quote("x\xE2\x82"), "\"x" + r + r + "\"");                // cut short
  EXPECT_EQ(json_quote("\xE2\x82\xAC\xF0\x9F\x98\x80"), "\"\xE2\x82\xAC\xF0\x9F\x98\x80\"");
  for (std::string_view s : {"\xFF", "\xC3", "\xED\xBF\xBF", "\xF8\x88\x80\x80\x80", "\x7F\x80"}) {
    EXPECT_TRUE(strict_utf8(json_quote(s))) << json_quote(s);
  }
}

TEST(JsonQuoteTest, EscapesDelete) { EXPECT_EQ(json_quote("\x7F"), "\"\\u007f\""); }

TEST(Utf8Test, ValidatesAndRepairs) {
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_TRUE(is_valid_utf8("S\xC3\xA3o \xF0\x9F\x98\x80"));
  EXPECT_FALSE(is_valid_utf8("\xC3"));
  EXPECT_FALSE(is_valid_utf8("\xC1\xBF"));
  EXPECT_FALSE(is_valid_utf8("\xED\xB0\x80"));
  EXPECT_FALSE(is_valid_utf8("\xBF"));
  EXPECT_EQ(utf8_sequence_length("\xF0\x9F\x98\x80", 0), 4u);
  EXPECT_EQ(utf8_sequence_length("\xF0\x9F\x98", 0), 0u);
  EXPECT_EQ(to_valid_utf8("ok"), "ok");
  EXPECT_EQ(to_valid_utf8("a\xFF"
                          "b"),
            "a\xEF\xBF\xBD"
            "b");
}

// A minimal writer with RapidJSON's String/Key signatures.
struct RecordingWriter {
  std::string got;
  bool String(const char* s, unsigned n, bool = false) {
    got.assign(s, n);
    return true;
  }
  bool Key(const char* s, unsigned n, bool = false) { return String(s, n); }
};

TEST(JsonWriteStringTest, HandsTheWriterValidUtf8) {
  RecordingWriter w;
  json_write_string(w, "caf\xC3\xA9");
  EXPECT_EQ(w.got, "caf\xC3\xA9");
  json_write_string(w, "x\xA9");
  EXPECT_EQ(w.got, "x\xEF\xBF\xBD");
  json_write_key(w, "\xFF");
  EXPECT_EQ(w.got, "\xEF\xBF\xBD");
}

}  // namespace
}  // namespace cdrd
