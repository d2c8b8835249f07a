#include "pipeline/model_build.h"

#include "pipeline/spark_functions.h"

namespace pareto::pipeline {

int64_t HorizonDays(const Project& project) {
  return project.ml && project.ml->horizon_days ? *project.ml->horizon_days : kDefaultHorizonDays;
}

std::vector<ModelVariable> ModelVariables(const Project& project) {
  return {
      {std::string(kTimeZoneVariable), project.timezone.empty() ? "NULL" : duck::QuoteLiteral(project.timezone)},
      {std::string(kHorizonVariable), std::to_string(HorizonDays(project))},
  };
}

Status PrepareModelSession(duck::Connection& conn, const Project& project) {
  for (const ModelVariable& v : ModelVariables(project)) {
    PARETO_RETURN_IF_ERROR(
        conn.Execute("SET VARIABLE " + v.name + " = " + v.literal).WithContext(project.file + ": " + v.name));
  }
  return RegisterSparkFunctions(conn);
}

StatusOr<ModelResult> BuildModelResult(duck::Connection& conn, const Model& model,
                                       const std::vector<Expectation>& expectations) {
  using Clock = std::chrono::steady_clock;
  auto ms_since = [](Clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t).count();
  };
  const std::string table(kModelResultTable);
  auto start = Clock::now();
  // The newline ends a trailing `--` comment of the model.
  PARETO_RETURN_IF_ERROR(
      conn.Execute("CREATE OR REPLACE TEMP TABLE " + table + " AS\n" + model.sql + "\n"));
  ModelResult out;
  PARETO_ASSIGN_OR_RETURN(duck::Result shape, conn.Query("SELECT * FROM " + table + " LIMIT 0"));
  for (uint64_t c = 0; c < shape.ColumnCount(); ++c) out.columns.push_back(shape.ColumnName(c));
  out.compute_ms = ms_since(start);
  start = Clock::now();
  PARETO_ASSIGN_OR_RETURN(out.checked, EvaluateExpectations(conn, table, expectations));
  out.expectations_ms = ms_since(start);
  return out;
}

Status ModelFailure(std::string_view table, const ModelResult& result) {
  if (result.ok()) return OkStatus();
  return DataError(std::string(table) + ": " + result.checked.failure + "; nothing committed");
}

}  // namespace pareto::pipeline
