#include "pipeline/runner.h"

#include <openssl/evp.h>

#include <fmt/format.h>

#include <unistd.h>

#include <atomic>
#include <map>
#include <mutex>
#include <set>

#include "catalog/lakehouse.h"
#include "catalog/lineage.h"
#include "catalog/runs.h"
#include "catalog/writer_lock.h"
#include "delta/table.h"
#include "pipeline/column_lineage.h"
#include "pipeline/executor.h"
#include "pipeline/incremental.h"
#include "pipeline/model_build.h"
#include "pipeline/sql_parse.h"
#include "pipeline/task_graph.h"

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

// What one worker thread owns: its own metastore connection (SQLite: one per
// thread) and its own SQL session (a DuckDB connection belongs to one thread),
// opened at the worker's first task.
struct Worker {
  std::optional<catalog::Lakehouse> lakehouse;
  std::optional<catalog::SqlSession> session;
  // The version of each table of the run this session's view reads, as last
  // attached: a view already at the version the run wrote is not attached again.
  std::map<std::string, int64_t> view_versions;
};

class Runner {
 public:
  Runner(const RunOptions& options, Env* env, Project project, catalog::Lakehouse lakehouse,
         catalog::WriterLock& lock)
      : options_(options), env_(env), project_(std::move(project)), lakehouse_(std::move(lakehouse)),
        ms_(lakehouse_.metastore()), lock_(lock), horizon_(std::to_string(HorizonDays(project_))) {}

