#include "pipeline/runner.h"

#include <openssl/evp.h>

#include <fmt/format.h>

#include <set>

#include "catalog/lakehouse.h"
#include "catalog/lineage.h"
#include "catalog/runs.h"
#include "delta/table.h"
#include "pipeline/column_lineage.h"
#include "pipeline/model_build.h"
#include "pipeline/sql_parse.h"

namespace pareto::pipeline {
namespace {

constexpr std::string_view kResultTable = kModelResultTable;

catalog::RunStatus ToRunStatus(TaskState s) {
  switch (s) {
    case TaskState::kBuilt: return catalog::RunStatus::kSucceeded;
    case TaskState::kFailed: return catalog::RunStatus::kFailed;
    case TaskState::kUpToDate:
    case TaskState::kSkipped: return catalog::RunStatus::kSkipped;
  }
  return catalog::RunStatus::kFailed;
}

class Runner {
 public:
  Runner(const RunOptions& options, Env* env, Project project, catalog::Lakehouse lakehouse)
      : options_(options), env_(env), project_(std::move(project)), lakehouse_(std::move(lakehouse)),
        ms_(lakehouse_.metastore()) {}

  StatusOr<RunReport> Run() {
    const int64_t start = NowMs();
    PARETO_ASSIGN_OR_RETURN(report_.run_id, catalog::StartPipelineRun(ms_, project_.catalog, options_.triggered_by));
    Status status = RunTasks();
    report_.duration_ms = NowMs() - start;
    const bool ok = status.ok() && report_.ok();
    std::string message = status.ok() ? Summary() : status.message();
    Status finished = catalog::FinishPipelineRun(
        ms_, report_.run_id, ok ? catalog::RunStatus::kSucceeded : catalog::RunStatus::kFailed, message);
    PARETO_RETURN_IF_ERROR(status);
    PARETO_RETURN_IF_ERROR(finished);
    return std::move(report_);
  }

 private:
  int64_t NowMs() const { return env_->NowMicros() / 1000; }
  // "silver.slv_x" (as model SQL and the graph name tables) -> the project's table.
  // Model names ("silver.slv_orders") were checked when the project loaded.
  catalog::TableName NameOf(const std::string& qualified) const {
    return catalog::TableName::InCatalog(qualified, project_.catalog).value_or(catalog::TableName{"", "", qualified});
  }
  std::string FullName(const std::string& qualified) const { return NameOf(qualified).ToString(); }

  std::string Summary() const {
    int built = 0, current = 0, failed = 0, skipped = 0;
    for (const TaskReport& t : report_.tasks) {
      built += t.state == TaskState::kBuilt;
      current += t.state == TaskState::kUpToDate;
      failed += t.state == TaskState::kFailed;
      skipped += t.state == TaskState::kSkipped;
    }
    return fmt::format("{} built, {} up to date, {} failed, {} skipped", built, current, failed, skipped);
  }

  Status RunTasks() {
    if (!options_.source_dir.empty()) {
      PARETO_RETURN_IF_ERROR(RunIngest());
    }
    // The session opens after ingest, so its views read what ingest committed.
    PARETO_ASSIGN_OR_RETURN(catalog::SqlSession session,
                            lakehouse_.OpenSession({.read_only = false, .default_catalog = project_.catalog}));
    session_.emplace(std::move(session));
    PARETO_RETURN_IF_ERROR(PrepareModelSession(session_->connection(), project_));
    std::set<std::string> inputs;
    for (const catalog::TableName& t : session_->Attached()) {
      if (t.catalog == catalog::LowerIdentifier(project_.catalog) && t.schema == "bronze") inputs.insert(t.SchemaQualified());
    }
    PARETO_ASSIGN_OR_RETURN(Graph graph, BuildGraph(session_->connection(), project_, inputs));
    const bool ingest_failed = !failed_.empty();
    for (const std::string& name : graph.order()) {
      const Model& model = *project_.FindModel(name);
      std::string blocked;
      if (ingest_failed) blocked = "ingest";
      for (const std::string& up : graph.Find(name)->upstream) {
        if (failed_.contains(up)) blocked = up;
      }
      PARETO_RETURN_IF_ERROR(blocked.empty() ? BuildModel(model, graph)
                                             : Skip(name, FullName(name), "upstream " + blocked + " failed"));
    }
    for (const PostTask& task : options_.post_tasks) PARETO_RETURN_IF_ERROR(RunPostTask(task, graph));
    return OkStatus();
  }

