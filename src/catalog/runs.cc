#include "catalog/runs.h"

#include "catalog/metastore_internal.h"
#include <string>

namespace pareto::catalog {
namespace {

constexpr std::string_view kRunColumns = "id, pipeline, triggered_by, status, message, started_ms, ended_ms";
constexpr std::string_view kTaskColumns =
    "id, run_id, task, status, message, started_ms, ended_ms, rows_written, delta_version, attempts, worker, "
    "rows_read, versions_read, fingerprint";
constexpr std::string_view kExpectationColumns =
    "run_id, table_name, expectation, action, passed_rows, failed_rows, recorded_ms";

StatusOr<PipelineRun> ReadRun(const sqlite::Statement& s) {
  PipelineRun r;
  r.id = s.ColumnInt64(0);
  r.pipeline = s.ColumnText(1);
  r.triggered_by = s.ColumnText(2);
  PARETO_ASSIGN_OR_RETURN(r.status, ParseRunStatus(s.ColumnText(3)));
  r.message = s.ColumnText(4);
  r.started_ms = s.ColumnInt64(5);
  r.ended_ms = s.ColumnOptionalInt64(6);
  return r;
}

StatusOr<TaskRun> ReadTask(const sqlite::Statement& s) {
  TaskRun t;
  t.id = s.ColumnInt64(0);
  t.run_id = s.ColumnInt64(1);
  t.task = s.ColumnText(2);
  PARETO_ASSIGN_OR_RETURN(t.status, ParseRunStatus(s.ColumnText(3)));
  t.message = s.ColumnText(4);
  t.started_ms = s.ColumnInt64(5);
  t.ended_ms = s.ColumnOptionalInt64(6);
  t.rows_written = s.ColumnOptionalInt64(7);
  t.delta_version = s.ColumnOptionalInt64(8);
  t.attempts = s.ColumnOptionalInt64(9);
  t.worker = s.ColumnOptionalInt64(10);
  t.rows_read = s.ColumnOptionalInt64(11);
  t.versions_read = s.ColumnOptionalText(12);
  t.fingerprint = s.ColumnOptionalText(13);
  return t;
}

StatusOr<ExpectationResult> ReadExpectation(const sqlite::Statement& s) {
  ExpectationResult e;
  e.run_id = s.ColumnOptionalInt64(0);
  e.table = s.ColumnText(1);
  e.expectation = s.ColumnText(2);
  PARETO_ASSIGN_OR_RETURN(e.action, ParseExpectationAction(s.ColumnText(3)));
  e.passed_rows = s.ColumnInt64(4);
  e.failed_rows = s.ColumnInt64(5);
  e.recorded_ms = s.ColumnInt64(6);
  return e;
}

// Steps `stmt` to the end, converting each row with `read`.
template <class T, class Read>
StatusOr<std::vector<T>> ReadAll(sqlite::Statement& stmt, Read read) {
  std::vector<T> out;
  while (true) {
    PARETO_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) return out;
    PARETO_ASSIGN_OR_RETURN(T value, read(stmt));
    out.push_back(std::move(value));
  }
}

// Ends a "running" row of `table`; distinguishes an unknown id from a finished one.
Status FinishRow(Metastore& ms, std::string_view table, int64_t id, std::string_view what) {
  if (MetastoreAccess::Db(ms).Changes() > 0) return OkStatus();
  PARETO_ASSIGN_OR_RETURN(sqlite::Statement stmt,
                          MetastoreAccess::Db(ms).Prepare("SELECT status FROM " + std::string(table) + " WHERE id = ?"));
  PARETO_RETURN_IF_ERROR(stmt.Bind(1, id));
  PARETO_ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return NotFound(std::string(what) + " " + std::to_string(id) + " does not exist");
  return Conflict(std::string(what) + " " + std::to_string(id) + " already finished as " + stmt.ColumnText(0));
}

}  // namespace

std::string_view RunStatusName(RunStatus status) {
  switch (status) {
    case RunStatus::kRunning: return "running";
    case RunStatus::kSucceeded: return "succeeded";
    case RunStatus::kFailed: return "failed";
    case RunStatus::kSkipped: return "skipped";
  }
  return "unknown";
}

