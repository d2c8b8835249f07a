#include "pipeline/spark_functions.h"

#include <string>

namespace pareto::pipeline {

const std::vector<SparkFunction>& SparkFunctions() {
  static const std::vector<SparkFunction> kFunctions = {
      {"from_utc_timestamp", "ts, tz", "timezone(tz, ts)",
       "the wall-clock time in zone tz of the UTC instant ts (DuckDB: timezone(tz, ts))"},
      {"unix_date", "d", "date_diff('day', DATE '1970-01-01', d)",
       "days since 1970-01-01 of a DATE; day differences are unix_date(b) - unix_date(a) "
       "(DuckDB's date_diff and Spark's datediff take their arguments in different orders)"},
      {"rlike", "s, pattern", "regexp_matches(s, pattern)",
       "true when the regular expression matches anywhere in s (anchor with ^ and $)"},
      // Cast to HUGEINT so a DECIMAL(38, 0) operand divides exactly, as Spark's does.
      {"div", "a, b", "CAST(a AS HUGEINT) // CAST(b AS HUGEINT)",
       "integral division truncated toward zero; NULL when b is 0 (Spark's `a div b`)"},
      {"timestamp_seconds", "s", "to_timestamp(s)", "the instant s seconds after 1970-01-01 00:00 UTC"},
      {"add_months", "d, n", "CAST(d + to_months(n) AS DATE)",
       "the date n months after d (the models add months only to first days of a month)"},
      {"sequence", "lo, hi, step", "generate_series(lo, hi, step)",
       "the array lo, lo + step, ... up to hi inclusive"},
      {"explode", "a", "unnest(a)", "one row per element of the array a (in a SELECT list)"},
      {"business_time_zone", "", "CAST(getvariable('business_time_zone') AS VARCHAR)",
       "pareto's: the shop's zone, pipeline.yaml `timezone:`"},
      {"ml_horizon_days", "", "CAST(getvariable('ml_horizon_days') AS INTEGER)",
       "pareto's: the future-value window in days, pipeline.yaml `ml.horizon_days`"},
  };
  return kFunctions;
}

Status RegisterSparkFunctions(duck::Connection& conn) {
  for (const SparkFunction& f : SparkFunctions()) {
    const std::string sql = "CREATE OR REPLACE TEMP MACRO " + std::string(f.name) + "(" + std::string(f.params) +
                            ") AS " + std::string(f.body);
    PARETO_RETURN_IF_ERROR(conn.Execute(sql).WithContext("Spark function " + std::string(f.name)));
  }
  return OkStatus();
}

}  // namespace pareto::pipeline
