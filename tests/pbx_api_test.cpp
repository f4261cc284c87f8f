// Black-box tests of the cloud-PBX API (docs/api-pbx.md): OAuth client-credentials tokens,
// calls/ and call_history/ against a model of the ingested calls, and every error.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <functional>
#include <set>
#include <thread>

#include "harness.h"
#include "records.h"

namespace cdrd::test {
namespace {

using App = OAuthApp;

App create_app(const CdrdServer& server, const std::string& auth_id) {
  const App app = create_app_in(server.data_dir(), auth_id);
  EXPECT_EQ(app.client_id.size(), 32u) << app.client_id;
  EXPECT_GE(app.client_secret.size(), 40u) << app.client_secret;
  EXPECT_FALSE(app.numeric_client.empty());
  return app;
}

http::ClientResponse post_form(const CdrdServer& server, const std::string& body,
                               http::Params headers = {}) {
  headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
  return server.client().request("POST", "/oauth/token", body, headers);
}

std::string token_for(const CdrdServer& server, const App& app) {
  const auto r = request_token(server.port(), app.client_id, app.client_secret);
  EXPECT_EQ(r.status, 200) << r.body;
  auto d = parse_json(r.body);
  return d.HasMember("access_token") ? d["access_token"].GetString() : "";
}

http::ClientResponse get_bearer(const CdrdServer& server, const std::string& token,
                                const std::string& target) {
  return server.client().request("GET", target, "", {{"Authorization", "Bearer " + token}});
}

std::string error_of(const http::ClientResponse& r, const char* field = "message") {
  auto d = parse_json(r.body);
  return d.IsObject() && d.HasMember(field) ? d[field].GetString()
                                            : "<no " + std::string(field) + ">";
}

// One of alice's calls as the model knows it.
struct PbxModelCall {
  std::string uuid;
  bool inbound = false;
  std::string from_user, to_user, bridged_user, did;
  std::int64_t extension_id = 0;
  std::int64_t duration = 0;
  std::optional<std::int64_t> bridged_duration;
  std::string init, end;  // "YYYY-MM-DD HH:MM:SS"
  int legs = 0;
};

// Opens as CallApiTest does (one server for the suite, alice and bob) on purpose: each suite's
// setup reads alone, with the calls of its own API.
class PbxApiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = std::make_unique<CdrdServer>();
    alice_ = server_->create_account("alice");
    bob_ = server_->create_account("bob");
    alice_app_ = create_app(*server_, alice_.auth_id);
    bob_app_ = create_app(*server_, bob_.auth_id);
    const std::int64_t base = wall_now();
    const char* froms[] = {"100*0111", "100*0112", "+74951234567"};
    const char* tos[] = {"+71111111111", "+72222222222", "100*0113", "+73333333333"};
    const char* dids[] = {"+74950000001", "+74950000002"};
    std::vector<Record> records;
    for (int i = 0; i < 30; ++i) {
      PbxModelCall c;
      c.uuid = "CA" + std::string(30 - std::to_string(i).size(), '0') + std::to_string(i);
      c.inbound = i % 2 == 0;
      c.from_user = froms[i % 3];
      c.to_user = tos[i % 4];
      c.did = c.inbound ? dids[(i / 2) % 2] : "";
      c.extension_id = 469100 + i % 3;
      const bool answered = i % 5 != 4;
      const std::int64_t talk = answered ? 10 * i + 7 : 0;
      c.duration = talk;
      if (answered && i % 3 != 0) {
        c.bridged_user = i % 2 ? "+71111111111" : "100*0114";
        c.bridged_duration = talk - 5;
      }
      // Ends 10 minutes plus i * 12 h ago (i / 3 share a second to exercise the tie-break).
      const std::int64_t end_ago = 600 + (i / 2) * 43200;
      const std::int64_t init_ago = end_ago + talk + 5;
      c.init = seconds_before(base, init_ago);
      c.end = seconds_before(base, end_ago);
      c.legs = i % 4 == 0 ? 2 : 0;
      Record r;
      r.set("account", str(alice_.auth_id))
          .set("call_uuid", str(c.uuid))
          .set("call_direction", str(c.inbound ? "inbound" : "outbound"))
          .set("flow", str(c.inbound ? "in" : "out"))
          .set("from_number", str(c.from_user))
          .set("to_number", str(c.to_user))
          .set("from_username", str(c.from_user))
          .set("to_username", str(c.to_user))
          .set("initiation_time", str(c.init))
          .set("end_time", str(c.end))
          .set("duration", std::to_string(talk))
          .set("extension_id", std::to_string(c.extension_id))
          .set("extension_type", str("phone"))
          .set("result",
               str(answered ? (c.bridged_duration ? "bridged" : "answered") : "not answered"))
          .set("q850_cause", str("NORMAL_CLEARING"))
          .set("hangup_disposition", str("caller_bye"));
      if (!c.did.empty()) r.set("did_number", str(c.did));
      if (answered) r.set("answer_time", str(seconds_before(base, init_ago - 5)));
      if (c.bridged_duration) {
        r.set("bridged_username", str(c.bridged_user))
            .set("bridged_time", str(seconds_before(base, init_ago - 10)))
            .set("bridged_duration", std::to_string(*c.bridged_duration));
      }
      if (i == 1) r.set("quality_rate", "4").set("quality_max_rate", "5");
      if (c.legs) {
        std::string legs = "[";
        for (int k = 0; k < c.legs; ++k) {
          if (k) legs += ", ";
          // The second leg has no recording.
          legs += "{" +
                  (k == 0 ? "\"record_uuid\": " + str(c.uuid + "-leg" + std::to_string(k)) + ", "
                          : std::string()) +
                  "\"flow\": \"out\", \"result\": \"answered\", \"duration\": 3"
                  ", \"init_time\": " +
                  str(c.init + ".76") + ", \"hangup_time\": " + str(c.end) +
                  ", \"hangup_cause\": \"NORMAL_CLEARING\", \"extension_id\": 469100}";
        }
        r.set("legs", legs + "]");
      }
      calls_.push_back(c);
      records.push_back(r);
    }
    Record b = records[0];
    b.set("account", str(bob_.auth_id)).set("call_uuid", str("BOBCALL0001"));
    records.push_back(b);
    auto r = server_->ingest(ndjson(records));
    ASSERT_EQ(r.status, 200) << r.body;
    ASSERT_EQ(parse_json(r.body)["stored"].GetInt(), 31) << r.body;
    alice_token_ = token_for(*server_, alice_app_);
    bob_token_ = token_for(*server_, bob_app_);
  }
  static void TearDownTestSuite() { server_.reset(); }

