// The streamed export through the real binary (docs/export.md): GET .../Zentrunk/Export/ holds
// exactly the calls the Call list holds for the same filters (every page of it), as NDJSON or
// CSV; an account's credentials reach its own calls only, the operator key every account's
// (GET /v1/export/calls); a bad parameter is a 400 naming it; and a client that goes away in
// the middle of a large export leaves the server serving.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <sstream>
#include <string>
#include <vector>

#include "records.h"
#include "server_fixture.h"

namespace cdrd::test {
namespace {

const std::string kExportOperatorBearer = std::string("Bearer ") + CdrdServer::kOperatorKey;

class ExportApiTest : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    other_ = server_.create_account("other");
    std::vector<Record> records;
    for (int i = 0; i < 57; ++i) {
      Record r = with_own_billing(
          answered_call(acme_.auth_id, "a-" + std::to_string(i), 10 * (i % 9), 300 + 60 * i));
      if (i % 3 == 0) r.set("to_number", str("+442071234" + std::to_string(100 + i)));
      records.push_back(r);
    }
    for (int i = 0; i < 5; ++i) {
      records.push_back(with_own_billing(answered_call(other_.auth_id, "o-" + std::to_string(i))));
    }
    auto r = server_.ingest(ndjson(records));
    ASSERT_EQ(r.status, 200) << r.body;
    ASSERT_EQ(parse_json(r.body)["stored"].GetInt(), 62) << r.body;
  }

  http::ClientResponse get(const std::string& target, const http::Params& headers) const {
    auto client = server_.client();
    return client.get(target, headers);
  }
  std::string export_path(const Credentials& who) const {
    return "/v1/Account/" + who.auth_id + "/Zentrunk/Export/";
  }

  // The call_uuids of every page of the Call list for `filters`, in the list's order.
  std::vector<std::string> listed(const std::string& filters) const {
    std::vector<std::string> uuids;
    for (int offset = 0;; offset += 20) {
      auto r = server_.get(acme_, "/v1/Account/" + acme_.auth_id +
                                      "/Zentrunk/Call/?limit=20&offset=" + std::to_string(offset) +
                                      (filters.empty() ? "" : "&" + filters));
      EXPECT_EQ(r.status, 200) << r.body;
      if (r.status != 200) return uuids;
      const rapidjson::Document d = parse_json(r.body);
      for (const auto& o : d["objects"].GetArray()) uuids.emplace_back(o["call_uuid"].GetString());
      if (d["meta"]["next"].IsNull()) return uuids;
    }
  }

  static std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
  }
  // The call_uuids of an NDJSON body, with each line's account.
  static std::vector<std::pair<std::string, std::string>> ndjson_calls(const std::string& body) {
    std::vector<std::pair<std::string, std::string>> calls;
    for (const std::string& line : lines_of(body)) {
      const rapidjson::Document d = parse_json(line);
      calls.emplace_back(d["account"].GetString(), d["call_uuid"].GetString());
    }
    return calls;
  }
  static std::vector<std::string> uuids_of(std::vector<std::pair<std::string, std::string>> calls) {
    std::vector<std::string> uuids;
    for (auto& [account, uuid] : calls) uuids.push_back(uuid);
    return uuids;
  }
  static std::vector<std::string> sorted(std::vector<std::string> v) {
    std::sort(v.begin(), v.end());
    return v;
  }

  Credentials other_;
};

TEST_F(ExportApiTest, HoldsExactlyTheCallsOfEveryPageOfTheListForTheSameFilters) {
  for (const std::string filters :
       {"", "bill_duration__gte=60", "to_number=%2B4420", "bill_duration__lt=30&to_number=91"}) {
    SCOPED_TRACE(filters);
    const std::vector<std::string> pages = listed(filters);
    ASSERT_FALSE(pages.empty());
    const std::string query = filters.empty() ? "" : "&" + filters;

    auto nd = get(export_path(acme_) + "?format=ndjson" + query, acme_.basic());
    ASSERT_EQ(nd.status, 200) << nd.body;
    EXPECT_EQ(nd.header("content-type"), "application/x-ndjson");
    EXPECT_EQ(nd.header("transfer-encoding"), "chunked");
    EXPECT_EQ(sorted(uuids_of(ndjson_calls(nd.body))), sorted(pages));

    auto csv = get(export_path(acme_) + "?format=csv" + query, acme_.basic());
    ASSERT_EQ(csv.status, 200) << csv.body;
    EXPECT_EQ(csv.header("content-type"), "text/csv; charset=utf-8");
    std::vector<std::string> lines = lines_of(csv.body);
    ASSERT_FALSE(lines.empty());
    EXPECT_EQ(lines[0].substr(0, 35), "account,call_uuid,call_direction,fr");
    std::vector<std::string> csv_uuids;
    for (std::size_t i = 1; i < lines.size(); ++i) {
      const std::size_t a = lines[i].find(',');
      csv_uuids.push_back(lines[i].substr(a + 1, lines[i].find(',', a + 1) - a - 1));
    }
    EXPECT_EQ(sorted(csv_uuids), sorted(pages));
  }
}

