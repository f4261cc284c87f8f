// Black-box tests of rating and enrichment (docs/rating.md) against the real binary: decks
// loaded with `cdrd ratedeck load` and with PUT /v1/ratedecks/..., raw records (no rate, no
// amount) ingested over HTTP and read back through both Call representations; all-or-nothing
// deck loads, effective dates, secure trunking, provided billing, re-rating, the unrated report,
// countries, hangup names and STIR checks.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include "harness.h"
#include "records.h"
#include "server_fixture.h"

namespace cdrd::test {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;

// Every deck row starts in the past, so calls of the last minutes are rated by it.
constexpr const char* kDeck =
    "prefix,rate,initial_increment,subsequent_increment,effective_from,direction\n"
    "91,0.03000,1,1,2020-01-01,outbound\n"
    "1,0.01000,60,60,,outbound\n"
    "1212,0.00800,30,6,,outbound\n"
    "1,0.00300,60,60,,inbound\n";

// A switch's raw record: no rate, no amount, no countries, no cause name. Answered calls ring
// 8 s and talk `talk` seconds, ending a minute ago.
Record raw(const std::string& account, const std::string& uuid, const std::string& to,
           std::int64_t talk, const std::string& direction = "outbound",
           const std::string& from = "+912235328936") {
  Record r = answered_call(account, uuid, talk);
  r.set("call_direction", str(direction))
      .set("from_number", str(from))
      .set("to_number", str(to))
      .set("hangup_cause_code", "3000");
  if (talk < 0) r.unset("answer_time");
  return r;
}

// A JSON document whose numbers stay the text they were sent as (money must be exact).
rapidjson::Document exact_json(const std::string& text) {
  rapidjson::Document d;
  d.Parse<rapidjson::kParseNumbersAsStringsFlag>(text.c_str());
  if (d.HasParseError()) throw std::runtime_error("not JSON: " + text);
  return d;
}

class Rating : public ServerTest {
 protected:
  http::ClientResponse put_deck(const std::string& path, const std::string& csv,
                                const std::string& key = CdrdServer::kOperatorKey) const {
    return server_.client().request(
        "PUT", path, csv, {{"Authorization", "Bearer " + key}, {"Content-Type", "text/csv"}});
  }
  http::ClientResponse get_deck(const std::string& path) const {
    return server_.client().request(
        "GET", path, "", {{"Authorization", std::string("Bearer ") + CdrdServer::kOperatorKey}});
  }
  void ingest_ok(const std::vector<Record>& records) const {
    auto r = server_.ingest(ndjson(records));
    ASSERT_EQ(r.status, 200) << r.body;
    auto d = parse_json(r.body);
    ASSERT_EQ(d["failed"].Size(), 0u) << r.body;
  }
  // The call in the current (`Zentrunk/Call`) and the legacy (`Call`) representation.
  rapidjson::Document current(const std::string& uuid) const {
    auto r = server_.get(acme_, "/v1/Account/" + acme_.auth_id + "/Zentrunk/Call/" + uuid + "/");
    EXPECT_EQ(r.status, 200) << r.body;
    return exact_json(r.body);
  }
  rapidjson::Document legacy(const std::string& uuid) const {
    auto r = server_.get(acme_, "/v1/Account/" + acme_.auth_id + "/Call/" + uuid + "/");
    EXPECT_EQ(r.status, 200) << r.body;
    return exact_json(r.body);
  }
  std::string amount(const std::string& uuid) const {
    return current(uuid)["total_amount"].GetString();
  }
};

std::string s(const rapidjson::Value& v) { return v.GetString(); }
// Integers read with kParseNumbersAsStringsFlag are their text too.
std::int64_t i(const rapidjson::Value& v) {
  return v.IsString() ? std::stoll(v.GetString()) : v.GetInt64();
}

TEST_F(Rating, DeckLoadedWithTheCliRatesRawRecordsInBothRepresentations) {
  const auto load =
      cdrd({"ratedeck", "load", "--account", acme_.auth_id, write("deck.csv", kDeck)});
  ASSERT_EQ(load.exit_code, 0) << load.out;
  EXPECT_THAT(load.out, HasSubstr("outbound: 3 rows, 3 prefixes (before: 0 rows)"));
  EXPECT_THAT(load.out, HasSubstr("inbound:  1 rows, 1 prefixes (before: 0 rows)"));

  ingest_ok({
      raw(acme_.auth_id, "seed", "+919943720205", 4),  // seed 000: 4 s at 0.03, 1/1
      raw(acme_.auth_id, "nyc", "+12125551234", 31),   // 1212, 30/6: 36 s
      raw(acme_.auth_id, "la", "+13105550000", 61),    // 1, 60/60: 120 s
      raw(acme_.auth_id, "in", "+12125551234", 61, "inbound", "+442079460000"),
      raw(acme_.auth_id, "paris", "+33142685300", 10),    // no prefix: unrated
      raw(acme_.auth_id, "missed", "+919943720205", -1),  // unanswered: bills 0
  });

  // The seed's example, exactly.
  auto seed = current("seed");
  EXPECT_EQ(i(seed["call_duration"]), 4);
  EXPECT_EQ(i(seed["bill_duration"]), 4);
  EXPECT_EQ(i(seed["billed_duration"]), 4);
  EXPECT_EQ(s(seed["total_rate"]), "0.03000");
  EXPECT_EQ(s(seed["total_amount"]), "0.00200");
  EXPECT_EQ(s(seed["secure_trunking_rate"]), "0.00000");
  EXPECT_EQ(s(seed["from_country"]), "IN");
  EXPECT_EQ(s(seed["to_country"]), "IN");
  EXPECT_EQ(s(seed["hangup_cause_name"]), "normal_hangup");
  auto seed_legacy = legacy("seed");
  EXPECT_EQ(s(seed_legacy["rate"]), "0.03");  // a JSON number in the legacy shape
  EXPECT_EQ(s(seed_legacy["total_amount"]), "0.002");
  EXPECT_EQ(i(seed_legacy["bill_duration"]), 4);
  EXPECT_EQ(s(seed_legacy["hangup_cause"]), "normal_hangup");
  EXPECT_EQ(s(seed_legacy["from_country"]), "IN");

  auto nyc = current("nyc");
  EXPECT_EQ(i(nyc["bill_duration"]), 36);
  EXPECT_EQ(s(nyc["total_rate"]), "0.00800");
  EXPECT_EQ(s(nyc["total_amount"]), "0.00480");
  EXPECT_EQ(s(nyc["to_country"]), "US");
  EXPECT_EQ(s(legacy("nyc")["total_amount"]), "0.0048");

  EXPECT_EQ(i(current("la")["bill_duration"]), 120);
  EXPECT_EQ(amount("la"), "0.02000");

  auto in = current("in");  // inbound: the inbound deck, by the number called
  EXPECT_EQ(s(in["total_rate"]), "0.00300");
  EXPECT_EQ(i(in["bill_duration"]), 120);
  EXPECT_EQ(s(in["total_amount"]), "0.00600");
  EXPECT_EQ(s(in["from_country"]), "GB");

  auto paris = current("paris");
  EXPECT_EQ(s(paris["total_rate"]), "0.00000");
  EXPECT_EQ(s(paris["total_amount"]), "0.00000");
  EXPECT_EQ(i(paris["bill_duration"]), 10);
  EXPECT_EQ(s(paris["to_country"]), "FR");
  EXPECT_EQ(s(legacy("paris")["rate"]), "0");

  auto missed = current("missed");
  EXPECT_EQ(i(missed["bill_duration"]), 0);
  EXPECT_EQ(s(missed["total_rate"]), "0.03000");
  EXPECT_EQ(s(missed["total_amount"]), "0.00000");

  // The list answers with the same values as the single call.
  auto list = server_.get(
      acme_, "/v1/Account/" + acme_.auth_id + "/Zentrunk/Call/?to_number=91994&bill_duration=4");
  auto page = exact_json(list.body);
  ASSERT_EQ(page["objects"].Size(), 1u) << list.body;
  EXPECT_EQ(s(page["objects"][0]["total_amount"]), "0.00200");
}

TEST_F(Rating, DeckPutOverTheApiAndTheSecureTrunkingSurcharge) {
  const std::string path = "/v1/ratedecks/" + acme_.auth_id + "/outbound";
  auto put = put_deck(path, "prefix,rate,initial_increment,subsequent_increment\n91,0.03,1,1\n");
  ASSERT_EQ(put.status, 200) << put.body;
  auto body = parse_json(put.body);
  EXPECT_STREQ(body["message"].GetString(), "Rate deck loaded.");
  EXPECT_EQ(body["outbound"]["rows"].GetInt(), 1);
  EXPECT_EQ(get_deck(path).body,
            "prefix,rate,initial_increment,subsequent_increment,effective_from,direction\n"
            "91,0.03000,1,1,,outbound\n");

  const auto set =
      cdrd({"account", "set", "--account", acme_.auth_id, "--secure-trunking-rate", "0.00100"});
  ASSERT_EQ(set.exit_code, 0) << set.out;
  EXPECT_THAT(set.out, HasSubstr("secure_trunking_rate: 0.00100 per minute"));

  ingest_ok({raw(acme_.auth_id, "secure", "+919943720205", 60).set("secure_trunking", "true"),
             raw(acme_.auth_id, "plain", "+919943720205", 60)});
  auto secure = current("secure");
  EXPECT_EQ(s(secure["total_rate"]), "0.03100");
  EXPECT_EQ(s(secure["secure_trunking_rate"]), "0.00100");
  EXPECT_EQ(s(secure["total_amount"]), "0.03100");
  auto secure_legacy = legacy("secure");
  EXPECT_EQ(s(secure_legacy["rate"]), "0.03");
  EXPECT_EQ(s(secure_legacy["secure_trunking_rate"]), "0.001");
  EXPECT_EQ(s(secure_legacy["total_amount"]), "0.031");
  EXPECT_EQ(amount("plain"), "0.03000");

  // Wrong key, wrong direction, unknown account: refused with the error body.
  EXPECT_EQ(
      put_deck(path, "prefix,rate,initial_increment,subsequent_increment\n", "not-the-operator-key")
          .status,
      401);
  auto sideways = put_deck("/v1/ratedecks/" + acme_.auth_id + "/sideways", "x");
  EXPECT_EQ(sideways.status, 400);
  EXPECT_THAT(parse_json(sideways.body)["error"].GetString(), HasSubstr("inbound or outbound"));
  auto nobody = put_deck("/v1/ratedecks/MA0000000000000000ZZ/outbound", "x");
  EXPECT_EQ(nobody.status, 404);
  EXPECT_TRUE(parse_json(nobody.body).HasMember("api_id"));
  EXPECT_EQ(server_.client().request("DELETE", path).status, 405);
}

TEST_F(Rating, ARowIsInForceFromItsExactSecond) {
  // 0.02 from the second `late` is initiated; `early` starts one second before it.
  const std::string change = ago(60 + 4 + 8);
  ASSERT_EQ(put_deck("/v1/ratedecks/" + acme_.auth_id,
                     "prefix,rate,initial_increment,subsequent_increment,effective_from\n"
                     "91,0.03,1,1,\n"
                     "91,0.06,1,1," +
                         change + "\n")
                .status,
            200);
  Record early = raw(acme_.auth_id, "early", "+919943720205", 4);
  early.set("initiation_time", str(ago(60 + 4 + 8 + 1)));
  ingest_ok({early, raw(acme_.auth_id, "late", "+919943720205", 4)});
  EXPECT_EQ(current("early")["total_rate"].GetString(), std::string("0.03000"));
  EXPECT_EQ(current("late")["total_rate"].GetString(), std::string("0.06000"));
  EXPECT_EQ(amount("late"), "0.00400");
}

TEST_F(Rating, ABadDeckIsRefusedWholeAndTheDeckInForceStays) {
  ASSERT_EQ(
      cdrd({"ratedeck", "load", "--account", acme_.auth_id, write("good.csv", kDeck)}).exit_code,
      0);
  const std::string before = get_deck("/v1/ratedecks/" + acme_.auth_id).body;

  const auto cli = cdrd({"ratedeck", "load", "--account", acme_.auth_id, "--direction", "outbound",
                         write("bad.csv",
                               "prefix,rate,initial_increment,subsequent_increment\n"
                               "44,0.05,60,60\n"
                               "33,0.0x5,60,60\n")});
  EXPECT_EQ(cli.exit_code, 2);
  EXPECT_THAT(cli.out, HasSubstr("rate deck row 3: rate: '0.0x5' is not a decimal number"));
  EXPECT_THAT(cli.out, HasSubstr("nothing loaded"));

  for (const std::string& bad : {
           std::string("prefix,rate,initial_increment,subsequent_increment,zone\n"),
           std::string("prefix,rate,initial_increment,subsequent_increment\n44,0.05,-1,60\n"),
           std::string("prefix,rate,initial_increment,subsequent_increment,effective_from\n"
                       "44,0.05,60,60,2024-01-01\n44,0.04,60,60,2024-01-01 00:00:00\n"),
       }) {
    auto r = put_deck("/v1/ratedecks/" + acme_.auth_id + "/outbound", bad);
    EXPECT_EQ(r.status, 400) << bad;
    EXPECT_THAT(parse_json(r.body)["error"].GetString(), HasSubstr("rate deck row")) << bad;
  }
  auto dup =
      put_deck("/v1/ratedecks/" + acme_.auth_id + "/outbound",
               "prefix,rate,initial_increment,subsequent_increment\n44,1,60,60\n44,2,60,60\n");
  EXPECT_EQ(std::string(parse_json(dup.body)["error"].GetString()),
            "rate deck row 3: duplicate of row 2 (outbound, prefix 44, effective_from since the "
            "beginning)");

  EXPECT_EQ(get_deck("/v1/ratedecks/" + acme_.auth_id).body, before);
  ingest_ok({raw(acme_.auth_id, "after", "+919943720205", 4)});
  EXPECT_EQ(amount("after"), "0.00200");
}

TEST_F(Rating, ProvidedBillingIsKeptUnlessTheAccountAlwaysRerates) {
  ASSERT_EQ(put_deck("/v1/ratedecks/" + acme_.auth_id, kDeck).status, 200);
  ingest_ok({raw(acme_.auth_id, "own", "+919943720205", 4)
                 .set("rate", str("0.50000"))
                 .set("total_amount", str("0.03333"))});
  EXPECT_EQ(amount("own"), "0.03333");
  EXPECT_EQ(current("own")["total_rate"].GetString(), std::string("0.50000"));

  auto half = server_.ingest(
      ndjson({raw(acme_.auth_id, "half", "+919943720205", 4).set("rate", str("0.50000"))}));
  EXPECT_THAT(parse_json(half.body)["failed"][0]["error"].GetString(),
              HasSubstr("rate, total_amount: give both"));

  ASSERT_EQ(
      cdrd({"account", "set", "--account", acme_.auth_id, "--always-rerate", "true"}).exit_code, 0);
  ingest_ok({raw(acme_.auth_id, "own2", "+919943720205", 4)
                 .set("rate", str("0.50000"))
                 .set("total_amount", str("0.03333"))});
  EXPECT_EQ(amount("own2"), "0.00200");
}

TEST_F(Rating, RerateAfterADeckChangeThenNothingTheSecondTime) {
  ASSERT_EQ(
      cdrd({"ratedeck", "load", "--account", acme_.auth_id, write("v1.csv", kDeck)}).exit_code, 0);
  ingest_ok(
      {raw(acme_.auth_id, "a", "+919943720205", 4), raw(acme_.auth_id, "b", "+919812345678", 120),
       raw(acme_.auth_id, "c", "+33142685300", 30), raw(acme_.auth_id, "d", "+13105550000", 61)});
  EXPECT_EQ(amount("b"), "0.06000");
  EXPECT_EQ(amount("c"), "0.00000");

  // India gets cheaper and France gets a rate; loaded by the CLI while the server runs.
  const auto v2 = cdrd({"ratedeck", "load", "--account", acme_.auth_id, "--direction", "outbound",
                        write("v2.csv",
                              "prefix,rate,initial_increment,subsequent_increment\n"
                              "91,0.01500,1,1\n1,0.01000,60,60\n33,0.06000,60,60\n")});
  ASSERT_EQ(v2.exit_code, 0) << v2.out;
  // The running server rates new calls with the new deck at once.
  ingest_ok({raw(acme_.auth_id, "e", "+919943720205", 4)});
  EXPECT_EQ(amount("e"), "0.00100");
  // Stored calls keep their billing until re-rated.
  EXPECT_EQ(amount("a"), "0.00200");

  const std::string since = ago(3600);
  const auto first = cdrd({"rerate", "--account", acme_.auth_id, "--since", since});
  ASSERT_EQ(first.exit_code, 0) << first.out;
  EXPECT_THAT(first.out, HasSubstr("changed 3 of 5 (now rated 3, now unrated 0)"));
  EXPECT_EQ(amount("a"), "0.00100");
  EXPECT_EQ(amount("b"), "0.03000");
  EXPECT_EQ(amount("c"), "0.06000");
  EXPECT_EQ(legacy("c")["rate"].GetString(), std::string("0.06"));
  EXPECT_EQ(amount("d"), "0.02000");

  const auto second = cdrd({"rerate", "--account", acme_.auth_id, "--since", since});
  ASSERT_EQ(second.exit_code, 0) << second.out;
  EXPECT_THAT(second.out, HasSubstr("changed 0 of 5"));

  // A window that ends before the calls: nothing examined.
  const auto before = cdrd(
      {"rerate", "--account", acme_.auth_id, "--since", "2020-01-01", "--until", "2020-02-01"});
  EXPECT_THAT(before.out, HasSubstr("changed 0 of 0"));
  const auto bad = cdrd({"rerate", "--account", acme_.auth_id, "--since", "yesterday"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.out, HasSubstr("--since: 'yesterday' is not a UTC time"));
}

TEST_F(Rating, ReportListsUnratedCallsByPrefix) {
  ASSERT_EQ(put_deck("/v1/ratedecks/" + acme_.auth_id, kDeck).status, 200);
  ingest_ok({raw(acme_.auth_id, "p1", "+33142685300", 30),
             raw(acme_.auth_id, "p2", "+33142685301", 12),
             raw(acme_.auth_id, "m1", "+33612345678", 5), raw(acme_.auth_id, "sip", "alice", 7),
             raw(acme_.auth_id, "rated", "+919943720205", 4)});
  const auto report = cdrd({"rating", "report", "--account", acme_.auth_id});
  ASSERT_EQ(report.exit_code, 0) << report.out;
  EXPECT_THAT(report.out, HasSubstr("unrated calls of " + acme_.auth_id + " (all calls): 4"));
  EXPECT_THAT(report.out, MatchesRegex("(.|\n)*outbound +3314 +FR +2 +42 (.|\n)*"));
  EXPECT_THAT(report.out, MatchesRegex("(.|\n)*outbound +3361 +FR +1 +5 (.|\n)*"));
  EXPECT_THAT(report.out, MatchesRegex("(.|\n)*outbound +\\(not a number\\) +- +1 +7 (.|\n)*"));
  EXPECT_THAT(report.out, ::testing::Not(HasSubstr("9199")));

  const auto two = cdrd({"rating", "report", "--account", acme_.auth_id, "--digits", "2"});
  EXPECT_THAT(two.out, MatchesRegex("(.|\n)*outbound +33 +FR +3 +47 (.|\n)*"));

  // After the missing prefix is added and the calls re-rated, they are no longer unrated.
  ASSERT_EQ(put_deck("/v1/ratedecks/" + acme_.auth_id + "/outbound",
                     "prefix,rate,initial_increment,subsequent_increment\n"
                     "91,0.03,1,1\n33,0.05,60,60\n")
                .status,
            200);
  ASSERT_EQ(cdrd({"rerate", "--account", acme_.auth_id, "--since", ago(3600)}).exit_code, 0);
  EXPECT_THAT(cdrd({"rating", "report", "--account", acme_.auth_id}).out,
              HasSubstr("(all calls): 1\n"));
}

TEST_F(Rating, CountriesHangupNamesAndStir) {
  ingest_ok({
      raw(acme_.auth_id, "legacy", "12604109832", 5, "outbound", "552135006716"),
      raw(acme_.auth_id, "ext", "1001", 5, "outbound", "alice"),
      raw(acme_.auth_id, "ru", "+74957397000", 5).set("hangup_cause_code", "4080"),
      raw(acme_.auth_id, "vendor", "+74957397000", 5)
          .set("hangup_cause_code", "9999")
          .set("hangup_cause_name", str("vendor_specific")),
      raw(acme_.auth_id, "stir", "+12604109832", 5)
          .set("stir_verification", str("verified"))
          .set("attestation_indicator", str("A")),
  });
  auto seed001 = legacy("legacy");  // seed 001's numbers, bare digits
  EXPECT_EQ(s(seed001["from_country"]), "BR");
  EXPECT_EQ(s(seed001["to_country"]), "US");
  auto ext = current("ext");
  EXPECT_EQ(s(ext["from_country"]), "");
  EXPECT_EQ(s(ext["to_country"]), "");
  EXPECT_EQ(s(current("ru")["to_country"]), "RU");
  EXPECT_EQ(s(current("ru")["hangup_cause_name"]), "route_not_found");
  EXPECT_EQ(s(current("vendor")["hangup_cause_name"]), "vendor_specific");
  EXPECT_EQ(s(legacy("stir")["stir_verification"]), "Verified");

  auto refused = server_.ingest(ndjson({
      raw(acme_.auth_id, "x1", "+919943720205", 5).set("hangup_cause_name", str("busy_line")),
      raw(acme_.auth_id, "x2", "+919943720205", 5).set("to_country", str("US")),
      raw(acme_.auth_id, "x3", "+12604109832", 5)
          .set("stir_verification", str("Verified"))
          .set("attestation_indicator", str("B")),
  }));
  ASSERT_EQ(refused.status, 400) << refused.body;
  const auto doc = parse_json(refused.body);
  const auto& failed = doc["failed"];
  ASSERT_EQ(failed.Size(), 3u);
  EXPECT_STREQ(failed[0]["error"].GetString(),
               "hangup_cause_name: 'busy_line' contradicts hangup_cause_code 3000 (normal_hangup)");
  EXPECT_THAT(failed[1]["error"].GetString(),
              HasSubstr("to_country: 'US' contradicts to_number '+919943720205', a number of IN"));
  EXPECT_THAT(failed[2]["error"].GetString(),
              HasSubstr("attestation_indicator: 'B' contradicts stir_verification 'Verified'"));
}

}  // namespace
}  // namespace cdrd::test
