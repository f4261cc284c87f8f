// Black-box test of where the time goes (core/stage_times.h, docs/metrics.md): after an ingest and
// lists of both APIs, /metrics shows the records and lists the stage timers counted and time in
// every stage, and a list's stages fit in the request time the server measured for it.
#include <gtest/gtest.h>

#include <string>

#include "harness.h"
#include "metrics_text.h"
#include "records.h"

namespace cdrd::test::stage_metrics {
namespace {

std::string list_stage(const std::string& api, const std::string& stage) {
  return "cdrd_list_stage_seconds_total{api=\"" + api + "\",stage=\"" + stage + "\"}";
}

TEST(StageMetrics, ShowTheTimeOfEveryStageOfIngestAndOfTheLists) {
  CdrdServer server;
  auto alice = server.create_account("alice");
  const OAuthApp app = create_app_in(server.data_dir(), alice.auth_id);

  std::string text = scrape(server);
  EXPECT_EQ(sample(text, "cdrd_ingest_stage_records_total"), 0) << text;
  for (const char* stage : {"parse", "validate", "rate", "store"}) {
    EXPECT_EQ(sample(text, std::string("cdrd_ingest_stage_seconds_total{stage=\"") + stage + "\"}"),
              0);
  }
  EXPECT_EQ(sample(text, "cdrd_list_stage_lists_total{api=\"zentrunk\"}"), 0);
  EXPECT_EQ(sample(text, "cdrd_list_stage_lists_total{api=\"pbx\"}"), 0);

  std::string body;
  for (int i = 0; i < 50; ++i)
    body += answered_call(alice.auth_id, "st-" + std::to_string(i)).line() + "\n";
  body += "{oops\n";  // a malformed line is a timed record too
  ASSERT_EQ(server.ingest(body).status, 200);

  const std::string calls = "/v1/Account/" + alice.auth_id + "/Zentrunk/Call/";
  ASSERT_EQ(server.get(alice, calls).status, 200);
  ASSERT_EQ(server.get(alice, calls + "?call_direction=outbound&limit=5").status, 200);
  ASSERT_EQ(server.get(alice, calls + "st-1/").status, 200);  // a retrieve is no list
  const auto token = request_token(server.port(), app.client_id, app.client_secret);
  ASSERT_EQ(token.status, 200) << token.body;
  const std::string bearer = parse_json(token.body)["access_token"].GetString();
  for (const char* path :
       {"/api/ver1.0/client/@me/calls/", "/api/ver1.0/client/@me/call_history/"}) {
    ASSERT_EQ(
        server.client().request("GET", path, "", {{"Authorization", "Bearer " + bearer}}).status,
        200);
  }

  text = scrape(server);
  EXPECT_EQ(sample(text, "cdrd_ingest_stage_records_total"), 51) << text;
  for (const char* stage : {"parse", "validate", "rate", "store"}) {
    EXPECT_GT(sample(text, std::string("cdrd_ingest_stage_seconds_total{stage=\"") + stage + "\"}"),
              0)
        << stage;
  }
  EXPECT_EQ(sample(text, "cdrd_list_stage_lists_total{api=\"zentrunk\"}"), 2);
  EXPECT_EQ(sample(text, "cdrd_list_stage_lists_total{api=\"pbx\"}"), 2);
  for (const char* api : {"zentrunk", "pbx"}) {
    double staged = 0;
    for (const char* stage : {"match_count", "fetch", "render"}) {
      const double s = sample(text, list_stage(api, stage));
      EXPECT_GT(s, 0) << api << " " << stage;
      staged += s;
    }
    if (std::string(api) == "zentrunk") {
      EXPECT_LE(staged, sample(text,
                               "cdrd_http_request_duration_seconds_sum{method=\"GET\","
                               "route=\"/v1/Account/{auth_id}/Zentrunk/Call\"}"));
    }
  }
}

}  // namespace
}  // namespace cdrd::test::stage_metrics