  static std::string base(const std::string& client = "@me") {
    return "/api/ver1.0/client/" + client + "/";
  }

  // Every uuid of a list, following its pages (per_page 7).
  static std::vector<std::string> all_uuids(const std::string& options,
                                            const std::string& resource = "calls") {
    std::vector<std::string> out;
    for (int page = 1; page < 100; ++page) {
      std::string target = base() + resource + "/?per_page=7&page=" + std::to_string(page) +
                           (options.empty() ? "" : "&" + options);
      for (std::size_t at; (at = target.find(' ')) != std::string::npos;) {
        target.replace(at, 1, "%20");
      }
      auto r = get_bearer(*server_, alice_token_, target);
      EXPECT_EQ(r.status, 200) << target << " -> " << r.body;
      if (r.status != 200) break;
      auto d = parse_json(r.body);
      const auto& list = d[resource == "calls" ? "calls" : "call_history"];
      for (const auto& c : list.GetArray()) out.push_back(c["call_uuid"].GetString());
      if (list.Size() < 7) break;
    }
    return out;
  }

  // The model's answer, newest hangup first (ties: stored later first).
  static std::vector<std::string> expected(const std::function<bool(const PbxModelCall&)>& keep) {
    std::vector<const PbxModelCall*> hits;
    for (const auto& c : calls_) {
      if (keep(c)) hits.push_back(&c);
    }
    std::sort(hits.begin(), hits.end(), [](const PbxModelCall* a, const PbxModelCall* b) {
      return a->end != b->end ? a->end > b->end : a > b;
    });
    std::vector<std::string> out;
    for (auto* c : hits) out.push_back(c->uuid);
    return out;
  }

  static inline std::unique_ptr<CdrdServer> server_;
  static inline Credentials alice_, bob_;
  static inline App alice_app_, bob_app_;
  static inline std::string alice_token_, bob_token_;
  static inline std::vector<PbxModelCall> calls_;
};

TEST_F(PbxApiTest, TokenEndpointAnswersTheOAuthShape) {
  const auto r = request_token(server_->port(), alice_app_.client_id, alice_app_.client_secret);
  ASSERT_EQ(r.status, 200) << r.body;
  auto d = parse_json(r.body);
  ASSERT_TRUE(d["access_token"].IsString());
  EXPECT_GE(std::string(d["access_token"].GetString()).size(), 40u);
  EXPECT_STREQ(d["token_type"].GetString(), "bearer");
  EXPECT_EQ(d["expires_in"].GetInt(), 3600);
  EXPECT_EQ(r.header("cache-control"), "no-store");
  // Two tokens are never the same.
  EXPECT_NE(token_for(*server_, alice_app_), token_for(*server_, alice_app_));
  // HTTP Basic client authentication (RFC 6749 2.3.1) works too.
  const auto basic = post_form(
      *server_, "grant_type=client_credentials",
      {{"Authorization", "Basic " + [] {
          // base64 of "client_id:secret" by hand: both are [A-Za-z0-9], so plain base64.
          static const char* k = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
          const std::string in = alice_app_.client_id + ":" + alice_app_.client_secret;
          std::string out;
          for (std::size_t i = 0; i < in.size(); i += 3) {
            unsigned n = static_cast<unsigned char>(in[i]) << 16;
            if (i + 1 < in.size()) n |= static_cast<unsigned char>(in[i + 1]) << 8;
            if (i + 2 < in.size()) n |= static_cast<unsigned char>(in[i + 2]);
            out += k[(n >> 18) & 63];
            out += k[(n >> 12) & 63];
            out += i + 1 < in.size() ? k[(n >> 6) & 63] : '=';
            out += i + 2 < in.size() ? k[n & 63] : '=';
          }
          return out;
        }()}});
  EXPECT_EQ(basic.status, 200) << basic.body;
}

