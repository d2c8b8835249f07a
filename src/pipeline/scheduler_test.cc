#include "pipeline/scheduler.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <functional>
#include <vector>

#include "catalog/lakehouse.h"
#include "catalog/runs.h"
#include "catalog/writer_lock.h"
#include "pipeline/runner.h"
#include "pipeline/test_util.h"

namespace pareto::pipeline {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::TempDir;
using testing::WriteFile;

int64_t Utc(const char* text) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0;
  EXPECT_EQ(std::sscanf(text, "%d-%d-%d %d:%d", &y, &mo, &d, &h, &mi), 5) << text;
  const std::chrono::sys_days day{std::chrono::year{y} / mo / d};
  return day.time_since_epoch().count() * 86'400 + h * 3600 + mi * 60;
}

// A clock that only sleeping moves; `on_sleep` runs after each sleep.
class FakeClock : public EnvWrapper {
 public:
  explicit FakeClock(const char* now) : EnvWrapper(Env::Default()), now_us(Utc(now) * 1'000'000) {}
  int64_t NowMicros() override { return now_us; }
  void SleepForMicroseconds(int64_t micros) override {
    now_us += micros;
    ++sleeps;
    if (on_sleep) on_sleep();
  }
  int64_t now_us;
  int sleeps = 0;
  std::function<void()> on_sleep;
};

struct Recorded {
  std::string slot;     // UTC wall time of the slot
  std::string at;       // UTC wall time the run started
  bool made_up = false;
};

class SchedulerTest : public ::testing::Test {
 protected:
  // Runs the loop over "0 6 * * *" in UTC-03 (06:00 local = 09:00Z).
  Status RunLoop(FakeClock& clock, std::optional<int64_t> last_ms, int max_runs) {
    schedule_ = ParseCron("0 6 * * *").value();
    SchedulerOptions o{.schedule = &schedule_, .zone = zone_.get(), .max_runs = max_runs};
    o.last_scheduled_start_ms = [last_ms]() -> StatusOr<std::optional<int64_t>> { return last_ms; };
    o.run = [&](const ScheduledRun& run) {
      runs_.push_back({FormatWallTime(run.slot_utc_s), FormatWallTime(clock.NowMicros() / 1'000'000), run.made_up});
      return fail_runs_ ? DataError("a model failed") : OkStatus();
    };
    o.log = [&](const std::string& line) { log_.push_back(line); };
    o.stop = [&] { return stop_; };
    return RunScheduler(o, &clock);
  }

  std::unique_ptr<TimeZone> zone_ = FixedOffsetZone(-3 * 3600);
  CronSchedule schedule_;
  std::vector<Recorded> runs_;
  std::vector<std::string> log_;
  bool fail_runs_ = false;
  bool stop_ = false;
};

TEST_F(SchedulerTest, SlotsMissedWhileDownAreMadeUpOnceThenItKeepsTime) {
  FakeClock clock("2026-11-30 12:00");
  // The last scheduled run was three days ago: three 06:00 slots were missed.
  ASSERT_TRUE(RunLoop(clock, Utc("2026-11-27 09:00") * 1000, 3).ok());
  ASSERT_EQ(runs_.size(), 3u);
  EXPECT_TRUE(runs_[0].made_up);
  EXPECT_EQ(runs_[0].slot, "2026-11-28 09:00");  // the first missed slot
  EXPECT_EQ(runs_[0].at, "2026-11-30 12:00");    // at once
  EXPECT_FALSE(runs_[1].made_up);
  EXPECT_EQ(runs_[1].at, "2026-12-01 09:00");
  EXPECT_EQ(runs_[2].at, "2026-12-02 09:00");
  EXPECT_THAT(log_.front(), HasSubstr("was missed; running it now"));
  EXPECT_THAT(log_, ::testing::Contains(HasSubstr("next run at 2026-12-01 06:00 UTC-10800s (09:00 UTC)")));
}

TEST_F(SchedulerTest, NothingIsMadeUpWithoutHistoryOrWhenNoSlotWasMissed) {
  FakeClock clock("2026-11-30 12:00");
  ASSERT_TRUE(RunLoop(clock, std::nullopt, 1).ok());
  ASSERT_EQ(runs_.size(), 1u);
  EXPECT_FALSE(runs_[0].made_up);
  EXPECT_EQ(runs_[0].at, "2026-12-01 09:00");

  runs_.clear();
  FakeClock later("2026-11-30 12:00");
  ASSERT_TRUE(RunLoop(later, Utc("2026-11-30 09:00") * 1000, 1).ok());  // today's ran
  ASSERT_EQ(runs_.size(), 1u);
  EXPECT_FALSE(runs_[0].made_up);
}

