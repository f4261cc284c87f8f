#include "api/console/console.h"

#include <gtest/gtest.h>

#include <string>

namespace cdrd::api::console {
namespace {

http::HttpRequest get(std::string path) {
  http::HttpRequest r;
  r.method = "GET";
  r.path = path;
  r.target = std::move(path);
  return r;
}

std::string header(const http::HttpResponse& r, std::string_view name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return "<none>";
}

void expect_security_headers(const http::HttpResponse& r) {
  EXPECT_EQ(header(r, "Content-Security-Policy"),
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
  EXPECT_EQ(header(r, "X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(header(r, "Referrer-Policy"), "no-referrer");
  EXPECT_EQ(header(r, "X-Frame-Options"), "DENY");
}

TEST(Console, EmbedsEveryFileWithItsTypeAndAStrongEtag) {
  ASSERT_EQ(assets().size(), 4U);
  for (const Asset& a : assets()) {
    EXPECT_FALSE(a.bytes.empty()) << a.name;
    EXPECT_EQ(a.etag.size(), 34U) << a.name;  // 32 hex digits in quotes
    EXPECT_TRUE(a.etag.front() == '"' && a.etag.back() == '"') << a.name;
  }
  EXPECT_EQ(serve_asset(get("/console/app.js"), "app.js").content_type,
            "text/javascript; charset=utf-8");
  EXPECT_EQ(serve_asset(get("/console/app.css"), "app.css").content_type,
            "text/css; charset=utf-8");
  EXPECT_EQ(serve_asset(get("/console/icon.svg"), "icon.svg").content_type, "image/svg+xml");
}

TEST(Console, ServesIndexHtmlAtTheSlashAndRedirectsWithoutIt) {
  const http::HttpResponse index = serve_index(get("/console/"));
  EXPECT_EQ(index.status, 200);
  EXPECT_EQ(index.content_type, "text/html; charset=utf-8");
  EXPECT_NE(index.body.find("<script src=\"app.js\" defer></script>"), std::string::npos);
  EXPECT_EQ(header(index, "Cache-Control"), "no-cache");
  EXPECT_NE(header(index, "ETag"), "<none>");
  expect_security_headers(index);

  const http::HttpResponse redirect = serve_index(get("/console"));
  EXPECT_EQ(redirect.status, 301);
  EXPECT_EQ(header(redirect, "Location"), "/console/");
  expect_security_headers(redirect);
}

TEST(Console, AMatchingIfNoneMatchIsA304WithoutBody) {
  const http::HttpResponse first = serve_asset(get("/console/app.js"), "app.js");
  ASSERT_EQ(first.status, 200);
  const std::string etag = header(first, "ETag");
  for (const std::string& sent : {etag, "W/" + etag, "\"other\", " + etag, std::string("*")}) {
    http::HttpRequest again = get("/console/app.js");
    again.headers.emplace_back("if-none-match", sent);
    const http::HttpResponse r = serve_asset(again, "app.js");
    EXPECT_EQ(r.status, 304) << sent;
    EXPECT_TRUE(r.body.empty()) << sent;
    EXPECT_EQ(header(r, "ETag"), etag);
    expect_security_headers(r);
  }
  http::HttpRequest stale = get("/console/app.js");
  stale.headers.emplace_back("if-none-match", "\"0123\"");
  EXPECT_EQ(serve_asset(stale, "app.js").status, 200);
  EXPECT_EQ(serve_asset(stale, "app.js").body, first.body);
}

TEST(Console, AnUnknownFileIsA404) {
  for (const char* name : {"nope.js", "index.htm", "..", "app.js.map", ""}) {
    const http::HttpResponse r = serve_asset(get(std::string("/console/") + name), name);
    EXPECT_EQ(r.status, 404) << name;
    expect_security_headers(r);
  }
}

TEST(Console, IfNoneMatchComparesWeakly) {
  EXPECT_TRUE(if_none_match_matches("\"a\"", "\"a\""));
  EXPECT_TRUE(if_none_match_matches(" W/\"a\" ", "\"a\""));
  EXPECT_TRUE(if_none_match_matches("\"b\",\"a\"", "\"a\""));
  EXPECT_TRUE(if_none_match_matches("*", "\"a\""));
  EXPECT_FALSE(if_none_match_matches("", "\"a\""));
  EXPECT_FALSE(if_none_match_matches("a", "\"a\""));
  EXPECT_FALSE(if_none_match_matches("\"ab\"", "\"a\""));
}

}  // namespace
}  // namespace cdrd::api::console
