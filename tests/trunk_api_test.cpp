// Black-box tests of the trunk control plane (docs/api-trunks.md): Trunk/, Credential/, URI/
// and IPAccessControlList/ under /v1/Account/{auth_id}/Zentrunk/, against the real binary:
// create, retrieve, list, update and delete of each, every rule at its boundary, and the
// separation of accounts.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <fstream>
#include <memory>
#include <regex>
#include <set>
#include <sstream>

#include "core/crypto.h"
#include "harness.h"
#include "records.h"
#include "trunk_client.h"

namespace cdrd::test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kSipDomain = "voice.test.example";

class TrunkApiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = std::make_unique<CdrdServer>(std::vector<std::string>{"--sip-domain", kSipDomain});
    alice_ = std::make_unique<TrunkClient>(*server_, server_->create_account("alice"));
    bob_ = std::make_unique<TrunkClient>(*server_, server_->create_account("bob"));
  }
  static void TearDownTestSuite() {
    alice_.reset();
    bob_.reset();
    server_.reset();
  }

  // A client of a new account (for tests that count an account's resources).
  static TrunkClient fresh(const std::string& name) {
    return TrunkClient(*server_, server_->create_account(name));
  }

  // The error of a refusal: checks the status and the body shape, returns the message.
  static std::string refused(const http::ClientResponse& r, int status) {
    EXPECT_EQ(r.status, status) << r.body;
    const auto d = parse_json(r.body);
    EXPECT_TRUE(d.IsObject() && d.HasMember("api_id") && d["api_id"].IsString()) << r.body;
    if (!d.IsObject() || !d.HasMember("error") || !d["error"].IsString()) return "";
    return d["error"].GetString();
  }

  static rapidjson::Document ok_json(const http::ClientResponse& r, int status = 200) {
    EXPECT_EQ(r.status, status) << r.body;
    return parse_json(r.body);
  }

  static inline std::unique_ptr<CdrdServer> server_;
  static inline std::unique_ptr<TrunkClient> alice_, bob_;
};

// ---- Trunk -------------------------------------------------------------------------------------

TEST_F(TrunkApiTest, TrunkCreateRetrieveUpdateDelete) {
  const std::string acl = alice_->ip_acl();
  auto r = alice_->post(
      "Trunk/",
      R"({"name": "office out", "trunk_direction": "outbound", "ipacl_uuid": ")" + acl + R"("})");
  auto d = ok_json(r, 201);
  EXPECT_EQ(d.MemberCount(), 3u) << r.body;
  EXPECT_TRUE(d["api_id"].IsString());
  EXPECT_EQ(std::string(d["message"].GetString()), "Trunk created successfully.");
  const std::string id = d["trunk_id"].GetString();
  EXPECT_TRUE(std::regex_match(id, std::regex("[1-9][0-9]{16}"))) << id;

  auto t = ok_json(alice_->get("Trunk/" + id + "/"));
  EXPECT_TRUE(t["api_id"].IsString());
  EXPECT_EQ(std::string(t["trunk_id"].GetString()), id);
  EXPECT_EQ(std::string(t["name"].GetString()), "office out");
  EXPECT_EQ(std::string(t["trunk_domain"].GetString()), id + ".zt." + kSipDomain);
  EXPECT_EQ(std::string(t["trunk_status"].GetString()), "enabled");  // default
  EXPECT_EQ(std::string(t["trunk_direction"].GetString()), "outbound");
  EXPECT_FALSE(t["secure"].GetBool());  // default
  EXPECT_EQ(std::string(t["ipacl_uuid"].GetString()), acl);
  for (const char* f : {"credential_uuid", "primary_uri_uuid", "fallback_uri_uuid"}) {
    EXPECT_TRUE(t[f].IsNull()) << f;
  }
  // Without the trailing slash too.
  EXPECT_EQ(alice_->get("Trunk/" + id).status, 200);

  r = alice_->post("Trunk/" + id + "/",
                   R"({"name": "office out tls", "secure": true, "trunk_status": "disabled"})");
  d = ok_json(r, 202);
  EXPECT_EQ(std::string(d["message"].GetString()), "Trunk updated successfully.");
  EXPECT_EQ(std::string(d["trunk_id"].GetString()), id);
  t = ok_json(alice_->get("Trunk/" + id + "/"));
  EXPECT_EQ(std::string(t["name"].GetString()), "office out tls");
  EXPECT_TRUE(t["secure"].GetBool());
  EXPECT_EQ(std::string(t["trunk_status"].GetString()), "disabled");
  EXPECT_EQ(std::string(t["trunk_domain"].GetString()), id + ".zt." + kSipDomain);  // unchanged
  EXPECT_EQ(std::string(t["ipacl_uuid"].GetString()), acl);                         // kept

  r = alice_->del("Trunk/" + id + "/");
  EXPECT_EQ(r.status, 204);
  EXPECT_TRUE(r.body.empty());
  EXPECT_THAT(refused(alice_->get("Trunk/" + id + "/"), 404), HasSubstr(id));
  refused(alice_->del("Trunk/" + id + "/"), 404);
  refused(alice_->post("Trunk/" + id + "/", R"({"name": "x"})"), 404);
  refused(alice_->get("Trunk/not-a-number/"), 404);
}