  // Records a task that did not run because something it needs failed.
  Status Skip(const std::string& task, const std::string& record_name, const std::string& why) {
    failed_.insert(task);
    PARETO_ASSIGN_OR_RETURN(int64_t id, catalog::StartTaskRun(ms_, report_.run_id, record_name));
    TaskReport r{.task = task, .state = TaskState::kSkipped, .message = why};
    return Finish(id, std::move(r));
  }

  Status Finish(int64_t task_id, TaskReport r) {
    if (r.state == TaskState::kFailed || r.state == TaskState::kSkipped) failed_.insert(r.task);
    catalog::TaskOutcome outcome{.status = ToRunStatus(r.state), .message = r.message};
    if (r.state == TaskState::kBuilt) outcome.rows_written = r.rows_written;
    if (r.delta_version >= 0) outcome.delta_version = r.delta_version;
    PARETO_RETURN_IF_ERROR(catalog::FinishTaskRun(ms_, task_id, outcome));
    report_.tasks.push_back(std::move(r));
    if (options_.on_task_finished) options_.on_task_finished(report_.tasks.back());
    return OkStatus();
  }

  // `task` as the report names it; `record_name` as the metastore's task runs do.
  StatusOr<int64_t> Start(const std::string& task, const std::string& record_name) {
    if (options_.on_task_started) options_.on_task_started(task);
    return catalog::StartTaskRun(ms_, report_.run_id, record_name);
  }

  Status RunIngest() {
    const int64_t start = NowMs();
    PARETO_ASSIGN_OR_RETURN(int64_t id, Start("ingest", "ingest"));
    ingest::IngestOptions io{.source_dir = options_.source_dir,
                             .sources = project_.Sources(),
                             .lakehouse_root = options_.lakehouse_root};
    // Ingest reads CSV files through a DuckDB of its own, dropped when it is done.
    auto result = [&]() -> StatusOr<ingest::IngestReport> {
      PARETO_ASSIGN_OR_RETURN(duck::Database db, duck::Database::Open());
      PARETO_ASSIGN_OR_RETURN(duck::Connection conn, db.Connect());
      return ingest::Ingest(io, lakehouse_, conn, env_);
    }();
    TaskReport r{.task = "ingest"};
    r.duration_ms = NowMs() - start;
    if (!result) {
      r.state = TaskState::kFailed;
      r.message = result.error().message();
    } else {
      r.rows_written = result->rows_landed;
      r.message = fmt::format("{} files ingested, {} already seen, {} rows landed, {} quarantined",
                              result->files_ingested, result->files_skipped, result->rows_landed,
                              result->rows_quarantined);
      report_.ingest = std::move(*result);
    }
    return Finish(id, std::move(r));
  }

  Status BuildModel(const Model& model, const Graph& graph) {
    const int64_t start = NowMs();
    const std::string qualified = model.QualifiedName();
    const std::string full = FullName(qualified);
    PARETO_ASSIGN_OR_RETURN(int64_t id, Start(qualified, full));
    TaskReport r{.task = qualified};
    Status built = Build(model, graph, full, r);
    if (!built.ok()) {
      r.state = TaskState::kFailed;
      r.message = built.message();
    }
    session_->connection().Execute("DROP TABLE IF EXISTS " + std::string(kResultTable)).IgnoreError();
    r.duration_ms = NowMs() - start;
    return Finish(id, std::move(r));
  }

