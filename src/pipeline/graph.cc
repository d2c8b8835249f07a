#include "pipeline/graph.h"

#include <algorithm>
#include <functional>

#include "pipeline/sql_parse.h"

namespace pareto::pipeline {
namespace {

std::string LayerOf(std::string_view name) {
  const size_t dot = name.find('.');
  return std::string(dot == std::string_view::npos ? std::string_view() : name.substr(0, dot));
}

// Deterministic ordering: earlier layers first, then by name.
bool BuildsBefore(const std::string& a, const std::string& b) {
  const int ra = LayerRank(LayerOf(a)), rb = LayerRank(LayerOf(b));
  return ra != rb ? ra < rb : a < b;
}

}  // namespace

int LayerRank(std::string_view layer) {
  if (layer == "bronze") return 0;
  if (layer == "silver") return 1;
  if (layer == "gold") return 2;
  return 3;
}

const GraphNode* Graph::Find(std::string_view name) const {
  auto it = nodes_.find(std::string(name));
  return it == nodes_.end() ? nullptr : &it->second;
}

StatusOr<Graph> Graph::Build(const Project& project,
                             const std::map<std::string, std::vector<std::string>>& reads,
                             const std::set<std::string>& inputs) {
  Graph g;
  for (const std::string& input : inputs) {
    g.nodes_[input] = GraphNode{input, LayerOf(input), false, "", {}};
  }
  for (const Model& m : project.models) {
    g.nodes_[m.QualifiedName()] = GraphNode{m.QualifiedName(), m.layer, true, m.path, {}};
  }
  for (const Model& m : project.models) {
    GraphNode& node = g.nodes_[m.QualifiedName()];
    auto it = reads.find(node.name);
    if (it == reads.end()) continue;
    for (const std::string& up : it->second) {
      const auto found = g.nodes_.find(up);
      if (found == g.nodes_.end()) {
        return std::unexpected(NotFound(m.path + ": reads unknown table '" + up +
                                        "' (not produced by ingest or by any model)"));
      }
      if (LayerRank(found->second.layer) > LayerRank(m.layer)) {
        return std::unexpected(InvalidArgument(m.path + ": a " + m.layer + " model cannot read '" + up +
                                               "' of the later layer " + found->second.layer));
      }
      node.upstream.push_back(up);
      g.downstream_[up].push_back(node.name);
    }
  }

  // Kahn's algorithm over models, always taking the first ready one in build order.
  std::map<std::string, int> pending;
  std::vector<std::string> ready;
  for (const auto& [name, node] : g.nodes_) {
    if (!node.is_model) continue;
    int n = 0;
    for (const std::string& up : node.upstream) n += g.nodes_[up].is_model && up != name ? 1 : 0;
    for (const std::string& up : node.upstream) {
      if (up == name) {
        return std::unexpected(InvalidArgument(node.path + ": cycle: " + name + " reads itself"));
      }
    }
    pending[name] = n;
    if (n == 0) ready.push_back(name);
  }
  while (!ready.empty()) {
    auto next = std::min_element(ready.begin(), ready.end(), BuildsBefore);
    std::string name = *next;
    ready.erase(next);
    g.order_.push_back(name);
    for (const std::string& down : g.downstream_[name]) {
      if (--pending[down] == 0) ready.push_back(down);
    }
  }
  if (g.order_.size() != pending.size()) {
    // Name one cycle: walk upstream among unfinished models until a node repeats.
    std::set<std::string> done(g.order_.begin(), g.order_.end());
    std::string start;
    for (const auto& [name, n] : pending) {
      if (!done.contains(name)) { start = name; break; }
    }
    std::vector<std::string> path{start};
    while (true) {
      const GraphNode& node = g.nodes_[path.back()];
      std::string up;
      for (const std::string& u : node.upstream) {
        if (g.nodes_[u].is_model && !done.contains(u)) { up = u; break; }
      }
      auto seen = std::find(path.begin(), path.end(), up);
      if (seen != path.end()) {
        std::string text;
        for (auto it = seen; it != path.end(); ++it) text += *it + " <- ";
        text += up;
        return std::unexpected(InvalidArgument(g.nodes_[up].path + ": cycle: " + text));
      }
      path.push_back(up);
    }
  }
  return g;
}

std::vector<std::string> Graph::Downstream(std::string_view name) const {
  auto it = downstream_.find(std::string(name));
  return it == downstream_.end() ? std::vector<std::string>{} : it->second;
}

std::set<std::string> Graph::Ancestors(std::string_view name) const {
  std::set<std::string> out;
  std::function<void(const std::string&)> visit = [&](const std::string& n) {
    const GraphNode* node = Find(n);
    if (!node) return;
    for (const std::string& up : node->upstream) {
      if (out.insert(up).second) visit(up);
    }
  };
  visit(std::string(name));
  return out;
}

std::set<std::string> Graph::Descendants(std::string_view name) const {
  std::set<std::string> out;
  std::function<void(const std::string&)> visit = [&](const std::string& n) {
    for (const std::string& down : Downstream(n)) {
      if (out.insert(down).second) visit(down);
    }
  };
  visit(std::string(name));
  return out;
}

std::string Graph::ToDot(std::string_view catalog) const {
  std::string out = "digraph \"" + std::string(catalog) + "\" {\n  rankdir=LR;\n  node [shape=box];\n";
  std::map<std::string, std::vector<const GraphNode*>> by_layer;
  for (const auto& [name, node] : nodes_) by_layer[node.layer].push_back(&node);
  for (const auto& [layer, members] : by_layer) {
    out += "  subgraph \"cluster_" + layer + "\" {\n    label=\"" + layer + "\";\n";
    for (const GraphNode* node : members) {
      out += "    \"" + node->name + "\"" + (node->is_model ? "" : " [style=dashed]") + ";\n";
    }
    out += "  }\n";
  }
  for (const auto& [name, node] : nodes_) {
    for (const std::string& up : node.upstream) out += "  \"" + up + "\" -> \"" + name + "\";\n";
  }
  out += "}\n";
  return out;
}

StatusOr<Graph> BuildGraph(duck::Connection& conn, const Project& project,
                           const std::set<std::string>& inputs) {
  std::map<std::string, std::vector<std::string>> reads;
  for (const Model& m : project.models) {
    auto tree = ParseQuery(conn, m.sql);
    if (!tree) return std::unexpected(tree.error().WithContext(m.path));
    auto refs = ReferencedTables(*tree, m.sql, project.catalog);
    if (!refs) return std::unexpected(refs.error().WithContext(m.path));
    std::vector<std::string>& names = reads[m.QualifiedName()];
    for (const TableRef& ref : *refs) names.push_back(ref.QualifiedName());
  }
  return Graph::Build(project, reads, inputs);
}

}  // namespace pareto::pipeline
