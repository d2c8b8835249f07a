#include "pipeline/runner.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <mutex>

#include "catalog/lineage.h"
#include "catalog/runs.h"
#include "catalog/writer_lock.h"
#include "delta/table.h"
#include "pipeline/test_util.h"

namespace pareto::pipeline {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;
using testing::TempDir;
using testing::WriteFile;

// A lakehouse with two hand-made bronze tables, and a small project over them:
//   bronze.brz_orders ─┬─> silver.slv_orders ─┬─> gold.gld_by_status
//   bronze.brz_pay ────┘                      └─> gold.gld_top ─> gold.gld_top_count
//   bronze.brz_pay ──────────────────────────────> gold.gld_pay_total
class RunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    lakehouse_ = dir_.path() + "/lakehouse";
    project_ = dir_.path() + "/project";
    WriteFile(project_, "pipeline.yaml", R"y(catalog: shop
expectations:
  silver.slv_orders:
    - {name: id_not_null, condition: "order_id IS NOT NULL", action: fail}
    - {name: known_status, condition: "status IN ('delivered', 'shipped')", action: drop}
    - {name: paid, condition: "paid > 0", action: warn}
)y");
    WriteFile(project_, "silver/slv_orders.sql", R"y(-- One row per order with what was paid.
WITH pay AS (SELECT order_id, sum(value) AS paid FROM bronze.brz_pay GROUP BY order_id)
SELECT o.order_id, o.status, coalesce(pay.paid, 0) AS paid
FROM bronze.brz_orders o LEFT JOIN pay USING (order_id)
ORDER BY o.order_id
)y");
    WriteFile(project_, "gold/gld_by_status.sql",
              "SELECT status, count(*) AS orders, sum(paid) AS revenue FROM silver.slv_orders GROUP BY status ORDER BY status\n");
    WriteFile(project_, "gold/gld_top.sql", "SELECT order_id, paid FROM silver.slv_orders WHERE paid >= 10\n");
    WriteFile(project_, "gold/gld_top_count.sql", "SELECT count(*) AS n FROM gold.gld_top\n");
    WriteFile(project_, "gold/gld_pay_total.sql", "SELECT sum(value) AS total FROM bronze.brz_pay\n");

    auto ms = catalog::Lakehouse::Open(lakehouse_);
    ASSERT_TRUE(ms.has_value()) << ms.error().ToString();
    auto db = duck::Database::Open();
    ASSERT_TRUE(db.has_value());
    auto conn = db->Connect();
    ASSERT_TRUE(conn.has_value());
    MakeBronze(*ms, *conn, "brz_orders",
               "SELECT * FROM (VALUES (1, 'delivered'), (2, 'shipped'), (3, 'canceled'), (4, 'delivered')) "
               "t(order_id, status)");
    MakeBronze(*ms, *conn, "brz_pay", "SELECT * FROM (VALUES (1, 10.0), (1, 5.0), (2, 7.5), (3, 1.0)) t(order_id, value)");
  }

  void MakeBronze(catalog::Lakehouse& lakehouse, duck::Connection& conn, const std::string& name,
                  const std::string& sql) {
    auto commit = lakehouse.Publish(conn, {.name = {"shop", "bronze", name}, .select_sql = sql});
    ASSERT_TRUE(commit.has_value()) << commit.error().ToString();
  }

  RunReport Run(bool full = false) {
    RunOptions options{.project_dir = project_, .lakehouse_root = lakehouse_, .full = full};
    auto report = RunPipeline(options);
    EXPECT_TRUE(report.has_value()) << report.error().ToString();
    return report.value_or(RunReport{});
  }

  // The folder of shop.<layer>.<table>, by the lakehouse's one path rule.
  std::string Path(const std::string& layer_table) {
    const size_t slash = layer_table.find('/');
    const catalog::TableName name{"shop", layer_table.substr(0, slash), layer_table.substr(slash + 1)};
    return lakehouse_ + "/" + name.Location();
  }

  int64_t Version(const std::string& layer_table) {
    auto snapshot = delta::Table(Path(layer_table)).Load();
    return snapshot ? snapshot->version : -1;
  }

  std::vector<std::string> Rows(const std::string& layer_table, const std::string& columns) {
    auto snapshot = delta::Table(Path(layer_table)).Load();
    EXPECT_TRUE(snapshot.has_value());
    auto scan = delta::ScanSql(*snapshot);
    auto db = duck::Database::Open();
    auto conn = db->Connect();
    auto result = conn->Query("SELECT concat_ws('|', " + columns + ") FROM " + *scan + " ORDER BY ALL");
    EXPECT_TRUE(result.has_value()) << result.error().ToString();
    std::vector<std::string> rows;
    for (uint64_t r = 0; r < result->RowCount(); ++r) rows.push_back(result->GetString(0, r));
    return rows;
  }

  TempDir dir_;
  std::string lakehouse_, project_;
};

