// `pareto run`, `pareto lineage`, `pareto quality`: the pipeline project's runtime
// (see pipeline/runner.h and docs/pipeline-project.md).
#include <fmt/format.h>

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <thread>

#include "catalog/column_policies.h"
#include "catalog/lakehouse.h"
#include "catalog/lineage.h"
#include "catalog/runs.h"
#include "cli/privileges.h"
#include "cli/progress_view.h"
#include "cli/registrars.h"
#include "ingest/source_spec.h"
#include "ml/pipeline_tasks.h"
#include "pipeline/duration.h"
#include "pipeline/graph.h"
#include "pipeline/runner.h"
#include "pipeline/task_graph.h"

namespace pareto::cli {
namespace {

// The project's graph: models from the SQL; bronze inputs from the project's
// sources and whatever the metastore already holds in bronze.
StatusOr<std::pair<pipeline::Project, pipeline::Graph>> LoadGraph(const CliContext& ctx) {
  PARETO_ASSIGN_OR_RETURN(pipeline::Project project, pipeline::LoadProject(ctx.ProjectDir(), ctx.env));
  std::set<std::string> inputs;
  for (const ingest::SourceSpec& s : project.sources) inputs.insert("bronze." + s.table);
  if (ctx.env->Exists(ctx.lakehouse + "/_meta/metastore.db")) {
    PARETO_ASSIGN_OR_RETURN(catalog::Lakehouse lakehouse, catalog::Lakehouse::Open(ctx.lakehouse, ctx.env));
    PARETO_ASSIGN_OR_RETURN(auto tables, lakehouse.metastore().ListTables(project.catalog, "bronze"));
    for (const catalog::TableInfo& t : tables) inputs.insert("bronze." + t.name);
  }
  PARETO_ASSIGN_OR_RETURN(duck::Database db, duck::Database::Open());
  PARETO_ASSIGN_OR_RETURN(duck::Connection conn, db.Connect());
  PARETO_ASSIGN_OR_RETURN(pipeline::Graph graph, pipeline::BuildGraph(conn, project, inputs));
  return std::make_pair(std::move(project), std::move(graph));
}

// A table of the pipeline graph named as people write names (catalog/table_name.h's
// rules, over the graph's tables, built or not) -> "gold.x", as the graph keys it.
StatusOr<std::string> InGraph(const pipeline::Graph& graph, std::string_view catalog, std::string_view name) {
  std::vector<catalog::TableInfo> tables;
  for (const auto& [qualified, node] : graph.nodes()) {
    auto parsed = catalog::TableName::Parse(qualified);
    if (!parsed.has_value()) continue;
    tables.push_back({.catalog = std::string(catalog), .schema = parsed->schema, .name = parsed->table});
  }
  PARETO_ASSIGN_OR_RETURN(catalog::TableInfo found, catalog::ResolveTableName(tables, name, catalog));
  return found.schema + "." + found.name;
}

int TerminalWidth() {
  winsize ws{};
  if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
  return 80;
}

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& s : items) out += (out.empty() ? "" : ", ") + s;
  return out.empty() ? "-" : out;
}