  // Builds one model; a returned error fails the task (not the run).
  Status Build(const Model& model, const Graph& graph, const std::string& full, TaskReport& r) {
    const GraphNode& node = *graph.Find(model.QualifiedName());
    std::vector<std::pair<std::string, int64_t>> versions;
    for (const std::string& up : node.upstream) {
      auto v = session_->VersionOf(up);
      if (!v) return NotFound("input " + up + " has no data yet");
      versions.emplace_back(up, *v);
    }
    const auto& expectations = project_.ExpectationsOf(model.QualifiedName());
    const std::string fingerprint = ModelFingerprint(model, expectations, versions, project_.timezone);
    const catalog::TableName name = NameOf(model.QualifiedName());
    delta::Table table(lakehouse_.TablePath(name), env_);
    if (!options_.full && table.Exists()) {
      PARETO_ASSIGN_OR_RETURN(auto history, table.History());
      if (!history.empty() && history.front().operation_parameters.value("fingerprint", "") == fingerprint) {
        r.state = TaskState::kUpToDate;
        r.message = "up to date";
        r.delta_version = history.front().version;
        return OkStatus();
      }
    }

    duck::Connection& conn = session_->connection();
    PARETO_ASSIGN_OR_RETURN(ModelResult result, BuildModelResult(conn, model, expectations));
    const std::vector<std::string>& columns = result.columns;
    const ExpectationOutcome& checked = result.checked;
    for (const ExpectationCount& c : checked.counts) {
      PARETO_RETURN_IF_ERROR(catalog::RecordExpectationResult(
          ms_, {.run_id = report_.run_id, .table = full, .expectation = c.expectation.name,
                .action = c.expectation.action, .passed_rows = c.passed, .failed_rows = c.failed}));
    }
    r.expectations = checked.counts;
    r.dropped_rows = checked.dropped_rows;
    PARETO_RETURN_IF_ERROR(ModelFailure(full, result));

    std::vector<std::string> upstream;
    for (const std::string& up : node.upstream) upstream.push_back(FullName(up));
    PARETO_ASSIGN_OR_RETURN(
        delta::CommitResult commit,
        lakehouse_.Publish(conn, {.name = name,
                                  .select_sql = checked.keep_sql,
                                  .comment = model.comment,
                                  .upstream = std::move(upstream),
                                  .column_lineage = ColumnEdges(model, node, columns),
                                  .operation = "CREATE OR REPLACE TABLE AS SELECT",
                                  .operation_parameters = {{"fingerprint", fingerprint},
                                                           {"model", model.layer + "/" + model.name + ".sql"}}}));
    PARETO_RETURN_IF_ERROR(session_->Attach({.catalog = name.catalog,
                                             .schema = name.schema,
                                             .name = name.table,
                                             .location = name.Location(),
                                             .comment = model.comment}));

    r.state = TaskState::kBuilt;
    r.rows_written = commit.rows_written;
    r.delta_version = commit.version;
    r.message = fmt::format("{} rows", commit.rows_written) +
                (checked.dropped_rows ? fmt::format(" ({} dropped by expectations)", checked.dropped_rows) : "");
    return OkStatus();
  }

  // Column lineage of the model as metastore edges. When the SQL holds something
  // the analyzer does not follow, every column may come from every input column.
  std::vector<catalog::ColumnEdge> ColumnEdges(const Model& model, const GraphNode& node,
                                               const std::vector<std::string>& columns) {
    SchemaLookup schema = [this](const std::string& t) { return session_->ColumnsOf(t); };
    std::vector<OutputColumn> lineage;
    auto tree = ParseQuery(session_->connection(), model.sql);
    auto computed = tree ? ComputeColumnLineage(*tree, schema) : std::unexpected(tree.error());
    if (computed) {
      lineage = AlignToOutput(std::move(*computed), columns);
    } else {
      std::set<ColumnName> all;
      for (const std::string& up : node.upstream) {
        for (const std::string& c : session_->ColumnsOf(up).value_or(std::vector<std::string>{"*"})) {
          all.insert({up, c});
        }
      }
      for (const std::string& c : columns) lineage.push_back({c, all});
    }
    std::vector<catalog::ColumnEdge> edges;
    for (const OutputColumn& col : lineage) {
      for (const ColumnName& src : col.sources) {
        edges.push_back({col.name, {FullName(src.table), src.column}});
      }
    }
    return edges;
  }

  Status RunPostTask(const PostTask& task, const Graph& graph) {
    for (const std::string& dep : task.depends_on) {
      if (failed_.contains(dep)) return Skip(task.name, task.name, "upstream " + dep + " failed");
    }
    const int64_t start = NowMs();
    PARETO_ASSIGN_OR_RETURN(int64_t id, Start(task.name, task.name));
    TaskContext ctx{project_, graph, lakehouse_, ms_, session_->connection(), report_.run_id, env_};
    auto result = task.run(ctx);
    TaskReport r{.task = task.name};
    if (result) {
      r.message = *result;
    } else {
      r.state = TaskState::kFailed;
      r.message = result.error().message();
    }
    r.duration_ms = NowMs() - start;
    return Finish(id, std::move(r));
  }