TEST_F(TrunkApiTest, TrunkDirectionRules) {
  const std::string acl = alice_->ip_acl();
  const std::string uri = alice_->uri(), uri2 = alice_->uri("pbx2.example.com");
  const std::string cred =
      alice_->create("Credential/", R"({"username": "rules.user", "password": "Rules1234567"})",
                     "credential_uuid");

  EXPECT_THAT(refused(alice_->post("Trunk/", R"({"name": "x"})"), 422),
              HasSubstr("trunk_direction"));
  EXPECT_THAT(refused(alice_->post("Trunk/", R"({"trunk_direction": "sideways"})"), 400),
              HasSubstr("trunk_direction: must be inbound or outbound, got 'sideways'"));
  EXPECT_THAT(refused(alice_->post("Trunk/", R"({"trunk_direction": "outbound"})"), 422),
              HasSubstr("ipacl_uuid or credential_uuid"));
  EXPECT_THAT(refused(alice_->post("Trunk/", R"({"trunk_direction": "inbound"})"), 422),
              HasSubstr("primary_uri_uuid"));
  // An outbound trunk: an ACL, a credential, or both.
  for (const std::string& links :
       {R"("ipacl_uuid": ")" + acl + "\"", R"("credential_uuid": ")" + cred + "\"",
        R"("ipacl_uuid": ")" + acl + R"(", "credential_uuid": ")" + cred + "\""}) {
    EXPECT_EQ(alice_->post("Trunk/", R"({"trunk_direction": "outbound", )" + links + "}").status,
              201)
        << links;
  }
  EXPECT_THAT(
      refused(alice_->post("Trunk/", R"({"trunk_direction": "outbound", "ipacl_uuid": ")" + acl +
                                         R"(", "primary_uri_uuid": ")" + uri + R"("})"),
              400),
      HasSubstr("primary_uri_uuid: only an inbound trunk"));
  // An inbound trunk: a primary URI, an optional different fallback, no ACL or credential.
  EXPECT_EQ(alice_
                ->post("Trunk/", R"({"trunk_direction": "inbound", "primary_uri_uuid": ")" + uri +
                                     R"(", "fallback_uri_uuid": ")" + uri2 + R"("})")
                .status,
            201);
  EXPECT_THAT(
      refused(alice_->post("Trunk/", R"({"trunk_direction": "inbound", "primary_uri_uuid": ")" +
                                         uri + R"(", "fallback_uri_uuid": ")" + uri + R"("})"),
              400),
      HasSubstr("fallback_uri_uuid: must differ"));
  EXPECT_THAT(
      refused(alice_->post("Trunk/", R"({"trunk_direction": "inbound", "primary_uri_uuid": ")" +
                                         uri + R"(", "ipacl_uuid": ")" + acl + R"("})"),
              400),
      HasSubstr("ipacl_uuid: only an outbound trunk"));
  EXPECT_THAT(
      refused(alice_->post("Trunk/", R"({"trunk_direction": "inbound", "primary_uri_uuid": ")" +
                                         uri + R"(", "credential_uuid": ")" + cred + R"("})"),
              400),
      HasSubstr("credential_uuid: only an outbound trunk"));
}

TEST_F(TrunkApiTest, TrunkValuesAre400NamingTheField) {
  const std::string acl = alice_->ip_acl();
  const std::string base = R"({"trunk_direction": "outbound", "ipacl_uuid": ")" + acl + "\"";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"(, "secure": "yes"})", "secure: must be true or false"},
      {R"(, "trunk_status": "on"})", "trunk_status: must be enabled or disabled"},
      {R"(, "name": ")" + std::string(129, 'n') + R"("})", "name: must be at most 128 characters"},
      {R"(, "name": 5})", "name: must be a string"},
      {R"(, "credential_uuid": "no/such"})", "credential_uuid: must be the uuid"},
      {R"(, "credential_uuid": "00000000-0000-4000-8000-000000000000"})",
       "credential_uuid: no credential '00000000-0000-4000-8000-000000000000' in this account"},
      {R"(, "region": "us"})", "unknown field 'region'"},
      {R"(, "trunk_id": "1"})", "unknown field 'trunk_id'"},
  };
  for (const auto& [tail, message] : cases) {
    EXPECT_THAT(refused(alice_->post("Trunk/", base + tail), 400), HasSubstr(message)) << tail;
  }
  EXPECT_EQ(
      alice_->post("Trunk/", base + R"(, "name": ")" + std::string(128, 'n') + R"("})").status,
      201);
  EXPECT_THAT(refused(alice_->post("Trunk/", "not json"), 400), HasSubstr("JSON object"));
}

TEST_F(TrunkApiTest, TrunkUpdateChecksTheMergedTrunk) {
  TrunkClient carol = fresh("carol-update");
  const std::string acl = carol.ip_acl(), uri = carol.uri();
  const std::string id = carol.create(
      "Trunk/", R"({"trunk_direction": "outbound", "ipacl_uuid": ")" + acl + R"("})", "trunk_id");
  EXPECT_THAT(refused(carol.post("Trunk/" + id + "/", "{}"), 400), HasSubstr("names no field"));
  // Removing its only link leaves an outbound trunk without one.
  EXPECT_THAT(refused(carol.post("Trunk/" + id + "/", R"({"ipacl_uuid": null})"), 422),
              HasSubstr("ipacl_uuid or credential_uuid"));
  // Turning it inbound needs the ACL removed and a primary URI.
  EXPECT_THAT(
      refused(carol.post("Trunk/" + id + "/",
                         R"({"trunk_direction": "inbound", "primary_uri_uuid": ")" + uri + R"("})"),
              400),
      HasSubstr("ipacl_uuid: only an outbound trunk"));
  EXPECT_EQ(
      carol
          .post("Trunk/" + id + "/",
                R"({"trunk_direction": "inbound", "ipacl_uuid": null, "primary_uri_uuid": ")" +
                    uri + R"("})")
          .status,
      202);
  auto t = ok_json(carol.get("Trunk/" + id + "/"));
  EXPECT_EQ(std::string(t["trunk_direction"].GetString()), "inbound");
  EXPECT_TRUE(t["ipacl_uuid"].IsNull());
  EXPECT_EQ(std::string(t["primary_uri_uuid"].GetString()), uri);
  // A refused update changed nothing.
  EXPECT_EQ(refused(carol.post("Trunk/" + id + "/", R"({"name": "renamed", "secure": 1})"), 400),
            "secure: must be true or false, got 1");
  EXPECT_EQ(std::string(ok_json(carol.get("Trunk/" + id + "/"))["name"].GetString()), "");
}