void RegisterRun(CLI::App& app, CliContext& ctx) {
  CLI::App* cmd = app.add_subcommand("run", "Ingest new source files, then build every silver and gold model in dependency order");
  auto source = std::make_shared<std::string>();
  auto full = std::make_shared<bool>(false);
  auto no_ml = std::make_shared<bool>(false);
  auto jobs = std::make_shared<int>(0);
  auto select = std::make_shared<std::vector<std::string>>();
  auto resume = std::make_shared<int64_t>(0);
  auto quiet = std::make_shared<bool>(false);
  auto strict = std::make_shared<bool>(false);
  auto task_timeout = std::make_shared<std::string>();
  auto wait_for_lock = std::make_shared<std::string>();
  cmd->add_option("--source", *source, "Folder of source CSV files to ingest first (default: skip ingest)");
  cmd->add_flag("--strict", *strict,
                "An ingest warning (a source with no file, an empty file, a folder named like a source) fails "
                "that source's ingest");
  cmd->add_flag("--full-refresh,--full", *full, "Rebuild every model, even those that are up to date");
  cmd->add_option("--jobs,-j", *jobs, "Tasks run at the same time (default: the machine's cores)")->check(CLI::NonNegativeNumber);
  cmd->add_option("--select,-s", *select,
                  "Only these tasks: gold.gld_rfm, gold.gld_rfm+ (and its descendants), +gold.gld_rfm (and its ancestors)");
  cmd->add_option("--resume", *resume, "Rerun only the tasks run RUN did not finish (failed or skipped)");
  cmd->add_flag("--no-ml", *no_ml, "Skip the ML tasks (train, score) that follow gold");
  cmd->add_flag("--quiet,-q", *quiet, "Only the final line (and errors): no progress, no table");
  cmd->add_option("--task-timeout", *task_timeout,
                  "Interrupt a task running longer (90s, 30m, 2h); default: pipeline.yaml's run.task_timeout");
  CLI::Option* wait = cmd->add_option("--wait-for-lock", *wait_for_lock,
                                      "When another writer holds the lakehouse, wait for it (up to DURATION, e.g. 10m; "
                                      "no value: as long as it takes) instead of exiting 75");
  wait->expected(0, 1);
  auto as = std::make_shared<std::string>();
  cmd->add_option("--as", *as, "Act as this user: refused (exit 77) unless they may MODIFY bronze, silver and gold");
  cmd->callback([&ctx, source, full, no_ml, jobs, select, resume, quiet, strict, task_timeout, wait_for_lock, wait, as] {
    ctx.action = [&ctx, source, full, no_ml, jobs, select, resume, quiet, strict, task_timeout, wait_for_lock, as,
                  waits = wait->count() > 0]() -> Status {
      pipeline::RunOptions options{.project_dir = ctx.ProjectDir(),
                                   .lakehouse_root = ctx.lakehouse,
                                   .source_dir = *source,
                                   .full = *full,
                                   .jobs = *jobs,
                                   .select = *select,
                                   .resume_run = *resume,
                                   .strict = *strict};
      if (waits) {
        options.wait_for_lock_ms = -1;
        options.on_lock_wait = [](const std::string& held) { std::cerr << "pareto run: waiting: " << held << "\n"; };
        if (!wait_for_lock->empty()) {
          PARETO_ASSIGN_OR_RETURN(options.wait_for_lock_ms, pipeline::ParseDurationMs(*wait_for_lock));
        }
      }
      // The ML tasks run after gold when the project declares an `ml:` section.
      PARETO_ASSIGN_OR_RETURN(pipeline::Project project, pipeline::LoadProject(options.project_dir, ctx.env));
      {
        // A run writes every layer of the project's catalog (as POST /api/v1/runs): MODIFY on each, checked first.
        PARETO_ASSIGN_OR_RETURN(catalog::Lakehouse lakehouse, catalog::Lakehouse::Open(ctx.lakehouse, ctx.env));
        std::vector<Need> needs;
        for (const char* layer : {"bronze", "silver", "gold"}) {
          needs.push_back({catalog::Privilege::kModify,
                           {catalog::SecurableKind::kSchema, project.catalog + "." + layer}});
        }
        PARETO_RETURN_IF_ERROR(CheckPrivileges(lakehouse.metastore(), *as, "run", "pareto run", needs));
      }
      options.task_timeout_ms = project.run.task_timeout_ms;
      if (!task_timeout->empty()) {
        PARETO_ASSIGN_OR_RETURN(options.task_timeout_ms, pipeline::ParseDurationMs(*task_timeout));
      }
      if (!*no_ml && project.HasSection("ml")) {
        PARETO_ASSIGN_OR_RETURN(options.post_tasks, ml::MlPostTasks(project));
      }
      // The masks and row filters of pipeline.yaml hold from this run on (as
      // `pareto governance apply`), so no table is published under stale rules.
      if (project.HasSection("governance")) {
        PARETO_ASSIGN_OR_RETURN(catalog::Lakehouse lakehouse, catalog::Lakehouse::Open(ctx.lakehouse, ctx.env));
        PARETO_RETURN_IF_ERROR(catalog::ReplacePolicies(lakehouse.metastore(), project.governance));
      }
      // Progress on stderr (progress_view.h): a live view on a terminal, plain
      // lines elsewhere; --quiet leaves only the final line.
      const bool terminal = isatty(STDOUT_FILENO) && isatty(STDERR_FILENO) && !ctx.json;
      ProgressView view(std::cerr,
                        {.live = terminal, .color = terminal && ProgressView::ColorAllowed(std::getenv("NO_COLOR")),
                         .width = TerminalWidth()},
                        [&ctx] { return ctx.env->NowMicros() / 1000; });
      if (!*quiet) {
        options.on_task_started = [&view](const std::string& task) { view.Started(task); };
        options.on_task_retry = [&view](const std::string& task, int attempt, const std::string& error) {
          view.Retrying(task, attempt, error);
        };
        options.on_task_finished = [&view](const pipeline::TaskReport& t) {
          view.Finished({.task = t.task,
                         .state = std::string(pipeline::TaskStateName(t.state)),
                         .rows = t.state == pipeline::TaskState::kBuilt ? t.rows_written : -1,
                         .seconds = static_cast<double>(t.duration_ms) / 1000.0,
                         .attempts = t.attempts,
                         .message = t.message});
        };
      }
      std::jthread ticker;
      if (terminal && !*quiet) {
        ticker = std::jthread([&view](std::stop_token stop) {
          while (!stop.stop_requested()) {
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
            view.Tick();
          }
        });
      }
      auto ran = pipeline::RunPipeline(std::move(project), options, ctx.env);
      ticker = {};  // stops and joins
      view.Close();
      PARETO_ASSIGN_OR_RETURN(pipeline::RunReport report, std::move(ran));
      if (!report.lock_note.empty()) std::cerr << "pareto run: " << report.lock_note << "\n";
      if (*quiet && !ctx.json) {
        const std::string table = pipeline::FormatRunReport(report);
        const size_t last = table.rfind('\n', table.size() - 2);
        std::cout << table.substr(last == std::string::npos ? 0 : last + 1);
      } else if (ctx.json) {
        std::cout << pipeline::RunReportToJson(report).dump(2) << "\n";
      } else if (terminal) {
        if (report.ingest) std::cout << ingest::FormatReport(*report.ingest) << "\n";
        const std::string table = pipeline::FormatRunReport(report);
        const size_t last = table.rfind('\n', table.size() - 2);
        std::cout << view.Summary() << table.substr(last == std::string::npos ? 0 : last + 1);
      } else {
        if (report.ingest) std::cout << ingest::FormatReport(*report.ingest) << "\n";
        std::cout << pipeline::FormatRunReport(report);
      }
      if (report.ok()) return OkStatus();
      // The first cause, on one line.
      std::string cause = report.first_failure;
      std::replace(cause.begin(), cause.end(), '\n', ' ');
      return DataError(fmt::format("run {} failed: {}", report.run_id, cause));
    };
  });
}
// The tasks `pareto run --source …` would run: an ingest per source, the models,
// and the ML tasks when the project has an `ml:` section.
StatusOr<pipeline::TaskGraph> LoadTaskGraph(const CliContext& ctx, bool with_ml) {
  PARETO_ASSIGN_OR_RETURN(auto loaded, LoadGraph(ctx));
  const auto& [project, graph] = loaded;
  std::vector<std::string> ingest;
  for (const ingest::SourceSpec& s : project.sources) ingest.push_back(s.table);
  std::vector<pipeline::PostTaskSpec> post;
  if (with_ml && project.HasSection("ml")) {
    PARETO_ASSIGN_OR_RETURN(auto tasks, ml::MlPostTasks(project));
    for (const pipeline::PostTask& t : tasks) post.push_back({t.name, t.depends_on});
  }
  return pipeline::TaskGraph::Build(graph, ingest, post);
}

