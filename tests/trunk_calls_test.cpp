// Black-box tests of what links trunks and calls: an ingested call's trunk_id must be a trunk
// of its own account and gives the call its trunk_domain and secure_trunking; the trunk_id list
// filter on both representations; and Call Insights (docs/insights.md).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <memory>
#include <set>

#include "harness.h"
#include "records.h"
#include "trunk_client.h"

namespace cdrd::test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kCallsSipDomain = "calls.test.example";
Record call(const std::string& account, const std::string& uuid, const std::string& trunk_id,
            std::int64_t end_ago = 60) {
  Record r = with_own_billing(answered_call(account, uuid, 4, end_ago));
  r.set("hangup_cause_code", "3000")
      .set("hangup_cause_name", str("normal_hangup"))
      .set("hangup_source", str("carrier"));
  if (!trunk_id.empty()) r.set("trunk_id", str(trunk_id));
  return r;
}

class TrunkCallsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ =
        std::make_unique<CdrdServer>(std::vector<std::string>{"--sip-domain", kCallsSipDomain});
    alice_ = server_->create_account("alice");
    bob_ = server_->create_account("bob");
    TrunkClient a(*server_, alice_), b(*server_, bob_);
    plain_ = a.outbound_trunk(false, "plain");
    secure_ = a.outbound_trunk(true, "secure");
    inbound_ = a.inbound_trunk(false, "inbound");
    bobs_ = b.outbound_trunk(true, "bob's");
  }
  static void TearDownTestSuite() { server_.reset(); }

  static rapidjson::Document ingest_ok(const std::vector<Record>& records) {
    auto r = server_->ingest(ndjson(records));
    EXPECT_EQ(r.status, 200) << r.body;
    return parse_json(r.body);
  }
  static rapidjson::Document get_ok(const Credentials& who, const std::string& path) {
    auto r = server_->get(who, "/v1/Account/" + who.auth_id + path);
    EXPECT_EQ(r.status, 200) << path << " -> " << r.body;
    return parse_json(r.body);
  }
  static std::set<std::string> uuids(const Credentials& who, const std::string& path) {
    std::set<std::string> out;
    auto d = get_ok(who, path);
    for (auto& o : d["objects"].GetArray()) out.insert(o["call_uuid"].GetString());
    return out;
  }

  static inline std::unique_ptr<CdrdServer> server_;
  static inline Credentials alice_, bob_;
  static inline std::string plain_, secure_, inbound_, bobs_;
};

TEST_F(TrunkCallsTest, TrunkIdsAreGeneratedAndDomainsUseTheSetting) {
  for (const std::string& id : {plain_, secure_, inbound_, bobs_}) {
    EXPECT_EQ(id.size(), 17u);
    EXPECT_EQ(id.find_first_not_of("0123456789"), std::string::npos) << id;
  }
  auto t = get_ok(alice_, "/Zentrunk/Trunk/" + secure_ + "/");
  EXPECT_EQ(std::string(t["trunk_domain"].GetString()), secure_ + ".zt." + kCallsSipDomain);
}

TEST_F(TrunkCallsTest, ACallTakesDomainAndSecureTrunkingFromItsTrunk) {
  auto d = ingest_ok({call(alice_.auth_id, "link-secure", secure_),
                      call(alice_.auth_id, "link-plain", plain_),
                      call(alice_.auth_id, "link-given", secure_)
                          .set("trunk_domain", str("edge.example.org"))
                          .set("secure_trunking", "false"),
                      call(alice_.auth_id, "link-none", "")});
  EXPECT_EQ(d["stored"].GetInt(), 4) << "failed: " << d["failed"].Size();

  auto current = get_ok(alice_, "/Zentrunk/Call/link-secure/");
  EXPECT_EQ(std::string(current["trunk_domain"].GetString()), secure_ + ".zt." + kCallsSipDomain);
  EXPECT_TRUE(current["secure_trunking"].GetBool());
  auto legacy = get_ok(alice_, "/Call/link-secure/");
  EXPECT_EQ(std::string(legacy["trunk_id"].GetString()), secure_);
  EXPECT_EQ(std::string(legacy["trunk_domain"].GetString()), secure_ + ".zt." + kCallsSipDomain);
  EXPECT_TRUE(legacy["secure_trunking"].GetBool());

  auto plain = get_ok(alice_, "/Call/link-plain/");
  EXPECT_EQ(std::string(plain["trunk_domain"].GetString()), plain_ + ".zt." + kCallsSipDomain);
  EXPECT_FALSE(plain["secure_trunking"].GetBool());

  // What the record said itself is kept.
  auto given = get_ok(alice_, "/Call/link-given/");
  EXPECT_EQ(std::string(given["trunk_domain"].GetString()), "edge.example.org");
  EXPECT_FALSE(given["secure_trunking"].GetBool());

  auto none = get_ok(alice_, "/Call/link-none/");
  EXPECT_EQ(std::string(none["trunk_id"].GetString()), "");
  EXPECT_EQ(std::string(none["trunk_domain"].GetString()), "");
}

