#include "pipeline/task_graph.h"

#include <fmt/format.h>

#include <map>

namespace pareto::pipeline {

std::string_view TaskKindName(TaskKind kind) {
  switch (kind) {
    case TaskKind::kIngest: return "ingest";
    case TaskKind::kModel: return "model";
    case TaskKind::kPost: return "post";
  }
  return "model";
}

StatusOr<TaskGraph> TaskGraph::Build(const Graph& graph, const std::vector<std::string>& ingest_tables,
                                     const std::vector<PostTaskSpec>& post_tasks) {
  TaskGraph out;
  std::set<std::string> names;
  auto add = [&](TaskNode node) -> Status {
    if (!names.insert(node.name).second) return InvalidArgument("two tasks are named " + node.name);
    out.tasks_.push_back(std::move(node));
    return OkStatus();
  };
  for (const std::string& table : ingest_tables) {
    PARETO_RETURN_IF_ERROR(add({.name = "bronze." + table, .kind = TaskKind::kIngest, .layer = "bronze"}));
  }
  for (const std::string& model : graph.order()) {
    const GraphNode& node = *graph.Find(model);
    TaskNode task{.name = model, .kind = TaskKind::kModel, .layer = node.layer};
    // Inputs without a task (bronze when nothing is ingested) are not dependencies.
    for (const std::string& up : node.upstream) {
      if (names.contains(up)) task.deps.push_back(up);
    }
    PARETO_RETURN_IF_ERROR(add(std::move(task)));
  }
  for (const PostTaskSpec& post : post_tasks) {
    TaskNode task{.name = post.name, .kind = TaskKind::kPost, .layer = "ml"};
    for (const std::string& dep : post.depends_on) {
      if (!names.contains(dep)) {
        if (graph.Find(dep) != nullptr) continue;  // an input table, present before the run
        return std::unexpected(InvalidArgument(
            fmt::format("task {} depends on {}, which is neither a task nor a table", post.name, dep)));
      }
      task.deps.push_back(dep);
    }
    PARETO_RETURN_IF_ERROR(add(std::move(task)));
  }
  return out;
}

StatusOr<TaskGraph> TaskGraph::FromTasks(std::vector<TaskNode> tasks) {
  std::set<std::string> seen;
  for (const TaskNode& t : tasks) {
    for (const std::string& d : t.deps) {
      if (!seen.contains(d)) {
        return std::unexpected(InvalidArgument("task " + t.name + " depends on " + d + ", not listed before it"));
      }
    }
    if (!seen.insert(t.name).second) return std::unexpected(InvalidArgument("two tasks are named " + t.name));
  }
  TaskGraph out;
  out.tasks_ = std::move(tasks);
  return out;
}

const TaskNode* TaskGraph::Find(std::string_view name) const {
  for (const TaskNode& t : tasks_) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

std::vector<std::string> TaskGraph::Dependents(std::string_view name) const {
  std::vector<std::string> out;
  for (const TaskNode& t : tasks_) {
    for (const std::string& d : t.deps) {
      if (d == name) {
        out.push_back(t.name);
        break;
      }
    }
  }
  return out;
}

std::set<std::string> TaskGraph::Descendants(std::string_view name) const {
  // Tasks are in dependency order, so one forward pass closes the set.
  std::set<std::string> out;
  for (const TaskNode& t : tasks_) {
    for (const std::string& d : t.deps) {
      if (d == name || out.contains(d)) {
        out.insert(t.name);
        break;
      }
    }
  }
  return out;
}

std::set<std::string> TaskGraph::Ancestors(std::string_view name) const {
  std::set<std::string> out;
  const TaskNode* start = Find(name);
  if (start == nullptr) return out;
  for (auto it = tasks_.rbegin(); it != tasks_.rend(); ++it) {
    if (it->name == name || out.contains(it->name)) out.insert(it->deps.begin(), it->deps.end());
  }
  return out;
}

StatusOr<TaskGraph> TaskGraph::Select(const std::vector<std::string>& selectors) const {
  std::set<std::string> picked;
  for (std::string selector : selectors) {
    const bool ancestors = selector.starts_with('+');
    const bool descendants = selector.ends_with('+');
    if (ancestors) selector.erase(0, 1);
    if (descendants && !selector.empty()) selector.pop_back();
    std::vector<std::string> matches;
    for (const TaskNode& t : tasks_) {
      if (t.name == selector) {
        matches = {t.name};
        break;
      }
      if (t.name.size() > selector.size() && t.name.ends_with("." + selector)) matches.push_back(t.name);
    }
    if (matches.size() != 1) {
      return std::unexpected(InvalidArgument(
          fmt::format("--select {}: {} (`pareto dag` lists the tasks)", selector,
                      matches.empty() ? "no such task" : "names more than one task")));
    }
    const std::string& name = matches.front();
    picked.insert(name);
    if (ancestors) picked.merge(Ancestors(name));
    if (descendants) picked.merge(Descendants(name));
  }
  return Subset(picked);
}

TaskGraph TaskGraph::Subset(const std::set<std::string>& names) const {
  TaskGraph out;
  for (const TaskNode& t : tasks_) {
    if (!names.contains(t.name)) continue;
    TaskNode kept = t;
    std::erase_if(kept.deps, [&](const std::string& d) { return !names.contains(d); });
    out.tasks_.push_back(std::move(kept));
  }
  return out;
}

std::string TaskGraph::ToText() const {
  size_t width = 0;
  for (const TaskNode& t : tasks_) width = std::max(width, t.name.size());
  std::string out;
  for (const TaskNode& t : tasks_) {
    std::string deps;
    for (const std::string& d : t.deps) deps += (deps.empty() ? "" : ", ") + d;
    out += fmt::format("{:<{}}  ({}){}\n", t.name, width, TaskKindName(t.kind), deps.empty() ? "" : "  <- " + deps);
  }
  out += fmt::format("({} tasks)\n", tasks_.size());
  return out;
}

std::string TaskGraph::ToDot() const {
  std::map<std::string, std::vector<const TaskNode*>> by_layer;
  for (const TaskNode& t : tasks_) by_layer[t.layer].push_back(&t);
  std::string out = "digraph pareto_run {\n  rankdir=LR;\n  node [shape=box];\n";
  for (const auto& [layer, nodes] : by_layer) {
    out += fmt::format("  subgraph \"cluster_{}\" {{\n    label=\"{}\";\n", layer, layer);
    for (const TaskNode* t : nodes) {
      out += fmt::format("    \"{}\"{};\n", t->name, t->kind == TaskKind::kPost ? " [shape=ellipse]" : "");
    }
    out += "  }\n";
  }
  for (const TaskNode& t : tasks_) {
    for (const std::string& d : t.deps) out += fmt::format("  \"{}\" -> \"{}\";\n", d, t.name);
  }
  out += "}\n";
  return out;
}

nlohmann::json TaskGraph::ToJson() const {
  nlohmann::json nodes = nlohmann::json::array();
  nlohmann::json edges = nlohmann::json::array();
  for (const TaskNode& t : tasks_) {
    nodes.push_back({{"name", t.name}, {"kind", TaskKindName(t.kind)}, {"layer", t.layer}});
    for (const std::string& d : t.deps) edges.push_back({{"from", d}, {"to", t.name}});
  }
  return {{"nodes", nodes}, {"edges", edges}};
}

}  // namespace pareto::pipeline