void RegisterDag(CLI::App& app, CliContext& ctx) {
  CLI::App* cmd = app.add_subcommand("dag", "Show the task graph of `pareto run`: ingest, models, ML");
  auto dot = std::make_shared<bool>(false);
  auto no_ml = std::make_shared<bool>(false);
  cmd->add_flag("--dot", *dot, "As Graphviz DOT");
  cmd->add_flag("--no-ml", *no_ml, "Without the ML tasks");
  cmd->callback([&ctx, dot, no_ml] {
    ctx.action = [&ctx, dot, no_ml]() -> Status {
      PARETO_ASSIGN_OR_RETURN(pipeline::TaskGraph tasks, LoadTaskGraph(ctx, !*no_ml));
      if (ctx.json) {
        std::cout << tasks.ToJson().dump(2) << "\n";
      } else {
        std::cout << (*dot ? tasks.ToDot() : tasks.ToText());
      }
      return OkStatus();
    };
  });
}

void RegisterLineage(CLI::App& app, CliContext& ctx) {
  CLI::App* cmd = app.add_subcommand("lineage", "Show the tables (and columns) a table is computed from and feeds");
  auto table = std::make_shared<std::string>();
  auto columns = std::make_shared<bool>(false);
  auto dot = std::make_shared<bool>(false);
  cmd->add_option("table", *table, "A table: olist.gold.gld_x, gold.gld_x or gld_x (omit with --dot)");
  cmd->add_flag("--columns", *columns, "Column lineage as recorded by the last build");
  cmd->add_flag("--dot", *dot, "The whole dependency graph as Graphviz DOT");
  auto as = std::make_shared<std::string>();
  cmd->add_option("--as", *as, "As this user: refused (exit 77) unless they may SELECT the table; "
                               "tables they may not SELECT are left out");
  cmd->callback([&ctx, table, columns, dot, as] {
    ctx.action = [&ctx, table, columns, dot, as]() -> Status {
      PARETO_ASSIGN_OR_RETURN(auto loaded, LoadGraph(ctx));
      const auto& [project, graph] = loaded;
      if (*dot && !as->empty()) return InvalidArgument("lineage --dot shows every table: it takes no --as");
      if (*dot) {
        std::cout << graph.ToDot(project.catalog);
        return OkStatus();
      }
      if (table->empty()) return InvalidArgument("lineage needs a TABLE (or --dot for the whole graph)");
      PARETO_ASSIGN_OR_RETURN(std::string name, InGraph(graph, project.catalog, *table));
      const pipeline::GraphNode& node = *graph.Find(name);
      // As another user: the table needs SELECT (checked and audited), and the
      // tables around it they may not SELECT are left out, names and all.
      std::optional<catalog::Access> access;
      if (!as->empty()) {
        PARETO_ASSIGN_OR_RETURN(catalog::Lakehouse lakehouse, catalog::Lakehouse::OpenExisting(ctx.lakehouse, ctx.env));
        PARETO_RETURN_IF_ERROR(CheckPrivileges(lakehouse.metastore(), *as, "lineage", "pareto lineage " + *table,
                                               {{catalog::Privilege::kSelect,
                                                 {catalog::SecurableKind::kTable, project.catalog + "." + name}}}));
        PARETO_ASSIGN_OR_RETURN(catalog::Access loaded_access, catalog::Access::Load(lakehouse.metastore(), *as));
        access.emplace(std::move(loaded_access));
      }
      // `n` is "silver.slv_x" (the graph's names) or "olist.silver.slv_x".
      auto visible = [&](const std::string& n) {
        if (!access) return true;
        const std::string full = std::count(n.begin(), n.end(), '.') == 1 ? project.catalog + "." + n : n;
        return access->Decide(catalog::Privilege::kSelect, {catalog::SecurableKind::kTable, full}).allowed;
      };
      auto seen = [&](const auto& names) {
        std::vector<std::string> out;
        for (const std::string& n : names) {
          if (visible(n)) out.push_back(n);
        }
        return out;
      };
      const std::vector<std::string> upstream = seen(node.upstream);
      const std::vector<std::string> downstream = seen(graph.Downstream(name));
      const std::vector<std::string> all_up = seen(graph.Ancestors(name));
      const std::vector<std::string> all_down = seen(graph.Descendants(name));
      nlohmann::json out = {{"table", project.catalog + "." + name},
                            {"upstream", upstream},
                            {"upstream_all", all_up},
                            {"downstream", downstream},
                            {"downstream_all", all_down}};
      if (*columns) {
        PARETO_ASSIGN_OR_RETURN(catalog::Lakehouse lakehouse, catalog::Lakehouse::OpenExisting(ctx.lakehouse, ctx.env));
        catalog::Metastore& ms = lakehouse.metastore();
        const std::string full = project.catalog + "." + name;
        PARETO_ASSIGN_OR_RETURN(auto info, ms.GetTable(full));
        if (!info) return NotFound(full + " is not built yet (run `pareto run` first)");
        nlohmann::json cols = nlohmann::json::array();
        PARETO_ASSIGN_OR_RETURN(std::vector<std::string> edges_of, catalog::LineageColumns(ms, full));
        for (const std::string& c : edges_of) {
          PARETO_ASSIGN_OR_RETURN(auto direct, catalog::UpstreamColumns(ms, {full, c}));
          PARETO_ASSIGN_OR_RETURN(auto all, catalog::AllUpstreamColumns(ms, {full, c}));
          std::vector<std::string> d, a;
          for (const auto& r : direct) {
            if (visible(r.table)) d.push_back(r.table + "." + r.column);
          }
          for (const auto& r : all) {
            if (visible(r.table)) a.push_back(r.table + "." + r.column);
          }
          cols.push_back({{"column", c}, {"from", d}, {"from_all", a}});
        }
        out["columns"] = cols;
      }
      if (ctx.json) {
        std::cout << out.dump(2) << "\n";
        return OkStatus();
      }
      std::cout << out["table"].get<std::string>() << (node.is_model ? "  (" + node.path + ")" : "  (input)") << "\n"
                << "  upstream:        " << Join(upstream) << "\n"
                << "  upstream, all:   " << Join(all_up) << "\n"
                << "  downstream:      " << Join(downstream) << "\n"
                << "  downstream, all: " << Join(all_down) << "\n";
      if (out.contains("columns")) {
        std::cout << "columns:\n";
        for (const auto& c : out["columns"]) {
          std::cout << "  " << c["column"].get<std::string>() << " <- "
                    << Join(c["from"].get<std::vector<std::string>>()) << "\n";
        }
      }
      return OkStatus();
    };
  });
}