// The trunk link runs before rating: a raw call on a secure trunk that does not say
// secure_trunking itself is rated with the account's secure-trunking surcharge.
TEST_F(TrunkCallsTest, ARawCallOnASecureTrunkIsRatedWithTheSurcharge) {
  const Credentials carol = server_->create_account("carol");
  const std::string trunk = TrunkClient(*server_, carol).outbound_trunk(true, "carol secure");
  TempDir dir;
  const std::string deck = dir.path() + "/deck.csv";
  {
    std::ofstream out(deck);
    out << "prefix,rate,initial_increment,subsequent_increment\n91,0.03000,1,1\n";
  }
  const std::string data_dir = server_->data_dir();
  CommandResult r = run_cdrd({"--data-dir", data_dir, "ratedeck", "load", "--account",
                              carol.auth_id, "--direction", "outbound", deck});
  ASSERT_EQ(r.exit_code, 0) << r.out;
  r = run_cdrd({"--data-dir", data_dir, "account", "set", "--account", carol.auth_id,
                "--secure-trunking-rate", "0.01000"});
  ASSERT_EQ(r.exit_code, 0) << r.out;

  // 4 s of talk to +91...: 4 s billed (1/1), (0.03000 + 0.01000) x 4 / 60 = 0.0026666...
  auto d =
      ingest_ok({call(carol.auth_id, "rated-secure", trunk).unset("rate").unset("total_amount")});
  ASSERT_EQ(d["stored"].GetInt(), 1) << "failed: " << d["failed"].Size();
  auto current = get_ok(carol, "/Zentrunk/Call/rated-secure/");
  EXPECT_TRUE(current["secure_trunking"].GetBool());
  EXPECT_EQ(current["bill_duration"].GetInt(), 4);
  EXPECT_STREQ(current["total_rate"].GetString(), "0.04000");
  EXPECT_STREQ(current["secure_trunking_rate"].GetString(), "0.01000");
  EXPECT_STREQ(current["total_amount"].GetString(), "0.00267");
}

TEST_F(TrunkCallsTest, ACallNamingAnotherAccountsOrAnUnknownTrunkFailsItsLine) {
  auto r = server_->ingest(
      ndjson({call(alice_.auth_id, "bad-1", plain_), call(alice_.auth_id, "bad-2", bobs_),
              call(alice_.auth_id, "bad-3", "12345678901234567"),
              call(bob_.auth_id, "bad-4", bobs_), call(bob_.auth_id, "bad-5", plain_)}));
  ASSERT_EQ(r.status, 200) << r.body;
  auto d = parse_json(r.body);
  EXPECT_EQ(d["stored"].GetInt(), 2);
  ASSERT_EQ(d["failed"].Size(), 3u) << r.body;
  const int lines[] = {2, 3, 5};
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(d["failed"][i]["line"].GetInt(), lines[i]);
    EXPECT_THAT(std::string(d["failed"][i]["error"].GetString()),
                HasSubstr("trunk_id: the account has no trunk"));
  }
  EXPECT_EQ(server_->get(alice_, "/v1/Account/" + alice_.auth_id + "/Zentrunk/Call/bad-2/").status,
            404);
  EXPECT_EQ(server_->get(alice_, "/v1/Account/" + alice_.auth_id + "/Zentrunk/Call/bad-3/").status,
            404);
  EXPECT_EQ(server_->get(bob_, "/v1/Account/" + bob_.auth_id + "/Zentrunk/Call/bad-5/").status,
            404);
  EXPECT_EQ(server_->get(bob_, "/v1/Account/" + bob_.auth_id + "/Zentrunk/Call/bad-4/").status,
            200);
}

