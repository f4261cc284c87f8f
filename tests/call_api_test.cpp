// Black-box tests of the SIP-trunk Call API (seeds 000/001): the real binary, a temporary
// database, records ingested over HTTP, then every filter, both representations, pagination,
// auth and the error cases, checked against a model of the ingested calls kept by the test.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <memory>
#include <set>

#include "harness.h"
#include "records.h"
#include "store/sqlite/stores.h"
#include "trunk_client.h"

namespace cdrd::test {
namespace {

struct ModelCall {
  std::string uuid, direction, from, to, trunk, source, stir;
  int code = 3000;
  std::int64_t bill = 0;
  std::int64_t end_ago = 0;  // seconds before now
  std::int64_t init_ago = 0;
  bool answered = true;
};

// All the test's times are relative to one instant, taken once: test_base(), through ago().
Record to_record(const std::string& account, const ModelCall& c) {
  Record r;
  r.set("account", str(account))
      .set("call_uuid", str(c.uuid))
      .set("call_direction", str(c.direction))
      .set("from_number", str(c.from))
      .set("to_number", str(c.to))
      .set("initiation_time", str(ago(c.init_ago)))
      .set("end_time", str(ago(c.end_ago)))
      .set("trunk_id", str(c.trunk))
      .set("trunk_domain", str(c.trunk + ".zt.example.net"))
      .set("hangup_cause_code", std::to_string(c.code))
      .set("hangup_source", str(c.source))
      .set("stir_verification", str(c.stir))
      .set("rate", str("0.03000"))
      .set("total_amount", str("0.00200"))
      .set("bill_duration", std::to_string(c.bill));
  if (c.answered) {
    r.set("answer_time", str(ago(c.init_ago - 2)));
    r.set("duration", std::to_string(c.init_ago - 2 - c.end_ago));
  }
  if (c.stir == "Verified") r.set("attestation_indicator", str("A"));
  return r;
}

class CallApiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = std::make_unique<CdrdServer>();
    alice_ = server_->create_account("alice");
    bob_ = server_->create_account("bob");
    // Every call names a trunk of its own account.
    trunk_a_ = TrunkClient(*server_, alice_).outbound_trunk();
    trunk_b_ = TrunkClient(*server_, alice_).outbound_trunk();
    // 48 calls of alice's, varied on every filtered field; end times spread over 40 days with
    // some ties (i/2) to exercise the tie-break.
    const char* froms[] = {"+912235328936", "+14155550100", "+442071234567", "alice.sip"};
    const char* tos[] = {"+919943720205", "+12125550199", "+919812345678", "+552135006716"};
    const char* sources[] = {"customer", "carrier", "zentrunk"};
    const char* stirs[] = {"Not Applicable", "Verified", "Not Verified"};
    const int codes[] = {3000, 3010, 4080, 5000};
    for (int i = 0; i < 48; ++i) {
      ModelCall c;
      c.uuid = "00000000-0000-4000-8000-" + std::string(12 - std::to_string(i).size(), '0') +
               std::to_string(i);
      c.direction = i % 3 == 0 ? "inbound" : "outbound";
      c.from = froms[i % 4];
      c.to = tos[(i / 2) % 4];
      c.trunk = i % 2 ? trunk_a_ : trunk_b_;
      c.source = sources[i % 3];
      c.stir = stirs[(i / 3) % 3];
      c.code = codes[i % 4];
      c.bill = (i * 37) % 400;
      // Calls 0..41 are inside 30 days; 42..45 between 30 and 90 days; 46, 47 beyond 90 days.
      c.end_ago =
          i < 42 ? 600 + (i / 2) * 86400 / 2 : (i < 46 ? 40 * 86400 + i * 3600 : 100 * 86400);
      c.init_ago = c.end_ago + 60 + c.bill;
      c.answered = i % 5 != 4;
      calls_.push_back(c);
    }
    std::vector<Record> records;
    std::vector<CallRecord> expired;  // ingest refuses calls past retention: written directly
    auto store = std::move(sqlite::open_stores(server_->data_dir() + "/cdrd.db")).value();
    const std::int64_t alice_id = (*store->accounts.find_account_by_auth_id(alice_.auth_id))->id;
    for (const auto& c : calls_) {
      if (c.end_ago < 90 * 86400) {
        records.push_back(to_record(alice_.auth_id, c));
        continue;
      }
      CallRecord e;
      e.account_id = alice_id;
      e.call_uuid = c.uuid;
      e.direction = c.direction == "inbound" ? Direction::kInbound : Direction::kOutbound;
      e.from_number = c.from;
      e.to_number = c.to;
      e.initiation_time = test_base() - c.init_ago * kMicrosPerSecond;
      e.end_time = test_base() - c.end_ago * kMicrosPerSecond;
      expired.push_back(e);
    }
    ASSERT_TRUE(store->calls.insert_calls(expired).ok());
    store.reset();
    // One of bob's, to check it never shows up for alice.
    ModelCall b = calls_[0];
    b.uuid = "bbbbbbbb-0000-4000-8000-000000000001";
    b.trunk = TrunkClient(*server_, bob_).outbound_trunk();
    records.push_back(to_record(bob_.auth_id, b));
    auto r = server_->ingest(ndjson(records));
    ASSERT_EQ(r.status, 200) << r.body;
    auto body = parse_json(r.body);
    ASSERT_EQ(body["stored"].GetInt(), 47) << r.body;
  }
  static void TearDownTestSuite() { server_.reset(); }

