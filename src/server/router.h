// The API's route table: a method and a path pattern ("/api/v1/tables/{name}")
// a route, matched segment by segment. Kept apart from httplib so the OpenAPI
// file can be checked against exactly what is served (router_test) and so an
// unknown path (404) is told from a known path with another method (405 + Allow).
//
// Thread safety: built once before serving, then read-only.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pareto::server {

struct Route {
  std::string method;   // "GET", "POST"
  std::string pattern;  // segments; "{x}" matches any one non-empty segment
  bool needs_token = true;
};

struct RouteMatch {
  size_t index = 0;  // into Router::routes()
  std::map<std::string, std::string> params;  // {x} -> the segment, URL-decoded
};

class Router {
 public:
  // Returns the route's index.
  size_t Add(Route route);
  const std::vector<Route>& routes() const { return routes_; }

  // The route of `method` `path`; nullopt with `allowed` filled when the path is
  // known for other methods only (a 405), nullopt with `allowed` empty when unknown (404).
  // HEAD matches a GET route.
  std::optional<RouteMatch> Match(std::string_view method, std::string_view path,
                                  std::vector<std::string>* allowed) const;

 private:
  std::vector<Route> routes_;
};

}  // namespace pareto::server
