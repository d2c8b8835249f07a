// `pareto run`: ingest, then every silver and gold model in dependency order.
//
// Each model's result is checked against its expectations and published
// (catalog::Lakehouse::Publish) as ONE Delta commit (an overwrite) of
// <catalog>.<layer>.<table>, registered with its comment, upstream tables and
// column lineage. Models run in the writable catalog::SqlSession, whose views
// the runner re-attaches as it publishes each table. A model whose fingerprint (hash of its SQL, its expectations and the
// Delta versions of its inputs) equals the one stored with its table's latest
// commit is "up to date" and skipped, unless `full`. The fingerprint lives in that
// commit's operationParameters, so it can never disagree with the data it names.
//
// A failed task stops its descendants; the other tasks still run. Runs, task runs
// and expectation counts are recorded in the metastore.
//
// Extension point: `post_tasks` run after the models (e.g. ML training), each
// after the tables it names, and are skipped when one of those failed.
//
// Ownership: RunPipeline borrows the Env for the call. Thread safety: one call at
// a time per lakehouse is expected; concurrent runs are safe at the Delta level
// (the later overwrite of a table fails with kConflict and is reported).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "catalog/lakehouse.h"
#include "catalog/metastore.h"
#include "common/env.h"
#include "common/status.h"
#include "duck/duck.h"
#include "ingest/ingest.h"
#include "pipeline/expectations.h"
#include "pipeline/graph.h"
#include "pipeline/project.h"

namespace pareto::pipeline {

// What a post-model task gets: the loaded project, its graph, the lakehouse (and
// its metastore), a DuckDB connection whose bronze/silver/gold views show the
// freshly built tables.
struct TaskContext {
  const Project& project;
  const Graph& graph;
  catalog::Lakehouse& lakehouse;
  catalog::Metastore& metastore;
  duck::Connection& conn;
  int64_t run_id = 0;
  Env* env = nullptr;
};

struct PostTask {
  std::string name;                     // task name in the run record, e.g. "ml.train"
  std::vector<std::string> depends_on;  // "gold.gld_ml_features", …
  std::function<StatusOr<std::string>(TaskContext&)> run;  // returns a one-line summary
};

struct TaskReport;

struct RunOptions {
  std::string project_dir;
  std::string lakehouse_root;
  std::string source_dir;    // CSV drops for ingest; empty: skip ingest
  bool full = false;         // rebuild every model, fingerprints notwithstanding
  std::string triggered_by = "manual";
  std::vector<PostTask> post_tasks;
  // Progress, on the runner's thread: a task begins (named as its TaskReport
  // will be, e.g. "silver.slv_orders"), and a task ends (skipped ones only end).
  std::function<void(const std::string& task)> on_task_started;
  std::function<void(const TaskReport& report)> on_task_finished;
};

enum class TaskState { kBuilt, kUpToDate, kFailed, kSkipped };
std::string_view TaskStateName(TaskState state);  // "built", "up to date", "failed", "skipped"

struct TaskReport {
  std::string task;  // "silver.slv_order_fact", "ingest", or a post task's name
  TaskState state = TaskState::kBuilt;
  std::string message;
  int64_t rows_written = 0;
  int64_t delta_version = -1;
  int64_t duration_ms = 0;
  std::vector<ExpectationCount> expectations;
  int64_t dropped_rows = 0;
};

struct RunReport {
  int64_t run_id = 0;
  std::optional<ingest::IngestReport> ingest;
  std::vector<TaskReport> tasks;  // in execution order
  int64_t duration_ms = 0;

  bool ok() const;
  const TaskReport* Find(std::string_view task) const;
};

// Fails (with nothing recorded as built) when the project cannot be loaded or its
// graph is invalid; task failures are in the report (RunReport::ok()).
StatusOr<RunReport> RunPipeline(const RunOptions& options, Env* env = Env::Default());
// The same with the project already loaded (the CLI reads pipeline.yaml once and
// hands the same Project to the runner and the ML tasks); options.project_dir is unused.
StatusOr<RunReport> RunPipeline(Project project, const RunOptions& options, Env* env = Env::Default());

// The hex SHA-256 identifying one build of a model. `time_zone` is the project's
// (every model may read it, model_build.h): changing it rebuilds the models.
std::string ModelFingerprint(const Model& model, const std::vector<Expectation>& expectations,
                             const std::vector<std::pair<std::string, int64_t>>& input_versions,
                             std::string_view time_zone = {});

std::string FormatRunReport(const RunReport& report);
nlohmann::json RunReportToJson(const RunReport& report);

}  // namespace pareto::pipeline