TEST_F(PbxApiTest, TokenEndpointErrors) {
  const std::string id = "&client_id=" + alice_app_.client_id;
  const std::string secret = "&client_secret=" + alice_app_.client_secret;
  struct Case {
    std::string body;
    int status;
    std::string error;
  } cases[] = {
      {"grant_type=client_credentials" + id + "&client_secret=wrong", 401, "invalid_client"},
      {"grant_type=client_credentials&client_id=0123456789abcdef0123456789abcdef" + secret, 401,
       "invalid_client"},
      {"grant_type=password" + id + secret, 400, "unsupported_grant_type"},
      {id.substr(1) + secret, 400, "invalid_request"},
      {"grant_type=client_credentials" + secret, 400, "invalid_request"},
      {"grant_type=client_credentials" + id, 400, "invalid_request"},
      {"grant_type=client_credentials&grant_type=client_credentials" + id + secret, 400,
       "invalid_request"},
      {"grant_type=client_credentials%zz", 400, "invalid_request"},
  };
  for (const Case& c : cases) {
    const auto r = post_form(*server_, c.body);
    EXPECT_EQ(r.status, c.status) << c.body << " -> " << r.body;
    EXPECT_EQ(error_of(r, "error"), c.error) << c.body;
  }
  const auto json =
      server_->client().request("POST", "/oauth/token", "{\"grant_type\": \"client_credentials\"}",
                                {{"Content-Type", "application/json"}});
  EXPECT_EQ(json.status, 400);
  EXPECT_EQ(error_of(json, "error"), "invalid_request");
  EXPECT_EQ(server_->client().get("/oauth/token").status, 405);
}

TEST_F(PbxApiTest, RequestsNeedAValidToken) {
  EXPECT_EQ(server_->client().get(base() + "calls/").status, 401);
  auto r = get_bearer(*server_, "not-a-token", base() + "calls/");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(error_of(r), "invalid access token");
  // A customer's Basic credentials are not a token.
  r = server_->get(alice_, base() + "calls/");
  EXPECT_EQ(r.status, 401) << r.body;
}

TEST_F(PbxApiTest, RevokingAnAppEndsItsTokens) {
  const App app = create_app(*server_, alice_.auth_id);
  const std::string token = token_for(*server_, app);
  ASSERT_EQ(get_bearer(*server_, token, base() + "calls/").status, 200);
  const CommandResult revoke =
      run_cdrd({"--data-dir", server_->data_dir(), "app", "revoke", app.client_id});
  ASSERT_EQ(revoke.exit_code, 0) << revoke.out;
  const auto r = get_bearer(*server_, token, base() + "calls/");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(error_of(r), "access token revoked");
  const auto again = request_token(server_->port(), app.client_id, app.client_secret);
  EXPECT_EQ(again.status, 401);
  // Other apps of the account keep working.
  EXPECT_EQ(get_bearer(*server_, alice_token_, base() + "calls/").status, 200);
  EXPECT_NE(
      run_cdrd({"--data-dir", server_->data_dir(), "app", "revoke", "nosuchclient"}).exit_code, 0);
}

TEST(PbxTokens, ExpireAfterTheConfiguredLifetime) {
  CdrdServer server({"--token-ttl-seconds", "1"});
  const Credentials carol = server.create_account("carol");
  const App app = create_app(server, carol.auth_id);
  const auto r = request_token(server.port(), app.client_id, app.client_secret);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(parse_json(r.body)["expires_in"].GetInt(), 1);
  const std::string token = parse_json(r.body)["access_token"].GetString();
  EXPECT_EQ(get_bearer(server, token, "/api/ver1.0/client/@me/calls/").status, 200);
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  const auto late = get_bearer(server, token, "/api/ver1.0/client/@me/calls/");
  EXPECT_EQ(late.status, 401);
  EXPECT_EQ(error_of(late), "access token expired");
}