  static rapidjson::Document get_ok(const std::string& target) {
    auto r = server_->get(alice_, target);
    EXPECT_EQ(r.status, 200) << target << " -> " << r.body;
    return parse_json(r.body);
  }

  static std::string list_path(bool legacy = false) {
    return "/v1/Account/" + alice_.auth_id + (legacy ? "/Call/" : "/Zentrunk/Call/");
  }

  // All uuids a filter returns, following every page.
  static std::vector<std::string> all_uuids(const std::string& query, bool legacy = false) {
    std::vector<std::string> out;
    for (int offset = 0;; offset += 20) {
      auto d = get_ok(list_path(legacy) + "?" + query + (query.empty() ? "" : "&") +
                      "offset=" + std::to_string(offset));
      for (auto& o : d["objects"].GetArray()) out.push_back(o["call_uuid"].GetString());
      if (offset + 20 >= d["meta"]["total_count"].GetInt64()) break;
    }
    return out;
  }

  // The model's answer: alice's calls inside `window_days` that pass `keep`, newest first.
  static std::vector<std::string> expected(const std::function<bool(const ModelCall&)>& keep,
                                           std::int64_t window_days = 30) {
    std::vector<const ModelCall*> hits;
    for (const auto& c : calls_) {
      if (c.end_ago < window_days * 86400 && keep(c)) hits.push_back(&c);
    }
    // Newest end_time first; ties newest stored first (the records are ingested in calls_
    // order, so a later element of calls_ was stored later).
    std::sort(hits.begin(), hits.end(), [](const ModelCall* a, const ModelCall* b) {
      return a->end_ago != b->end_ago ? a->end_ago < b->end_ago : a > b;
    });
    std::vector<std::string> out;
    for (auto* c : hits) out.push_back(c->uuid);
    return out;
  }

  static std::set<std::string> as_set(const std::vector<std::string>& v) {
    return {v.begin(), v.end()};
  }

  static inline std::unique_ptr<CdrdServer> server_;
  static inline Credentials alice_, bob_;
  static inline std::string trunk_a_, trunk_b_;  // alice's
  static inline std::vector<ModelCall> calls_;
};