TEST_F(RunnerTest, BuildsEveryModelInOrderWithExpectationsAndOneCommitEach) {
  RunReport report = Run();
  ASSERT_TRUE(report.ok()) << FormatRunReport(report);
  std::vector<std::string> order;
  for (const TaskReport& t : report.tasks) order.push_back(t.task);
  // Independent golds may end in any order; each after what it reads.
  EXPECT_THAT(order, UnorderedElementsAre("silver.slv_orders", "gold.gld_by_status", "gold.gld_pay_total",
                                          "gold.gld_top", "gold.gld_top_count"));
  const auto at = [&](const std::string& t) { return std::find(order.begin(), order.end(), t) - order.begin(); };
  EXPECT_LT(at("silver.slv_orders"), at("gold.gld_by_status"));
  EXPECT_LT(at("gold.gld_top"), at("gold.gld_top_count"));

  // drop removed the canceled order; warn kept order 4 (nothing paid) and counted it.
  EXPECT_THAT(Rows("silver/slv_orders", "order_id, status, paid"),
              ElementsAre("1|delivered|15.0", "2|shipped|7.5", "4|delivered|0.0"));
  const TaskReport* silver = report.Find("silver.slv_orders");
  ASSERT_NE(silver, nullptr);
  EXPECT_EQ(silver->dropped_rows, 1);
  ASSERT_EQ(silver->expectations.size(), 3u);
  EXPECT_EQ(silver->expectations[1].failed, 1);  // known_status
  EXPECT_EQ(silver->expectations[2].failed, 1);  // paid > 0 (order 4)
  EXPECT_EQ(silver->expectations[2].passed, 3);
  EXPECT_THAT(Rows("gold/gld_by_status", "status, orders, revenue"), ElementsAre("delivered|2|15.0", "shipped|1|7.5"));
  EXPECT_THAT(Rows("gold/gld_top_count", "n"), ElementsAre("1"));
  EXPECT_EQ(Version("silver/slv_orders"), 0);  // one commit

  auto ms = catalog::Metastore::Open(lakehouse_);
  ASSERT_TRUE(ms.has_value());
  auto info = ms->GetTable("shop.silver.slv_orders");
  ASSERT_TRUE(info.has_value() && info->has_value());
  EXPECT_EQ((*info)->comment, "One row per order with what was paid.");
  EXPECT_EQ((*info)->location, "shop/silver/slv_orders");
  auto up = catalog::UpstreamTables(*ms, "shop.silver.slv_orders");
  ASSERT_TRUE(up.has_value());
  EXPECT_THAT(*up, ElementsAre("shop.bronze.brz_orders", "shop.bronze.brz_pay"));
  auto paid = catalog::UpstreamColumns(*ms, {"shop.silver.slv_orders", "paid"});
  ASSERT_TRUE(paid.has_value());
  EXPECT_THAT(*paid, ElementsAre(catalog::ColumnRef{"shop.bronze.brz_pay", "value"}));
  auto results = catalog::ListExpectationResults(*ms, report.run_id);
  ASSERT_TRUE(results.has_value());
  EXPECT_EQ(results->size(), 3u);
  auto tasks = catalog::ListTaskRuns(*ms, report.run_id);
  ASSERT_TRUE(tasks.has_value());
  EXPECT_EQ(tasks->size(), 5u);
  // gld_pay_total reads only bronze, so it may start before silver.
  auto silver_run = std::find_if(tasks->begin(), tasks->end(),
                                 [](const catalog::TaskRun& t) { return t.task == "shop.silver.slv_orders"; });
  ASSERT_NE(silver_run, tasks->end());
  EXPECT_EQ(silver_run->rows_written, 3);
}

