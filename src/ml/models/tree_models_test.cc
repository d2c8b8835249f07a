#include "ml/models/tree_models.h"

#include <gtest/gtest.h>

#include <vector>

#include "common/random.h"
#include "common/testing/temp_dir.h"
#include "ml/training/metrics.h"

namespace pareto::ml {
namespace {

// y depends on x0 and x1 (and an interaction); x2 is noise; some values missing.
void MakeData(int n, uint64_t seed, Eigen::MatrixXd& x, Eigen::VectorXd& y) {
  Rng rng(seed);
  x.resize(n, 3);
  y.resize(n);
  for (int i = 0; i < n; ++i) {
    x(i, 0) = rng.Uniform();
    x(i, 1) = rng.Uniform();
    x(i, 2) = rng.Uniform();
    const double logit = 4 * (x(i, 0) - 0.5) + 3 * (x(i, 1) > 0.7) * (x(i, 0) > 0.3);
    y(i) = rng.Uniform() < 1 / (1 + std::exp(-logit)) ? 1 : 0;
    if (i % 17 == 0) x(i, 2) = std::nan("");
  }
}

std::span<const double> View(const Eigen::VectorXd& v) { return {v.data(), static_cast<size_t>(v.size())}; }

TEST(TreeModelsTest, ShapValuesPlusBiasSumToTheMargin) {
  Eigen::MatrixXd x;
  Eigen::VectorXd y;
  MakeData(1000, 1, x, y);
  BoostingOptions bo;
  bo.max_rounds = 100;
  bo.learning_rate = 0.2;
  ForestOptions fo;
  fo.trees = 10;
  fo.max_depth = 6;
  auto gbt = TreeModel::FitBoosting(x, y, bo);
  auto rf = TreeModel::FitForest(x, y, fo);
  ASSERT_TRUE(gbt.has_value()) << gbt.error().ToString();
  ASSERT_TRUE(rf.has_value()) << rf.error().ToString();
  for (const TreeModel* m : {&*gbt, &*rf}) {
    auto contrib = m->Contributions(x);
    auto margin = m->Margin(x);
    ASSERT_TRUE(contrib && margin);
    ASSERT_EQ(contrib->cols(), 4);
    for (Eigen::Index i = 0; i < x.rows(); ++i) {
      EXPECT_NEAR(contrib->row(i).sum(), (*margin)(i), 1e-4) << m->Kind() << " row " << i;
    }
  }
}

TEST(TreeModelsTest, LearnsTheSignalOnHeldOutRows) {
  Eigen::MatrixXd x, xt;
  Eigen::VectorXd y, yt;
  MakeData(3000, 2, x, y);
  MakeData(1000, 3, xt, yt);
  BoostingOptions bo;
  bo.learning_rate = 0.2;
  auto gbt = TreeModel::FitBoosting(x, y, bo);
  ASSERT_TRUE(gbt.has_value());
  auto p = gbt->PredictProba(xt);
  ASSERT_TRUE(p.has_value());
  EXPECT_GT(*RocAuc(View(yt), View(*p)), 0.75);
  // Early stopping chose fewer rounds than the ceiling.
  EXPECT_LT(gbt->TrainingInfo().at("rounds").get<int>(), bo.max_rounds);
}

TEST(TreeModelsTest, EarlyStoppingStopsQuicklyOnNoise) {
  Eigen::MatrixXd x;
  Eigen::VectorXd y;
  MakeData(1000, 4, x, y);
  Rng rng(99);
  for (Eigen::Index i = 0; i < y.size(); ++i) y(i) = rng.Uniform() < 0.25 ? 1 : 0;
  BoostingOptions bo;
  bo.early_stopping_rounds = 20;
  auto gbt = TreeModel::FitBoosting(x, y, bo);
  ASSERT_TRUE(gbt.has_value());
  EXPECT_LT(gbt->TrainingInfo().at("rounds_tried").get<int>(), 400);
}

TEST(TreeModelsTest, SameSeedSamePredictionsBitForBit) {
  Eigen::MatrixXd x;
  Eigen::VectorXd y;
  MakeData(1500, 5, x, y);
  ForestOptions fo;
  fo.trees = 20;
  auto a = TreeModel::FitForest(x, y, fo), b = TreeModel::FitForest(x, y, fo);
  BoostingOptions bo;
  bo.max_rounds = 60;
  bo.learning_rate = 0.2;
  auto c = TreeModel::FitBoosting(x, y, bo), d = TreeModel::FitBoosting(x, y, bo);
  ASSERT_TRUE(a && b && c && d);
  EXPECT_EQ(*a->PredictProba(x), *b->PredictProba(x));
  EXPECT_EQ(*c->PredictProba(x), *d->PredictProba(x));
}

TEST(TreeModelsTest, SavedModelPredictsTheSame) {
  Eigen::MatrixXd x;
  Eigen::VectorXd y;
  MakeData(800, 6, x, y);
  ForestOptions fo;
  fo.trees = 10;
  auto rf = TreeModel::FitForest(x, y, fo);
  ASSERT_TRUE(rf.has_value());
  ::pareto::testing::TempDir dir;
  ASSERT_TRUE(rf->Save(dir.path()).ok());
  auto loaded = TreeModel::Load(dir.path(), "rf");
  ASSERT_TRUE(loaded.has_value()) << loaded.error().ToString();
  EXPECT_EQ(*loaded->PredictProba(x), *rf->PredictProba(x));
}

// Column 0 is a one-hot level (0/1); column 1 a count where 0 and NULL mean
// different things: 0 items is high value here, unknown is not.
void MakeIndicatorData(int n, uint64_t seed, Eigen::MatrixXd& x, Eigen::VectorXd& y) {
  Rng rng(seed);
  x.resize(n, 2);
  y.resize(n);
  for (int i = 0; i < n; ++i) {
    x(i, 0) = rng.Uniform() < 0.3 ? 1.0 : 0.0;
    const double u = rng.Uniform();
    x(i, 1) = u < 0.3 ? 0.0 : u < 0.6 ? std::nan("") : 1.0 + static_cast<double>(rng.UnbiasedBelow(3));
    const double logit = 2.5 * x(i, 0) + (x(i, 1) == 0.0 ? 2.5 : 0.0) - 1.5;
    y(i) = rng.Uniform() < 1 / (1 + std::exp(-logit)) ? 1 : 0;
  }
}

TEST(TreeModelsTest, IndicatorColumnsKeepTheirMeaningThroughSaveAndLoad) {
  Eigen::MatrixXd x, xt;
  Eigen::VectorXd y, yt;
  MakeIndicatorData(4000, 11, x, y);
  MakeIndicatorData(1000, 12, xt, yt);
  BoostingOptions bo;
  bo.max_rounds = 200;
  bo.learning_rate = 0.2;
  auto gbt = TreeModel::FitBoosting(x, y, bo);
  ASSERT_TRUE(gbt.has_value()) << gbt.error().ToString();
  // Both signals are learned: the level, and 0 apart from NULL in the count.
  Eigen::MatrixXd probe(4, 2);
  probe << 0, 0,  //
      0, std::nan(""),  //
      1, 2,  //
      0, 2;
  auto p = gbt->PredictProba(probe);
  ASSERT_TRUE(p.has_value());
  EXPECT_GT((*p)(0), (*p)(1) + 0.2) << "0 items must not read as unknown";
  EXPECT_GT((*p)(2), (*p)(3) + 0.2) << "the one-hot level must count";
  auto auc = RocAuc(View(yt), View(*gbt->PredictProba(xt)));
  ASSERT_TRUE(auc.has_value());
  EXPECT_GT(*auc, 0.75);

  ::pareto::testing::TempDir dir;
  ASSERT_TRUE(gbt->Save(dir.path()).ok());
  auto loaded = TreeModel::Load(dir.path(), "gbt");
  ASSERT_TRUE(loaded.has_value()) << loaded.error().ToString();
  EXPECT_EQ(*loaded->PredictProba(xt), *gbt->PredictProba(xt));
  EXPECT_EQ(*loaded->PredictProba(probe), *p);
}

TEST(TreeModelsTest, RefusesDataOfAnotherWidth) {
  Eigen::MatrixXd x;
  Eigen::VectorXd y;
  MakeData(300, 7, x, y);
  ForestOptions fo;
  fo.trees = 5;
  auto rf = TreeModel::FitForest(x, y, fo);
  ASSERT_TRUE(rf.has_value());
  auto p = rf->PredictProba(Eigen::MatrixXd::Zero(4, 2));
  ASSERT_FALSE(p.has_value());
  EXPECT_NE(p.error().message().find("3 features"), std::string::npos) << p.error().ToString();
}

TEST(TreeModelsTest, LoadingAMissingFileFailsWithAMessage) {
  auto loaded = TreeModel::Load("/nonexistent/pareto", "gbt");
  ASSERT_FALSE(loaded.has_value());
  EXPECT_NE(loaded.error().message().find("XGBoost"), std::string::npos);
}

}  // namespace
}  // namespace pareto::ml