TEST_F(TrunkApiTest, TrunkListEnvelopeFiltersAndPages) {
  TrunkClient dave = fresh("dave-list");
  const std::string acl = dave.ip_acl(), acl2 = dave.ip_acl();
  const std::string cred = dave.create(
      "Credential/", R"({"username": "dave", "password": "Dave12345678"})", "credential_uuid");
  const std::string uri = dave.uri(), uri2 = dave.uri("pbx2.example.com");
  std::vector<std::string> created;  // oldest first
  auto add = [&](const std::string& body) {
    created.push_back(dave.create("Trunk/", body, "trunk_id"));
  };
  add(R"({"trunk_direction": "outbound", "ipacl_uuid": ")" + acl + R"("})");
  add(R"({"trunk_direction": "outbound", "secure": true, "credential_uuid": ")" + cred + R"("})");
  add(R"({"trunk_direction": "outbound", "trunk_status": "disabled", "ipacl_uuid": ")" + acl2 +
      R"(", "credential_uuid": ")" + cred + R"("})");
  add(R"({"trunk_direction": "inbound", "primary_uri_uuid": ")" + uri + R"("})");
  add(R"({"trunk_direction": "inbound", "secure": true, "primary_uri_uuid": ")" + uri2 +
      R"(", "fallback_uri_uuid": ")" + uri + R"("})");
  bob_->outbound_trunk();  // never in dave's lists

  auto ids = [&](const std::string& query) {
    auto d = ok_json(dave.get("Trunk/?" + query));
    std::vector<std::string> out;
    for (auto& o : d["objects"].GetArray()) out.push_back(o["trunk_id"].GetString());
    EXPECT_EQ(d["meta"]["total_count"].GetInt64(), static_cast<std::int64_t>(out.size())) << query;
    return out;
  };
  auto all = ok_json(dave.get("Trunk/"));
  EXPECT_TRUE(all["api_id"].IsString());
  EXPECT_EQ(all["meta"]["limit"].GetInt(), 20);
  EXPECT_EQ(all["meta"]["offset"].GetInt(), 0);
  EXPECT_EQ(all["meta"]["total_count"].GetInt(), 5);
  EXPECT_TRUE(all["meta"]["next"].IsNull());
  EXPECT_TRUE(all["meta"]["previous"].IsNull());
  ASSERT_EQ(all["objects"].Size(), 5u);
  EXPECT_EQ(std::string(all["objects"][0]["trunk_id"].GetString()), created[4]);  // newest first
  EXPECT_EQ(std::string(all["objects"][4]["trunk_id"].GetString()), created[0]);

  EXPECT_EQ(ids("trunk_direction=inbound"), (std::vector<std::string>{created[4], created[3]}));
  EXPECT_EQ(ids("trunk_direction=outbound&secure=false"),
            (std::vector<std::string>{created[2], created[0]}));
  EXPECT_EQ(ids("secure=true"), (std::vector<std::string>{created[4], created[1]}));
  EXPECT_EQ(ids("trunk_status=disabled"), (std::vector<std::string>{created[2]}));
  EXPECT_EQ(ids("trunk_status=enabled").size(), 4u);
  EXPECT_EQ(ids("ipacl_uuid=" + acl), (std::vector<std::string>{created[0]}));
  EXPECT_EQ(ids("credential_uuid=" + cred), (std::vector<std::string>{created[2], created[1]}));
  EXPECT_EQ(ids("primary_uri_uuid=" + uri), (std::vector<std::string>{created[3]}));
  EXPECT_EQ(ids("fallback_uri_uuid=" + uri), (std::vector<std::string>{created[4]}));
  EXPECT_TRUE(ids("primary_uri_uuid=" + uri + "&trunk_direction=outbound").empty());

  // Pages of 2: no overlap, no gap, links to the neighbours.
  auto p1 = ok_json(dave.get("Trunk/?limit=2"));
  EXPECT_EQ(std::string(p1["meta"]["next"].GetString()), dave.url("Trunk/") + "?limit=2&offset=2");
  auto p3 = ok_json(dave.get("Trunk/?limit=2&offset=4"));
  EXPECT_TRUE(p3["meta"]["next"].IsNull());
  EXPECT_EQ(std::string(p3["meta"]["previous"].GetString()),
            dave.url("Trunk/") + "?limit=2&offset=2");
  std::vector<std::string> paged;
  for (int offset = 0; offset < 5; offset += 2) {
    auto d = ok_json(dave.get("Trunk/?limit=2&offset=" + std::to_string(offset)));
    for (auto& o : d["objects"].GetArray()) paged.push_back(o["trunk_id"].GetString());
  }
  EXPECT_EQ(paged,
            (std::vector<std::string>{created[4], created[3], created[2], created[1], created[0]}));
  auto beyond = ok_json(dave.get("Trunk/?offset=50"));
  EXPECT_EQ(beyond["objects"].Size(), 0u);
  EXPECT_EQ(beyond["meta"]["total_count"].GetInt(), 5);

  EXPECT_EQ(ok_json(dave.get("Trunk/?limit=1"))["objects"].Size(), 1u);
  EXPECT_EQ(ok_json(dave.get("Trunk/?limit=20"))["objects"].Size(), 5u);
  for (const auto& [query, name] : std::vector<std::pair<std::string, std::string>>{
           {"limit=0", "limit"},
           {"limit=21", "limit"},
           {"limit=x", "limit"},
           {"offset=-1", "offset"},
           {"trunk_direction=both", "trunk_direction"},
           {"secure=yes", "secure"},
           {"trunk_status=off", "trunk_status"},
           {"ipacl_uuid=a%2Fb", "ipacl_uuid"},
           {"name=x", "unknown parameter 'name'"},
           {"limit=1&limit=2", "limit: given more than once"}}) {
    EXPECT_THAT(refused(dave.get("Trunk/?" + query), 400), HasSubstr(name)) << query;
  }
}

