#include "ml/training/trainer.h"

#include <gtest/gtest.h>

#include "ml/training/test_frames.h"

namespace pareto::ml {
namespace {

TrainOptions FastOptions() {
  TrainOptions o;
  o.params.rf.trees = 20;
  o.params.rf.max_depth = 6;
  o.params.gbt.max_rounds = 150;
  o.params.gbt.learning_rate = 0.2;
  o.bootstrap_resamples = 100;
  o.cv_folds = 3;
  return o;
}

ProtocolSpec EarlySpec() {
  ProtocolSpec s;
  s.name = "early";
  s.table = "gold.t";
  s.spend_column = "total_spend";
  s.time_column = "first_purchase_ts";
  s.split = SplitKind::kTime;
  s.features = {"items", "weight", "noise", "state"};
  return s;
}

TEST(SpendThresholdTest, IsAnActualValueAtTheQuantile) {
  EXPECT_DOUBLE_EQ(SpendThreshold({10, 20, 30, 40}, 0.75), 30);  // 3 of 4 at or below
  EXPECT_DOUBLE_EQ(SpendThreshold({40, 10, 30, 20, 50}, 0.75), 40);  // ceil(3.75) = 4th
  EXPECT_DOUBLE_EQ(SpendThreshold({5}, 0.75), 5);
}

TEST(TrainProtocolTest, OutOfTimeSplitWithTrainingOnlyThreshold) {
  const Frame frame = testing::SyntheticPersons(1000, 1);
  auto r = TrainProtocol(frame, EarlySpec(), FastOptions());
  ASSERT_TRUE(r.has_value()) << r.error().ToString();
  EXPECT_EQ(r->test_rows, 200);  // the latest 20%
  ASSERT_TRUE(r->spend_threshold.has_value());
  std::vector<double> train_spend(frame.columns[1].numbers.begin(), frame.columns[1].numbers.begin() + 800);
  EXPECT_DOUBLE_EQ(*r->spend_threshold, SpendThreshold(train_spend, 0.75));
  EXPECT_GE(r->train_positives, 200);  // >= 25% of 800
  ASSERT_EQ(r->models.size(), 3u);
  for (const ModelResult& m : r->models) {
    EXPECT_GT(m.test.roc_auc, 0.8) << m.kind;
    EXPECT_EQ(m.cv_auc.size(), 3u);
    EXPECT_LE(m.test.roc_auc_ci.low, m.test.roc_auc);
    EXPECT_GE(m.test.roc_auc_ci.high, m.test.roc_auc);
    ASSERT_FALSE(m.drivers.empty());
    // The noise column is never the strongest driver; the category is one column.
    EXPECT_NE(m.drivers.front().feature, "noise") << m.kind;
    EXPECT_EQ(std::count_if(m.drivers.begin(), m.drivers.end(), [](const Driver& d) { return d.feature == "state"; }), 1);
  }
}

TEST(TrainProtocolTest, CrossValidationDoesNotDependOnHowManyFoldsRunAtOnce) {
  const Frame frame = testing::SyntheticPersons(600, 4);
  std::vector<std::vector<double>> seen;
  for (int workers : {1, 2, 5}) {
    TrainOptions o = FastOptions();
    o.cv_folds = 5;
    o.cv_workers = workers;
    auto r = TrainProtocol(frame, EarlySpec(), o);
    ASSERT_TRUE(r.has_value()) << r.error().ToString();
    std::vector<double> aucs;
    for (const ModelResult& m : r->models) {
      ASSERT_EQ(m.cv_auc.size(), 5u) << m.kind;
      aucs.insert(aucs.end(), m.cv_auc.begin(), m.cv_auc.end());
    }
    seen.push_back(aucs);
  }
  EXPECT_EQ(seen[0], seen[1]);
  EXPECT_EQ(seen[0], seen[2]);
}

TEST(TrainProtocolTest, SameDataSameSeedSameMetricsBitForBit) {
  const Frame frame = testing::SyntheticPersons(600, 2);
  auto a = TrainProtocol(frame, EarlySpec(), FastOptions());
  auto b = TrainProtocol(frame, EarlySpec(), FastOptions());
  ASSERT_TRUE(a && b);
  nlohmann::json ja = ProtocolMetricsJson(*a, true), jb = ProtocolMetricsJson(*b, true);
  for (auto* j : {&ja, &jb}) {
    for (auto& m : (*j)["models"]) m.erase("train_seconds"), m.erase("stage_seconds");  // wall time is not a metric
  }
  EXPECT_EQ(ja.dump(), jb.dump());
  TrainOptions other = FastOptions();
  other.seed = 7;
  auto c = TrainProtocol(frame, EarlySpec(), other);
  ASSERT_TRUE(c.has_value());
  EXPECT_NE(ProtocolMetricsJson(*c, false)["models"][1]["roc_auc"], ProtocolMetricsJson(*a, false)["models"][1]["roc_auc"]);
}

TEST(TrainProtocolTest, StratifiedSplitWithTableLabelAndFill) {
  Frame frame = testing::SyntheticPersons(500, 3);
  ProtocolSpec s;
  s.name = "seed";
  s.table = "gold.t";
  s.label_column = "high_value";
  s.features = {"items", "weight"};
  s.fill = {{"weight", 7.0}};
  TrainOptions o = FastOptions();
  o.models = {"lr"};
  auto r = TrainProtocol(frame, s, o);
  ASSERT_TRUE(r.has_value()) << r.error().ToString();
  EXPECT_EQ(r->test_rows, 100);
  EXPECT_FALSE(r->spend_threshold.has_value());
  const auto* lr = dynamic_cast<const LogisticModel*>(r->models[0].model.get());
  ASSERT_NE(lr, nullptr);
  // Filled before standardizing: the mean includes the 7s (every 13th row).
  EXPECT_GT(lr->mean()(1), 0);
  EXPECT_GT(lr->coefficients()(1), 0);  // heavier -> more spend
}

TEST(TrainProtocolTest, RefusesUnknownModelAndMissingColumns) {
  const Frame frame = testing::SyntheticPersons(200, 4);
  TrainOptions o = FastOptions();
  o.models = {"svm"};
  auto r = TrainProtocol(frame, EarlySpec(), o);
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message().find("svm"), std::string::npos);
  ProtocolSpec s = EarlySpec();
  s.features.push_back("nope");
  auto missing = TrainProtocol(frame, s, FastOptions());
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code(), StatusCode::kNotFound);
}

