// Black-box suite of malformed requests over raw TCP: a seeded generator makes more than 10,000
// requests against every route: broken request lines and heads (methods, versions, folding,
// NULs, huge and contradictory headers, bad chunked framing, bare LF), bad bodies (truncated,
// invalid UTF-8, deep nesting, wrong JSON types), bad percent-encodings and query strings, and
// bad credentials. No answer may be a 5xx, every byte that comes back must be an HTTP response,
// nothing may hang, and the server must still run and serve a normal request at the end.
// The seed is printed on failure (CDRD_TEST_SEED=N replays it).
#include <gtest/gtest.h>
#include <cctype>

#include <array>
#include <atomic>
#include <mutex>
#include <random>
#include <thread>

#include "fault_harness.h"
#include "records.h"

namespace cdrd::test {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;
using namespace std::string_literals;

// One request of the suite. `framed`: a whole, unambiguously delimited message, which must be
// answered (and may share a keep-alive connection); otherwise it goes on its own connection,
// followed by the end of our stream, and the server may answer or close.
struct Case {
  std::string bytes;
  bool framed = true;
  bool head = false;
  std::string label;
};

// Printable form of some bytes, for failure messages.
std::string shown(const std::string& bytes, std::size_t max = 300) {
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes.substr(0, max)) {
    if (c == '\r') {
      out += "\\r";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c < 0x20 || c >= 0x7f) {
      out += {'\\', 'x', kHex[c >> 4], kHex[c & 15]};
    } else {
      out += static_cast<char>(c);
    }
  }
  if (bytes.size() > max) out += "... (" + std::to_string(bytes.size()) + " bytes)";
  return out;
}

enum class BodyKind { kNone, kJson, kNdjson, kForm, kCsv };
enum class AuthKind { kNone, kBasic, kOperator, kBearer };

struct Route {
  const char* method;
  const char* path;  // {auth_id} {client} {call} {id} {dir} are filled in
  BodyKind body;
  AuthKind auth;
};

// Every route, one row each: the rows share a shape because the table is data.
const Route kRoutes[] = {
    {"GET", "/healthz", BodyKind::kNone, AuthKind::kNone},
    {"POST", "/v1/ingest/calls", BodyKind::kNdjson, AuthKind::kOperator},
    {"POST", "/oauth/token", BodyKind::kForm, AuthKind::kNone},
    {"GET", "/api/ver1.0/client/{client}/calls/", BodyKind::kNone, AuthKind::kBearer},
    {"GET", "/api/ver1.0/client/{client}/call_history/", BodyKind::kNone, AuthKind::kBearer},
    {"GET", "/api/ver1.0/client/{client}/call_history/{call}", BodyKind::kNone, AuthKind::kBearer},
    {"GET", "/api/ver1.0/user/", BodyKind::kNone, AuthKind::kBearer},
    {"PUT", "/v1/ratedecks/{auth_id}/{dir}", BodyKind::kCsv, AuthKind::kOperator},
    {"GET", "/v1/ratedecks/{auth_id}/{dir}", BodyKind::kNone, AuthKind::kOperator},
    {"PUT", "/v1/ratedecks/{auth_id}", BodyKind::kCsv, AuthKind::kOperator},
    {"GET", "/v1/ratedecks/{auth_id}", BodyKind::kNone, AuthKind::kOperator},
    {"GET", "/v1/Account/{auth_id}/Zentrunk/Call/", BodyKind::kNone, AuthKind::kBasic},
    {"GET", "/v1/Account/{auth_id}/Zentrunk/Call/{call}/", BodyKind::kNone, AuthKind::kBasic},
    {"GET", "/v1/Account/{auth_id}/Zentrunk/Call/{call}/Insights/", BodyKind::kNone,
     AuthKind::kBasic},
    {"GET", "/v1/Account/{auth_id}/Call/", BodyKind::kNone, AuthKind::kBasic},
    {"GET", "/v1/Account/{auth_id}/Call/{call}/", BodyKind::kNone, AuthKind::kBasic},
    {"GET", "/v1/Account/{auth_id}/Zentrunk/Trunk/", BodyKind::kNone, AuthKind::kBasic},
    {"POST", "/v1/Account/{auth_id}/Zentrunk/Trunk/", BodyKind::kJson, AuthKind::kBasic},
    {"GET", "/v1/Account/{auth_id}/Zentrunk/Trunk/{id}/", BodyKind::kNone, AuthKind::kBasic},
    {"POST", "/v1/Account/{auth_id}/Zentrunk/Trunk/{id}/", BodyKind::kJson, AuthKind::kBasic},
    {"DELETE", "/v1/Account/{auth_id}/Zentrunk/Trunk/{id}/", BodyKind::kNone, AuthKind::kBasic},
    {"GET", "/v1/Account/{auth_id}/Zentrunk/IPAccessControlList/", BodyKind::kNone,
     AuthKind::kBasic},
    {"POST", "/v1/Account/{auth_id}/Zentrunk/IPAccessControlList/", BodyKind::kJson,
     AuthKind::kBasic},
    {"GET", "/v1/Account/{auth_id}/Zentrunk/IPAccessControlList/{id}/", BodyKind::kNone,
     AuthKind::kBasic},
    {"POST", "/v1/Account/{auth_id}/Zentrunk/IPAccessControlList/{id}/", BodyKind::kJson,
     AuthKind::kBasic},
    {"DELETE", "/v1/Account/{auth_id}/Zentrunk/IPAccessControlList/{id}/", BodyKind::kNone,
     AuthKind::kBasic},
    {"GET", "/v1/Account/{auth_id}/Zentrunk/Credential/", BodyKind::kNone, AuthKind::kBasic},
    {"POST", "/v1/Account/{auth_id}/Zentrunk/Credential/", BodyKind::kJson, AuthKind::kBasic},
    {"GET", "/v1/Account/{auth_id}/Zentrunk/Credential/{id}/", BodyKind::kNone, AuthKind::kBasic},
    {"POST", "/v1/Account/{auth_id}/Zentrunk/Credential/{id}/", BodyKind::kJson, AuthKind::kBasic},
    {"DELETE", "/v1/Account/{auth_id}/Zentrunk/Credential/{id}/", BodyKind::kNone,
     AuthKind::kBasic},
    {"GET", "/v1/Account/{auth_id}/Zentrunk/URI/", BodyKind::kNone, AuthKind::kBasic},
    {"POST", "/v1/Account/{auth_id}/Zentrunk/URI/", BodyKind::kJson, AuthKind::kBasic},
    {"GET", "/v1/Account/{auth_id}/Zentrunk/URI/{id}/", BodyKind::kNone, AuthKind::kBasic},
    {"POST", "/v1/Account/{auth_id}/Zentrunk/URI/{id}/", BodyKind::kJson, AuthKind::kBasic},
    {"DELETE", "/v1/Account/{auth_id}/Zentrunk/URI/{id}/", BodyKind::kNone, AuthKind::kBasic},
};