TEST_F(TrunkApiTest, EveryListTakesLimitAndOffsetOnly) {
  TrunkClient kim = fresh("kim-lists");
  kim.outbound_trunk();  // makes an ACL too
  kim.outbound_trunk();
  kim.uri();
  kim.uri();
  kim.create("Credential/", R"({"username": "kim.one", "password": "Abcdefghijk1"})",
             "credential_uuid");
  kim.create("Credential/", R"({"username": "kim.two", "password": "Abcdefghijk1"})",
             "credential_uuid");
  for (const char* collection : {"Trunk/", "Credential/", "URI/", "IPAccessControlList/"}) {
    SCOPED_TRACE(collection);
    auto d = ok_json(kim.get(std::string(collection) + "?limit=1"));
    EXPECT_EQ(d["meta"]["limit"].GetInt(), 1);
    EXPECT_EQ(d["meta"]["total_count"].GetInt(), 2);
    EXPECT_EQ(d["objects"].Size(), 1u);
    EXPECT_EQ(std::string(d["meta"]["next"].GetString()),
              kim.url(collection) + "?limit=1&offset=1");
    d = ok_json(kim.get(std::string(collection) + "?limit=20&offset=1"));
    EXPECT_EQ(d["objects"].Size(), 1u);
    EXPECT_EQ(std::string(d["meta"]["previous"].GetString()),
              kim.url(collection) + "?limit=20&offset=0");
    for (const char* bad : {"limit=0", "limit=21", "offset=-1", "offset=x"}) {
      EXPECT_THAT(refused(kim.get(std::string(collection) + "?" + bad), 400),
                  HasSubstr(std::string(bad).substr(0, std::string(bad).find('=')) + ": must be"))
          << bad;
    }
  }
  for (const char* collection : {"Credential/", "URI/", "IPAccessControlList/"}) {
    EXPECT_THAT(refused(kim.get(std::string(collection) + "?secure=true"), 400),
                HasSubstr("unknown parameter 'secure'; accepted parameters: limit, offset"))
        << collection;
  }
}

// ---- Credential --------------------------------------------------------------------------------

TEST_F(TrunkApiTest, CredentialCreateRetrieveUpdateDelete) {
  const std::string password = "Sup3rSecretPass";
  auto r =
      alice_->post("Credential/", R"({"name": "main pbx", "username": "pbx.main", "password": ")" +
                                      password + R"("})");
  auto d = ok_json(r, 201);
  EXPECT_EQ(std::string(d["message"].GetString()), "Credential created successfully.");
  const std::string id = d["credential_uuid"].GetString();

  r = alice_->get("Credential/" + id + "/");
  auto c = ok_json(r);
  EXPECT_EQ(std::string(c["credential_uuid"].GetString()), id);
  EXPECT_EQ(std::string(c["name"].GetString()), "main pbx");
  EXPECT_EQ(std::string(c["username"].GetString()), "pbx.main");
  EXPECT_EQ(std::string(c["realm"].GetString()), std::string("zt.") + kSipDomain);
  EXPECT_FALSE(c.HasMember("password"));
  EXPECT_THAT(r.body, Not(HasSubstr(password)));
  EXPECT_THAT(r.body,
              Not(HasSubstr(md5_hex("pbx.main:zt." + std::string(kSipDomain) + ":" + password))));

  auto list = ok_json(alice_->get("Credential/"));
  bool listed = false;
  for (auto& o : list["objects"].GetArray()) {
    listed = listed || std::string(o["credential_uuid"].GetString()) == id;
    EXPECT_FALSE(o.HasMember("password"));
  }
  EXPECT_TRUE(listed);

  // An update changes the password only.
  d = ok_json(alice_->post("Credential/" + id + "/", R"({"password": "An0therSecret!"})"), 202);
  EXPECT_EQ(std::string(d["message"].GetString()), "Credential updated successfully.");
  for (const char* field : {"name", "username", "realm"}) {
    EXPECT_THAT(refused(alice_->post("Credential/" + id + "/",
                                     std::string(R"({")") + field +
                                         R"(": "x", "password": "An0therSecret!"})"),
                        400),
                HasSubstr(std::string(field) + ": cannot be changed"))
        << field;
  }
  EXPECT_THAT(refused(alice_->post("Credential/" + id + "/", "{}"), 422),
              HasSubstr("password: is required"));
  EXPECT_THAT(refused(alice_->post("Credential/" + id + "/", R"({"password": "weak"})"), 400),
              HasSubstr("password: must be 12 to 128"));

  EXPECT_EQ(alice_->del("Credential/" + id + "/").status, 204);
  refused(alice_->get("Credential/" + id + "/"), 404);
  refused(alice_->del("Credential/" + id + "/"), 404);
}

