// Black-box tests of the operator's view: GET /metrics (Prometheus text, behind the operator
// key) after real requests and an ingest, and GET /readyz, against the real binary.
#include <gtest/gtest.h>

#include <string>

#include "harness.h"
#include "metrics_text.h"
#include "records.h"

namespace cdrd::test {
namespace {

TEST(Metrics, CountRequestsByRoutePatternAndIngestByOutcome) {
  CdrdServer server;
  auto alice = server.create_account("alice");
  const std::string record = with_own_billing(answered_call(alice.auth_id, "m-1")).line() + "\n";
  auto r = server.ingest(record + answered_call(alice.auth_id, "m-2").line() + "\n" +
                         answered_call("MA000000000000000000", "m-3").line() + "\n{oops\n");
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(server.ingest(record).status, 200);  // a duplicate
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(server.get(alice, "/v1/Account/" + alice.auth_id + "/Zentrunk/Call/m-1/").status,
              200);
  }
  EXPECT_EQ(server.get(alice, "/v1/Account/" + alice.auth_id + "/Zentrunk/Call/nope/").status, 404);
  EXPECT_EQ(server.client().request("GET", "/no/such/path").status, 404);

  const std::string text = scrape(server);
  const std::string call = "route=\"/v1/Account/{auth_id}/Zentrunk/Call/{call_uuid}\"";
  EXPECT_EQ(sample(text, "cdrd_http_requests_total{method=\"GET\"," + call + ",status=\"200\"}"), 3)
      << text;
  EXPECT_EQ(sample(text, "cdrd_http_requests_total{method=\"GET\"," + call + ",status=\"404\"}"),
            1);
  EXPECT_EQ(sample(text,
                   "cdrd_http_requests_total{method=\"POST\",route=\"/v1/ingest/calls\","
                   "status=\"200\"}"),
            2);
  EXPECT_EQ(sample(text,
                   "cdrd_http_requests_total{method=\"GET\",route=\"unmatched\","
                   "status=\"404\"}"),
            1);
  EXPECT_EQ(sample(text, "cdrd_http_request_duration_seconds_count{method=\"GET\"," + call + "}"),
            4);
  // No raw path or call id ever becomes a label.
  EXPECT_EQ(text.find("m-1"), std::string::npos);
  EXPECT_EQ(text.find(alice.auth_id), std::string::npos);
  EXPECT_EQ(text.find("/no/such/path"), std::string::npos);

  EXPECT_EQ(sample(text, "cdrd_ingest_records_total{outcome=\"stored\"}"), 2);
  EXPECT_EQ(sample(text, "cdrd_ingest_records_total{outcome=\"duplicate\"}"), 1);
  EXPECT_EQ(sample(text, "cdrd_ingest_records_total{outcome=\"failed\"}"), 2);
  EXPECT_EQ(sample(text, "cdrd_ingest_failed_records_total{reason=\"unknown_account\"}"), 1);
  EXPECT_EQ(sample(text, "cdrd_ingest_failed_records_total{reason=\"malformed\"}"), 1);
  EXPECT_EQ(sample(text, "cdrd_rating_records_total{outcome=\"provided\"}"), 1);
  EXPECT_EQ(sample(text, "cdrd_rating_records_total{outcome=\"unrated\"}") +
                sample(text, "cdrd_rating_records_total{outcome=\"rated\"}"),
            1);
  EXPECT_EQ(sample(text, "cdrd_calls_held"), 2);
  // The account's uuid map holds its 2 stored calls (built by the first ingest of a fresh
  // database, or read from the table: either way it now knows both).
  EXPECT_EQ(sample(text, "cdrd_uuid_map_calls"), 2);
  EXPECT_GT(sample(text, "cdrd_uuid_map_memory_bytes"), 0);
  EXPECT_GT(sample(text, "cdrd_database_size_bytes"), 0);
  EXPECT_GE(sample(text, "cdrd_http_open_connections"), 1);
  EXPECT_EQ(sample(text, "cdrd_store_queries_over_budget_total"), 0);
}

TEST(Metrics, NeedTheOperatorKey) {
  CdrdServer server;
  auto alice = server.create_account("alice");
  auto client = server.client();
  EXPECT_EQ(client.request("GET", "/metrics").status, 401);
  EXPECT_EQ(client.request("GET", "/metrics", "", {{"Authorization", "Bearer wrong-key"}}).status,
            401);
  EXPECT_EQ(client.request("GET", "/metrics", "", alice.basic()).status, 401);
  auto ok = client.request("GET", "/metrics", "", kOperator);
  EXPECT_EQ(ok.status, 200);
  EXPECT_NE(ok.body.find("# TYPE cdrd_http_requests_total counter"), std::string::npos);
}

TEST(Readiness, ReadyServerAnswers200NamingEachCheck) {
  CdrdServer server;
  auto r = server.client().request("GET", "/readyz");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body,
            R"({"status":"ready","checks":{"database":"ok","migrations":"ok","list_index":"ok"}})");
  EXPECT_EQ(server.client().request("GET", "/healthz").status, 200);
}

}  // namespace
}  // namespace cdrd::test