// What the generator may put into requests: real ids and credentials of the server's data.
struct World {
  Credentials account;
  std::string bearer;  // a PBX access token of the account
  std::string numeric_client;
  std::string call = "m-call-1";
  std::vector<std::string> ids;  // trunk, list, credential and URI ids of the account
};

class Generator {
 public:
  Generator(std::uint64_t seed, const World& world) : rng_(seed), w_(world) {}

  // A request that is whole by its framing; its content is where it goes wrong.
  Case framed() {
    const Route& route = kRoutes[pick(std::size(kRoutes))];
    std::string method = route.method;
    bool head = false;
    const int m = below(100);
    if (m < 6)
      method = one_of({"PATCH", "OPTIONS", "TRACE", "FOO", "get", "M-SEARCH", "PUT", "DELETE",
                       "POST", "PROPFIND"});
    else if (m < 9)
      method = "HEAD", head = true;
    std::string target = path(route.path) + (below(100) < 45 ? query() : "");
    std::vector<std::string> headers = auth(route.auth);
    std::string body;
    if (route.body != BodyKind::kNone || below(100) < 10) {
      body = make_body(route.body == BodyKind::kNone ? BodyKind::kJson : route.body);
      headers.push_back("Content-Type: " + content_type(route.body));
    }
    if (below(100) < 8)
      headers.push_back(one_of({"Connection: close", "Expect: 100-continue", "Accept: */*;q=bogus",
                                "Content-Type:", "X-Forwarded-For: ::::1", "Cookie: a=\x01"}));
    const std::string version = below(100) < 5 ? "HTTP/1.0" : "HTTP/1.1";
    std::string out = method + " " + target + " " + version + "\r\nHost: 127.0.0.1\r\n";
    for (const auto& h : headers) out += h + "\r\n";
    if (!body.empty() || method == "POST" || method == "PUT") {
      out += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    }
    out += "\r\n" + body;
    return Case{std::move(out), true, head, method + " " + route.path};
  }

  // A framed request whose response has a body (not HEAD), for gluing and mutating.
  Case framed_with_body() {
    for (;;) {
      Case c = framed();
      if (!c.head) return c;
    }
  }

