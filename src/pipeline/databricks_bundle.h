// `pareto export databricks`: the pipeline project as a Databricks Asset Bundle
// (docs/scale-out.md), for the day a shop outgrows one machine.
//
// The bundle is data computed from the project and its task graph, written by the
// caller (cli/export_commands.cc):
//   databricks.yml            one job; a task per task of `pareto dag --no-ml`, each
//                             with the same dependencies (task keys "silver-slv_orders");
//                             the schedule as Quartz cron in the shop's zone
//   sql/bronze/<table>.sql    ingest: CREATE TABLE IF NOT EXISTS with the declared
//                             schema, then COPY INTO from the Unity Catalog volume
//                             /Volumes/<catalog>/bronze/raw (files already loaded are skipped)
//   sql/<layer>/<model>.sql   the model as a temporary view, a check per `fail`
//                             expectation (raise_error: the task fails, nothing is
//                             written), a count per `warn`, then CREATE OR REPLACE TABLE
//                             with the table's comment, keeping the rows that pass every `drop`
//   README.md                 how to deploy, what is not in the job (ML) and why
//
// The models' SQL goes as written: it is portable (spark_functions.h). The two pareto
// settings the models call, business_time_zone() and ml_horizon_days(), become
// literals with the project's values (re-export after changing pipeline.yaml).
//
// Thread safety: pure functions.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "pipeline/project.h"
#include "pipeline/task_graph.h"

namespace pareto::pipeline {

struct BundleFile {
  std::string path;  // relative to the bundle's folder, "sql/silver/slv_orders.sql"
  std::string content;
};

// The bundle of `project` whose job mirrors `tasks` (ML post tasks are left out and
// described in the README). Fails for a schedule Quartz cannot say (both day-of-month
// and day-of-week restricted).
StatusOr<std::vector<BundleFile>> DatabricksBundle(const Project& project, const TaskGraph& tasks);

// A Databricks job task key for a task name: "silver.slv_orders" -> "silver-slv_orders".
std::string DatabricksTaskKey(std::string_view task);

// Five-field cron (minute hour day-of-month month day-of-week, day-of-week 0-7 with 0
// and 7 Sunday) -> Quartz (seconds first, day-of-week 1-7 from Sunday, `?` for the
// unrestricted day field). kInvalidArgument when both day fields are restricted.
StatusOr<std::string> QuartzCron(std::string_view cron);

// A Spark SQL string literal ('…' with backslash escapes).
std::string SparkStringLiteral(std::string_view value);

}  // namespace pareto::pipeline