StatusOr<RunStatus> ParseRunStatus(std::string_view name) {
  for (RunStatus s : {RunStatus::kRunning, RunStatus::kSucceeded, RunStatus::kFailed, RunStatus::kSkipped}) {
    if (RunStatusName(s) == name) return s;
  }
  return std::unexpected(DataError("unknown run status \"" + std::string(name) + "\""));
}

std::string_view ExpectationActionName(ExpectationAction action) {
  switch (action) {
    case ExpectationAction::kWarn: return "warn";
    case ExpectationAction::kDrop: return "drop";
    case ExpectationAction::kFail: return "fail";
  }
  return "unknown";
}

StatusOr<ExpectationAction> ParseExpectationAction(std::string_view name) {
  for (ExpectationAction a : {ExpectationAction::kWarn, ExpectationAction::kDrop, ExpectationAction::kFail}) {
    if (ExpectationActionName(a) == name) return a;
  }
  return std::unexpected(
      InvalidArgument("unknown expectation action \"" + std::string(name) + "\" (use warn, drop or fail)"));
}

StatusOr<int64_t> StartPipelineRun(Metastore& ms, std::string_view pipeline, std::string_view triggered_by) {
  PARETO_ASSIGN_OR_RETURN(
      sqlite::Statement stmt,
      MetastoreAccess::Db(ms).Prepare("INSERT INTO pipeline_runs(pipeline, triggered_by, status, started_ms) VALUES (?, ?, ?, ?)"));
  PARETO_RETURN_IF_ERROR(stmt.Bind(1, pipeline));
  PARETO_RETURN_IF_ERROR(stmt.Bind(2, triggered_by));
  PARETO_RETURN_IF_ERROR(stmt.Bind(3, RunStatusName(RunStatus::kRunning)));
  PARETO_RETURN_IF_ERROR(stmt.Bind(4, ms.NowMs()));
  PARETO_RETURN_IF_ERROR(stmt.Run());
  return MetastoreAccess::Db(ms).LastInsertRowId();
}

Status FinishPipelineRun(Metastore& ms, int64_t run_id, RunStatus status, std::string_view message) {
  if (status == RunStatus::kRunning) return InvalidArgument("a run cannot finish as running");
  PARETO_ASSIGN_OR_RETURN(
      sqlite::Statement stmt,
      MetastoreAccess::Db(ms).Prepare("UPDATE pipeline_runs SET status = ?, message = ?, ended_ms = ? "
                      "WHERE id = ? AND status = 'running'"));
  PARETO_RETURN_IF_ERROR(stmt.Bind(1, RunStatusName(status)));
  PARETO_RETURN_IF_ERROR(stmt.Bind(2, message));
  PARETO_RETURN_IF_ERROR(stmt.Bind(3, ms.NowMs()));
  PARETO_RETURN_IF_ERROR(stmt.Bind(4, run_id));
  PARETO_RETURN_IF_ERROR(stmt.Run());
  return FinishRow(ms, "pipeline_runs", run_id, "pipeline run");
}

StatusOr<std::optional<PipelineRun>> GetPipelineRun(Metastore& ms, int64_t run_id) {
  PARETO_ASSIGN_OR_RETURN(
      sqlite::Statement stmt,
      MetastoreAccess::Db(ms).Prepare("SELECT " + std::string(kRunColumns) + " FROM pipeline_runs WHERE id = ?"));
  PARETO_RETURN_IF_ERROR(stmt.Bind(1, run_id));
  PARETO_ASSIGN_OR_RETURN(std::vector<PipelineRun> runs, ReadAll<PipelineRun>(stmt, ReadRun));
  if (runs.empty()) return std::optional<PipelineRun>();
  return std::optional<PipelineRun>(std::move(runs.front()));
}

