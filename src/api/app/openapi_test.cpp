// The OpenAPI document against the app: every route the app serves is an operation of the
// embedded document and every operation is a route (the black-box test tests/openapi_test.py
// checks the answers against the document's schemas), and GET /openapi.json serves it with its
// ETag.
#include "api/app/openapi.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <cctype>
#include <memory>
#include <set>
#include <string>
#include <utility>

#include "api/app/app.h"
#include "service/ingest/ingest.h"
#include "service/rating/rating_service.h"
#include "testing/stores.h"
#include "testing/temp_dir.h"

namespace cdrd::api {
namespace {

using Operation = std::pair<std::string, std::string>;  // ("GET", "/healthz")

http::HttpRequest get_document() {
  http::HttpRequest r;
  r.method = "GET";
  r.target = "/openapi.json";
  r.path = "/openapi.json";
  return r;
}

// Every (METHOD, path) of the document. The document is read with RapidJSON's DOM rather than
// core/json_reader.h, which bounds request bodies to 8 levels: the document nests deeper.
std::set<Operation> document_operations() {
  rapidjson::Document doc;
  doc.Parse(openapi_document().data(), openapi_document().size());
  EXPECT_FALSE(doc.HasParseError()) << "the embedded document is not JSON";
  std::set<Operation> out;
  if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("paths")) return out;
  for (const auto& path : doc["paths"].GetObject()) {
    for (const auto& op : path.value.GetObject()) {
      std::string method = op.name.GetString();
      if (method == "parameters" || method == "summary" || method == "description") continue;
      for (char& c : method) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      out.emplace(method, path.name.GetString());
    }
  }
  return out;
}

class OpenApiTest : public ::testing::Test {
 protected:
  OpenApiTest()
      : stores_(testing::open_stores_in(dir_)),
        rating_(stores_->accounts, stores_->rating),
        ingest_(stores_->accounts, stores_->calls, stores_->trunks, rating_, {}) {
    settings_.operator_key = "an-operator-key-of-the-test";
    Operations operations;
    operations.metrics = std::make_shared<Metrics>();
    app_ = std::make_unique<App>(ApiContext{stores_->accounts, stores_->calls, settings_},
                                 ApiServices{stores_->oauth, stores_->trunks, rating_, ingest_},
                                 AuthThrottle::Limits{}, std::move(operations));
  }

  testing::TempDir dir_;
  std::unique_ptr<sqlite::Stores> stores_;
  service::RatingService rating_;
  service::ingest::IngestService ingest_;
  ApiSettings settings_;
  std::unique_ptr<App> app_;
};

TEST_F(OpenApiTest, EveryRouteIsAnOperationOfTheDocumentAndEveryOperationARoute) {
  std::set<Operation> routes;
  for (const auto& [method, pattern] : app_->routes()) routes.emplace(method, pattern);
  ASSERT_GT(routes.size(), 30u);
  const std::set<Operation> documented = document_operations();
  for (const Operation& r : routes) {
    EXPECT_TRUE(documented.count(r)) << r.first << " " << r.second << " is not in the document";
  }
  for (const Operation& d : documented) {
    EXPECT_TRUE(routes.count(d)) << d.first << " " << d.second << " is no route of the app";
  }
}

TEST_F(OpenApiTest, ServesTheDocumentWithoutAuthenticationWithItsETag) {
  const http::HttpResponse r = app_->handle(get_document());
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(r.body, openapi_document());
  EXPECT_THAT(r.headers, ::testing::Contains(std::pair<std::string, std::string>(
                             "ETag", std::string(openapi_etag()))));
  EXPECT_THAT(r.headers, ::testing::Contains(
                             std::pair<std::string, std::string>("Cache-Control", "no-cache")));
  EXPECT_THAT(std::string(openapi_etag()), ::testing::MatchesRegex("\"[0-9a-f]{32}\""));
}

TEST_F(OpenApiTest, AnswersNotModifiedWhenTheClientHoldsThisVersion) {
  http::HttpRequest get = get_document();
  for (const std::string& held : {std::string(openapi_etag()), "W/" + std::string(openapi_etag()),
                                  "\"other\", " + std::string(openapi_etag()), std::string("*")}) {
    get.headers = {{"if-none-match", held}};
    const http::HttpResponse r = app_->handle(get);
    EXPECT_EQ(r.status, 304) << held;
    EXPECT_EQ(r.body, "") << held;
  }
  get.headers = {{"if-none-match", "\"0123\""}};
  EXPECT_EQ(app_->handle(get).status, 200);
}

}  // namespace
}  // namespace cdrd::api