TEST_F(ExportApiTest, AnAccountSeesItsOwnCallsAndTheOperatorEveryAccounts) {
  // Another account's credentials, a wrong token, nothing: refused as on every account route.
  EXPECT_EQ(get(export_path(acme_), other_.basic()).status, 403);
  Credentials wrong = acme_;
  // The first character changed (a fixed "x" would be the token itself when it starts with x).
  wrong.auth_token[0] = wrong.auth_token[0] == 'x' ? 'y' : 'x';
  EXPECT_EQ(get(export_path(acme_), wrong.basic()).status, 401);
  EXPECT_EQ(get(export_path(acme_), {}).status, 401);
  EXPECT_EQ(get(export_path(acme_), {{"Authorization", "Bearer not-the-key"}}).status, 401);

  auto own = get(export_path(other_), other_.basic());
  ASSERT_EQ(own.status, 200);
  for (const auto& [account, uuid] : ndjson_calls(own.body)) EXPECT_EQ(account, other_.auth_id);
  EXPECT_EQ(ndjson_calls(own.body).size(), 5u);

  // The operator key on an account's route: that account's calls.
  auto as_operator = get(export_path(acme_), {{"Authorization", kExportOperatorBearer}});
  ASSERT_EQ(as_operator.status, 200) << as_operator.body;
  EXPECT_EQ(ndjson_calls(as_operator.body).size(), 57u);
  EXPECT_EQ(get("/v1/Account/MANOSUCHACCOUNT/Zentrunk/Export/",
                {{"Authorization", kExportOperatorBearer}})
                .status,
            404);

  // The operator's route: every account, or the one named.
  auto all = get("/v1/export/calls?format=ndjson", {{"Authorization", kExportOperatorBearer}});
  ASSERT_EQ(all.status, 200) << all.body;
  EXPECT_EQ(ndjson_calls(all.body).size(), 62u);
  auto one =
      get("/v1/export/calls?account=" + other_.auth_id, {{"Authorization", kExportOperatorBearer}});
  ASSERT_EQ(one.status, 200) << one.body;
  EXPECT_EQ(sorted(uuids_of(ndjson_calls(one.body))),
            (std::vector<std::string>{"o-0", "o-1", "o-2", "o-3", "o-4"}));
  EXPECT_EQ(
      get("/v1/export/calls?account=MANOSUCH", {{"Authorization", kExportOperatorBearer}}).status,
      404);
  EXPECT_EQ(get("/v1/export/calls", acme_.basic()).status, 401);
}

TEST_F(ExportApiTest, ABadParameterIsA400NamingIt) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"bill_duration__gt=x", "bill_duration__gt: must be a non-negative integer"},
      {"format=xml", "format: must be ndjson or csv, got 'xml'"},
      {"limit=5", "limit: an export has no pages"},
      {"offset=20", "offset: an export has no pages"},
      {"end_time__lt=2026-01-01%2000:00", "end_time__lt: an upper end_time bound needs a lower"},
      {"nope=1", "unknown parameter 'nope'; accepted parameters: format, call_direction"},
  };
  for (const auto& [query, message] : cases) {
    auto r = get(export_path(acme_) + "?" + query, acme_.basic());
    EXPECT_EQ(r.status, 400) << query;
    EXPECT_EQ(std::string(parse_json(r.body)["error"].GetString()).substr(0, message.size()),
              message)
        << r.body;
  }
  auto r = get("/v1/export/calls?account=a&account=b", {{"Authorization", kExportOperatorBearer}});
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("account: given more than once"), std::string::npos) << r.body;
}

TEST_F(ExportApiTest, AClientThatGoesAwayMidStreamLeavesTheServerServing) {
  // A larger set: a few thousand calls, so the body is many pieces.
  for (int batch = 0; batch < 4; ++batch) {
    std::vector<Record> records;
    for (int i = 0; i < 1000; ++i) {
      records.push_back(with_own_billing(answered_call(
          acme_.auth_id, "bulk-" + std::to_string(batch) + "-" + std::to_string(i), 5, 120)));
    }
    ASSERT_EQ(server_.ingest(ndjson(records)).status, 200);
  }
  for (int round = 0; round < 3; ++round) {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    ASSERT_GE(fd, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(server_.port());
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    const std::string request =
        "GET " + export_path(acme_) +
        " HTTP/1.1\r\nHost: x\r\nAuthorization: " + acme_.basic()[0].second + "\r\n\r\n";
    ASSERT_EQ(send(fd, request.data(), request.size(), 0), static_cast<ssize_t>(request.size()));
    // The head and the first calls arrive while the rest is still to be made; then we leave.
    std::string got(4096, '\0');
    std::size_t n = 0;
    while (n < got.size()) {
      const ssize_t r = recv(fd, got.data() + n, got.size() - n, 0);
      ASSERT_GT(r, 0);
      n += static_cast<std::size_t>(r);
    }
    EXPECT_EQ(got.substr(0, 15), "HTTP/1.1 200 OK");
    EXPECT_NE(got.find("\"call_uuid\""), std::string::npos);
    close(fd);
  }
  // The server goes on, and a whole export still holds every call.
  auto all = get(export_path(acme_), acme_.basic());
  ASSERT_EQ(all.status, 200);
  EXPECT_EQ(lines_of(all.body).size(), 4057u);
}

}  // namespace
}  // namespace cdrd::test
