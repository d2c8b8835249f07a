// L2-penalized logistic regression on standardized features, on Eigen.
//
// Objective (scikit-learn's LogisticRegression, penalty="l2"):
//   minimize  0.5 * ||w||^2 + C * sum_i logloss(y_i, b + z_i . w)
// with z the standardized features ((x - mean) / population sd, as StandardScaler)
// and the intercept b unpenalized. Solved by Newton's method (IRLS) with step
// halving until the gradient max-norm is below `tolerance` or the Newton
// decrement is below the objective's rounding: the optimum, not an
// approximation of it, so coefficients match scikit-learn run to convergence.
//
// Missing values (NaN) are imputed with the training mean (z = 0), a stated choice.
//
// Ownership: plain value. Thread safety: const methods are safe to share.
#pragma once

#include <optional>
#include <string>

#include <Eigen/Core>
#include <nlohmann/json.hpp>

#include "common/status.h"
#include "ml/models/model.h"

namespace pareto::ml {

struct LogisticOptions {
  double c = 1.0;  // inverse regularization strength (scikit-learn's default)
  int max_iterations = 100;
  double tolerance = 1e-9;  // on the gradient's max-norm
};

class LogisticModel final : public Model {
 public:
  static StatusOr<LogisticModel> Fit(const Eigen::MatrixXd& x, const Eigen::VectorXd& y,
                                     const LogisticOptions& options = {});
  static StatusOr<LogisticModel> FromJson(const nlohmann::json& j);

  std::string Kind() const override { return "lr"; }
  StatusOr<Eigen::VectorXd> PredictProba(const Eigen::MatrixXd& x) const override;
  // coefficient × standardized value per feature, intercept last.
  StatusOr<Eigen::MatrixXd> Contributions(const Eigen::MatrixXd& x) const override;
  StatusOr<Eigen::MatrixXd> PersonContributions(const Eigen::MatrixXd& x) const override { return Contributions(x); }
  Status Save(const std::string& dir) const override;  // dir/model.json
  // {"c", "newton_iterations"} after Fit; {} for a model read with FromJson.
  nlohmann::json TrainingInfo() const override;

  Eigen::MatrixXd Standardize(const Eigen::MatrixXd& x) const;
  const Eigen::VectorXd& coefficients() const { return coef_; }  // on standardized features
  double intercept() const { return intercept_; }
  const Eigen::VectorXd& mean() const { return mean_; }
  const Eigen::VectorXd& scale() const { return scale_; }
  int iterations() const { return iterations_; }
  nlohmann::json ToJson() const;

 private:
  Eigen::VectorXd mean_, scale_, coef_;
  double intercept_ = 0;
  int iterations_ = 0;
  std::optional<double> c_;  // the fit's regularization (not saved with the model)
};

}  // namespace pareto::ml
