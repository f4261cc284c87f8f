// Which routes the app marks bounded (http::RouteDecision::bounded), so that the server answers
// them on the I/O thread that read them: the retrieve by uuid over a store whose find_call is a
// local point read, and nothing else.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "api/app/app.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "service/ingest/ingest.h"
#include "service/rating/rating_service.h"
#include "store/forwarding_call_store.h"
#include "testing/stores.h"
#include "testing/temp_dir.h"
#include "testing/values.h"

namespace cdrd::api {
namespace {

constexpr std::string_view kAuthId = "MABOUNDEDROUTES00001";
constexpr std::string_view kToken = "a-token-of-the-bounded-routes-test-00001";
constexpr std::string_view kUuid = "0b6a3b2e-6f1d-4c39-9a57-1d2c3e4f5a6b";

// A CallStore whose find_call is not local (a remote backend): the sqlite store's answers, but
// find_call_is_local() says no, as the interface's default does.
class RemoteCalls final : public ForwardingCallStore {
 public:
  using ForwardingCallStore::ForwardingCallStore;
  bool find_call_is_local() const override { return false; }
};

class BoundedRoutesTest : public ::testing::Test {
 protected:
  BoundedRoutesTest()
      : stores_(testing::open_stores_in(dir_)),
        rating_(stores_->accounts, stores_->rating),
        ingest_(stores_->accounts, stores_->calls, stores_->trunks, rating_, {}) {
    testing::add_account(*stores_, "bounded", std::string(kAuthId),
                         sha256_hex(std::string(kToken)));
  }

  std::unique_ptr<App> app_over(CallStore& calls) {
    return std::make_unique<App>(ApiContext{stores_->accounts, calls, settings_},
                                 ApiServices{stores_->oauth, stores_->trunks, rating_, ingest_});
  }

  static http::HttpRequest get(const std::string& path) {
    http::HttpRequest r;
    r.method = "GET";
    r.target = path;
    r.path = path;
    r.headers = {{"authorization",
                  "Basic " + base64_encode(std::string(kAuthId) + ":" + std::string(kToken))}};
    return r;
  }

  static std::string account_path(std::string_view rest) {
    return "/v1/Account/" + std::string(kAuthId) + std::string(rest);
  }

