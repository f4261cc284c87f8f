// HttpRequest / HttpResponse: the plain request and response types handlers see. The server
// converts from and to Boost.Beast messages, so handlers are plain functions from request to
// response, testable without a socket, and Beast stays inside src/http.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cdrd::http {

using Params = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method;  // upper case: "GET", "POST", ...
  std::string target;  // as sent: "/v1/Account/MA.../Call/?limit=5"
  std::string path;    // percent-decoded path without the query: "/v1/Account/MA.../Call/"
  Params query;        // decoded query parameters in order; '+' decodes to ' '; repeats kept
  Params headers;      // names lower-cased
  std::string body;
  std::string remote_address;

  // First header with this lower-case name, or "".
  std::string_view header(std::string_view lower_name) const {
    for (const auto& [k, v] : headers) {
      if (k == lower_name) return v;
    }
    return {};
  }
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  Params headers;  // extra headers (e.g. WWW-Authenticate, Allow)
};

using Handler = std::function<HttpResponse(const HttpRequest&)>;

}  // namespace cdrd::http
