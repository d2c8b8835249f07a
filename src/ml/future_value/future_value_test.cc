#include <gtest/gtest.h>

#include <set>

#include "catalog/test_util.h"
#include "delta/table.h"
#include "duck/testing/in_memory.h"
#include "ml/future_value/evaluation.h"
#include "ml/future_value/job.h"
#include "ml/future_value/model.h"
#include "ml/future_value/registration.h"
#include "ml/future_value/snapshots.h"
#include "ml/training/metrics.h"

namespace pareto::ml::fv {
namespace {

// A table shaped like gold.gld_fv_snapshots: four quarterly snapshots with labels
// and the scoring snapshot 2018-07-01 without. Whether a person comes back is
// planted on their review score (and nothing else), so a model can recover it.
constexpr const char* kSnapshotsSql = R"(
CREATE SCHEMA gold;
CREATE TABLE gold.gld_fv_snapshots AS
WITH days AS (
  SELECT * FROM (VALUES (DATE '2017-01-01', true), (DATE '2017-04-01', true), (DATE '2017-07-01', true),
                        (DATE '2017-10-01', true), (DATE '2018-07-01', false)) d(snapshot_date, labels_complete)
),
persons AS (
  SELECT d.snapshot_date, d.labels_complete, p.i,
         hash(p.i, d.snapshot_date) % 1000 / 1000.0 AS u1, hash(p.i + 7, d.snapshot_date) % 1000 / 1000.0 AS u2,
         1 + (hash(p.i) % 5) AS review
  FROM days AS d CROSS JOIN range(1500) p(i)
)
SELECT snapshot_date, 180 AS horizon_days, labels_complete, 'p' || lpad(i::VARCHAR, 5, '0') AS customer_unique_id,
       CASE WHEN i % 3 = 0 THEN 'SP' ELSE 'RJ' END AS customer_state, 'cama_mesa_banho' AS first_category,
       100 + (i % 200) AS tenure_days, 50 + (i % 150) AS recency_days, (i % 4) * 10 AS active_span_days,
       1 + (i % 4 = 0)::INT AS past_orders, 1 + (i % 4 = 0)::INT AS past_purchase_days,
       (50 + i % 300)::DECIMAL(18,2) AS past_spend, 1 AS delivered_orders, 10.0 AS avg_delivery_days,
       -5.0 AS avg_delivery_delay_days, 0.0 AS late_share, 1 AS reviews, review::DOUBLE AS avg_review_score,
       review AS min_review_score,
       CASE WHEN labels_complete THEN (u1 < 0.01 * review * review)::INT END AS future_orders,
       CASE WHEN labels_complete THEN (u1 < 0.01 * review * review)::INT END AS future_purchase_days,
       CASE WHEN labels_complete THEN u1 < 0.01 * review * review END AS repeat_purchase,
       CASE WHEN labels_complete THEN CASE WHEN u1 < 0.01 * review * review THEN 40 + 200 * u2 ELSE 0 END END::DECIMAL(18,2)
         AS future_spend
FROM persons
)";

class FutureValueTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto lakehouse = catalog::Lakehouse::Open(dir_.path());
    ASSERT_TRUE(lakehouse.has_value()) << lakehouse.error().ToString();
    lakehouse_.emplace(std::move(*lakehouse));
    ASSERT_NO_FATAL_FAILURE(duck::testing::OpenInMemory(db_, conn_));
    ASSERT_TRUE(conn_->Execute(kSnapshotsSql).ok());
  }

  catalog::testing::TempDir dir_;
  std::optional<catalog::Lakehouse> lakehouse_;
  std::optional<duck::Database> db_;
  std::optional<duck::Connection> conn_;
};

TEST_F(FutureValueTest, ReadsSnapshotsAndTheScoringDay) {
  auto data = ReadSnapshots(*conn_, kSnapshotsTable);
  ASSERT_TRUE(data.has_value()) << data.error().ToString();
  EXPECT_EQ(DayText(data->scoring_day), "2018-07-01");
  EXPECT_EQ(data->horizon_days, 180);
  EXPECT_EQ(data->LabeledDays().size(), 4u);
  EXPECT_EQ(data->RowsAt(data->scoring_day).size(), 1500u);
  EXPECT_TRUE(std::isnan(data->repeat[data->RowsAt(data->scoring_day)[0]]));
}