TEST_F(CallApiTest, RetrieveCurrentRepresentationHasEveryFieldWithItsType) {
  auto d = get_ok(list_path() + calls_[1].uuid + "/");
  ASSERT_TRUE(d.IsObject());
  for (const char* f :
       {"call_uuid", "from_number", "to_number", "call_direction", "initiation_time", "end_time",
        "hangup_cause_name", "hangup_source", "total_rate", "total_amount", "trunk_domain",
        "from_country", "to_country", "transport_protocol", "secure_trunking_rate",
        "stir_verification", "attestation_indicator", "call_id", "cnam_lookup_rate"}) {
    ASSERT_TRUE(d.HasMember(f)) << f;
    EXPECT_TRUE(d[f].IsString()) << f;
  }
  for (const char* f : {"call_duration", "bill_duration", "billed_duration", "hangup_cause_code"}) {
    ASSERT_TRUE(d.HasMember(f)) << f;
    EXPECT_TRUE(d[f].IsInt64()) << f;
  }
  for (const char* f : {"srtp", "secure_trunking", "cnam_lookup"}) {
    ASSERT_TRUE(d.HasMember(f)) << f;
    EXPECT_TRUE(d[f].IsBool()) << f;
  }
  ASSERT_TRUE(d.HasMember("answer_time"));
  EXPECT_TRUE(d["answer_time"].IsString());
  EXPECT_EQ(std::string(d["call_uuid"].GetString()), calls_[1].uuid);
  EXPECT_EQ(std::string(d["total_rate"].GetString()), "0.03000");
  EXPECT_EQ(std::string(d["total_amount"].GetString()), "0.00200");
  EXPECT_EQ(d["bill_duration"].GetInt64(), calls_[1].bill);
  EXPECT_EQ(d["billed_duration"].GetInt64(), calls_[1].bill);
  EXPECT_EQ(std::string(d["end_time"].GetString()).size(), 19u);
}

TEST_F(CallApiTest, RetrieveLegacyRepresentationHasEveryFieldWithItsType) {
  auto d = get_ok(list_path(true) + calls_[2].uuid + "/");
  for (const char* f :
       {"call_uuid", "trunk_id", "end_time", "call_direction", "hangup_cause", "hangup_initiator",
        "initiation_time", "answer_time", "trunk_domain", "region", "from_country", "to_country",
        "transport_protocol", "stir_verification"}) {
    ASSERT_TRUE(d.HasMember(f)) << f;
    EXPECT_TRUE(d[f].IsString()) << f;
  }
  for (const char* f : {"bill_duration", "duration", "hangup_code"}) {
    ASSERT_TRUE(d.HasMember(f)) << f;
    EXPECT_TRUE(d[f].IsInt64()) << f;
  }
  for (const char* f : {"rate", "total_amount", "secure_trunking_rate"}) {
    ASSERT_TRUE(d.HasMember(f)) << f;
    EXPECT_TRUE(d[f].IsNumber()) << f;
  }
  for (const char* f : {"srtp", "secure_trunking"}) {
    ASSERT_TRUE(d.HasMember(f)) << f;
    EXPECT_TRUE(d[f].IsBool()) << f;
  }
  // The seed shows E.164 numbers as bare digits (JSON numbers).
  ASSERT_TRUE(d["to_number"].IsNumber());
  EXPECT_EQ(d["to_number"].GetUint64(), std::stoull(calls_[2].to.substr(1)));
  EXPECT_DOUBLE_EQ(d["rate"].GetDouble(), 0.03);
}

TEST_F(CallApiTest, UnknownCallIs404WithTheErrorBody) {
  for (bool legacy : {false, true}) {
    auto r = server_->get(alice_, list_path(legacy) + "6c3a8b60-26e0-4842-9387-2350de79f16b/");
    EXPECT_EQ(r.status, 404);
    auto d = parse_json(r.body);
    EXPECT_TRUE(d.HasMember("api_id") && d["api_id"].IsString());
    EXPECT_TRUE(d.HasMember("error") && d["error"].IsString());
  }
}

TEST_F(CallApiTest, RetrieveWithoutTrailingSlashWorks) {
  auto r = server_->get(alice_, list_path() + calls_[3].uuid);
  EXPECT_EQ(r.status, 200) << r.body;
  auto r2 = server_->get(alice_, "/v1/Account/" + alice_.auth_id + "/Zentrunk/Call?limit=1");
  EXPECT_EQ(r2.status, 200) << r2.body;
}

