// Tests of the Kamailio adapter: acc_json CDRs, as Kamailio 5.6 wrote them with
// contrib/kamailio/kamailio-cdrd.cfg, mapped onto the canonical record.
#include "service/ingest/kamailio.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <optional>
#include <string>

namespace cdrd::service::ingest {
namespace {

using ::testing::HasSubstr;

// A CDR of a call the caller hung up (its BYE carries the caller's From tag).
constexpr const char* kCallerBye =
    R"({"start_time": "1796064498.363", "end_time": "1796064499.866", "duration": "1.503", )"
    R"("account": "MATEST", "call_direction": "outbound", "call_id": "1-16823@127.0.0.1", )"
    R"("invite_time": "1796064498.361390", "caller": "442071838750", "callee": "14155550123", )"
    R"("caller_tag": "16823SIPpTag001", "method": "BYE", "from_tag": "16823SIPpTag001", )"
    R"("sip_code": "", "cdr_time": "1796064499.866934", "transport": "udp"})";

// The callee's BYE: another From tag.
constexpr const char* kCalleeBye =
    R"({"start_time": "1796064505.853", "end_time": "1796064507.359", "duration": "1.506", )"
    R"("account": "MATEST", "call_direction": "outbound", "call_id": "1-16994@127.0.0.1", )"
    R"("invite_time": "1796064505.834685", "caller": "442071838750", "callee": "14155550123", )"
    R"("caller_tag": "16994SIPpTag001", "method": "BYE", "from_tag": "16965SIPpTag011", )"
    R"("sip_code": "", "cdr_time": "1796064507.359614", "transport": "udp"})";

// A failed call: written on the final reply to the INVITE.
std::string failed(const std::string& status) {
  return R"({"start_time": "1796064570.106", "end_time": "1796064570.106", "duration": "0", )"
         R"("account": "MATEST", "call_direction": "outbound", "call_id": "1-17972@127.0.0.1", )"
         R"("invite_time": "1796064570.106564", "caller": "442071838750", )"
         R"("callee": "14155550123", "caller_tag": "17972SIPpTag001", "method": "INVITE", )"
         R"("from_tag": "17972SIPpTag001", "sip_code": ")" +
         status + R"(", "cdr_time": "1796064570.117086", "transport": "udp"})";
}

RawRecord map(const std::string& json, const KamailioDefaults& defaults = {}) {
  auto cdr = parse_ndjson_line(json);
  EXPECT_TRUE(cdr.ok()) << cdr.status().message();
  auto record = kamailio_cdr_to_record(*cdr, defaults);
  EXPECT_TRUE(record.ok()) << record.status().message();
  return record.ok() ? *record : RawRecord{};
}

// The text of field `name`, nullopt when the record does not have it.
std::optional<std::string> field_text(const RawRecord& r, const std::string& name) {
  std::optional<std::string> found;
  for (const RawField& f : r.fields) {
    if (f.name != name) continue;
    EXPECT_FALSE(found) << name << " given twice";
    found = f.value.text;
  }
  return found;
}

TEST(KamailioCdr, CallerHangsUpAnAnsweredCall) {
  const RawRecord r = map(kCallerBye);
  EXPECT_EQ(field_text(r, "account"), "MATEST");
  EXPECT_EQ(field_text(r, "call_direction"), "outbound");
  EXPECT_EQ(field_text(r, "call_id"), "1-16823@127.0.0.1");
  EXPECT_EQ(field_text(r, "from_number"), "442071838750");
  EXPECT_EQ(field_text(r, "to_number"), "14155550123");
  EXPECT_EQ(field_text(r, "initiation_time"), "1796064498.361390");
  EXPECT_EQ(field_text(r, "answer_time"), "1796064498.363");
  EXPECT_EQ(field_text(r, "end_time"), "1796064499.866");
  EXPECT_EQ(field_text(r, "hangup_cause_code"), "3000");
  EXPECT_EQ(field_text(r, "hangup_source"), "customer");  // the caller of an outbound call
  EXPECT_EQ(field_text(r, "transport_protocol"), "udp");
  // What only the mapping reads is not handed on; duration is derived by the validator.
  for (const char* gone : {"start_time", "duration", "invite_time", "cdr_time", "caller", "callee",
                           "method", "caller_tag", "from_tag", "sip_code", "transport"}) {
    EXPECT_EQ(field_text(r, gone), std::nullopt) << gone;
  }
}

TEST(KamailioCdr, CalleeHangsUp) {
  const RawRecord r = map(kCalleeBye);
  EXPECT_EQ(field_text(r, "answer_time"), "1796064505.853");
  EXPECT_EQ(field_text(r, "end_time"), "1796064507.359");
  EXPECT_EQ(field_text(r, "hangup_cause_code"), "3000");
  EXPECT_EQ(field_text(r, "hangup_source"), "carrier");
}