  StatusOr<RunReport> Run() {
    const int64_t start = NowMs();
    PARETO_ASSIGN_OR_RETURN(report_.run_id, catalog::StartPipelineRun(ms_, project_.catalog, options_.triggered_by));
    if (const auto& dead = lock_.took_over()) {
      report_.lock_note = "took over the writer lock of " + dead->Describe() + ", which ended without releasing it";
    }
    Status status = lock_.SetRun(report_.run_id);
    if (status.ok()) status = RunTasks();
    report_.duration_ms = NowMs() - start;
    const bool ok = status.ok() && report_.ok();
    std::string message = status.ok() ? (ok ? Summary() : report_.first_failure) : status.message();
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

  // The graph is built before anything runs: an invalid project builds nothing.
  Status PlanTasks() {
    std::set<std::string> inputs;
    std::vector<std::string> ingest_tables;
    if (!options_.source_dir.empty()) {
      for (const ingest::SourceSpec& s : project_.sources) ingest_tables.push_back(s.table);
    }
    for (const std::string& t : ingest_tables) inputs.insert("bronze." + t);
    PARETO_ASSIGN_OR_RETURN(auto bronze, ms_.ListTables(project_.catalog, "bronze"));
    for (const catalog::TableInfo& t : bronze) inputs.insert("bronze." + t.name);
    // Parsing needs a DuckDB connection, not the lakehouse's views.
    PARETO_ASSIGN_OR_RETURN(duck::Database db, duck::Database::Open());
    PARETO_ASSIGN_OR_RETURN(duck::Connection conn, db.Connect());
    PARETO_ASSIGN_OR_RETURN(Graph graph, BuildGraph(conn, project_, inputs));
    graph_.emplace(std::move(graph));
    std::vector<PostTaskSpec> post;
    for (const PostTask& t : options_.post_tasks) post.push_back({t.name, t.depends_on});
    PARETO_ASSIGN_OR_RETURN(TaskGraph tasks, TaskGraph::Build(*graph_, ingest_tables, post));
    tasks_.emplace(std::move(tasks));
    if (!options_.select.empty()) {
      PARETO_ASSIGN_OR_RETURN(TaskGraph selected, tasks_->Select(options_.select));
      tasks_.emplace(std::move(selected));
    }
    if (options_.resume_run > 0) {
      PARETO_ASSIGN_OR_RETURN(auto resumed, catalog::GetPipelineRun(ms_, options_.resume_run));
      if (!resumed) return NotFound(fmt::format("run {} does not exist (pareto runs lists them)", options_.resume_run));
      PARETO_ASSIGN_OR_RETURN(auto done_runs, catalog::ListTaskRuns(ms_, options_.resume_run));
      std::set<std::string> done;  // as the task runs name them
      for (const catalog::TaskRun& t : done_runs) {
        const bool current = t.status == catalog::RunStatus::kSkipped && t.message == TaskStateName(TaskState::kUpToDate);
        if (t.status == catalog::RunStatus::kSucceeded || current) done.insert(t.task);
      }
      std::set<std::string> rest;
      for (const TaskNode& t : tasks_->tasks()) {
        if (!done.contains(RecordName(t.name))) rest.insert(t.name);
      }
      tasks_.emplace(tasks_->Subset(rest));
    }
    return OkStatus();
  }

  Status RunTasks() {
    PARETO_RETURN_IF_ERROR(PlanTasks());
    const int jobs = options_.jobs > 0 ? options_.jobs : DefaultWorkers();
    workers_.resize(static_cast<size_t>(std::max(1, jobs)));
    conns_ = std::vector<std::atomic<duck::Connection*>>(workers_.size());
    ExecutorOptions exec{.workers = jobs, .task_timeout_ms = options_.task_timeout_ms};
    // Past the timeout: the worker's running query stops (DuckDB's interrupt is
    // safe from another thread); the task then fails with the timeout as cause.
    exec.on_retry = [this](const std::string& task, int attempt, const Status& error) {
      if (options_.on_task_retry) options_.on_task_retry(task, attempt, error.message());
    };
    exec.on_timeout = [this](const std::string&, int w) {
      if (duck::Connection* conn = conns_[static_cast<size_t>(w)].load()) conn->Interrupt();
    };
    exec.on_started = [this](const std::string& task, int) {
      if (options_.on_task_started) options_.on_task_started(task);
    };
    // Reports in the order tasks end (the executor calls this one at a time).
    exec.on_finished = [this](const TaskExecution& e) {
      TaskReport r = Compose(e);
      if (options_.on_task_finished) options_.on_task_finished(r);
      report_.tasks.push_back(std::move(r));
    };
    ExecutionReport executed = Execute(*tasks_, [this](const TaskNode& task, int w) { return RunTask(task, w); },
                                       exec, env_);
    // Nothing ran for a skipped task: it is recorded here, on the runner's thread.
    for (const TaskReport& r : report_.tasks) {
      if (r.state != TaskState::kSkipped) continue;
      PARETO_ASSIGN_OR_RETURN(int64_t id, catalog::StartTaskRun(ms_, report_.run_id, RecordName(r.task)));
      PARETO_RETURN_IF_ERROR(
          catalog::FinishTaskRun(ms_, id, {.status = catalog::RunStatus::kSkipped, .message = r.message}));
    }
    report_.first_failure = executed.first_failure;
    if (!ingest_reports_.empty()) {
      ingest::IngestReport total;
      for (const TaskNode& t : tasks_->tasks()) {
        auto it = ingest_reports_.find(t.name);
        if (it == ingest_reports_.end()) continue;
        for (ingest::SourceReport& s : it->second.sources) total.sources.push_back(std::move(s));
        total.rows_landed += it->second.rows_landed;
        total.rows_quarantined += it->second.rows_quarantined;
        total.files_ingested += it->second.files_ingested;
        total.files_skipped += it->second.files_skipped;
      }
      report_.ingest = std::move(total);
    }
    return OkStatus();
  }

  // The report of a task that ended: what its last attempt kept, with the
  // executor's account of attempts and times.
  TaskReport Compose(const TaskExecution& e) {
    TaskReport r;
    {
      std::lock_guard lock(mu_);
      auto it = reports_.find(e.task);
      if (it != reports_.end()) r = std::move(it->second);
    }
    r.task = e.task;
    r.attempts = e.attempts;
    r.worker = e.worker;
    r.started_ms = e.started_us / 1000;
    r.ended_ms = e.ended_us / 1000;
    if (e.state == ExecState::kSkipped) {
      r.state = TaskState::kSkipped;
      r.message = e.error.message();
    } else if (e.state == ExecState::kFailed) {
      r.state = TaskState::kFailed;
      r.message = e.error.message();
    }
    return r;
  }

  // Models are recorded under their full name, ingest and post tasks as named.
  std::string RecordName(const std::string& task) const {
    const TaskNode* node = tasks_->Find(task);
    return node != nullptr && node->kind == TaskKind::kModel ? FullName(task) : task;
  }

  // One attempt of one task on worker `w`. The TaskReport is kept for the run's
  // report; the returned error fails the attempt (the executor may retry it).
  Status RunTask(const TaskNode& task, int w) {
    Worker& worker = workers_[static_cast<size_t>(w)];
    const int64_t start = NowMs();
    if (!worker.lakehouse) {
      PARETO_ASSIGN_OR_RETURN(catalog::Lakehouse lakehouse, catalog::Lakehouse::Open(options_.lakehouse_root, env_));
      worker.lakehouse.emplace(std::move(lakehouse));
    }
    catalog::Metastore& ms = worker.lakehouse->metastore();
    int64_t task_run = 0;
    {
      std::lock_guard lock(mu_);
      task_run = task_runs_[task.name];
    }
    if (task_run == 0) {
      PARETO_ASSIGN_OR_RETURN(task_run, catalog::StartTaskRun(ms, report_.run_id, RecordName(task.name)));
      std::lock_guard lock(mu_);
      task_runs_[task.name] = task_run;
    }
    TaskReport r{.task = task.name};
    Status status = [&]() -> Status {
      switch (task.kind) {
        case TaskKind::kIngest: return RunIngest(task, worker, r);
        case TaskKind::kModel: return BuildModel(task, worker, r);
        case TaskKind::kPost: return RunPostTask(task, worker, r);
      }
      return Internal("unknown task kind");
    }();
    // Past its timeout the interrupted step's error is not the cause: the timeout is.
    if (TaskCancelled()) status = TaskTimeoutError(task.name, options_.task_timeout_ms);
    if (task.kind == TaskKind::kModel && worker.session) {
      worker.session->connection().Execute("DROP TABLE IF EXISTS " + std::string(kResultTable)).IgnoreError();
    }
    r.duration_ms = NowMs() - start;
    if (!status.ok()) {
      r.state = TaskState::kFailed;
      r.message = status.message();
    }
    catalog::TaskOutcome outcome{.status = ToRunStatus(r.state), .message = r.message};
    if (r.state == TaskState::kBuilt) outcome.rows_written = r.rows_written;
    if (r.delta_version >= 0) outcome.delta_version = r.delta_version;
    outcome.worker = w;
    if (r.rows_read >= 0) outcome.rows_read = r.rows_read;
    {
      std::lock_guard lock(mu_);
      outcome.attempts = ++attempts_[task.name];
    }
    if (!r.versions_read.empty()) {
      nlohmann::json read = nlohmann::json::object();
      for (const auto& [table, version] : r.versions_read) read[table] = version;
      outcome.versions_read = read.dump();
    }
    if (status.ok() && !r.fingerprint.empty()) outcome.fingerprint = r.fingerprint;
    Status recorded = catalog::FinishTaskRun(ms, task_run, outcome);
    {
      std::lock_guard lock(mu_);
      // A retried attempt records again: the task run was finished by the failed one.
      if (!status.ok()) task_runs_.erase(task.name);
      reports_[task.name] = std::move(r);
    }
    PARETO_RETURN_IF_ERROR(status);
    return recorded;
  }

  // The worker's session, opened at its first use, with the current version of
  // every table `tables` names: another worker may have published it since.
  StatusOr<catalog::SqlSession*> SessionWith(Worker& worker, const std::vector<std::string>& tables) {
    if (!worker.session) {
      PARETO_ASSIGN_OR_RETURN(catalog::SqlSession session,
                              worker.lakehouse->OpenSession({.read_only = false, .default_catalog = project_.catalog}));
      worker.session.emplace(std::move(session));
      conns_[static_cast<size_t>(&worker - workers_.data())].store(&worker.session->connection());
      // A spill folder of the worker's own: two DuckDB instances spilling into one
      // folder overwrite each other's files (see duck::DatabaseOptions::temp_directory).
      // DuckDB makes the folder itself at its first spill, but not its parent.
      const std::string spill_root = options_.lakehouse_root + "/_meta/tmp";
      PARETO_RETURN_IF_ERROR(env_->CreateDirs(spill_root));
      const std::string spill = fmt::format("{}/run-{}-worker-{}", spill_root, ::getpid(), &worker - workers_.data());
      PARETO_RETURN_IF_ERROR(worker.session->connection().Execute(
          fmt::format("SET memory_limit = {}; SET temp_directory = {}; SET allocator_background_threads = true",
                      duck::QuoteLiteral(MemoryLimit()), duck::QuoteLiteral(spill))));
      PARETO_RETURN_IF_ERROR(PrepareModelSession(worker.session->connection(), project_));
    }
    for (const std::string& t : tables) {
      if (tasks_->Find(t) == nullptr) continue;  // an input: unchanged during the run
      const std::optional<int64_t> written = WrittenVersion(t);
      auto seen = worker.view_versions.find(t);
      if (written && seen != worker.view_versions.end() && seen->second == *written) continue;
      PARETO_ASSIGN_OR_RETURN(auto info, worker.lakehouse->metastore().GetTable(FullName(t)));
      if (!info) continue;
      PARETO_RETURN_IF_ERROR(worker.session->Attach(*info));
      if (written) worker.view_versions[t] = *written;
    }
    return &*worker.session;
  }

  // The version a task of this run left table `t` at (built or up to date), once it ended.
  std::optional<int64_t> WrittenVersion(const std::string& t) {
    std::lock_guard lock(mu_);
    auto it = written_versions_.find(t);
    if (it == written_versions_.end()) return std::nullopt;
    return it->second;
  }
  void SetWrittenVersion(const std::string& t, int64_t version) {
    std::lock_guard lock(mu_);
    written_versions_[t] = version;
  }

  // Each worker's share of the memory a run may use (RunOptions::memory_limit).
  std::string MemoryLimit() const {
    if (!options_.memory_limit.empty()) return options_.memory_limit;
    const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    const int64_t total_mb = pages > 0 && page > 0 ? static_cast<int64_t>(pages) * page / (1024 * 1024) : 4096;
    const int64_t share = total_mb / 2 / static_cast<int64_t>(std::max<size_t>(1, workers_.size()));
    return fmt::format("{}MB", std::max<int64_t>(512, share));
  }

  Status RunIngest(const TaskNode& task, Worker& worker, TaskReport& r) {
    const std::string table = task.name.substr(task.name.find('.') + 1);
    ingest::IngestOptions io{.source_dir = options_.source_dir,
                             .sources = project_.Sources(),
                             .lakehouse_root = options_.lakehouse_root,
                             .only_tables = {table},
                             .strict = options_.strict};
    // Ingest reads CSV files through the worker's session (its temp tables are
    // dropped when a file is landed): no DuckDB is opened a source, the session's
    // memory limit and spill folder hold, and a timeout interrupts it too.
    PARETO_ASSIGN_OR_RETURN(catalog::SqlSession * session, SessionWith(worker, {}));
    PARETO_ASSIGN_OR_RETURN(ingest::IngestReport result,
                            ingest::Ingest(io, *worker.lakehouse, session->connection(), env_));
    r.state = TaskState::kBuilt;
    r.rows_written = result.rows_landed;
    r.rows_read = result.rows_landed + result.rows_quarantined;  // the new files' data rows
    for (const ingest::SourceReport& s : result.sources) r.delta_version = std::max(r.delta_version, s.delta_version);
    r.message = fmt::format("{} files ingested, {} already seen, {} rows landed, {} quarantined",
                            result.files_ingested, result.files_skipped, result.rows_landed, result.rows_quarantined);
    if (result.files_ingested == 0) r.state = TaskState::kUpToDate;
    if (r.delta_version >= 0) SetWrittenVersion(task.name, r.delta_version);
    for (const ingest::SourceReport& s : result.sources) {
      for (const ingest::FileReport& f : s.files) {
        for (const auto& [step, ms] : f.profile_ms) Add(r, step, ms * 1000);
      }
    }
    std::lock_guard lock(mu_);
    ingest_reports_[task.name] = std::move(result);
    return OkStatus();
  }

  Status BuildModel(const TaskNode& task, Worker& worker, TaskReport& r) {
    const Model& model = *project_.FindModel(task.name);
    const GraphNode& node = *graph_->Find(task.name);
    const int64_t start = NowUs();
    PARETO_ASSIGN_OR_RETURN(catalog::SqlSession * session, SessionWith(worker, node.upstream));
    Spend(r, "attach", start);
    PARETO_RETURN_IF_ERROR(Build(model, node, *session, *worker.lakehouse, FullName(task.name), r));
    // The session's view reads the version built (Build attached it) or left up to
    // date (unchanged since the session opened); other workers attach it when a
    // task of theirs reads it.
    if (r.delta_version >= 0) worker.view_versions[task.name] = r.delta_version;
    return OkStatus();
  }

  int64_t NowUs() const { return env_->NowMicros(); }
  // Adds the time since `since_us` (or `us` itself) to the profile's `step`.
  static void Add(TaskReport& r, std::string_view step, int64_t us) {
    for (auto& [name, ms] : r.profile_ms) {
      if (name == step) {
        ms += us / 1000;
        return;
      }
    }
    r.profile_ms.emplace_back(std::string(step), us / 1000);
  }
  void Spend(TaskReport& r, std::string_view step, int64_t since_us) const { Add(r, step, NowUs() - since_us); }

  // Builds one model; a returned error fails the task (not the run).
  Status Build(const Model& model, const GraphNode& node, catalog::SqlSession& session,
               catalog::Lakehouse& lakehouse, const std::string& full, TaskReport& r) {
    int64_t mark = NowUs();
    std::vector<std::pair<std::string, int64_t>> versions;
    for (const std::string& up : node.upstream) {
      auto v = session.VersionOf(up);
      if (!v) return NotFound("input " + up + " has no data yet");
      versions.emplace_back(up, *v);
    }
    const auto& expectations = project_.ExpectationsOf(model.QualifiedName());
    const std::string fingerprint = ModelFingerprint(model, expectations, versions, project_.timezone, horizon_);
    r.fingerprint = fingerprint;
    r.versions_read = versions;
    const catalog::TableName name = NameOf(model.QualifiedName());
    delta::Table table(lakehouse.TablePath(name), env_);
    if (!options_.full && table.Exists()) {
      PARETO_ASSIGN_OR_RETURN(auto history, table.History());
      if (!history.empty() && history.front().operation_parameters.value("fingerprint", "") == fingerprint) {
        r.state = TaskState::kUpToDate;
        r.message = "up to date";
        r.delta_version = history.front().version;
        SetWrittenVersion(model.QualifiedName(), r.delta_version);
        return OkStatus();
      }
    }

    // A model declared incremental may be built from its input's new rows alone
    // (incremental.h): its SQL then runs in a DuckDB of its own, where that input
    // is bound to them, and the result is merged on the unique key.
    auto key = project_.incremental.find(model.QualifiedName());
    const std::vector<std::string>* unique_key = key == project_.incremental.end() ? nullptr : &key->second;
    const std::string definition =
        IncrementalDefinition(ModelFingerprint(model, expectations, {}, project_.timezone, horizon_),
                              unique_key ? *unique_key : std::vector<std::string>{});
    auto input_root = [&](const std::string& input) { return lakehouse.TablePath(NameOf(input)); };
    PARETO_ASSIGN_OR_RETURN(IncrementalPlan plan,
                            PlanIncremental({.model = model, .unique_key = unique_key, .definition = definition,
                                             .versions = versions, .full_refresh = options_.full,
                                             .table_root = lakehouse.TablePath(name), .input_root = input_root,
                                             .env = env_}));
    std::optional<BatchSession> batch;
    if (plan.batch) {
      PARETO_ASSIGN_OR_RETURN(BatchSession opened, BatchSession::Open(project_, *plan.batch, versions, input_root, env_));
      batch.emplace(std::move(opened));
    }

    catalog::Metastore& ms = lakehouse.metastore();
    duck::Connection& conn = batch ? batch->connection() : session.connection();
    // Rows in, for the run history: Parquet keeps the counts, so this reads no data.
    r.rows_read = 0;
    for (const std::string& up : node.upstream) {
      PARETO_ASSIGN_OR_RETURN(int64_t n, conn.QueryInt64("SELECT count(*) FROM " + up));
      r.rows_read += n;
    }
    Spend(r, "plan", mark);
    PARETO_ASSIGN_OR_RETURN(ModelResult result, BuildModelResult(conn, model, expectations));
    Add(r, "compute", result.compute_ms * 1000);
    Add(r, "expectations", result.expectations_ms * 1000);
    const std::vector<std::string>& columns = result.columns;
    const ExpectationOutcome& checked = result.checked;
    mark = NowUs();
    for (const ExpectationCount& c : checked.counts) {
      PARETO_RETURN_IF_ERROR(catalog::RecordExpectationResult(
          ms, {.run_id = report_.run_id, .table = full, .expectation = c.expectation.name,
               .action = c.expectation.action, .passed_rows = c.passed, .failed_rows = c.failed}));
    }
    const int64_t expectation_rows_us = NowUs() - mark;
    r.expectations = checked.counts;
    r.dropped_rows = checked.dropped_rows;
    PARETO_RETURN_IF_ERROR(ModelFailure(full, result));

    std::vector<std::string> upstream;
    for (const std::string& up : node.upstream) upstream.push_back(FullName(up));
    nlohmann::json parameters = IncrementalParameters(definition, versions);
    parameters["fingerprint"] = fingerprint;
    parameters["model"] = model.layer + "/" + model.name + ".sql";
    mark = NowUs();
    std::vector<catalog::ColumnEdge> column_lineage = ColumnEdges(model, node, columns, session);
    Spend(r, "lineage", mark);
    mark = NowUs();
    PARETO_ASSIGN_OR_RETURN(
        delta::CommitResult commit,
        lakehouse.Publish(conn, {.name = name,
                                 .select_sql = checked.keep_sql,
                                 .mode = batch ? catalog::WriteMode::kMerge : catalog::WriteMode::kOverwrite,
                                 .comment = model.comment,
                                 .upstream = std::move(upstream),
                                 .column_lineage = std::move(column_lineage),
                                 .operation = batch ? "MERGE" : "CREATE OR REPLACE TABLE AS SELECT",
                                 .operation_parameters = std::move(parameters),
                                 // Keys whose new version the expectations dropped go too.
                                 .merge_keys = unique_key ? *unique_key : std::vector<std::string>{},
                                 .merge_delete_keys_sql =
                                     unique_key ? KeysOf(*unique_key, kResultTable) : std::string()}));
    {
      const int64_t publish_us = NowUs() - mark;
      const delta::WriteProfile& p = commit.profile;
      Add(r, "materialize", p.materialize_us);
      Add(r, "parquet", p.parquet_us);
      Add(r, "stats", p.stats_us);
      Add(r, "log", p.log_us);
      Add(r, "metastore",
          expectation_rows_us + std::max<int64_t>(0, publish_us - p.materialize_us - p.parquet_us - p.stats_us - p.log_us));
    }
    mark = NowUs();
    PARETO_RETURN_IF_ERROR(session.Attach({.catalog = name.catalog,
                                           .schema = name.schema,
                                           .name = name.table,
                                           .location = name.Location(),
                                           .comment = model.comment}));
    Spend(r, "attach", mark);
    SetWrittenVersion(model.QualifiedName(), commit.version);

    r.state = TaskState::kBuilt;
    r.rows_written = batch ? commit.rows_inserted + commit.rows_updated : commit.rows_written;
    r.delta_version = commit.version;
    const std::string dropped =
        checked.dropped_rows ? fmt::format(" ({} dropped by expectations)", checked.dropped_rows) : "";
    r.message = (batch ? MergeSummary(*plan.batch, commit) : fmt::format("{} rows", r.rows_written)) + dropped;
    if (!plan.reason.empty()) r.message += "; full rebuild: " + plan.reason;
    return OkStatus();
  }

  // Column lineage of the model as metastore edges. When the SQL holds something
  // the analyzer does not follow, every column may come from every input column.
  std::vector<catalog::ColumnEdge> ColumnEdges(const Model& model, const GraphNode& node,
                                               const std::vector<std::string>& columns, catalog::SqlSession& session) {
    SchemaLookup schema = [&session](const std::string& t) { return session.ColumnsOf(t); };
    std::vector<OutputColumn> lineage;
    auto tree = ParseQuery(session.connection(), model.sql);
    auto computed = tree ? ComputeColumnLineage(*tree, schema) : std::unexpected(tree.error());
    if (computed) {
      lineage = AlignToOutput(std::move(*computed), columns);
    } else {
      std::set<ColumnName> all;
      for (const std::string& up : node.upstream) {
        for (const std::string& c : session.ColumnsOf(up).value_or(std::vector<std::string>{"*"})) {
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

  Status RunPostTask(const TaskNode& node, Worker& worker, TaskReport& r) {
    const PostTask* task = nullptr;
    for (const PostTask& t : options_.post_tasks) {
      if (t.name == node.name) task = &t;
    }
    if (task == nullptr) return Internal("no post task " + node.name);
    PARETO_ASSIGN_OR_RETURN(catalog::SqlSession * session, SessionWith(worker, task->depends_on));
    TaskContext ctx{project_, *graph_, *worker.lakehouse, worker.lakehouse->metastore(), session->connection(),
                    report_.run_id, env_};
    for (const std::string& dep : task->depends_on) {
      if (auto v = session->VersionOf(dep)) r.versions_read.emplace_back(dep, *v);
    }
    if (task->fingerprint) {
      PARETO_ASSIGN_OR_RETURN(r.fingerprint, task->fingerprint(ctx));
      PARETO_ASSIGN_OR_RETURN(auto last, catalog::LastTaskFingerprint(ctx.metastore, task->name));
      if (!options_.full && last == r.fingerprint) {
        r.state = TaskState::kUpToDate;
        r.message = "up to date";
        return OkStatus();
      }
    }
    PARETO_ASSIGN_OR_RETURN(std::string summary, task->run(ctx));
    r.state = TaskState::kBuilt;
    r.message = std::move(summary);
    return OkStatus();
  }

  const RunOptions& options_;
  Env* env_;
  Project project_;
  catalog::Lakehouse lakehouse_;  // the runner's thread's: run records, skipped tasks
  catalog::Metastore& ms_;        // lakehouse_'s
  catalog::WriterLock& lock_;
  const std::string horizon_;  // HorizonDays, for the fingerprints of models reading it
  std::optional<Graph> graph_;
  std::optional<TaskGraph> tasks_;
  std::vector<Worker> workers_;  // one a worker thread, each touched only by its thread
  std::vector<std::atomic<duck::Connection*>> conns_;  // each worker's session's, for the timeout's interrupt
  RunReport report_;

  std::mutex mu_;  // guards what follows, written by the worker threads
  std::map<std::string, TaskReport> reports_;
  std::map<std::string, int64_t> task_runs_;  // the open task run of each task
  std::map<std::string, int> attempts_;
  std::map<std::string, ingest::IngestReport> ingest_reports_;
  std::map<std::string, int64_t> written_versions_;  // table (as the graph names it) -> version
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
                             std::string_view time_zone, std::string_view horizon_days) {
  // Length-prefixed fields (HashFields), so no two different inputs serialize the same way.
  std::vector<std::string> fields = {"pareto-model-v1", model.QualifiedName(), model.sql};
  for (const Expectation& e : expectations) {
    fields.push_back(e.name);
    fields.push_back(e.condition);
    fields.emplace_back(ActionName(e.action));
  }
  auto sorted = input_versions;
  std::sort(sorted.begin(), sorted.end());
  for (const auto& [table, version] : sorted) {
    fields.push_back(table);
    fields.push_back(std::to_string(version));
  }
  if (!time_zone.empty()) {
    fields.emplace_back("timezone");
    fields.emplace_back(time_zone);
  }
  if (!horizon_days.empty() && model.sql.find(kHorizonVariable) != std::string::npos) {
    fields.emplace_back(kHorizonVariable);
    fields.emplace_back(horizon_days);
  }
  return HashFields(fields);
}

StatusOr<RunReport> RunPipeline(const RunOptions& options, Env* env) {
  PARETO_ASSIGN_OR_RETURN(Project project, LoadProject(options.project_dir, env));
  return RunPipeline(std::move(project), options, env);
}

StatusOr<RunReport> RunPipeline(Project project, const RunOptions& options, Env* env) {
  // One writer per lakehouse: a second run is refused (kConflict) before it
  // records or writes anything.
  PARETO_ASSIGN_OR_RETURN(
      catalog::WriterLock lock,
      options.wait_for_lock_ms == 0
          ? catalog::WriterLock::Acquire(options.lakehouse_root, env->NowMicros() / 1000)
          : catalog::WriterLock::AcquireWaiting(options.lakehouse_root, env, options.wait_for_lock_ms,
                                                [&options](const Status& held) {
                                                  if (options.on_lock_wait) options.on_lock_wait(held.message());
                                                }));
  PARETO_ASSIGN_OR_RETURN(catalog::Lakehouse lakehouse, catalog::Lakehouse::Open(options.lakehouse_root, env));
  Runner runner(options, env, std::move(project), std::move(lakehouse), lock);
  return runner.Run();
}

std::string HashFields(const std::vector<std::string>& fields) {
  std::string text;
  for (const std::string& f : fields) text += std::to_string(f.size()) + ":" + f;
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(text.data(), text.size(), digest, &size, EVP_sha256(), nullptr);
  std::string hex;
  for (unsigned int i = 0; i < size; ++i) hex += fmt::format("{:02x}", digest[i]);
  return hex;
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

namespace {
nlohmann::json ProfileJson(const TaskReport& t) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [step, ms] : t.profile_ms) out[step] = ms;
  return out;
}
}  // namespace

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
                     {"duration_ms", t.duration_ms}, {"dropped_rows", t.dropped_rows}, {"expectations", exp},
                     {"rows_read", t.rows_read}, {"profile_ms", ProfileJson(t)},
                     {"attempts", t.attempts}, {"worker", t.worker}, {"started_ms", t.started_ms},
                     {"ended_ms", t.ended_ms}});
  }
  nlohmann::json out = {{"run_id", report.run_id}, {"ok", report.ok()}, {"duration_ms", report.duration_ms},
                        {"first_failure", report.first_failure}, {"tasks", tasks}};
  if (report.ingest) out["ingest"] = ingest::ReportToJson(*report.ingest);
  return out;
}

}  // namespace pareto::pipeline
