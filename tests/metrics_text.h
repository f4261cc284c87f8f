// Reading GET /metrics in black-box tests: the operator's credentials, one scrape, the value of
// one sample line.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "harness.h"

namespace cdrd::test {

inline const http::Params kOperator = {
    {"Authorization", std::string("Bearer ") + CdrdServer::kOperatorKey}};

// The value of the sample line that starts with `series` ("name{labels}"), or -1 when absent.
inline double sample(const std::string& text, const std::string& series) {
  std::size_t pos = 0;
  while ((pos = text.find(series + " ", pos)) != std::string::npos) {
    if (pos == 0 || text[pos - 1] == '\n') return std::stod(text.substr(pos + series.size() + 1));
    pos += series.size();
  }
  return -1;
}

// The server's /metrics text (the test fails unless it answers 200).
inline std::string scrape(const CdrdServer& server) {
  auto r = server.client().request("GET", "/metrics", "", kOperator);
  EXPECT_EQ(r.status, 200) << r.body;
  return r.body;
}

}  // namespace cdrd::test