TEST_F(TrunkApiTest, CredentialUsernameAndPasswordRules) {
  TrunkClient erin = fresh("erin-cred");
  auto create = [&](const std::string& username, const std::string& password) {
    return erin.post("Credential/",
                     R"({"username": ")" + username + R"(", "password": ")" + password + R"("})");
  };
  const std::string good = "Abcdefghijk1";  // 12
  EXPECT_THAT(refused(create("ab", good), 400), HasSubstr("username: must be 3 to 64"));
  EXPECT_EQ(create("abc", good).status, 201);
  EXPECT_EQ(create(std::string(64, 'u'), good).status, 201);
  EXPECT_THAT(refused(create(std::string(65, 'u'), good), 400), HasSubstr("username"));
  EXPECT_THAT(refused(create("pbx main", good), 400), HasSubstr("username"));
  EXPECT_THAT(refused(create("pbx@main", good), 400), HasSubstr("username"));
  EXPECT_EQ(create("p.b_x-1", good).status, 201);

  for (const std::string& weak :
       {std::string("Abcdefghij1"), std::string("abcdefghijk1"), std::string("ABCDEFGHIJK1"),
        std::string("Abcdefghijkl"), "A1" + std::string(127, 'x')}) {
    const std::string message = refused(create("weak.user", weak), 400);
    EXPECT_THAT(message, HasSubstr("password: ")) << weak;
    EXPECT_THAT(message, Not(HasSubstr(weak))) << "the password must not be echoed";
  }
  EXPECT_EQ(create("max.pass", "A1" + std::string(126, 'x')).status, 201);  // 128

  EXPECT_THAT(refused(erin.post("Credential/", R"({"password": "Abcdefghijk1"})"), 422),
              HasSubstr("username: is required"));
  EXPECT_THAT(refused(erin.post("Credential/", R"({"username": "nopass"})"), 422),
              HasSubstr("password: is required"));
  EXPECT_THAT(
      refused(erin.post("Credential/",
                        R"({"username": "r.user", "password": "Abcdefghijk1", "realm": "mine"})"),
              400),
      HasSubstr("realm: cannot be set"));

  // Unique in the account (409), free in another.
  EXPECT_THAT(refused(create("abc", "Zyxwvutsrq98"), 409),
              HasSubstr("username: 'abc' is already taken"));
  EXPECT_EQ(bob_->post("Credential/", R"({"username": "abc", "password": "Abcdefghijk1"})").status,
            201);
  EXPECT_EQ(ok_json(erin.get("Credential/"))["meta"]["total_count"].GetInt(), 4);
}

TEST_F(TrunkApiTest, CredentialPasswordIsStoredOnlyAsHa1) {
  TrunkClient frank = fresh("frank-ha1");
  const std::string password = "Unmistakable9Passphrase";
  const std::string id =
      frank.create("Credential/", R"({"username": "frank.pbx", "password": ")" + password + R"("})",
                   "credential_uuid");
  const std::string db = server_->data_dir() + "/cdrd.db";
  sqlite3* conn = nullptr;
  ASSERT_EQ(sqlite3_open_v2(db.c_str(), &conn, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(
                conn, "SELECT username, realm, ha1 FROM credentials WHERE credential_uuid = ?", -1,
                &st, nullptr),
            SQLITE_OK);
  sqlite3_bind_text(st, 1, id.c_str(), -1, SQLITE_TRANSIENT);
  ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
  const std::string username = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
  const std::string realm = reinterpret_cast<const char*>(sqlite3_column_text(st, 1));
  const std::string ha1 = reinterpret_cast<const char*>(sqlite3_column_text(st, 2));
  sqlite3_finalize(st);
  sqlite3_close(conn);
  EXPECT_EQ(realm, std::string("zt.") + kSipDomain);
  EXPECT_EQ(ha1, md5_hex(username + ":" + realm + ":" + password));
  // The password's bytes are in neither the database nor its write-ahead log.
  for (const std::string& file : {db, db + "-wal"}) {
    std::ifstream in(file, std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    EXPECT_EQ(bytes.str().find(password), std::string::npos) << file;
  }
}

TEST_F(TrunkApiTest, CredentialQuotaIs200PerAccount) {
  TrunkClient gina = fresh("gina-quota");
  for (int i = 0; i < 200; ++i) {
    auto r = gina.post("Credential/", R"({"username": "user)" + std::to_string(i) +
                                          R"(", "password": "Abcdefghijk1"})");
    ASSERT_EQ(r.status, 201) << i << ": " << r.body;
  }
  EXPECT_THAT(
      refused(gina.post("Credential/", R"({"username": "user200", "password": "Abcdefghijk1"})"),
              400),
      HasSubstr("at most 200 credentials"));
  auto page = ok_json(gina.get("Credential/?limit=20&offset=180"));
  EXPECT_EQ(page["meta"]["total_count"].GetInt(), 200);
  EXPECT_EQ(page["objects"].Size(), 20u);
  const std::string one = page["objects"][0]["credential_uuid"].GetString();
  ASSERT_EQ(gina.del("Credential/" + one + "/").status, 204);
  EXPECT_EQ(
      gina.post("Credential/", R"({"username": "user200", "password": "Abcdefghijk1"})").status,
      201);
}