  // A request broken in its framing or head; sent on its own connection.
  Case unframed() {
    Case c;
    c.framed = false;
    const std::string target = path(kRoutes[pick(std::size(kRoutes))].path);
    const std::vector<std::string> auth_header = auth(AuthKind::kBasic);
    const std::string auth_line = auth_header.empty() ? "" : auth_header[0] + "\r\n";
    switch (below(14)) {
      case 0: {  // bad request lines
        c.label = "request line";
        c.bytes = one_of({"G ET " + target + " HTTP/1.1",
                          "GET  " + target + " HTTP/1.1",
                          "GET " + target,
                          "GET " + target + " HTTP/1.1 extra",
                          "GET healthz HTTP/1.1",
                          "GET " + target + " HTTP/2.0",
                          "GET " + target + " HTTP/0.9",
                          "GET " + target + " HTTP/1.10",
                          "GET " + target + " HTTP/11",
                          "GET " + target + " http/1.1",
                          "GET " + target + " HTTPS/1.1",
                          "\0GET "s + target + " HTTP/1.1",
                          "GET\t" + target + "\tHTTP/1.1",
                          " GET " + target + " HTTP/1.1",
                          "GE\x7fT " + target + " HTTP/1.1",
                          "GET " + target + " HTTP/1.1 ",
                          "OPTIONS * HTTP/1.1",
                          "CONNECT 127.0.0.1:443 HTTP/1.1",
                          "GET http://127.0.0.1/healthz HTTP/1.1",
                          "GET //x HTTP/1.1",
                          "GET /\x80\xff HTTP/1.1",
                          "GET / HTTP/1.1\0"s,
                          "\r\n\r\nGET / HTTP/1.1",
                          std::string(5000, 'G') + " / HTTP/1.1"}) +
                  "\r\nHost: x\r\n" + auth_line + "\r\n";
        break;
      }
      case 1:  // obsolete line folding
        c.label = "folding";
        c.bytes = "GET " + target + " HTTP/1.1\r\nHost: x\r\nX-Folded: a\r\n  b\r\n\tc\r\n" +
                  auth_line + "\r\n";
        break;
      case 2: {  // NULs and control bytes in the head
        c.label = "NUL";
        std::string h = one_of({std::string("X-N\0ul: v", 9), std::string("X-V: a\0b", 8),
                                std::string("Authorization: Basic \0\0", 23), "X\x01: y",
                                "X-Y: \x7f\x1b[2J", std::string("\0: x", 4)});
        c.bytes = "GET " + target + " HTTP/1.1\r\nHost: x\r\n" + h + "\r\n\r\n";
        break;
      }
      case 3: {  // huge headers
        c.label = "huge header";
        const int kind = below(4);
        std::string head = "GET " + target + " HTTP/1.1\r\nHost: x\r\n";
        if (kind == 0) head += "X-Big: " + std::string(17000 + below(30000), 'a') + "\r\n";
        if (kind == 1) {
          for (int i = 0; i < 2000; ++i) head += "X-" + std::to_string(i) + ": v\r\n";
        }
        if (kind == 2) head += "Authorization: Basic " + std::string(20000, 'Q') + "\r\n";
        if (kind == 3) head = "GET /" + std::string(20000, 'a') + " HTTP/1.1\r\nHost: x\r\n";
        c.bytes = head + "\r\n";
        break;
      }
      case 4: {  // Content-Length: duplicate, contradictory, malformed, with chunked
        c.label = "content-length";
        const std::string body = "{\"name\": \"x\"}";
        c.bytes = "POST " + target + " HTTP/1.1\r\nHost: x\r\n" + auth_line +
                  one_of({"Content-Length: 13\r\nContent-Length: 13",
                          "Content-Length: 13\r\nContent-Length: 12", "Content-Length: 13, 13",
                          "Content-Length: 13, 14", "Content-Length: -13", "Content-Length: +13",
                          "Content-Length: 0x0d", "Content-Length: 99999999999999999999999",
                          "Content-Length: 18446744073709551616", "Content-Length:",
                          "Content-Length: 1 3", "Content-Length: 13\r\nTransfer-Encoding: chunked",
                          "Transfer-Encoding: chunked\r\nContent-Length: 13",
                          "Content-Length: 4294967309", "Content-Length: 1e3"}) +
                  "\r\n\r\n" + body;
        break;
      }
      case 5: {  // broken chunked bodies
        c.label = "chunked";
        c.bytes = "POST " + target + " HTTP/1.1\r\nHost: x\r\n" + auth_line +
                  one_of({"Transfer-Encoding: chunked", "Transfer-Encoding: Chunked",
                          "Transfer-Encoding: gzip, chunked", "Transfer-Encoding: chunked, gzip",
                          "Transfer-Encoding: xchunked",
                          "Transfer-Encoding: chunked\r\n"
                          "Transfer-Encoding: chunked"}) +
                  "\r\n\r\n" +
                  one_of({"zz\r\nabc\r\n0\r\n\r\n", "-1\r\nx\r\n0\r\n\r\n",
                          "ffffffffffffffffffff\r\nx\r\n0\r\n\r\n", "3\r\nabcdef\r\n0\r\n\r\n",
                          "3\r\nab\r\n0\r\n\r\n", "3;ext=\x01\r\nabc\r\n0\r\n\r\n",
                          "3\r\nabc0\r\n\r\n", "3\nabc\n0\n\n", "3\r\nabc\r\n",
                          "0\r\nX-Trailer: \0bad\r\n\r\n"s, "0\r\nContent-Length: 5\r\n\r\n",
                          "3 \r\nabc\r\n0\r\n\r\n", " 3\r\nabc\r\n0\r\n\r\n", "7fffffff\r\nabc\r\n",
                          "1\r\n{\r\n0\r\n\r\n", "0\r\n\r\n"});
        break;
      }
      case 6:  // bare LF, or a mix of LF and CRLF
        c.label = "bare LF";
        c.bytes = one_of({"GET " + target + " HTTP/1.1\nHost: x\n\n",
                          "GET " + target + " HTTP/1.1\r\nHost: x\n\r\n",
                          "GET " + target + " HTTP/1.1\nHost: x\r\n\r\n",
                          "GET " + target + " HTTP/1.1\rHost: x\r\r",
                          "POST " + target + " HTTP/1.1\nContent-Length: 2\n\n{}"});
        break;
      case 7: {  // a body shorter than its Content-Length
        c.label = "truncated body";
        const std::string body = "{\"name\": \"truncated\", \"ip_addresses\": [\"10.0.0.1\"]}";
        c.bytes = "POST " + target + " HTTP/1.1\r\nHost: x\r\n" + auth_line +
                  "Content-Type: application/json\r\nContent-Length: " +
                  std::to_string(body.size() + 1 + below(100000)) + "\r\n\r\n" + body;
        break;
      }
      case 8: {  // random bytes
        c.label = "byte soup";
        const int n = 1 + below(2000);
        for (int i = 0; i < n; ++i) c.bytes += static_cast<char>(below(256));
        break;
      }
      case 9: {  // a valid request with bytes flipped, inserted or deleted
        c.label = "mutated";
        c.bytes = framed_with_body().bytes;
        for (int i = 0, n = 1 + below(4); i < n && !c.bytes.empty(); ++i) {
          const std::size_t at = pick(c.bytes.size());
          const int op = below(3);
          if (op == 0) c.bytes[at] = static_cast<char>(below(256));
          if (op == 1) c.bytes.insert(at, 1, one_of({"\r", "\n", ":", " ", "\0", "%"})[0]);
          if (op == 2) c.bytes.erase(at, 1);
        }
        break;
      }
      case 10:  // pipelined: good, good, then garbage
        c.label = "pipelined";
        c.bytes = framed_with_body().bytes + framed_with_body().bytes + "GARBAGE\r\n\r\n";
        break;
      case 11:  // headers without a colon, names with spaces, empty names
        c.label = "bad header line";
        c.bytes = "GET " + target + " HTTP/1.1\r\nHost: x\r\n" +
                  one_of({"NoColonHere", "Bad Name: x", ": empty-name", "X-A : spaced",
                          "X-\xc3\xa9: accent", "Host: x\r\nHost: y", "Host:", "X-A:\x80\x81"}) +
                  "\r\n\r\n";
        break;
      case 12:  // Expect and Upgrade oddities
        c.label = "expect/upgrade";
        c.bytes = "POST " + target + " HTTP/1.1\r\nHost: x\r\n" + auth_line +
                  one_of({"Expect: 100-continue\r\nContent-Length: 2\r\n\r\n{}",
                          "Expect: 100-continue\r\nContent-Length: 5000\r\n\r\n",
                          "Expect: 200-ok\r\nContent-Length: 2\r\n\r\n{}",
                          "Upgrade: h2c\r\nConnection: Upgrade, HTTP2-Settings\r\n"
                          "Content-Length: 0\r\n\r\n",
                          "Connection: keep-alive, close, \x01\r\nContent-Length: 0\r\n\r\n"});
        break;
      default:  // a framed request, alone on a connection that ends after it
        c = framed();
        c.framed = false;
        break;
    }
    if (c.label.empty()) c.label = "unframed";
    return c;
  }