TEST(KamailioCdr, OnAnInboundCallTheCalleeIsTheCustomer) {
  std::string json = kCalleeBye;
  json.replace(json.find("outbound"), 8, "inbound");
  EXPECT_EQ(field_text(map(json), "hangup_source"), "customer");
}

TEST(KamailioCdr, FailedCallsEndWhenTheFailureCameAndAreNeverAnswered) {
  for (const auto& [status, code, source] :
       {std::tuple{"486", "4410", "carrier"}, std::tuple{"480", "4330", "carrier"},
        std::tuple{"487", "4440", "customer"}}) {  // 487: the caller cancelled
    const RawRecord r = map(failed(status));
    EXPECT_EQ(field_text(r, "initiation_time"), "1796064570.106564") << status;
    EXPECT_EQ(field_text(r, "answer_time"), std::nullopt) << status;
    EXPECT_EQ(field_text(r, "end_time"), "1796064570.117086") << status;
    EXPECT_EQ(field_text(r, "hangup_cause_code"), code) << status;
    EXPECT_EQ(field_text(r, "hangup_source"), source) << status;
    EXPECT_EQ(field_text(r, "result"),
              std::string(status) == "486" ? std::optional<std::string>("busy") : std::nullopt)
        << status;
  }
}

TEST(KamailioCdr, AFailureTheProxyAnsweredItselfIsATimeoutOfTheSwitch) {
  const RawRecord r = map(failed(""));  // fr_inv_timer: no reply message, so no status
  EXPECT_EQ(field_text(r, "hangup_cause_code"), "4160");
  EXPECT_EQ(field_text(r, "hangup_source"), "zentrunk");
  EXPECT_EQ(field_text(r, "answer_time"), std::nullopt);
}

TEST(KamailioCdr, AnAnsweredDialogThatOutlivesTheCallLimitIsEndedByTheSwitch) {
  const RawRecord r = map(
      R"({"start_time": "1796064505.853", "end_time": "1796064507.359", "duration": "1.506", )"
      R"("account": "MATEST", "call_direction": "outbound", "call_id": "x@y", )"
      R"("invite_time": "1796064505.834685", "caller": "1", "callee": "2", "caller_tag": "t"})");
  EXPECT_EQ(field_text(r, "answer_time"), "1796064505.853");
  EXPECT_EQ(field_text(r, "end_time"), "1796064507.359");
  EXPECT_EQ(field_text(r, "hangup_source"), "zentrunk");
  EXPECT_EQ(field_text(r, "hangup_cause_code"), "6030");  // alloted_timeout
}

TEST(KamailioCdr, TheEndpointDefaultsFillOnlyWhatTheCdrLeavesOut) {
  std::string json = kCallerBye;
  json.replace(json.find(R"("account": "MATEST", "call_direction": "outbound", )"), 50, "");
  const RawRecord r = map(json, KamailioDefaults{"MADEFAULT", "inbound"});
  EXPECT_EQ(field_text(r, "account"), "MADEFAULT");
  EXPECT_EQ(field_text(r, "call_direction"), "inbound");
  EXPECT_EQ(field_text(r, "hangup_source"), "carrier");  // the caller of an inbound call
  const RawRecord own = map(kCallerBye, KamailioDefaults{"MADEFAULT", "inbound"});
  EXPECT_EQ(field_text(own, "account"), "MATEST");
  EXPECT_EQ(field_text(own, "call_direction"), "outbound");
}

TEST(KamailioCdr, OtherAttributesKeepTheirNamesForTheValidator) {
  std::string json = kCallerBye;
  json.insert(1, R"("trunk_id": "21781981838176", "region": "Miami", "colour": "blue", )");
  const RawRecord r = map(json);
  EXPECT_EQ(field_text(r, "trunk_id"), "21781981838176");
  EXPECT_EQ(field_text(r, "region"), "Miami");
  EXPECT_EQ(field_text(r, "colour"), "blue");  // refused as an unknown field by validate_record
}

TEST(KamailioCdr, WebSocketTransportsAreTheirStreamTransports) {
  std::string json = kCallerBye;
  json.replace(json.find(R"("transport": "udp")"), 18, R"("transport": "WSS")");
  EXPECT_EQ(field_text(map(json), "transport_protocol"), "tls");
}

TEST(KamailioCdr, RefusesWhatItCannotRead) {
  auto bad_status = kamailio_cdr_to_record(*parse_ndjson_line(failed("busy")), {});
  ASSERT_FALSE(bad_status.ok());
  EXPECT_THAT(bad_status.status().message(),
              HasSubstr("sip_code: must be a SIP status code 100-699, got 'busy'"));
  std::string json = kCallerBye;
  json.replace(json.find(R"("caller": "442071838750")"), 24, R"("caller": {"user": "x"})");
  auto not_text = kamailio_cdr_to_record(*parse_ndjson_line(json), {});
  ASSERT_FALSE(not_text.ok());
  EXPECT_THAT(not_text.status().message(), HasSubstr("caller: must be text"));
}

}  // namespace
}  // namespace cdrd::service::ingest
