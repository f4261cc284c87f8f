// Black-box tests of the bounded JSON reader and of always-valid-UTF-8 error bodies: hostile
// request bodies (200,000 '[' or '{"a":') sent to each control-plane collection are refused
// with a 400 that names the limit while the server keeps serving, and errors that echo
// percent-decoded bytes which are not UTF-8 still answer valid UTF-8 JSON.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include <chrono>
#include <memory>

#include "harness.h"
#include "records.h"
#include "trunk_client.h"

namespace cdrd::test {
namespace {

// Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing beyond U+10FFFF, nothing
// cut short. Written out here so the test does not trust the server's own check.
bool strict_utf8(const std::string& s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
    const unsigned char c = b(i);
    std::size_t n = 0;
    std::uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      n = 2, cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      n = 3, cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      n = 4, cp = c & 0x07;
    } else {
      return false;
    }
    if (i + n > s.size()) return false;
    for (std::size_t k = 1; k < n; ++k) {
      if ((b(i + k) & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (b(i + k) & 0x3F);
    }
    const std::uint32_t min = n == 2 ? 0x80 : n == 3 ? 0x800 : 0x10000;
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += n;
  }
  return true;
}

// The body is strict UTF-8 and strict JSON (RapidJSON validating the encoding); returns the
// member `field` of the object.
std::string strict_error(const http::ClientResponse& r, const char* field) {
  EXPECT_TRUE(strict_utf8(r.body)) << r.body;
  rapidjson::Document d;
  d.Parse<rapidjson::kParseValidateEncodingFlag>(r.body.c_str());
  EXPECT_FALSE(d.HasParseError()) << rapidjson::GetParseError_En(d.GetParseError()) << ": "
                                  << r.body;
  if (d.HasParseError() || !d.IsObject() || !d.HasMember(field) || !d[field].IsString()) return "";
  return d[field].GetString();
}

std::string nested_objects(int depth) {
  std::string out;
  out.reserve(static_cast<std::size_t>(depth) * 5);
  for (int i = 0; i < depth; ++i) out += "{\"a\":";
  return out;
}

TEST(JsonLimits, DeepBodiesAreRefusedByEveryControlPlaneCollection) {
  CdrdServer server;
  TrunkClient alice(server, server.create_account("alice"));
  // Deep, but within the control plane's 64 KiB body limit, so the JSON reader sees them.
  const std::string brackets(60000, '[');
  const std::string objects = nested_objects(12000);
  // Larger ones never reach it: the body limit refuses them from the Content-Length alone.
  const std::string huge(200000, '[');
  for (const char* collection : {"Trunk/", "Credential/", "URI/", "IPAccessControlList/"}) {
    const http::ClientResponse too_big = alice.post(collection, huge);
    EXPECT_EQ(too_big.status, 413) << collection;
    for (const std::string* body : {&brackets, &objects}) {
      const auto start = std::chrono::steady_clock::now();
      const http::ClientResponse r = alice.post(collection, *body);
      EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
      EXPECT_EQ(r.status, 400) << collection << " " << r.body.substr(0, 200);
      EXPECT_EQ(strict_error(r, "error"), "body: nested deeper than 8 levels") << collection;
    }
    // Still serving, the same collection included.
    EXPECT_EQ(alice.get(collection).status, 200) << collection;
  }
  EXPECT_EQ(alice.post("URI/", "{\"uri\": \"pbx.example.com:5060\"}").status, 201);
}

TEST(JsonLimits, LongStringsAndBigArraysAreRefusedByName) {
  CdrdServer server;
  TrunkClient alice(server, server.create_account("alice"));
  auto r = alice.post("Trunk/", "{\"name\": \"" + std::string(20000, 'n') + "\"}");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(strict_error(r, "error"), "name: a string longer than 16384 bytes");
  std::string list = "{\"ip_addresses\": [\"203.0.113.1\"";
  for (int i = 0; i < 1000; ++i) list += ", \"203.0.113.1\"";
  r = alice.post("IPAccessControlList/", list + "]}");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(strict_error(r, "error"), "ip_addresses: an array of more than 1000 elements");
}

TEST(JsonLimits, DeepNdjsonLinesAreRefusedNamingTheLimit) {
  CdrdServer server;
  server.create_account("alice");
  const http::ClientResponse r = server.ingest(nested_objects(200000) + "\n");
  EXPECT_TRUE(strict_utf8(r.body)) << r.body.substr(0, 300);
  EXPECT_THAT(r.body, ::testing::HasSubstr("line: nested deeper than 8 levels"));
  EXPECT_EQ(server.client().get("/healthz").status, 200);
}

TEST(JsonLimits, ErrorsEchoingBytesThatAreNotUtf8AreValidUtf8Json) {
  CdrdServer server;
  const Credentials alice = server.create_account("alice");
  const std::string calls = "/v1/Account/" + alice.auth_id + "/Zentrunk/Call/";
  for (const char* query :
       {"?limit=%FF%FE", "?limit=%C0%AF", "?limit=%ED%A0%80", "?limit=1%E2%82", "?%A9=1"}) {
    const http::ClientResponse r = server.get(alice, calls + query);
    EXPECT_EQ(r.status, 400) << query;
    EXPECT_FALSE(strict_error(r, "error").empty()) << query;
  }
  // The cloud-PBX API, with a token of a new OAuth app.
  const OAuthApp app = create_app_in(server.data_dir(), alice.auth_id);
  const http::ClientResponse token = request_token(server.port(), app.client_id, app.client_secret);
  ASSERT_EQ(token.status, 200) << token.body;
  const std::string bearer = "Bearer " + strict_error(token, "access_token");
  for (const char* query : {"?flow=%A9", "?flow=%FF%FE", "?%A9=1"}) {
    const http::ClientResponse r =
        server.client().request("GET", std::string("/api/ver1.0/client/@me/calls/") + query, "",
                                {{"Authorization", bearer}});
    EXPECT_EQ(r.status, 400) << query << " " << r.body;
    EXPECT_FALSE(strict_error(r, "message").empty()) << query;
  }
}

}  // namespace
}  // namespace cdrd::test
