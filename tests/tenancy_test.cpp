// Black-box tenancy suite: two accounts with calls, trunks, credentials, origination URIs, IP
// access control lists and OAuth apps each. On every route of every customer API (the list in
// src/api/app/app.cpp), each account asks for the other's resources: with the other's auth_id
// in the path (403), with its own auth_id and the other's ids (404), through list filters and
// links (nothing of the other's shows, nothing links). Afterwards each account's data, read back
// by its owner, is exactly as before. (Ingest and rate decks take the operator's key: no
// customer reaches them.)
#include <gtest/gtest.h>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cctype>
#include <map>
#include <memory>

#include "harness.h"
#include "records.h"
#include "trunk_client.h"

namespace cdrd::test {
namespace {

// Everything one account owns, and the marker text its data carries.
struct Tenant {
  Credentials who;
  std::string marker;  // in names and numbers of this tenant's data only
  std::string number;  // the from_number of its calls (+E.164)
  std::string ipacl, credential, uri, uri2, out_trunk, in_trunk;
  std::vector<std::string> calls;
  std::string client_id, client_secret, numeric_client, token;
};

// The response body without its per-request api_id, so two reads can be compared.
std::string stable(const std::string& body) {
  rapidjson::Document d;
  d.Parse(body.c_str());
  if (d.HasParseError()) return body;
  if (d.IsObject()) d.RemoveMember("api_id");
  rapidjson::StringBuffer out;
  rapidjson::Writer<rapidjson::StringBuffer> writer(out);
  d.Accept(writer);
  return out.GetString();
}

class TenancyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<CdrdServer>(
        std::vector<std::string>{"--auth-failure-burst", "0"});  // many failures on purpose
    a_ = make_tenant("alpha", "+442071838750");
    b_ = make_tenant("bravo", "+33142685300");
  }

  Tenant make_tenant(const std::string& marker, const std::string& number) {
    Tenant t;
    t.who = server_->create_account(marker + "-account");
    t.marker = marker + "-secret";
    t.number = number;
    const TrunkClient c(*server_, t.who);
    t.ipacl = c.create(
        "IPAccessControlList/",
        "{\"name\": " + str(t.marker + "-acl") + ", \"ip_addresses\": [\"198.51.100.0/24\"]}",
        "ipacl_uuid");
    t.credential = c.create("Credential/",
                            "{\"name\": " + str(t.marker + "-cred") + ", \"username\": " +
                                str(marker + ".pbx") + ", \"password\": \"Sup3rSecretPass1\"}",
                            "credential_uuid");
    t.uri = c.create(
        "URI/",
        "{\"name\": " + str(t.marker + "-uri") + ", \"uri\": \"" + marker + ".example.com:5060\"}",
        "uri_uuid");
    t.uri2 = c.create("URI/",
                      "{\"name\": " + str(t.marker + "-uri2") + ", \"uri\": \"" + marker +
                          "2.example.com:5061\"}",
                      "uri_uuid");
    t.out_trunk =
        c.create("Trunk/",
                 "{\"name\": " + str(t.marker + "-out") +
                     ", \"trunk_direction\": \"outbound\", \"ipacl_uuid\": " + str(t.ipacl) +
                     ", \"credential_uuid\": " + str(t.credential) + "}",
                 "trunk_id");
    t.in_trunk = c.create(
        "Trunk/",
        "{\"name\": " + str(t.marker + "-in") +
            ", \"trunk_direction\": \"inbound\", \"primary_uri_uuid\": " + str(t.uri) + "}",
        "trunk_id");
    // Calls through both trunks, with quality metrics (Insights) and PBX fields and legs.
    const std::int64_t now = wall_now();
    std::string body;
    for (int i = 0; i < 4; ++i) {
      const std::string uuid = marker + "-call-" + std::to_string(i);
      t.calls.push_back(uuid);
      Record r;
      r.set("account", str(t.who.auth_id))
          .set("call_uuid", str(uuid))
          .set("call_direction", str(i % 2 == 0 ? "outbound" : "inbound"))
          .set("trunk_id", str(i % 2 == 0 ? t.out_trunk : t.in_trunk))
          .set("from_number", str(number))
          .set("to_number", str("+12125550199"))
          .set("initiation_time", str(seconds_before(now, 300 + i)))
          .set("answer_time", str(seconds_before(now, 290 + i)))
          .set("end_time", str(seconds_before(now, 200 + i)))
          .set("rate", str("0.01000"))
          .set("total_amount", str("0.01667"))
          .set("region", str(t.marker + "-region"))
          .set("rtt_ms", "40")
          .set("jitter_ms", str("3.5"))
          .set("packet_loss_pct", str("0.5"))
          .set("extension_name", str(t.marker + "-ext"))
          .set("legs", "[{\"init_time\": " + str(seconds_before(now, 300 + i)) +
                           ", \"hangup_time\": " + str(seconds_before(now, 200 + i)) +
                           ", \"record_uuid\": " + str(t.marker + "-leg") + "}]");
      body += r.line() + "\n";
    }
    const auto r = server_->ingest(body);
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(parse_json(r.body)["stored"].GetInt(), 4) << r.body;

    // An OAuth app and a token for the cloud-PBX API.
    const OAuthApp app = create_app_in(server_->data_dir(), t.who.auth_id);
    t.client_id = app.client_id;
    t.client_secret = app.client_secret;
    t.numeric_client = app.numeric_client;
    t.token = token(t.client_id, t.client_secret);
    EXPECT_FALSE(t.token.empty());
    return t;
  }

