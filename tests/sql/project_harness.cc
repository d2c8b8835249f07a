#include "project_harness.h"

#include <fmt/format.h>

#include <set>

#include "pipeline/model_build.h"

namespace pareto::sqltest {

StatusOr<ProjectHarness> ProjectHarness::Load(const std::string& project_dir,
                                              duck::Connection& conn) {
  ProjectHarness harness;
  PARETO_ASSIGN_OR_RETURN(harness.project_, pipeline::LoadProject(project_dir));
  std::set<std::string> inputs;
  for (const ingest::SourceSpec& s : harness.project_.sources) inputs.insert("bronze." + s.table);
  PARETO_ASSIGN_OR_RETURN(harness.graph_, pipeline::BuildGraph(conn, harness.project_, inputs));
  PARETO_RETURN_IF_ERROR(pipeline::PrepareModelSession(conn, harness.project_));
  PARETO_RETURN_IF_ERROR(conn.Execute(
      "CREATE SCHEMA IF NOT EXISTS pareto_test;"
      "CREATE TABLE IF NOT EXISTS pareto_test.expectation_results ("
      "  table_name VARCHAR, expectation VARCHAR, action VARCHAR, failed_rows BIGINT)"));
  return harness;
}

Status ProjectHarness::AddExpectation(const std::string& table, pipeline::Expectation expectation) {
  if (project_.FindModel(table) == nullptr)
    return NotFound(fmt::format("no model produces {}", table));
  project_.expectations[table].push_back(std::move(expectation));
  return OkStatus();
}

Status ProjectHarness::Build(duck::Connection& conn,
                             const std::vector<std::string>& targets) const {
  std::set<std::string> wanted;
  for (const std::string& target : targets) {
    if (project_.FindModel(target) == nullptr)
      return NotFound(fmt::format("no model produces {}", target));
    wanted.insert(target);
    for (const std::string& up : graph_.Ancestors(target)) {
      if (project_.FindModel(up) != nullptr) wanted.insert(up);
    }
  }
  for (const std::string& name : graph_.order()) {
    if (wanted.contains(name)) PARETO_RETURN_IF_ERROR(BuildOne(conn, *project_.FindModel(name)));
  }
  return OkStatus();
}

Status ProjectHarness::BuildAll(duck::Connection& conn) const {
  for (const std::string& name : graph_.order())
    PARETO_RETURN_IF_ERROR(BuildOne(conn, *project_.FindModel(name)));
  return OkStatus();
}

Status ProjectHarness::BuildOne(duck::Connection& conn, const pipeline::Model& model) const {
  const std::string name = model.QualifiedName();
  const std::string result_table(pipeline::kModelResultTable);
  auto built = pipeline::BuildModelResult(conn, model, project_.ExpectationsOf(name));
  if (!built.has_value()) return built.error().WithContext(model.path);
  PARETO_RETURN_IF_ERROR(
      conn.Execute("DELETE FROM pareto_test.expectation_results WHERE table_name = " +
                   duck::QuoteLiteral(name)));
  for (const pipeline::ExpectationCount& c : built->checked.counts) {
    PARETO_RETURN_IF_ERROR(conn.Execute(
        fmt::format("INSERT INTO pareto_test.expectation_results VALUES ({}, {}, {}, {})",
                    duck::QuoteLiteral(name), duck::QuoteLiteral(c.expectation.name),
                    duck::QuoteLiteral(pipeline::ActionName(c.expectation.action)), c.failed)));
  }
  Status status = pipeline::ModelFailure(name, *built);
  if (status.ok())
    status = conn.Execute("CREATE OR REPLACE TABLE " + name + " AS " + built->checked.keep_sql);
  PARETO_RETURN_IF_ERROR(conn.Execute("DROP TABLE IF EXISTS " + result_table));
  return status;
}

}  // namespace pareto::sqltest
