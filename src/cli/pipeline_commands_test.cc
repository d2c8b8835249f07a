// `pareto dag`, `run --jobs`, `runs` and the writer lock through the built
// binary (env PARETO_BINARY, set by ctest): output, --json and exit codes.
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "catalog/lakehouse.h"
#include "catalog/runs.h"
#include "catalog/writer_lock.h"
#include "cli/testing/cli_run.h"
#include "cli/testing/publish_tables.h"
#include "common/testing/temp_dir.h"

namespace pareto::cli {
namespace {

using ::pareto::testing::TempDir;
using ::testing::HasSubstr;

using testing::CliRun;
using testing::RunBinary;

void Write(const std::string& path, const std::string& text) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path) << text;
}

// bronze.brz_orders ─> silver.slv_a ─┬─> gold.gld_n
//                                    └─> gold.gld_m
class PipelineCommandsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    binary_ = testing::BinaryUnderTest();
    if (binary_.empty()) GTEST_SKIP() << "PARETO_BINARY is not set to a built pareto (run through ctest)";
    lakehouse_ = dir_.path() + "/lakehouse";
    project_ = dir_.path() + "/project";
    Write(project_ + "/pipeline.yaml", "catalog: olist\n");
    Write(project_ + "/silver/slv_a.sql", "SELECT * FROM bronze.brz_orders\n");
    Write(project_ + "/gold/gld_n.sql", "SELECT count(*) AS n FROM silver.slv_a\n");
    Write(project_ + "/gold/gld_m.sql", "SELECT max(id) AS m FROM silver.slv_a\n");
    const Status published =
        testing::PublishTables(lakehouse_, {{.name = {"olist", "bronze", "brz_orders"},
                                             .select_sql = "SELECT * FROM (VALUES (1, 'a'), (2, 'b')) v(id, name)"}});
    ASSERT_TRUE(published.ok()) << published.ToString();
  }

  CliRun Pareto(const std::vector<std::string>& args) {
    std::vector<std::string> full = {"--lakehouse", lakehouse_, "--project", project_};
    full.insert(full.end(), args.begin(), args.end());
    return RunBinary(binary_, full, dir_.path() + "/stderr.txt");
  }

  TempDir dir_;
  std::string binary_, lakehouse_, project_;
};