 private:
  int below(int n) { return static_cast<int>(rng_() % static_cast<std::uint64_t>(n)); }
  std::size_t pick(std::size_t n) { return static_cast<std::size_t>(rng_() % n); }
  std::string one_of(std::initializer_list<std::string> options) {
    return *(options.begin() + pick(options.size()));
  }

  // A path segment that is wrong in some way.
  std::string bad_segment() {
    return one_of({"%",
                   "%z",
                   "%0",
                   "%zz",
                   "%00",
                   "%ff%fe",
                   "%c0%af",
                   "%2F",
                   "%2e%2e",
                   "..",
                   ".",
                   "",
                   "%E2%82%AC",
                   "\xe2\x82\xac",
                   "\xff",
                   "%25",
                   "-1",
                   "99999999999999999999999999",
                   std::string(3000, 'x'),
                   "@me",
                   "0",
                   "%20",
                   "a%00b",
                   "MA%00",
                   "%u0041",
                   "%%",
                   "\\",
                   "<script>",
                   "'OR'1'='1"});
  }

  std::string path(const std::string& tmpl) {
    std::string out;
    for (std::size_t i = 0; i < tmpl.size();) {
      if (tmpl[i] != '{') {
        out += tmpl[i++];
        continue;
      }
      const std::size_t close = tmpl.find('}', i);
      const std::string name = tmpl.substr(i + 1, close - i - 1);
      i = close + 1;
      if (below(100) < 25) {
        out += bad_segment();
      } else if (name == "auth_id") {
        out += below(100) < 90 ? w_.account.auth_id : "MA00000000000000000X";
      } else if (name == "client") {
        out += one_of({w_.numeric_client, "@me", "1", "0", "-1", "18446744073709551617"});
      } else if (name == "call") {
        out += below(100) < 70 ? w_.call : "no-such-call";
      } else if (name == "dir") {
        out += one_of({"outbound", "inbound", "sideways", "OUTBOUND"});
      } else {
        out += w_.ids.empty() || below(100) < 30 ? "no-such-id" : w_.ids[pick(w_.ids.size())];
      }
    }
    if (below(100) < 5) out += one_of({"/", "//", "/extra", "%", "/%zz"});
    return out;
  }