TEST_F(CallApiTest, UnfilteredListCoversTheLast30DaysNewestFirst) {
  EXPECT_EQ(all_uuids(""), expected([](const ModelCall&) { return true; }));
  EXPECT_EQ(all_uuids("", true), expected([](const ModelCall&) { return true; }));
}

TEST_F(CallApiTest, EveryFilterAloneMatchesTheModel) {
  struct Case {
    std::string query;
    std::function<bool(const ModelCall&)> keep;
  };
  const std::vector<Case> cases = {
      {"call_direction=inbound", [](auto& c) { return c.direction == "inbound"; }},
      {"call_direction=outbound", [](auto& c) { return c.direction == "outbound"; }},
      {"from_number=912235328936", [](auto& c) { return c.from == "+912235328936"; }},
      {"from_number=%2B912235328936", [](auto& c) { return c.from == "+912235328936"; }},
      {"from_number=9122", [](auto& c) { return c.from.rfind("+9122", 0) == 0; }},
      {"from_number=alice", [](auto& c) { return c.from == "alice.sip"; }},
      {"to_number=91", [](auto& c) { return c.to.rfind("+91", 0) == 0; }},
      {"to_number=%2B1212", [](auto& c) { return c.to.rfind("+1212", 0) == 0; }},
      {"to_number=+919943720205",
       [](auto& c) { return c.to == "+919943720205"; }},  // '+' as sent raw
      {"trunk_id=" + trunk_a_, [](auto& c) { return c.trunk == trunk_a_; }},
      {"hangup_cause_code=4080", [](auto& c) { return c.code == 4080; }},
      {"hangup_source=carrier", [](auto& c) { return c.source == "carrier"; }},
      {"stir_verification=Verified", [](auto& c) { return c.stir == "Verified"; }},
      {"stir_verification=not%20verified", [](auto& c) { return c.stir == "Not Verified"; }},
      {"bill_duration=74", [](auto& c) { return c.bill == 74; }},
      {"bill_duration__gt=200", [](auto& c) { return c.bill > 200; }},
      {"bill_duration__gte=222", [](auto& c) { return c.bill >= 222; }},
      {"bill_duration__lt=100", [](auto& c) { return c.bill < 100; }},
      {"bill_duration__lte=111", [](auto& c) { return c.bill <= 111; }},
  };
  for (const auto& tc : cases) {
    const auto want = expected(tc.keep);
    EXPECT_EQ(all_uuids(tc.query), want) << tc.query;
    EXPECT_EQ(all_uuids(tc.query, true), want) << "legacy " << tc.query;
    EXPECT_FALSE(want.empty()) << "a filter case that matches nothing proves little: " << tc.query;
  }
}

TEST_F(CallApiTest, TimeFiltersUseTheIntervalTheyName) {
  const auto& c = calls_[10];
  const std::string end = ago(c.end_ago);  // the second this call ended
  auto enc = [](const std::string& t) { return http::url_encode(t); };
  // Exact second: this call and any other that ended in the same second.
  auto exact = all_uuids("end_time=" + enc(end));
  EXPECT_TRUE(as_set(exact).count(c.uuid));
  // gte includes it, gt excludes the whole second, lt excludes it, lte includes it.
  const std::string lower = "end_time__gte=" + enc(ago(90 * 86400 - 60));
  EXPECT_TRUE(as_set(all_uuids("end_time__gte=" + enc(end))).count(c.uuid));
  EXPECT_FALSE(as_set(all_uuids("end_time__gt=" + enc(end))).count(c.uuid));
  EXPECT_FALSE(as_set(all_uuids(lower + "&end_time__lt=" + enc(end))).count(c.uuid));
  EXPECT_TRUE(as_set(all_uuids(lower + "&end_time__lte=" + enc(end))).count(c.uuid));
  // A minute-precision bound covers the whole minute.
  const std::string minute = end.substr(0, 16);
  EXPECT_TRUE(as_set(all_uuids("end_time=" + enc(minute))).count(c.uuid));
  EXPECT_TRUE(as_set(all_uuids(lower + "&end_time__lte=" + enc(minute))).count(c.uuid));
  EXPECT_FALSE(as_set(all_uuids("end_time__gt=" + enc(minute))).count(c.uuid));
  // initiation_time works the same way.
  const std::string init = ago(c.init_ago);
  EXPECT_TRUE(as_set(all_uuids("initiation_time=" + enc(init))).count(c.uuid));
  EXPECT_FALSE(as_set(all_uuids("initiation_time__gt=" + enc(init))).count(c.uuid));
  EXPECT_TRUE(as_set(all_uuids("initiation_time__lte=" + enc(init))).count(c.uuid));
}