// Calls ingested in the SIP-trunk vocabulary carry a provider hangup code and source but no
// Q.850 cause or disposition: the PBX view derives both (docs/api-pbx.md, "Hangup causes").
TEST(PbxHangupCauses, TheHangupCodeAndSourceFillTheQ850CauseAndDisposition) {
  CdrdServer server;
  const Credentials dave = server.create_account("dave");
  const App app = create_app(server, dave.auth_id);
  const std::int64_t now = wall_now();
  struct Case {
    std::string uuid, direction, code, source;
    bool answered;
    std::string cause, disposition;  // expected in the PBX view
  } cases[] = {
      {"HC-ANSWERED-OUT", "outbound", "3000", "customer", true, "NORMAL_CLEARING", "caller_bye"},
      {"HC-ANSWERED-IN", "inbound", "3000", "customer", true, "NORMAL_CLEARING", "callee_bye"},
      {"HC-BUSY", "outbound", "4410", "carrier", false, "USER_BUSY", "callee_refuse"},
      {"HC-CANCEL", "outbound", "4550", "customer", false, "ORIGINATOR_CANCEL", "caller_cancel"},
      {"HC-PLATFORM", "inbound", "4330", "zentrunk", false, "NO_ANSWER", "internal_cancel"},
      {"HC-NO-CODE", "outbound", "", "", false, "", ""},
  };
  std::vector<Record> records;
  int i = 0;
  for (const Case& c : cases) {
    const std::int64_t end_ago = 600 + 60 * i++;
    Record r;
    r.set("account", str(dave.auth_id))
        .set("call_uuid", str(c.uuid))
        .set("call_direction", str(c.direction))
        .set("from_number", str("+14155550100"))
        .set("to_number", str("+12125550199"))
        .set("initiation_time", str(seconds_before(now, end_ago + 20)))
        .set("end_time", str(seconds_before(now, end_ago)))
        .set("duration", c.answered ? "10" : "0");
    if (c.answered) r.set("answer_time", str(seconds_before(now, end_ago + 10)));
    if (!c.code.empty()) r.set("hangup_cause_code", c.code);
    if (!c.source.empty()) r.set("hangup_source", str(c.source));
    records.push_back(r);
  }
  // A record that names its own cause and disposition keeps them.
  records.push_back(Record(records[2])
                        .set("call_uuid", str("HC-OWN"))
                        .set("q850_cause", str("CALL_REJECTED"))
                        .set("hangup_disposition", str("internal_cancel")));
  auto r = server.ingest(ndjson(records));
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(parse_json(r.body)["stored"].GetInt(), 7) << r.body;
  const std::string token = token_for(server, app);
  const auto check = [&](const std::string& uuid, const std::string& cause,
                         const std::string& disposition) {
    auto one = get_bearer(server, token, "/api/ver1.0/client/@me/call_history/" + uuid);
    ASSERT_EQ(one.status, 200) << uuid << ": " << one.body;
    auto d = parse_json(one.body);
    EXPECT_EQ(std::string(d["hangup_cause"].GetString()), cause) << uuid;
    EXPECT_EQ(std::string(d["hangup_disposition"].GetString()), disposition) << uuid;
  };
  for (const Case& c : cases) check(c.uuid, c.cause, c.disposition);
  check("HC-OWN", "CALL_REJECTED", "internal_cancel");
  // The same in the lists.
  auto list = parse_json(
      get_bearer(server, token, "/api/ver1.0/client/@me/calls/?flow=out&per_page=100").body);
  int seen = 0;
  for (const auto& call : list["calls"].GetArray()) {
    if (std::string(call["call_uuid"].GetString()) == "HC-BUSY") {
      EXPECT_STREQ(call["hangup_cause"].GetString(), "USER_BUSY");
      EXPECT_STREQ(call["hangup_disposition"].GetString(), "callee_refuse");
      ++seen;
    }
  }
  EXPECT_EQ(seen, 1);
}

TEST_F(PbxApiTest, CallsHaveEverySeedFieldWithItsType) {
  auto r = get_bearer(*server_, alice_token_, base() + "calls/?per_page=20");
  ASSERT_EQ(r.status, 200) << r.body;
  auto d = parse_json(r.body);
  EXPECT_STREQ(d["order"].GetString(), "desc");
  EXPECT_EQ(d["page"].GetInt(), 1);
  EXPECT_EQ(d["per_page"].GetInt(), 20);
  ASSERT_EQ(d["calls"].Size(), 20u);
  const char* strings[] = {
      "call_uuid",       "did_domain",   "did_number",         "extension_name",
      "extension_type",  "flow",         "from_domain",        "from_screen_name",
      "from_username",   "hangup_cause", "hangup_disposition", "hangup_time_gmt",
      "init_time_gmt",   "result",       "to_domain",          "to_username",
      "diversion_number"};
  const char* numbers[] = {"client_owner_id", "duration", "extension_id"};
  const char* nullable_strings[] = {"bridged_domain", "bridged_time_gmt", "bridged_username",
                                    "start_time_gmt", "ext_number_reg"};
  const char* nullable_numbers[] = {"bridged_duration", "extension_group_owner_id"};
  for (const auto& c : d["calls"].GetArray()) {
    for (const char* f : strings) EXPECT_TRUE(c.HasMember(f) && c[f].IsString()) << f;
    for (const char* f : numbers) EXPECT_TRUE(c.HasMember(f) && c[f].IsInt64()) << f;
    for (const char* f : nullable_strings) {
      EXPECT_TRUE(c.HasMember(f) && (c[f].IsString() || c[f].IsNull())) << f;
    }
    for (const char* f : nullable_numbers) {
      EXPECT_TRUE(c.HasMember(f) && (c[f].IsInt64() || c[f].IsNull())) << f;
    }
    EXPECT_TRUE(c.HasMember("quality_rate") &&
                (c["quality_rate"].IsObject() || c["quality_rate"].IsNull()));
    EXPECT_FALSE(c.HasMember("cdr"));
    EXPECT_EQ(std::to_string(c["client_owner_id"].GetInt64()), alice_app_.numeric_client);
  }
  // The values of one call, as ingested.
  auto one = get_bearer(*server_, alice_token_, base() + "call_history/" + calls_[1].uuid);
  ASSERT_EQ(one.status, 200) << one.body;
  auto c = parse_json(one.body);
  EXPECT_STREQ(c["flow"].GetString(), "out");
  EXPECT_STREQ(c["result"].GetString(), "bridged");
  EXPECT_EQ(c["duration"].GetInt(), 17);
  EXPECT_EQ(c["bridged_duration"].GetInt(), 12);
  EXPECT_STREQ(c["bridged_username"].GetString(), "+71111111111");
  EXPECT_STREQ(c["init_time_gmt"].GetString(), calls_[1].init.c_str());
  EXPECT_STREQ(c["hangup_time_gmt"].GetString(), calls_[1].end.c_str());
  EXPECT_STREQ(c["hangup_cause"].GetString(), "NORMAL_CLEARING");
  EXPECT_EQ(c["quality_rate"]["rate"].GetInt(), 4);
  EXPECT_EQ(c["quality_rate"]["max_rate"].GetInt(), 5);
  // An unanswered call: no start time, never bridged.
  auto un = parse_json(
      get_bearer(*server_, alice_token_, base() + "call_history/" + calls_[4].uuid).body);
  EXPECT_TRUE(un["start_time_gmt"].IsNull());
  EXPECT_TRUE(un["bridged_duration"].IsNull());
  EXPECT_TRUE(un["bridged_time_gmt"].IsNull());
  EXPECT_STREQ(un["result"].GetString(), "not answered");
}