// ---- URI ---------------------------------------------------------------------------------------

TEST_F(TrunkApiTest, UriCreateRetrieveUpdateDelete) {
  auto d = ok_json(
      alice_->post("URI/", R"({"name": "pbx", "uri": "pbx.example.com:5060;transport=tcp"})"), 201);
  EXPECT_EQ(std::string(d["message"].GetString()), "URI created successfully.");
  const std::string id = d["uri_uuid"].GetString();
  auto u = ok_json(alice_->get("URI/" + id + "/"));
  EXPECT_EQ(std::string(u["uri_uuid"].GetString()), id);
  EXPECT_EQ(std::string(u["name"].GetString()), "pbx");
  EXPECT_EQ(std::string(u["uri"].GetString()), "pbx.example.com:5060;transport=tcp");
  EXPECT_FALSE(u["authentication_needed"].GetBool());  // default
  EXPECT_TRUE(u["username"].IsNull());
  EXPECT_FALSE(u.HasMember("password"));

  // Authentication: username and password become required; the password is never returned.
  EXPECT_THAT(refused(alice_->post("URI/" + id + "/", R"({"authentication_needed": true})"), 422),
              HasSubstr("username: is required"));
  EXPECT_THAT(refused(alice_->post("URI/" + id + "/",
                                   R"({"authentication_needed": true, "username": "zentrunk"})"),
                      422),
              HasSubstr("password: is required"));
  auto r = alice_->post(
      "URI/" + id + "/",
      R"({"authentication_needed": true, "username": "zentrunk", "password": "PbxPassword12"})");
  d = ok_json(r, 202);
  EXPECT_EQ(std::string(d["message"].GetString()), "URI updated successfully.");
  r = alice_->get("URI/" + id + "/");
  u = ok_json(r);
  EXPECT_TRUE(u["authentication_needed"].GetBool());
  EXPECT_EQ(std::string(u["username"].GetString()), "zentrunk");
  EXPECT_THAT(r.body, Not(HasSubstr("PbxPassword12")));
  // Turning authentication off drops username and password.
  EXPECT_EQ(
      alice_
          ->post("URI/" + id + "/",
                 R"({"authentication_needed": false, "uri": "203.0.113.9:5061;transport=tls"})")
          .status,
      202);
  u = ok_json(alice_->get("URI/" + id + "/"));
  EXPECT_TRUE(u["username"].IsNull());
  EXPECT_EQ(std::string(u["uri"].GetString()), "203.0.113.9:5061;transport=tls");
  EXPECT_THAT(refused(alice_->post("URI/" + id + "/", R"({"uri": "sip:pbx.example.com"})"), 400),
              HasSubstr("uri: must be host[:port]"));
  EXPECT_THAT(refused(alice_->post("URI/" + id + "/", "{}"), 400), HasSubstr("names no field"));

  EXPECT_EQ(alice_->del("URI/" + id + "/").status, 204);
  refused(alice_->get("URI/" + id + "/"), 404);
}

