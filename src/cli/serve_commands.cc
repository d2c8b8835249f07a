// `pareto serve`: the API and the dashboard over the lakehouse (server/server.h),
// until SIGINT or SIGTERM; requests in flight finish first. At start it prints
// a URL that logs the local user in: a token made for this run (revoked when
// the server stops) or the one given with --token.
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <ctime>
#include <iostream>
#include <memory>
#include <thread>

#include <fmt/format.h>

#include "catalog/lakehouse.h"
#include "catalog/tokens.h"
#include "cli/registrars.h"
#include "ml/pipeline_tasks.h"
#include "pipeline/cron.h"
#include "pipeline/project.h"
#include "pipeline/runner.h"
#include "pipeline/scheduler.h"
#include "pipeline/time_zone.h"
#include "server/server.h"

namespace pareto::cli {
namespace {

// The project's `schedule:` run in the background while serving, as `pareto
// schedule run` does in the foreground; nothing when the project has none.
// Returns once `stop` is set and a run in progress has finished.
Status RunSchedule(const CliContext& ctx, const std::atomic<bool>& stop) {
  PARETO_ASSIGN_OR_RETURN(pipeline::Project first, pipeline::LoadProject(ctx.ProjectDir(), ctx.env));
  if (!first.schedule) return OkStatus();
  PARETO_ASSIGN_OR_RETURN(pipeline::CronSchedule cron, pipeline::ParseCron(first.schedule->cron));
  PARETO_ASSIGN_OR_RETURN(std::unique_ptr<pipeline::TimeZone> zone, pipeline::OpenTimeZone(first.timezone));
  const auto log = [](const std::string& line) { std::cerr << "pareto serve: schedule: " << line << std::endl; };
  log(fmt::format("running the pipeline at `{}` ({})", first.schedule->cron, first.timezone));
  pipeline::SchedulerOptions o{.schedule = &cron, .zone = zone.get()};
  o.stop = [&stop] { return stop.load(); };
  o.log = log;
  o.last_scheduled_start_ms = [&ctx, catalog = first.catalog]() -> StatusOr<std::optional<int64_t>> {
    PARETO_ASSIGN_OR_RETURN(catalog::Lakehouse lakehouse, catalog::Lakehouse::OpenExisting(ctx.lakehouse, ctx.env));
    return pipeline::LastScheduledStartMs(lakehouse.metastore(), catalog);
  };
  o.run = [&ctx, log](const pipeline::ScheduledRun&) -> Status {
    PARETO_ASSIGN_OR_RETURN(pipeline::Project project, pipeline::LoadProject(ctx.ProjectDir(), ctx.env));
    std::string folder;
    if (project.schedule && !project.schedule->source.empty()) {
      folder = project.schedule->source;
      if (folder.front() != '/') folder = project.dir + "/" + folder;
    }
    pipeline::RunOptions options{.project_dir = project.dir, .lakehouse_root = ctx.lakehouse, .source_dir = folder};
    options.triggered_by = "schedule";
    options.wait_for_lock_ms = -1;
    options.task_timeout_ms = project.run.task_timeout_ms;
    if (project.HasSection("ml")) {
      PARETO_ASSIGN_OR_RETURN(options.post_tasks, ml::MlPostTasks(project));
    }
    PARETO_ASSIGN_OR_RETURN(pipeline::RunReport report, pipeline::RunPipeline(std::move(project), options, ctx.env));
    if (!report.ok()) return DataError(fmt::format("run {} failed: {}", report.run_id, report.first_failure));
    log(fmt::format("run {} succeeded in {} ms", report.run_id, report.duration_ms));
    return OkStatus();
  };
  return pipeline::RunScheduler(o, ctx.env);
}

struct ServeArgs {
  int port = 8080;
  std::string bind = "127.0.0.1";
  int threads = 8;
  int max_queued = 256;
  std::string token;
  bool no_schedule = false;
  double timeout_s = 30;
  uint64_t max_rows = 10000;
  std::string memory_limit = "1GB";
};

Status Serve(CliContext& ctx, const ServeArgs& args) {
  if (!(args.timeout_s > 0)) return InvalidArgument("--timeout must be more than 0 seconds");
  // Signals go to the one thread that waits for them (sigtimedwait below): every
  // thread started from here on inherits the blocked mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  server::ServerOptions options{.lakehouse_root = ctx.lakehouse,
                                .project_dir = ctx.ProjectDir(),
                                .bind = args.bind,
                                .port = args.port,
                                .threads = args.threads,
                                .max_queued = args.max_queued,
                                .query_timeout = std::chrono::milliseconds(static_cast<int64_t>(args.timeout_s * 1000)),
                                .max_rows = args.max_rows,
                                .memory_limit = args.memory_limit,
                                .env = ctx.env};
  PARETO_ASSIGN_OR_RETURN(std::unique_ptr<server::Server> srv, server::Server::Create(options));
  PARETO_RETURN_IF_ERROR(srv->Bind());

