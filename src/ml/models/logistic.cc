#include "ml/models/logistic.h"

#include <cmath>
#include <fstream>
#include <string>
#include <vector>

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

// Newton stops when half the decrement falls below this share of the objective.
constexpr double kDecrementRelative = 1e-13;

// The raw design with an intercept column, stored by row without its zeros, NaN
// read as the column mean (standardized 0). One-hot columns make most entries
// zero, so the Gram matrix A'WA costs sum(nonzeros per row ^ 2) instead of
// n * p^2: the Hessian of a 100-column design in milliseconds, not a second.
struct RawRows {
  std::vector<Eigen::Index> start;  // row i is entries [start[i], start[i+1])
  std::vector<Eigen::Index> column;
  std::vector<double> value;
  Eigen::Index columns = 0;  // p + 1: the intercept is column p

  static RawRows Of(const Eigen::MatrixXd& x, const Eigen::VectorXd& mean) {
    RawRows r;
    const Eigen::Index p = x.cols();
    r.columns = p + 1;
    r.start.reserve(static_cast<size_t>(x.rows()) + 1);
    for (Eigen::Index i = 0; i < x.rows(); ++i) {
      r.start.push_back(static_cast<Eigen::Index>(r.value.size()));
      for (Eigen::Index j = 0; j < p; ++j) {
        const double v = std::isnan(x(i, j)) ? mean(j) : x(i, j);
        if (v != 0.0) r.column.push_back(j), r.value.push_back(v);
      }
      r.column.push_back(p), r.value.push_back(1.0);
    }
    r.start.push_back(static_cast<Eigen::Index>(r.value.size()));
    return r;
  }

  // A' diag(w) A, both triangles.
  Eigen::MatrixXd WeightedGram(const Eigen::VectorXd& w) const {
    Eigen::MatrixXd g = Eigen::MatrixXd::Zero(columns, columns);
    for (size_t i = 0; i + 1 < start.size(); ++i) {
      const auto b = static_cast<size_t>(start[i]), e = static_cast<size_t>(start[i + 1]);
      const double wi = w(static_cast<Eigen::Index>(i));
      for (size_t a = b; a < e; ++a) {
        const double wa = wi * value[a];
        for (size_t c = b; c <= a; ++c) g(column[a], column[c]) += wa * value[c];
      }
    }
    return g.selfadjointView<Eigen::Lower>();
  }
};

// T with [z, 1] = [x_imputed, 1] * T: column j < p is (x_j - mean_j) / scale_j.
Eigen::MatrixXd StandardizingMap(const Eigen::VectorXd& mean, const Eigen::VectorXd& scale) {
  const Eigen::Index p = mean.size();
  Eigen::MatrixXd t = Eigen::MatrixXd::Zero(p + 1, p + 1);
  for (Eigen::Index j = 0; j < p; ++j) {
    t(j, j) = 1.0 / scale(j);
    t(p, j) = -mean(j) / scale(j);
  }
  t(p, p) = 1.0;
  return t;
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
  const RawRows raw = RawRows::Of(x, model.mean_);
  const Eigen::MatrixXd to_standard = StandardizingMap(model.mean_, model.scale_);

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
    Eigen::MatrixXd hessian = options.c * (to_standard.transpose() * raw.WeightedGram(weight) * to_standard);
    hessian.diagonal() += penalty;
    // A tiny ridge keeps the solve defined when a class is separable through the intercept.
    hessian.diagonal().array() += 1e-12;
    const Eigen::VectorXd step = hessian.ldlt().solve(gradient);
    // Half the Newton decrement is the objective's expected remaining decrease.
    // Below the objective's own rounding (a few ulps), no step can be measured
    // and the gradient sits on its summation noise: that is the optimum.
    if (0.5 * gradient.dot(step) <= kDecrementRelative * (1.0 + std::abs(objective))) {
      beta -= step;
      converged = true;
      break;
    }
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
    // Step halving found no decrease although the decrement was measurable: accept
    // only when the gradient is negligible relative to the data size.
    const Eigen::VectorXd m = za * beta;
    Eigen::VectorXd prob(n);
    for (Eigen::Index i = 0; i < n; ++i) prob(i) = Sigmoid(m(i));
    const double g = (options.c * (za.transpose() * (prob - y)) + penalty.cwiseProduct(beta))
                         .lpNorm<Eigen::Infinity>();
    if (g > 1e-6 * static_cast<double>(n)) {
      return std::unexpected(Internal("logistic regression did not converge in " + std::to_string(iteration) +
                                      " Newton steps (gradient " + std::to_string(g) + ")"));
    }
  }
  model.coef_ = beta.head(p);
  model.intercept_ = beta(p);
  model.iterations_ = iteration;
  model.c_ = options.c;
  return model;
}

StatusOr<Eigen::VectorXd> LogisticModel::PredictProba(const Eigen::MatrixXd& x) const {
  if (x.cols() != coef_.size()) {
    return std::unexpected(InvalidArgument("model has " + std::to_string(coef_.size()) +
                                           " features, data has " + std::to_string(x.cols())));
  }
  // The standardized margin b + sum_j w_j (x_j - mean_j) / scale_j, folded into
  // one weight per raw column and walked column by column (Eigen's storage
  // order), without materializing the standardized matrix: a missing value
  // contributes 0, as its standardized value is 0.
  const Eigen::VectorXd weight = coef_.cwiseQuotient(scale_);
  Eigen::VectorXd m = Eigen::VectorXd::Constant(x.rows(), intercept_ - weight.dot(mean_));
  for (Eigen::Index j = 0; j < x.cols(); ++j) {
    const double w = weight(j), at_mean = weight(j) * mean_(j);
    const double* column = x.col(j).data();
    for (Eigen::Index i = 0; i < x.rows(); ++i) m(i) += std::isnan(column[i]) ? at_mean : w * column[i];
  }
  for (Eigen::Index i = 0; i < m.size(); ++i) m(i) = Sigmoid(m(i));
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

nlohmann::json LogisticModel::TrainingInfo() const {
  if (!c_) return nlohmann::json::object();
  return {{"c", *c_}, {"newton_iterations", iterations_}};
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