  std::string query() {
    static const char* kKeys[] = {"limit",
                                  "offset",
                                  "trunk_id",
                                  "call_direction",
                                  "end_time__gt",
                                  "end_time__lte",
                                  "end_time",
                                  "from_number",
                                  "to_number",
                                  "bill_duration__gt",
                                  "hangup_cause_code",
                                  "page",
                                  "per_page",
                                  "order",
                                  "flow",
                                  "start_datetime",
                                  "end_datetime",
                                  "extension_id",
                                  "from_username",
                                  "start_duration",
                                  "secure",
                                  "trunk_status",
                                  "trunk_direction",
                                  "ipacl_uuid",
                                  "flow[]",
                                  "unknown",
                                  "",
                                  "limit[]"};
    std::string q = "?";
    for (int i = 0, n = 1 + below(4); i < n; ++i) {
      if (i > 0) q += one_of({"&", "&&", ";", "&"});
      q += kKeys[pick(std::size(kKeys))];
      if (below(100) < 90) q += "=" + value();
      if (below(100) < 15) q += std::string("&") + kKeys[pick(std::size(kKeys))] + "=" + value();
    }
    return q;
  }

  std::string value() {
    return one_of({"1",
                   "20",
                   "21",
                   "0",
                   "-1",
                   "-0",
                   "+5",
                   "1e3",
                   "0x10",
                   "1.5",
                   "",
                   "99999999999999999999999999999",
                   "-9223372036854775808",
                   "9223372036854775807",
                   "18446744073709551616",
                   "%E2%82%AC",
                   "\xe2\x82\xac",
                   "%",
                   "%zz",
                   "%00",
                   "%C0%80",
                   "%ED%A0%80",
                   "a+b",
                   "%2B1234",
                   "true",
                   "TRUE",
                   "inbound",
                   "in",
                   "asc",
                   "2026-02-30 25:61:61",
                   "2026-11-30T10:00:00Z",
                   "2026-11-30 10:00:00.1234567",
                   "0000-00-00 00:00:00",
                   "9999-12-31 23:59:59",
                   std::string(2000, '9'),
                   "null",
                   "[]",
                   "%0d%0aX-Injected: 1",
                   "\x80"});
  }

  std::vector<std::string> auth(AuthKind kind) {
    const int r = below(100);
    if (r < 55) {
      switch (kind) {
        case AuthKind::kNone:
          return {};
        case AuthKind::kBasic:
          return {"Authorization: " + http::basic_auth(w_.account.auth_id, w_.account.auth_token)};
        case AuthKind::kOperator:
          return {"Authorization: Bearer " + std::string(CdrdServer::kOperatorKey)};
        case AuthKind::kBearer:
          return {"Authorization: Bearer " + w_.bearer};
      }
    }
    if (r < 62) return {};
    return {
        "Authorization: " +
        one_of({"Basic",
                "Basic ",
                "Basic !!!!",
                "Basic =",
                "Basic ====",
                "Basic " + std::string(3000, 'A'),
                "Basic bm9jb2xvbg==" /* "nocolon" */,
                "Basic Og==" /* ":" */,
                "Basic AA==",
                "Basic w4k6w4k=",
                "basic " + http::basic_auth(w_.account.auth_id, w_.account.auth_token).substr(6),
                "Bearer",
                "Bearer ",
                "Bearer " + std::string(5000, 'b'),
                "Bearer " + std::string(CdrdServer::kOperatorKey) + "x",
                "bearer " + w_.bearer,
                "Digest username=\"x\"",
                "Negotiate YII=",
                "\xe2\x82\xac",
                http::basic_auth(w_.account.auth_id, "wrong-token"),
                http::basic_auth(w_.account.auth_id + "\xff", w_.account.auth_token),
                "Basic " + http::basic_auth(w_.account.auth_id, w_.account.auth_token)})};
  }

  std::string content_type(BodyKind kind) {
    if (below(100) < 75) {
      switch (kind) {
        case BodyKind::kNdjson:
          return "application/x-ndjson";
        case BodyKind::kForm:
          return "application/x-www-form-urlencoded";
        case BodyKind::kCsv:
          return "text/csv";
        default:
          return "application/json";
      }
    }
    return one_of({"text/csv", "application/json; charset=utf-8",
                   "application/json; charset=latin1", "multipart/form-data; boundary=", "\x01",
                   "*/*", "application/x-ndjson;;;", "text/plain",
                   "application/x-www-form-urlencoded; charset=\xff"});
  }

