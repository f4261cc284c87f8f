#include "http/url.h"

#include <gtest/gtest.h>

#include "http/client.h"

namespace cdrd::http {
namespace {

TEST(AsciiCase, FoldsOnlyAsciiLetters) {
  EXPECT_EQ(ascii_lower("Content-Type: X-Y_1"), "content-type: x-y_1");
  EXPECT_EQ(ascii_lower("\xC3\x84Z"), "\xC3\x84z");  // "ÄZ": only the ASCII letter changes
  EXPECT_EQ(ascii_upper('g'), 'G');
  EXPECT_EQ(ascii_upper('-'), '-');
  EXPECT_EQ(ascii_lower('Q'), 'q');
}

TEST(PercentDecode, PlainTextIsUnchanged) {
  EXPECT_EQ(percent_decode("/v1/Account/MA123/Call/", false), "/v1/Account/MA123/Call/");
  EXPECT_EQ(percent_decode("", false), "");
}

TEST(PercentDecode, DecodesEscapesInEitherCase) {
  EXPECT_EQ(percent_decode("a%20b", false), "a b");
  EXPECT_EQ(percent_decode("%2b%2B", false), "++");
  EXPECT_EQ(percent_decode("%e2%82%AC", false), "\xe2\x82\xac");
  EXPECT_EQ(percent_decode("%00", false), std::string(1, '\0'));
  EXPECT_EQ(percent_decode("100%25", false), "100%");
}

TEST(PercentDecode, PlusIsSpaceOnlyWhenAsked) {
  EXPECT_EQ(percent_decode("a+b", true), "a b");
  EXPECT_EQ(percent_decode("a+b", false), "a+b");
  EXPECT_EQ(percent_decode("a%2Bb", true), "a+b");
}

TEST(PercentDecode, RefusesBadEscapes) {
  EXPECT_EQ(percent_decode("%", false), std::nullopt);
  EXPECT_EQ(percent_decode("abc%", false), std::nullopt);
  EXPECT_EQ(percent_decode("%4", false), std::nullopt);
  EXPECT_EQ(percent_decode("%4g", false), std::nullopt);
  EXPECT_EQ(percent_decode("%zz", true), std::nullopt);
  EXPECT_EQ(percent_decode("ok%2", true), std::nullopt);
}

TEST(ParseQuery, SplitsAndDecodesInOrderKeepingRepeats) {
  const auto params = parse_query("limit=5&to=%2B1555&name=a+b&name=c%20d");
  ASSERT_TRUE(params);
  const Params expected = {{"limit", "5"}, {"to", "+1555"}, {"name", "a b"}, {"name", "c d"}};
  EXPECT_EQ(*params, expected);
}

TEST(ParseQuery, KeyWithoutValueAndEmptySegments) {
  const auto params = parse_query("&a=1&&flag&b=&=x&");
  ASSERT_TRUE(params);
  const Params expected = {{"a", "1"}, {"flag", ""}, {"b", ""}, {"", "x"}};
  EXPECT_EQ(*params, expected);
}

TEST(ParseQuery, OnlyTheFirstEqualsSplits) {
  const auto params = parse_query("filter=a=b");
  ASSERT_TRUE(params);
  EXPECT_EQ(*params, (Params{{"filter", "a=b"}}));
}

TEST(ParseQuery, EmptyQueryHasNoParams) {
  const auto params = parse_query("");
  ASSERT_TRUE(params);
  EXPECT_TRUE(params->empty());
}

TEST(ParseQuery, RefusesABadEscapeInKeyOrValue) {
  EXPECT_EQ(parse_query("a=%zz"), std::nullopt);
  EXPECT_EQ(parse_query("a%=1"), std::nullopt);
  EXPECT_EQ(parse_query("ok=1&bad=%4"), std::nullopt);
}

// Rows of an input and what it gives, one expectation a row so that a failure names its row:
// the shape every value test of the tree shares (phone, country, url, page links, validators).
TEST(UrlEncode, KeepsUnreservedAndEscapesTheRest) {
  EXPECT_EQ(url_encode("Az09-._~"), "Az09-._~");
  EXPECT_EQ(url_encode("a b+c"), "a%20b%2Bc");
  EXPECT_EQ(url_encode("2021-03-21 11:47"), "2021-03-21%2011%3A47");
  EXPECT_EQ(url_encode("&=/?%"), "%26%3D%2F%3F%25");
  EXPECT_EQ(url_encode("\xe2\x82\xac"), "%E2%82%AC");
}

TEST(UrlEncode, RoundTripsThroughTheQueryParser) {
  const std::string value = "+1 (555) 010-9999 & more=yes%";
  const auto params = parse_query("v=" + url_encode(value));
  ASSERT_TRUE(params);
  EXPECT_EQ(*params, (Params{{"v", value}}));
}

TEST(BasicAuth, EncodesUserColonPassword) {
  // The example of RFC 7617.
  EXPECT_EQ(basic_auth("Aladdin", "open sesame"), "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
  EXPECT_EQ(basic_auth("", ""), "Basic Og==");
  EXPECT_EQ(basic_auth("ab", "c"), "Basic YWI6Yw==");
  EXPECT_EQ(basic_auth("abc", "de"), "Basic YWJjOmRl");
}

TEST(MediaType, IsTheLowerCaseTypeWithoutParametersOrBlanks) {
  EXPECT_EQ(media_type("Text/CSV; charset=utf-8"), "text/csv");
  EXPECT_EQ(media_type(" \tapplication/x-ndjson \t"), "application/x-ndjson");
  EXPECT_EQ(media_type("application/json;"), "application/json");
  EXPECT_EQ(media_type(""), "");
  EXPECT_EQ(media_type("; charset=utf-8"), "");
}

TEST(TrimBlanks, DropsSpacesAndTabsAtBothEndsOnly) {
  EXPECT_EQ(trim_blanks(" \t a b \t "), "a b");
  EXPECT_EQ(trim_blanks("\r\n"), "\r\n");  // only spaces and tabs are blanks
  EXPECT_EQ(trim_blanks("   "), "");
}

}  // namespace
}  // namespace cdrd::http
