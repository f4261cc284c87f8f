// The APIs over the ClickHouse calls store, black-box: two real cdrd servers, one keeping its
// calls in sqlite and one in ClickHouse (`serve --calls clickhouse://...`), take the same
// records; every answer of the SIP-trunk API (lists with filters and pages, both
// representations, retrieve, Insights, Usage, the streamed export) and of the cloud-PBX API must be
// the same bytes, but for the api_id of each answer and the ids each server made (auth_id, trunk
// ids). A retried ingest stores nothing twice. When ClickHouse goes down, ingest and lists answer
// 503 in the API's shape with Retry-After. Skipped when ClickHouse cannot be started.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <regex>
#include <string>
#include <vector>

#include "harness.h"
#include "records.h"
#include "sample/sample_calls.h"
#include "store/clickhouse/clickhouse_test_server.h"
#include "trunk_client.h"

namespace cdrd::test {
namespace {

namespace ch = cdrd::clickhouse::testing;

// One server with its account, trunks and OAuth token, and what to replace in its answers.
struct Side {
  std::unique_ptr<CdrdServer> server;
  Credentials acme;
  std::string trunk_out, trunk_in, token;

  // `body` with this side's own ids and every api_id replaced by fixed names.
  std::string normal(std::string body) const {
    static const std::regex api_id("\"api_id\":\"[^\"]*\"");
    body = std::regex_replace(body, api_id, "\"api_id\":\"API\"");
    for (const auto& [from, to] : {std::pair<std::string, std::string>{acme.auth_id, "AUTH"},
                                   {trunk_out, "TRUNK_OUT"},
                                   {trunk_in, "TRUNK_IN"}}) {
      for (std::size_t at = body.find(from); at != std::string::npos; at = body.find(from, at)) {
        body.replace(at, from.size(), to);
        at += to.size();
      }
    }
    return body;
  }
};

class ClickHouseApiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string why;
    const std::optional<std::string> url = ch::server_url(why);
    if (!url) {
      skip_ = "skipped: " + why;
      return;
    }
    url_ = *url;
    database_ = ch::fresh_database("api");
    make_side(sqlite_, {});
    make_side(clickhouse_, {"--calls", url_ + "/" + database_});
    // The same 400 sample calls for both (PBX detail, legs, quality metrics), over 20 days.
    for (Side* s : {&sqlite_, &clickhouse_}) {
      sample::SampleOptions o;
      o.seed = 7;
      o.auth_ids = {s->acme.auth_id};
      o.account_seeds = {{s->acme.auth_id, "acme"}};
      o.trunks[s->acme.auth_id] = {{{s->trunk_out, false}}, {{s->trunk_in, false}}};
      o.pbx_detail = true;
      o.end_until = (test_base() / kMicrosPerSecond - 60) * kMicrosPerSecond;
      o.end_from = o.end_until - 20 * 86400 * kMicrosPerSecond;
      std::string ndjson;
      ASSERT_TRUE(sample::append_sample_calls(o, 0, 400, ndjson).ok());
      ndjson_.push_back(ndjson);
    }
  }
  static void TearDownTestSuite() {
    sqlite_ = Side{};
    clickhouse_ = Side{};
    if (!database_.empty()) ch::drop_database(url_, database_);
  }
  void SetUp() override {
    if (!skip_.empty()) GTEST_SKIP() << skip_;
  }

  static void make_side(Side& s, std::vector<std::string> args) {
    s.server = std::make_unique<CdrdServer>(std::move(args));
    s.acme = s.server->create_account("acme");
    s.trunk_out = TrunkClient(*s.server, s.acme).outbound_trunk();
    s.trunk_in = TrunkClient(*s.server, s.acme).inbound_trunk();
    const OAuthApp app = create_app_in(s.server->data_dir(), s.acme.auth_id);
    const auto r = request_token(s.server->port(), app.client_id, app.client_secret);
    ASSERT_EQ(r.status, 200) << r.body;
    s.token = parse_json(r.body)["access_token"].GetString();
  }

  static void ingest_both() {
    std::string answers[2];
    for (int i = 0; i < 2; ++i) {
      Side& s = i == 0 ? sqlite_ : clickhouse_;
      const auto r = s.server->ingest(ndjson_[static_cast<std::size_t>(i)]);
      ASSERT_EQ(r.status, 200) << r.body;
      answers[i] = s.normal(r.body);
    }
    EXPECT_EQ(answers[1], answers[0]);
  }