  std::string deep(int depth) {
    const bool arrays = below(2) == 0;
    std::string open, close;
    for (int i = 0; i < depth; ++i) {
      open += arrays ? "[" : "{\"a\":";
      close += arrays ? "]" : "}";
    }
    return open + "1" + close;
  }

  std::string json_value() {
    return one_of({"null",
                   "true",
                   "false",
                   "0",
                   "-1",
                   "1e999",
                   "-1e999",
                   "1.5",
                   "\"\"",
                   "\"x\"",
                   "[]",
                   "{}",
                   "[1,2]",
                   "{\"a\":1}",
                   "\"\\u0000\"",
                   "\"\\ud800\"",
                   "\"\xff\xfe\"",
                   "\"\xc0\xaf\"",
                   "99999999999999999999999",
                   "\"" + std::string(5000, 'z') + "\"",
                   "\"10.0.0.1\"",
                   "[\"10.0.0.0/33\"]",
                   "\"outbound\"",
                   "\"inbound\""});
  }

  std::string json_object() {
    static const char* kFields[] = {"name",
                                    "trunk_direction",
                                    "ipacl_uuid",
                                    "credential_uuid",
                                    "primary_uri_uuid",
                                    "fallback_uri_uuid",
                                    "secure",
                                    "trunk_status",
                                    "ip_addresses",
                                    "username",
                                    "password",
                                    "uri",
                                    "authentication_needed",
                                    "realm",
                                    "unknown",
                                    ""};
    std::string out = "{";
    for (int i = 0, n = below(5); i < n; ++i) {
      if (i > 0) out += ",";
      out += std::string("\"") + kFields[pick(std::size(kFields))] + "\":" + json_value();
    }
    return out + "}";
  }

  std::string ndjson_line() {
    Record r = fault_call(w_.account.auth_id, "m-" + std::to_string(rng_() % 100000));
    static const char* kFields[] = {
        "call_uuid",         "call_direction", "from_number",  "to_number",    "initiation_time",
        "end_time",          "answer_time",    "duration",     "rate",         "total_amount",
        "hangup_cause_code", "legs",           "trunk_id",     "srtp",         "rtt_ms",
        "account",           "quality_rate",   "bridged_time", "extension_id", "stir_verification"};
    for (int i = 0, n = below(4); i < n; ++i) {
      r.set(kFields[pick(std::size(kFields))], json_value());
    }
    if (below(100) < 10) r.set("legs", "[" + json_object() + "," + json_object() + "]");
    return r.line();
  }

  // A body of `kind`, broken in one of many ways (or, sometimes, fine).
  std::string make_body(BodyKind kind) {
    std::string body;
    switch (kind) {
      case BodyKind::kNdjson:
        for (int i = 0, n = 1 + below(4); i < n; ++i)
          body += ndjson_line() + one_of({"\n", "\r\n", "\r"});
        break;
      case BodyKind::kForm:
        body = one_of({"grant_type=client_credentials&client_id=%zz&client_secret=x",
                       "grant_type=client_credentials&grant_type=client_credentials", "grant_type",
                       "=", "&&&", "grant_type=%", "client_id=" + std::string(4000, '1'),
                       "grant_type=client_credentials&client_id=1&"
                       "client_secret=%00",
                       "a=b=c", "grant_type=password"});
        break;
      case BodyKind::kCsv:
        body = one_of({"prefix,rate\n1,0.1\n", "prefix,rate\n\"1,0.1\n", "\"\"\"\n",
                       "prefix,rate,extra\n1,2\n", "\xff\xfe,\n", ",,,,\n,,,\n",
                       "prefix,rate\n1,-0.5\n", "prefix,rate\n1,1e999\n"});
        break;
      default:
        body = json_object();
        break;
    }
    // Then break it.
    switch (below(9)) {
      case 0:
        body = body.substr(0, pick(body.size() + 1));
        break;  // truncated
      case 1:
        body.insert(pick(body.size() + 1), one_of({"\xff", "\xc3", "\xed\xa0\x80", "\xc0\x80"}));
        break;
      case 2:
        body = deep(std::array{10, 2000, 20000}[pick(3)]);
        break;  // nested; deeper in the test below
      case 3:
        body = json_value();
        break;  // not an object
      case 4:
        body = "\xef\xbb\xbf" + body;
        break;  // a BOM
      case 5:
        body += one_of({"}", " x", "\n\n{", ",", std::string(1, '\0')});
        break;
      default:
        break;  // as made
    }
    return body;
  }

  std::mt19937_64 rng_;
  const World& w_;
};

// Failures found by one client thread.
struct Findings {
  int requests = 0, answered = 0, closed_unanswered = 0;
  std::map<int, int> statuses;
  std::vector<std::string> failures;
};

