#include "api/errors.h"

#include <gtest/gtest.h>

#include <string>

namespace cdrd::api {
namespace {

TEST(ErrorResponse, AReadOverItsBudgetIs503WithRetryAfterInTheSipTrunkShape) {
  const http::HttpResponse r = error_response(
      Status::Unavailable("query over its time budget of 1 ms; narrow the filter or try again"));
  EXPECT_EQ(r.status, 503);
  bool retry = false;
  for (const auto& [name, value] : r.headers) retry |= name == "Retry-After" && value == "1";
  EXPECT_TRUE(retry);
  EXPECT_NE(r.body.find(R"("api_id":)"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find(
                R"("error":"query over its time budget of 1 ms; narrow the filter or try again")"),
            std::string::npos)
      << r.body;
}

TEST(ErrorResponse, StorageFailuresShowNoInternals) {
  const http::HttpResponse r = error_response(Status::IOError("disk I/O error at page 7"));
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.body.find("page 7"), std::string::npos) << r.body;
}

}  // namespace
}  // namespace cdrd::api
