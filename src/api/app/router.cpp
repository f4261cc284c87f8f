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

void Router::add(std::string method, std::string_view pattern, RouteHandler handler) {
  Route r{std::move(method), {}, std::move(handler)};
  for (auto s : split_path(pattern)) r.segments.emplace_back(s);
  routes_.push_back(std::move(r));
}

bool Router::match(const Route& route, const std::vector<std::string_view>& path,
                   PathParams& params) {
  if (route.segments.size() != path.size()) return false;
  PathParams captured;
  for (std::size_t i = 0; i < path.size(); ++i) {
    const std::string& seg = route.segments[i];
    if (seg.size() > 2 && seg.front() == '{' && seg.back() == '}') {
      captured.emplace(seg.substr(1, seg.size() - 2), std::string(path[i]));
    } else if (seg != path[i]) {
      return false;
    }
  }
  params = std::move(captured);
  return true;
}

http::HttpResponse Router::dispatch(const http::HttpRequest& request) const {
  const auto path = split_path(request.path);
  std::string allowed;
  for (const auto& route : routes_) {
    PathParams params;
    if (!match(route, path, params)) continue;
    if (route.method == request.method) return route.handler(request, params);
    if (allowed.find(route.method) == std::string::npos) {
      allowed += allowed.empty() ? route.method : ", " + route.method;
    }
  }
  if (!allowed.empty()) {
    auto r = error(request, 405, "method " + request.method + " is not allowed on " +
                                     request.path + "; allowed: " + allowed);
    r.headers.emplace_back("Allow", allowed);
    return r;
  }
  return error(request, 404, "no such resource: " + request.path);
}

void Router::set_error_renderer(std::string prefix, ErrorRenderer render) {
  renderers_.emplace_back(std::move(prefix), std::move(render));
}

http::HttpResponse Router::error(const http::HttpRequest& request, int status,
                                 std::string_view message) const {
  const ErrorRenderer* best = nullptr;
  std::size_t best_len = 0;
  for (const auto& [prefix, render] : renderers_) {
    if (request.path.starts_with(prefix) && prefix.size() >= best_len) {
      best = &render;
      best_len = prefix.size();
    }
  }
  return best ? (*best)(status, message) : error_response(status, message);
}

}  // namespace cdrd::api
