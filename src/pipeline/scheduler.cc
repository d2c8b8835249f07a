#include "pipeline/scheduler.h"

#include <fmt/format.h>

#include <algorithm>

#include "catalog/runs.h"

namespace pareto::pipeline {
namespace {

constexpr int64_t kPollUs = 1'000'000;  // how often a sleep looks at `stop`

class Loop {
 public:
  Loop(const SchedulerOptions& options, Env* env) : o_(options), env_(env) {}

  Status Run() {
    PARETO_ASSIGN_OR_RETURN(std::optional<int64_t> last_ms, o_.last_scheduled_start_ms());
    int64_t now_s = env_->NowMicros() / 1'000'000;
    if (last_ms) {
      PARETO_ASSIGN_OR_RETURN(int64_t missed, NextFireTime(*o_.schedule, *o_.zone, *last_ms / 1000));
      if (missed <= now_s) {
        Log(fmt::format("the run due at {} was missed; running it now", Describe(missed)));
        PARETO_RETURN_IF_ERROR(RunOnce({.slot_utc_s = missed, .made_up = true}));
      }
    }
    while (!Finished()) {
      now_s = env_->NowMicros() / 1'000'000;
      PARETO_ASSIGN_OR_RETURN(int64_t next, NextFireTime(*o_.schedule, *o_.zone, now_s));
      Log(fmt::format("next run at {}", Describe(next)));
      if (!SleepUntil(next)) break;
      PARETO_RETURN_IF_ERROR(RunOnce({.slot_utc_s = next}));
    }
    return OkStatus();
  }

 private:
  bool Stopped() const { return o_.stop && o_.stop(); }
  bool Finished() const { return Stopped() || (o_.max_runs >= 0 && runs_ >= o_.max_runs); }
  void Log(const std::string& line) const {
    if (o_.log) o_.log(line);
  }

  // "2026-11-30 06:00 America/Sao_Paulo (09:00 UTC)"
  std::string Describe(int64_t utc_s) const {
    const int64_t offset = o_.zone->OffsetAt(utc_s).value_or(0);
    return fmt::format("{} {} ({} UTC)", FormatWallTime(utc_s + offset), o_.zone->name(),
                       FormatWallTime(utc_s).substr(11));
  }

  // False when stopped first.
  bool SleepUntil(int64_t utc_s) {
    for (;;) {
      if (Stopped()) return false;
      const int64_t left_us = utc_s * 1'000'000 - env_->NowMicros();
      if (left_us <= 0) return true;
      env_->SleepForMicroseconds(std::min(left_us, kPollUs));
    }
  }

  Status RunOnce(const ScheduledRun& run) {
    if (Finished()) return OkStatus();
    ++runs_;
    const Status status = o_.run(run);
    if (!status.ok()) Log("scheduled run failed: " + status.message());
    return OkStatus();
  }

  const SchedulerOptions& o_;
  Env* env_;
  int runs_ = 0;
};

}  // namespace

StatusOr<std::optional<int64_t>> LastScheduledStartMs(catalog::Metastore& ms, std::string_view pipeline) {
  // Newest first; manual runs in between do not count as scheduled ones.
  PARETO_ASSIGN_OR_RETURN(auto runs, catalog::ListPipelineRuns(ms, pipeline, 100'000));
  for (const catalog::PipelineRun& r : runs) {
    if (r.triggered_by == "schedule") return std::optional<int64_t>(r.started_ms);
  }
  return std::optional<int64_t>();
}

Status RunScheduler(const SchedulerOptions& options, Env* env) {
  if (options.schedule == nullptr || options.zone == nullptr || !options.run || !options.last_scheduled_start_ms) {
    return Internal("RunScheduler needs a schedule, a zone, a run and the last scheduled start");
  }
  return Loop(options, env).Run();
}

}  // namespace pareto::pipeline
