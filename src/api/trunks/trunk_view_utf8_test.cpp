// The trunk views write stored text through core/json_text.h, so even bytes that are not UTF-8
// (never accepted by the API, but a database can hold anything) give valid UTF-8 JSON.
#include <gtest/gtest.h>

#include "api/trunks/trunk_view.h"
#include "core/json_text.h"

namespace cdrd::api::trunks {
namespace {

TEST(TrunkViewUtf8, BytesThatAreNotUtf8BecomeReplacementCharacters) {
  IpAcl a;
  a.ipacl_uuid = "d06ca0d4-f5df-46e1-9cac-02da4dd66a81";
  a.name = "office\xFF";
  a.ip_addresses = {"203.0.113.0/24\xC0\xAF"};
  const std::string json = render_object(a, "api-1");
  EXPECT_TRUE(is_valid_utf8(json)) << json;
  EXPECT_NE(json.find("\"office\xEF\xBF\xBD\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"203.0.113.0/24\xEF\xBF\xBD\xEF\xBF\xBD\""), std::string::npos) << json;
}

}  // namespace
}  // namespace cdrd::api::trunks
