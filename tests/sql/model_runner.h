// Runs the pipeline project's SQL models (pipelines/<name>/{silver,gold}/*.sql) inside one
// DuckDB connection whose schemas bronze/silver/gold hold plain tables: the harness of the SQL
// tests. It follows docs/pipeline-project.md: a model's output is `layer.name`, its inputs are
// the `schema.table` names DuckDB's parser finds in it, and the expectations of pipeline.yaml
// are applied to its result (warn keeps and counts, drop removes and counts, fail stops the
// model and writes nothing). Each evaluation is recorded in the table
// pareto_test.expectation_results (table_name, expectation, action, failed_rows), so tests
// can query the counts.
//
// This is a test harness, not pareto's runtime (src/pipeline/): it writes no Delta tables and
// keeps no run history.
//
// Ownership: ModelRunner holds the project's text; the Connection is the caller's.
// Thread safety: one thread at a time, like the Connection it is given.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "common/status.h"
#include "duck/duck.h"

namespace pareto::sqltest {

struct ExpectationSpec {
  std::string name;
  std::string condition;
  std::string action;  // "warn", "drop" or "fail"
};

struct ModelSpec {
  std::string qualified_name;       // "silver.slv_orders"
  std::string path;                 // the .sql file
  std::string sql;                  // its text
  std::vector<std::string> inputs;  // models it reads ("silver.slv_settings"), bronze excluded
};

class ModelRunner {
 public:
  // Reads <project_dir>/pipeline.yaml (timezone, expectations) and the models, and finds each
  // model's inputs with DuckDB's parser through `conn`.
  static StatusOr<ModelRunner> Load(const std::string& project_dir, duck::Connection& conn);

  // Creates the schema pareto_test and its expectation_results table.
  static Status PrepareConnection(duck::Connection& conn);

  // Builds `targets` ("silver.slv_orders") and every model upstream of them, each once, in
  // dependency order. Stops at the first failing model; the error names it.
  Status Build(duck::Connection& conn, const std::vector<std::string>& targets) const;
  Status BuildAll(duck::Connection& conn) const;

  const std::map<std::string, ModelSpec>& models() const { return models_; }
  const std::string& timezone() const { return timezone_; }

 private:
  Status BuildOne(duck::Connection& conn, const ModelSpec& model) const;

  std::string timezone_;
  std::map<std::string, ModelSpec> models_;
  std::map<std::string, std::vector<ExpectationSpec>> expectations_;
};

}  // namespace pareto::sqltest
