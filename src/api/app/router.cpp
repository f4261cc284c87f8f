#include "api/app/router.h"

#include "api/errors.h"

namespace cdrd::api {

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < path.size()) {
    while (i < path.size() && path[i] == '/') ++i;
    std::size_t j = i;
    while (j < path.size() && path[j] != '/') ++j;
    if (j > i) out.push_back(path.substr(i, j - i));
    i = j;
  }
  return out;
}

void Router::add(std::string method, std::string_view pattern, RouteAdmitter admitter) {
  Route r{std::move(method), std::string(pattern), {}, std::move(admitter)};
  for (auto s : split_path(pattern)) r.segments.emplace_back(s);
  routes_.push_back(std::move(r));
}

bool Router::match(const Route& route, const std::vector<std::string_view>& path,
                   PathParams& params) {
  if (route.segments.size() != path.size()) return false;
  const auto is_param = [](const std::string& seg) {
    return seg.size() > 2 && seg.front() == '{' && seg.back() == '}';
  };
  // The literal segments first: most routes tried fail there, before any parameter is copied.
  for (std::size_t i = 0; i < path.size(); ++i) {
    const std::string& seg = route.segments[i];
    if (!is_param(seg) && seg != path[i]) return false;
  }
  PathParams captured;
  for (std::size_t i = 0; i < path.size(); ++i) {
    const std::string& seg = route.segments[i];
    if (is_param(seg)) captured.emplace(seg.substr(1, seg.size() - 2), std::string(path[i]));
  }
  params = std::move(captured);
  return true;
}

http::RouteDecision Router::route(const http::HttpRequest& head) const {
  const auto path = split_path(head.path);
  std::string allowed;
  for (const auto& route : routes_) {
    PathParams params;
    if (!match(route, path, params)) continue;
    if (route.method == head.method) {
      http::RouteDecision decision = route.admitter(head, params);
      decision.route = route.pattern;
      return decision;
    }
    if (allowed.find(route.method) == std::string::npos) {
      allowed += allowed.empty() ? route.method : ", " + route.method;
    }
  }
  http::RouteDecision decision;
  if (!allowed.empty()) {
    decision.response = error(
        head.path, 405,
        "method " + head.method + " is not allowed on " + head.path + "; allowed: " + allowed);
    decision.response->headers.emplace_back("Allow", allowed);
  } else {
    decision.response = error(head.path, 404, "no such resource: " + head.path);
  }
  return decision;
}

std::vector<std::pair<std::string, std::string>> Router::routes() const {
  std::vector<std::pair<std::string, std::string>> out;
  out.reserve(routes_.size());
  for (const Route& r : routes_) out.emplace_back(r.method, r.pattern);
  return out;
}

void Router::set_error_renderer(std::string prefix, ErrorRenderer render) {
  renderers_.emplace_back(std::move(prefix), std::move(render));
}

http::HttpResponse Router::error(std::string_view path, int status,
                                 std::string_view message) const {
  const ErrorRenderer* best = nullptr;
  std::size_t best_len = 0;
  for (const auto& [prefix, render] : renderers_) {
    if (path.starts_with(prefix) && prefix.size() >= best_len) {
      best = &render;
      best_len = prefix.size();
    }
  }
  http::HttpResponse r = best ? (*best)(status, message) : error_response(status, message);
  if (status == 503 || status == 429) {
    bool has_retry = false;
    for (const auto& [name, value] : r.headers) has_retry = has_retry || name == "Retry-After";
    if (!has_retry) r.headers.emplace_back("Retry-After", "1");
  }
  return r;
}

}  // namespace cdrd::api
