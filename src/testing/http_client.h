// TestClient: http::HttpClient for tests, whose calls give the response itself and throw
// std::runtime_error (which fails the test) when there is none, so a test reads
// `client.get("/x").status`. Test code only: tests of a failing request use raw(), whose
// request() returns the Result.
// Not thread-safe: one per thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>

#include "http/client.h"

namespace cdrd::testing {

class TestClient {
 public:
  TestClient(std::string host, std::uint16_t port) : client_(std::move(host), port) {}

  void set_timeout(std::chrono::milliseconds timeout) { client_.set_timeout(timeout); }

  http::ClientResponse request(const std::string& method, const std::string& target,
                               const std::string& body = "", const http::Params& headers = {}) {
    Result<http::ClientResponse> response = client_.request(method, target, body, headers);
    if (!response.ok()) throw std::runtime_error(response.status().message());
    return std::move(response).value();
  }
  http::ClientResponse get(const std::string& target, const http::Params& headers = {}) {
    return request("GET", target, "", headers);
  }

  http::HttpClient& raw() { return client_; }

 private:
  http::HttpClient client_;
};

}  // namespace cdrd::testing
