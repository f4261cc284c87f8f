// HttpClient: a small blocking HTTP/1.1 client over one keep-alive connection, for the
// black-box tests and the benchmark load generator (never used by the server itself).
// Reconnects once if the server closed the connection. Every network operation has a deadline
// (set_timeout, 30 s by default), so a dead server gives an error, not a hang: request() returns
// kUnavailable, naming the request and the server, when it cannot connect or the exchange fails.
// Not thread-safe: one per thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "core/status.h"
#include "http/message.h"

namespace cdrd::http {

struct ClientResponse {
  int status = 0;
  std::string body;
  Params headers;  // names lower-cased
  std::string header(std::string_view lower_name) const;
};

class HttpClient {
 public:
  HttpClient(std::string host, std::uint16_t port);
  ~HttpClient();
  HttpClient(HttpClient&&) noexcept;
  HttpClient& operator=(HttpClient&&) noexcept;

  // The deadline for each step: connecting, sending the request, receiving the response.
  void set_timeout(std::chrono::milliseconds timeout);

  // `headers` are sent as given (e.g. {"Authorization", "Basic ..."}); Host, Content-Length and
  // keep-alive are added. kUnavailable on a connection or protocol failure.
  Result<ClientResponse> request(const std::string& method, const std::string& target,
                                 const std::string& body = "", const Params& headers = {});
  Result<ClientResponse> get(const std::string& target, const Params& headers = {}) {
    return request("GET", target, "", headers);
  }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// "Basic " + base64(user:password).
std::string basic_auth(const std::string& user, const std::string& password);
// Percent-encodes a query value (spaces as %20, '+' as %2B).
std::string url_encode(const std::string& value);

}  // namespace cdrd::http
