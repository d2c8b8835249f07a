// `pareto runs`: the history of pipeline runs in the metastore, newest first, and
// `pareto runs show RUN`: each task of one run with its status, attempts, worker,
// start and end (so tasks that ran at the same time show it), rows, the Delta
// versions it read and wrote, its expectation counts and its error.
#include <fmt/format.h>

#include <iostream>
#include <map>
#include <memory>

#include "catalog/lakehouse.h"
#include "catalog/runs.h"
#include "cli/registrars.h"

namespace pareto::cli {
namespace {

nlohmann::json OrNull(const std::optional<int64_t>& v) { return v ? nlohmann::json(*v) : nlohmann::json(); }

nlohmann::json RunJson(const catalog::PipelineRun& r) {
  return {{"id", r.id}, {"pipeline", r.pipeline}, {"trigger", r.triggered_by},
          {"status", catalog::RunStatusName(r.status)}, {"message", r.message}, {"started_ms", r.started_ms},
          {"ended_ms", OrNull(r.ended_ms)}};
}

std::string Seconds(int64_t from_ms, const std::optional<int64_t>& to_ms) {
  return to_ms ? fmt::format("{:.2f}", static_cast<double>(*to_ms - from_ms) / 1000.0) : "-";
}

// Milliseconds since the Unix epoch as UTC "2026-01-31 12:00:00.123".
std::string Clock(int64_t ms) {
  const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S", &tm);
  return fmt::format("{}.{:03d}", text, static_cast<int>(ms % 1000));
}

Status ListRuns(CliContext& ctx, int limit) {
  PARETO_ASSIGN_OR_RETURN(catalog::Lakehouse lakehouse, catalog::Lakehouse::OpenExisting(ctx.lakehouse, ctx.env));
  PARETO_ASSIGN_OR_RETURN(auto runs, catalog::ListPipelineRuns(lakehouse.metastore(), "", limit));
  if (ctx.json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& r : runs) out.push_back(RunJson(r));
    std::cout << out.dump(2) << "\n";
    return OkStatus();
  }
  std::cout << fmt::format("{:>5}  {:<10} {:<9} {:<23} {:>9}  {}\n", "run", "status", "trigger", "started (UTC)",
                           "seconds", "message");
  for (const auto& r : runs) {
    std::cout << fmt::format("{:>5}  {:<10} {:<9} {:<23} {:>9}  {}\n", r.id, catalog::RunStatusName(r.status),
                             r.triggered_by, Clock(r.started_ms), Seconds(r.started_ms, r.ended_ms), r.message);
  }
  std::cout << "(" << runs.size() << " runs)\n";
  return OkStatus();
}

Status ShowRun(CliContext& ctx, int64_t id) {
  PARETO_ASSIGN_OR_RETURN(catalog::Lakehouse lakehouse, catalog::Lakehouse::OpenExisting(ctx.lakehouse, ctx.env));
  catalog::Metastore& ms = lakehouse.metastore();
  PARETO_ASSIGN_OR_RETURN(auto run, catalog::GetPipelineRun(ms, id));
  if (!run) return NotFound(fmt::format("run {} does not exist (pareto runs lists them)", id));
  PARETO_ASSIGN_OR_RETURN(auto tasks, catalog::ListTaskRuns(ms, id));
  PARETO_ASSIGN_OR_RETURN(auto expectations, catalog::ListExpectationResults(ms, id));
  std::map<std::string, nlohmann::json> by_table;
  for (const auto& e : expectations) {
    by_table[e.table].push_back({{"expectation", e.expectation}, {"action", catalog::ExpectationActionName(e.action)},
                                 {"passed", e.passed_rows}, {"failed", e.failed_rows}});
  }
  nlohmann::json out = RunJson(*run);
  out["tasks"] = nlohmann::json::array();
  for (const auto& t : tasks) {
    nlohmann::json read = t.versions_read ? nlohmann::json::parse(*t.versions_read, nullptr, false) : nlohmann::json();
    out["tasks"].push_back({{"task", t.task}, {"status", catalog::RunStatusName(t.status)}, {"message", t.message},
                            {"attempts", OrNull(t.attempts)}, {"worker", OrNull(t.worker)},
                            {"started_ms", t.started_ms}, {"ended_ms", OrNull(t.ended_ms)},
                            {"rows_read", OrNull(t.rows_read)}, {"rows_written", OrNull(t.rows_written)},
                            {"versions_read", read}, {"delta_version", OrNull(t.delta_version)},
                            {"expectations", by_table.contains(t.task) ? by_table[t.task] : nlohmann::json::array()}});
  }
  if (ctx.json) {
    std::cout << out.dump(2) << "\n";
    return OkStatus();
  }
  std::cout << fmt::format("run {}  {}  trigger {}  started {}  {} s\n{}\n", run->id,
                           catalog::RunStatusName(run->status), run->triggered_by, Clock(run->started_ms),
                           Seconds(run->started_ms, run->ended_ms), run->message);
  std::cout << fmt::format("{:<36} {:<10} {:>3} {:>2} {:>10} {:>10} {:>8} {:>10} {:>10} {:>7}  {}\n", "task", "status",
                           "try", "w", "start (s)", "end (s)", "seconds", "rows in", "rows out", "version", "message");
  for (const auto& t : tasks) {
    auto offset = [&](std::optional<int64_t> ms) {
      return ms ? fmt::format("{:.3f}", static_cast<double>(*ms - run->started_ms) / 1000.0) : std::string("-");
    };
    std::cout << fmt::format("{:<36} {:<10} {:>3} {:>2} {:>10} {:>10} {:>8} {:>10} {:>10} {:>7}  {}\n", t.task,
                             catalog::RunStatusName(t.status), t.attempts ? std::to_string(*t.attempts) : "-",
                             t.worker ? std::to_string(*t.worker) : "-", offset(t.started_ms), offset(t.ended_ms),
                             Seconds(t.started_ms, t.ended_ms), t.rows_read ? std::to_string(*t.rows_read) : "-",
                             t.rows_written ? std::to_string(*t.rows_written) : "-",
                             t.delta_version ? std::to_string(*t.delta_version) : "-", t.message);
  }
  return OkStatus();
}

}  // namespace

void RegisterRunsCommands(CLI::App& app, CliContext& ctx) {
  CLI::App* cmd = app.add_subcommand("runs", "The history of pipeline runs (newest first); `runs show RUN` for its tasks");
  auto limit = std::make_shared<int>(20);
  cmd->add_option("--limit", *limit, "How many runs to list")->check(CLI::PositiveNumber);
  CLI::App* show = cmd->add_subcommand("show", "Each task of one run: status, attempts, times, rows, versions, errors");
  auto id = std::make_shared<int64_t>(0);
  show->add_option("run", *id, "The run's id (as `pareto runs` lists it)")->required();
  show->callback([&ctx, id] { ctx.action = [&ctx, id]() -> Status { return ShowRun(ctx, *id); }; });
  cmd->callback([&ctx, limit, show] {
    if (show->parsed()) return;
    ctx.action = [&ctx, limit]() -> Status { return ListRuns(ctx, *limit); };
  });
}

}  // namespace pareto::cli