// The trivial baseline is scored on the same test rows and printed beside the
// models; a model that does not beat it says so.
TEST(TrainProtocolTest, BaselineBesideEveryModel) {
  const Frame frame = testing::SyntheticPersons(1000, 1);
  ProtocolSpec spec = EarlySpec();
  spec.baseline_column = "total_spend";  // the label is spend >= threshold: a perfect ranking
  auto r = TrainProtocol(frame, spec, FastOptions());
  ASSERT_TRUE(r.has_value()) << r.error().ToString();
  ASSERT_TRUE(r->baseline.has_value());
  EXPECT_EQ(r->baseline->roc_auc, 1.0);
  EXPECT_EQ(r->baseline->rows, r->test_rows);
  EXPECT_EQ(r->baseline->positives, r->test_positives);
  const std::string table = FormatProtocolTable(*r);
  EXPECT_NE(table.find("baseline   1.000 [1.000, 1.000]"), std::string::npos) << table;
  EXPECT_NE(table.find("does NOT beat the baseline (total_spend, ROC-AUC 1.000)"), std::string::npos) << table;
  const nlohmann::json j = ProtocolMetricsJson(*r, false);
  EXPECT_EQ(j["baseline"]["column"], "total_spend");
  EXPECT_TRUE(j["baseline"]["beaten_by"].empty());
  EXPECT_FALSE(j["baseline"].contains("log_loss"));

  spec.baseline_column = "noise";  // unrelated to spend: every model beats it
  auto n = TrainProtocol(frame, spec, FastOptions());
  ASSERT_TRUE(n.has_value()) << n.error().ToString();
  EXPECT_LT(n->baseline->roc_auc, 0.6);
  EXPECT_GT(n->baseline->roc_auc, 0.4);
  EXPECT_NE(FormatProtocolTable(*n).find("every model beats the baseline's ROC-AUC"), std::string::npos);
  EXPECT_EQ(ProtocolMetricsJson(*n, false)["baseline"]["beaten_by"].size(), n->models.size());

  spec.baseline_column = "no_such_column";
  EXPECT_FALSE(TrainProtocol(frame, spec, FastOptions()).has_value());
}

TEST(ApplyFillTest, ReplacesOnlyMissingValues) {
  Frame frame = testing::SyntheticPersons(30, 5);
  const double before = frame.Find("weight")->numbers[1];
  ASSERT_TRUE(ApplyFill(frame, {{"weight", -1.0}}).ok());
  EXPECT_DOUBLE_EQ(frame.Find("weight")->numbers[0], -1.0);  // row 0 was NULL (0 % 13)
  EXPECT_DOUBLE_EQ(frame.Find("weight")->numbers[1], before);
  EXPECT_FALSE(ApplyFill(frame, {{"state", 1.0}}).ok());
}

}  // namespace
}  // namespace pareto::ml
