// The switch and cloud-PBX hangup tables (core/hangup_map.h) against the provider's table of
// hangup codes: they live in core, which cannot see rating's table, so the check is here.
#include "core/hangup_map.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "rating/hangup.h"

namespace cdrd {
namespace {

bool known(std::optional<int> code) { return code && rating::find_hangup_cause(*code) != nullptr; }

TEST(HangupMap, EverySipStatusItNamesIsAProviderCode) {
  for (int status = 100; status < 700; ++status) {
    const std::optional<int> code = hangup_code_of_sip_status(status);
    if (code) {
      EXPECT_TRUE(known(code)) << status << " -> " << *code;
    }
  }
  EXPECT_EQ(hangup_code_of_sip_status(200), 3000);
  EXPECT_EQ(hangup_code_of_sip_status(486), 4410);  // user_busy
  EXPECT_EQ(hangup_code_of_sip_status(487), 4440);  // request_terminated
  EXPECT_EQ(hangup_code_of_sip_status(480), 4330);  // temporary_unavailable
  EXPECT_EQ(hangup_code_of_sip_status(603), 6040);  // declined_from_carrier
  EXPECT_EQ(hangup_code_of_sip_status(180), std::nullopt);
  EXPECT_EQ(hangup_code_of_sip_status(499), std::nullopt);
}

TEST(HangupMap, Q850CausesByNameAndNumberAgree) {
  for (int cause = 1; cause <= 127; ++cause) {
    const std::optional<int> code = hangup_code_of_q850_number(cause);
    if (code) {
      EXPECT_TRUE(known(code)) << cause;
    }
  }
  EXPECT_EQ(hangup_code_of_q850_name("NORMAL_CLEARING"), hangup_code_of_q850_number(16));
  EXPECT_EQ(hangup_code_of_q850_name("normal_clearing"), 3000);
  EXPECT_EQ(hangup_code_of_q850_name("USER_BUSY"), hangup_code_of_q850_number(17));
  EXPECT_EQ(hangup_code_of_q850_name("USER_BUSY"), 4410);
  EXPECT_EQ(hangup_code_of_q850_name("NO_ANSWER"), 4330);
  EXPECT_EQ(hangup_code_of_q850_name("ORIGINATOR_CANCEL"), 4550);
  EXPECT_EQ(hangup_code_of_q850_name("CALL_REJECTED"), 6040);
  EXPECT_EQ(hangup_code_of_q850_name("NOT_A_CAUSE"), std::nullopt);
  EXPECT_EQ(hangup_code_of_q850_number(0), std::nullopt);  // FreeSWITCH's own causes
}

TEST(HangupMap, AsteriskDispositions) {
  EXPECT_EQ(hangup_code_of_asterisk_disposition("ANSWERED"), 3000);
  EXPECT_EQ(hangup_code_of_asterisk_disposition("NO ANSWER"), 4330);
  EXPECT_EQ(hangup_code_of_asterisk_disposition("busy"), 4410);
  EXPECT_TRUE(known(hangup_code_of_asterisk_disposition("FAILED")));
  EXPECT_TRUE(known(hangup_code_of_asterisk_disposition("CONGESTION")));
  EXPECT_EQ(hangup_code_of_asterisk_disposition("NO_ANSWER"), std::nullopt);
}

TEST(HangupMap, EveryProviderCodeHasAQ850NameForThePbxView) {
  for (const rating::HangupCause& cause : rating::hangup_causes()) {
    EXPECT_FALSE(q850_name_of_hangup_code(cause.code).empty()) << cause.code;
  }
  EXPECT_EQ(q850_name_of_hangup_code(1234), "");
}

// A cause a switch reports, stored as the provider's code, shows in the PBX view as the same
// cause for the common endings.
TEST(HangupMap, CommonCausesRoundTripThroughTheProviderCode) {
  for (std::string_view name : {"NORMAL_CLEARING", "USER_BUSY", "NO_ANSWER", "ORIGINATOR_CANCEL",
                                "CALL_REJECTED", "UNALLOCATED_NUMBER", "NO_ROUTE_DESTINATION",
                                "NO_USER_RESPONSE", "INVALID_NUMBER_FORMAT", "MEDIA_TIMEOUT"}) {
    const std::optional<int> code = hangup_code_of_q850_name(name);
    ASSERT_TRUE(code) << name;
    EXPECT_EQ(q850_name_of_hangup_code(*code), name);
  }
}

TEST(HangupMap, WhoHungUpIsTheSourceOfTheDirection) {
  EXPECT_EQ(hangup_source_of(Hanger::kCaller, Direction::kOutbound), HangupSource::kCustomer);
  EXPECT_EQ(hangup_source_of(Hanger::kCallee, Direction::kOutbound), HangupSource::kCarrier);
  EXPECT_EQ(hangup_source_of(Hanger::kCaller, Direction::kInbound), HangupSource::kCarrier);
  EXPECT_EQ(hangup_source_of(Hanger::kCallee, Direction::kInbound), HangupSource::kCustomer);
  EXPECT_EQ(hangup_source_of(Hanger::kSwitch, Direction::kInbound), HangupSource::kZentrunk);
  EXPECT_EQ(hangup_source_of(Hanger::kUnknown, Direction::kInbound), HangupSource::kUnknown);
  EXPECT_EQ(hanger_of_sip_disposition("recv_bye"), Hanger::kCaller);
  EXPECT_EQ(hanger_of_sip_disposition("recv_cancel"), Hanger::kCaller);
  EXPECT_EQ(hanger_of_sip_disposition("send_bye"), Hanger::kCallee);
  EXPECT_EQ(hanger_of_sip_disposition("send_refuse"), Hanger::kCallee);
  EXPECT_EQ(hanger_of_sip_disposition("send_cancel"), Hanger::kSwitch);
  EXPECT_EQ(hanger_of_sip_disposition("sideways"), std::nullopt);
}

TEST(HangupMap, PbxDispositions) {
  const auto out = Direction::kOutbound;
  const auto in = Direction::kInbound;
  EXPECT_EQ(pbx_disposition_of(3000, HangupSource::kCustomer, out), "caller_bye");
  EXPECT_EQ(pbx_disposition_of(3000, HangupSource::kCarrier, out), "callee_bye");
  EXPECT_EQ(pbx_disposition_of(3000, HangupSource::kCarrier, in), "caller_bye");
  EXPECT_EQ(pbx_disposition_of(3000, HangupSource::kCustomer, in), "callee_bye");
  EXPECT_EQ(pbx_disposition_of(4410, HangupSource::kCarrier, out), "callee_refuse");
  EXPECT_EQ(pbx_disposition_of(4550, HangupSource::kCustomer, out), "caller_cancel");
  EXPECT_EQ(pbx_disposition_of(4000, HangupSource::kCustomer, out), "caller_cancel");
  EXPECT_EQ(pbx_disposition_of(3020, HangupSource::kZentrunk, out), "internal_cancel");
  EXPECT_EQ(pbx_disposition_of(3000, HangupSource::kUnknown, out), "");
  EXPECT_EQ(pbx_disposition_of(1234, HangupSource::kCustomer, out), "");
}

}  // namespace
}  // namespace cdrd
