// Which routes the app marks bounded (http::RouteDecision::bounded), so that the server answers
// them on the I/O thread that read them: the retrieve by uuid over a store whose find_call is a
// local point read, and nothing else.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "api/app/app.h"
#include "core/crypto.h"
#include "service/ingest/ingest.h"
#include "service/rating/rating_service.h"
#include "store/forwarding_call_store.h"
#include "testing/stores.h"
#include "testing/temp_dir.h"

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

}  // namespace
}  // namespace cdrd::api