  // GET `target` (AUTH and TRUNK_OUT in it stand for each side's own) on both: the same status
  // and bytes. Returns the status.
  static int expect_same(const std::string& target, bool bearer = false) {
    std::string answers[2];
    int statuses[2] = {0, 0};
    for (int i = 0; i < 2; ++i) {
      const Side& s = i == 0 ? sqlite_ : clickhouse_;
      std::string t = target;
      if (const std::size_t at = t.find("AUTH"); at != std::string::npos) {
        t.replace(at, 4, s.acme.auth_id);
      }
      if (const std::size_t at = t.find("TRUNK_OUT"); at != std::string::npos) {
        t.replace(at, 9, s.trunk_out);
      }
      const http::ClientResponse r =
          bearer
              ? s.server->client().request("GET", t, "", {{"Authorization", "Bearer " + s.token}})
              : s.server->get(s.acme, t);
      statuses[i] = r.status;
      answers[i] = s.normal(r.body);
    }
    EXPECT_EQ(statuses[1], statuses[0]) << target;
    EXPECT_EQ(answers[1], answers[0]) << target;
    return statuses[0];
  }

  static inline std::string skip_, url_, database_;
  static inline Side sqlite_, clickhouse_;
  static inline std::vector<std::string> ndjson_;
};

TEST_F(ClickHouseApiTest, EveryAnswerIsTheSameBytesAsOnSqliteAndARetryStoresNothingTwice) {
  ingest_both();
  // The same batch again: every call a duplicate, on both.
  ingest_both();

  const std::string list = "/v1/Account/AUTH/Zentrunk/Call/";
  const std::vector<std::string> queries = {
      "",
      "limit=5",
      "limit=20&offset=20",
      "limit=7&offset=393",
      "limit=20&offset=1000",
      "call_direction=inbound",
      "call_direction=outbound&limit=20&offset=40",
      "from_number=91",
      "to_number=%2B1",
      "to_number=44&limit=3&offset=2",
      "hangup_source=customer",
      "hangup_cause_code=4000",
      "stir_verification=Verified",
      "bill_duration__gt=60",
      "bill_duration__lte=30&call_direction=outbound",
      "bill_duration__gte=100&hangup_source=carrier",
      "trunk_id=TRUNK_OUT",
      "end_time__gte=" + http::url_encode(ago(5 * 86400)),
      "end_time__gte=" + http::url_encode(ago(15 * 86400)) +
          "&end_time__lt=" + http::url_encode(ago(10 * 86400)) + "&offset=20",
      "initiation_time__gt=" + http::url_encode(ago(3 * 86400)),
  };
  for (const std::string& q : queries) {
    EXPECT_EQ(expect_same(list + (q.empty() ? "" : "?" + q)), 200) << q;
    EXPECT_EQ(expect_same("/v1/Account/AUTH/Call/" + (q.empty() ? "" : "?" + q)), 200) << q;
  }

  // Retrieve, Insights, on both shapes, for calls found in the list.
  const auto page = parse_json(sqlite_.server
                                   ->get(sqlite_.acme, "/v1/Account/" + sqlite_.acme.auth_id +
                                                           "/Zentrunk/Call/?limit=20&offset=3")
                                   .body);
  int retrieved = 0;
  for (const auto& o : page["objects"].GetArray()) {
    const std::string uuid = o["call_uuid"].GetString();
    EXPECT_EQ(expect_same(list + uuid + "/"), 200);
    EXPECT_EQ(expect_same("/v1/Account/AUTH/Call/" + uuid + "/"), 200);
    EXPECT_EQ(expect_same(list + uuid + "/Insights/"), 200);
    ++retrieved;
  }
  EXPECT_EQ(retrieved, 20);
  EXPECT_EQ(expect_same(list + "no-such-call/"), 404);

  // Usage, by period and group (not by trunk_id: each server made trunk ids of its own, which
  // sort differently).
  for (const char* q : {"", "period=hour", "period=month&group_by=direction", "group_by=to_country",
                        "group_by=hangup_source", "period=day&call_direction=inbound"}) {
    // A window of fixed bounds: the default one is now - 30 days, shown in the answer, and the
    // two servers' "now" may fall in two seconds.
    const std::string window = "end_time__gte=" + http::url_encode(ago(25 * 86400));
    EXPECT_EQ(expect_same("/v1/Account/AUTH/Zentrunk/Usage/?" + window + (*q ? "&" : "") + q), 200)
        << q;
  }

  // The streamed export (docs/export.md), both formats, with the list's filters: the same bytes,
  // as both servers stored the calls in the same order (the storage ids differ, the order not).
  const std::string exp = "/v1/Account/AUTH/Zentrunk/Export/";
  for (const char* format : {"ndjson", "csv"}) {
    for (const std::string& q : {std::string(), std::string("call_direction=inbound"),
                                 std::string("to_number=44&hangup_source=customer"),
                                 std::string("bill_duration__gt=60&trunk_id=TRUNK_OUT"),
                                 std::string("from_number=91&stir_verification=Verified"),
                                 "end_time__gte=" + http::url_encode(ago(15 * 86400)) +
                                     "&end_time__lt=" + http::url_encode(ago(10 * 86400))}) {
      EXPECT_EQ(expect_same(exp + "?format=" + format + (q.empty() ? "" : "&" + q)), 200) << q;
    }
  }
  const std::string whole =
      sqlite_.server->get(sqlite_.acme, "/v1/Account/" + sqlite_.acme.auth_id + "/Zentrunk/Export/")
          .body;
  EXPECT_EQ(std::count(whole.begin(), whole.end(), '\n'), 400);

  // `cdrd usage` and `cdrd export` with --calls print and write what they do on sqlite.
  const std::string since = ago(30 * 86400).substr(0, 10);
  std::string outputs[2][2];
  for (int i = 0; i < 2; ++i) {
    const Side& s = i == 0 ? sqlite_ : clickhouse_;
    std::vector<std::string> calls;
    if (i == 1) calls = {"--calls", url_ + "/" + database_};
    std::vector<std::string> usage = {"--data-dir", s.server->data_dir(), "usage",
                                      "--account",  s.acme.auth_id,       "--since",
                                      since,        "--group-by",         "direction"};
    usage.insert(usage.end(), calls.begin(), calls.end());
    const CommandResult u = run_cdrd(usage);
    EXPECT_EQ(u.exit_code, 0) << u.out;
    outputs[i][0] = s.normal(u.out);
    const std::string file = s.server->data_dir() + "/export.ndjson";
    std::vector<std::string> exp = {"--data-dir", s.server->data_dir(), "export",
                                    "--account",  s.acme.auth_id,       file};
    exp.insert(exp.end(), calls.begin(), calls.end());
    const CommandResult e = run_cdrd(exp);
    EXPECT_EQ(e.exit_code, 0) << e.out;
    outputs[i][1] = s.normal(read_text(file));
  }
  EXPECT_EQ(outputs[1][0], outputs[0][0]);
  EXPECT_NE(outputs[0][0].find("outbound"), std::string::npos) << outputs[0][0];
  EXPECT_EQ(outputs[1][1], outputs[0][1]);
  EXPECT_EQ(std::count(outputs[0][1].begin(), outputs[0][1].end(), '\n'), 400);

  // The cloud-PBX API.
  for (const char* q : {"", "?per_page=100", "?per_page=10&page=3", "?flow=in", "?flow=out"}) {
    EXPECT_EQ(expect_same("/api/ver1.0/client/@me/calls/" + std::string(q), true), 200) << q;
    EXPECT_EQ(expect_same("/api/ver1.0/client/@me/call_history/" + std::string(q), true), 200) << q;
  }
}

