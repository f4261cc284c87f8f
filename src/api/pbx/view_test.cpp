#include <gtest/gtest.h>

#include "api/pbx/pbx.h"
#include "testing/values.h"

namespace cdrd::api::pbx {
namespace {

using cdrd::testing::at;

CallRecord call_with_legs() {
  CallRecord c;
  c.account_id = 7;
  c.call_uuid = "CAA308E3333C4A19AAED9C0254B9C61B";
  c.initiation_time = at("2021-01-01 16:29:38");
  c.end_time = at("2021-01-01 16:30:16");
  CallLeg recorded;
  recorded.record_uuid = "469100-5D36E5557F1845FEB577EDE8A19C5108";
  CallLeg plain;
  c.legs = {recorded, plain};
  return c;
}

TEST(RenderCall, RecordUuidIsNullOnALegWithoutARecording) {
  const std::string body = render_call(call_with_legs(), true);
  EXPECT_NE(body.find(R"("record_uuid":"469100-5D36E5557F1845FEB577EDE8A19C5108")"),
            std::string::npos)
      << body;
  EXPECT_NE(body.find(R"("record_uuid":null)"), std::string::npos) << body;
  EXPECT_EQ(body.find(R"("record_uuid":"")"), std::string::npos) << body;
}

}  // namespace
}  // namespace cdrd::api::pbx
