// Black-box tests of the switch adapters against the real binary: FreeSWITCH's mod_json_cdr POSTs
// (every body encoding, Basic credentials, a retry, a b-leg) and `cdrd import --format
// asterisk-csv|asterisk-custom`, fed with the documents of tests/fixtures/.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "core/ascii.h"
#include "core/crypto.h"
#include "harness.h"
#include "records.h"

namespace cdrd::test {
namespace {

// The fixture `path` with its placeholder account replaced by `auth_id`.
std::string fixture(const std::string& path, const std::string& auth_id) {
  std::string text = read_text(std::string(CDRD_FIXTURES_DIR) + "/" + path);
  EXPECT_FALSE(text.empty()) << path;
  for (std::size_t at = text.find("ACCOUNT"); at != std::string::npos;
       at = text.find("ACCOUNT", at)) {
    text.replace(at, 7, auth_id);
  }
  return text;
}

std::string basic(const std::string& user, const std::string& password) {
  return "Basic " + base64_encode(user + ":" + password);
}

class SwitchIngest : public ::testing::Test {
 protected:
  // Fixtures are dated 2026-11-30: keep them whatever day the tests run.
  SwitchIngest() : server_({"--retention-days", "36600"}) {
    acme_ = server_.create_account("acme");
  }

  http::ClientResponse post_cdr(const std::string& target, const std::string& body,
                                const std::string& content_type,
                                const std::string& authorization = "") {
    return server_.client().request(
        "POST", target, body,
        {{"Authorization",
          authorization.empty() ? basic("operator", CdrdServer::kOperatorKey) : authorization},
         {"Content-Type", content_type}});
  }

  rapidjson::Document call(const std::string& call_id) {
    const auto r = server_.get(
        acme_, "/v1/Account/" + acme_.auth_id + "/Zentrunk/Call/" + uuid_v5(call_id) + "/");
    EXPECT_EQ(r.status, 200) << r.body;
    return parse_json(r.body);
  }

