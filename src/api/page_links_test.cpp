#include "api/page_links.h"

#include <gtest/gtest.h>

namespace cdrd::api {
namespace {

// Rows of an input and what it gives, one expectation a row so that a failure names its row:
// the shape every value test of the tree shares (phone, country, url, page links, validators).
TEST(PercentEncodeTest, KeepsUnreservedAndEncodesTheRest) {
  EXPECT_EQ(percent_encode("abcXYZ019-._~"), "abcXYZ019-._~");
  EXPECT_EQ(percent_encode("2022-05-21 11:47"), "2022-05-21%2011%3A47");
  EXPECT_EQ(percent_encode("+9199"), "%2B9199");
  EXPECT_EQ(percent_encode("a&b=c?d#e%f/g"), "a%26b%3Dc%3Fd%23e%25f%2Fg");
  EXPECT_EQ(percent_encode("\xC3\xA9"), "%C3%A9");
  EXPECT_EQ(percent_encode(std::string_view("\0", 1)), "%00");
  EXPECT_EQ(percent_encode(""), "");
}

TEST(PercentEncodeTest, PathKeepsSlashesAndPathCharacters) {
  EXPECT_EQ(percent_encode("/v1/Account/MA1/Zentrunk/Call/", true),
            "/v1/Account/MA1/Zentrunk/Call/");
  EXPECT_EQ(percent_encode("/a b/c?d#e:f@", true), "/a%20b/c%3Fd%23e:f@");
}

TEST(PageLinkTest, ReplacesLimitAndOffsetKeepingOtherParamsInOrder) {
  const http::Params params = {{"offset", "0"},
                               {"call_direction", "outbound"},
                               {"limit", "5"},
                               {"end_time__gte", "2022-05-21 11:47"},
                               {"from_number", "+91"}};
  EXPECT_EQ(page_link("/v1/Account/MA1/Zentrunk/Call/", params, 5, 10),
            "/v1/Account/MA1/Zentrunk/Call/?call_direction=outbound&"
            "end_time__gte=2022-05-21%2011%3A47&from_number=%2B91&limit=5&offset=10");
}

TEST(PageLinkTest, WithoutOtherParams) {
  EXPECT_EQ(page_link("/v1/Account/MA1/Zentrunk/Call", {}, 20, 0),
            "/v1/Account/MA1/Zentrunk/Call?limit=20&offset=0");
}

}  // namespace
}  // namespace cdrd::api
