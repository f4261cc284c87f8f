// The cloud-PBX routes read a bearer token once per request, at its admission, and hand the
// grant to the handler; a token revoked or expired since the last request is refused by the
// very next one.
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>

#include "api/app/app.h"
#include "core/crypto.h"
#include "service/ingest/ingest.h"
#include "service/rating/rating_service.h"
#include "testing/stores.h"
#include "testing/temp_dir.h"

namespace cdrd::api {
namespace {

constexpr std::string_view kBearerToken = "a-bearer-token-of-the-admission-test-000000001";

// The sqlite OAuth store, counting the token lookups.
class CountingOAuth final : public OAuthStore {
 public:
  explicit CountingOAuth(OAuthStore& inner) : inner_(inner) {}
  Result<OAuthApp> create_app(std::int64_t account_id, const std::string& client_id,
                              const std::string& secret_hash) override {
    return inner_.create_app(account_id, client_id, secret_hash);
  }
  Result<std::optional<OAuthApp>> find_app(std::string_view client_id) override {
    return inner_.find_app(client_id);
  }
  Result<std::vector<OAuthApp>> list_apps(std::int64_t account_id) override {
    return inner_.list_apps(account_id);
  }
  Status revoke_app(std::string_view client_id) override { return inner_.revoke_app(client_id); }
  Status add_token(const std::string& token_hash, std::int64_t app_id, Micros expires_at,
                   Micros now) override {
    return inner_.add_token(token_hash, app_id, expires_at, now);
  }
  Result<std::optional<TokenGrant>> find_token(std::string_view token_hash) override {
    ++lookups;
    return inner_.find_token(token_hash);
  }

  std::atomic<int> lookups{0};

 private:
  OAuthStore& inner_;
};

class BearerAdmissionTest : public ::testing::Test {
 protected:
  BearerAdmissionTest()
      : stores_(testing::open_stores_in(dir_)),
        oauth_(stores_->oauth),
        rating_(stores_->accounts, stores_->rating),
        ingest_(stores_->accounts, stores_->calls, stores_->trunks, rating_, {}) {
    settings_.now = [this] { return now_.load(); };
    const Account account = testing::add_account(*stores_, "bearer", "MABEARERADMISSION001");
    app_ = stores_->oauth.create_app(account.id, "bearer-admission-client", "h").value();
    EXPECT_TRUE(stores_->oauth
                    .add_token(sha256_hex(std::string(kBearerToken)), app_.id,
                               now_.load() + 60 * kMicrosPerSecond, now_.load())
                    .ok());
    app_api_ = std::make_unique<App>(ApiContext{stores_->accounts, stores_->calls, settings_},
                                     ApiServices{oauth_, stores_->trunks, rating_, ingest_});
  }

  // The request through admission and, when admitted, its handler: what the server does.
  http::HttpResponse get(const std::string& path) const {
    http::HttpRequest r;
    r.method = "GET";
    r.target = path;
    r.path = path;
    r.headers = {{"authorization", "Bearer " + std::string(kBearerToken)}};
    http::RouteDecision d = app_api_->admit(r);
    if (d.response) return *d.response;
    return d.handle(r);
  }

  testing::TempDir dir_;
  std::unique_ptr<sqlite::Stores> stores_;
  CountingOAuth oauth_;
  service::RatingService rating_;
  service::ingest::IngestService ingest_;
  ApiSettings settings_;
  std::atomic<Micros> now_{Micros{1'800'000'000} * kMicrosPerSecond};
  OAuthApp app_;
  std::unique_ptr<App> app_api_;
};

TEST_F(BearerAdmissionTest, OneTokenLookupPerRequest) {
  for (const std::string path :
       {"/api/ver1.0/client/@me/calls/", "/api/ver1.0/client/@me/call_history/",
        "/api/ver1.0/user/", "/api/ver1.0/client/@me/call_history/no-such-call/"}) {
    const int before = oauth_.lookups.load();
    const http::HttpResponse r = get(path);
    EXPECT_EQ(r.status, path.ends_with("no-such-call/") ? 404 : 200) << path << ": " << r.body;
    EXPECT_EQ(oauth_.lookups.load() - before, 1) << path;
  }
}

TEST_F(BearerAdmissionTest, ARevokedTokenIsRefusedByTheNextRequest) {
  ASSERT_EQ(get("/api/ver1.0/client/@me/calls/").status, 200);
  ASSERT_TRUE(stores_->oauth.revoke_app(app_.client_id).ok());
  const http::HttpResponse r = get("/api/ver1.0/client/@me/calls/");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.body, R"({"message":"access token revoked"})");
}

TEST_F(BearerAdmissionTest, AnExpiredTokenIsRefusedByTheNextRequest) {
  ASSERT_EQ(get("/api/ver1.0/client/@me/calls/").status, 200);
  now_ += 60 * kMicrosPerSecond;  // the token's expires_at: no longer valid
  const http::HttpResponse r = get("/api/ver1.0/client/@me/calls/");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.body, R"({"message":"access token expired"})");
}

}  // namespace
}  // namespace cdrd::api