  CdrdServer server_;
  Credentials acme_;
};

TEST_F(SwitchIngest, FreeswitchPostsInEveryEncodingWithBasicCredentials) {
  const std::string answered = fixture("freeswitch/answered.json", acme_.auth_id);
  // encode=true (the module's usual): cdr=<URL-encoded JSON>; it appends ?uuid= to the URL.
  auto r = post_cdr("/v1/ingest/freeswitch?uuid=a1f0c2d4-5b6e-4f70-8a91-b2c3d4e5f601",
                    "cdr=" + percent_encode(answered), "application/x-www-form-urlencoded");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(parse_json(r.body)["stored"].GetInt(), 1);

  // The module retries until it gets a 2xx: the same CDR again is a duplicate, answered 200.
  r = post_cdr("/v1/ingest/freeswitch?uuid=a1f0c2d4-5b6e-4f70-8a91-b2c3d4e5f601",
               "cdr=" + percent_encode(answered), "application/x-www-form-urlencoded");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(parse_json(r.body)["duplicates"].GetInt(), 1);

  auto c = call("3c26cc5a-92e5e1c4@198.51.100.20");
  EXPECT_EQ(std::string(c["call_id"].GetString()), "3c26cc5a-92e5e1c4@198.51.100.20");
  EXPECT_EQ(std::string(c["call_direction"].GetString()), "outbound");
  EXPECT_EQ(std::string(c["from_number"].GetString()), "+14155550100");
  EXPECT_EQ(std::string(c["to_number"].GetString()), "+442079460000");
  EXPECT_EQ(c["call_duration"].GetInt(), 62);
  EXPECT_EQ(std::string(c["initiation_time"].GetString()), "2026-11-30 08:30:00");
  EXPECT_EQ(std::string(c["hangup_cause_name"].GetString()), "normal_hangup");

  // encode=base64.
  r = post_cdr("/v1/ingest/freeswitch",
               "cdr=" + base64_encode(fixture("freeswitch/busy.json", acme_.auth_id)),
               "application/x-www-form-base64-encoded");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(parse_json(r.body)["stored"].GetInt(), 1);
  auto busy = call("77ab01c9e2@pbx.customer.example");
  EXPECT_EQ(busy["call_duration"].GetInt(), 0);
  EXPECT_EQ(std::string(busy["hangup_cause_name"].GetString()), "user_busy");

  // encode=false with encode-values=false: the JSON itself, values plain.
  r = post_cdr("/v1/ingest/freeswitch?encode_values=false",
               fixture("freeswitch/unanswered_raw_values.json", acme_.auth_id), "application/json");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(parse_json(r.body)["stored"].GetInt(), 1);

  // The b-leg of the answered call: acknowledged, nothing stored.
  r = post_cdr("/v1/ingest/freeswitch", fixture("freeswitch/b_leg.json", acme_.auth_id),
               "application/json");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(parse_json(r.body)["stored"].GetInt(), 0);
  EXPECT_EQ(listed_call_count(server_.port(), acme_), 3);
}

TEST_F(SwitchIngest, FreeswitchDefaultsFromTheUrlAndBearerToo) {
  // No accountcode, no cdrd_direction, no SIP Call-ID: the URL says, the uuid names the call.
  const auto r =
      post_cdr("/v1/ingest/freeswitch?account=" + acme_.auth_id + "&direction=inbound?uuid=x",
               fixture("freeswitch/missing_variables.json", acme_.auth_id), "application/json",
               std::string("Bearer ") + CdrdServer::kOperatorKey);
  ASSERT_EQ(r.status, 200) << r.body;
  const auto c =
      parse_json(server_
                     .get(acme_, "/v1/Account/" + acme_.auth_id +
                                     "/Zentrunk/Call/a1f0c2d4-5b6e-4f70-8a91-b2c3d4e5f606/")
                     .body);
  EXPECT_EQ(std::string(c["call_direction"].GetString()), "inbound");
  EXPECT_EQ(c["call_duration"].GetInt(), 30);
}

TEST_F(SwitchIngest, FreeswitchRefusalsAndWrongCredentials) {
  // Wrong Basic password, and another user name: 401, asking for Basic as well as Bearer.
  auto r = post_cdr("/v1/ingest/freeswitch", "cdr=%7B%7D", "application/x-www-form-urlencoded",
                    basic("operator", "wrong"));
  EXPECT_EQ(r.status, 401) << r.body;
  r = post_cdr("/v1/ingest/freeswitch", "cdr=%7B%7D", "application/x-www-form-urlencoded",
               basic("admin", CdrdServer::kOperatorKey));
  EXPECT_EQ(r.status, 401) << r.body;
  // A body that is no CDR, and a CDR that fails validation (no account anywhere).
  r = post_cdr("/v1/ingest/freeswitch", "x=1", "application/x-www-form-urlencoded");
  EXPECT_EQ(r.status, 400) << r.body;
  r = post_cdr("/v1/ingest/freeswitch", fixture("freeswitch/missing_variables.json", ""),
               "application/json");
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_NE(r.body.find("account"), std::string::npos) << r.body;
}

TEST_F(SwitchIngest, BasicOperatorCredentialsAreThrottledLikeOthers) {
  // The ingest paths count failed Basic attempts like any other: after a burst, 429.
  int last = 0;
  for (int i = 0; i < 50 && last != 429; ++i) {
    last =
        post_cdr("/v1/ingest/calls", "", "application/x-ndjson", basic("operator", "nope")).status;
  }
  EXPECT_EQ(last, 429);
}

TEST_F(SwitchIngest, BasicOperatorCredentialsOnTheStreamedIngest) {
  const auto r =
      server_.client().request("POST", "/v1/ingest/calls", "",
                               {{"Authorization", basic("operator", CdrdServer::kOperatorKey)},
                                {"Content-Type", "application/x-ndjson"}});
  EXPECT_EQ(r.status, 400) << r.body;  // authenticated; an empty body
  EXPECT_NE(r.body.find("empty body"), std::string::npos) << r.body;
}

TEST_F(SwitchIngest, AsteriskMasterCsvImportsInTheSwitchTimeZone) {
  const std::string dir = server_.data_dir();
  {
    std::ofstream out(dir + "/Master.csv");
    out << fixture("asterisk/Master.csv", acme_.auth_id);
  }
  const std::vector<std::string> args = {"--data-dir",    dir,
                                         "import",        "--format",
                                         "asterisk-csv",  "--time-zone",
                                         "Europe/Berlin", "--direction",
                                         "outbound",      "--account",
                                         acme_.auth_id,   "--retention-days",
                                         "36600",         dir + "/Master.csv"};
  auto r = run_cdrd(args);
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("stored 7, duplicates 0, failed 0"), std::string::npos) << r.out;
  // Several rows of one call (a transfer) are rows of their own; importing again adds nothing.
  r = run_cdrd(args);
  EXPECT_NE(r.out.find("stored 0, duplicates 7"), std::string::npos) << r.out;