  testing::TempDir dir_;
  std::unique_ptr<sqlite::Stores> stores_;
  service::RatingService rating_;
  service::ingest::IngestService ingest_;
  ApiSettings settings_;
};

TEST_F(BoundedRoutesTest, TheRetrieveByUuidIsBoundedOverALocalStoreAndNothingElseIs) {
  const auto app = app_over(stores_->calls);
  const std::string uuid(kUuid);
  const std::vector<std::string> retrieves = {"/Zentrunk/Call/" + uuid + "/",
                                              "/Call/" + uuid + "/"};
  for (const std::string& rest : retrieves) {
    const http::RouteDecision d = app->admit(get(account_path(rest)));
    ASSERT_FALSE(d.response) << rest << ": " << d.response->body;
    EXPECT_TRUE(d.handle) << rest;
    EXPECT_TRUE(d.bounded) << rest;
    // Answered as before: no such call.
    EXPECT_EQ(d.handle(get(account_path(rest))).status, 404) << rest;
  }
  const std::vector<std::string> others = {
      "/Zentrunk/Call/", "/Call/", "/Zentrunk/Call/" + uuid + "/Legs/",
      "/Zentrunk/Call/" + uuid + "/Insights/", "/Zentrunk/Trunk/"};
  for (const std::string& rest : others) {
    const http::RouteDecision d = app->admit(get(account_path(rest)));
    ASSERT_FALSE(d.response) << rest << ": " << d.response->body;
    EXPECT_FALSE(d.bounded) << rest;
  }
}

// After a start from the calls table, the retrieve of an account whose uuid map is still to
// be built from many rows is not bounded: building it (seconds at millions of calls) on the
// I/O thread would hold up every other connection of that thread. It is answered on a worker,
// as before, and bounded again once the map is built.
TEST_F(BoundedRoutesTest, TheRetrieveIsNotBoundedWhileItsAccountsUuidMapIsStillToBeBuilt) {
  const Result<std::optional<Account>> account =
      stores_->accounts.find_account_by_auth_id(std::string(kAuthId));
  ASSERT_TRUE(account.ok() && account->has_value());
  const std::int64_t account_id = (*account)->id;
  const Micros now = system_now();
  std::vector<CallRecord> calls;
  for (int i = 0; i < 4200; ++i) {
    calls.push_back(testing::minimal_call(account_id, "unbuilt-map-call-" + std::to_string(i),
                                          now - (i + 60) * kMicrosPerSecond));
  }
  ASSERT_TRUE(stores_->calls.insert_calls(calls).ok());
  // Another start on the same file, from the table (no clean stop), its maps not built.
  std::unique_ptr<sqlite::Stores> restarted = testing::open_stores_in(dir_);
  ASSERT_TRUE(restarted->calls.load_or_build_indexes().ok());
  const auto app = app_over(restarted->calls);
  const std::string rest = "/Zentrunk/Call/unbuilt-map-call-7/";
  http::RouteDecision d = app->admit(get(account_path(rest)));
  ASSERT_FALSE(d.response) << d.response->body;
  EXPECT_FALSE(d.bounded);
  EXPECT_EQ(d.handle(get(account_path(rest))).status, 200);  // built by the retrieve
  d = app->admit(get(account_path(rest)));
  ASSERT_FALSE(d.response) << d.response->body;
  EXPECT_TRUE(d.bounded);
}

TEST_F(BoundedRoutesTest, NotBoundedWhenTheStoreReadsOverTheNetwork) {
  RemoteCalls remote(stores_->calls);
  const auto app = app_over(remote);
  const http::RouteDecision d =
      app->admit(get(account_path("/Zentrunk/Call/" + std::string(kUuid) + "/")));
  ASSERT_FALSE(d.response);
  EXPECT_FALSE(d.bounded);
}

TEST_F(BoundedRoutesTest, AFailedAuthenticationIsAnsweredFromTheHeadAsBefore) {
  const auto app = app_over(stores_->calls);
  http::HttpRequest r = get(account_path("/Zentrunk/Call/" + std::string(kUuid) + "/"));
  r.headers = {{"authorization", "Basic " + base64_encode(std::string(kAuthId) + ":wrong")}};
  const http::RouteDecision d = app->admit(r);
  ASSERT_TRUE(d.response);
  EXPECT_EQ(d.response->status, 401);
}

// A cloud-PBX list is bounded when the account's list index finds its calls through the postings
// (a filter on values a few calls hold) and its page is one statement; a list of the whole
// account, of a value too many calls hold, or a large page is not.
TEST_F(BoundedRoutesTest, APbxListIsBoundedWhenItsIndexFindsItThroughASelectiveFilter) {
  const auto app = app_over(stores_->calls);
  const Result<std::optional<Account>> account =
      stores_->accounts.find_account_by_auth_id(std::string(kAuthId));
  ASSERT_TRUE(account.ok() && account->has_value());
  const std::int64_t account_id = (*account)->id;
  const Result<OAuthApp> oauth_app = stores_->oauth.create_app(account_id, "bounded-pbx", "h");
  ASSERT_TRUE(oauth_app.ok());
  const std::string bearer = "a-bearer-token-of-the-bounded-routes-test-1";
  const Micros now = system_now();
  ASSERT_TRUE(stores_->oauth
                  .add_token(sha256_hex(bearer), oauth_app->id, now + 3600 * kMicrosPerSecond, now)
                  .ok());
  // 2,100 calls from a common number, 3 from a rare username.
  std::vector<CallRecord> calls;
  for (int i = 0; i < 2103; ++i) {
    CallRecord c = testing::minimal_call(account_id, "bounded-pbx-call-" + std::to_string(i),
                                         now - (i + 60) * kMicrosPerSecond);
    c.from_username = i < 2100 ? c.from_number : "+14155550111";
    calls.push_back(std::move(c));
  }
  ASSERT_TRUE(stores_->calls.insert_calls(calls).ok());
  auto pbx = [&](http::Params query) {
    http::HttpRequest r;
    r.method = "GET";
    r.path = "/api/ver1.0/client/@me/calls/";
    r.target = r.path;
    r.query = std::move(query);
    r.headers = {{"authorization", "Bearer " + bearer}};
    return r;
  };
  // A list builds the account's index if no write did; the admission never does.
  const http::HttpRequest rare = pbx({{"from_username", "+14155550111"}});
  ASSERT_EQ(app->handle(rare).status, 200);
  http::RouteDecision d = app->admit(rare);
  ASSERT_FALSE(d.response);
  EXPECT_TRUE(d.bounded);
  const http::HttpResponse listed = d.handle(rare);
  EXPECT_EQ(listed.status, 200);
  std::size_t found = 0;
  for (std::size_t at = listed.body.find("bounded-pbx-call-"); at != std::string::npos;
       at = listed.body.find("bounded-pbx-call-", at + 1)) {
    ++found;
  }
  EXPECT_EQ(found, 3u) << listed.body;
  for (const http::Params& query :
       {http::Params{}, http::Params{{"from_username", "+14155550100"}},
        http::Params{{"from_username", "+14155550111"}, {"per_page", "100"}}}) {
    d = app->admit(pbx(query));
    ASSERT_FALSE(d.response);
    EXPECT_FALSE(d.bounded) << (query.empty() ? "" : query.front().second);
  }
}

}  // namespace
}  // namespace cdrd::api