// A Transfer-Encoding other than plain "chunked": the one case where 501 is the right answer.
bool sends_another_transfer_coding(const std::string& bytes) {
  const std::size_t head_end = bytes.find("\r\n\r\n");
  std::string head = bytes.substr(0, head_end);
  for (char& ch : head) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  const std::size_t at = head.find("\r\ntransfer-encoding:");
  if (at == std::string::npos) return false;
  std::size_t v = at + 20;
  const std::size_t end = head.find("\r\n", v);
  std::string value = head.substr(v, end == std::string::npos ? std::string::npos : end - v);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.erase(0, 1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.pop_back();
  return value != "chunked";
}

void check_response(const RawResponse& r, const Case& c, Findings& f) {
  ++f.answered;
  ++f.statuses[r.status];
  if (r.status == 501 && sends_another_transfer_coding(c.bytes)) return;
  if (r.status >= 500) {
    f.failures.push_back(std::to_string(r.status) + " " + r.body.substr(0, 200) + " for [" +
                         c.label + "] " + shown(c.bytes));
  }
}

// Framed requests, several on each keep-alive connection.
void run_framed(std::uint16_t port, Generator& gen, int count, Clock::time_point deadline,
                Findings& f) {
  RawConnection conn;
  for (int i = 0; i < count && Clock::now() < deadline; ++i) {
    const Case c = gen.framed();
    ++f.requests;
    if (!conn.is_open() && !conn.connect(port)) {
      f.failures.push_back("cannot connect (server gone?) before [" + c.label + "] " +
                           shown(c.bytes));
      return;
    }
    conn.send_all(c.bytes);
    RawResponse r;
    std::string partial;
    try {
      const auto got = conn.read_response(r, c.head, 15s, &partial);
      if (got == RawConnection::ReadResult::kResponse) {
        check_response(r, c, f);
        if (!r.keep_alive) conn.close();
        continue;
      }
      f.failures.push_back(std::string(got == RawConnection::ReadResult::kTimeout
                                           ? "no answer within 15 s"
                                           : "connection closed without a (whole) answer") +
                           " (got " + shown(partial, 100) + ") to [" + c.label + "] " +
                           shown(c.bytes));
    } catch (const std::exception& e) {
      f.failures.push_back(std::string("not HTTP: ") + e.what() + " for [" + c.label + "] " +
                           shown(c.bytes));
    }
    conn.close();
  }
}

// Each request on a connection of its own, which ends after it: whatever comes back must be
// whole HTTP responses, then the close.
void run_unframed(std::uint16_t port, Generator& gen, int count, Clock::time_point deadline,
                  Findings& f) {
  for (int i = 0; i < count && Clock::now() < deadline; ++i) {
    const Case c = gen.unframed();
    ++f.requests;
    RawConnection conn;
    if (!conn.connect(port)) {
      f.failures.push_back("cannot connect (server gone?) before [" + c.label + "] " +
                           shown(c.bytes));
      return;
    }
    conn.send_all(c.bytes);
    conn.shutdown_send();
    bool any = false;
    try {
      for (;;) {
        RawResponse r;
        std::string partial;
        const auto got = conn.read_response(r, c.head, 15s, &partial);
        if (got == RawConnection::ReadResult::kResponse) {
          any = true;
          check_response(r, c, f);
          continue;
        }
        if (got == RawConnection::ReadResult::kTimeout) {
          f.failures.push_back("not closed within 15 s after [" + c.label + "] " + shown(c.bytes));
        } else if (!partial.empty()) {
          f.failures.push_back("a partial response " + shown(partial, 100) + " to [" + c.label +
                               "] " + shown(c.bytes));
        }
        break;
      }
    } catch (const std::exception& e) {
      f.failures.push_back(std::string("not HTTP: ") + e.what() + " for [" + c.label + "] " +
                           shown(c.bytes));
    }
    if (!any) ++f.closed_unanswered;
  }
}

TEST(Malformed, TenThousandBrokenRequestsGetNo5xxOnlyHttpAndTheServerLives) {
  const std::uint64_t seed = test_seed();
  SCOPED_TRACE("seed " + std::to_string(seed) + " (CDRD_TEST_SEED replays it)");

  TempDir dir;
  World world;
  world.account = create_account_in(dir.path(), "malformed");
  ServerProcess server(dir.path());
  server.start({"--auth-failure-burst", "0"});  // thousands of bad credentials on purpose
  {  // Some real data and ids for the generator to aim at.
    const auto r = server.ingest(fault_call(world.account.auth_id, world.call).line() + "\n");
    ASSERT_EQ(r.status, 200) << r.body;
    const auto basic = world.account.basic();
    const std::string base = "/v1/Account/" + world.account.auth_id + "/Zentrunk/";
    auto create = [&](const std::string& what, const std::string& body, const char* id) {
      http::Params h = basic;
      h.emplace_back("Content-Type", "application/json");
      const auto c = server.client().request("POST", base + what, body, h);
      EXPECT_EQ(c.status, 201) << c.body;
      if (c.status == 201) world.ids.push_back(parse_json(c.body)[id].GetString());
    };
    create("IPAccessControlList/", "{\"ip_addresses\": [\"192.0.2.0/24\"]}", "ipacl_uuid");
    create("URI/", "{\"uri\": \"pbx.example.com\"}", "uri_uuid");
    create("Credential/", "{\"username\": \"fuzz\", \"password\": \"Sup3rSecretPass1\"}",
           "credential_uuid");
    create("Trunk/",
           "{\"trunk_direction\": \"inbound\", \"primary_uri_uuid\": " +
               str(world.ids.size() > 1 ? world.ids[1] : "") + "}",
           "trunk_id");
    const OAuthApp app = create_app_in(dir.path(), world.account.auth_id);
    world.numeric_client = app.numeric_client;
    const auto t = request_token(server.port(), app.client_id, app.client_secret);
    ASSERT_EQ(t.status, 200) << t.body;
    world.bearer = parse_json(t.body)["access_token"].GetString();
  }

  // Three clients at once: two on keep-alive connections, one a connection per request.
  const auto started = Clock::now();
  const auto deadline = started + 100s;  // a safety net; the run takes far less
  Generator g1(seed, world), g2(seed + 1, world), g3(seed + 2, world);
  Findings f1, f2, f3;
  std::thread t1([&] { run_framed(server.port(), g1, 4000, deadline, f1); });
  std::thread t2([&] { run_framed(server.port(), g2, 4000, deadline, f2); });
  std::thread t3([&] { run_unframed(server.port(), g3, 5000, deadline, f3); });
  t1.join();
  t2.join();
  t3.join();
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);

  int requests = 0, answered = 0;
  std::map<int, int> statuses;
  for (const Findings* f : {&f1, &f2, &f3}) {
    requests += f->requests;
    answered += f->answered;
    for (const auto& [s, n] : f->statuses) statuses[s] += n;
    for (std::size_t i = 0; i < f->failures.size() && i < 20; ++i) ADD_FAILURE() << f->failures[i];
    EXPECT_EQ(f->failures.size(), 0u);
  }
  std::string histogram;
  for (const auto& [s, n] : statuses)
    histogram += " " + std::to_string(s) + "x" + std::to_string(n);
  std::printf("[ malformed ] %d requests in %lld ms, %d answered (%d closed unanswered);%s\n",
              requests, static_cast<long long>(took.count()), answered, f3.closed_unanswered,
              histogram.c_str());
  EXPECT_GE(requests, 10000) << "the time limit cut the run short";

  // Alive, and serving normal requests.
  ASSERT_TRUE(server.alive()) << "the server died, exit status " << server.wait_exit()
                              << " (128 + signal)";
  const auto list = server.get(
      world.account, "/v1/Account/" + world.account.auth_id + "/Zentrunk/Call/" + world.call + "/");
  EXPECT_EQ(list.status, 200) << list.body;
  EXPECT_EQ(server.client().get("/healthz").status, 200);
}

