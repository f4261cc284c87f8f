#include "api/app/operations.h"

#include <exception>
#include <string_view>
#include <utility>

#include "core/json_writer.h"

namespace cdrd::api {

http::HttpResponse readiness_response(const std::vector<ReadinessCheck>& checks) {
  std::vector<std::pair<std::string_view, std::string>> results;
  bool ready = true;
  for (const ReadinessCheck& c : checks) {
    Status s;
    try {
      s = c.check();
    } catch (const std::exception& e) {
      s = Status::Internal(e.what());
    }
    results.emplace_back(c.name, s.ok() ? std::string("ok") : s.message());
    if (!s.ok()) {
      ready = false;
      break;
    }
  }
  JsonWriter w;
  w.start_object();
  w.string_member("status", ready ? "ready" : "not ready");
  w.key("checks");
  w.start_object();
  for (const auto& [name, result] : results) w.string_member(name, result);
  w.end_object();
  w.end_object();
  http::HttpResponse r;
  r.status = ready ? 200 : 503;
  r.body = w.text();
  if (!ready) r.headers.emplace_back("Retry-After", "1");
  return r;
}

http::HttpResponse metrics_response(const Metrics& metrics) {
  http::HttpResponse r;
  r.content_type = std::string(Metrics::kContentType);
  r.body = metrics.scrape();
  return r;
}

}  // namespace cdrd::api