TEST_F(TrunkApiTest, UriRules) {
  EXPECT_THAT(refused(alice_->post("URI/", R"({"name": "no uri"})"), 422),
              HasSubstr("uri: is required"));
  for (const char* bad :
       {"sip:pbx.example.com", "pbx..example.com", "pbx.example.com:0", "pbx.example.com:65536",
        ":5060", "[2001:db8::1", "1.2.3", "pbx.example.com;transport=sctp"}) {
    EXPECT_THAT(refused(alice_->post("URI/", std::string(R"({"uri": ")") + bad + R"("})"), 400),
                HasSubstr("uri: must be"))
        << bad;
  }
  for (const char* good : {"pbx.example.com", "pbx.example.com:65535", "[2001:db8::1]:5060",
                           "198.51.100.7;transport=udp"}) {
    EXPECT_EQ(alice_->post("URI/", std::string(R"({"uri": ")") + good + R"("})").status, 201)
        << good;
  }
  EXPECT_THAT(
      refused(alice_->post("URI/", R"({"uri": "pbx.example.com", "username": "someone"})"), 400),
      HasSubstr("username: only used with authentication_needed true"));
  EXPECT_THAT(
      refused(alice_->post("URI/", R"({"uri": "pbx.example.com", "authentication_needed": "yes"})"),
              400),
      HasSubstr("authentication_needed: must be true or false"));
  EXPECT_THAT(
      refused(
          alice_->post(
              "URI/",
              R"({"uri": "pbx.example.com", "authentication_needed": true, "username": "zt", "password": "PbxPassword12"})"),
          400),
      HasSubstr("username: must be 3 to 64"));
}

// ---- IP access control list --------------------------------------------------------------------

TEST_F(TrunkApiTest, IpAclCreateRetrieveUpdateDelete) {
  auto d = ok_json(
      alice_->post(
          "IPAccessControlList/",
          R"({"name": "office", "ip_addresses": ["203.0.113.7", "198.51.100.0/24", "2001:DB8:0:0::/64"]})"),
      201);
  EXPECT_EQ(std::string(d["message"].GetString()), "IP Access Control List created successfully.");
  const std::string id = d["ipacl_uuid"].GetString();
  auto a = ok_json(alice_->get("IPAccessControlList/" + id + "/"));
  EXPECT_EQ(std::string(a["ipacl_uuid"].GetString()), id);
  EXPECT_EQ(std::string(a["name"].GetString()), "office");
  ASSERT_EQ(a["ip_addresses"].Size(), 3u);
  EXPECT_EQ(std::string(a["ip_addresses"][0].GetString()), "203.0.113.7");
  EXPECT_EQ(std::string(a["ip_addresses"][1].GetString()), "198.51.100.0/24");
  EXPECT_EQ(std::string(a["ip_addresses"][2].GetString()), "2001:db8::/64");  // canonical

  d = ok_json(alice_->post("IPAccessControlList/" + id + "/", R"({"ip_addresses": ["192.0.2.1"]})"),
              202);
  EXPECT_EQ(std::string(d["message"].GetString()), "IP Access Control List updated successfully.");
  a = ok_json(alice_->get("IPAccessControlList/" + id + "/"));
  ASSERT_EQ(a["ip_addresses"].Size(), 1u);  // replaced
  EXPECT_EQ(std::string(a["ip_addresses"][0].GetString()), "192.0.2.1");
  EXPECT_EQ(std::string(a["name"].GetString()), "office");  // kept

  EXPECT_EQ(alice_->del("IPAccessControlList/" + id + "/").status, 204);
  refused(alice_->get("IPAccessControlList/" + id + "/"), 404);
}

TEST_F(TrunkApiTest, IpAclEntriesAreParsed) {
  auto create = [&](const std::string& entries) {
    return alice_->post("IPAccessControlList/", R"({"ip_addresses": )" + entries + "}");
  };
  EXPECT_THAT(refused(create(R"(["10.0.0.0/33"])"), 400),
              HasSubstr("ip_addresses[0]: the prefix length of an IPv4 range must be 0 to 32"));
  EXPECT_THAT(refused(create(R"(["10.0.0.1", "1.2.3"])"), 400),
              HasSubstr("ip_addresses[1]: must be an IPv4 or IPv6 address"));
  EXPECT_THAT(refused(create(R"(["::g"])"), 400), HasSubstr("ip_addresses[0]"));
  EXPECT_THAT(refused(create(R"(["10.1.2.3/8"])"), 400), HasSubstr("the range is 10.0.0.0/8"));
  EXPECT_THAT(refused(create(R"(["10.0.0.1", "10.0.0.1"])"), 400),
              HasSubstr("ip_addresses[1]: '10.0.0.1' is already in the list"));
  EXPECT_THAT(refused(create(R"([])"), 400), HasSubstr("must hold 1 to 50 entries, got 0"));
  EXPECT_THAT(refused(create(R"([7])"), 400), HasSubstr("ip_addresses[0]: must be a string"));
  EXPECT_THAT(refused(create(R"("10.0.0.1")"), 400), HasSubstr("ip_addresses: must be an array"));
  EXPECT_THAT(refused(alice_->post("IPAccessControlList/", R"({"name": "empty"})"), 422),
              HasSubstr("ip_addresses: is required"));
  EXPECT_EQ(create(R"(["10.0.0.0/32", "::/128", "0.0.0.0/0"])").status, 201);

  std::string fifty = "[";
  for (int i = 0; i < 50; ++i)
    fifty += std::string(i ? "," : "") + "\"10.0.0." + std::to_string(i) + "\"";
  EXPECT_EQ(create(fifty + "]").status, 201);
  EXPECT_THAT(refused(create(fifty + ",\"10.0.1.0\"]"), 400),
              HasSubstr("must hold 1 to 50 entries, got 51"));
}

TEST_F(TrunkApiTest, IpAclQuotaIs100PerAccount) {
  TrunkClient hank = fresh("hank-quota");
  for (int i = 0; i < 100; ++i) {
    auto r = hank.post("IPAccessControlList/",
                       R"({"ip_addresses": ["10.0.)" + std::to_string(i) + R"(.0/24"]})");
    ASSERT_EQ(r.status, 201) << i << ": " << r.body;
  }
  EXPECT_THAT(
      refused(hank.post("IPAccessControlList/", R"({"ip_addresses": ["10.1.0.0/24"]})"), 400),
      HasSubstr("at most 100 IP access control lists"));
  EXPECT_EQ(ok_json(hank.get("IPAccessControlList/"))["meta"]["total_count"].GetInt(), 100);
  // Another account is not affected.
  EXPECT_EQ(bob_->post("IPAccessControlList/", R"({"ip_addresses": ["10.1.0.0/24"]})").status, 201);
}

// ---- references and deletes --------------------------------------------------------------------

TEST_F(TrunkApiTest, DeletingWhatATrunkUsesIs409NamingTheTrunk) {
  TrunkClient ivy = fresh("ivy-inuse");
  const std::string acl = ivy.ip_acl(), uri = ivy.uri(), fallback = ivy.uri("backup.example.com");
  const std::string cred = ivy.create(
      "Credential/", R"({"username": "ivy.pbx", "password": "Abcdefghijk1"})", "credential_uuid");
  const std::string out =
      ivy.create("Trunk/",
                 R"({"name": "ivy out", "trunk_direction": "outbound", "ipacl_uuid": ")" + acl +
                     R"(", "credential_uuid": ")" + cred + R"("})",
                 "trunk_id");
  const std::string in =
      ivy.create("Trunk/",
                 R"({"name": "ivy in", "trunk_direction": "inbound", "primary_uri_uuid": ")" + uri +
                     R"(", "fallback_uri_uuid": ")" + fallback + R"("})",
                 "trunk_id");
  for (const auto& [path, trunk, name] :
       std::vector<std::tuple<std::string, std::string, std::string>>{
           {"IPAccessControlList/" + acl + "/", out, "ivy out"},
           {"Credential/" + cred + "/", out, "ivy out"},
           {"URI/" + uri + "/", in, "ivy in"},
           {"URI/" + fallback + "/", in, "ivy in"}}) {
    const std::string message = refused(ivy.del(path), 409);
    EXPECT_THAT(message, HasSubstr(trunk)) << path;
    EXPECT_THAT(message, HasSubstr(name)) << path;
    EXPECT_EQ(ivy.get(path).status, 200) << "still there: " << path;
  }
  // Once the trunks let go (or are gone), the deletes go through.
  ASSERT_EQ(ivy.post("Trunk/" + in + "/", R"({"fallback_uri_uuid": null})").status, 202);
  EXPECT_EQ(ivy.del("URI/" + fallback + "/").status, 204);
  ASSERT_EQ(ivy.del("Trunk/" + out + "/").status, 204);
  EXPECT_EQ(ivy.del("IPAccessControlList/" + acl + "/").status, 204);
  EXPECT_EQ(ivy.del("Credential/" + cred + "/").status, 204);
}

