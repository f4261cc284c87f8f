// The Call Insights body: every field of the reference with its JSON type, the E-model score
// of docs/insights.md's worked examples, and nulls for what a call did not carry.
#include "api/zentrunk/insights.h"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include "testing/seed_calls.h"

namespace cdrd::api::zentrunk {
namespace {

rapidjson::Document parse(const std::string& body) {
  rapidjson::Document d;
  d.Parse(body.c_str());
  EXPECT_FALSE(d.HasParseError()) << body;
  return d;
}

TEST(Insights, AllMetrics) {
  CallRecord c = testing::seed000_call();
  c.quality.rtt_ms = 100;
  c.quality.jitter_ms = 5;
  c.quality.packet_loss_pct = 0.5;
  c.quality.post_dial_delay_ms = 2300;
  c.quality.caller_carrier = "Airtel";
  c.quality.callee_carrier = "Jio";
  c.quality.from_region = "Maharashtra";
  c.quality.to_region = "Karnataka";
  const auto d = parse(render_insights(c, "api-1"));
  EXPECT_EQ(d.MemberCount(), 11u);
  EXPECT_EQ(std::string(d["api_id"].GetString()), "api-1");
  EXPECT_EQ(std::string(d["call_uuid"].GetString()), c.call_uuid);
  EXPECT_EQ(std::string(d["from"]["carrier"].GetString()), "Airtel");
  EXPECT_EQ(std::string(d["from"]["number"].GetString()), "+912235328936");
  EXPECT_EQ(std::string(d["from"]["region"].GetString()), "Maharashtra");
  EXPECT_EQ(std::string(d["to"]["carrier"].GetString()), "Jio");
  EXPECT_EQ(std::string(d["to"]["number"].GetString()), "+919943720205");
  EXPECT_EQ(std::string(d["to"]["region"].GetString()), "Karnataka");
  EXPECT_EQ(std::string(d["hangup_cause"].GetString()), "normal_hangup");
  EXPECT_EQ(std::string(d["hangup_source"].GetString()), "carrier");
  EXPECT_EQ(std::string(d["rtt"].GetString()), "100.0");
  EXPECT_EQ(std::string(d["jitter"].GetString()), "5.0");
  EXPECT_EQ(std::string(d["packet_loss"].GetString()), "0.5");
  EXPECT_EQ(d["post_dial_delay"].GetInt(), 2300);
  // Worked example B of docs/insights.md: R = 89.67, MOS 4.33.
  EXPECT_EQ(std::string(d["plivo_quality_score"].GetString()), "4.3");
}

TEST(Insights, WithoutMetricsTheKnownFieldsAndNulls) {
  CallRecord c = testing::seed000_call();
  c.hangup_source = HangupSource::kUnknown;
  const auto d = parse(render_insights(c, "api-2"));
  EXPECT_EQ(d.MemberCount(), 11u);
  EXPECT_EQ(std::string(d["call_uuid"].GetString()), c.call_uuid);
  EXPECT_EQ(std::string(d["from"]["number"].GetString()), "+912235328936");
  EXPECT_TRUE(d["from"]["carrier"].IsNull());
  EXPECT_TRUE(d["from"]["region"].IsNull());
  EXPECT_TRUE(d["to"]["carrier"].IsNull());
  EXPECT_EQ(std::string(d["hangup_cause"].GetString()), "normal_hangup");
  EXPECT_TRUE(d["hangup_source"].IsNull());
  for (const char* f : {"rtt", "jitter", "packet_loss", "post_dial_delay", "plivo_quality_score"}) {
    EXPECT_TRUE(d[f].IsNull()) << f;
  }
}

TEST(Insights, ScoreNeedsRttJitterAndLoss) {
  CallRecord c = testing::seed000_call();
  c.quality.rtt_ms = 400;
  c.quality.jitter_ms = 30;
  EXPECT_TRUE(parse(render_insights(c, "a"))["plivo_quality_score"].IsNull());
  c.quality.packet_loss_pct = 5;
  // Worked example C: R = 62.04, MOS 3.20.
  EXPECT_EQ(std::string(parse(render_insights(c, "a"))["plivo_quality_score"].GetString()), "3.2");
}

TEST(Insights, MetricText) {
  EXPECT_EQ(format_metric(12.5), "12.5");
  EXPECT_EQ(format_metric(100), "100.0");
  EXPECT_EQ(format_metric(0), "0.0");
  EXPECT_EQ(format_metric(1.0 / 3), "0.333");
  EXPECT_EQ(format_metric(0.25), "0.25");
}

}  // namespace
}  // namespace cdrd::api::zentrunk