TEST_F(CallApiTest, AnExplicitLowerBoundReachesPastTheWindowButNotPastRetention) {
  auto enc = [](const std::string& t) { return http::url_encode(t); };
  const auto got = all_uuids("end_time__gte=" + enc(ago(200 * 86400)));
  EXPECT_EQ(got, expected([](const ModelCall&) { return true; }, 90));
  // Calls 46/47 ended 100 days ago: beyond retention, neither listed nor retrievable.
  EXPECT_FALSE(as_set(got).count(calls_[46].uuid));
  EXPECT_EQ(server_->get(alice_, list_path() + calls_[46].uuid + "/").status, 404);
  // Calls 42..45 are between 30 and 90 days: retrievable, listed only with a lower bound.
  EXPECT_EQ(server_->get(alice_, list_path() + calls_[43].uuid + "/").status, 200);
  EXPECT_FALSE(as_set(all_uuids("")).count(calls_[43].uuid));
}

TEST_F(CallApiTest, FiltersCombineWithAnd) {
  const auto want = expected([](const ModelCall& c) {
    return c.direction == "outbound" && c.to.rfind("+91", 0) == 0 && c.bill >= 50 &&
           c.bill <= 300 && c.trunk == trunk_a_;
  });
  ASSERT_FALSE(want.empty());
  const std::string q =
      "call_direction=outbound&to_number=91&bill_duration__gte=50&bill_duration__lte=300&trunk_"
      "id=" +
      trunk_a_;
  EXPECT_EQ(all_uuids(q), want);
  EXPECT_EQ(all_uuids(q, true), want);
}

TEST_F(CallApiTest, PagesNeitherOverlapNorSkip) {
  const auto want = expected([](const ModelCall&) { return true; });
  for (int limit : {1, 7, 20}) {
    std::vector<std::string> got;
    std::int64_t total = -1;
    for (int offset = 0; offset < 60; offset += limit) {
      auto d = get_ok(list_path() + "?limit=" + std::to_string(limit) +
                      "&offset=" + std::to_string(offset));
      total = d["meta"]["total_count"].GetInt64();
      EXPECT_EQ(d["meta"]["limit"].GetInt(), limit);
      EXPECT_EQ(d["meta"]["offset"].GetInt(), offset);
      for (auto& o : d["objects"].GetArray()) got.push_back(o["call_uuid"].GetString());
    }
    EXPECT_EQ(total, static_cast<std::int64_t>(want.size()));
    EXPECT_EQ(got, want) << "limit " << limit;
  }
}

TEST_F(CallApiTest, NextAndPreviousArePathsOnTheCurrentPathAndBooleansOnTheLegacyPath) {
  const std::string q = "?call_direction=outbound&limit=5";
  auto first = get_ok(list_path() + q);
  ASSERT_TRUE(first["meta"]["next"].IsString());
  EXPECT_TRUE(first["meta"]["previous"].IsNull());
  const std::string next = first["meta"]["next"].GetString();
  EXPECT_EQ(next.rfind(list_path() + "?", 0), 0u) << next;
  EXPECT_NE(next.find("call_direction=outbound"), std::string::npos) << next;
  EXPECT_NE(next.find("offset=5"), std::string::npos) << next;
  // Following next gives the second page, whose previous leads back to offset 0.
  auto second = get_ok(next);
  EXPECT_EQ(second["meta"]["offset"].GetInt(), 5);
  ASSERT_TRUE(second["meta"]["previous"].IsString());
  EXPECT_NE(std::string(second["meta"]["previous"].GetString()).find("offset=0"),
            std::string::npos);
  // The last page has no next.
  const auto total = first["meta"]["total_count"].GetInt64();
  auto last = get_ok(list_path() + q + "&offset=" + std::to_string((total - 1) / 5 * 5));
  EXPECT_TRUE(last["meta"]["next"].IsNull());

  auto legacy = get_ok(list_path(true) + q);
  EXPECT_TRUE(legacy["meta"]["next"].IsBool());
  EXPECT_TRUE(legacy["meta"]["next"].GetBool());
  EXPECT_FALSE(legacy["meta"]["previous"].GetBool());
  EXPECT_TRUE(legacy.HasMember("api_id"));
}