  std::string token = args.token;
  std::string own_token;  // made for this run: revoked when it stops
  if (token.empty()) {
    PARETO_ASSIGN_OR_RETURN(catalog::Lakehouse lakehouse, catalog::Lakehouse::OpenExisting(ctx.lakehouse, ctx.env));
    own_token = fmt::format("serve-{}-{}", ctx.env->NowMicros() / 1000000, getpid());
    PARETO_ASSIGN_OR_RETURN(token, catalog::CreateToken(lakehouse.metastore(), own_token));
  }
  const std::string host = args.bind == "0.0.0.0" ? "127.0.0.1" : args.bind;
  std::cout << fmt::format("Dashboard: http://{}:{}/#token={}", host, srv->port(), token) << std::endl;
  std::cerr << fmt::format("pareto serve: listening on {}:{} with {} workers (Ctrl-C stops)", args.bind, srv->port(),
                           args.threads)
            << std::endl;

  std::atomic<bool> done{false};
  std::thread scheduler;
  if (!args.no_schedule) {
    scheduler = std::thread([&ctx, &done] {
      if (Status s = RunSchedule(ctx, done); !s.ok()) std::cerr << "pareto serve: schedule: " << s.message() << std::endl;
    });
  }
  std::thread waiter([&] {
    const timespec tick{.tv_sec = 0, .tv_nsec = 200'000'000};
    while (!done.load()) {
      if (sigtimedwait(&signals, nullptr, &tick) > 0) {
        std::cerr << "pareto serve: stopping (requests in flight finish first)" << std::endl;
        srv->Stop();
        return;
      }
    }
  });
  const Status served = srv->Serve();
  done.store(true);
  waiter.join();
  if (scheduler.joinable()) scheduler.join();  // a scheduled run in progress finishes
  srv.reset();
  if (!own_token.empty()) {
    if (auto lakehouse = catalog::Lakehouse::OpenExisting(ctx.lakehouse, ctx.env); lakehouse.has_value()) {
      (void)catalog::RevokeToken(lakehouse->metastore(), own_token);
    }
  }
  pthread_sigmask(SIG_UNBLOCK, &signals, nullptr);
  std::cerr << "pareto serve: stopped" << std::endl;
  return served;
}

}  // namespace

void RegisterServeCommands(CLI::App& app, CliContext& ctx) {
  CLI::App* cmd = app.add_subcommand("serve", "Serve the dashboard and the REST API over the lakehouse");
  auto args = std::make_shared<ServeArgs>();
  cmd->add_option("--port", args->port, "TCP port (0: any free one)")->default_val(8080);
  cmd->add_option("--bind", args->bind, "Address to listen on")->default_val("127.0.0.1");
  cmd->add_option("--threads", args->threads, "Request workers, each with its own SQL session")->default_val(8);
  cmd->add_option("--max-queued", args->max_queued, "Connections waiting for a worker at most; more get 503")
      ->default_val(256);
  cmd->add_option("--token", args->token, "Log the local user in with this token instead of a new one");
  cmd->add_flag("--no-schedule", args->no_schedule, "Do not run the project's schedule in the background");
  cmd->add_option("--timeout", args->timeout_s, "Stop a query after this many seconds")->default_val(30);
  cmd->add_option("--max-rows", args->max_rows, "Rows a query returns at most")->default_val(10000);
  cmd->add_option("--memory-limit", args->memory_limit, "DuckDB's memory limit per worker session")->default_val("1GB");
  cmd->callback([&ctx, args] { ctx.action = [&ctx, args] { return Serve(ctx, *args); }; });
}

}  // namespace pareto::cli
