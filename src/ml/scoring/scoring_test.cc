#include "ml/scoring/scoring.h"

#include <gtest/gtest.h>

#include <fstream>

#include "catalog/test_util.h"
#include "delta/table.h"
#include "ml/models/logistic.h"
#include "ml/training/train_job.h"

namespace pareto::ml {
namespace {

TEST(ScoreRowsTest, DecilesThresholdAndSignedTopDrivers) {
  // 20 persons; y depends on column 0 only.
  Eigen::MatrixXd x(20, 3);
  Eigen::VectorXd y(20);
  std::vector<std::string> ids;
  for (int i = 0; i < 20; ++i) {
    x(i, 0) = i;
    x(i, 1) = (i * 7) % 5;
    x(i, 2) = (i % 2);
    y(i) = (i >= 10) != (i == 9 || i == 12);
    ids.push_back("p" + std::to_string(i));
  }
  auto lr = LogisticModel::Fit(x, y);
  ASSERT_TRUE(lr.has_value());
  auto scores = ScoreRows(*lr, x, ids, {"a", "b", "b"}, 0.5);
  ASSERT_TRUE(scores.has_value()) << scores.error().ToString();
  ASSERT_EQ(scores->size(), 20u);
  EXPECT_EQ((*scores)[19].decile, 1);  // highest probability
  EXPECT_EQ((*scores)[0].decile, 10);
  std::vector<int> per_decile(11, 0);
  for (const PersonScore& s : *scores) {
    ++per_decile[s.decile];
    EXPECT_EQ(s.predicted, s.probability >= 0.5);
    EXPECT_EQ(s.driver[2], "");  // two source columns only
  }
  for (int d = 1; d <= 10; ++d) EXPECT_EQ(per_decile[d], 2);
  // Person 19 is pushed up by column a: its top driver, with a positive effect.
  EXPECT_EQ((*scores)[19].driver[0], "a");
  EXPECT_GT((*scores)[19].effect[0], 0);
  EXPECT_EQ((*scores)[0].driver[0], "a");
  EXPECT_LT((*scores)[0].effect[0], 0);
}

TEST(ScorePersonsTest, TrainPromoteScoreAndExportAnAudience) {
  catalog::testing::TempDir dir;
  auto lakehouse = catalog::Lakehouse::Open(dir.path());
  ASSERT_TRUE(lakehouse.has_value());
  catalog::Metastore* ms = &lakehouse->metastore();
  auto db = duck::Database::Open();
  ASSERT_TRUE(db.has_value());
  auto conn = db->Connect();
  ASSERT_TRUE(conn.has_value());
  ASSERT_TRUE(conn->Execute("CREATE SCHEMA gold; CREATE TABLE gold.feats AS "
                            "SELECT 'p' || lpad(i::VARCHAR, 5, '0') AS customer_unique_id, "
                            "TIMESTAMPTZ '2017-01-01 00:00:00+00' + INTERVAL (i) HOUR AS first_purchase_ts, "
                            "(i % 10) * 10 + (i * 7919 % 13) AS total_spend, (i % 10) AS installments, "
                            "CASE WHEN i % 3 = 0 THEN 'boleto' ELSE 'credit_card' END AS payment_type "
                            "FROM range(500) t(i)").ok());
  // Lineage for the guard: installments and payment_type come from a non-monetary source.
  catalog::TableInfo src;
  src.catalog = "olist";
  src.schema = "silver";
  src.name = "slv_payments";
  src.location = "olist/silver/slv_payments";
  ASSERT_TRUE(ms->UpsertTable(src).ok());
  ASSERT_TRUE(catalog::ReplaceTableLineage(*ms, "olist.gold.feats", {"olist.silver.slv_payments"}).ok());
  ASSERT_TRUE(catalog::ReplaceColumnLineage(*ms, "olist.gold.feats",
                                            {{"installments", {"olist.silver.slv_payments", "installments"}},
                                             {"payment_type", {"olist.silver.slv_payments", "payment_type"}}}).ok());
  MlConfig config;
  ProtocolSpec s;
  s.name = "early";
  s.table = "gold.feats";
  s.spend_column = "total_spend";
  s.time_column = "first_purchase_ts";
  s.split = SplitKind::kTime;
  s.features = {"installments", "payment_type"};
  config.protocols.push_back(s);
  config.train.models = {"lr", "gbt"};
  config.train.cv_folds = 3;
  config.train.bootstrap_resamples = 50;
  config.train.params.gbt.max_rounds = 50;
  config.scores_table = "gold.scores";

  EXPECT_EQ(ScorePersons(*lakehouse, *conn, config, "olist").error().code(), StatusCode::kNotFound);  // nothing promoted
  auto trained = RunTraining(*ms, *conn, config, TrainRequest{});
  ASSERT_TRUE(trained.has_value()) << trained.error().ToString();
  const ModelVersion v = *(*trained)[0].registered;
  ASSERT_TRUE(Promote(*ms, config.model_name, v.version, 1).ok());
  auto report = ScorePersons(*lakehouse, *conn, config, "olist");
  ASSERT_TRUE(report.has_value()) << report.error().ToString();
  EXPECT_EQ(report->rows, 500);
  EXPECT_EQ(report->version.version, v.version);

  auto info = ms->GetTable("olist.gold.scores");
  ASSERT_TRUE(info.has_value() && info->has_value());
  EXPECT_EQ(lakehouse->Version(**info).value(), report->delta_version);
  delta::Table table(lakehouse->TablePath(catalog::TableName{"olist", "gold", "scores"}));
  auto snap = table.Load();
  ASSERT_TRUE(snap.has_value()) << snap.error().ToString();
  auto scan = delta::ScanSql(*snap);
  ASSERT_TRUE(scan.has_value());
  EXPECT_EQ(*conn->QueryInt64("SELECT count(*) FROM " + *scan + " WHERE decile BETWEEN 1 AND 10 AND model_version = " +
                              std::to_string(v.version)), 500);

  ASSERT_TRUE(conn->Execute("CREATE VIEW gold.scores AS SELECT * FROM " + *scan).ok());
  const std::string out = dir.path() + "/audience.csv";
  auto n = WriteAudience(*conn, config, 0.10, out);
  ASSERT_TRUE(n.has_value()) << n.error().ToString();
  EXPECT_EQ(*n, 50);
  EXPECT_EQ(*conn->QueryInt64("SELECT count(*) FROM read_csv('" + out + "')"), 50);
  // The audience is the top of the ranking.
  EXPECT_EQ(*conn->QueryInt64("SELECT count(*) FROM read_csv('" + out + "') WHERE decile = 1"), 50);
}

}  // namespace
}  // namespace pareto::ml