TEST_F(RunnerTest, AFailedExpectationCommitsNothingAndStopsOnlyDescendants) {
  WriteFile(project_, "pipeline.yaml", R"y(catalog: shop
expectations:
  gold.gld_top:
    - {name: small, condition: "paid < 12", action: fail}
)y");
  RunReport report = Run();
  EXPECT_FALSE(report.ok());
  const TaskReport* top = report.Find("gold.gld_top");
  ASSERT_NE(top, nullptr);
  EXPECT_EQ(top->state, TaskState::kFailed);
  EXPECT_THAT(top->message, HasSubstr("shop.gold.gld_top"));
  EXPECT_THAT(top->message, HasSubstr("'small' failed for 1 of 1 rows"));
  EXPECT_THAT(top->message, HasSubstr("order_id=1, paid=15.0"));
  EXPECT_FALSE(delta::Table(Path("gold/gld_top")).Exists());
  EXPECT_EQ(report.Find("gold.gld_top_count")->state, TaskState::kSkipped);
  EXPECT_EQ(report.Find("gold.gld_by_status")->state, TaskState::kBuilt);
  EXPECT_EQ(report.Find("gold.gld_pay_total")->state, TaskState::kBuilt);

  auto ms = catalog::Metastore::Open(lakehouse_);
  ASSERT_TRUE(ms.has_value());
  auto run = catalog::GetPipelineRun(*ms, report.run_id);
  ASSERT_TRUE(run.has_value() && run->has_value());
  EXPECT_EQ((*run)->status, catalog::RunStatus::kFailed);
}

TEST_F(RunnerTest, ResumeRerunsOnlyWhatFailedOrWasSkipped) {
  // A planted failure: gld_top's SQL names a column that does not exist.
  WriteFile(project_, "gold/gld_top.sql", "SELECT nope FROM silver.slv_orders\n");
  RunReport failed = Run();
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.Find("gold.gld_top")->state, TaskState::kFailed);
  EXPECT_EQ(failed.Find("gold.gld_top_count")->state, TaskState::kSkipped);
  EXPECT_THAT(failed.Find("gold.gld_top_count")->message, HasSubstr("upstream gold.gld_top failed"));
  EXPECT_EQ(failed.Find("gold.gld_by_status")->state, TaskState::kBuilt);  // a sibling finished
  EXPECT_THAT(failed.first_failure, HasSubstr("gold.gld_top: "));
  EXPECT_THAT(failed.first_failure, HasSubstr("nope"));

  WriteFile(project_, "gold/gld_top.sql", "SELECT order_id, paid FROM silver.slv_orders WHERE paid >= 10\n");
  auto resumed = RunPipeline({.project_dir = project_, .lakehouse_root = lakehouse_, .resume_run = failed.run_id});
  ASSERT_TRUE(resumed.has_value()) << resumed.error().ToString();
  ASSERT_TRUE(resumed->ok()) << FormatRunReport(*resumed);
  std::vector<std::string> ran;
  for (const TaskReport& t : resumed->tasks) ran.push_back(t.task);
  EXPECT_THAT(ran, UnorderedElementsAre("gold.gld_top", "gold.gld_top_count"));
  EXPECT_EQ(Version("gold/gld_by_status"), 0);
  EXPECT_THAT(Rows("gold/gld_top_count", "n"), ElementsAre("1"));

  auto missing = RunPipeline({.project_dir = project_, .lakehouse_root = lakehouse_, .resume_run = 999});
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code(), StatusCode::kNotFound);
}

TEST_F(RunnerTest, SelectRunsATableAndItsDescendants) {
  ASSERT_TRUE(Run().ok());
  auto selected = RunPipeline({.project_dir = project_, .lakehouse_root = lakehouse_, .full = true,
                               .select = {"gold.gld_top+"}});
  ASSERT_TRUE(selected.has_value()) << selected.error().ToString();
  std::vector<std::string> ran;
  for (const TaskReport& t : selected->tasks) ran.push_back(t.task);
  EXPECT_THAT(ran, UnorderedElementsAre("gold.gld_top", "gold.gld_top_count"));
  EXPECT_EQ(Version("gold/gld_top"), 1);
  EXPECT_EQ(Version("silver/slv_orders"), 0);
}