StatusOr<std::vector<PipelineRun>> ListPipelineRuns(Metastore& ms, std::string_view pipeline, int limit) {
  PARETO_ASSIGN_OR_RETURN(sqlite::Statement stmt,
                          MetastoreAccess::Db(ms).Prepare("SELECT " + std::string(kRunColumns) +
                                          " FROM pipeline_runs WHERE (?1 = '' OR pipeline = ?1) "
                                          "ORDER BY id DESC LIMIT ?2"));
  PARETO_RETURN_IF_ERROR(stmt.Bind(1, pipeline));
  PARETO_RETURN_IF_ERROR(stmt.Bind(2, limit));
  return ReadAll<PipelineRun>(stmt, ReadRun);
}

StatusOr<int64_t> StartTaskRun(Metastore& ms, int64_t run_id, std::string_view task) {
  PARETO_ASSIGN_OR_RETURN(
      sqlite::Statement stmt,
      MetastoreAccess::Db(ms).Prepare("INSERT INTO task_runs(run_id, task, status, started_ms) VALUES (?, ?, ?, ?)"));
  PARETO_RETURN_IF_ERROR(stmt.Bind(1, run_id));
  PARETO_RETURN_IF_ERROR(stmt.Bind(2, task));
  PARETO_RETURN_IF_ERROR(stmt.Bind(3, RunStatusName(RunStatus::kRunning)));
  PARETO_RETURN_IF_ERROR(stmt.Bind(4, ms.NowMs()));
  Status inserted = stmt.Run();
  // The only constraint an insert can break here is the run's foreign key.
  if (inserted.code() == StatusCode::kAlreadyExists) {
    return std::unexpected(NotFound("pipeline run " + std::to_string(run_id) + " does not exist"));
  }
  PARETO_RETURN_IF_ERROR(inserted);
  return MetastoreAccess::Db(ms).LastInsertRowId();
}

Status FinishTaskRun(Metastore& ms, int64_t task_run_id, const TaskOutcome& outcome) {
  if (outcome.status == RunStatus::kRunning) return InvalidArgument("a task cannot finish as running");
  PARETO_ASSIGN_OR_RETURN(
      sqlite::Statement stmt,
      MetastoreAccess::Db(ms).Prepare("UPDATE task_runs SET status = ?, message = ?, ended_ms = ?, rows_written = ?, "
                      "delta_version = ?, attempts = ?, worker = ?, rows_read = ?, versions_read = ?, fingerprint = ? "
                      "WHERE id = ? AND status = 'running'"));
  PARETO_RETURN_IF_ERROR(stmt.Bind(1, RunStatusName(outcome.status)));
  PARETO_RETURN_IF_ERROR(stmt.Bind(2, outcome.message));
  PARETO_RETURN_IF_ERROR(stmt.Bind(3, ms.NowMs()));
  PARETO_RETURN_IF_ERROR(stmt.Bind(4, outcome.rows_written));
  PARETO_RETURN_IF_ERROR(stmt.Bind(5, outcome.delta_version));
  PARETO_RETURN_IF_ERROR(stmt.Bind(6, outcome.attempts));
  PARETO_RETURN_IF_ERROR(stmt.Bind(7, outcome.worker));
  PARETO_RETURN_IF_ERROR(stmt.Bind(8, outcome.rows_read));
  PARETO_RETURN_IF_ERROR(stmt.Bind(9, outcome.versions_read));
  PARETO_RETURN_IF_ERROR(stmt.Bind(10, outcome.fingerprint));
  PARETO_RETURN_IF_ERROR(stmt.Bind(11, task_run_id));
  PARETO_RETURN_IF_ERROR(stmt.Run());
  return FinishRow(ms, "task_runs", task_run_id, "task run");
}

StatusOr<std::vector<TaskRun>> ListTaskRuns(Metastore& ms, int64_t run_id) {
  PARETO_ASSIGN_OR_RETURN(
      sqlite::Statement stmt,
      MetastoreAccess::Db(ms).Prepare("SELECT " + std::string(kTaskColumns) + " FROM task_runs WHERE run_id = ? ORDER BY id"));
  PARETO_RETURN_IF_ERROR(stmt.Bind(1, run_id));
  return ReadAll<TaskRun>(stmt, ReadTask);
}