  std::string token(const std::string& client_id, const std::string& secret) {
    const auto r = request_token(server_->port(), client_id, secret);
    if (r.status != 200) return "";
    return parse_json(r.body)["access_token"].GetString();
  }

  http::ClientResponse send(const http::Params& auth, const std::string& method,
                            const std::string& target, const std::string& body = "") {
    http::Params headers = auth;
    if (!body.empty()) headers.emplace_back("Content-Type", "application/json");
    const auto r = server_->client().request(method, target, body, headers);
    ++requests_;
    return r;
  }

  // The usage totals of the last days, by trunk: a fixed window, so that the answer (which
  // repeats its window) stays the same between snapshots.
  static std::string usage_target(const std::string& base) {
    std::string since = ago(7 * 86400);
    since.replace(since.find(' '), 1, "%20");
    return base + "/Zentrunk/Usage/?group_by=trunk_id&end_time__gte=" + since;
  }

  // Every GET the owner can make of its own data, answered as now (without api_id).
  std::map<std::string, std::string> snapshot(const Tenant& t) {
    std::map<std::string, std::string> out;
    const std::string base = "/v1/Account/" + t.who.auth_id;
    std::vector<std::string> targets = {base + "/Zentrunk/Call/",
                                        base + "/Call/",
                                        base + "/Zentrunk/Trunk/",
                                        base + "/Zentrunk/IPAccessControlList/",
                                        base + "/Zentrunk/Credential/",
                                        base + "/Zentrunk/URI/",
                                        base + "/Zentrunk/Trunk/" + t.out_trunk + "/",
                                        base + "/Zentrunk/Trunk/" + t.in_trunk + "/",
                                        base + "/Zentrunk/IPAccessControlList/" + t.ipacl + "/",
                                        base + "/Zentrunk/Credential/" + t.credential + "/",
                                        base + "/Zentrunk/URI/" + t.uri + "/",
                                        base + "/Zentrunk/URI/" + t.uri2 + "/",
                                        usage_target(base),
                                        base + "/Zentrunk/CallFeed/"};
    for (const auto& call : t.calls) {
      targets.push_back(base + "/Zentrunk/Call/" + call + "/");
      targets.push_back(base + "/Call/" + call + "/");
      targets.push_back(base + "/Zentrunk/Call/" + call + "/Insights/");
      targets.push_back(base + "/Zentrunk/Call/" + call + "/Legs/");
    }
    for (const auto& target : targets) {
      const auto r = server_->get(t.who, target);
      EXPECT_EQ(r.status, 200) << target << " " << r.body;
      out[target] = stable(r.body);
    }
    const http::Params bearer = {{"Authorization", "Bearer " + t.token}};
    const std::string pbx = "/api/ver1.0/client/" + t.numeric_client;
    std::vector<std::string> pbx_targets = {pbx + "/calls/", pbx + "/call_history/"};
    for (const auto& call : t.calls) pbx_targets.push_back(pbx + "/call_history/" + call);
    for (const auto& target : pbx_targets) {
      const auto r = server_->client().get(target, bearer);
      EXPECT_EQ(r.status, 200) << target << " " << r.body;
      out[target] = stable(r.body);
    }
    return out;
  }

