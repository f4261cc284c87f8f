#include "api/app/openapi.h"

#include <string>

namespace cdrd::api {
namespace {

// Whether an If-None-Match value ("*", or a list of entity tags, weak or strong) names `etag`.
bool names_etag(std::string_view header, std::string_view etag) {
  std::size_t i = 0;
  while (i < header.size()) {
    while (i < header.size() && (header[i] == ' ' || header[i] == '\t' || header[i] == ',')) ++i;
    std::size_t j = i;
    while (j < header.size() && header[j] != ',') ++j;
    std::string_view tag = header.substr(i, j - i);
    while (!tag.empty() && (tag.back() == ' ' || tag.back() == '\t')) tag.remove_suffix(1);
    if (tag.starts_with("W/")) tag.remove_prefix(2);
    if (tag == "*" || tag == etag) return true;
    i = j;
  }
  return false;
}

}  // namespace

http::HttpResponse openapi_response(const http::HttpRequest& request) {
  http::HttpResponse r;
  r.headers.emplace_back("ETag", std::string(openapi_etag()));
  // Clients may keep it but ask again each time: it changes with the binary, not with time.
  r.headers.emplace_back("Cache-Control", "no-cache");
  if (names_etag(request.header("if-none-match"), openapi_etag())) {
    r.status = 304;
    return r;
  }
  r.body = std::string(openapi_document());
  return r;
}

}  // namespace cdrd::api
