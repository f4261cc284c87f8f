// Router: matches a request path against route patterns such as
// "/v1/Account/{auth_id}/Zentrunk/Call/{call_uuid}" (a trailing slash is optional on both
// sides) and asks the matching route what to do with the request's head (http::RouteDecision:
// answer at once, or read a body of at most N bytes and run a handler). A path that matches a
// route but not its method answers 405 with an Allow header; no match answers 404. Errors take
// the shape of the API the path belongs to (set_error_renderer). Immutable after set-up;
// thread-safe.
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
// Decides on a request's head (its body not read yet) with the path's captured segments.
using RouteAdmitter =
    std::function<http::RouteDecision(const http::HttpRequest& head, const PathParams&)>;

// The body of an error: (status, message) -> response.
using ErrorRenderer = std::function<http::HttpResponse(int, std::string_view)>;

class Router {
 public:
  void add(std::string method, std::string_view pattern, RouteAdmitter admitter);
  // Paths under `prefix` get their error bodies from `render` (default: error_response's
  // {"api_id", "error"}); the longest matching prefix wins.
  void set_error_renderer(std::string prefix, ErrorRenderer render);
  // The decision of the route that matches the head (its `route` set to the route's pattern),
  // or a 404/405 response.
  http::RouteDecision route(const http::HttpRequest& head) const;
  // An error in the shape of the API `path` belongs to.
  http::HttpResponse error(std::string_view path, int status, std::string_view message) const;
  // Every route as (method, pattern), in the order added: what the OpenAPI document must cover.
  std::vector<std::pair<std::string, std::string>> routes() const;

 private:
  struct Route {
    std::string method;
    std::string pattern;                // as added: the decision's `route`, for metrics
    std::vector<std::string> segments;  // "{name}" captures one segment
    RouteAdmitter admitter;
  };
  static bool match(const Route& route, const std::vector<std::string_view>& path,
                    PathParams& params);
  std::vector<Route> routes_;
  std::vector<std::pair<std::string, ErrorRenderer>> renderers_;
};

// "/a/b/" -> {"a", "b"}.
std::vector<std::string_view> split_path(std::string_view path);

}  // namespace cdrd::api
