// Two cdrd nodes on one PostgreSQL control plane (docs/scale-out.md): a trunk made through node
// A, a token issued by A, a deck changed through A, an app revoked through B's CLI all hold on
// the other node at the next request; and while PostgreSQL is down the API answers 503 in its
// own error shape, writes nothing halfway, and recovers when the server is back.
// Runs only in the control_postgres.* ctest runs (CDRD_CONTROL set by control_postgres.cpp);
// elsewhere it skips.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>

#include "harness.h"
#include "records.h"
#include "trunk_client.h"

namespace cdrd::test {
namespace {

using ::testing::HasSubstr;

constexpr const char* kDeckHeader = "prefix,rate,initial_increment,subsequent_increment\n";

bool on_postgres() {
  const char* control = std::getenv("CDRD_CONTROL");
  return control != nullptr && *control != '\0';
}

http::ClientResponse put_deck(const CdrdServer& node, const std::string& auth_id,
                              const std::string& csv) {
  return node.client().request(
      "PUT", "/v1/ratedecks/" + auth_id + "/outbound", csv,
      {{"Authorization", std::string("Bearer ") + CdrdServer::kOperatorKey},
       {"Content-Type", "text/csv"}});
}

http::ClientResponse get_bearer(const CdrdServer& node, const std::string& token,
                                const std::string& target) {
  return node.client().request("GET", target, "", {{"Authorization", "Bearer " + token}});
}

// The call's total_amount as node `node` lists it.
std::string amount(const CdrdServer& node, const Credentials& who, const std::string& uuid) {
  const auto r = node.get(who, "/v1/Account/" + who.auth_id + "/Zentrunk/Call/" + uuid + "/");
  if (r.status != 200) return "status " + std::to_string(r.status) + ": " + r.body;
  rapidjson::Document d;
  d.Parse<rapidjson::kParseNumbersAsStringsFlag>(r.body.c_str());
  return d["total_amount"].GetString();
}

Record call_to_india(const std::string& auth_id, const std::string& uuid) {
  Record r = answered_call(auth_id, uuid, 60);
  r.set("hangup_cause_code", "3000");
  return r;
}

TEST(ControlPlaneNodes, WhatOneNodeChangesHoldsOnTheOther) {
  if (!on_postgres()) GTEST_SKIP() << "runs in the control_postgres.* runs only";
  CdrdServer a, b;
  const Credentials acme = a.create_account("acme");

  // Account auth: the account made through A's CLI signs in on B.
  EXPECT_EQ(b.get(acme, "/v1/Account/" + acme.auth_id + "/Zentrunk/Call/").status, 200);

  // Trunk control plane: made through A, read, listed and guarded through B.
  const TrunkClient on_a(a, acme), on_b(b, acme);
  const std::string trunk_id = on_a.outbound_trunk(false, "via-a");
  const auto got = on_b.get("Trunk/" + trunk_id + "/");
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(std::string(parse_json(got.body)["name"].GetString()), "via-a");
  const std::string acl = parse_json(got.body)["ipacl_uuid"].GetString();
  const auto in_use = on_b.del("IPAccessControlList/" + acl + "/");
  EXPECT_EQ(in_use.status, 409) << in_use.body;
  EXPECT_THAT(in_use.body, HasSubstr(trunk_id));
  EXPECT_EQ(parse_json(on_b.get("Trunk/").body)["meta"]["total_count"].GetInt(), 1);
  ASSERT_EQ(on_b.del("Trunk/" + trunk_id + "/").status, 204);
  EXPECT_EQ(on_a.get("Trunk/" + trunk_id + "/").status, 404);

  // Rate decks: loaded through A, read and used for rating by B; a new deck through A is B's
  // deck at the next ingest (B's cache compares the version in PostgreSQL).
  ASSERT_EQ(put_deck(a, acme.auth_id, std::string(kDeckHeader) + "91,0.03,60,60\n").status, 200);
  const auto deck =
      b.client().request("GET", "/v1/ratedecks/" + acme.auth_id + "/outbound", "",
                         {{"Authorization", std::string("Bearer ") + CdrdServer::kOperatorKey}});
  EXPECT_THAT(deck.body, HasSubstr("91,0.03000,60,60,,outbound"));
  ASSERT_EQ(b.ingest(ndjson({call_to_india(acme.auth_id, "first")})).status, 200);
  EXPECT_EQ(amount(b, acme, "first"), "0.03000");
  ASSERT_EQ(put_deck(a, acme.auth_id, std::string(kDeckHeader) + "91,0.05,60,60\n").status, 200);
  ASSERT_EQ(b.ingest(ndjson({call_to_india(acme.auth_id, "second")})).status, 200);
  EXPECT_EQ(amount(b, acme, "second"), "0.05000");

  // OAuth: an app made through A's CLI, a token issued by A, used on B; revoked through B's CLI,
  // refused by A.
  const OAuthApp app = create_app_in(a.data_dir(), acme.auth_id);
  const auto token = request_token(a.port(), app.client_id, app.client_secret);
  ASSERT_EQ(token.status, 200) << token.body;
  const std::string bearer = parse_json(token.body)["access_token"].GetString();
  EXPECT_EQ(get_bearer(b, bearer, "/api/ver1.0/user/").status, 200);
  EXPECT_EQ(request_token(b.port(), app.client_id, "wrong-secret").status, 401);
  const auto revoked = run_cdrd({"--data-dir", b.data_dir(), "app", "revoke", app.client_id});
  ASSERT_EQ(revoked.exit_code, 0) << revoked.out;
  EXPECT_EQ(get_bearer(a, bearer, "/api/ver1.0/user/").status, 401);
}

// A token reset through one node (its CLI) stops the old token on the other node, which had it
// cached, within that node's --auth-cache-ms; the new token works on both at once.
TEST(ControlPlaneNodes, ATokenResetThroughOneNodeHoldsOnTheOtherWithinTheCacheTime) {
  if (!on_postgres()) GTEST_SKIP() << "runs in the control_postgres.* runs only";
  CdrdServer a({"--auth-cache-ms", "300"}), b({"--auth-cache-ms", "300"});
  const Credentials old = a.create_account("acme");
  const std::string calls = "/v1/Account/" + old.auth_id + "/Zentrunk/Call/";
  ASSERT_EQ(b.get(old, calls).status, 200);  // cached on B now
  const auto reset = run_cdrd({"--data-dir", a.data_dir(), "account", "reset-token", old.auth_id});
  ASSERT_EQ(reset.exit_code, 0) << reset.out;
  const std::string marker = "auth_token: ";
  const std::size_t at = reset.out.find(marker);
  ASSERT_NE(at, std::string::npos) << reset.out;
  Credentials fresh = old;
  fresh.auth_token =
      reset.out.substr(at + marker.size(), reset.out.find('\n', at) - at - marker.size());
  // B still holds the old hash, which the old token matches: past the cache time it reads again.
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  EXPECT_EQ(b.get(old, calls).status, 401);
  EXPECT_EQ(a.get(old, calls).status, 401);
  EXPECT_EQ(a.get(fresh, calls).status, 200);
  EXPECT_EQ(b.get(fresh, calls).status, 200);
}

// A PostgreSQL server of this test's own (scripts/postgres-test.sh), to stop and start again.
class OwnPostgres {
 public:
  OwnPostgres() {
    ok_ = script("start") == 0 && !read_text(state_.file("url")).empty();
    url_ = read_text(state_.file("url"));
    while (!url_.empty() && url_.back() == '\n') url_.pop_back();
  }
  ~OwnPostgres() { script("stop"); }
  bool ok() const { return ok_; }
  std::string why_not() const { return read_text(state_.file("skip")); }
  const std::string& url() const { return url_; }
  int script(const std::string& command) const {
    const std::string line = "bash " CDRD_SOURCE_DIR "/scripts/postgres-test.sh " + command + " " +
                             state_.path() + " >/dev/null 2>&1";
    return std::system(line.c_str());
  }

