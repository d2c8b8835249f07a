// Building one model on a DuckDB connection: the step `pareto run` (runner.cc)
// and the SQL tests (tests/sql) share, so both run the same SQL the same way and
// apply expectations through one implementation (expectations.h).
//
// PrepareModelSession gives the connection what every model may read besides
// tables: the project's time zone as the DuckDB variable `business_time_zone`
// (the models read it through business_time_zone()), so pipeline.yaml's
// `timezone:` is its only statement; and the future-value horizon
// (`ml.horizon_days`, default kDefaultHorizonDays) as `ml_horizon_days`
// (gold/gld_fv_snapshots.sql), so the windows the trainer reads are the ones the
// file states. ModelVariables lists them; the runner's fingerprint of a model
// (runner.h) includes the time zone always and another variable when the
// model's SQL names it, so changing the horizon rebuilds what reads it. It also
// defines the functions the models call by their Spark SQL name (spark_functions.h),
// among them business_time_zone() and ml_horizon_days(), which read those variables.
//
// BuildModelResult runs the model's SELECT into the temp table kModelResultTable
// and evaluates its expectations there. What to do with the kept rows (a Delta
// commit, a plain table) is the caller's; the caller drops the temp table.
//
// Thread safety: uses the caller's Connection.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "duck/duck.h"
#include "pipeline/expectations.h"
#include "pipeline/project.h"

namespace pareto::pipeline {

inline constexpr std::string_view kModelResultTable = "__pareto_model";
inline constexpr std::string_view kTimeZoneVariable = "business_time_zone";
inline constexpr std::string_view kHorizonVariable = "ml_horizon_days";
inline constexpr int64_t kDefaultHorizonDays = 180;

// A DuckDB variable a model may read: its name and value as a SQL literal.
struct ModelVariable {
  std::string name, literal;
};

// `ml.horizon_days`, or kDefaultHorizonDays when the file does not say.
int64_t HorizonDays(const Project& project);

// The variables PrepareModelSession sets, from the project (time zone first).
std::vector<ModelVariable> ModelVariables(const Project& project);

struct ModelResult {
  std::vector<std::string> columns;  // the result's columns, in order
  ExpectationOutcome checked;        // counts; keep_sql selects the rows to write
  int64_t compute_ms = 0;            // the model's SQL into the temp table
  int64_t expectations_ms = 0;       // evaluating the expectations on it
  bool ok() const { return checked.failure.empty(); }
};

// Sets the variables and functions models read (see above); call once per connection.
Status PrepareModelSession(duck::Connection& conn, const Project& project);

// Runs `model` into kModelResultTable and evaluates `expectations` on it. A SQL
// error is returned; a failed `fail` expectation is not an error here but
// `checked.failure`, so the caller can record every count before it stops.
StatusOr<ModelResult> BuildModelResult(duck::Connection& conn, const Model& model,
                                       const std::vector<Expectation>& expectations);

// The error of a model whose `fail` expectation failed: "<table>: <failure>;
// nothing committed" (kDataError), `table` as the caller names it.
Status ModelFailure(std::string_view table, const ModelResult& result);

}  // namespace pareto::pipeline
