#include "core/call_export.h"

#include <gtest/gtest.h>

#include <string>

#include "core/json_writer.h"

namespace cdrd {
namespace {

CallExportRow sample_row() {
  CallExportRow r;
  r.call_uuid = "c-1";
  r.direction = Direction::kInbound;
  r.from_number = "+442078577159";
  r.to_number = "alice";
  r.initiation_time = parse_timestamp("2026-11-10 14:56:14")->start;
  r.answer_time = r.initiation_time + 13 * kMicrosPerSecond;
  r.end_time = r.initiation_time + 70 * kMicrosPerSecond + 250'000;
  r.duration_s = 57;
  r.bill_duration_s = 60;
  r.hangup_cause_code = 3000;
  r.hangup_cause_name = "normal_hangup";
  r.hangup_source = HangupSource::kCarrier;
  r.trunk_id = "t1";
  r.transport = Transport::kTls;
  r.srtp = true;
  r.rate = Money::from_units(1200);
  r.total_amount = Money::from_units(-123456789);
  r.stir_verification = StirVerification::kNotVerified;
  r.attestation = Attestation::kB;
  r.sip_call_id = "x@host";
  return r;
}

TEST(CallExportFormatter, WritesNdjsonWithNumbersBooleansAndExactAmounts) {
  CallExportFormatter f(ExportFormat::kNdjson);
  std::string out;
  f.append_header(out);
  EXPECT_EQ(out, "");
  f.append(out, sample_row(), "MA1");
  EXPECT_EQ(
      out,
      "{\"account\":\"MA1\",\"call_uuid\":\"c-1\",\"call_direction\":\"inbound\","
      "\"from_number\":\"+442078577159\",\"to_number\":\"alice\","
      "\"initiation_time\":\"2026-11-10 14:56:14\",\"answer_time\":\"2026-11-10 14:56:27\","
      "\"end_time\":\"2026-11-10 14:57:24.250000\",\"duration\":57,\"bill_duration\":60,"
      "\"hangup_cause_code\":3000,\"hangup_cause_name\":\"normal_hangup\","
      "\"hangup_source\":\"carrier\",\"trunk_id\":\"t1\",\"trunk_domain\":\"\",\"region\":\"\","
      "\"transport_protocol\":\"tls\",\"srtp\":true,\"secure_trunking\":false,"
      "\"rate\":\"0.01200\",\"secure_trunking_rate\":\"0.00000\","
      "\"total_amount\":\"-1234.56789\",\"from_country\":\"\",\"to_country\":\"\","
      "\"stir_verification\":\"Not Verified\",\"attestation_indicator\":\"B\","
      "\"call_id\":\"x@host\",\"cnam_lookup\":false,\"cnam_lookup_rate\":\"0.00000\"}\n");
}

TEST(CallExportFormatter, LeavesAbsentValuesOutOfNdjsonAndEmptyInCsv) {
  CallExportRow r = sample_row();
  r.answer_time.reset();
  r.hangup_cause_code.reset();
  r.attestation = Attestation::kNone;
  CallExportFormatter nd(ExportFormat::kNdjson);
  std::string out;
  nd.append(out, r, "MA1");
  EXPECT_EQ(out.find("answer_time"), std::string::npos);
  EXPECT_EQ(out.find("hangup_cause_code"), std::string::npos);
  EXPECT_EQ(out.find("attestation_indicator"), std::string::npos);

  CallExportFormatter csv(ExportFormat::kCsv);
  std::string lines;
  csv.append_header(lines);
  csv.append(lines, r, "MA1");
  EXPECT_EQ(lines.substr(0, lines.find('\n')),
            "account,call_uuid,call_direction,from_number,to_number,initiation_time,answer_time,"
            "end_time,duration,bill_duration,hangup_cause_code,hangup_cause_name,hangup_source,"
            "trunk_id,trunk_domain,region,transport_protocol,srtp,secure_trunking,rate,"
            "secure_trunking_rate,total_amount,from_country,to_country,stir_verification,"
            "attestation_indicator,call_id,cnam_lookup,cnam_lookup_rate");
  EXPECT_EQ(lines.substr(lines.find('\n') + 1),
            "MA1,c-1,inbound,+442078577159,alice,2026-11-10 14:56:14,,2026-11-10 14:57:24.250000,"
            "57,60,,normal_hangup,carrier,t1,,,tls,true,false,0.01200,0.00000,-1234.56789,,,"
            "Not Verified,,x@host,false,0.00000\n");
}

TEST(CallExportFormatter, EscapesTextAsEveryJsonBodyAndQuotesCsvCells) {
  CallExportRow r = sample_row();
  r.sip_call_id = "a,\"b\"\n\x01\xff\xc3\xa9";
  CallExportFormatter nd(ExportFormat::kNdjson);
  std::string out;
  nd.append(out, r, "MA1");
  JsonWriter w;
  w.string_value(r.sip_call_id);
  EXPECT_NE(out.find("\"call_id\":" + w.text() + ","), std::string::npos) << out;

  CallExportFormatter csv(ExportFormat::kCsv);
  std::string line;
  csv.append(line, r, "MA1");
  EXPECT_NE(line.find(",\"a,\"\"b\"\"\n\x01\xff\xc3\xa9\","), std::string::npos) << line;
}

TEST(CallExportFormatter, WritesTimesAsFormatTimestampAcrossDaysAndBefore1970) {
  CallExportFormatter f(ExportFormat::kCsv);
  for (const Micros t :
       {Micros{0}, Micros{-1}, Micros{-86'400'000'001}, Micros{951'782'400'000'000},
        Micros{4'102'444'799'999'999}, Micros{1'764'547'200'000'001}}) {
    CallExportRow r = sample_row();
    r.initiation_time = t;
    std::string line;
    f.append(line, r, "MA1");
    const std::size_t at = std::string("MA1,c-1,inbound,+442078577159,alice,").size();
    const Micros frac = ((t % kMicrosPerSecond) + kMicrosPerSecond) % kMicrosPerSecond;
    std::string expected = format_timestamp(t);
    if (frac != 0) {
      char buf[8];
      std::snprintf(buf, sizeof buf, ".%06lld", static_cast<long long>(frac));
      expected += buf;
    }
    EXPECT_EQ(line.substr(at, expected.size() + 1), expected + ",") << t;
  }
}

}  // namespace
}  // namespace cdrd
