#include "server/router.h"

#include "common/percent_encoding.h"

namespace pareto::server {
namespace {

std::vector<std::string_view> Split(std::string_view path) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '/') {
      ++i;
      continue;
    }
    const size_t end = path.find('/', i);
    out.push_back(path.substr(i, end == std::string_view::npos ? std::string_view::npos : end - i));
    if (end == std::string_view::npos) break;
    i = end;
  }
  return out;
}

bool MatchPattern(std::string_view pattern, std::string_view path, std::map<std::string, std::string>* params) {
  const auto want = Split(pattern);
  const auto got = Split(path);
  if (want.size() != got.size()) return false;
  for (size_t i = 0; i < want.size(); ++i) {
    if (want[i].size() > 2 && want[i].front() == '{' && want[i].back() == '}') {
      if (params) (*params)[std::string(want[i].substr(1, want[i].size() - 2))] = PercentDecode(got[i]);
    } else if (want[i] != got[i]) {
      return false;
    }
  }
  return true;
}

}  // namespace

size_t Router::Add(Route route) {
  routes_.push_back(std::move(route));
  return routes_.size() - 1;
}

std::optional<RouteMatch> Router::Match(std::string_view method, std::string_view path,
                                        std::vector<std::string>* allowed) const {
  const std::string_view as = method == "HEAD" ? std::string_view("GET") : method;
  if (allowed) allowed->clear();
  for (size_t i = 0; i < routes_.size(); ++i) {
    RouteMatch m{.index = i};
    if (!MatchPattern(routes_[i].pattern, path, &m.params)) continue;
    if (routes_[i].method == as) return m;
    if (allowed) allowed->push_back(routes_[i].method);
  }
  return std::nullopt;
}

}  // namespace pareto::server