  const RunOptions& options_;
  Env* env_;
  Project project_;
  catalog::Lakehouse lakehouse_;
  catalog::Metastore& ms_;  // lakehouse_'s
  std::optional<catalog::SqlSession> session_;  // open once ingest is done
  RunReport report_;
  std::set<std::string> failed_;  // tasks that failed or were skipped because of a failure
};

}  // namespace

std::string_view TaskStateName(TaskState state) {
  switch (state) {
    case TaskState::kBuilt: return "built";
    case TaskState::kUpToDate: return "up to date";
    case TaskState::kFailed: return "failed";
    case TaskState::kSkipped: return "skipped";
  }
  return "failed";
}

bool RunReport::ok() const {
  for (const TaskReport& t : tasks) {
    if (t.state == TaskState::kFailed || t.state == TaskState::kSkipped) return false;
  }
  return true;
}

const TaskReport* RunReport::Find(std::string_view task) const {
  for (const TaskReport& t : tasks) {
    if (t.task == task) return &t;
  }
  return nullptr;
}

std::string ModelFingerprint(const Model& model, const std::vector<Expectation>& expectations,
                             const std::vector<std::pair<std::string, int64_t>>& input_versions,
                             std::string_view time_zone) {
  // Length-prefixed fields, so no two different inputs serialize the same way.
  std::string text;
  auto add = [&text](std::string_view field) {
    text += std::to_string(field.size());
    text += ':';
    text += field;
  };
  add("pareto-model-v1");
  add(model.QualifiedName());
  add(model.sql);
  for (const Expectation& e : expectations) {
    add(e.name);
    add(e.condition);
    add(ActionName(e.action));
  }
  auto sorted = input_versions;
  std::sort(sorted.begin(), sorted.end());
  for (const auto& [table, version] : sorted) {
    add(table);
    add(std::to_string(version));
  }
  if (!time_zone.empty()) {
    add("timezone");
    add(time_zone);
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(text.data(), text.size(), digest, &size, EVP_sha256(), nullptr);
  std::string hex;
  for (unsigned int i = 0; i < size; ++i) hex += fmt::format("{:02x}", digest[i]);
  return hex;
}

StatusOr<RunReport> RunPipeline(const RunOptions& options, Env* env) {
  PARETO_ASSIGN_OR_RETURN(Project project, LoadProject(options.project_dir, env));
  return RunPipeline(std::move(project), options, env);
}

StatusOr<RunReport> RunPipeline(Project project, const RunOptions& options, Env* env) {
  PARETO_ASSIGN_OR_RETURN(catalog::Lakehouse lakehouse, catalog::Lakehouse::Open(options.lakehouse_root, env));
  Runner runner(options, env, std::move(project), std::move(lakehouse));
  return runner.Run();
}

std::string FormatRunReport(const RunReport& report) {
  std::string out = fmt::format("{:<34} {:<10} {:>10} {:>8} {:>9}  {}\n", "task", "state", "rows", "version",
                                "ms", "message");
  for (const TaskReport& t : report.tasks) {
    out += fmt::format("{:<34} {:<10} {:>10} {:>8} {:>9}  {}\n", t.task, TaskStateName(t.state),
                       t.state == TaskState::kBuilt ? std::to_string(t.rows_written) : "-",
                       t.delta_version >= 0 ? std::to_string(t.delta_version) : "-", t.duration_ms, t.message);
  }
  out += fmt::format("run {} {} in {} ms\n", report.run_id, report.ok() ? "succeeded" : "FAILED", report.duration_ms);
  return out;
}

nlohmann::json RunReportToJson(const RunReport& report) {
  nlohmann::json tasks = nlohmann::json::array();
  for (const TaskReport& t : report.tasks) {
    nlohmann::json exp = nlohmann::json::array();
    for (const ExpectationCount& c : t.expectations) {
      exp.push_back({{"name", c.expectation.name}, {"action", ActionName(c.expectation.action)},
                     {"passed", c.passed}, {"failed", c.failed}});
    }
    tasks.push_back({{"task", t.task}, {"state", TaskStateName(t.state)}, {"message", t.message},
                     {"rows_written", t.rows_written}, {"delta_version", t.delta_version},
                     {"duration_ms", t.duration_ms}, {"dropped_rows", t.dropped_rows}, {"expectations", exp}});
  }
  nlohmann::json out = {{"run_id", report.run_id}, {"ok", report.ok()}, {"duration_ms", report.duration_ms},
                        {"tasks", tasks}};
  if (report.ingest) out["ingest"] = ingest::ReportToJson(*report.ingest);
  return out;
}

}  // namespace pareto::pipeline