// Training reads only the labeled snapshots and scoring only S; both still know S.
TEST_F(FutureValueTest, ReadsOnlyTheLabeledOrOnlyTheScoringRows) {
  auto all = ReadSnapshots(*conn_, kSnapshotsTable);
  auto labeled = ReadSnapshots(*conn_, kSnapshotsTable, SnapshotRows::kLabeled);
  auto scoring = ReadSnapshots(*conn_, kSnapshotsTable, SnapshotRows::kScoring);
  ASSERT_TRUE(all.has_value() && labeled.has_value() && scoring.has_value());
  EXPECT_EQ(labeled->scoring_day, all->scoring_day);
  EXPECT_EQ(scoring->scoring_day, all->scoring_day);
  EXPECT_EQ(labeled->LabeledDays(), all->LabeledDays());
  EXPECT_EQ(labeled->day.size() + scoring->day.size(), all->day.size());
  EXPECT_EQ(scoring->day.size(), all->RowsAt(all->scoring_day).size());
  for (bool complete : labeled->labels_complete) EXPECT_TRUE(complete);
  for (bool complete : scoring->labels_complete) EXPECT_FALSE(complete);
}

// A training row whose label window reaches past the scoring snapshot would put
// the future the model predicts into its training: Fit refuses it, naming dates.
TEST_F(FutureValueTest, FitRefusesALabelWindowEndingAfterTheScoringSnapshot) {
  auto data = ReadSnapshots(*conn_, kSnapshotsTable);
  ASSERT_TRUE(data.has_value());
  std::vector<size_t> rows;
  for (size_t i = 0; i < data->day.size(); ++i) {
    if (data->labels_complete[i]) rows.push_back(i);
  }
  // Scoring at 2018-01-01: the 2017-10-01 window ends 2018-03-30, after it.
  const int64_t early_scoring_day = data->LabeledDays().back() + 92;
  auto refused = Fit(*data, rows, early_scoring_day, ProductionOptions(42));
  ASSERT_FALSE(refused.has_value());
  EXPECT_NE(refused.error().message().find("snapshot 2017-10-01 has a label window ending 2018-03-30"),
            std::string::npos)
      << refused.error().message();
  // Scoring at the real scoring snapshot, every window has ended: accepted.
  EXPECT_TRUE(Fit(*data, rows, data->scoring_day, ProductionOptions(42)).has_value());
}

// Out of time: test on the last labeled snapshot, train on those whose windows
// end by it (2017-01-01 and 2017-04-01): the planted review effect is
// recovered, and the saved model scores the same after loading.
TEST_F(FutureValueTest, RecoversThePlantedSignalOutOfTimeAndRoundTrips) {
  auto data = ReadSnapshots(*conn_, kSnapshotsTable);
  ASSERT_TRUE(data.has_value());
  const std::vector<int64_t> days = data->LabeledDays();
  std::vector<size_t> train;
  for (size_t i = 0; i < data->day.size(); ++i) {
    if (data->labels_complete[i] && data->day[i] + 180 <= days.back()) train.push_back(i);
  }
  ASSERT_EQ(train.size(), 3000u);
  const std::vector<size_t> test = data->RowsAt(days.back());
  auto model = Fit(*data, train, days.back(), ProductionOptions(42));
  ASSERT_TRUE(model.has_value()) << model.error().ToString();
  auto scores = Score(*model, *data, test, /*drivers=*/true);
  ASSERT_TRUE(scores.has_value()) << scores.error().ToString();
  std::vector<double> labels, p;
  for (size_t k = 0; k < test.size(); ++k) {
    labels.push_back(data->repeat[test[k]]);
    p.push_back(scores->repeat_probability(static_cast<Eigen::Index>(k)));
  }
  const double auc = RocAuc(labels, p).value();
  EXPECT_GT(auc, 0.65) << auc;  // planted: 1% come back after a review of 1, 25% after a 5 (the best possible AUC is ~0.72)
  // Expected spend = probability x spend if returning, and the top driver is the review.
  EXPECT_NEAR(scores->expected_spend(0), scores->repeat_probability(0) * scores->conditional_spend(0), 1e-9);
  EXPECT_TRUE(scores->driver[0][0] == "avg_review_score" || scores->driver[0][0] == "min_review_score")
      << scores->driver[0][0];

  const std::string dir = dir_.path() + "/model";
  ASSERT_TRUE(Env::Default()->CreateDirs(dir).ok());
  ASSERT_TRUE(Save(*model, dir).ok());
  auto loaded = Load(dir);
  ASSERT_TRUE(loaded.has_value()) << loaded.error().ToString();
  auto again = Score(*loaded, *data, test, /*drivers=*/false);
  ASSERT_TRUE(again.has_value());
  EXPECT_LT((again->expected_spend - scores->expected_spend).cwiseAbs().maxCoeff(), 1e-9);
}