TEST_F(CallApiTest, BadParametersAre400NamingTheParameter) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"limit=0", "limit"},
      {"limit=21", "limit"},
      {"offset=-1", "offset"},
      {"end_time=yesterday", "end_time"},
      {"bill_duration__gt=abc", "bill_duration__gt"},
      {"call_direction=sideways", "call_direction"},
      {"colour=blue", "colour"},
      {"end_time__lt=2022-01-01%2000:00", "end_time"},
      {"limit=5&limit=6", "limit"},
  };
  for (bool legacy : {false, true}) {
    for (const auto& [query, name] : cases) {
      auto r = server_->get(alice_, list_path(legacy) + "?" + query);
      EXPECT_EQ(r.status, 400) << query << " -> " << r.body;
      auto d = parse_json(r.body);
      ASSERT_TRUE(d.HasMember("api_id") && d.HasMember("error")) << r.body;
      EXPECT_NE(std::string(d["error"].GetString()).find(name), std::string::npos) << r.body;
    }
  }
}

TEST_F(CallApiTest, AuthIsRequiredAndScopedToTheAccount) {
  auto client = server_->client();
  auto none = client.get(list_path());
  EXPECT_EQ(none.status, 401);
  EXPECT_FALSE(none.header("www-authenticate").empty());
  EXPECT_EQ(server_->get(Credentials{alice_.auth_id, bob_.auth_token}, list_path()).status, 401);
  EXPECT_EQ(server_->get(Credentials{alice_.auth_id, alice_.auth_token + "x"}, list_path()).status,
            401);
  EXPECT_EQ(
      server_->get(Credentials{"MA000000000000000000", alice_.auth_token}, list_path()).status,
      401);
  // Bob, authenticated, asking for alice's path: refused, and no data in the body.
  auto cross = server_->get(bob_, list_path());
  EXPECT_EQ(cross.status, 403);
  EXPECT_EQ(cross.body.find("call_uuid"), std::string::npos);
  auto cross_one = server_->get(bob_, list_path() + calls_[0].uuid + "/");
  EXPECT_EQ(cross_one.status, 403);
  // Bob's own path never shows alice's calls.
  auto own =
      server_->get(bob_, "/v1/Account/" + bob_.auth_id + "/Zentrunk/Call/" + calls_[1].uuid + "/");
  EXPECT_EQ(own.status, 404);
  auto bob_list =
      parse_json(server_->get(bob_, "/v1/Account/" + bob_.auth_id + "/Zentrunk/Call/").body);
  EXPECT_EQ(bob_list["meta"]["total_count"].GetInt(), 1);
}

TEST_F(CallApiTest, WrongMethodIs405AndUnknownPathIs404) {
  auto client = server_->client();
  auto r = client.request("POST", list_path(), "{}", alice_.basic());
  EXPECT_EQ(r.status, 405);
  EXPECT_NE(parse_json(r.body)["error"].GetString(), nullptr);
  EXPECT_EQ(client.request("DELETE", list_path() + calls_[0].uuid + "/", "", alice_.basic()).status,
            405);
  auto unknown = client.get("/v1/Nothing/", alice_.basic());
  EXPECT_EQ(unknown.status, 404);
  EXPECT_TRUE(parse_json(unknown.body).HasMember("api_id"));
}

}  // namespace
}  // namespace cdrd::test