TEST_F(TrunkCallsTest, TheTrunkIdFilterWorksOnBothRepresentations) {
  ingest_ok({call(alice_.auth_id, "f-plain-1", plain_, 300),
             call(alice_.auth_id, "f-plain-2", plain_, 310),
             call(alice_.auth_id, "f-in-1", inbound_, 320).set("call_direction", str("inbound")),
             call(bob_.auth_id, "f-bob-1", bobs_, 330)});
  for (const char* path : {"/Zentrunk/Call/", "/Call/"}) {
    const std::set<std::string> got = uuids(alice_, std::string(path) + "?trunk_id=" + plain_);
    EXPECT_TRUE(got.count("f-plain-1") && got.count("f-plain-2")) << path;
    EXPECT_FALSE(got.count("f-in-1")) << path;
    for (const std::string& uuid : got) {
      auto one = get_ok(alice_, "/Call/" + uuid + "/");
      EXPECT_EQ(std::string(one["trunk_id"].GetString()), plain_) << uuid;
    }
    EXPECT_EQ(uuids(alice_, std::string(path) + "?trunk_id=" + inbound_),
              std::set<std::string>{"f-in-1"});
    // Another account's trunk matches none of alice's calls.
    EXPECT_TRUE(uuids(alice_, std::string(path) + "?trunk_id=" + bobs_).empty()) << path;
  }
}

TEST_F(TrunkCallsTest, DeletingATrunkKeepsItsCallsAndRefusesNewOnes) {
  TrunkClient a(*server_, alice_);
  const std::string doomed = a.outbound_trunk(true, "doomed");
  ingest_ok({call(alice_.auth_id, "d-1", doomed)});
  ASSERT_EQ(a.del("Trunk/" + doomed + "/").status, 204);
  auto kept = get_ok(alice_, "/Call/d-1/");
  EXPECT_EQ(std::string(kept["trunk_id"].GetString()), doomed);
  EXPECT_EQ(std::string(kept["trunk_domain"].GetString()), doomed + ".zt." + kCallsSipDomain);
  EXPECT_EQ(uuids(alice_, "/Call/?trunk_id=" + doomed), std::set<std::string>{"d-1"});
  auto r = parse_json(server_->ingest(ndjson({call(alice_.auth_id, "d-2", doomed)})).body);
  EXPECT_EQ(r["stored"].GetInt(), 0);
  EXPECT_EQ(r["failed"].Size(), 1u);
}

// ---- Call Insights -----------------------------------------------------------------------------