TEST_F(TrunkApiTest, ReferencesMustBeInTheSameAccount) {
  const std::string bobs_acl = bob_->ip_acl(), bobs_uri = bob_->uri();
  const std::string bobs_cred = bob_->create(
      "Credential/", R"({"username": "bob.ref", "password": "Abcdefghijk1"})", "credential_uuid");
  for (const auto& [field, body] : std::vector<std::pair<std::string, std::string>>{
           {"ipacl_uuid",
            R"({"trunk_direction": "outbound", "ipacl_uuid": ")" + bobs_acl + R"("})"},
           {"credential_uuid",
            R"({"trunk_direction": "outbound", "credential_uuid": ")" + bobs_cred + R"("})"},
           {"primary_uri_uuid",
            R"({"trunk_direction": "inbound", "primary_uri_uuid": ")" + bobs_uri + R"("})"}}) {
    EXPECT_THAT(refused(alice_->post("Trunk/", body), 400), HasSubstr(field + ": no ")) << field;
  }
  const std::string own = alice_->outbound_trunk();
  EXPECT_THAT(
      refused(alice_->post("Trunk/" + own + "/", R"({"credential_uuid": ")" + bobs_cred + R"("})"),
              400),
      HasSubstr("credential_uuid: no credential"));
}

// ---- accounts ----------------------------------------------------------------------------------

TEST_F(TrunkApiTest, AnotherAccountsResourcesAreNotFound) {
  const std::string acl = alice_->create(
      "IPAccessControlList/", R"({"name": "alice-secret-acl", "ip_addresses": ["192.0.2.55"]})",
      "ipacl_uuid");
  const std::string uri = alice_->create(
      "URI/", R"({"name": "alice-secret-uri", "uri": "alice.example.com"})", "uri_uuid");
  const std::string cred = alice_->create(
      "Credential/",
      R"({"name": "alice-secret-cred", "username": "alice.cross", "password": "Abcdefghijk1"})",
      "credential_uuid");
  const std::string trunk = alice_->create(
      "Trunk/",
      R"({"name": "alice-secret-trunk", "trunk_direction": "outbound", "ipacl_uuid": ")" + acl +
          R"("})",
      "trunk_id");
  for (const std::string& path : {"Trunk/" + trunk + "/", "Credential/" + cred + "/",
                                  "URI/" + uri + "/", "IPAccessControlList/" + acl + "/"}) {
    for (const auto& r :
         {bob_->get(path), bob_->post(path, R"({"name": "bob was here"})"), bob_->del(path)}) {
      EXPECT_EQ(r.status, 404) << path << ": " << r.body;
      EXPECT_THAT(r.body, Not(HasSubstr("alice-secret"))) << path;
    }
    // Bob asking on alice's path is refused before anything is looked up.
    const auto cross = server_->client().get(alice_->url(path), bob_->who().basic());
    EXPECT_EQ(cross.status, 403) << path;
    EXPECT_THAT(cross.body, Not(HasSubstr("alice-secret")));
    EXPECT_EQ(
        server_->client().request("DELETE", alice_->url(path), "", bob_->who().basic()).status,
        403);
    // Untouched.
    EXPECT_THAT(alice_->get(path).body, HasSubstr("alice-secret")) << path;
  }
  for (const char* collection : {"Trunk/", "Credential/", "URI/", "IPAccessControlList/"}) {
    const auto r = bob_->get(collection);
    EXPECT_EQ(r.status, 200);
    EXPECT_THAT(r.body, Not(HasSubstr("alice-secret"))) << collection;
  }
  // Without credentials: 401.
  EXPECT_EQ(server_->client().get(alice_->url("Trunk/")).status, 401);
  EXPECT_EQ(server_->client().request("POST", alice_->url("Trunk/"), "{}").status, 401);
}

TEST_F(TrunkApiTest, WrongMethodIs405) {
  auto client = server_->client();
  const auto r = client.request("PUT", alice_->url("Trunk/"), "{}", alice_->who().basic());
  EXPECT_EQ(r.status, 405);
  EXPECT_THAT(r.header("allow"), HasSubstr("POST"));
  EXPECT_EQ(client.request("DELETE", alice_->url("IPAccessControlList/"), "", alice_->who().basic())
                .status,
            405);
  EXPECT_EQ(
      client.request("PATCH", alice_->url("URI/some-uuid/"), "{}", alice_->who().basic()).status,
      405);
}

}  // namespace
}  // namespace cdrd::test