TEST_F(PbxApiTest, ARecordSentOnceIsServedByBothApis) {
  const PbxModelCall& m = calls_[1];
  auto pbx = parse_json(get_bearer(*server_, alice_token_, base() + "call_history/" + m.uuid).body);
  const auto r =
      server_->get(alice_, "/v1/Account/" + alice_.auth_id + "/Zentrunk/Call/" + m.uuid + "/");
  ASSERT_EQ(r.status, 200) << r.body;
  auto trunk = parse_json(r.body);
  EXPECT_STREQ(trunk["call_direction"].GetString(), "outbound");
  EXPECT_STREQ(pbx["flow"].GetString(), "out");
  EXPECT_STREQ(trunk["initiation_time"].GetString(), pbx["init_time_gmt"].GetString());
  EXPECT_STREQ(trunk["answer_time"].GetString(), pbx["start_time_gmt"].GetString());
  EXPECT_STREQ(trunk["end_time"].GetString(), pbx["hangup_time_gmt"].GetString());
  EXPECT_EQ(trunk["call_duration"].GetInt(), pbx["duration"].GetInt());
  EXPECT_STREQ(trunk["to_number"].GetString(), pbx["to_username"].GetString());
}

// The provider's call uuids are upper-case hex; client code may send them in lower case. Both
// APIs find a call by its uuid in any letter case and show it as stored, and ingest takes the
// same call sent again in another case as a duplicate.
TEST_F(PbxApiTest, CallUuidsMatchInAnyLetterCaseInBothApis) {
  const PbxModelCall& m = calls_[3];
  std::string lower = m.uuid, mixed = m.uuid;
  for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  mixed[1] = static_cast<char>(std::tolower(static_cast<unsigned char>(mixed[1])));
  ASSERT_NE(lower, m.uuid);
  for (const std::string& spelling : {lower, mixed}) {
    auto r = get_bearer(*server_, alice_token_, base() + "call_history/" + spelling);
    ASSERT_EQ(r.status, 200) << spelling << ": " << r.body;
    EXPECT_STREQ(parse_json(r.body)["call_uuid"].GetString(), m.uuid.c_str());
    r = get_bearer(*server_, alice_token_,
                   base(alice_app_.numeric_client) + "call_history/" + spelling + "/");
    EXPECT_EQ(r.status, 200) << spelling << ": " << r.body;
    for (const std::string& path :
         {"/v1/Account/" + alice_.auth_id + "/Zentrunk/Call/" + spelling + "/",
          "/v1/Account/" + alice_.auth_id + "/Call/" + spelling + "/",
          "/v1/Account/" + alice_.auth_id + "/Zentrunk/Call/" + spelling + "/Insights/"}) {
      r = server_->get(alice_, path);
      ASSERT_EQ(r.status, 200) << path << ": " << r.body;
      EXPECT_STREQ(parse_json(r.body)["call_uuid"].GetString(), m.uuid.c_str()) << path;
    }
  }
  // Another account's call stays out of reach in every case.
  auto r = get_bearer(*server_, bob_token_, base() + "call_history/" + lower);
  EXPECT_EQ(r.status, 404);
  r = get_bearer(*server_, alice_token_, base() + "call_history/bobcall0001");
  EXPECT_EQ(r.status, 404);
  // The same call sent again with its uuid in lower case is a duplicate, not a second call.
  Record again;
  again.set("account", str(alice_.auth_id))
      .set("call_uuid", str(lower))
      .set("call_direction", str("outbound"))
      .set("from_number", str("+14155550100"))
      .set("to_number", str("+14155550101"))
      .set("initiation_time", str(m.init))
      .set("end_time", str(m.end))
      .set("duration", "0");
  r = server_->ingest(ndjson({again}));
  ASSERT_EQ(r.status, 200) << r.body;
  auto d = parse_json(r.body);
  EXPECT_EQ(d["stored"].GetInt(), 0) << r.body;
  EXPECT_EQ(d["duplicates"].GetInt(), 1) << r.body;
  EXPECT_EQ(all_uuids("").size(), calls_.size());
}