TEST_F(TrunkCallsTest, InsightsAnswerTheMetricsAndTheEModelScore) {
  ingest_ok({call(alice_.auth_id, "q-full", plain_)
                 .set("rtt_ms", "400")
                 .set("jitter_ms", str("30"))
                 .set("packet_loss_pct", "5")
                 .set("post_dial_delay_ms", "2300")
                 .set("caller_carrier", str("Airtel"))
                 .set("callee_carrier", str("Jio"))
                 .set("from_region", str("Maharashtra"))
                 .set("to_region", str("Karnataka"))});
  auto d = get_ok(alice_, "/Zentrunk/Call/q-full/Insights/");
  EXPECT_EQ(d.MemberCount(), 11u);
  EXPECT_TRUE(d["api_id"].IsString());
  EXPECT_EQ(std::string(d["call_uuid"].GetString()), "q-full");
  EXPECT_EQ(std::string(d["from"]["carrier"].GetString()), "Airtel");
  EXPECT_EQ(std::string(d["from"]["number"].GetString()), "+912235328936");
  EXPECT_EQ(std::string(d["from"]["region"].GetString()), "Maharashtra");
  EXPECT_EQ(std::string(d["to"]["carrier"].GetString()), "Jio");
  EXPECT_EQ(std::string(d["to"]["number"].GetString()), "+919943720205");
  EXPECT_EQ(std::string(d["to"]["region"].GetString()), "Karnataka");
  EXPECT_EQ(std::string(d["hangup_cause"].GetString()), "normal_hangup");
  EXPECT_EQ(std::string(d["hangup_source"].GetString()), "carrier");
  EXPECT_EQ(std::string(d["rtt"].GetString()), "400.0");
  EXPECT_EQ(std::string(d["jitter"].GetString()), "30.0");
  EXPECT_EQ(std::string(d["packet_loss"].GetString()), "5.0");
  EXPECT_EQ(d["post_dial_delay"].GetInt(), 2300);
  // docs/insights.md, worked example C: T = 260 ms, R = 62.04, MOS 3.20.
  EXPECT_EQ(std::string(d["plivo_quality_score"].GetString()), "3.2");
  // Without the trailing slash too.
  EXPECT_EQ(server_->get(alice_, "/v1/Account/" + alice_.auth_id + "/Zentrunk/Call/q-full/Insights")
                .status,
            200);
}

TEST_F(TrunkCallsTest, InsightsOfACallWithoutMetrics) {
  ingest_ok({call(alice_.auth_id, "q-none", plain_),
             call(alice_.auth_id, "q-rtt", plain_).set("rtt_ms", "35.25")});
  auto d = get_ok(alice_, "/Zentrunk/Call/q-none/Insights/");
  EXPECT_EQ(std::string(d["call_uuid"].GetString()), "q-none");
  EXPECT_EQ(std::string(d["from"]["number"].GetString()), "+912235328936");
  EXPECT_EQ(std::string(d["to"]["number"].GetString()), "+919943720205");
  EXPECT_EQ(std::string(d["hangup_cause"].GetString()), "normal_hangup");
  EXPECT_EQ(std::string(d["hangup_source"].GetString()), "carrier");
  EXPECT_TRUE(d["from"]["carrier"].IsNull());
  EXPECT_TRUE(d["to"]["region"].IsNull());
  for (const char* f : {"rtt", "jitter", "packet_loss", "post_dial_delay", "plivo_quality_score"}) {
    EXPECT_TRUE(d[f].IsNull()) << f;
  }
  // One metric alone is shown; the score needs rtt, jitter and packet loss.
  auto partial = get_ok(alice_, "/Zentrunk/Call/q-rtt/Insights/");
  EXPECT_EQ(std::string(partial["rtt"].GetString()), "35.25");
  EXPECT_TRUE(partial["plivo_quality_score"].IsNull());
}

TEST_F(TrunkCallsTest, InsightsOfAnotherAccountsCallAre404) {
  ingest_ok({call(bob_.auth_id, "q-bob", bobs_)
                 .set("rtt_ms", "20")
                 .set("jitter_ms", "1")
                 .set("packet_loss_pct", "0")
                 .set("caller_carrier", str("BobTel"))});
  auto r = server_->get(alice_, "/v1/Account/" + alice_.auth_id + "/Zentrunk/Call/q-bob/Insights/");
  EXPECT_EQ(r.status, 404);
  EXPECT_THAT(r.body, Not(HasSubstr("BobTel")));
  EXPECT_TRUE(parse_json(r.body).HasMember("api_id"));
  EXPECT_EQ(
      server_
          ->get(alice_, "/v1/Account/" + alice_.auth_id + "/Zentrunk/Call/no-such-call/Insights/")
          .status,
      404);
  auto cross =
      server_->get(alice_, "/v1/Account/" + bob_.auth_id + "/Zentrunk/Call/q-bob/Insights/");
  EXPECT_EQ(cross.status, 403);
  EXPECT_THAT(cross.body, Not(HasSubstr("BobTel")));
  EXPECT_EQ(server_->client()
                .get("/v1/Account/" + bob_.auth_id + "/Zentrunk/Call/q-bob/Insights/")
                .status,
            401);
  auto own = get_ok(bob_, "/Zentrunk/Call/q-bob/Insights/");
  EXPECT_EQ(std::string(own["from"]["carrier"].GetString()), "BobTel");
}