  auto c = call("1796027400.1;PJSIP/carrier-00000002");
  EXPECT_EQ(std::string(c["initiation_time"].GetString()), "2026-11-30 08:30:00");  // CET
  EXPECT_EQ(c["call_duration"].GetInt(), 62);
  auto summer = call("1815638400.11;PJSIP/carrier-0000000c");
  EXPECT_EQ(std::string(summer["initiation_time"].GetString()), "2026-07-15 08:00:00");  // CEST
  auto busy = call("1796028000.3;PJSIP/carrier-00000004");
  EXPECT_EQ(std::string(busy["hangup_cause_name"].GetString()), "user_busy");

  // Without a default country the 00 numbers stay as sent; with DE they become E.164.
  EXPECT_EQ(std::string(c["to_number"].GetString()), "00442079460010");
  auto set = run_cdrd(
      {"--data-dir", dir, "account", "set", "--account", acme_.auth_id, "--default-country", "DE"});
  EXPECT_EQ(set.exit_code, 0) << set.out;
  EXPECT_NE(set.out.find("default_country:      DE"), std::string::npos) << set.out;
  {
    std::ofstream out(dir + "/custom.csv");
    out << fixture("asterisk/cdrd-custom.csv", acme_.auth_id);
  }
  r = run_cdrd({"--data-dir", dir, "import", "--format", "asterisk-custom", "--account",
                acme_.auth_id, "--retention-days", "36600", dir + "/custom.csv"});
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("stored 3"), std::string::npos) << r.out;
  auto custom = call("1796027400.17;21");
  EXPECT_EQ(std::string(custom["to_number"].GetString()), "+442079460020");
  EXPECT_EQ(std::string(custom["to_country"].GetString()), "GB");
  auto inbound = call("1796028600.21;23");
  EXPECT_EQ(std::string(inbound["call_direction"].GetString()), "inbound");
  EXPECT_EQ(std::string(inbound["from_number"].GetString()), "+442079460022");
}

TEST_F(SwitchIngest, AsteriskImportRefusesAnUnknownZoneAndAMissingDirection) {
  const std::string dir = server_.data_dir();
  {
    std::ofstream out(dir + "/Master.csv");
    out << fixture("asterisk/Master.csv", acme_.auth_id);
  }
  auto r = run_cdrd({"--data-dir", dir, "import", "--format", "asterisk-csv", "--time-zone",
                     "Mars/Olympus", "--direction", "outbound", dir + "/Master.csv"});
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.out.find("not a time zone"), std::string::npos) << r.out;
  r = run_cdrd({"--data-dir", dir, "import", "--format", "asterisk-csv", dir + "/Master.csv"});
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.out.find("--direction"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace cdrd::test