// Production: trained on the snapshots whose windows end by the newest data,
// one row per person at the scoring snapshot, with its date and horizon.
TEST_F(FutureValueTest, ProductionScoresEveryPersonAtTheNewestSnapshotOutOfSample) {
  auto trained = TrainProduction(dir_.path(), *conn_, 42);
  ASSERT_TRUE(trained.has_value()) << trained.error().ToString();
  EXPECT_EQ(trained->scoring_date, "2018-07-01");
  EXPECT_EQ(trained->training_dates.size(), 4u);
  EXPECT_LE(trained->last_window_end, trained->scoring_date);
  auto model = Load(ProductionDir(dir_.path()));
  ASSERT_TRUE(model.has_value());
  for (int64_t d : model->training_days) EXPECT_LE(d + static_cast<int64_t>(model->horizon_days), model->scoring_day);

  auto scored = ScoreProduction(*lakehouse_, *conn_, "gold.gld_customer_scores", "olist");
  ASSERT_TRUE(scored.has_value()) << scored.error().ToString();
  EXPECT_EQ(scored->rows, 1500);
  delta::Table table(lakehouse_->TablePath(catalog::TableName{"olist", "gold", "gld_customer_scores"}));
  auto snap = table.Load();
  ASSERT_TRUE(snap.has_value()) << snap.error().ToString();
  auto scan = delta::ScanSql(*snap);
  ASSERT_TRUE(scan.has_value());
  EXPECT_EQ(*conn_->QueryInt64("SELECT count(DISTINCT customer_unique_id) FROM " + *scan), 1500);
  EXPECT_EQ(*conn_->QueryInt64("SELECT count(*) FROM " + *scan +
                               " WHERE snapshot_date = DATE '2018-07-01' AND horizon_days = 180 "
                               "AND trained_through <= snapshot_date AND repeat_probability BETWEEN 0 AND 1 "
                               "AND expected_spend >= 0 AND p_alive BETWEEN 0 AND 1 AND driver_1 IS NOT NULL"),
            1500);
}

TEST(SpendMetrics, GiniAndSpearmanOnKnownOrders) {
  const std::vector<double> actual = {0, 0, 10, 0, 50, 5};
  EXPECT_DOUBLE_EQ(NormalizedGini(actual, actual), 1.0);
  const std::vector<double> reversed = {6, 5, 4, 3, 2, 1};  // the largest spends ranked last
  const std::vector<double> perfect = {1, 2, 5, 3, 6, 4};  // 50 > 10 > 5 > the zeros
  EXPECT_DOUBLE_EQ(NormalizedGini(actual, perfect), 1.0);
  EXPECT_LT(NormalizedGini(actual, reversed), 0.0);
  // Spearman with ties at mid-ranks: scipy.stats.spearmanr([1,2,2,3],[1,3,2,4]) = 0.9486832980505138.
  EXPECT_NEAR(Spearman(std::vector<double>{1, 2, 2, 3}, std::vector<double>{1, 3, 2, 4}), 0.9486832980505138, 1e-12);
  EXPECT_NEAR(Spearman(std::vector<double>{1, 2, 3}, std::vector<double>{3, 2, 1}), -1.0, 1e-12);
}

// The evaluation of the planted table: the boosted model, the logistic
// regression and the baseline side by side, out of time, small counts marked.
TEST_F(FutureValueTest, EvaluationPutsEveryModelBesideItsBaseline) {
  auto data = ReadSnapshots(*conn_, kSnapshotsTable);
  ASSERT_TRUE(data.has_value());
  auto e = Evaluate(*data, 200, 42);
  ASSERT_TRUE(e.has_value()) << e.error().ToString();
  EXPECT_EQ(e->test_date, "2017-10-01");
  EXPECT_EQ(e->train_dates, (std::vector<std::string>{"2017-01-01", "2017-04-01"}));
  ASSERT_GE(e->repeat.size(), 3u);
  EXPECT_EQ(e->repeat.front().name, "gbt (boosted)");
  EXPECT_TRUE(e->repeat.back().baseline);
  // The baseline (purchase days, recency) knows nothing of the planted review effect.
  EXPECT_GT(e->gain, 0.05);
  EXPECT_GT(e->gain_ci.low, 0.0);
  EXPECT_EQ(e->deciles.size(), 10u);
  EXPECT_EQ(e->rolling.size(), 2u);  // 2017-07-01 (trained on 2017-01-01) and 2017-10-01
  // BG/NBD's check: every test person in one frequency bucket; actual = the labels' purchase days.
  int64_t in_buckets = 0;
  double actual = 0;
  for (const BucketRow& b : e->buckets) {
    in_buckets += b.persons;
    actual += b.actual;
  }
  if (e->bgnbd_error.empty()) {
    EXPECT_EQ(in_buckets, 1500);
    EXPECT_EQ(actual, static_cast<double>(e->positives));  // one purchase day each in the planted table
  }
  const std::string text = FormatEvaluation(*e);
  EXPECT_NE(text.find("baseline: recency/frequency"), std::string::npos) << text;
  EXPECT_NE(text.find("normalized Gini"), std::string::npos) << text;
  EXPECT_EQ(text.find("unreliable (0"), std::string::npos) << text;
  // With fewer than 30 positives the figures are printed and marked, not ranked.
  FvEvaluation few = *e;
  few.positives = 12;
  EXPECT_NE(FormatEvaluation(few).find("unreliable (12 positives)"), std::string::npos);
}

