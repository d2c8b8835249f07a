#include "ml/models/flat_trees.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/random.h"
#include "common/testing/temp_dir.h"
#include "ml/models/tree_models.h"
#include "ml/models/xgboost_handles.h"

namespace pareto::ml {
namespace {

constexpr int kNumeric = 6;
constexpr int kLevels = 4;  // one-hot levels of a category
constexpr int kColumns = kNumeric + kLevels + 1;  // + a 0/1 flag

// Numeric columns with missing values and exact zeros, a one-hot category and a
// flag; the label depends on all of them (and on missingness).
void MakeData(int n, uint64_t seed, Eigen::MatrixXd& x, Eigen::VectorXd& y) {
  Rng rng(seed);
  x.setZero(n, kColumns);
  y.resize(n);
  for (int i = 0; i < n; ++i) {
    for (int c = 0; c < kNumeric; ++c) {
      const double u = rng.Uniform();
      x(i, c) = u < 0.1 ? std::nan("") : u < 0.15 ? 0.0 : std::round(rng.Uniform() * 1000) / 100 - 3;
    }
    const auto level = static_cast<int>(rng.UnbiasedBelow(kLevels));
    x(i, kNumeric + level) = 1;
    x(i, kColumns - 1) = rng.Uniform() < 0.3 ? 1 : 0;
    const double x0 = std::isnan(x(i, 0)) ? 2.0 : x(i, 0);
    const double logit = 0.6 * x0 - 0.4 * (std::isnan(x(i, 1)) ? 0 : x(i, 1)) + 1.2 * (level == 2) -
                         0.8 * x(i, kColumns - 1) + 0.5 * std::sin(std::isnan(x(i, 2)) ? 0 : x(i, 2));
    y(i) = rng.Uniform() < 1 / (1 + std::exp(-logit)) ? 1 : 0;
  }
}

// As TreeModel decides: columns whose every training value is 0 or 1.
std::vector<bool> Indicator(const Eigen::MatrixXd& x) {
  std::vector<bool> out(static_cast<size_t>(x.cols()), true);
  for (Eigen::Index c = 0; c < x.cols(); ++c) {
    for (Eigen::Index r = 0; r < x.rows(); ++r) {
      if (x(r, c) != 0.0 && x(r, c) != 1.0) out[static_cast<size_t>(c)] = false;
    }
  }
  return out;
}

std::string SavedJson(const TreeModel& model) {
  ::pareto::testing::TempDir dir;
  EXPECT_TRUE(model.Save(dir.path()).ok());
  std::ifstream in(dir.Sub("model.json"));
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The depth of the deepest tree of a saved model.
int MaxDepth(const std::string& json) {
  int deepest = 0;
  const auto model = nlohmann::json::parse(json);
  for (const auto& tree : model.at("learner").at("gradient_booster").at("model").at("trees")) {
    const auto& left = tree.at("left_children");
    const auto& right = tree.at("right_children");
    std::vector<int> depth(left.size(), 0);
    for (size_t node = 0; node < left.size(); ++node) {  // XGBoost numbers parents before children
      if (left[node].get<int>() < 0) continue;
      depth[left[node].get<size_t>()] = depth[right[node].get<size_t>()] = depth[node] + 1;
      deepest = std::max(deepest, depth[node] + 1);
    }
  }
  return deepest;
}

// Rows that sit exactly on split thresholds (and one float step either side), so a
// comparison done in double, or with the wrong strictness, would go the other way.
Eigen::MatrixXd OnThresholds(const std::string& json, const Eigen::MatrixXd& like) {
  const auto model = nlohmann::json::parse(json);
  std::vector<Eigen::RowVectorXd> rows;
  int tree_count = 0;
  for (const auto& tree : model.at("learner").at("gradient_booster").at("model").at("trees")) {
    if (tree_count++ >= 20) break;
    const auto& left = tree.at("left_children");
    for (size_t node = 0; node < left.size() && node < 8; ++node) {
      if (left[node].get<int>() < 0) continue;
      const auto feature = tree.at("split_indices")[node].get<Eigen::Index>();
      const auto threshold = static_cast<float>(tree.at("split_conditions")[node].get<double>());
      for (const float v : {threshold, std::nextafter(threshold, -1e30f), std::nextafter(threshold, 1e30f)}) {
        Eigen::RowVectorXd row = like.row(static_cast<Eigen::Index>(rows.size()) % like.rows());
        row(feature) = v;
        rows.push_back(row);
      }
    }
  }
  Eigen::MatrixXd out(static_cast<Eigen::Index>(rows.size()), like.cols());
  for (size_t i = 0; i < rows.size(); ++i) out.row(static_cast<Eigen::Index>(i)) = rows[i];
  return out;
}

void ExpectMatchesXgboost(const TreeModel& model, const Eigen::MatrixXd& train, const Eigen::MatrixXd& x) {
  const std::string json = SavedJson(model);
  auto flat = FlatTrees::FromXgboostJson(json, Indicator(train));
  ASSERT_TRUE(flat.has_value()) << flat.error().ToString();
  ASSERT_EQ(flat->features(), static_cast<size_t>(x.cols()));

  // XGBoost's own predictor (TreeModel's public predictions are FlatTrees').
  auto margin_m = model.XgboostPredict(x, TreeModel::Reference::kMargin);
  auto proba_m = model.XgboostPredict(x, TreeModel::Reference::kProbability);
  auto contrib = model.XgboostPredict(x, TreeModel::Reference::kApproxContributions);
  ASSERT_TRUE(margin_m && proba_m && contrib);
  const Eigen::VectorXd margin = margin_m->col(0), proba = proba_m->col(0);
  auto our_margin = flat->Margin(x);
  auto our_proba = flat->PredictProba(x);
  auto our_contrib = flat->ApproxContributions(x);
  ASSERT_TRUE(our_margin && our_proba && our_contrib);
  ASSERT_EQ(our_contrib->rows(), x.rows());
  ASSERT_EQ(our_contrib->cols(), x.cols() + 1);
  int differing_margins = 0;
  for (Eigen::Index i = 0; i < x.rows(); ++i) {
    EXPECT_NEAR((*our_margin)(i), margin(i), 1e-5) << model.Kind() << " row " << i;
    EXPECT_NEAR((*our_proba)(i), proba(i), 1e-5) << model.Kind() << " row " << i;
    differing_margins += (*our_margin)(i) != margin(i);
    for (Eigen::Index c = 0; c < contrib->cols(); ++c) {
      EXPECT_NEAR((*our_contrib)(i, c), (*contrib)(i, c), 1e-4) << model.Kind() << " row " << i << " column " << c;
    }
    EXPECT_NEAR(our_contrib->row(i).sum(), (*our_margin)(i), 1e-4) << model.Kind() << " row " << i;
  }
  // Same float operations in the same order: the margins are XGBoost's to the bit.
  EXPECT_EQ(differing_margins, 0) << model.Kind();

  // The thread count does not change a result.
  auto one_thread = flat->Margin(x, 1);
  auto five_threads = flat->Margin(x, 5);
  auto contrib_three = flat->ApproxContributions(x, 3);
  ASSERT_TRUE(one_thread && five_threads && contrib_three);
  EXPECT_EQ(*one_thread, *our_margin);
  EXPECT_EQ(*five_threads, *our_margin);
  EXPECT_EQ(*contrib_three, *our_contrib);
}

TEST(FlatTreesTest, BoostingMatchesXgboostWithMissingValuesAndIndicators) {
  Eigen::MatrixXd x, xt;
  Eigen::VectorXd y, yt;
  MakeData(3000, 11, x, y);
  MakeData(1500, 12, xt, yt);
  BoostingOptions bo;
  bo.max_rounds = 80;
  bo.early_stopping_rounds = 80;  // keep every round: more trees to compare
  bo.learning_rate = 0.2;
  bo.max_depth = 6;
  auto gbt = TreeModel::FitBoosting(x, y, bo);
  ASSERT_TRUE(gbt.has_value()) << gbt.error().ToString();
  ExpectMatchesXgboost(*gbt, x, xt);
  ExpectMatchesXgboost(*gbt, x, OnThresholds(SavedJson(*gbt), xt));
}

TEST(FlatTreesTest, RandomForestMatchesXgboost) {
  Eigen::MatrixXd x, xt;
  Eigen::VectorXd y, yt;
  MakeData(3000, 21, x, y);
  MakeData(1500, 22, xt, yt);
  ForestOptions fo;
  fo.trees = 30;
  fo.max_depth = 9;
  auto rf = TreeModel::FitForest(x, y, fo);
  ASSERT_TRUE(rf.has_value()) << rf.error().ToString();
  ExpectMatchesXgboost(*rf, x, xt);
  ExpectMatchesXgboost(*rf, x, OnThresholds(SavedJson(*rf), xt));
}

// Deep trees (up to 18 levels) match XGBoost too.
TEST(FlatTreesTest, DeepForestMatchesXgboost) {
  Eigen::MatrixXd x, xt;
  Eigen::VectorXd y, yt;
  MakeData(3000, 41, x, y);
  MakeData(700, 42, xt, yt);
  ForestOptions fo;
  fo.trees = 8;
  fo.max_depth = 18;
  auto rf = TreeModel::FitForest(x, y, fo);
  ASSERT_TRUE(rf.has_value()) << rf.error().ToString();
  ASSERT_GT(MaxDepth(SavedJson(*rf)), 12);
  ExpectMatchesXgboost(*rf, x, xt);
}

// A booster fed a dense matrix (NaN missing, no indicator columns), five rounds,
// with `params` on top of binary:logistic; its JsonText is the document FlatTrees
// reads (kept in *model_json). Expects its margins on x from FlatTrees, equal to
// XGBoost's own, and contributions that sum to them.
void ExpectDenseBoosterMatches(const Eigen::MatrixXd& x, const Eigen::VectorXd& y,
                               const std::vector<std::pair<std::string, std::string>>& params,
                               std::string* model_json) {
  std::vector<float> values, labels;
  for (Eigen::Index r = 0; r < x.rows(); ++r) {
    for (Eigen::Index c = 0; c < x.cols(); ++c) values.push_back(static_cast<float>(x(r, c)));
    labels.push_back(static_cast<float>(y(r)));
  }
  auto m = xgb::DMatrix::FromDense(values, static_cast<uint64_t>(x.rows()), static_cast<uint64_t>(x.cols()));
  ASSERT_TRUE(m.has_value());
  ASSERT_TRUE(m->SetLabels(labels).ok());
  const xgb::DMatrix* cache[] = {&*m};
  auto booster = xgb::Booster::Create(cache);
  ASSERT_TRUE(booster.has_value());
  ASSERT_TRUE(booster->SetParam("objective", "binary:logistic").ok());
  ASSERT_TRUE(booster->SetParam("nthread", "1").ok());
  for (const auto& [name, value] : params) ASSERT_TRUE(booster->SetParam(name, value).ok()) << name;
  for (int round = 0; round < 5; ++round) ASSERT_TRUE(booster->UpdateOneIter(round, *m).ok());
  auto json = booster->JsonText();
  ASSERT_TRUE(json.has_value()) << json.error().ToString();
  *model_json = *json;
  auto flat = FlatTrees::FromXgboostJson(*json, std::vector<bool>(static_cast<size_t>(x.cols()), false));
  ASSERT_TRUE(flat.has_value()) << flat.error().ToString();
  EXPECT_EQ(flat->trees(), 5u);
  auto expected = booster->Predict(*m, xgb::PredictType::kMargin);
  auto margin = flat->Margin(x);
  auto contrib = flat->ApproxContributions(x);
  ASSERT_TRUE(expected && margin && contrib);
  ASSERT_EQ(expected->values.size(), static_cast<size_t>(x.rows()));
  for (Eigen::Index i = 0; i < x.rows(); ++i) {
    EXPECT_EQ((*margin)(i), expected->values[static_cast<size_t>(i)]) << "row " << i;
    EXPECT_NEAR(contrib->row(i).sum(), (*margin)(i), 1e-4) << "row " << i;
  }
}

TEST(FlatTreesTest, ReadsTheBoosterJsonText) {
  Eigen::MatrixXd x;
  Eigen::VectorXd y;
  MakeData(500, 31, x, y);
  std::string json;
  ExpectDenseBoosterMatches(x, y, {{"base_score", "0.3"}}, &json);  // a base margin other than 0
  EXPECT_GT(MaxDepth(json), 0);
}

// Trees that are a single leaf (no split can gain enough): depth 0, one slot.
TEST(FlatTreesTest, SingleLeafTreesMatchXgboost) {
  Eigen::MatrixXd x;
  Eigen::VectorXd y;
  MakeData(500, 32, x, y);
  std::string json;
  ExpectDenseBoosterMatches(x, y, {{"min_child_weight", "1000000"}}, &json);
  EXPECT_EQ(MaxDepth(json), 0);
}

TEST(FlatTreesTest, MalformedJsonIsADataErrorOnOneLine) {
  const std::vector<bool> indicator(3, false);
  for (const std::string& text : {std::string("{not json"), std::string(R"({"learner": {}})"),
                                 std::string(R"({"learner": {"objective": {"name": 3}}})"), std::string("")}) {
    auto flat = FlatTrees::FromXgboostJson(text, indicator);
    ASSERT_FALSE(flat.has_value()) << text;
    EXPECT_EQ(flat.error().code(), StatusCode::kDataError) << text;
    EXPECT_EQ(flat.error().message().find('\n'), std::string::npos) << flat.error().message();
    EXPECT_NE(flat.error().message().find("XGBoost model JSON"), std::string::npos) << flat.error().message();
  }
}

class FlatTreesModelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    MakeData(800, 41, x_, y_);
    BoostingOptions bo;
    bo.max_rounds = 10;
    auto gbt = TreeModel::FitBoosting(x_, y_, bo);
    ASSERT_TRUE(gbt.has_value());
    json_ = SavedJson(*gbt);
  }
  Eigen::MatrixXd x_;
  Eigen::VectorXd y_;
  std::string json_;
};

TEST_F(FlatTreesModelTest, TruncatedOrInconsistentModelsAreDataErrors) {
  auto truncated = FlatTrees::FromXgboostJson(json_.substr(0, json_.size() / 2), Indicator(x_));
  ASSERT_FALSE(truncated.has_value());
  EXPECT_EQ(truncated.error().code(), StatusCode::kDataError);

  auto doc = nlohmann::json::parse(json_);
  auto& tree = doc["learner"]["gradient_booster"]["model"]["trees"][0];
  tree["left_children"][0] = 100000;  // a child that does not exist
  auto bad_child = FlatTrees::FromXgboostJson(doc.dump(), Indicator(x_));
  ASSERT_FALSE(bad_child.has_value());
  EXPECT_EQ(bad_child.error().code(), StatusCode::kDataError);
  EXPECT_NE(bad_child.error().message().find("tree 0"), std::string::npos) << bad_child.error().message();

  doc = nlohmann::json::parse(json_);
  doc["learner"]["gradient_booster"]["model"]["trees"][1]["sum_hessian"].erase(0);
  auto short_array = FlatTrees::FromXgboostJson(doc.dump(), Indicator(x_));
  ASSERT_FALSE(short_array.has_value());
  EXPECT_EQ(short_array.error().code(), StatusCode::kDataError);
}

TEST_F(FlatTreesModelTest, OtherObjectivesAreUnsupported) {
  auto doc = nlohmann::json::parse(json_);
  doc["learner"]["objective"]["name"] = "reg:squarederror";
  auto flat = FlatTrees::FromXgboostJson(doc.dump(), Indicator(x_));
  ASSERT_FALSE(flat.has_value());
  EXPECT_EQ(flat.error().code(), StatusCode::kUnsupported);
}

TEST_F(FlatTreesModelTest, WrongColumnCountIsInvalidArgument) {
  auto wrong_indicator = FlatTrees::FromXgboostJson(json_, std::vector<bool>(kColumns + 1, false));
  ASSERT_FALSE(wrong_indicator.has_value());
  EXPECT_EQ(wrong_indicator.error().code(), StatusCode::kInvalidArgument);

  auto flat = FlatTrees::FromXgboostJson(json_, Indicator(x_));
  ASSERT_TRUE(flat.has_value()) << flat.error().ToString();
  const Eigen::MatrixXd wide = Eigen::MatrixXd::Zero(4, kColumns + 1);
  const Eigen::MatrixXd narrow = Eigen::MatrixXd::Zero(4, kColumns - 1);
  for (const Eigen::MatrixXd* x : {&wide, &narrow}) {
    auto margin = flat->Margin(*x);
    auto proba = flat->PredictProba(*x);
    auto contrib = flat->ApproxContributions(*x);
    ASSERT_FALSE(margin.has_value());
    ASSERT_FALSE(proba.has_value());
    ASSERT_FALSE(contrib.has_value());
    EXPECT_EQ(margin.error().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(proba.error().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(contrib.error().code(), StatusCode::kInvalidArgument);
  }
}

TEST_F(FlatTreesModelTest, EmptyInputGivesEmptyOutput) {
  auto flat = FlatTrees::FromXgboostJson(json_, Indicator(x_));
  ASSERT_TRUE(flat.has_value());
  auto margin = flat->Margin(Eigen::MatrixXd(0, kColumns));
  auto contrib = flat->ApproxContributions(Eigen::MatrixXd(0, kColumns));
  ASSERT_TRUE(margin && contrib);
  EXPECT_EQ(margin->size(), 0);
  EXPECT_EQ(contrib->rows(), 0);
  EXPECT_EQ(contrib->cols(), kColumns + 1);
}

}  // namespace
}  // namespace pareto::ml