TEST_F(PbxApiTest, CallHistoryCarriesTheLegs) {
  auto r = get_bearer(*server_, alice_token_, base() + "call_history/" + calls_[0].uuid + "/");
  ASSERT_EQ(r.status, 200) << r.body;
  auto d = parse_json(r.body);
  ASSERT_TRUE(d["cdr"].IsArray());
  ASSERT_EQ(d["cdr"].Size(), 2u);
  const auto& leg = d["cdr"][0];
  EXPECT_STREQ(leg["record_uuid"].GetString(), (calls_[0].uuid + "-leg0").c_str());
  // A leg without a recording: null, which client code tests for "has a recording".
  EXPECT_TRUE(d["cdr"][1]["record_uuid"].IsNull()) << r.body;
  EXPECT_STREQ(leg["init_time_gmt"].GetString(), (calls_[0].init + ".76").c_str());
  EXPECT_STREQ(leg["hangup_cause"].GetString(), "NORMAL_CLEARING");
  EXPECT_EQ(leg["extension_id"].GetInt(), 469100);
  EXPECT_EQ(std::to_string(leg["client_owner_id"].GetInt64()), alice_app_.numeric_client);
  for (const char* f :
       {"to_username", "source_number", "result", "to_domain", "from_username", "ani_number",
        "application", "hangup_disposition", "dest_domain", "from_domain", "source_domain",
        "extension_type", "did_domain", "from_screen_name", "extension_name", "flow", "dest_number",
        "did_number"}) {
    EXPECT_TRUE(leg.HasMember(f) && leg[f].IsString()) << f;
  }
  for (const char* f : {"duration", "record_file_size"}) {
    EXPECT_TRUE(leg.HasMember(f) && leg[f].IsInt64()) << f;
  }
  // In the list too, and a call without legs has an empty cdr array.
  auto list =
      parse_json(get_bearer(*server_, alice_token_, base() + "call_history/?per_page=500").body);
  ASSERT_EQ(list["call_history"].Size(), calls_.size());
  for (const auto& item : list["call_history"].GetArray()) {
    const std::string uuid = item["call_uuid"].GetString();
    const auto it = std::find_if(calls_.begin(), calls_.end(),
                                 [&](const PbxModelCall& m) { return m.uuid == uuid; });
    ASSERT_NE(it, calls_.end());
    EXPECT_EQ(item["cdr"].Size(), static_cast<unsigned>(it->legs)) << uuid;
  }
}

TEST_F(PbxApiTest, EveryFilterAloneAndCombinedMatchesTheModel) {
  const PbxModelCall& mid = calls_[10];
  const PbxModelCall& later = calls_[4];
  struct Case {
    std::string options;
    std::function<bool(const PbxModelCall&)> keep;
  } cases[] = {
      {"", [](const PbxModelCall&) { return true; }},
      {"from_username=100*0111", [](const PbxModelCall& c) { return c.from_user == "100*0111"; }},
      {"from_username=100*0111&from_username=%2B74951234567",
       [](const PbxModelCall& c) { return c.from_user != "100*0112"; }},
      {"to_username=%2B72222222222",
       [](const PbxModelCall& c) { return c.to_user == "+72222222222"; }},
      {"to_username[]=100*0113&to_username[]=%2B71111111111",
       [](const PbxModelCall& c) {
         return c.to_user == "100*0113" || c.to_user == "+71111111111";
       }},
      {"flow=in", [](const PbxModelCall& c) { return c.inbound; }},
      {"flow=out", [](const PbxModelCall& c) { return !c.inbound; }},
      {"flow=in&flow=out", [](const PbxModelCall&) { return true; }},
      {"flow=transfer", [](const PbxModelCall&) { return false; }},
      {"bridged_username=100*0114",
       [](const PbxModelCall& c) { return c.bridged_user == "100*0114"; }},
      {"did_number=%2B74950000002", [](const PbxModelCall& c) { return c.did == "+74950000002"; }},
      {"extension_id=469101", [](const PbxModelCall& c) { return c.extension_id == 469101; }},
      {"extension_id=469100&extension_id=469102",
       [](const PbxModelCall& c) { return c.extension_id != 469101; }},
      {"start_duration=100", [](const PbxModelCall& c) { return c.duration >= 100; }},
      {"end_duration=100", [](const PbxModelCall& c) { return c.duration <= 100; }},
      {"start_duration=57&end_duration=157",
       [](const PbxModelCall& c) { return c.duration >= 57 && c.duration <= 157; }},
      {"start_bridged_duration=100",
       [](const PbxModelCall& c) { return c.bridged_duration && *c.bridged_duration >= 100; }},
      {"end_bridged_duration=72",
       [](const PbxModelCall& c) { return c.bridged_duration && *c.bridged_duration <= 72; }},
      {"start_datetime=" + mid.init, [&](const PbxModelCall& c) { return c.init >= mid.init; }},
      {"end_datetime=" + mid.init, [&](const PbxModelCall& c) { return c.init <= mid.init; }},
      {"start_datetime=" + mid.init + "&end_datetime=" + later.init,
       [&](const PbxModelCall& c) { return c.init >= mid.init && c.init <= later.init; }},
      {"flow=out&from_username=100*0112&start_duration=50",
       [](const PbxModelCall& c) {
         return !c.inbound && c.from_user == "100*0112" && c.duration >= 50;
       }},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(all_uuids(c.options), expected(c.keep)) << "calls ?" << c.options;
    EXPECT_EQ(all_uuids(c.options, "call_history"), expected(c.keep))
        << "call_history ?" << c.options;
  }
}

