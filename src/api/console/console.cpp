#include "api/console/console.h"

#include <algorithm>
#include <string>
#include <vector>

#include "api/errors.h"
#include "core/crypto.h"
#include "core/json_writer.h"
#include "core/time.h"

namespace cdrd::api::console {
namespace {

http::HttpResponse with_security_headers(http::HttpResponse r) {
  for (const auto& [name, value] : kSecurityHeaders) {
    r.headers.emplace_back(std::string(name), std::string(value));
  }
  return r;
}

http::HttpResponse not_found(std::string_view name) {
  http::HttpResponse r;
  r.status = 404;
  r.content_type = "text/plain; charset=utf-8";
  r.body = "no such file of the console: " + std::string(name.substr(0, 64)) + "\n";
  return with_security_headers(std::move(r));
}

http::HttpResponse serve(const http::HttpRequest& request, const Asset& asset) {
  http::HttpResponse r;
  r.content_type = std::string(asset.content_type);
  r.headers.emplace_back("ETag", std::string(asset.etag));
  r.headers.emplace_back("Cache-Control", "no-cache");
  if (if_none_match_matches(request.header("if-none-match"), asset.etag)) {
    r.status = 304;
  } else {
    r.body = std::string(asset.bytes);
  }
  return with_security_headers(std::move(r));
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

bool if_none_match_matches(std::string_view header, std::string_view etag) {
  header = trim(header);
  if (header.empty()) return false;
  if (header == "*") return true;
  while (!header.empty()) {
    const std::size_t comma = header.find(',');
    std::string_view tag = trim(header.substr(0, comma));
    if (tag.starts_with("W/")) tag.remove_prefix(2);
    if (tag == etag) return true;
    if (comma == std::string_view::npos) break;
    header.remove_prefix(comma + 1);
  }
  return false;
}

http::HttpResponse serve_index(const http::HttpRequest& request) {
  if (!request.path.ends_with("/")) {
    // The console's files are named relative to /console/.
    http::HttpResponse r;
    r.status = 301;
    r.content_type = "text/plain; charset=utf-8";
    r.body = "the console is at /console/\n";
    r.headers.emplace_back("Location", "/console/");
    return with_security_headers(std::move(r));
  }
  return serve_asset(request, "index.html");
}

http::HttpResponse serve_asset(const http::HttpRequest& request, std::string_view name) {
  for (const Asset& asset : assets()) {
    if (asset.name == name) return serve(request, asset);
  }
  return not_found(name);
}

http::HttpResponse list_accounts(const ApiContext& ctx) {
  Result<std::vector<Account>> accounts = ctx.accounts.list_accounts();
  if (!accounts.ok()) return error_response(accounts.status());
  std::sort(accounts->begin(), accounts->end(), [](const Account& a, const Account& b) {
    return a.name != b.name ? a.name < b.name : a.auth_id < b.auth_id;
  });
  JsonWriter w;
  w.start_object();
  w.string_member("api_id", new_uuid_v4());
  w.key("meta");
  w.start_object();
  w.int_member("total_count", static_cast<std::int64_t>(accounts->size()));
  w.end_object();
  w.key("objects");
  w.start_array();
  for (const Account& a : *accounts) {
    w.start_object();
    w.string_member("auth_id", a.auth_id);
    w.string_member("name", a.name);
    w.string_member("created_at", format_timestamp(a.created_at));
    w.end_object();
  }
  w.end_array();
  w.end_object();
  http::HttpResponse r;
  r.body = w.text();
  return r;
}

}  // namespace cdrd::api::console
