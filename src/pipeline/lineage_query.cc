#include "pipeline/lineage_query.h"

#include <algorithm>
#include <deque>
#include <map>

namespace pareto::pipeline {
namespace {

bool Matches(const catalog::ColumnRef& node, const std::vector<catalog::ColumnRef>& targets) {
  for (const catalog::ColumnRef& t : targets) {
    if (node.table == t.table && (node.column == t.column || node.column == "*")) return true;
  }
  return false;
}

}  // namespace

StatusOr<std::optional<std::vector<catalog::ColumnRef>>> FindLineagePath(
    catalog::Metastore& ms, const catalog::ColumnRef& column, const std::vector<catalog::ColumnRef>& targets) {
  // Breadth-first, so the path named is a shortest one; `parent` doubles as the
  // visited set, which also makes recorded cycles harmless.
  std::map<catalog::ColumnRef, catalog::ColumnRef> parent;
  std::deque<catalog::ColumnRef> queue{column};
  parent.emplace(column, column);
  while (!queue.empty()) {
    catalog::ColumnRef node = queue.front();
    queue.pop_front();
    if (Matches(node, targets)) {
      std::vector<catalog::ColumnRef> path{node};
      while (!(path.back() == column)) path.push_back(parent.at(path.back()));
      std::reverse(path.begin(), path.end());
      return path;
    }
    PARETO_ASSIGN_OR_RETURN(auto upstream, catalog::UpstreamColumns(ms, node));
    for (catalog::ColumnRef& up : upstream) {
      if (parent.emplace(up, node).second) queue.push_back(std::move(up));
    }
  }
  return std::nullopt;
}

std::string FormatLineagePath(const std::vector<catalog::ColumnRef>& path) {
  std::string out;
  for (size_t i = 0; i < path.size(); ++i) {
    if (i) out += " <- ";
    out += path[i].table + "." + path[i].column;
  }
  return out;
}

}  // namespace pareto::pipeline