TEST_F(PbxApiTest, BothOrdersAndPagesWithoutOverlapOrGap) {
  const std::vector<std::string> desc = all_uuids("");
  std::vector<std::string> asc = all_uuids("order=asc");
  ASSERT_EQ(desc.size(), calls_.size());
  std::reverse(asc.begin(), asc.end());
  EXPECT_EQ(asc, desc);
  EXPECT_EQ(all_uuids("order=desc"), desc);
  EXPECT_EQ(std::set<std::string>(desc.begin(), desc.end()).size(), desc.size());
  // A page past the end is empty, and page/per_page are echoed.
  auto d = parse_json(
      get_bearer(*server_, alice_token_, base() + "calls/?page=9&per_page=5&order=asc").body);
  EXPECT_EQ(d["calls"].Size(), 0u);
  EXPECT_EQ(d["page"].GetInt(), 9);
  EXPECT_EQ(d["per_page"].GetInt(), 5);
  EXPECT_STREQ(d["order"].GetString(), "asc");
}

// Client code calls user/ to learn its own client id (then used in the client/{client_id}/
// paths); the shape is the provider's user resource.
TEST_F(PbxApiTest, UserAnswersWhoTheTokenIs) {
  for (const char* path : {"/api/ver1.0/user/", "/api/ver1.0/user"}) {
    const auto r = get_bearer(*server_, alice_token_, path);
    ASSERT_EQ(r.status, 200) << path << ": " << r.body;
    EXPECT_EQ(r.header("content-type"), "application/json");
    auto d = parse_json(r.body);
    ASSERT_TRUE(d.IsObject());
    std::vector<std::string> keys;
    for (const auto& m : d.GetObject()) keys.emplace_back(m.name.GetString());
    EXPECT_EQ(keys, (std::vector<std::string>{"id", "login", "admin", "dealer_id", "client_id",
                                              "extension_group_id", "extension_id", "timezone",
                                              "access", "extra_params"}));
    EXPECT_TRUE(d["id"].IsInt64());
    EXPECT_STREQ(d["login"].GetString(), alice_app_.client_id.c_str());
    EXPECT_FALSE(d["admin"].GetBool());
    EXPECT_TRUE(d["dealer_id"].IsNull());
    EXPECT_EQ(std::to_string(d["client_id"].GetInt64()), alice_app_.numeric_client);
    EXPECT_TRUE(d["extension_group_id"].IsNull());
    EXPECT_TRUE(d["extension_id"].IsNull());
    EXPECT_STREQ(d["timezone"].GetString(), "UTC");
    EXPECT_STREQ(d["access"].GetString(), "read_only");
    EXPECT_TRUE(d["extra_params"].IsNull());
  }
  // Its client_id opens the client's own paths.
  auto d = parse_json(get_bearer(*server_, alice_token_, "/api/ver1.0/user/").body);
  const std::string client = std::to_string(d["client_id"].GetInt64());
  EXPECT_EQ(get_bearer(*server_, alice_token_, base(client) + "calls/").status, 200);
  // Bob's token: bob.
  auto bob = parse_json(get_bearer(*server_, bob_token_, "/api/ver1.0/user/").body);
  EXPECT_EQ(std::to_string(bob["client_id"].GetInt64()), bob_app_.numeric_client);
  EXPECT_STREQ(bob["login"].GetString(), bob_app_.client_id.c_str());
  EXPECT_NE(bob["id"].GetInt64(), d["id"].GetInt64());
  // Same Bearer rules as the other routes, errors in the {"message"} shape.
  auto r = server_->client().request("GET", "/api/ver1.0/user/", "", {});
  EXPECT_EQ(r.status, 401);
  EXPECT_NE(r.header("www-authenticate").find("Bearer"), std::string::npos);
  EXPECT_NE(error_of(r).find("missing access token"), std::string::npos) << r.body;
  r = get_bearer(*server_, "not-a-token", "/api/ver1.0/user/");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(error_of(r), "invalid access token");
  r = get_bearer(*server_, alice_token_, "/api/ver1.0/user/?x=1");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(error_of(r), "unknown option 'x': user/ takes no options");
  r = server_->client().request("POST", "/api/ver1.0/user/", "",
                                {{"Authorization", "Bearer " + alice_token_}});
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.header("allow"), "GET");
}

TEST_F(PbxApiTest, ClientIdIsTheAccountsOwnOrAtMe) {
  const auto own = get_bearer(*server_, alice_token_, base(alice_app_.numeric_client) + "calls/");
  EXPECT_EQ(own.status, 200);
  EXPECT_EQ(own.body, get_bearer(*server_, alice_token_, base() + "calls/").body);
  auto r = get_bearer(*server_, alice_token_, base(bob_app_.numeric_client) + "calls/");
  EXPECT_EQ(r.status, 403);
  EXPECT_NE(error_of(r).find("Forbidden"), std::string::npos);
  r = get_bearer(*server_, alice_token_,
                 base(bob_app_.numeric_client) + "call_history/BOBCALL0001");
  EXPECT_EQ(r.status, 403);
  r = get_bearer(*server_, alice_token_, base("bob") + "calls/");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(error_of(r), "Not found");
  // Unknown paths and methods under /api/ answer the same {"message"} body.
  r = get_bearer(*server_, alice_token_, "/api/ver1.0/client/@me/nothing/");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(error_of(r), "no such resource: /api/ver1.0/client/@me/nothing/");
  r = server_->client().request("DELETE", base() + "calls/", "", {});
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.header("allow"), "GET");
  EXPECT_NE(error_of(r).find("method DELETE is not allowed"), std::string::npos) << r.body;
}