StatusOr<std::optional<std::string>> LastTaskFingerprint(Metastore& ms, std::string_view task) {
  PARETO_ASSIGN_OR_RETURN(sqlite::Statement stmt,
                          MetastoreAccess::Db(ms).Prepare("SELECT fingerprint FROM task_runs WHERE task = ? AND "
                                                          "fingerprint IS NOT NULL ORDER BY id DESC LIMIT 1"));
  PARETO_RETURN_IF_ERROR(stmt.Bind(1, task));
  PARETO_ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return std::optional<std::string>();
  return stmt.ColumnOptionalText(0);
}

Status RecordExpectationResult(Metastore& ms, const ExpectationResult& result) {
  PARETO_ASSIGN_OR_RETURN(sqlite::Statement stmt, MetastoreAccess::Db(ms).Prepare(R"sql(
INSERT INTO expectation_results(run_id, table_name, expectation, action, passed_rows, failed_rows, recorded_ms)
VALUES (?, ?, ?, ?, ?, ?, ?))sql"));
  PARETO_RETURN_IF_ERROR(stmt.Bind(1, result.run_id));
  PARETO_RETURN_IF_ERROR(stmt.Bind(2, result.table));
  PARETO_RETURN_IF_ERROR(stmt.Bind(3, result.expectation));
  PARETO_RETURN_IF_ERROR(stmt.Bind(4, ExpectationActionName(result.action)));
  PARETO_RETURN_IF_ERROR(stmt.Bind(5, result.passed_rows));
  PARETO_RETURN_IF_ERROR(stmt.Bind(6, result.failed_rows));
  PARETO_RETURN_IF_ERROR(stmt.Bind(7, result.recorded_ms > 0 ? result.recorded_ms : ms.NowMs()));
  Status inserted = stmt.Run();
  if (inserted.code() == StatusCode::kAlreadyExists && result.run_id.has_value()) {
    return NotFound("pipeline run " + std::to_string(*result.run_id) + " does not exist");
  }
  return inserted;
}

StatusOr<std::vector<ExpectationResult>> ListExpectationResults(Metastore& ms, int64_t run_id) {
  PARETO_ASSIGN_OR_RETURN(sqlite::Statement stmt,
                          MetastoreAccess::Db(ms).Prepare("SELECT " + std::string(kExpectationColumns) +
                                          " FROM expectation_results WHERE run_id = ? ORDER BY id"));
  PARETO_RETURN_IF_ERROR(stmt.Bind(1, run_id));
  return ReadAll<ExpectationResult>(stmt, ReadExpectation);
}

StatusOr<std::vector<ExpectationResult>> ListExpectationResultsForTable(Metastore& ms, std::string_view table,
                                                                        int limit) {
  PARETO_ASSIGN_OR_RETURN(sqlite::Statement stmt,
                          MetastoreAccess::Db(ms).Prepare("SELECT " + std::string(kExpectationColumns) +
                                          " FROM expectation_results WHERE table_name = ? "
                                          "ORDER BY recorded_ms DESC, id DESC LIMIT ?"));
  PARETO_RETURN_IF_ERROR(stmt.Bind(1, table));
  PARETO_RETURN_IF_ERROR(stmt.Bind(2, limit));
  return ReadAll<ExpectationResult>(stmt, ReadExpectation);
}

StatusOr<std::vector<ExpectationResult>> LatestExpectationResults(Metastore& ms) {
  PARETO_ASSIGN_OR_RETURN(std::vector<TableInfo> tables, ms.ListTables());
  std::vector<ExpectationResult> out;
  for (const TableInfo& t : tables) {
    PARETO_ASSIGN_OR_RETURN(auto history, ListExpectationResultsForTable(ms, t.FullName(), 200));
    if (history.empty()) continue;
    std::vector<ExpectationResult> latest;
    for (const ExpectationResult& r : history) {
      if (r.run_id == history.front().run_id) latest.push_back(r);
    }
    out.insert(out.end(), latest.rbegin(), latest.rend());  // newest first -> declaration order
  }
  return out;
}

}  // namespace pareto::catalog