// Runs scripts/clickhouse-test.sh ACTION DIR; the port it printed (start), or "" when it failed.
std::string clickhouse_script(const std::string& action, const std::string& dir) {
  const std::string cmd = "bash '" CDRD_SOURCE_DIR "/scripts/clickhouse-test.sh' " + action + " '" +
                          dir + "' 2>/dev/null";
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) return "";
  std::string out;
  char buf[64];
  while (std::fgets(buf, sizeof buf, p) != nullptr) out += buf;
  if (::pclose(p) != 0) return "";
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

TEST_F(ClickHouseApiTest, WhenClickHouseGoesDownIngestAndListsAnswer503AndAcknowledgeNothing) {
  // A ClickHouse of this test's own, to stop halfway.
  TempDir dir;
  const std::string ch_dir = dir.path() + "/ch";
  const std::string port = clickhouse_script("start", ch_dir);
  if (port.empty()) GTEST_SKIP() << "skipped: a second ClickHouse server could not be started";
  CdrdServer server({"--calls", "clickhouse://127.0.0.1:" + port + "/cdrd"});
  const Credentials acme = server.create_account("acme");
  auto ok = server.ingest(ndjson({answered_call(acme.auth_id, "before-the-outage")}));
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(listed_call_count(server.port(), acme), 1);

  clickhouse_script("stop", ch_dir);
  const auto refused = server.ingest(ndjson({answered_call(acme.auth_id, "during-the-outage")}));
  EXPECT_EQ(refused.status, 503) << refused.body;
  EXPECT_EQ(refused.header("retry-after"), "1");
  const auto d = parse_json(refused.body);
  EXPECT_TRUE(d.HasMember("api_id")) << refused.body;
  ASSERT_TRUE(d.HasMember("error")) << refused.body;
  EXPECT_NE(std::string(d["error"].GetString()).find("unavailable"), std::string::npos)
      << refused.body;
  const auto list = server.get(acme, "/v1/Account/" + acme.auth_id + "/Zentrunk/Call/");
  EXPECT_EQ(list.status, 503) << list.body;
  EXPECT_EQ(parse_json(list.body).HasMember("api_id"), true) << list.body;
  const auto ready = server.client().get("/readyz");
  EXPECT_EQ(ready.status, 503) << ready.body;
}

}  // namespace
}  // namespace cdrd::test
