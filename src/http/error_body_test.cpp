#include "http/error_body.h"

#include <gtest/gtest.h>

#include <regex>

namespace cdrd::http {
namespace {

TEST(ErrorBodyTest, IsTheApiIdAndTheMessage) {
  const HttpResponse r = error_response(404, "trunk not found: 12");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.content_type, "application/json");
  static const std::regex shape(
      R"(\{"api_id":"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}",)"
      R"("error":"trunk not found: 12"\})");
  EXPECT_TRUE(std::regex_match(r.body, shape)) << r.body;
}

TEST(ErrorBodyTest, EveryBodyHasItsOwnApiId) { EXPECT_NE(error_body("x"), error_body("x")); }

TEST(ErrorBodyTest, EchoedBytesStayValidJson) {
  const std::string body = error_body("to: got '\xFF\"'");
  EXPECT_TRUE(body.ends_with("\"error\":\"to: got '\xEF\xBF\xBD\\\"'\"}")) << body;
}

}  // namespace
}  // namespace cdrd::http
