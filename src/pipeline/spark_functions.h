// The functions the SQL models call by their Spark SQL name, defined once for DuckDB.
//
// The models are one text that DuckDB (here) and Spark SQL / Databricks (after
// `pareto export databricks`) both run with the same meaning (docs/scale-out.md). Where
// the two engines name or define a function differently, the models use Spark's name and
// semantics, and DuckDB gets that function as a temporary macro on each model session
// (PrepareModelSession calls RegisterSparkFunctions). Only names DuckDB does not already
// have are defined, so no DuckDB function is shadowed.
//
// Two more are pareto's own settings rather than Spark built-ins: business_time_zone()
// (pipeline.yaml `timezone:`) and ml_horizon_days() (`ml.horizon_days`). Here they read
// the session variables PrepareModelSession sets; the exported bundle defines them as
// Unity Catalog SQL functions returning the same values.
//
// Thread safety: uses the caller's Connection.
#pragma once

#include <string_view>
#include <vector>

#include "common/status.h"
#include "duck/duck.h"

namespace pareto::pipeline {

struct SparkFunction {
  std::string_view name;       // as the models call it
  std::string_view params;     // DuckDB macro parameters, e.g. "ts, tz"
  std::string_view body;       // the DuckDB expression
  std::string_view semantics;  // what Spark's function does (docs/scale-out.md repeats it)
};

// Every function above, in the order docs/scale-out.md lists them.
const std::vector<SparkFunction>& SparkFunctions();

// CREATE OR REPLACE TEMP MACRO for each of SparkFunctions() on `conn`.
Status RegisterSparkFunctions(duck::Connection& conn);

}  // namespace pareto::pipeline
