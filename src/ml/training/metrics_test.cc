// Metrics against values computed by hand (shown in the comments).
#include "ml/training/metrics.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <vector>

namespace pareto::ml {
namespace {

// Positives score 0.9, 0.8, 0.1; negatives 0.8, 0.3, 0.1 (two ties across classes).
const std::vector<double> kLabels = {1, 0, 1, 0, 1, 0};
const std::vector<double> kScores = {0.9, 0.8, 0.8, 0.3, 0.1, 0.1};

TEST(RocAucTest, CountsTiesAsHalf) {
  // Pairs won: 0.9 beats all 3; 0.8 ties one (0.5) and beats 2; 0.1 ties one (0.5).
  // (3 + 2.5 + 0.5) / 9 = 2/3.
  auto auc = RocAuc(kLabels, kScores);
  ASSERT_TRUE(auc.has_value());
  EXPECT_DOUBLE_EQ(*auc, 6.0 / 9.0);
}

TEST(RocAucTest, PerfectAndReversedAndAllTied) {
  const std::vector<double> y = {0, 0, 1, 1};
  EXPECT_DOUBLE_EQ(*RocAuc(y, std::vector<double>{0.1, 0.2, 0.3, 0.4}), 1.0);
  EXPECT_DOUBLE_EQ(*RocAuc(y, std::vector<double>{0.4, 0.3, 0.2, 0.1}), 0.0);
  EXPECT_DOUBLE_EQ(*RocAuc(y, std::vector<double>{0.5, 0.5, 0.5, 0.5}), 0.5);
}

TEST(RocAucTest, RefusesOneClass) {
  auto auc = RocAuc(std::vector<double>{1, 1}, std::vector<double>{0.1, 0.2});
  ASSERT_FALSE(auc.has_value());
  EXPECT_EQ(auc.error().code(), StatusCode::kInvalidArgument);
}

TEST(AveragePrecisionTest, SumsPrecisionOverRecallStepsWithTiesTogether) {
  // Thresholds high to low: 0.9 -> R 1/3, P 1; 0.8 -> R 2/3, P 2/3; 0.3 -> R 2/3;
  // 0.1 -> R 1, P 1/2.  AP = 1/3*1 + 1/3*2/3 + 0 + 1/3*1/2 = 13/18.
  auto ap = AveragePrecision(kLabels, kScores);
  ASSERT_TRUE(ap.has_value());
  EXPECT_DOUBLE_EQ(*ap, 13.0 / 18.0);
}

TEST(LogLossAndBrierTest, MatchHandValues) {
  const std::vector<double> y = {1, 0}, p = {0.8, 0.4};
  EXPECT_NEAR(LogLoss(y, p), (-std::log(0.8) - std::log(0.6)) / 2, 1e-15);
  EXPECT_DOUBLE_EQ(Brier(y, p), (0.04 + 0.16) / 2);
  // Clipping keeps a confident mistake finite.
  EXPECT_NEAR(LogLoss(std::vector<double>{1}, std::vector<double>{0.0}), -std::log(1e-15), 1e-9);
}

TEST(TopFractionTest, WholeTieGroupInside) {
  // Top half = 3 rows: 0.9 (pos) and both 0.8 (one pos): 2 positives.
  auto top = TopFraction(kLabels, kScores, 0.5);
  ASSERT_TRUE(top.has_value());
  EXPECT_DOUBLE_EQ(top->rows, 3.0);
  EXPECT_DOUBLE_EQ(top->positives, 2.0);
  EXPECT_DOUBLE_EQ(top->precision, 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(top->lift, (2.0 / 3.0) / 0.5);
  EXPECT_DOUBLE_EQ(top->capture, 2.0 / 3.0);
}

TEST(TopFractionTest, TieGroupStraddlingTheCutSharesProRata) {
  // Top third = 2 rows: 0.9 (pos) and half of the 0.8 pair (1 pos of 2): 1.5 positives.
  auto top = TopFraction(kLabels, kScores, 1.0 / 3.0);
  ASSERT_TRUE(top.has_value());
  EXPECT_DOUBLE_EQ(top->positives, 1.5);
  EXPECT_DOUBLE_EQ(top->lift, 0.75 / 0.5);
  EXPECT_DOUBLE_EQ(top->capture, 0.5);
}

TEST(CalibrationTableTest, EqualCountBinsByAscendingProbability) {
  const std::vector<double> y = {1, 0, 0, 1}, p = {0.9, 0.1, 0.4, 0.2};
  const auto table = CalibrationTable(y, p, 2);
  ASSERT_EQ(table.size(), 2u);
  EXPECT_EQ(table[0].count, 2);
  EXPECT_DOUBLE_EQ(table[0].mean_predicted, 0.15);
  EXPECT_DOUBLE_EQ(table[0].observed_rate, 0.5);
  EXPECT_DOUBLE_EQ(table[1].mean_predicted, 0.65);
  EXPECT_DOUBLE_EQ(table[1].observed_rate, 0.5);
}

TEST(QuantileTest, InterpolatesLinearly) {
  const std::vector<double> s = {1, 2, 3, 4};
  EXPECT_DOUBLE_EQ(QuantileOfSorted(s, 0.25), 1.75);
  EXPECT_DOUBLE_EQ(QuantileOfSorted(s, 0.0), 1.0);
  EXPECT_DOUBLE_EQ(QuantileOfSorted(s, 1.0), 4.0);
}

TEST(BootstrapTest, SeededIntervalIsReproducibleAndBracketsTheEstimate) {
  std::vector<double> y, s;
  for (int i = 0; i < 200; ++i) {
    y.push_back(i % 3 == 0 ? 1 : 0);
    s.push_back((i % 3 == 0 ? 0.3 : 0.0) + (i % 7) / 10.0);  // overlapping classes
  }
  auto a = BootstrapRocAucInterval(y, s, 500, 11);
  auto b = BootstrapRocAucInterval(y, s, 500, 11);
  auto c = BootstrapRocAucInterval(y, s, 500, 12);
  ASSERT_TRUE(a && b && c);
  EXPECT_EQ(a->low, b->low);
  EXPECT_EQ(a->high, b->high);
  EXPECT_NE(a->low, c->low);
  const double auc = *RocAuc(y, s);
  EXPECT_LT(a->low, auc);
  EXPECT_GT(a->high, auc);
  EXPECT_LT(a->high - a->low, 0.3);
}

TEST(BootstrapTest, SeparatedClassesGiveAPointInterval) {
  const std::vector<double> y = {0, 0, 0, 1, 1, 1}, s = {1, 2, 3, 4, 5, 6};
  auto ci = BootstrapRocAucInterval(y, s, 200, 3);
  ASSERT_TRUE(ci.has_value());
  EXPECT_DOUBLE_EQ(ci->low, 1.0);
  EXPECT_DOUBLE_EQ(ci->high, 1.0);
}

TEST(CurvesTest, RocPointsAtEachDistinctThreshold) {
  const auto roc = RocCurve(kLabels, kScores);
  ASSERT_EQ(roc.size(), 5u);
  const double expected[][2] = {{0, 0}, {0, 1.0 / 3}, {1.0 / 3, 2.0 / 3}, {2.0 / 3, 2.0 / 3}, {1, 1}};
  for (size_t i = 0; i < roc.size(); ++i) {
    EXPECT_DOUBLE_EQ(roc[i].x, expected[i][0]);
    EXPECT_DOUBLE_EQ(roc[i].y, expected[i][1]);
  }
  const auto gains = GainsCurve(kLabels, kScores);
  EXPECT_EQ(gains.size(), 101u);
  EXPECT_DOUBLE_EQ(gains.back().y, 1.0);
}

// scikit-learn's roc_auc_score and average_precision_score on 300 rows with
// heavy ties (values in src/ml/testdata/logistic_fixture.json, made by the script beside it).
TEST(MetricsTest, AgreeWithScikitLearnOnTiedScores) {
  std::ifstream in(std::string(PARETO_SOURCE_DIR) + "/src/ml/testdata/logistic_fixture.json");
  ASSERT_TRUE(in.good());
  const auto j = nlohmann::json::parse(in);
  const auto y = j.at("y").get<std::vector<double>>();
  const auto s = j.at("tied_scores").get<std::vector<double>>();
  EXPECT_NEAR(*RocAuc(y, s), j.at("tied_roc_auc").get<double>(), 1e-12);
  EXPECT_NEAR(*AveragePrecision(y, s), j.at("tied_average_precision").get<double>(), 1e-12);
}

}  // namespace
}  // namespace pareto::ml
