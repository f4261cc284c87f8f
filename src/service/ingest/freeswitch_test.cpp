#include "service/ingest/freeswitch.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "core/ascii.h"
#include "core/crypto.h"
#include "core/hangup_map.h"

namespace cdrd::service::ingest {
namespace {

std::string fixture(const std::string& name) {
  std::ifstream in(std::string(CDRD_FIXTURES_DIR) + "/freeswitch/" + name, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The value of field `name`, or "<absent>".
std::string value_of(const RawRecord& r, std::string_view name) {
  for (const RawField& f : r.fields) {
    if (f.name == name) return f.value.text;
  }
  return "<absent>";
}

FreeswitchCdr mapped(const std::string& name, const FreeswitchDefaults& defaults = {}) {
  Result<FreeswitchCdr> cdr = map_freeswitch_cdr(fixture(name), defaults);
  EXPECT_TRUE(cdr.ok()) << cdr.status().message();
  return cdr.ok() ? std::move(cdr).value() : FreeswitchCdr{};
}

TEST(FreeswitchDocument, ReadsEveryEncodingOfTheModule) {
  const std::string json = fixture("answered.json");
  // encode=true: cdr=<URL-encoded JSON>, form content type.
  auto form =
      freeswitch_document("application/x-www-form-urlencoded", "cdr=" + percent_encode(json));
  ASSERT_TRUE(form.ok()) << form.status().message();
  EXPECT_EQ(*form, json);
  // encode=base64.
  auto b64 =
      freeswitch_document("application/x-www-form-base64-encoded", "cdr=" + base64_encode(json));
  ASSERT_TRUE(b64.ok()) << b64.status().message();
  EXPECT_EQ(*b64, json);
  // encode=false: the JSON itself.
  auto raw = freeswitch_document("application/json", json);
  ASSERT_TRUE(raw.ok());
  EXPECT_EQ(*raw, json);
  // A form without cdr, and a bad escape.
  EXPECT_FALSE(freeswitch_document("application/x-www-form-urlencoded", "x=1").ok());
  EXPECT_FALSE(freeswitch_document("application/x-www-form-urlencoded", "cdr=%zz").ok());
}

TEST(FreeswitchCdr, MapsAnAnsweredCallWithEncodedValues) {
  const FreeswitchCdr cdr = mapped("answered.json");
  EXPECT_FALSE(cdr.b_leg);
  const RawRecord& r = cdr.record;
  EXPECT_EQ(value_of(r, "call_id"), "3c26cc5a-92e5e1c4@198.51.100.20");  // %40 decoded
  EXPECT_EQ(value_of(r, "call_uuid"), "<absent>");  // the validator derives it from call_id
  EXPECT_EQ(value_of(r, "account"), "ACCOUNT");
  EXPECT_EQ(value_of(r, "call_direction"), "outbound");
  EXPECT_EQ(value_of(r, "from_number"), "+14155550100");
  EXPECT_EQ(value_of(r, "to_number"), "442079460000");
  EXPECT_EQ(value_of(r, "from_screen_name"), "J\xC3\xBCrgen M\xC3\xBCller");
  EXPECT_EQ(value_of(r, "initiation_time"), "1796027400123456");
  EXPECT_EQ(value_of(r, "answer_time"), "1796027404500000");
  EXPECT_EQ(value_of(r, "end_time"), "1796027466730001");
  EXPECT_EQ(value_of(r, "duration"), "62");
  EXPECT_EQ(value_of(r, "hangup_cause_code"),
            std::to_string(*hangup_code_of_q850_name("NORMAL_CLEARING")));
  EXPECT_EQ(value_of(r, "q850_cause"), "NORMAL_CLEARING");
  EXPECT_EQ(value_of(r, "hangup_source"),
            std::string(to_string(
                hangup_source_of(*hanger_of_sip_disposition("recv_bye"), Direction::kOutbound))));
  EXPECT_EQ(value_of(r, "transport_protocol"), "udp");
}

TEST(FreeswitchCdr, BusyAndUnansweredCallsHaveNoAnswerTime) {
  const RawRecord busy = mapped("busy.json").record;
  EXPECT_EQ(value_of(busy, "answer_time"), "<absent>");
  EXPECT_EQ(value_of(busy, "duration"), "0");
  EXPECT_EQ(value_of(busy, "hangup_cause_code"),
            std::to_string(*hangup_code_of_q850_name("USER_BUSY")));
  EXPECT_EQ(value_of(busy, "call_id"), "77ab01c9e2@pbx.customer.example");

  // encode-values=false: values are plain; told so by the URL (?encode_values=false).
  FreeswitchDefaults plain;
  plain.values_encoded = false;
  const RawRecord cancelled = mapped("unanswered_raw_values.json", plain).record;
  EXPECT_EQ(value_of(cancelled, "answer_time"), "<absent>");
  EXPECT_EQ(value_of(cancelled, "call_id"), "c0ffee-00042@10.0.0.7");
  EXPECT_EQ(value_of(cancelled, "hangup_cause_code"),
            std::to_string(*hangup_code_of_q850_name("ORIGINATOR_CANCEL")));
  EXPECT_EQ(value_of(cancelled, "from_screen_name"), "<absent>");
}

TEST(FreeswitchCdr, RecognisesTheBLegAndMapsNothingOfIt) {
  const FreeswitchCdr cdr = mapped("b_leg.json");
  EXPECT_TRUE(cdr.b_leg);
  EXPECT_EQ(cdr.uuid, "b2f0c2d4-5b6e-4f70-8a91-b2c3d4e5f602");
  EXPECT_TRUE(cdr.record.fields.empty());
}

TEST(FreeswitchCdr, ATransferredCallKeepsTheNumbersItArrivedWith) {
  // Older layout: "callflow" repeated, the transfer's profile (index 2) first.
  const RawRecord r = mapped("transfer_old_layout.json").record;
  EXPECT_EQ(value_of(r, "to_number"), "442079460003");
  EXPECT_EQ(value_of(r, "from_number"), "+14155550103");
  EXPECT_EQ(value_of(r, "duration"), "88");
}

TEST(FreeswitchCdr, MissingVariablesFallBackToTheUuidAndTheUrl) {
  FreeswitchDefaults defaults;
  defaults.account = "MAFROMURL";
  defaults.direction = "inbound";
  defaults.trunk_id = "trunk-1";
  const RawRecord r = mapped("missing_variables.json", defaults).record;
  EXPECT_EQ(value_of(r, "call_id"), "<absent>");
  EXPECT_EQ(value_of(r, "call_uuid"), "a1f0c2d4-5b6e-4f70-8a91-b2c3d4e5f606");
  EXPECT_EQ(value_of(r, "account"), "MAFROMURL");
  EXPECT_EQ(value_of(r, "call_direction"), "inbound");
  EXPECT_EQ(value_of(r, "trunk_id"), "trunk-1");
  EXPECT_EQ(value_of(r, "initiation_time"), "1796028900");  // seconds: no *_uepoch
  EXPECT_EQ(value_of(r, "hangup_source"), "<absent>");      // no sip_hangup_disposition
}

TEST(FreeswitchCdr, AccountFromCdrdAccountThenTheUrlThenAccountcode) {
  // answered.json has accountcode ACCOUNT: used only when nothing else names the account
  // (FreeSWITCH's stock directory sets accountcode to the extension number).
  EXPECT_EQ(value_of(mapped("answered.json").record, "account"), "ACCOUNT");
  FreeswitchDefaults defaults;
  defaults.account = "MAFROMURL";
  EXPECT_EQ(value_of(mapped("answered.json", defaults).record, "account"), "MAFROMURL");
  std::string json = fixture("answered.json");
  json.replace(json.find("\"variables\":{") + 13, 0, R"("cdrd_account":"MAFROMVAR",)");
  auto cdr = map_freeswitch_cdr(json, defaults);
  ASSERT_TRUE(cdr.ok()) << cdr.status().message();
  EXPECT_EQ(value_of(cdr->record, "account"), "MAFROMVAR");
}

TEST(FreeswitchCdr, RefusesWhatIsNotACdr) {
  EXPECT_FALSE(map_freeswitch_cdr("{not json", {}).ok());
  EXPECT_FALSE(map_freeswitch_cdr("[1]", {}).ok());
  const auto no_vars = map_freeswitch_cdr(R"({"callflow":[]})", {});
  ASSERT_FALSE(no_vars.ok());
  EXPECT_NE(no_vars.status().message().find("variables"), std::string::npos);
}

}  // namespace
}  // namespace cdrd::service::ingest