TEST_F(PipelineCommandsTest, DagPrintsTheTasksAsTextDotAndJson) {
  CliRun text = Pareto({"dag"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_THAT(text.out, HasSubstr("gold.gld_n"));
  EXPECT_THAT(text.out, HasSubstr("(model)  <- silver.slv_a"));
  CliRun dot = Pareto({"dag", "--dot"});
  ASSERT_EQ(dot.exit_code, 0) << dot.err;
  EXPECT_THAT(dot.out, HasSubstr("\"silver.slv_a\" -> \"gold.gld_m\";"));
  CliRun json = Pareto({"dag", "--json"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  const nlohmann::json graph = nlohmann::json::parse(json.out);
  EXPECT_EQ(graph["nodes"].size(), 3u);
  EXPECT_EQ(graph["edges"].size(), 2u);
  EXPECT_EQ(graph["nodes"][0]["kind"], "model");
}

TEST_F(PipelineCommandsTest, RunsAreListedAndShownWithTheirTasks) {
  CliRun first = Pareto({"run", "--jobs", "2"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  CliRun second = Pareto({"run", "--jobs", "2"});
  ASSERT_EQ(second.exit_code, 0) << second.err;

  CliRun list = Pareto({"runs", "--json"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  const nlohmann::json runs = nlohmann::json::parse(list.out);
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[0]["id"], 2);  // newest first
  EXPECT_EQ(runs[0]["status"], "succeeded");
  EXPECT_EQ(runs[0]["trigger"], "manual");
  EXPECT_EQ(runs[0]["message"], "0 built, 3 up to date, 0 failed, 0 skipped");

  CliRun show = Pareto({"runs", "show", "1", "--json"});
  ASSERT_EQ(show.exit_code, 0) << show.err;
  const nlohmann::json run = nlohmann::json::parse(show.out);
  ASSERT_EQ(run["tasks"].size(), 3u);
  for (const auto& t : run["tasks"]) {
    EXPECT_EQ(t["status"], "succeeded") << t.dump();
    EXPECT_EQ(t["attempts"], 1) << t.dump();
    EXPECT_LE(t["started_ms"].get<int64_t>(), t["ended_ms"].get<int64_t>()) << t.dump();
    if (t["task"] == "olist.gold.gld_n") {
      EXPECT_EQ(t["versions_read"]["silver.slv_a"], 0);
      EXPECT_EQ(t["rows_written"], 1);
      EXPECT_EQ(t["rows_read"], 2);  // slv_a's two rows
    }
  }
  CliRun table = Pareto({"runs", "show", "1"});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_THAT(table.out, HasSubstr("olist.silver.slv_a"));

  CliRun missing = Pareto({"runs", "show", "99"});
  EXPECT_EQ(missing.exit_code, 66);
}

TEST_F(PipelineCommandsTest, APlantedFailureSkipsItsDescendantsAndResumeFinishesTheRest) {
  Write(project_ + "/gold/gld_n.sql", "SELECT count(nope) AS n FROM silver.slv_a\n");
  Write(project_ + "/gold/gld_after_n.sql", "SELECT n FROM gold.gld_n\n");
  CliRun failed = Pareto({"run", "--jobs", "2"});
  EXPECT_EQ(failed.exit_code, 65);
  // The cause, on one line: the last line of stderr names the run and the task.
  const std::string last = failed.err.substr(failed.err.rfind("pareto: "));
  EXPECT_THAT(last, HasSubstr("run 1 failed: gold.gld_n: "));
  EXPECT_EQ(last.find('\n'), last.size() - 1) << last;
  CliRun show = Pareto({"runs", "show", "1", "--json"});
  ASSERT_EQ(show.exit_code, 0) << show.err;
  std::map<std::string, std::string> status;
  const nlohmann::json shown = nlohmann::json::parse(show.out);
  for (const auto& t : shown["tasks"]) status[t["task"].get<std::string>()] = t["status"].get<std::string>();
  EXPECT_EQ(status["olist.gold.gld_n"], "failed");
  EXPECT_EQ(status["olist.gold.gld_after_n"], "skipped");
  EXPECT_EQ(status["olist.gold.gld_m"], "succeeded");  // a sibling finished
  EXPECT_EQ(status["olist.silver.slv_a"], "succeeded");

  Write(project_ + "/gold/gld_n.sql", "SELECT count(*) AS n FROM silver.slv_a\n");
  CliRun resumed = Pareto({"run", "--resume", "1", "--json"});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  std::vector<std::string> ran;
  const nlohmann::json report = nlohmann::json::parse(resumed.out);
  for (const auto& t : report["tasks"]) ran.push_back(t["task"].get<std::string>());
  EXPECT_THAT(ran, ::testing::UnorderedElementsAre("gold.gld_n", "gold.gld_after_n"));
}

TEST_F(PipelineCommandsTest, ASecondWriterExits75NamingTheHolder) {
  auto held = catalog::WriterLock::Acquire(lakehouse_, 1'700'000'000'000);
  ASSERT_TRUE(held.has_value()) << held.error().ToString();
  ASSERT_TRUE(held->SetRun(12).ok());
  CliRun refused = Pareto({"run"});
  EXPECT_EQ(refused.exit_code, 75);
  EXPECT_THAT(refused.err, HasSubstr("is being written by pid " + std::to_string(getpid())));
  EXPECT_THAT(refused.err, HasSubstr("run 12"));
  CliRun ingest = Pareto({"ingest", "--source", dir_.path()});  // another writer
  EXPECT_EQ(ingest.exit_code, 75) << ingest.err;
  // Readers never wait for it.
  CliRun read = Pareto({"sql", "SELECT count(*) AS n FROM bronze.brz_orders"});
  EXPECT_EQ(read.exit_code, 0) << read.err;
  EXPECT_THAT(read.out, HasSubstr("2"));
}

TEST_F(PipelineCommandsTest, WaitForLockWaitsUpToItsLimitThenExits75SayingHowLong) {
  auto held = catalog::WriterLock::Acquire(lakehouse_, 1'700'000'000'000);
  ASSERT_TRUE(held.has_value()) << held.error().ToString();
  CliRun refused = Pareto({"run", "--wait-for-lock", "300ms"});
  EXPECT_EQ(refused.exit_code, 75);
  EXPECT_THAT(refused.err, HasSubstr("is being written by pid " + std::to_string(getpid())));
  EXPECT_THAT(refused.err, ::testing::ContainsRegex("\\(waited 3[0-9][0-9] ms\\)"));  // 300 ms and the last poll
  EXPECT_THAT(refused.err, HasSubstr("pareto run: waiting: lakehouse "));  // said at once why nothing happens
  CliRun bad = Pareto({"run", "--wait-for-lock", "soon"});
  EXPECT_EQ(bad.exit_code, 64) << bad.err;
}

TEST_F(PipelineCommandsTest, ATaskPastItsTimeoutIsInterruptedAndItsSiblingsFinish) {
  // Ten billion rows: far longer than the timeout, so only the interrupt ends it.
  Write(project_ + "/gold/gld_n.sql",
        "SELECT sum(a.range * b.range) AS n FROM range(100000) a, range(100000) b, silver.slv_a\n");
  Write(project_ + "/gold/gld_after_n.sql", "SELECT n FROM gold.gld_n\n");
  Write(project_ + "/pipeline.yaml", "catalog: olist\nrun: {task_timeout: 1h}\n");
  CliRun failed = Pareto({"run", "--jobs", "2", "--task-timeout", "1s"});  // the flag wins over the file
  EXPECT_EQ(failed.exit_code, 65) << failed.err;
  EXPECT_THAT(failed.err, HasSubstr("run 1 failed: gold.gld_n: task gold.gld_n exceeded its 1 s timeout"));
  CliRun show = Pareto({"runs", "show", "1", "--json"});
  ASSERT_EQ(show.exit_code, 0) << show.err;
  const nlohmann::json shown = nlohmann::json::parse(show.out);
  std::map<std::string, nlohmann::json> tasks;
  for (const auto& t : shown["tasks"]) tasks[t["task"].get<std::string>()] = t;
  EXPECT_EQ(tasks["olist.gold.gld_n"]["status"], "failed");
  EXPECT_EQ(tasks["olist.gold.gld_n"]["message"], "task gold.gld_n exceeded its 1 s timeout");
  EXPECT_LT(tasks["olist.gold.gld_n"]["ended_ms"].get<int64_t>() - tasks["olist.gold.gld_n"]["started_ms"].get<int64_t>(),
            30'000);  // interrupted, not run to the end
  EXPECT_EQ(tasks["olist.gold.gld_after_n"]["status"], "skipped");
  EXPECT_EQ(tasks["olist.gold.gld_m"]["status"], "succeeded");
}

TEST_F(PipelineCommandsTest, ProgressIsOnePlainLineATaskEventOffATerminalAndQuietLeavesTheLastLine) {
  CliRun run = Pareto({"run", "--jobs", "1"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.err, HasSubstr("pareto run: silver.slv_a started\n"));
  EXPECT_THAT(run.err, ::testing::ContainsRegex("pareto run: silver.slv_a built, 2 rows \\([0-9.]+ s\\)\n"));
  EXPECT_EQ(run.err.find("\x1b["), std::string::npos);  // no cursor codes nor colour off a terminal
  EXPECT_THAT(run.out, HasSubstr("task "));  // the report table

  CliRun quiet = Pareto({"run", "--quiet"});
  ASSERT_EQ(quiet.exit_code, 0) << quiet.err;
  EXPECT_EQ(quiet.err, "");
  EXPECT_THAT(quiet.out, ::testing::MatchesRegex("run 2 succeeded in [0-9]+ ms\n"));
}

TEST_F(PipelineCommandsTest, ScheduleShowPrintsTheNextFireTimesLocalAndUtc) {
  CliRun none = Pareto({"schedule", "show"});
  EXPECT_EQ(none.exit_code, 66);
  EXPECT_THAT(none.err, HasSubstr("has no `schedule:`"));

  Write(project_ + "/pipeline.yaml",
        "catalog: olist\ntimezone: America/New_York\nschedule: {cron: \"30 2 * * *\"}\n");
  CliRun show = Pareto({"schedule", "show", "-n", "3", "--after", "2026-03-06 12:00"});
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_EQ(show.out,
            "schedule `30 2 * * *` in America/New_York\n"
            "local               UTC\n"
            "2026-03-07 02:30    2026-03-07 07:30\n"
            "2026-03-08 03:30    2026-03-08 07:30\n"  // 02:30 does not exist that night
            "2026-03-09 02:30    2026-03-09 06:30\n");
  CliRun json = Pareto({"schedule", "show", "-n", "1", "--after", "2026-03-06 12:00", "--json"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  EXPECT_EQ(nlohmann::json::parse(json.out)["next"][0]["offset_s"], -5 * 3600);

  Write(project_ + "/pipeline.yaml", "catalog: olist\ntimezone: UTC\nschedule: {cron: \"0 24 * * *\"}\n");
  CliRun bad = Pareto({"schedule", "show"});
  EXPECT_EQ(bad.exit_code, 64);
  EXPECT_THAT(bad.err, HasSubstr("pipeline.yaml:3: cron hour field `24`: 24 is out of 0-23"));
}

// A clock five days back, to record a scheduled run that old.
class FiveDaysAgo : public EnvWrapper {
 public:
  FiveDaysAgo() : EnvWrapper(Env::Default()) {}
  int64_t NowMicros() override { return target()->NowMicros() - int64_t{5} * 86'400 * 1'000'000; }
};

TEST_F(PipelineCommandsTest, ScheduleRunMakesUpMissedSlotsOnceAndRecordsTheTrigger) {
  Write(project_ + "/pipeline.yaml",
        "catalog: olist\ntimezone: America/Sao_Paulo\nschedule: {cron: \"0 6 * * *\"}\n");
  {
    // The last scheduled run was five days ago: five 06:00 slots were missed since.
    FiveDaysAgo clock;
    auto lh = catalog::Lakehouse::Open(lakehouse_, &clock);
    ASSERT_TRUE(lh.has_value());
    auto id = catalog::StartPipelineRun(lh->metastore(), "olist", "schedule");
    ASSERT_TRUE(id.has_value());
    ASSERT_TRUE(catalog::FinishPipelineRun(lh->metastore(), *id, catalog::RunStatus::kSucceeded, "ok").ok());
  }
  CliRun ran = Pareto({"schedule", "run", "--max-runs", "1", "--jobs", "2"});
  ASSERT_EQ(ran.exit_code, 0) << ran.err;
  EXPECT_THAT(ran.err, HasSubstr("was missed; running it now"));
  EXPECT_THAT(ran.err, ::testing::ContainsRegex("run 2 succeeded in [0-9]+ ms"));

  CliRun list = Pareto({"runs", "--json"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  const nlohmann::json runs = nlohmann::json::parse(list.out);
  ASSERT_EQ(runs.size(), 2u);  // one run for five missed slots
  EXPECT_EQ(runs[0]["trigger"], "schedule");
  EXPECT_EQ(runs[0]["status"], "succeeded");
}

}  // namespace
}  // namespace pareto::cli