TEST_F(RunnerTest, ChangingOneGoldFileRebuildsItAndItsDescendantsOnly) {
  ASSERT_TRUE(Run().ok());
  RunReport again = Run();
  for (const TaskReport& t : again.tasks) EXPECT_EQ(t.state, TaskState::kUpToDate) << t.task;

  WriteFile(project_, "gold/gld_top.sql", "SELECT order_id, paid FROM silver.slv_orders WHERE paid >= 5\n");
  RunReport changed = Run();
  ASSERT_TRUE(changed.ok()) << FormatRunReport(changed);
  EXPECT_EQ(changed.Find("gold.gld_top")->state, TaskState::kBuilt);
  EXPECT_EQ(changed.Find("gold.gld_top_count")->state, TaskState::kBuilt);
  EXPECT_EQ(changed.Find("silver.slv_orders")->state, TaskState::kUpToDate);
  EXPECT_EQ(changed.Find("gold.gld_by_status")->state, TaskState::kUpToDate);
  EXPECT_EQ(Version("gold/gld_top"), 1);
  EXPECT_EQ(Version("gold/gld_top_count"), 1);
  EXPECT_EQ(Version("silver/slv_orders"), 0);
  EXPECT_EQ(Version("gold/gld_by_status"), 0);
  EXPECT_EQ(Version("gold/gld_pay_total"), 0);
  EXPECT_THAT(Rows("gold/gld_top_count", "n"), ElementsAre("2"));

  RunReport full = Run(/*full=*/true);
  for (const TaskReport& t : full.tasks) EXPECT_EQ(t.state, TaskState::kBuilt) << t.task;
  EXPECT_EQ(Version("gold/gld_by_status"), 1);
}

