// The pipeline's dependency graph: tables are nodes, "reads" are edges.
//
// Built from what each model's SQL reads (sql_parse.h), never written by hand.
// The graph is data (after taskflow): nodes, edges, a topological order, and a
// DOT rendering; the runner walks it, `pareto lineage` prints it.
//
// Ownership: plain value. Thread safety: immutable once built.
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "duck/duck.h"
#include "pipeline/project.h"

namespace pareto::pipeline {

struct GraphNode {
  std::string name;       // "silver.slv_order_fact"
  std::string layer;      // "bronze", "silver", "gold"
  bool is_model = false;  // false: an input produced outside the models (bronze)
  std::string path;       // the model's .sql file (empty for inputs)
  std::vector<std::string> upstream;  // tables it reads, in order of appearance
};

class Graph {
 public:
  // `reads` maps each model's qualified name to the tables its SQL reads.
  // `inputs` are tables produced outside the models (bronze, from ingest).
  // Fails naming the model's file and the table for an unknown table, a read
  // of a later layer (silver reading gold), or a cycle.
  static StatusOr<Graph> Build(const Project& project,
                               const std::map<std::string, std::vector<std::string>>& reads,
                               const std::set<std::string>& inputs);

  const std::map<std::string, GraphNode>& nodes() const { return nodes_; }
  const GraphNode* Find(std::string_view name) const;

  // Models only, every model after all models it reads; ties broken by layer, then name.
  const std::vector<std::string>& order() const { return order_; }

  std::vector<std::string> Downstream(std::string_view name) const;  // direct readers
  // Every table `name` reads directly or transitively / that read it transitively.
  std::set<std::string> Ancestors(std::string_view name) const;
  std::set<std::string> Descendants(std::string_view name) const;

  // Graphviz DOT: one cluster per layer, an edge upstream -> downstream.
  std::string ToDot(std::string_view catalog) const;

 private:
  std::map<std::string, GraphNode> nodes_;
  std::map<std::string, std::vector<std::string>> downstream_;
  std::vector<std::string> order_;
};

// Parses every model of `project` and builds the graph (`inputs` as in Build).
// Errors name the model's file and line.
StatusOr<Graph> BuildGraph(duck::Connection& conn, const Project& project,
                           const std::set<std::string>& inputs);

// Layer rank: bronze 0, silver 1, gold 2, anything else 3.
int LayerRank(std::string_view layer);

}  // namespace pareto::pipeline
