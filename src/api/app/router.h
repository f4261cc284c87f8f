// Router: matches a request path against route patterns such as
// "/v1/Account/{auth_id}/Zentrunk/Call/{call_uuid}" (a trailing slash is optional on both
// sides) and hands the captured segments to the route's handler. A path that matches a route
// but not its method answers 405 with an Allow header. Immutable after set-up; thread-safe.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "http/message.h"

namespace cdrd::api {

using PathParams = std::map<std::string, std::string, std::less<>>;
using RouteHandler = std::function<http::HttpResponse(const http::HttpRequest&, const PathParams&)>;

// The body of the router's own 404 and 405 answers: (status, message) -> response.
using ErrorRenderer = std::function<http::HttpResponse(int, std::string_view)>;

class Router {
 public:
  void add(std::string method, std::string_view pattern, RouteHandler handler);
  // Paths under `prefix` get their 404/405 bodies from `render` (default: error_response's
  // {"api_id", "error"}); the longest matching prefix wins.
  void set_error_renderer(std::string prefix, ErrorRenderer render);
  // 404 for no matching path, 405 for a known path with another method.
  http::HttpResponse dispatch(const http::HttpRequest& request) const;

 private:
  struct Route {
    std::string method;
    std::vector<std::string> segments;  // "{name}" captures one segment
    RouteHandler handler;
  };
  static bool match(const Route& route, const std::vector<std::string_view>& path,
                    PathParams& params);
  http::HttpResponse error(const http::HttpRequest& request, int status,
                           std::string_view message) const;
  std::vector<Route> routes_;
  std::vector<std::pair<std::string, ErrorRenderer>> renderers_;
};

// "/a/b/" -> {"a", "b"}.
std::vector<std::string_view> split_path(std::string_view path);

}  // namespace cdrd::api
