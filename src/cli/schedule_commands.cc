// `pareto schedule show` and `pareto schedule run`: the project's `schedule:`
// (pipeline/cron.h) and the loop that runs the pipeline at its fire times
// (pipeline/scheduler.h).
#include <fmt/format.h>

#include <atomic>
#include <csignal>
#include <iostream>
#include <memory>

#include "catalog/lakehouse.h"
#include "cli/registrars.h"
#include "ml/pipeline_tasks.h"
#include "pipeline/cron.h"
#include "pipeline/duration.h"
#include "pipeline/runner.h"
#include "pipeline/scheduler.h"
#include "pipeline/time_zone.h"

namespace pareto::cli {
namespace {

// Set by SIGINT/SIGTERM; the loop looks at it between runs and while sleeping.
std::atomic<bool> g_stop{false};
extern "C" void OnStopSignal(int) { g_stop.store(true); }

struct LoadedSchedule {
  pipeline::Project project;
  pipeline::CronSchedule cron;
  std::unique_ptr<pipeline::TimeZone> zone;
};

StatusOr<LoadedSchedule> LoadSchedule(const CliContext& ctx) {
  PARETO_ASSIGN_OR_RETURN(pipeline::Project project, pipeline::LoadProject(ctx.ProjectDir(), ctx.env));
  if (!project.schedule) {
    return std::unexpected(NotFound(project.file + " has no `schedule:` (e.g. schedule: {cron: \"0 6 * * *\"})"));
  }
  PARETO_ASSIGN_OR_RETURN(pipeline::CronSchedule cron, pipeline::ParseCron(project.schedule->cron));
  PARETO_ASSIGN_OR_RETURN(std::unique_ptr<pipeline::TimeZone> zone, pipeline::OpenTimeZone(project.timezone));
  return LoadedSchedule{std::move(project), std::move(cron), std::move(zone)};
}

// "2026-11-30 06:00" (UTC) -> seconds since the epoch.
StatusOr<int64_t> ParseUtcMinute(const std::string& text) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0;
  char tail = 0;
  if (std::sscanf(text.c_str(), "%d-%d-%d %d:%d%c", &y, &mo, &d, &h, &mi, &tail) != 5) {
    return std::unexpected(InvalidArgument("--after `" + text + "`: expected YYYY-MM-DD HH:MM (UTC)"));
  }
  const std::chrono::year_month_day ymd{std::chrono::year{y} / mo / d};
  if (!ymd.ok() || h < 0 || h > 23 || mi < 0 || mi > 59) {
    return std::unexpected(InvalidArgument("--after `" + text + "` is not a valid time"));
  }
  return std::chrono::sys_days{ymd}.time_since_epoch().count() * 86'400 + h * 3600 + mi * 60;
}

void RegisterShow(CLI::App& parent, CliContext& ctx) {
  CLI::App* cmd = parent.add_subcommand("show", "The schedule and its next fire times, in the shop's zone and UTC");
  auto count = std::make_shared<int>(5);
  auto after = std::make_shared<std::string>();
  cmd->add_option("--count,-n", *count, "How many fire times (default 5)")->check(CLI::PositiveNumber);
  cmd->add_option("--after", *after, "From this UTC time (YYYY-MM-DD HH:MM) instead of now");
  cmd->callback([&ctx, count, after] {
    ctx.action = [&ctx, count, after]() -> Status {
      PARETO_ASSIGN_OR_RETURN(LoadedSchedule s, LoadSchedule(ctx));
      int64_t t = ctx.env->NowMicros() / 1'000'000;
      if (!after->empty()) {
        PARETO_ASSIGN_OR_RETURN(t, ParseUtcMinute(*after));
      }
      nlohmann::json times = nlohmann::json::array();
      std::vector<std::pair<std::string, std::string>> rows;
      for (int i = 0; i < *count; ++i) {
        PARETO_ASSIGN_OR_RETURN(t, pipeline::NextFireTime(s.cron, *s.zone, t));
        PARETO_ASSIGN_OR_RETURN(int64_t offset, s.zone->OffsetAt(t));
        rows.emplace_back(pipeline::FormatWallTime(t + offset), pipeline::FormatWallTime(t));
        times.push_back({{"local", rows.back().first}, {"utc", rows.back().second}, {"offset_s", offset}});
      }
      if (ctx.json) {
        std::cout << nlohmann::json{{"cron", s.cron.text}, {"timezone", s.zone->name()}, {"next", times}}.dump(2)
                  << "\n";
        return OkStatus();
      }
      std::cout << fmt::format("schedule `{}` in {}\n", s.cron.text, s.zone->name());
      std::cout << fmt::format("{:<18}  {}\n", "local", "UTC");
      for (const auto& [local, utc] : rows) std::cout << fmt::format("{:<18}  {}\n", local, utc);
      return OkStatus();
    };
  });
}

void RegisterScheduleRun(CLI::App& parent, CliContext& ctx) {
  CLI::App* cmd = parent.add_subcommand(
      "run", "Run the pipeline at each fire time of the project's schedule, in the foreground (Ctrl-C stops it)");
  auto source = std::make_shared<std::string>();
  auto jobs = std::make_shared<int>(0);
  auto max_runs = std::make_shared<int>(-1);
  auto no_ml = std::make_shared<bool>(false);
  cmd->add_option("--source", *source, "Folder of source CSV drops (default: the schedule's `source:`)");
  cmd->add_option("--jobs,-j", *jobs, "Tasks run at the same time (default: the machine's cores)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--max-runs", *max_runs, "Stop after this many runs (default: never)")->check(CLI::NonNegativeNumber);
  cmd->add_flag("--no-ml", *no_ml, "Skip the ML tasks (train, score) that follow gold");
  cmd->callback([&ctx, source, jobs, max_runs, no_ml] {
    ctx.action = [&ctx, source, jobs, max_runs, no_ml]() -> Status {
      PARETO_ASSIGN_OR_RETURN(LoadedSchedule s, LoadSchedule(ctx));
      g_stop.store(false);
      std::signal(SIGINT, OnStopSignal);
      std::signal(SIGTERM, OnStopSignal);
      const auto log = [](const std::string& line) { std::cerr << "pareto schedule: " << line << std::endl; };
      pipeline::SchedulerOptions o{.schedule = &s.cron, .zone = s.zone.get(), .max_runs = *max_runs};
      o.stop = [] { return g_stop.load(); };
      o.log = log;
      o.last_scheduled_start_ms = [&ctx, &s]() -> StatusOr<std::optional<int64_t>> {
        if (!ctx.env->Exists(ctx.lakehouse + "/_meta/metastore.db")) return std::optional<int64_t>();
        PARETO_ASSIGN_OR_RETURN(catalog::Lakehouse lakehouse, catalog::Lakehouse::Open(ctx.lakehouse, ctx.env));
        return pipeline::LastScheduledStartMs(lakehouse.metastore(), s.project.catalog);
      };
      o.run = [&ctx, &s, source, jobs, no_ml, log](const pipeline::ScheduledRun& slot) -> Status {
        // The project is read again for each run: an edit between runs is picked up.
        PARETO_ASSIGN_OR_RETURN(pipeline::Project project, pipeline::LoadProject(ctx.ProjectDir(), ctx.env));
        std::string folder = *source;  // as given on the command line: relative to the working folder
        if (folder.empty() && project.schedule && !project.schedule->source.empty()) {
          folder = project.schedule->source;  // from pipeline.yaml: relative to the project
          if (folder.front() != '/') folder = project.dir + "/" + folder;
        }
        pipeline::RunOptions options{.project_dir = project.dir,
                                     .lakehouse_root = ctx.lakehouse,
                                     .source_dir = folder,
                                     .jobs = *jobs};
        options.triggered_by = "schedule";
        options.wait_for_lock_ms = -1;  // overlapping triggers queue, never run twice
        options.on_lock_wait = [log](const std::string& held) { log("waiting: " + held); };
        options.task_timeout_ms = project.run.task_timeout_ms;
        if (!*no_ml && project.HasSection("ml")) {
          PARETO_ASSIGN_OR_RETURN(options.post_tasks, ml::MlPostTasks(project));
        }
        log(fmt::format("running the {} slot{}", pipeline::FormatWallTime(slot.slot_utc_s) + " UTC",
                        slot.made_up ? " (missed while no scheduler ran)" : ""));
        PARETO_ASSIGN_OR_RETURN(pipeline::RunReport report,
                                pipeline::RunPipeline(std::move(project), options, ctx.env));
        if (!report.lock_note.empty()) log(report.lock_note);
        if (!report.ok()) return DataError(fmt::format("run {} failed: {}", report.run_id, report.first_failure));
        log(fmt::format("run {} succeeded in {} ms", report.run_id, report.duration_ms));
        return OkStatus();
      };
      const Status status = pipeline::RunScheduler(o, ctx.env);
      std::signal(SIGINT, SIG_DFL);
      std::signal(SIGTERM, SIG_DFL);
      if (g_stop.load()) log("stopped");
      return status;
    };
  });
}

void RegisterSchedule(CLI::App& app, CliContext& ctx) {
  CLI::App* cmd = app.add_subcommand("schedule", "The pipeline's schedule (`schedule:` in pipeline.yaml)");
  cmd->require_subcommand(1);
  RegisterShow(*cmd, ctx);
  RegisterScheduleRun(*cmd, ctx);
}

}  // namespace

void RegisterScheduleCommands(CLI::App& app, CliContext& ctx) { RegisterSchedule(app, ctx); }

}  // namespace pareto::cli
