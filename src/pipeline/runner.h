// `pareto run`: the task graph (task_graph.h) — an ingest per source, every
// silver and gold model, the post tasks — run by the executor (executor.h) on
// `jobs` worker threads, so independent tasks run at the same time.
//
// Each model's result is checked against its expectations and published
// (catalog::Lakehouse::Publish) as ONE Delta commit of <catalog>.<layer>.<table>:
// an overwrite, or a MERGE on the unique key of a model declared `incremental:`
// whose one bronze input only grew by appends (incremental.h says when, and the
// commit records the input versions it read for the next run's decision),
// registered with its comment, upstream tables and column lineage. Each worker has its own metastore connection and its own
// writable catalog::SqlSession; before a task it re-attaches the views of the
// tables this run produces that the task reads, so it sees what other workers
// published. A model whose fingerprint (hash of its SQL, its expectations, the
// zone and the Delta versions of its inputs) equals the one stored with its
// table's latest commit is "up to date" and skipped, unless `full`. The
// fingerprint lives in that commit's operationParameters, so it can never
// disagree with the data it names.
//
// A failed task marks its descendants skipped; the other tasks still run, and
// the run fails with the first failure as its cause (RunReport::first_failure).
// Conflicts and I/O errors are retried (executor.h). Runs, task runs (with
// start and end times, so concurrency shows) and expectation counts are
// recorded in the metastore.
//
// Extension point: `post_tasks` (e.g. ML training) are tasks of the graph, each
// after the tasks it names, run on a worker with that worker's connection.
//
// One writer per lakehouse: RunPipeline holds catalog::WriterLock for the run; a
// second run on the same lakehouse fails at once with kConflict naming the
// holder (pid, host, run id), unless it was asked to wait for the lock
// (RunOptions::wait_for_lock_ms); a dead run's lock is taken over.
//
// Ownership: RunPipeline borrows the Env for the call. Thread safety: see above;
// the callbacks are called from worker threads, one at a time.
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
  // What the task's result would be computed from (inputs' versions, settings,
  // code version), as a hash; optional. When it equals the fingerprint the
  // task's last successful run recorded, the task is "up to date" and `run` is
  // not called (unless RunOptions::full).
  std::function<StatusOr<std::string>(TaskContext&)> fingerprint;
};

struct TaskReport;

struct RunOptions {
  std::string project_dir;
  std::string lakehouse_root;
  std::string source_dir;    // CSV drops for ingest; empty: skip ingest
  bool full = false;         // rebuild every model, fingerprints notwithstanding
  int jobs = 0;              // worker threads; 0: the machine's cores
  // Only these tasks, dbt's way ("gold.gld_rfm+": with its descendants,
  // "+gold.gld_rfm": with its ancestors; task_graph.h); empty: every task.
  std::vector<std::string> select;
  // Rerun only what run `resume_run` did not finish (failed, skipped, or never
  // ended); 0: a normal run.
  int64_t resume_run = 0;
  bool strict = false;  // ingest warnings (missing or empty source files) fail the ingest task
  std::string triggered_by = "manual";
  // While another writer holds the lakehouse: 0 refuses at once (kConflict),
  // a positive value waits up to that many ms, a negative one without limit
  // (catalog::WriterLock::AcquireWaiting; the scheduler waits).
  int64_t wait_for_lock_ms = 0;
  // Told once when the run starts waiting for the lock, with the holder's refusal.
  std::function<void(const std::string& held)> on_lock_wait;
  // A task running longer is interrupted (its DuckDB query through the worker's
  // connection, executor.h) and fails with "task X exceeded its N s timeout";
  // 0: none. `pareto run` defaults it to pipeline.yaml's `run: {task_timeout:}`.
  int64_t task_timeout_ms = 0;
  // DuckDB's memory_limit for each worker's session (e.g. "4GB"); empty: half of
  // the machine's memory shared by the workers. Beyond it DuckDB spills to
  // <lakehouse>/_meta/tmp/run-PID-worker-N (a folder per worker), so a run holds a bounded share of
  // the machine whatever the size of its tables.
  std::string memory_limit;
  std::vector<PostTask> post_tasks;
  // Progress, from the worker threads but one call at a time: a task begins
  // (named as its TaskReport will be, e.g. "silver.slv_orders"), and a task ends
  // (skipped ones only end; a retried one ends once).
  std::function<void(const std::string& task)> on_task_started;
  std::function<void(const TaskReport& report)> on_task_finished;
  // A transient failure of `task`'s attempt `attempt` that is about to be retried.
  std::function<void(const std::string& task, int attempt, const std::string& error)> on_task_retry;
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
  std::string fingerprint;  // what the result was computed from (empty: not known)
  std::vector<std::pair<std::string, int64_t>> versions_read;  // input table -> Delta version
  int64_t rows_read = -1;   // rows of the inputs a built model read (-1: not counted)
  int attempts = 0;         // 0: skipped
  int worker = -1;          // the worker thread that ran it
  int64_t started_ms = 0;   // wall clock (Env), 0 when skipped
  int64_t ended_ms = 0;
  // Where a built model's time went, in ms, in the order spent: attach (the
  // session's views of its inputs), plan (input versions, fingerprint, row counts),
  // compute (its SQL), expectations, lineage (column lineage from the parse tree),
  // materialize (the rows to write, cast to their Delta types), parquet, stats,
  // log (the Delta commit), metastore (registry, lineage and expectation rows).
  // An ingest task: the sum over its files (ingest::FileReport::profile_ms).
  // Empty for post tasks.
  std::vector<std::pair<std::string, int64_t>> profile_ms;
};

struct RunReport {
  int64_t run_id = 0;
  std::optional<ingest::IngestReport> ingest;
  std::vector<TaskReport> tasks;  // in the order they ended
  std::string first_failure;      // "<task>: <message>" of the first task that failed
  std::string lock_note;          // set when the writer lock of a dead run was taken over
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
// `horizon_days` (ModelVariables' ml_horizon_days) counts only for a model whose
// SQL names that variable: changing it rebuilds those and nothing else.
std::string ModelFingerprint(const Model& model, const std::vector<Expectation>& expectations,
                             const std::vector<std::pair<std::string, int64_t>>& input_versions,
                             std::string_view time_zone = {}, std::string_view horizon_days = {});

// The hex SHA-256 of length-prefixed fields: no two different lists hash alike.
std::string HashFields(const std::vector<std::string>& fields);

std::string FormatRunReport(const RunReport& report);
nlohmann::json RunReportToJson(const RunReport& report);

}  // namespace pareto::pipeline
