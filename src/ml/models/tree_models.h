// XGBoost models: gradient boosting (`hist`, rounds chosen by early stopping on a
// validation fold carved out of the training rows) and a random forest (XGBoost's
// random-forest mode: one round of many parallel trees, learning rate 1, row and
// column subsampling).
//
// Determinism: fixed seed and a fixed thread count (XGBoost's hist builder sums
// gradients per thread, so the thread count is part of the result).
// Ownership: TreeModel owns its booster. Thread safety: one thread at a time.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <Eigen/Core>
#include <nlohmann/json.hpp>

#include "common/status.h"
#include "ml/models/flat_trees.h"
#include "ml/models/model.h"
#include "ml/models/xgboost_handles.h"

namespace pareto::ml {

struct ForestOptions {
  int trees = 200;      // scikit-learn reference: n_estimators=200
  int max_depth = 10;   // scikit-learn reference: max_depth=10
  double subsample = 0.632;        // rows per tree (drawn without replacement)
  double colsample_bynode = 0.0;   // 0: sqrt(features)/features, as scikit-learn's "sqrt"
  uint64_t seed = 42;
  int threads = 2;
};

// The defaults are pipelines/olist/pipeline.yaml's and docs/ml.md's.
struct BoostingOptions {
  int max_rounds = 2000;
  int early_stopping_rounds = 30;
  double learning_rate = 0.1;
  int max_depth = 6;
  double subsample = 0.8;
  double colsample_bytree = 0.8;
  double min_child_weight = 1.0;
  double validation_fraction = 0.2;  // of the training rows, stratified
  uint64_t seed = 42;
  int threads = 2;
};

class TreeModel final : public Model {
 public:
  static StatusOr<TreeModel> FitForest(const Eigen::MatrixXd& x, const Eigen::VectorXd& y,
                                       const ForestOptions& options);
  // Early stopping on an inner validation fold picks the rounds; the model is then
  // refitted on all of x with that many rounds.
  static StatusOr<TreeModel> FitBoosting(const Eigen::MatrixXd& x, const Eigen::VectorXd& y,
                                         const BoostingOptions& options);
  // A model saved by Save(): `dir`/model.json.
  static StatusOr<TreeModel> Load(const std::string& dir, const std::string& kind);

  std::string Kind() const override { return kind_; }
  StatusOr<Eigen::VectorXd> PredictProba(const Eigen::MatrixXd& x) const override;
  // XGBoost's SHAP contributions (exact TreeSHAP), bias last.
  StatusOr<Eigen::MatrixXd> Contributions(const Eigen::MatrixXd& x) const override;
  StatusOr<Eigen::VectorXd> Margin(const Eigen::MatrixXd& x) const;
  // Saabas attributions (also summing to the margin): for per-person drivers,
  // where exact TreeSHAP costs O(trees * leaves * depth^2) a row.
  StatusOr<Eigen::MatrixXd> ApproxContributions(const Eigen::MatrixXd& x) const;
  StatusOr<Eigen::MatrixXd> PersonContributions(const Eigen::MatrixXd& x) const override {
    return ApproxContributions(x);
  }
  // Probabilities, margins and Saabas attributions come from FlatTrees (the
  // same trees as arrays, several times faster). XGBoost's own predictor stays
  // reachable as the reference FlatTrees is tested against.
  enum class Reference { kProbability, kMargin, kApproxContributions };
  StatusOr<Eigen::MatrixXd> XgboostPredict(const Eigen::MatrixXd& x, Reference what) const;
  Status Save(const std::string& dir) const override;

  // What training chose (rounds and validation loss for boosting) and its options.
  nlohmann::json TrainingInfo() const override { return info_; }
  size_t trees() const override { return flat_.trees(); }

 private:
  static constexpr int kThreads = 2;
  // Builds the flat evaluator from the booster's JSON.
  static StatusOr<TreeModel> Make(std::string kind, xgb::Booster booster, std::vector<bool> indicator,
                                  nlohmann::json info);
  TreeModel(std::string kind, xgb::Booster booster, FlatTrees flat, nlohmann::json info)
      : kind_(std::move(kind)), booster_(std::move(booster)), flat_(std::move(flat)), info_(std::move(info)) {}
  StatusOr<Eigen::MatrixXd> PredictRaw(const Eigen::MatrixXd& x, xgb::PredictType type) const;

  std::string kind_;
  xgb::Booster booster_;
  // The same trees as arrays (probabilities, margins, Saabas drivers); its
  // indicator() columns are fed to XGBoost sparsely (0 absent), as saved in the model file.
  FlatTrees flat_;
  nlohmann::json info_;
};

}  // namespace pareto::ml
