#include "catalog/runs.h"

#include <gtest/gtest.h>

#include "catalog/test_util.h"

namespace pareto::catalog {
namespace {

using ::pareto::catalog::testing::TempDir;

class FakeClockEnv : public EnvWrapper {
 public:
  FakeClockEnv() : EnvWrapper(Env::Default()) {}
  int64_t NowMicros() override { return now_ms * 1000; }
  int64_t now_ms = 1'000;
};

TEST(RunsTest, KeepsAttemptsVersionsReadAndTheLatestFingerprintOfATask) {
  TempDir dir;
  auto ms = Metastore::Open(dir.path());
  ASSERT_TRUE(ms.has_value());
  auto run = StartPipelineRun(*ms, "olist", "manual");
  ASSERT_TRUE(run.has_value());
  auto none = LastTaskFingerprint(*ms, "ml.train");
  ASSERT_TRUE(none.has_value());
  EXPECT_FALSE(none->has_value());

  auto first = StartTaskRun(*ms, *run, "ml.train");
  ASSERT_TRUE(first.has_value());
  ASSERT_TRUE(FinishTaskRun(*ms, *first, {.attempts = 2, .worker = 1, .rows_read = 10,
                                          .versions_read = R"({"gold.gld_x":3})", .fingerprint = "abc"}).ok());
  auto failed = StartTaskRun(*ms, *run, "ml.train");  // a failure records no fingerprint
  ASSERT_TRUE(failed.has_value());
  ASSERT_TRUE(FinishTaskRun(*ms, *failed, {.status = RunStatus::kFailed, .message = "boom"}).ok());
  auto other = StartTaskRun(*ms, *run, "ml.score");
  ASSERT_TRUE(other.has_value());
  ASSERT_TRUE(FinishTaskRun(*ms, *other, {.fingerprint = "zzz"}).ok());

  auto latest = LastTaskFingerprint(*ms, "ml.train");
  ASSERT_TRUE(latest.has_value());
  EXPECT_EQ(latest->value_or(""), "abc");
  auto tasks = ListTaskRuns(*ms, *run);
  ASSERT_TRUE(tasks.has_value());
  ASSERT_EQ(tasks->size(), 3u);
  EXPECT_EQ(tasks->front().attempts, 2);
  EXPECT_EQ(tasks->front().worker, 1);
  EXPECT_EQ(tasks->front().rows_read, 10);
  EXPECT_EQ(tasks->front().versions_read.value_or(""), R"({"gold.gld_x":3})");
  EXPECT_FALSE((*tasks)[1].fingerprint.has_value());
}

TEST(RunsTest, RecordsARunWithTasksFromStartToFinish) {
  TempDir dir;
  FakeClockEnv env;
  auto ms = Metastore::Open(dir.path(), &env);
  ASSERT_TRUE(ms.has_value());
  auto run = StartPipelineRun(*ms, "olist", "manual");
  ASSERT_TRUE(run.has_value()) << run.error().ToString();
  env.now_ms = 2'000;
  auto ok_task = StartTaskRun(*ms, *run, "olist.silver.slv_a");
  auto bad_task = StartTaskRun(*ms, *run, "olist.silver.slv_b");
  ASSERT_TRUE(ok_task.has_value() && bad_task.has_value());
  env.now_ms = 3'000;
  ASSERT_TRUE(FinishTaskRun(*ms, *ok_task, {.rows_written = 42, .delta_version = 1}).ok());
  ASSERT_TRUE(FinishTaskRun(*ms, *bad_task, {.status = RunStatus::kFailed, .message = "expectation failed"}).ok());
  env.now_ms = 4'000;
  ASSERT_TRUE(FinishPipelineRun(*ms, *run, RunStatus::kFailed, "1 task failed").ok());

  auto got = GetPipelineRun(*ms, *run);
  ASSERT_TRUE(got.has_value() && got->has_value());
  EXPECT_EQ((*got)->pipeline, "olist");
  EXPECT_EQ((*got)->triggered_by, "manual");
  EXPECT_EQ((*got)->status, RunStatus::kFailed);
  EXPECT_EQ((*got)->message, "1 task failed");
  EXPECT_EQ((*got)->started_ms, 1'000);
  EXPECT_EQ((*got)->ended_ms, 4'000);

  auto tasks = ListTaskRuns(*ms, *run);
  ASSERT_TRUE(tasks.has_value());
  ASSERT_EQ(tasks->size(), 2u);
  EXPECT_EQ((*tasks)[0].task, "olist.silver.slv_a");
  EXPECT_EQ((*tasks)[0].status, RunStatus::kSucceeded);
  EXPECT_EQ((*tasks)[0].rows_written, 42);
  EXPECT_EQ((*tasks)[0].delta_version, 1);
  EXPECT_EQ((*tasks)[0].ended_ms, 3'000);
  EXPECT_EQ((*tasks)[1].status, RunStatus::kFailed);
  EXPECT_EQ((*tasks)[1].rows_written, std::nullopt);
}

TEST(RunsTest, FinishingTwiceOrUnknownIdsFail) {
  TempDir dir;
  auto ms = Metastore::Open(dir.path());
  ASSERT_TRUE(ms.has_value());
  auto run = StartPipelineRun(*ms, "olist", "schedule");
  ASSERT_TRUE(run.has_value());
  ASSERT_TRUE(FinishPipelineRun(*ms, *run, RunStatus::kSucceeded, "").ok());
  EXPECT_EQ(FinishPipelineRun(*ms, *run, RunStatus::kFailed, "").code(), StatusCode::kConflict);
  EXPECT_EQ(FinishPipelineRun(*ms, *run + 100, RunStatus::kFailed, "").code(), StatusCode::kNotFound);
  EXPECT_EQ(FinishPipelineRun(*ms, *run, RunStatus::kRunning, "").code(), StatusCode::kInvalidArgument);
  auto orphan = StartTaskRun(*ms, *run + 100, "t");
  ASSERT_FALSE(orphan.has_value());
  EXPECT_EQ(orphan.error().code(), StatusCode::kNotFound);
  EXPECT_EQ(FinishTaskRun(*ms, 12345, {}).code(), StatusCode::kNotFound);
}

TEST(RunsTest, ListsRunsNewestFirstAndFiltersByPipeline) {
  TempDir dir;
  auto ms = Metastore::Open(dir.path());
  ASSERT_TRUE(ms.has_value());
  auto a = StartPipelineRun(*ms, "olist", "manual");
  auto b = StartPipelineRun(*ms, "other", "manual");
  auto c = StartPipelineRun(*ms, "olist", "schedule");
  ASSERT_TRUE(a.has_value() && b.has_value() && c.has_value());
  auto olist = ListPipelineRuns(*ms, "olist");
  ASSERT_TRUE(olist.has_value());
  ASSERT_EQ(olist->size(), 2u);
  EXPECT_EQ((*olist)[0].id, *c);
  EXPECT_EQ((*olist)[1].id, *a);
  EXPECT_EQ(ListPipelineRuns(*ms, "", 1).value().size(), 1u);
  EXPECT_EQ(ListPipelineRuns(*ms).value().size(), 3u);
}

TEST(RunsTest, StoresExpectationResultsPerRunAndTable) {
  TempDir dir;
  FakeClockEnv env;
  auto ms = Metastore::Open(dir.path(), &env);
  ASSERT_TRUE(ms.has_value());
  auto run = StartPipelineRun(*ms, "olist", "manual");
  ASSERT_TRUE(run.has_value());
  ASSERT_TRUE(RecordExpectationResult(*ms, {.run_id = *run,
                                            .table = "olist.silver.slv_orders",
                                            .expectation = "valid_status",
                                            .action = ExpectationAction::kDrop,
                                            .passed_rows = 990,
                                            .failed_rows = 10})
                  .ok());
  env.now_ms = 5'000;
  ASSERT_TRUE(RecordExpectationResult(*ms, {.table = "olist.silver.slv_orders",
                                            .expectation = "has_customer",
                                            .action = ExpectationAction::kWarn,
                                            .passed_rows = 1000})
                  .ok());
  auto of_run = ListExpectationResults(*ms, *run);
  ASSERT_TRUE(of_run.has_value());
  ASSERT_EQ(of_run->size(), 1u);
  EXPECT_EQ((*of_run)[0].expectation, "valid_status");
  EXPECT_EQ((*of_run)[0].action, ExpectationAction::kDrop);
  EXPECT_EQ((*of_run)[0].failed_rows, 10);
  EXPECT_EQ((*of_run)[0].recorded_ms, 1'000);
  auto of_table = ListExpectationResultsForTable(*ms, "olist.silver.slv_orders");
  ASSERT_TRUE(of_table.has_value());
  ASSERT_EQ(of_table->size(), 2u);
  EXPECT_EQ((*of_table)[0].expectation, "has_customer");
  EXPECT_EQ((*of_table)[0].run_id, std::nullopt);

  EXPECT_EQ(RecordExpectationResult(*ms, {.run_id = *run + 7, .table = "t", .expectation = "e"}).code(),
            StatusCode::kNotFound);
  EXPECT_EQ(ParseExpectationAction("explode").error().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseExpectationAction("fail").value(), ExpectationAction::kFail);
}

TEST(RunsTest, LatestExpectationResultsKeepEachTablesLastMeasuringRun) {
  TempDir dir;
  auto ms = Metastore::Open(dir.path());
  ASSERT_TRUE(ms.has_value());
  for (const char* name : {"a", "b"}) {
    ASSERT_TRUE(ms->UpsertTable({.catalog = "c", .schema = "s", .name = name, .location = std::string("c/s/") + name})
                    .ok());
  }
  auto first = StartPipelineRun(*ms, "p", "test");
  ASSERT_TRUE(first.has_value());
  for (const char* e : {"e1", "e2"}) {
    ASSERT_TRUE(RecordExpectationResult(*ms, {.run_id = *first, .table = "c.s.a", .expectation = e, .passed_rows = 1})
                    .ok());
  }
  ASSERT_TRUE(RecordExpectationResult(*ms, {.run_id = *first, .table = "c.s.b", .expectation = "old"}).ok());
  auto second = StartPipelineRun(*ms, "p", "test");
  ASSERT_TRUE(second.has_value());
  ASSERT_TRUE(RecordExpectationResult(*ms, {.run_id = *second, .table = "c.s.b", .expectation = "new"}).ok());

  auto latest = LatestExpectationResults(*ms);
  ASSERT_TRUE(latest.has_value()) << latest.error().ToString();
  std::vector<std::string> seen;
  for (const ExpectationResult& r : *latest) seen.push_back(r.table + ":" + r.expectation);
  // a was up to date in the second run: it keeps the first run's results, in declaration order.
  EXPECT_EQ(seen, (std::vector<std::string>{"c.s.a:e1", "c.s.a:e2", "c.s.b:new"}));
}

}  // namespace
}  // namespace pareto::catalog
