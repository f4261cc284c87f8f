#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <utility>

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

// A call as the SIP-trunk ingest gives it: a provider hangup code and source, no PBX fields.
CallRecord trunk_call(std::optional<int> code, HangupSource source, Direction direction) {
  CallRecord c;
  c.account_id = 7;
  c.call_uuid = "5f3c2a10-8d1e-4c6b-9a57-0e4f1b2c3d01";
  c.direction = direction;
  c.initiation_time = at("2021-01-01 16:29:38");
  c.end_time = at("2021-01-01 16:30:16");
  c.hangup_cause_code = code;
  c.hangup_source = source;
  return c;
}

std::pair<std::string, std::string> cause_and_disposition(const CallRecord& c) {
  const std::string body = render_call(c, false);
  const auto field = [&body](const std::string& name) {
    const std::string key = "\"" + name + "\":\"";
    const std::size_t at = body.find(key);
    if (at == std::string::npos) return std::string("<absent>");
    const std::size_t from = at + key.size();
    return body.substr(from, body.find('"', from) - from);
  };
  return {field("hangup_cause"), field("hangup_disposition")};
}

using CD = std::pair<std::string, std::string>;

TEST(RenderCall, TheHangupCodeAndSourceFillTheQ850CauseAndDisposition) {
  const auto out = Direction::kOutbound, in = Direction::kInbound;
  // A normal end: who hung up, seen from the caller's side (outbound: the customer called).
  EXPECT_EQ(cause_and_disposition(trunk_call(3000, HangupSource::kCustomer, out)),
            CD("NORMAL_CLEARING", "caller_bye"));
  EXPECT_EQ(cause_and_disposition(trunk_call(3000, HangupSource::kCarrier, out)),
            CD("NORMAL_CLEARING", "callee_bye"));
  EXPECT_EQ(cause_and_disposition(trunk_call(3000, HangupSource::kCarrier, in)),
            CD("NORMAL_CLEARING", "caller_bye"));
  EXPECT_EQ(cause_and_disposition(trunk_call(3000, HangupSource::kCustomer, in)),
            CD("NORMAL_CLEARING", "callee_bye"));
  // Busy on the far side; a caller that gave up; the platform ended it.
  EXPECT_EQ(cause_and_disposition(trunk_call(4410, HangupSource::kCarrier, out)),
            CD("USER_BUSY", "callee_refuse"));
  EXPECT_EQ(cause_and_disposition(trunk_call(4550, HangupSource::kCustomer, out)),
            CD("ORIGINATOR_CANCEL", "caller_cancel"));
  EXPECT_EQ(cause_and_disposition(trunk_call(4330, HangupSource::kZentrunk, in)),
            CD("NO_ANSWER", "internal_cancel"));
  // An unknown source: the cause, no disposition. An unknown code or none: neither.
  EXPECT_EQ(cause_and_disposition(trunk_call(4410, HangupSource::kUnknown, out)),
            CD("USER_BUSY", ""));
  EXPECT_EQ(cause_and_disposition(trunk_call(9999, HangupSource::kCarrier, out)), CD("", ""));
  EXPECT_EQ(cause_and_disposition(trunk_call(std::nullopt, HangupSource::kCarrier, out)),
            CD("", ""));
}

TEST(RenderCall, TheRecordsOwnQ850CauseAndDispositionWin) {
  CallRecord c = trunk_call(4410, HangupSource::kCarrier, Direction::kOutbound);
  c.q850_cause = "CALL_REJECTED";
  EXPECT_EQ(cause_and_disposition(c), CD("CALL_REJECTED", "callee_refuse"));
  c.hangup_disposition = "internal_cancel";
  EXPECT_EQ(cause_and_disposition(c), CD("CALL_REJECTED", "internal_cancel"));
  c.q850_cause.clear();
  EXPECT_EQ(cause_and_disposition(c), CD("USER_BUSY", "internal_cancel"));
}

}  // namespace
}  // namespace cdrd::api::pbx