TEST_F(PbxApiTest, NoTokenReadsAnotherAccountsCalls) {
  auto d = parse_json(get_bearer(*server_, bob_token_, base() + "calls/").body);
  ASSERT_EQ(d["calls"].Size(), 1u);
  EXPECT_STREQ(d["calls"][0]["call_uuid"].GetString(), "BOBCALL0001");
  auto r = get_bearer(*server_, bob_token_, base() + "call_history/" + calls_[0].uuid);
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(error_of(r), "Not found");
  r = get_bearer(*server_, alice_token_, base() + "call_history/BOBCALL0001");
  EXPECT_EQ(r.status, 404);
  r = get_bearer(*server_, alice_token_, base() + "call_history/NOSUCHCALL");
  EXPECT_EQ(r.status, 404);
}

// The provider's public clients send every list option, the unset ones empty, and per_page=0
// when their caller set no page size.
TEST_F(PbxApiTest, EmptyOptionsAreLeftOutAndPerPageZeroIsTheDefault) {
  for (const char* resource : {"calls", "call_history"}) {
    const std::string list = resource;
    const std::string path = base() + list + "/";
    const auto plain = get_bearer(*server_, alice_token_, path + "?per_page=50");
    ASSERT_EQ(plain.status, 200) << plain.body;
    const auto r = get_bearer(*server_, alice_token_,
                              path +
                                  "?end_datetime=&extension_id=&flow=&per_page=50&start_datetime="
                                  "&to_username=");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.body, plain.body) << resource;
    EXPECT_EQ(parse_json(r.body)[list.c_str()].Size(), calls_.size());
    // Every option empty, per_page=0: the first page of the default size.
    const auto all_empty = get_bearer(
        *server_, alice_token_,
        path +
            "?start_datetime=&end_datetime=&order=&page=&per_page=0&from_username=&to_username="
            "&flow=&bridged_username=&did_number=&extension_id=&start_duration=&end_duration="
            "&start_bridged_duration=&end_bridged_duration=");
    ASSERT_EQ(all_empty.status, 200) << all_empty.body;
    EXPECT_EQ(all_empty.body, get_bearer(*server_, alice_token_, path).body) << resource;
    auto d = parse_json(all_empty.body);
    EXPECT_EQ(d["per_page"].GetInt(), 20);
    EXPECT_EQ(d["page"].GetInt(), 1);
    EXPECT_EQ(d[list.c_str()].Size(), 20u);
    // per_page=0 with a page: pages of the default size.
    const auto second = get_bearer(*server_, alice_token_, path + "?per_page=0&page=2");
    ASSERT_EQ(second.status, 200) << second.body;
    d = parse_json(second.body);
    EXPECT_EQ(d["per_page"].GetInt(), 20);
    EXPECT_EQ(d["page"].GetInt(), 2);
    EXPECT_EQ(d[list.c_str()].Size(), calls_.size() - 20);
  }
}

TEST_F(PbxApiTest, BadOptionsAre400NamingTheOption) {
  struct Case {
    std::string options;
    std::string message;
  } cases[] = {
      {"start_datetime=yesterday",
       "start_datetime: must be a UTC time YYYY-MM-DD HH:MM:SS, got 'yesterday'"},
      {"end_datetime=2021-02-30%2000:00:00",
       "end_datetime: must be a UTC time YYYY-MM-DD HH:MM:SS, got '2021-02-30 00:00:00'"},
      {"page=0", "page: must be a whole number from 1 to 1000000000, got '0'"},
      {"per_page=501",
       "per_page: must be a whole number from 1 to 500 (0 for the default 20), got '501'"},
      {"per_page=-1",
       "per_page: must be a whole number from 1 to 500 (0 for the default 20), got '-1'"},
      {"flow=&colour=",
       "unknown option 'colour' (accepted: start_datetime, end_datetime, order, page, per_page, "
       "from_username, to_username, flow, bridged_username, did_number, extension_id, "
       "start_duration, end_duration, start_bridged_duration, end_bridged_duration)"},
      {"flow=sideways", "flow: must be in, out or transfer, got 'sideways'"},
      {"order=up", "order: must be asc or desc, got 'up'"},
      {"start_duration=-1", "start_duration: must be a whole number of seconds >= 0, got '-1'"},
      {"extension_id=abc", "extension_id: must be a whole number, got 'abc'"},
      {"page=1&page=2", "page: given more than once (it takes one value)"},
      {"colour=red",
       "unknown option 'colour' (accepted: start_datetime, end_datetime, order, page, per_page, "
       "from_username, to_username, flow, bridged_username, did_number, extension_id, "
       "start_duration, end_duration, start_bridged_duration, end_bridged_duration)"},
  };
  for (const Case& c : cases) {
    for (const char* resource : {"calls/", "call_history/"}) {
      const auto r = get_bearer(*server_, alice_token_, base() + resource + "?" + c.options);
      EXPECT_EQ(r.status, 400) << c.options;
      EXPECT_EQ(error_of(r), c.message) << c.options;
    }
  }
}

}  // namespace
}  // namespace cdrd::test