  // A refused cross-account request: the expected status, and none of the victim's data in it.
  void expect_refused(const http::ClientResponse& r, std::initializer_list<int> allowed,
                      const Tenant& victim, const std::string& what) {
    bool ok = false;
    for (int s : allowed) ok = ok || r.status == s;
    EXPECT_TRUE(ok) << what << " -> " << r.status << " " << r.body;
    EXPECT_EQ(r.body.find(victim.marker), std::string::npos) << what << " leaks: " << r.body;
    EXPECT_EQ(r.body.find(victim.number.substr(1)), std::string::npos)
        << what << " leaks: " << r.body;
  }

  // A response to the attacker about its own data: nothing of the victim's in it.
  void expect_clean(const http::ClientResponse& r, const Tenant& victim, const std::string& what) {
    EXPECT_LT(r.status, 500) << what << " " << r.body;
    EXPECT_EQ(r.body.find(victim.marker), std::string::npos) << what << " leaks: " << r.body;
    EXPECT_EQ(r.body.find(victim.number.substr(1)), std::string::npos)
        << what << " leaks: " << r.body;
    for (const auto& call : victim.calls) {
      EXPECT_EQ(r.body.find(call), std::string::npos) << what << " leaks: " << r.body;
    }
  }

  // `attacker` goes after `victim` on every route.
  void attack(const Tenant& attacker, const Tenant& victim) {
    const http::Params auth = attacker.who.basic();
    const std::string theirs = "/v1/Account/" + victim.who.auth_id;
    const std::string mine = "/v1/Account/" + attacker.who.auth_id;

    // The victim's auth_id with the attacker's token, and the other way round: 401.
    for (const auto& [id, tok] : {std::pair{victim.who.auth_id, attacker.who.auth_token},
                                  std::pair{attacker.who.auth_id, victim.who.auth_token}}) {
      const http::Params mixed = {{"Authorization", http::basic_auth(id, tok)}};
      expect_refused(send(mixed, "GET", theirs + "/Zentrunk/Call/"), {401}, victim, "mixed creds");
      expect_refused(send(mixed, "GET", mine + "/Zentrunk/Trunk/"), {401}, victim, "mixed creds");
    }

    // Other spellings of the victim's auth_id in the path: never the victim's data.
    std::string lower = victim.who.auth_id, encoded;
    for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    static const char* kHex = "0123456789ABCDEF";
    for (char ch : victim.who.auth_id) encoded += {'%', kHex[(ch >> 4) & 15], kHex[ch & 15]};
    for (const std::string& id : {lower, encoded, victim.who.auth_id + "%20",
                                  victim.who.auth_id + "%00", "%20" + victim.who.auth_id}) {
      for (const std::string& rest : {std::string("/Zentrunk/Call/"), "/Call/" + victim.calls[0],
                                      "/Zentrunk/Trunk/" + victim.out_trunk}) {
        const auto r = send(auth, "GET", "/v1/Account/" + id + rest);
        expect_refused(r, {400, 401, 403, 404}, victim, "spelling " + id + rest);
      }
    }

    // Usage totals: the victim's are refused; the attacker's own, grouped by trunk or filtered
    // by the victim's trunks, hold nothing of the victim's.
    expect_refused(send(auth, "GET", theirs + "/Zentrunk/Usage/?group_by=trunk_id"), {403}, victim,
                   "usage");
    for (const auto& trunk : {victim.out_trunk, victim.in_trunk}) {
      const auto r = send(auth, "GET", mine + "/Zentrunk/Usage/?trunk_id=" + trunk);
      expect_clean(r, victim, "usage filter");
      if (r.status == 200) {
        EXPECT_EQ(parse_json(r.body)["totals"]["calls"].GetInt64(), 0) << r.body;
      }
    }
    const auto own_usage = send(auth, "GET", mine + "/Zentrunk/Usage/?group_by=trunk_id");
    EXPECT_EQ(own_usage.status, 200);
    expect_clean(own_usage, victim, "own usage");
    EXPECT_EQ(parse_json(own_usage.body)["totals"]["calls"].GetInt64(),
              static_cast<std::int64_t>(attacker.calls.size()));

    // The change feed: the victim's is refused, the attacker's own holds only its own calls.
    expect_refused(send(auth, "GET", theirs + "/Zentrunk/CallFeed/"), {403}, victim, "feed");
    const auto own_feed = send(auth, "GET", mine + "/Zentrunk/CallFeed/?limit=1000");
    EXPECT_EQ(own_feed.status, 200);
    expect_clean(own_feed, victim, "own feed");
    EXPECT_EQ(parse_json(own_feed.body)["objects"].Size(), attacker.calls.size());

    // SIP-trunk calls, current and legacy, and Insights.
    for (const std::string calls : {"/Zentrunk/Call", "/Call"}) {
      expect_refused(send(auth, "GET", theirs + calls + "/"), {403}, victim, "list " + calls);
      expect_refused(send(auth, "GET", theirs + calls + "/?limit=20&offset=0"), {403}, victim,
                     "list " + calls);
      for (const auto& call : victim.calls) {
        expect_refused(send(auth, "GET", theirs + calls + "/" + call + "/"), {403}, victim,
                       "get " + calls);
        expect_refused(send(auth, "GET", mine + calls + "/" + call + "/"), {404}, victim,
                       "get own path " + calls);
        expect_refused(send(auth, "GET", mine + calls + "/" + call), {404}, victim,
                       "get own path no slash " + calls);
      }
      // Filters naming the victim's trunks find nothing (or are refused).
      for (const auto& trunk : {victim.out_trunk, victim.in_trunk}) {
        const auto r = send(auth, "GET", mine + calls + "/?trunk_id=" + trunk);
        expect_clean(r, victim, "filter " + calls);
        if (r.status == 200) {
          EXPECT_EQ(parse_json(r.body)["meta"]["total_count"].GetInt64(), 0) << r.body;
        }
      }
      const auto own = send(auth, "GET", mine + calls + "/");
      EXPECT_EQ(own.status, 200);
      expect_clean(own, victim, "own list " + calls);
      EXPECT_EQ(parse_json(own.body)["meta"]["total_count"].GetInt64(),
                static_cast<std::int64_t>(attacker.calls.size()));
      // Writes on the calls routes do not exist for customers.
      for (const char* method : {"POST", "DELETE", "PUT"}) {
        expect_refused(send(auth, method, theirs + calls + "/" + victim.calls[0] + "/"),
                       {403, 404, 405}, victim, std::string(method) + " call");
        expect_refused(send(auth, method, mine + calls + "/" + victim.calls[0] + "/"), {404, 405},
                       victim, std::string(method) + " call own path");
      }
    }
    for (const auto& call : victim.calls) {
      expect_refused(send(auth, "GET", theirs + "/Zentrunk/Call/" + call + "/Insights/"), {403},
                     victim, "insights");
      expect_refused(send(auth, "GET", mine + "/Zentrunk/Call/" + call + "/Insights/"), {404},
                     victim, "insights own path");
      expect_refused(send(auth, "GET", theirs + "/Zentrunk/Call/" + call + "/Legs/"), {403}, victim,
                     "legs");
      expect_refused(send(auth, "GET", mine + "/Zentrunk/Call/" + call + "/Legs/"), {404}, victim,
                     "legs own path");
    }

    // The control plane: four resources, GET/POST on the collection, GET/POST/DELETE on items.
    struct Resource {
      std::string segment, create_body, update_body;
      std::vector<std::string> victim_ids;
    };
    const std::vector<Resource> resources = {
        {"Trunk",
         "{\"trunk_direction\": \"outbound\", \"ipacl_uuid\": " + str(attacker.ipacl) + "}",
         "{\"name\": \"hijacked\"}",
         {victim.out_trunk, victim.in_trunk}},
        {"IPAccessControlList",
         "{\"ip_addresses\": [\"192.0.2.1\"]}",
         "{\"name\": \"hijacked\"}",
         {victim.ipacl}},
        {"Credential",
         "{\"username\": \"intruder\", \"password\": \"Sup3rSecretPass2\"}",
         "{\"password\": \"Hijack3dPassword\"}",
         {victim.credential}},
        {"URI",
         "{\"uri\": \"intruder.example.com\"}",
         "{\"name\": \"hijacked\"}",
         {victim.uri, victim.uri2}},
    };
    for (const Resource& res : resources) {
      const std::string their_base = theirs + "/Zentrunk/" + res.segment;
      const std::string my_base = mine + "/Zentrunk/" + res.segment;
      for (const std::string slash : {"/", ""}) {
        expect_refused(send(auth, "GET", their_base + slash), {403}, victim, "list " + res.segment);
        expect_refused(send(auth, "POST", their_base + slash, res.create_body), {403}, victim,
                       "create in victim " + res.segment);
        for (const auto& id : res.victim_ids) {
          // The victim's object under the victim's path (403), then under the attacker's (404).
          struct Path {
            std::string base;
            int status;
            const char* where;
          };
          for (const Path& p : {Path{their_base, 403, ""}, Path{my_base, 404, "own path "}}) {
            const std::string url = p.base + "/" + id + slash;
            const std::string what = p.where + res.segment + " " + id;
            expect_refused(send(auth, "GET", url), {p.status}, victim, "get " + what);
            expect_refused(send(auth, "POST", url, res.update_body), {p.status}, victim,
                           "update " + what);
            expect_refused(send(auth, "DELETE", url), {p.status}, victim, "delete " + what);
          }
        }
      }
      const auto own = send(auth, "GET", my_base + "/");
      EXPECT_EQ(own.status, 200) << own.body;
      expect_clean(own, victim, "own list " + res.segment);
      for (const auto& id : res.victim_ids) {
        EXPECT_EQ(own.body.find(id), std::string::npos) << res.segment << " lists " << id;
      }
    }
    // Links to the victim's resources: on create and on update, never accepted.
    const std::vector<std::pair<std::string, std::string>> bad_links = {
        {"{\"trunk_direction\": \"outbound\", \"ipacl_uuid\": " + str(victim.ipacl) + "}",
         "outbound + victim's list"},
        {"{\"trunk_direction\": \"outbound\", \"credential_uuid\": " + str(victim.credential) + "}",
         "outbound + victim's credential"},
        {"{\"trunk_direction\": \"outbound\", \"ipacl_uuid\": " + str(attacker.ipacl) +
             ", \"credential_uuid\": " + str(victim.credential) + "}",
         "outbound + own list + victim's credential"},
        {"{\"trunk_direction\": \"inbound\", \"primary_uri_uuid\": " + str(victim.uri) + "}",
         "inbound + victim's URI"},
        {"{\"trunk_direction\": \"inbound\", \"primary_uri_uuid\": " + str(attacker.uri) +
             ", \"fallback_uri_uuid\": " + str(victim.uri2) + "}",
         "inbound + victim's fallback URI"},
    };
    for (const auto& [body, what] : bad_links) {
      expect_refused(send(auth, "POST", mine + "/Zentrunk/Trunk/", body), {400, 404, 422}, victim,
                     "create " + what);
    }
    for (const auto& [body, what] : std::vector<std::pair<std::string, std::string>>{
             {"{\"ipacl_uuid\": " + str(victim.ipacl) + "}", "victim's list"},
             {"{\"credential_uuid\": " + str(victim.credential) + "}", "victim's credential"}}) {
      expect_refused(send(auth, "POST", mine + "/Zentrunk/Trunk/" + attacker.out_trunk + "/", body),
                     {400, 404, 422}, victim, "update outbound with " + what);
    }
    for (const auto& [body, what] : std::vector<std::pair<std::string, std::string>>{
             {"{\"primary_uri_uuid\": " + str(victim.uri) + "}", "victim's URI"},
             {"{\"fallback_uri_uuid\": " + str(victim.uri2) + "}", "victim's fallback URI"}}) {
      expect_refused(send(auth, "POST", mine + "/Zentrunk/Trunk/" + attacker.in_trunk + "/", body),
                     {400, 404, 422}, victim, "update inbound with " + what);
    }
    // Trunk list filters naming the victim's resources find nothing (or are refused).
    for (const std::string& filter :
         {"ipacl_uuid=" + victim.ipacl, "credential_uuid=" + victim.credential,
          "primary_uri_uuid=" + victim.uri, "fallback_uri_uuid=" + victim.uri2}) {
      const auto r = send(auth, "GET", mine + "/Zentrunk/Trunk/?" + filter);
      expect_clean(r, victim, "trunk filter " + filter);
      if (r.status == 200) {
        EXPECT_EQ(parse_json(r.body)["meta"]["total_count"].GetInt64(), 0) << filter;
      }
    }

    // The cloud-PBX API with the attacker's token.
    const http::Params bearer = {{"Authorization", "Bearer " + attacker.token}};
    const std::string their_pbx = "/api/ver1.0/client/" + victim.numeric_client;
    for (const std::string slash : {"/", ""}) {
      expect_refused(send(bearer, "GET", their_pbx + "/calls" + slash), {403}, victim, "pbx calls");
      expect_refused(send(bearer, "GET", their_pbx + "/call_history" + slash), {403}, victim,
                     "pbx call_history");
    }
    for (const std::string& client :
         {"0" + victim.numeric_client, "+" + victim.numeric_client, victim.numeric_client + "%20",
          victim.numeric_client + ".0", "%20" + victim.numeric_client}) {
      expect_refused(send(bearer, "GET", "/api/ver1.0/client/" + client + "/calls/"),
                     {400, 403, 404}, victim, "pbx client spelled " + client);
    }
    for (const auto& call : victim.calls) {
      expect_refused(send(bearer, "GET", their_pbx + "/call_history/" + call), {403}, victim,
                     "pbx call");
      for (const std::string& own : {std::string("/api/ver1.0/client/@me"),
                                     "/api/ver1.0/client/" + attacker.numeric_client}) {
        expect_refused(send(bearer, "GET", own + "/call_history/" + call), {404}, victim,
                       "pbx call via " + own);
        // Call uuids match in any letter case, still only among the client's own calls.
        std::string other_case = call;
        for (char& ch : other_case) {
          ch = std::isupper(static_cast<unsigned char>(ch))
                   ? static_cast<char>(std::tolower(static_cast<unsigned char>(ch)))
                   : static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
        }
        expect_refused(send(bearer, "GET", own + "/call_history/" + other_case), {404}, victim,
                       "pbx call in another case via " + own);
      }
    }
    // Who the token is: the attacker's own client, nothing of the victim's.
    const auto me = send(bearer, "GET", "/api/ver1.0/user/");
    EXPECT_EQ(me.status, 200) << me.body;
    expect_clean(me, victim, "pbx user");
    EXPECT_EQ(std::to_string(parse_json(me.body)["client_id"].GetInt64()), attacker.numeric_client);
    for (const std::string list : {"/calls/", "/call_history/"}) {
      for (const std::string& query : {std::string(), std::string("?per_page=500"),
                                       "?from_username=" + http::url_encode(victim.number),
                                       std::string("?extension_id=1&flow=in&flow=out")}) {
        const auto r = send(bearer, "GET", "/api/ver1.0/client/@me" + list + query);
        EXPECT_EQ(r.status, 200) << list << query << " " << r.body;
        expect_clean(r, victim, "pbx own list " + list + query);
      }
    }
    // Another account's Basic credentials or customer token do not open the PBX API, and the
    // PBX token does not open the SIP-trunk API.
    expect_refused(send(auth, "GET", their_pbx + "/calls/"), {401, 403}, victim, "pbx with basic");
    expect_refused(send(bearer, "GET", theirs + "/Zentrunk/Call/"), {401}, victim,
                   "trunk api with bearer");
    // The operator's routes (ingest, rate decks, the list of accounts) take the operator key,
    // not a customer's.
    for (const http::Params& creds : {auth, bearer}) {
      expect_refused(send(creds, "GET", "/v1/Account/"), {401, 403}, victim, "account list");
      expect_refused(send(creds, "GET", "/v1/ratedecks/" + victim.who.auth_id), {401, 403}, victim,
                     "rate deck read");
      expect_refused(send(creds, "GET", "/v1/ratedecks/" + victim.who.auth_id + "/outbound"),
                     {401, 403}, victim, "rate deck read");
      expect_refused(
          send(creds, "PUT", "/v1/ratedecks/" + victim.who.auth_id, "prefix,rate\n1,0.5\n"),
          {401, 403, 415}, victim, "rate deck write");
      expect_refused(
          send(creds, "POST", "/v1/ingest/calls",
               "{\"account\": " + str(victim.who.auth_id) +
                   ", \"call_uuid\": \"forged\", "
                   "\"call_direction\": \"outbound\", \"from_number\": \"1\", \"to_number\": "
                   "\"2\", \"initiation_time\": \"2026-01-01 00:00:00\", \"end_time\": "
                   "\"2026-01-01 00:00:01\"}\n"),
          {401, 403, 415}, victim, "ingest with customer credentials");
    }
    // OAuth: the victim's client id with the attacker's secret gets no token.
    const auto stolen = request_token(server_->port(), victim.client_id, attacker.client_secret);
    EXPECT_EQ(stolen.status, 401) << stolen.body;
  }

  std::unique_ptr<CdrdServer> server_;
  Tenant a_, b_;
  int requests_ = 0;
};

TEST_F(TenancyTest, NoRouteReadsOrWritesAnotherAccountsData) {
  const auto a_before = snapshot(a_);
  const auto b_before = snapshot(b_);
  attack(b_, a_);
  attack(a_, b_);
  std::printf("[ tenancy ] %d cross-account requests\n", requests_);
  // Each account's data, read by its owner, is as it was.
  const auto a_after = snapshot(a_);
  const auto b_after = snapshot(b_);
  for (const auto& [target, body] : a_before) EXPECT_EQ(a_after.at(target), body) << target;
  for (const auto& [target, body] : b_before) EXPECT_EQ(b_after.at(target), body) << target;
  // And each sees only its own: the owner's lists count exactly its own.
  for (const Tenant* t : {&a_, &b_}) {
    const auto r = server_->get(t->who, "/v1/Account/" + t->who.auth_id + "/Zentrunk/Trunk/");
    EXPECT_EQ(parse_json(r.body)["meta"]["total_count"].GetInt64(), 2) << r.body;
  }
}

}  // namespace
}  // namespace cdrd::test
