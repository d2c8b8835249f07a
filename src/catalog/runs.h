// Pipeline runs, task runs and expectation results in the metastore.
//
// A pipeline run starts as "running" and is finished once with its outcome; each
// task (one table build) likewise. Expectation results (warn / drop /
// fail, with passed and failed row counts) hang off the run that measured them.
// A run left "running" by a crashed process stays visible as such: the reader
// decides (e.g. by age) what to call it.
//
// Typical use by the pipeline runner:
//   PARETO_ASSIGN_OR_RETURN(int64_t run, StartPipelineRun(ms, "olist", "manual"));
//   PARETO_ASSIGN_OR_RETURN(int64_t task, StartTaskRun(ms, run, "olist.silver.slv_order_fact"));
//   ... RecordExpectationResult(ms, {.run_id = run, .table = ..., ...});
//   FinishTaskRun(ms, task, {.status = RunStatus::kSucceeded, .rows_written = n, .delta_version = v});
//   FinishPipelineRun(ms, run, RunStatus::kSucceeded, "");
//
// Ownership: free functions over a borrowed Metastore. Thread safety: as the
// Metastore (one per thread); each call is one statement or transaction, so
// processes may record runs concurrently. Times come from the Metastore's Env.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/metastore.h"
#include "common/status.h"

namespace pareto::catalog {

enum class RunStatus { kRunning, kSucceeded, kFailed, kSkipped };
std::string_view RunStatusName(RunStatus status);  // "running", "succeeded", …
StatusOr<RunStatus> ParseRunStatus(std::string_view name);

struct PipelineRun {
  int64_t id = 0;
  std::string pipeline;
  std::string triggered_by;  // "manual", "schedule", …
  RunStatus status = RunStatus::kRunning;
  std::string message;
  int64_t started_ms = 0;
  std::optional<int64_t> ended_ms;
};

struct TaskRun {
  int64_t id = 0;
  int64_t run_id = 0;
  std::string task;  // usually the full name of the table it builds
  RunStatus status = RunStatus::kRunning;
  std::string message;
  int64_t started_ms = 0;
  std::optional<int64_t> ended_ms;
  std::optional<int64_t> rows_written;
  std::optional<int64_t> delta_version;
  std::optional<int64_t> attempts;
  std::optional<int64_t> worker;
  std::optional<int64_t> rows_read;
  std::optional<std::string> versions_read;  // JSON object: table -> Delta version
  std::optional<std::string> fingerprint;
};

struct TaskOutcome {
  RunStatus status = RunStatus::kSucceeded;
  std::string message;
  std::optional<int64_t> rows_written;
  std::optional<int64_t> delta_version;
  std::optional<int64_t> attempts;
  std::optional<int64_t> worker;
  std::optional<int64_t> rows_read;
  std::optional<std::string> versions_read;
  // What the task's result was computed from; set only for a task that succeeded
  // or found itself up to date (LastTaskFingerprint reads it).
  std::optional<std::string> fingerprint;
};

enum class ExpectationAction { kWarn, kDrop, kFail };
std::string_view ExpectationActionName(ExpectationAction action);  // "warn", "drop", "fail"
StatusOr<ExpectationAction> ParseExpectationAction(std::string_view name);

struct ExpectationResult {
  std::optional<int64_t> run_id;  // empty when measured outside a pipeline run
  std::string table;              // full name
  std::string expectation;        // its name in pipeline.yaml
  ExpectationAction action = ExpectationAction::kWarn;
  int64_t passed_rows = 0;
  int64_t failed_rows = 0;
  int64_t recorded_ms = 0;  // set by RecordExpectationResult when 0
};

// Returns the new run's id.
StatusOr<int64_t> StartPipelineRun(Metastore& ms, std::string_view pipeline, std::string_view triggered_by);
// kNotFound for an unknown id; kConflict when the run was already finished.
Status FinishPipelineRun(Metastore& ms, int64_t run_id, RunStatus status, std::string_view message);
StatusOr<std::optional<PipelineRun>> GetPipelineRun(Metastore& ms, int64_t run_id);
// Newest first; `pipeline` empty: all pipelines.
StatusOr<std::vector<PipelineRun>> ListPipelineRuns(Metastore& ms, std::string_view pipeline = "",
                                                    int limit = 50);

StatusOr<int64_t> StartTaskRun(Metastore& ms, int64_t run_id, std::string_view task);
Status FinishTaskRun(Metastore& ms, int64_t task_run_id, const TaskOutcome& outcome);
// In start order.
StatusOr<std::vector<TaskRun>> ListTaskRuns(Metastore& ms, int64_t run_id);
// The fingerprint of the latest run of `task` that recorded one (nullopt: none).
StatusOr<std::optional<std::string>> LastTaskFingerprint(Metastore& ms, std::string_view task);

Status RecordExpectationResult(Metastore& ms, const ExpectationResult& result);
// Of one run, in recording order.
StatusOr<std::vector<ExpectationResult>> ListExpectationResults(Metastore& ms, int64_t run_id);
// The latest `limit` results for one table, newest first.
StatusOr<std::vector<ExpectationResult>> ListExpectationResultsForTable(Metastore& ms, std::string_view table,
                                                                        int limit = 50);
// The latest measurement of every registered table: the results of the last run
// that recorded any for it (a table up to date in the last run keeps those of the
// run that built it), in declaration order, tables by full name.
StatusOr<std::vector<ExpectationResult>> LatestExpectationResults(Metastore& ms);

}  // namespace pareto::catalog