// The production model in the registry: each trained model is the next
// version of future_value, in production; it carries the evaluation only when
// that was made on the same data, with the baseline and intervals.
TEST_F(FutureValueTest, RegistersTheProductionModelWithItsEvaluation) {
  catalog::Metastore& ms = lakehouse_->metastore();
  const RegisterRequest request{.snapshots_table = "olist.gold.gld_fv_snapshots", .seed = 42};
  auto trained = TrainProduction(dir_.path(), *conn_, 42);
  ASSERT_TRUE(trained.has_value()) << trained.error().ToString();
  auto first = RegisterProduction(ms, *trained, request);
  ASSERT_TRUE(first.has_value()) << first.error().ToString();
  EXPECT_EQ(first->name, kModelName);
  EXPECT_EQ(first->version, 1);
  EXPECT_EQ(first->stage, "production");
  auto card = Env::Default()->ReadFile(dir_.path() + "/" + first->path + "/model_card.md");
  ASSERT_TRUE(card.has_value());
  EXPECT_NE(card->find("Not evaluated"), std::string::npos) << *card;
  auto loaded = Load(dir_.path() + "/" + first->path);  // the version's own copy of the model
  ASSERT_TRUE(loaded.has_value()) << loaded.error().ToString();
  EXPECT_EQ(DayText(loaded->scoring_day), "2018-07-01");

  auto data = ReadSnapshots(*conn_, kSnapshotsTable);
  ASSERT_TRUE(data.has_value());
  auto e = Evaluate(*data, 200, 42);
  ASSERT_TRUE(e.has_value()) << e.error().ToString();
  nlohmann::json evaluation = EvaluationJson(*e);
  ASSERT_TRUE(Env::Default()->WriteFile(EvaluationPath(dir_.path()), evaluation.dump(), true).ok());
  auto second = RegisterProduction(ms, *trained, request);
  ASSERT_TRUE(second.has_value()) << second.error().ToString();
  EXPECT_EQ(second->version, 2);
  EXPECT_DOUBLE_EQ(second->roc_auc, e->repeat.front().roc_auc);
  auto text = Env::Default()->ReadFile(dir_.path() + "/" + second->path + "/metrics.json");
  ASSERT_TRUE(text.has_value());
  const nlohmann::json metrics = nlohmann::json::parse(*text);
  EXPECT_EQ(metrics["snapshot_date"], "2018-07-01");
  EXPECT_EQ(metrics["horizon_days"], 180);
  EXPECT_LE(metrics["trained_through"].get<std::string>(), metrics["snapshot_date"].get<std::string>());
  EXPECT_DOUBLE_EQ(metrics["baseline"]["roc_auc"].get<double>(), e->repeat.back().roc_auc);
  EXPECT_DOUBLE_EQ(metrics["evaluation"]["gain"]["ci"][0].get<double>(), e->gain_ci.low);
  EXPECT_EQ(metrics["evaluation"]["bgnbd_buckets"].size(), e->buckets.size());
  EXPECT_EQ(metrics["evaluation"]["deciles"].size(), 10u);
  auto versions = ListVersions(ms, kModelName);
  ASSERT_TRUE(versions.has_value());
  ASSERT_EQ(versions->size(), 2u);
  for (const ModelVersion& v : *versions) EXPECT_EQ(v.stage, v.version == 2 ? "production" : "archived");

  // An evaluation of other data (another scoring snapshot) is not this model's.
  evaluation["scoring_date"] = "2018-04-01";
  ASSERT_TRUE(Env::Default()->WriteFile(EvaluationPath(dir_.path()), evaluation.dump(), true).ok());
  auto third = RegisterProduction(ms, *trained, request);
  ASSERT_TRUE(third.has_value()) << third.error().ToString();
  EXPECT_EQ(third->roc_auc, 0.0);
  text = Env::Default()->ReadFile(dir_.path() + "/" + third->path + "/metrics.json");
  ASSERT_TRUE(text.has_value());
  EXPECT_TRUE(nlohmann::json::parse(*text)["evaluation"].is_null());
}

}  // namespace
}  // namespace pareto::ml::fv