// The deep-nesting case of the suite on its own, on every route that reads a JSON body, so a
// failure names the route.
TEST(Malformed, DeeplyNestedJsonBodiesAreRefusedNotFatal) {
  TempDir dir;
  const Credentials alice = create_account_in(dir.path(), "nested");
  ServerProcess server(dir.path());
  server.start({"--no-access-log"});
  // 30,000 levels: deep enough to have crashed a recursive reader, small enough (60 KB) to
  // pass the control plane's 64 KiB body limit and reach the JSON reader.
  const std::string nested = std::string(30000, '[') + std::string(30000, ']');
  const std::string in_object = "{\"name\": " + nested + "}";
  const std::string base = "/v1/Account/" + alice.auth_id + "/Zentrunk/";
  for (const std::string resource : {"Trunk/", "IPAccessControlList/", "Credential/", "URI/"}) {
    for (const std::string& body : {nested, in_object}) {
      SCOPED_TRACE(resource + " " + body.substr(0, 10));
      RawConnection conn;
      ASSERT_TRUE(conn.connect(server.port())) << "the server is gone";
      const std::string auth =
          "Authorization: " + http::basic_auth(alice.auth_id, alice.auth_token);
      conn.send_all(
          raw_request("POST", base + resource, {auth, "Content-Type: application/json"}, body));
      RawResponse r;
      if (conn.read_response(r, false, 15s) != RawConnection::ReadResult::kResponse) {
        const bool alive = server.alive();
        FAIL() << "no answer: the server "
               << (alive ? "hangs"
                         : "died, exit status " + std::to_string(server.wait_exit()) +
                               " (128 + signal)");
      }
      EXPECT_EQ(r.status, 400) << r.body;
    }
  }
  const auto line = server.ingest("{\"legs\": " + nested + "}\n");
  EXPECT_EQ(line.status, 400) << line.body;
  EXPECT_TRUE(server.alive());
  EXPECT_EQ(server.client().get("/healthz").status, 200);
}

}  // namespace
}  // namespace cdrd::test
