// Training inside `pareto run` stops at its task's timeout: the executor's
// watchdog sets the task's cancellation flag, and RunTraining looks at it
// between its steps, so nothing is recorded or registered.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "catalog/lakehouse.h"
#include "catalog/lineage.h"
#include "catalog/model_registry.h"
#include "catalog/test_util.h"
#include "ml/training/train_job.h"
#include "pipeline/executor.h"

namespace pareto::ml {
namespace {

// A clock the test moves, so a timeout passes without waiting for it.
class SteppedClock : public EnvWrapper {
 public:
  SteppedClock() : EnvWrapper(Env::Default()) {}
  int64_t NowMicros() override { return now_us.load(); }
  std::atomic<int64_t> now_us{1'700'000'000'000'000};
};

TEST(TrainJobCancelTest, TrainingPastItsTaskTimeoutStopsAndRegistersNothing) {
  catalog::testing::TempDir dir;
  auto lakehouse = catalog::Lakehouse::Open(dir.path());
  ASSERT_TRUE(lakehouse.has_value());
  catalog::Metastore& ms = lakehouse->metastore();
  auto db = duck::Database::Open();
  ASSERT_TRUE(db.has_value());
  auto conn = db->Connect();
  ASSERT_TRUE(conn.has_value());
  ASSERT_TRUE(conn->Execute("CREATE SCHEMA gold; CREATE TABLE gold.feats AS "
                            "SELECT 'p' || lpad(i::VARCHAR, 5, '0') AS customer_unique_id, "
                            "TIMESTAMPTZ '2017-01-01 00:00:00+00' + INTERVAL (i) HOUR AS first_purchase_ts, "
                            "(i % 10) * 10 + (i * 7919 % 13) AS total_spend, (i % 10) AS installments "
                            "FROM range(200) t(i)").ok());
  // Lineage for the leakage guard: installments comes from a non-monetary source.
  ASSERT_TRUE(ms.UpsertTable({.catalog = "olist", .schema = "silver", .name = "slv_payments",
                              .location = "olist/silver/slv_payments"}).ok());
  ASSERT_TRUE(catalog::ReplaceTableLineage(ms, "olist.gold.feats", {"olist.silver.slv_payments"}).ok());
  ASSERT_TRUE(catalog::ReplaceColumnLineage(ms, "olist.gold.feats",
                                            {{"installments", {"olist.silver.slv_payments", "installments"}}}).ok());
  MlConfig config;
  ProtocolSpec s;
  s.name = "early";
  s.table = "gold.feats";
  s.spend_column = "total_spend";
  s.time_column = "first_purchase_ts";
  s.split = SplitKind::kTime;
  s.features = {"installments"};
  config.protocols.push_back(s);
  config.train.models = {"lr"};
  config.train.cv_folds = 3;
  config.train.bootstrap_resamples = 10;

  auto graph = pipeline::TaskGraph::FromTasks({{.name = "ml.train", .kind = pipeline::TaskKind::kPost}});
  ASSERT_TRUE(graph.has_value());
  SteppedClock clock;
  std::optional<StatusOr<std::vector<ProtocolOutcome>>> trained;
  pipeline::ExecutorOptions options{.workers = 1, .task_timeout_ms = 60'000, .watchdog_poll_ms = 1};
  auto report = pipeline::Execute(*graph, [&](const pipeline::TaskNode&, int) -> Status {
    clock.now_us += 61'000'000;  // the task has been running past its timeout
    for (int i = 0; i < 5000 && !pipeline::TaskCancelled(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    trained = RunTraining(ms, *conn, config, TrainRequest{});
    return trained->has_value() ? OkStatus() : trained->error();
  }, options, &clock);

  ASSERT_TRUE(trained.has_value());
  ASSERT_FALSE(trained->has_value());
  EXPECT_THAT(trained->error().message(), ::testing::HasSubstr("training stopped: its task's timeout passed"));
  EXPECT_EQ(report.first_failure, "ml.train: task ml.train exceeded its 60 s timeout");
  auto versions = catalog::models::ListVersions(ms, config.model_name);
  ASSERT_TRUE(versions.has_value());
  EXPECT_TRUE(versions->empty());
  auto runs = catalog::models::ListRuns(ms, config.model_name, 10);
  ASSERT_TRUE(runs.has_value());
  EXPECT_TRUE(runs->empty());

  // Outside a cancelled task the same training runs and registers its model.
  auto again = RunTraining(ms, *conn, config, TrainRequest{});
  ASSERT_TRUE(again.has_value()) << again.error().ToString();
  ASSERT_TRUE((*again)[0].registered.has_value());
}

}  // namespace
}  // namespace pareto::ml