void RegisterQuality(CLI::App& app, CliContext& ctx) {
  CLI::App* cmd = app.add_subcommand("quality", "Expectation results: the latest of every table, or the history of one table");
  auto table = std::make_shared<std::string>();
  cmd->add_option("table", *table, "A table (olist.silver.slv_x or silver.slv_x)");
  cmd->callback([&ctx, table] {
    ctx.action = [&ctx, table]() -> Status {
      PARETO_ASSIGN_OR_RETURN(catalog::Lakehouse lakehouse, catalog::Lakehouse::OpenExisting(ctx.lakehouse, ctx.env));
      std::vector<catalog::ExpectationResult> results;
      if (!table->empty()) {
        PARETO_ASSIGN_OR_RETURN(catalog::TableInfo t, lakehouse.Resolve(*table));
        PARETO_ASSIGN_OR_RETURN(results, catalog::ListExpectationResultsForTable(lakehouse.metastore(), t.FullName()));
      } else {
        PARETO_ASSIGN_OR_RETURN(results, catalog::LatestExpectationResults(lakehouse.metastore()));
      }
      nlohmann::json rows = nlohmann::json::array();
      for (const auto& r : results) {
        rows.push_back({{"run_id", r.run_id ? nlohmann::json(*r.run_id) : nlohmann::json()},
                        {"table", r.table}, {"expectation", r.expectation},
                        {"action", catalog::ExpectationActionName(r.action)}, {"passed", r.passed_rows},
                        {"failed", r.failed_rows}, {"recorded_ms", r.recorded_ms}});
      }
      if (ctx.json) {
        std::cout << rows.dump(2) << "\n";
        return OkStatus();
      }
      std::cout << fmt::format("{:>5}  {:<36} {:<34} {:<6} {:>10} {:>9} {:>8}\n", "run", "table", "expectation",
                               "action", "passed", "failed", "failed%");
      for (const auto& r : results) {
        const int64_t total = r.passed_rows + r.failed_rows;
        std::cout << fmt::format("{:>5}  {:<36} {:<34} {:<6} {:>10} {:>9} {:>7.2f}%\n",
                                 r.run_id ? std::to_string(*r.run_id) : "-", r.table, r.expectation,
                                 catalog::ExpectationActionName(r.action), r.passed_rows, r.failed_rows,
                                 total ? 100.0 * static_cast<double>(r.failed_rows) / static_cast<double>(total) : 0.0);
      }
      std::cout << "(" << results.size() << " results)\n";
      return OkStatus();
    };
  });
}

}  // namespace

void RegisterPipelineCommands(CLI::App& app, CliContext& ctx) {
  RegisterRun(app, ctx);
  RegisterDag(app, ctx);
  RegisterLineage(app, ctx);
  RegisterQuality(app, ctx);
}

}  // namespace pareto::cli
