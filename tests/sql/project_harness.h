// Builds a pipeline project's SQL models (pipelines/<name>/{silver,gold}/*.sql) inside one
// DuckDB connection whose schemas bronze/silver/gold hold plain tables: the harness of the SQL
// tests. It runs pareto's own runtime, not a copy of it: the project is read by
// pipeline::LoadProject, the order comes from pipeline's graph, and each model is built and
// checked by pipeline::BuildModelResult, whose expectations are evaluated by
// pipeline/expectations.cc (warn keeps and counts, drop removes and counts, fail stops the
// model and writes nothing, with the message `pareto run` prints). Each evaluation is recorded
// in pareto_test.expectation_results (table_name, expectation, action, failed_rows), so tests
// can query the counts.
//
// What it leaves out of `pareto run`: Delta commits, the metastore and run history; the kept
// rows become a plain DuckDB table `layer.name`.
//
// Ownership: ProjectHarness holds the project and its graph; the Connection is the caller's.
// Thread safety: one thread at a time, like the Connection it is given.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "duck/duck.h"
#include "pipeline/expectations.h"
#include "pipeline/graph.h"
#include "pipeline/project.h"

namespace pareto::sqltest {

class ProjectHarness {
 public:
  // Loads <project_dir>, builds its graph with `conn` (bronze tables from `sources:`), and
  // prepares `conn` as `pareto run` does (the project's time zone) plus pareto_test's table.
  static StatusOr<ProjectHarness> Load(const std::string& project_dir, duck::Connection& conn);

  // Adds an expectation to `table`'s (a test's planted check), after those of pipeline.yaml.
  Status AddExpectation(const std::string& table, pipeline::Expectation expectation);

  // Builds `targets` ("silver.slv_orders") and every model upstream of them, each once, in
  // the graph's order. Stops at the first failing model; the error names it.
  Status Build(duck::Connection& conn, const std::vector<std::string>& targets) const;
  Status BuildAll(duck::Connection& conn) const;

  const pipeline::Project& project() const { return project_; }
  const std::string& timezone() const { return project_.timezone; }

 private:
  Status BuildOne(duck::Connection& conn, const pipeline::Model& model) const;

  pipeline::Project project_;
  pipeline::Graph graph_;
};

}  // namespace pareto::sqltest
