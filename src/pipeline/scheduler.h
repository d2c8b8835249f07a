// The scheduler loop behind `pareto schedule run` (and, later, `pareto serve`):
// runs the pipeline at each fire time of the project's `schedule:` (cron.h) in
// the shop's time zone.
//
// At start, a fire time missed while no scheduler ran (after the last run the
// history records with trigger `schedule`) is made up ONCE, however many slots
// were missed; then it sleeps until the next fire time, runs, and so on. Each
// run waits for the writer lock (catalog::WriterLock::AcquireWaiting), so a
// trigger that overlaps a manual run queues behind it instead of running twice.
// `stop` is polled at least once a second while sleeping and between runs, so
// SIGINT/SIGTERM end the loop cleanly; a run in progress is not cut short.
//
// Ownership: borrows the zone, the Env and the callbacks for the call.
// Thread safety: the caller's thread only; `stop` may read an atomic set by a
// signal handler.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "catalog/metastore.h"
#include "common/env.h"
#include "common/status.h"
#include "pipeline/cron.h"
#include "pipeline/time_zone.h"

namespace pareto::pipeline {

struct ScheduledRun {
  int64_t slot_utc_s = 0;  // the fire time it stands for
  bool made_up = false;    // a missed slot, run at start
};

struct SchedulerOptions {
  const CronSchedule* schedule = nullptr;
  TimeZone* zone = nullptr;
  // When the last scheduled run started (ms since the epoch), nullopt when there was none.
  std::function<StatusOr<std::optional<int64_t>>()> last_scheduled_start_ms;
  // One pipeline run with trigger "schedule"; its failure is logged, not fatal:
  // the next slot runs as usual. An error the run could not even start with
  // (the project no longer loads) is logged the same way.
  std::function<Status(const ScheduledRun& run)> run;
  std::function<bool()> stop;                        // optional
  std::function<void(const std::string& line)> log;  // optional
  int max_runs = -1;  // stop after this many runs (tests, `--max-runs`); negative: never
};

// When the newest run of `pipeline` (the project's catalog) with trigger
// "schedule" started, from the run history; nullopt when there is none.
StatusOr<std::optional<int64_t>> LastScheduledStartMs(catalog::Metastore& ms, std::string_view pipeline);

// Returns once `stop` says so or max_runs runs were made; an error only when the
// schedule cannot be evaluated (the zone failed) or the history cannot be read.
Status RunScheduler(const SchedulerOptions& options, Env* env = Env::Default());

}  // namespace pareto::pipeline