// pipeline.yaml's ml.horizon_days reaches SQL as the variable ml_horizon_days
// (default 180); changing it rebuilds the models that read it and only those.
TEST_F(RunnerTest, ChangingTheHorizonRebuildsOnlyTheModelsThatReadIt) {
  WriteFile(project_, "gold/gld_window.sql",
            "SELECT getvariable('ml_horizon_days') AS horizon_days, count(*) AS n FROM silver.slv_orders\n");
  ASSERT_TRUE(Run().ok());
  EXPECT_THAT(Rows("gold/gld_window", "horizon_days"), ElementsAre("180"));

  std::ifstream in(project_ + "/pipeline.yaml");
  const std::string yaml((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_FALSE(yaml.empty());
  WriteFile(project_, "pipeline.yaml", yaml + "ml:\n  horizon_days: 90\n");
  RunReport changed = Run();
  ASSERT_TRUE(changed.ok()) << FormatRunReport(changed);
  EXPECT_EQ(changed.Find("gold.gld_window")->state, TaskState::kBuilt);
  EXPECT_THAT(Rows("gold/gld_window", "horizon_days"), ElementsAre("90"));
  for (const char* other : {"silver.slv_orders", "gold.gld_top", "gold.gld_by_status", "gold.gld_pay_total"}) {
    EXPECT_EQ(changed.Find(other)->state, TaskState::kUpToDate) << other;
  }
  RunReport again = Run();
  EXPECT_EQ(again.Find("gold.gld_window")->state, TaskState::kUpToDate);
}

TEST_F(RunnerTest, PostTasksRunAfterTheirTablesAndAreSkippedWhenOneFailed) {
  int calls = 0;
  PostTask task{.name = "ml.train", .depends_on = {"gold.gld_top"}, .run = [&](TaskContext& ctx) -> StatusOr<std::string> {
    ++calls;
    PARETO_ASSIGN_OR_RETURN(int64_t n, ctx.conn.QueryInt64("SELECT count(*) FROM gold.gld_top"));
    return "saw " + std::to_string(n) + " rows";
  }};
  RunOptions options{.project_dir = project_, .lakehouse_root = lakehouse_, .post_tasks = {task}};
  auto report = RunPipeline(options);
  ASSERT_TRUE(report.has_value());
  EXPECT_EQ(report->Find("ml.train")->message, "saw 1 rows");
  EXPECT_EQ(calls, 1);

  WriteFile(project_, "gold/gld_top.sql", "SELECT nope FROM silver.slv_orders\n");
  report = RunPipeline(options);
  ASSERT_TRUE(report.has_value());
  EXPECT_EQ(report->Find("gold.gld_top")->state, TaskState::kFailed);
  EXPECT_EQ(report->Find("ml.train")->state, TaskState::kSkipped);
  EXPECT_EQ(calls, 1);
}

TEST_F(RunnerTest, APostTaskWhoseFingerprintDidNotChangeIsUpToDate) {
  int calls = 0;
  std::string settings = "v1";
  PostTask task{.name = "ml.train", .depends_on = {"gold.gld_top"},
                .run = [&](TaskContext&) -> StatusOr<std::string> {
                  ++calls;
                  return std::string("trained");
                },
                .fingerprint = [&](TaskContext& ctx) -> StatusOr<std::string> {
                  PARETO_ASSIGN_OR_RETURN(int64_t n, ctx.conn.QueryInt64("SELECT count(*) FROM gold.gld_top"));
                  return settings + ":" + std::to_string(n);
                }};
  RunOptions options{.project_dir = project_, .lakehouse_root = lakehouse_, .post_tasks = {task}};
  ASSERT_TRUE(RunPipeline(options).has_value());
  EXPECT_EQ(calls, 1);
  auto again = RunPipeline(options);
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->Find("ml.train")->state, TaskState::kUpToDate);
  EXPECT_EQ(again->Find("ml.train")->message, "up to date");
  EXPECT_EQ(calls, 1);

  settings = "v2";  // a changed setting runs it again
  ASSERT_TRUE(RunPipeline(options).has_value());
  EXPECT_EQ(calls, 2);
  options.full = true;  // and so does a full refresh
  auto full = RunPipeline(options);
  ASSERT_TRUE(full.has_value());
  EXPECT_EQ(full->Find("ml.train")->state, TaskState::kBuilt);
  EXPECT_EQ(calls, 3);

  // The run history keeps what each task read, its attempts and its worker.
  auto ms = catalog::Metastore::Open(lakehouse_);
  ASSERT_TRUE(ms.has_value());
  auto tasks = catalog::ListTaskRuns(*ms, full->run_id);
  ASSERT_TRUE(tasks.has_value());
  ASSERT_EQ(tasks->size(), 6u);
  for (const catalog::TaskRun& t : *tasks) {
    EXPECT_EQ(t.attempts, 1) << t.task;
    EXPECT_TRUE(t.worker.has_value()) << t.task;
    EXPECT_TRUE(t.fingerprint.has_value()) << t.task;
    EXPECT_LE(t.started_ms, t.ended_ms.value_or(0)) << t.task;
    if (t.task == "shop.gold.gld_top") {
      EXPECT_EQ(t.versions_read.value_or(""), R"({"silver.slv_orders":1})");
      EXPECT_EQ(t.rows_read, 3);  // slv_orders' rows
    }
  }
}

TEST_F(RunnerTest, ReportsProgressAsEachTaskStartsAndEnds) {
  std::vector<std::string> events;
  std::mutex mu;  // the task runs on a worker while the observers may be called for others
  PostTask task{.name = "ml.train", .depends_on = {"gold.gld_top"},
                .run = [&](TaskContext&) -> StatusOr<std::string> {
                  std::lock_guard lock(mu);
                  events.push_back("inside ml.train");
                  return std::string("ok");
                }};
  RunOptions options{.project_dir = project_, .lakehouse_root = lakehouse_, .post_tasks = {task}};
  options.on_task_started = [&](const std::string& t) {
    std::lock_guard lock(mu);
    events.push_back("start " + t);
  };
  options.on_task_finished = [&](const TaskReport& r) {
    std::lock_guard lock(mu);
    events.push_back("end " + r.task);
  };
  auto report = RunPipeline(options);
  ASSERT_TRUE(report.has_value());
  // One start and one end per task, the end after the start, in the report's order.
  std::vector<std::string> ends;
  for (const std::string& e : events) {
    if (e.starts_with("end ")) ends.push_back(e.substr(4));
  }
  std::vector<std::string> reported;
  for (const TaskReport& t : report->tasks) reported.push_back(t.task);
  EXPECT_EQ(ends, reported);
  const auto at = [&](const std::string& e) { return std::find(events.begin(), events.end(), e) - events.begin(); };
  EXPECT_LT(at("start ml.train"), at("inside ml.train"));
  EXPECT_LT(at("inside ml.train"), at("end ml.train"));
  for (const std::string& t : reported) EXPECT_LT(at("start " + t), at("end " + t)) << t;
}

TEST_F(RunnerTest, ASecondWriterIsRefusedWithTheLockHolderAndChangesNothing) {
  auto held = catalog::WriterLock::Acquire(lakehouse_, 1'700'000'000'000);
  ASSERT_TRUE(held.has_value()) << held.error().ToString();
  ASSERT_TRUE(held->SetRun(99).ok());
  auto refused = RunPipeline({.project_dir = project_, .lakehouse_root = lakehouse_});
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code(), StatusCode::kConflict);
  EXPECT_THAT(refused.error().message(), HasSubstr("run 99"));
  EXPECT_FALSE(delta::Table(Path("silver/slv_orders")).Exists());
  auto ms = catalog::Metastore::Open(lakehouse_);
  ASSERT_TRUE(ms.has_value());
  auto runs = catalog::ListPipelineRuns(*ms);
  ASSERT_TRUE(runs.has_value());
  EXPECT_TRUE(runs->empty());

  held = std::unexpected(Internal("released"));
  EXPECT_TRUE(Run().ok());
}