TEST_F(SchedulerTest, AFailedRunIsLoggedAndTheNextSlotStillRuns) {
  FakeClock clock("2026-11-30 12:00");
  fail_runs_ = true;
  ASSERT_TRUE(RunLoop(clock, std::nullopt, 2).ok());
  EXPECT_EQ(runs_.size(), 2u);
  EXPECT_THAT(log_, ::testing::Contains(HasSubstr("scheduled run failed: a model failed")));
}

TEST_F(SchedulerTest, AStopEndsTheSleepBeforeTheNextRun) {
  FakeClock clock("2026-11-30 12:00");
  clock.on_sleep = [&] {
    if (clock.sleeps == 5) stop_ = true;
  };
  ASSERT_TRUE(RunLoop(clock, std::nullopt, -1).ok());
  EXPECT_TRUE(runs_.empty());
  EXPECT_EQ(clock.sleeps, 5);  // it slept in short steps and looked at the stop between them
}

// The real thing: a scheduled run of a small project while a manual writer holds
// the lakehouse waits for it, then runs once, recorded with trigger "schedule".
TEST(ScheduledPipelineTest, AnOverlappingTriggerWaitsForTheLockAndIsRecordedAsScheduled) {
  TempDir dir;
  const std::string project = dir.path() + "/project", lakehouse = dir.path() + "/lakehouse";
  WriteFile(project, "pipeline.yaml",
            "catalog: shop\ntimezone: America/Sao_Paulo\nschedule: {cron: \"0 6 * * *\"}\n");
  WriteFile(project, "gold/gld_one.sql", "SELECT 1 AS one\n");
  auto loaded = LoadProject(project);
  ASSERT_TRUE(loaded.has_value()) << loaded.error().ToString();
  ASSERT_TRUE(loaded->schedule.has_value());
  auto schedule = ParseCron(loaded->schedule->cron);
  ASSERT_TRUE(schedule.has_value());
  auto zone = OpenTimeZone(loaded->timezone);
  ASSERT_TRUE(zone.has_value());

  // A manual writer holds the lock until the scheduled run has polled three times.
  auto manual = catalog::WriterLock::Acquire(lakehouse, 0);
  ASSERT_TRUE(manual.has_value());
  FakeClock clock("2026-11-30 08:59");
  int polls_while_held = 0;
  clock.on_sleep = [&] {
    // Sleeps up to 09:00 are the scheduler's; those after it, the lock wait's.
    if (clock.NowMicros() <= Utc("2026-11-30 09:00") * 1'000'000 || !manual.has_value()) return;
    if (++polls_while_held == 3) manual = std::unexpected(Internal("the manual run ended"));
  };

  std::vector<int64_t> run_ids;
  SchedulerOptions o{.schedule = &*schedule, .zone = zone->get(), .max_runs = 1};
  o.last_scheduled_start_ms = [] { return StatusOr<std::optional<int64_t>>(std::nullopt); };
  o.run = [&](const ScheduledRun&) -> Status {
    RunOptions options{.project_dir = project, .lakehouse_root = lakehouse, .jobs = 1};
    options.triggered_by = "schedule";
    options.wait_for_lock_ms = -1;
    PARETO_ASSIGN_OR_RETURN(RunReport report, RunPipeline(options, &clock));
    run_ids.push_back(report.run_id);
    return report.ok() ? OkStatus() : DataError(report.first_failure);
  };
  ASSERT_TRUE(RunScheduler(o, &clock).ok());
  EXPECT_EQ(polls_while_held, 3);
  EXPECT_FALSE(manual.has_value());
  ASSERT_EQ(run_ids.size(), 1u);

  auto lh = catalog::Lakehouse::Open(lakehouse);
  ASSERT_TRUE(lh.has_value());
  auto runs = catalog::ListPipelineRuns(lh->metastore());
  ASSERT_TRUE(runs.has_value());
  ASSERT_EQ(runs->size(), 1u);  // ran once, after the wait
  EXPECT_EQ((*runs)[0].triggered_by, "schedule");
  EXPECT_EQ((*runs)[0].status, catalog::RunStatus::kSucceeded);
  EXPECT_EQ((*runs)[0].started_ms, Utc("2026-11-30 09:00") * 1000 + 50 + 100 + 200);  // after three backoffs
}

}  // namespace
}  // namespace pareto::pipeline