 private:
  TempDir state_{"cdrd_own_pg_"};
  bool ok_ = false;
  std::string url_;
};

TEST(ControlPlaneNodes, WhilePostgresIsDownTheApiAnswers503AndWritesNothing) {
  if (!on_postgres()) GTEST_SKIP() << "runs in the control_postgres.* runs only";
  OwnPostgres pg;
  if (!pg.ok()) GTEST_SKIP() << "no PostgreSQL of its own: " << pg.why_not();
  // This test's servers and commands use its own PostgreSQL (the environment is inherited).
  const std::string shared = std::getenv("CDRD_CONTROL");
  ::setenv("CDRD_CONTROL", pg.url().c_str(), 1);
  struct Restore {
    std::string url;
    ~Restore() { ::setenv("CDRD_CONTROL", url.c_str(), 1); }
  } restore{shared};
  TempDir key_dir("cdrd_own_key_");
  const std::string shared_key = std::getenv("CDRD_CONTROL_KEY_FILE");
  ::setenv("CDRD_CONTROL_KEY_FILE", key_dir.file("control.key").c_str(), 1);
  struct RestoreKey {
    std::string path;
    ~RestoreKey() { ::setenv("CDRD_CONTROL_KEY_FILE", path.c_str(), 1); }
  } restore_key{shared_key};

  CdrdServer node;
  const Credentials acme = node.create_account("acme");
  const TrunkClient trunks(node, acme);
  const std::string kept = trunks.outbound_trunk(false, "kept");
  const OAuthApp app = create_app_in(node.data_dir(), acme.auth_id);
  const auto issued = request_token(node.port(), app.client_id, app.client_secret);
  ASSERT_EQ(issued.status, 200) << issued.body;
  const std::string bearer = parse_json(issued.body)["access_token"].GetString();

  ASSERT_EQ(pg.script("pause"), 0);
  // The SIP-trunk API: 503 in its {"api_id", "error"} shape, with Retry-After.
  const auto list = trunks.get("Trunk/");
  EXPECT_EQ(list.status, 503) << list.body;
  const auto body = parse_json(list.body);
  EXPECT_TRUE(body.HasMember("api_id")) << list.body;
  ASSERT_TRUE(body.HasMember("error")) << list.body;
  EXPECT_THAT(std::string(body["error"].GetString()), HasSubstr("postgresql"));
  const auto create = trunks.post(
      "Trunk/", "{\"name\": \"lost\", \"trunk_direction\": \"inbound\", \"primary_uri_uuid\": " +
                    str("00000000-0000-4000-8000-000000000000") + "}");
  EXPECT_EQ(create.status, 503) << create.body;
  // The cloud-PBX token endpoint: 503 in RFC 6749's shape.
  const auto token = request_token(node.port(), app.client_id, app.client_secret);
  EXPECT_EQ(token.status, 503) << token.body;
  EXPECT_STREQ(parse_json(token.body)["error"].GetString(), "temporarily_unavailable");
  // The cloud-PBX API: 503 in its {"message"} shape.
  const auto user = get_bearer(node, bearer, "/api/ver1.0/user/");
  EXPECT_EQ(user.status, 503) << user.body;
  EXPECT_TRUE(parse_json(user.body).HasMember("message")) << user.body;
  // Ingest: the batch's account cannot be looked up, so nothing of it is stored.
  const auto ingest = node.ingest(ndjson({call_to_india(acme.auth_id, "during-outage")}));
  EXPECT_EQ(ingest.status, 503) << ingest.body;
  // Readiness names the control plane.
  const auto ready = node.client().get("/readyz");
  EXPECT_EQ(ready.status, 503);
  EXPECT_THAT(ready.body, HasSubstr("control_plane"));

  ASSERT_EQ(pg.script("resume"), 0);
  // The pool reconnects; what was refused was not written.
  const auto after = trunks.get("Trunk/");
  ASSERT_EQ(after.status, 200) << after.body;
  const auto page = parse_json(after.body);
  EXPECT_EQ(page["meta"]["total_count"].GetInt(), 1);
  EXPECT_EQ(std::string(page["objects"][0]["trunk_id"].GetString()), kept);
  EXPECT_EQ(request_token(node.port(), app.client_id, app.client_secret).status, 200);
  EXPECT_EQ(get_bearer(node, bearer, "/api/ver1.0/user/").status, 200);
  EXPECT_EQ(node.client().get("/readyz").status, 200);
  EXPECT_EQ(listed_call_count(node.port(), acme), 0);
  ASSERT_EQ(node.ingest(ndjson({call_to_india(acme.auth_id, "during-outage")})).status, 200);
  EXPECT_EQ(listed_call_count(node.port(), acme), 1);
}

}  // namespace
}  // namespace cdrd::test