TEST_F(RunnerTest, InvalidGraphFailsTheRunBeforeBuildingAnything) {
  WriteFile(project_, "gold/gld_bad.sql", "SELECT * FROM silver.slv_missing\n");
  auto report = RunPipeline({.project_dir = project_, .lakehouse_root = lakehouse_});
  ASSERT_FALSE(report.has_value());
  EXPECT_THAT(report.error().message(), HasSubstr("gld_bad.sql"));
  EXPECT_THAT(report.error().message(), HasSubstr("silver.slv_missing"));
  EXPECT_FALSE(delta::Table(Path("silver/slv_orders")).Exists());
}

TEST_F(RunnerTest, ABuiltModelSaysWhereItsTimeWent) {
  RunReport report = Run();
  const TaskReport* built = report.Find("silver.slv_orders");
  ASSERT_NE(built, nullptr);
  std::vector<std::string> steps;
  for (const auto& [step, ms] : built->profile_ms) {
    steps.push_back(step);
    EXPECT_GE(ms, 0) << step;
  }
  EXPECT_THAT(steps, ElementsAre("attach", "plan", "compute", "expectations", "lineage", "materialize", "parquet",
                                 "stats", "log", "metastore"));
  EXPECT_TRUE(RunReportToJson(report)["tasks"][0].contains("profile_ms"));
  // A model left up to date did no work to profile beyond finding that out.
  RunReport again = Run();
  for (const auto& [step, ms] : again.Find("silver.slv_orders")->profile_ms) {
    EXPECT_THAT(step, ::testing::AnyOf("attach", "plan")) << step;
  }
}

TEST_F(RunnerTest, WorkerSessionsHaveTheRunsMemoryLimitAndSpillUnderTheLakehouse) {
  // DuckDB prints a limit in its own unit: compare with what it prints for the same setting.
  auto db = duck::Database::Open();
  ASSERT_TRUE(db.has_value());
  auto conn = db->Connect();
  ASSERT_TRUE(conn.has_value());
  ASSERT_TRUE(conn->Execute("SET memory_limit = '300MB'").ok());
  auto expected = conn->Query("SELECT current_setting('memory_limit')");
  ASSERT_TRUE(expected.has_value());
  PostTask task{.name = "ml.train", .depends_on = {"gold.gld_top"}, .run = [&](TaskContext& ctx) -> StatusOr<std::string> {
    PARETO_ASSIGN_OR_RETURN(duck::Result r, ctx.conn.Query("SELECT current_setting('memory_limit') || ' ' || "
                                                           "current_setting('temp_directory')"));
    // A sort far past the limit: it must spill, into a folder DuckDB can create.
    PARETO_RETURN_IF_ERROR(ctx.conn.Execute("SET memory_limit = '24MB'; SET threads = 1"));
    auto spilled = ctx.conn.Query("SELECT count(*) FROM (SELECT md5(i::VARCHAR) || md5((i + 1)::VARCHAR) AS s "
                                  "FROM range(600000) t(i) ORDER BY s OFFSET 1)");
    if (!spilled.has_value()) return std::unexpected(spilled.error());
    PARETO_RETURN_IF_ERROR(ctx.conn.Execute("SET memory_limit = '300MB'"));
    return r.GetString(0, 0);
  }};
  RunOptions options{.project_dir = project_, .lakehouse_root = lakehouse_, .memory_limit = "300MB",
                     .post_tasks = {task}};
  auto report = RunPipeline(options);
  ASSERT_TRUE(report.has_value()) << report.error().ToString();
  // Each worker spills into a folder of its own under _meta/tmp (two DuckDB
  // instances sharing one overwrite each other's spill files).
  EXPECT_THAT(report->Find("ml.train")->message,
              ::testing::MatchesRegex(expected->GetString(0, 0) + " " + lakehouse_ + "/_meta/tmp/run-[0-9]+-worker-[0-9]+"));
}

}  // namespace
}  // namespace pareto::pipeline