TEST_F(TrunkCallsTest, QualityMetricsAreValidatedAtIngest) {
  auto r = server_->ingest(
      ndjson({call(alice_.auth_id, "m-1", "").set("packet_loss_pct", "100"),
              call(alice_.auth_id, "m-2", "").set("packet_loss_pct", "100.5"),
              call(alice_.auth_id, "m-3", "").set("rtt_ms", "-1"),
              call(alice_.auth_id, "m-4", "").set("post_dial_delay_ms", "1.5"),
              call(alice_.auth_id, "m-5", "").set("jitter_ms", str("fast")),
              call(alice_.auth_id, "m-6", "").set("rtt_ms", "0").set("jitter_ms", "0")}));
  ASSERT_EQ(r.status, 200) << r.body;
  auto d = parse_json(r.body);
  EXPECT_EQ(d["stored"].GetInt(), 2);
  ASSERT_EQ(d["failed"].Size(), 4u);
  const char* fields[] = {"packet_loss_pct", "rtt_ms", "post_dial_delay_ms", "jitter_ms"};
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(d["failed"][i]["line"].GetInt(), i + 2);
    EXPECT_THAT(std::string(d["failed"][i]["error"].GetString()), HasSubstr(fields[i]));
  }
  auto lossy = get_ok(alice_, "/Zentrunk/Call/m-1/Insights/");
  EXPECT_EQ(std::string(lossy["packet_loss"].GetString()), "100.0");
}

}  // namespace
}  // namespace cdrd::test

namespace cdrd::test {
namespace {

TEST(TrunkDefaultCountry, NumbersOfATrunksCallsAreReadAsDialledInItsCountry) {
  CdrdServer server;
  const Credentials carol = server.create_account("carol");
  const TrunkClient c(server, carol);
  const std::string trunk = c.outbound_trunk(false, "uk office");
  // Set, shown, refused when malformed, cleared with null.
  auto r = c.post("Trunk/" + trunk + "/", R"({"default_country": "GB"})");
  ASSERT_EQ(r.status, 202) << r.body;
  EXPECT_EQ(
      std::string(parse_json(c.get("Trunk/" + trunk + "/").body)["default_country"].GetString()),
      "GB");
  r = c.post("Trunk/" + trunk + "/", R"({"default_country": "uk"})");
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_THAT(r.body, ::testing::HasSubstr("default_country"));

  // A national UK number and a 00 number through the trunk: E.164. Without the trunk: as sent.
  Record via_trunk = with_own_billing(answered_call(carol.auth_id, "gb-1", 4, 60));
  via_trunk.set("trunk_id", str(trunk))
      .set("from_number", str("020 7946 0000"))
      .set("to_number", str("0033 1 40 20 50 50"));
  Record direct = with_own_billing(answered_call(carol.auth_id, "gb-2", 4, 60));
  direct.set("from_number", str("020 7946 0000"));
  ASSERT_EQ(server.ingest(ndjson({via_trunk, direct})).status, 200);
  auto one =
      parse_json(server.get(carol, "/v1/Account/" + carol.auth_id + "/Zentrunk/Call/gb-1/").body);
  EXPECT_EQ(std::string(one["from_number"].GetString()), "+442079460000");
  EXPECT_EQ(std::string(one["to_number"].GetString()), "+33140205050");
  EXPECT_EQ(std::string(one["to_country"].GetString()), "FR");
  auto two =
      parse_json(server.get(carol, "/v1/Account/" + carol.auth_id + "/Zentrunk/Call/gb-2/").body);
  EXPECT_EQ(std::string(two["from_number"].GetString()), "020 7946 0000");

  r = c.post("Trunk/" + trunk + "/", R"({"default_country": null})");
  ASSERT_EQ(r.status, 202) << r.body;
  EXPECT_TRUE(parse_json(c.get("Trunk/" + trunk + "/").body)["default_country"].IsNull());
}

}  // namespace
}  // namespace cdrd::test
