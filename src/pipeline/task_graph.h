// The tasks of `pareto run` as a graph (taskflow's habit: a graph you can print,
// an executor apart — executor.h runs it).
//
// One task per bronze source ingest (named as the table it fills,
// "bronze.brz_orders"), one per silver/gold model ("silver.slv_orders"), and the
// post tasks that follow the models ("ml.train", "ml.score"). Edges come from
// the project: a model depends on the tasks that produce the tables its SQL reads
// (graph.h), a post task on what it declares. Bronze tables with no ingest task
// (a run without --source) are inputs, not tasks.
//
// Ownership: plain value. Thread safety: immutable once built.
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "pipeline/graph.h"

namespace pareto::pipeline {

enum class TaskKind { kIngest, kModel, kPost };
std::string_view TaskKindName(TaskKind kind);  // "ingest", "model", "post"

struct TaskNode {
  std::string name;               // "bronze.brz_orders", "gold.gld_rfm", "ml.train"
  TaskKind kind = TaskKind::kModel;
  std::string layer;              // "bronze", "silver", "gold", or "ml" for post tasks
  std::vector<std::string> deps;  // tasks that must succeed first, in the graph's order
};

// A post task as the graph sees it: its name and the tasks or tables it needs.
struct PostTaskSpec {
  std::string name;
  std::vector<std::string> depends_on;
};

class TaskGraph {
 public:
  // `ingest_tables`: bronze tables with an ingest task ("brz_orders"), empty when
  // the run ingests nothing. Fails when a post task names an unknown dependency
  // or two tasks share a name.
  static StatusOr<TaskGraph> Build(const Graph& graph, const std::vector<std::string>& ingest_tables,
                                   const std::vector<PostTaskSpec>& post_tasks);

  // A graph of the given tasks (a test's, or a part of a run's): fails when a
  // task depends on one that is not listed before it, or two share a name.
  static StatusOr<TaskGraph> FromTasks(std::vector<TaskNode> tasks);

  // Every task after all its dependencies: ingest, then models in graph order,
  // then post tasks in declaration order.
  const std::vector<TaskNode>& tasks() const { return tasks_; }
  const TaskNode* Find(std::string_view name) const;
  std::vector<std::string> Dependents(std::string_view name) const;  // direct
  std::set<std::string> Descendants(std::string_view name) const;
  std::set<std::string> Ancestors(std::string_view name) const;

  // The part of the graph that `selectors` pick, dbt's way: "gold.gld_rfm" the
  // task, "gold.gld_rfm+" with its descendants, "+gold.gld_rfm" with its
  // ancestors (both: "+x+"). A bare name ("gld_rfm") names the one task that
  // ends in it. Dependencies on tasks left out are dropped: their tables are
  // read as they are. kInvalidArgument for a name that is no task.
  StatusOr<TaskGraph> Select(const std::vector<std::string>& selectors) const;
  // The part made of `names` (in graph order), dependencies on others dropped.
  TaskGraph Subset(const std::set<std::string>& names) const;

  // One line a task: "gold.gld_rfm  (model)  <- silver.slv_x, silver.slv_y".
  std::string ToText() const;
  // Graphviz DOT: a cluster per layer, an edge dependency -> dependent.
  std::string ToDot() const;
  // {"nodes": [{"name", "kind", "layer"}], "edges": [{"from", "to"}]}.
  nlohmann::json ToJson() const;

 private:
  std::vector<TaskNode> tasks_;
};

}  // namespace pareto::pipeline
