#include "ml/logistic.h"

#include <cmath>
#include <fstream>
#include <string>

#include <Eigen/Cholesky>

namespace pareto::ml {
namespace {

// log(1 + exp(m)) without overflow.
double Softplus(double m) { return m > 0 ? m + std::log1p(std::exp(-m)) : std::log1p(std::exp(m)); }
double Sigmoid(double m) {
  return m >= 0 ? 1.0 / (1.0 + std::exp(-m)) : std::exp(m) / (1.0 + std::exp(m));
}

// Penalized objective at beta = [w; b] on the design [z, 1].
double Objective(const Eigen::MatrixXd& za, const Eigen::VectorXd& y, const Eigen::VectorXd& beta,
                 double c) {
  const Eigen::VectorXd m = za * beta;
  double loss = 0;
  for (Eigen::Index i = 0; i < m.size(); ++i) loss += Softplus(m(i)) - y(i) * m(i);
  const Eigen::Index p = beta.size() - 1;
  return 0.5 * beta.head(p).squaredNorm() + c * loss;
}

}  // namespace

Eigen::MatrixXd LogisticModel::Standardize(const Eigen::MatrixXd& x) const {
  Eigen::MatrixXd z(x.rows(), x.cols());
  for (Eigen::Index j = 0; j < x.cols(); ++j) {
    for (Eigen::Index i = 0; i < x.rows(); ++i) {
      const double v = x(i, j);
      z(i, j) = std::isnan(v) ? 0.0 : (v - mean_(j)) / scale_(j);
    }
  }
  return z;
}

StatusOr<LogisticModel> LogisticModel::Fit(const Eigen::MatrixXd& x, const Eigen::VectorXd& y,
                                           const LogisticOptions& options) {
  if (x.rows() != y.size() || x.rows() == 0) {
    return std::unexpected(InvalidArgument("logistic regression needs as many labels as rows (> 0)"));
  }
  if (!(options.c > 0)) return std::unexpected(InvalidArgument("C must be positive"));
  const Eigen::Index n = x.rows(), p = x.cols();
  LogisticModel model;
  model.mean_.setZero(p);
  model.scale_.setOnes(p);
  for (Eigen::Index j = 0; j < p; ++j) {
    double sum = 0, count = 0;
    for (Eigen::Index i = 0; i < n; ++i) {
      if (!std::isnan(x(i, j))) sum += x(i, j), count += 1;
    }
    const double mean = count > 0 ? sum / count : 0.0;
    double ss = 0;
    for (Eigen::Index i = 0; i < n; ++i) {
      if (!std::isnan(x(i, j))) ss += (x(i, j) - mean) * (x(i, j) - mean);
    }
    const double sd = count > 0 ? std::sqrt(ss / count) : 0.0;
    model.mean_(j) = mean;
    model.scale_(j) = sd > 0 ? sd : 1.0;  // constant columns stay 0 after centring
  }

  Eigen::MatrixXd za(n, p + 1);
  za.leftCols(p) = model.Standardize(x);
  za.col(p).setOnes();
  Eigen::VectorXd penalty = Eigen::VectorXd::Ones(p + 1);
  penalty(p) = 0.0;  // the intercept is not penalized

  Eigen::VectorXd beta = Eigen::VectorXd::Zero(p + 1);
  double objective = Objective(za, y, beta, options.c);
  bool converged = false;
  int iteration = 0;
  for (; iteration < options.max_iterations; ++iteration) {
    const Eigen::VectorXd m = za * beta;
    Eigen::VectorXd prob(n), weight(n);
    for (Eigen::Index i = 0; i < n; ++i) {
      prob(i) = Sigmoid(m(i));
      weight(i) = prob(i) * (1.0 - prob(i));
    }
    const Eigen::VectorXd gradient =
        options.c * (za.transpose() * (prob - y)) + penalty.cwiseProduct(beta);
    if (gradient.lpNorm<Eigen::Infinity>() < options.tolerance) {
      converged = true;
      break;
    }
    Eigen::MatrixXd hessian = options.c * (za.transpose() * weight.asDiagonal() * za);
    hessian.diagonal() += penalty;
    // A tiny ridge keeps the solve defined when a class is separable through the intercept.
    hessian.diagonal().array() += 1e-12;
    const Eigen::VectorXd step = hessian.ldlt().solve(gradient);
    double t = 1.0;
    Eigen::VectorXd next = beta - step;
    double next_objective = Objective(za, y, next, options.c);
    while (next_objective > objective && t > 1e-10) {
      t *= 0.5;
      next = beta - t * step;
      next_objective = Objective(za, y, next, options.c);
    }
    if (!(next_objective <= objective)) break;  // no further progress in double precision
    beta = next;
    objective = next_objective;
  }
  if (!converged) {
    // Newton stops early only at the limits of double precision; accept when the
    // gradient is negligible relative to the data size.
    const Eigen::VectorXd m = za * beta;
    Eigen::VectorXd prob(n);
    for (Eigen::Index i = 0; i < n; ++i) prob(i) = Sigmoid(m(i));
    const double g = (options.c * (za.transpose() * (prob - y)) + penalty.cwiseProduct(beta))
                         .lpNorm<Eigen::Infinity>();
    if (g > 1e-6 * static_cast<double>(n)) {
      return std::unexpected(Internal("logistic regression did not converge (gradient " +
                                      std::to_string(g) + ")"));
    }
  }
  model.coef_ = beta.head(p);
  model.intercept_ = beta(p);
  model.iterations_ = iteration;
  return model;
}

StatusOr<Eigen::VectorXd> LogisticModel::PredictProba(const Eigen::MatrixXd& x) const {
  if (x.cols() != coef_.size()) {
    return std::unexpected(InvalidArgument("model has " + std::to_string(coef_.size()) +
                                           " features, data has " + std::to_string(x.cols())));
  }
  Eigen::VectorXd m = Standardize(x) * coef_;
  for (Eigen::Index i = 0; i < m.size(); ++i) m(i) = Sigmoid(m(i) + intercept_);
  return m;
}

StatusOr<Eigen::MatrixXd> LogisticModel::Contributions(const Eigen::MatrixXd& x) const {
  if (x.cols() != coef_.size()) {
    return std::unexpected(InvalidArgument("model has " + std::to_string(coef_.size()) +
                                           " features, data has " + std::to_string(x.cols())));
  }
  const Eigen::Index p = coef_.size();
  Eigen::MatrixXd out(x.rows(), p + 1);
  out.leftCols(p) = Standardize(x) * coef_.asDiagonal();
  out.col(p).setConstant(intercept_);
  return out;
}

nlohmann::json LogisticModel::ToJson() const {
  auto vec = [](const Eigen::VectorXd& v) { return std::vector<double>(v.data(), v.data() + v.size()); };
  return {{"kind", "lr"},         {"coefficients", vec(coef_)}, {"intercept", intercept_},
          {"mean", vec(mean_)},   {"scale", vec(scale_)},       {"iterations", iterations_}};
}

StatusOr<LogisticModel> LogisticModel::FromJson(const nlohmann::json& j) {
  LogisticModel model;
  try {
    auto vec = [&](const char* key) {
      const auto v = j.at(key).get<std::vector<double>>();
      return Eigen::VectorXd(Eigen::Map<const Eigen::VectorXd>(v.data(), static_cast<Eigen::Index>(v.size())));
    };
    model.coef_ = vec("coefficients");
    model.mean_ = vec("mean");
    model.scale_ = vec("scale");
    model.intercept_ = j.at("intercept").get<double>();
    model.iterations_ = j.value("iterations", 0);
  } catch (const nlohmann::json::exception& e) {
    return std::unexpected(DataError(std::string("logistic model file: ") + e.what()));
  }
  if (model.mean_.size() != model.coef_.size() || model.scale_.size() != model.coef_.size()) {
    return std::unexpected(DataError("logistic model file: vectors differ in length"));
  }
  return model;
}

Status LogisticModel::Save(const std::string& dir) const {
  const std::string path = dir + "/model.json";
  std::ofstream out(path);
  out << ToJson().dump(2) << "\n";
  if (!out) return IoError("cannot write " + path);
  return OkStatus();
}

}  // namespace pareto::ml
