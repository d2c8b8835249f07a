// The interface every trained classifier of pareto offers the trainer, the
// scorer and the registry: probabilities, per-feature contributions on the
// margin (log-odds) scale, and saving to a model folder.
//
// Ownership: a Model owns its parameters (and, for XGBoost, its booster handle).
// Thread safety: const methods may be called from one thread at a time (XGBoost's
// predictor keeps per-booster caches).
#pragma once

#include <cstddef>
#include <string>

#include <Eigen/Core>
#include <nlohmann/json.hpp>

#include "common/status.h"

namespace pareto::ml {

class Model {
 public:
  virtual ~Model() = default;

  // "lr", "rf" or "gbt".
  virtual std::string Kind() const = 0;
  // P(high value) per row of x (rows × features, NaN = missing).
  virtual StatusOr<Eigen::VectorXd> PredictProba(const Eigen::MatrixXd& x) const = 0;
  // rows × (features + 1): each feature's contribution to the margin, bias last;
  // each row sums to the margin (logit of the probability).
  virtual StatusOr<Eigen::MatrixXd> Contributions(const Eigen::MatrixXd& x) const = 0;
  // The same shape, cheap enough for every person of a scoring run: exact where
  // that is cheap (the logistic model), an approximation summing to the margin
  // where exact costs far more than a prediction (trees: Saabas, not TreeSHAP).
  virtual StatusOr<Eigen::MatrixXd> PersonContributions(const Eigen::MatrixXd& x) const = 0;
  // Writes the model's file(s) into `dir` (which exists).
  virtual Status Save(const std::string& dir) const = 0;
  // What the fit chose and ran with (boosting rounds and validation loss, Newton
  // steps, ...), for the run record and the model card; an empty object for a
  // model read back from its folder.
  virtual nlohmann::json TrainingInfo() const = 0;
  // Trees in the ensemble; 0 for a model without trees.
  virtual size_t trees() const { return 0; }
};

}  // namespace pareto::ml
