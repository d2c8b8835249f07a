#include "ml/tree_models.h"

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "ml/split.h"

namespace pareto::ml {
namespace {

std::vector<float> RowMajor(const Eigen::MatrixXd& x) {
  std::vector<float> out(static_cast<size_t>(x.rows() * x.cols()));
  for (Eigen::Index r = 0; r < x.rows(); ++r) {
    for (Eigen::Index c = 0; c < x.cols(); ++c) {
      out[static_cast<size_t>(r * x.cols() + c)] = static_cast<float>(x(r, c));
    }
  }
  return out;
}

StatusOr<xgb::DMatrix> MakeMatrix(const Eigen::MatrixXd& x, const Eigen::VectorXd* y) {
  const std::vector<float> values = RowMajor(x);
  PARETO_ASSIGN_OR_RETURN(xgb::DMatrix m, xgb::DMatrix::FromDense(values, static_cast<uint64_t>(x.rows()),
                                                                  static_cast<uint64_t>(x.cols())));
  if (y != nullptr) {
    std::vector<float> labels(y->data(), y->data() + y->size());
    PARETO_RETURN_IF_ERROR(m.SetLabels(labels));
  }
  return m;
}

Eigen::MatrixXd Rows(const Eigen::MatrixXd& x, const std::vector<size_t>& rows) {
  Eigen::MatrixXd out(static_cast<Eigen::Index>(rows.size()), x.cols());
  for (size_t i = 0; i < rows.size(); ++i) out.row(static_cast<Eigen::Index>(i)) = x.row(static_cast<Eigen::Index>(rows[i]));
  return out;
}
Eigen::VectorXd Rows(const Eigen::VectorXd& y, const std::vector<size_t>& rows) {
  Eigen::VectorXd out(static_cast<Eigen::Index>(rows.size()));
  for (size_t i = 0; i < rows.size(); ++i) out(static_cast<Eigen::Index>(i)) = y(static_cast<Eigen::Index>(rows[i]));
  return out;
}

Status SetParams(xgb::Booster& b, const std::vector<std::pair<std::string, std::string>>& params) {
  for (const auto& [k, v] : params) PARETO_RETURN_IF_ERROR(b.SetParam(k, v));
  return OkStatus();
}

std::string Num(double v) { return fmt::format("{}", v); }

// "[12]\tvalid-logloss:0.4132" -> 0.4132.
StatusOr<double> ParseMetric(const std::string& line, std::string_view key) {
  const size_t at = line.find(key);
  if (at == std::string::npos) return std::unexpected(Internal("no " + std::string(key) + " in '" + line + "'"));
  return std::strtod(line.c_str() + at + key.size(), nullptr);
}

Status CheckShape(const Eigen::MatrixXd& x, const Eigen::VectorXd& y) {
  if (x.rows() != y.size() || x.rows() == 0 || x.cols() == 0) {
    return InvalidArgument("training needs a non-empty matrix with one label per row");
  }
  return OkStatus();
}

}  // namespace

StatusOr<TreeModel> TreeModel::FitForest(const Eigen::MatrixXd& x, const Eigen::VectorXd& y,
                                         const ForestOptions& o) {
  PARETO_RETURN_IF_ERROR(CheckShape(x, y));
  PARETO_ASSIGN_OR_RETURN(xgb::DMatrix train, MakeMatrix(x, &y));
  const xgb::DMatrix* cache[] = {&train};
  PARETO_ASSIGN_OR_RETURN(xgb::Booster booster, xgb::Booster::Create(cache));
  const double colsample =
      o.colsample_bynode > 0 ? o.colsample_bynode
                             : std::sqrt(static_cast<double>(x.cols())) / static_cast<double>(x.cols());
  PARETO_RETURN_IF_ERROR(SetParams(booster, {{"objective", "binary:logistic"},
                                             {"booster", "gbtree"},
                                             {"tree_method", "hist"},
                                             {"num_parallel_tree", std::to_string(o.trees)},
                                             {"max_depth", std::to_string(o.max_depth)},
                                             {"eta", "1"},
                                             {"subsample", Num(o.subsample)},
                                             {"colsample_bynode", Num(colsample)},
                                             {"seed", std::to_string(o.seed)},
                                             {"nthread", std::to_string(o.threads)},
                                             {"verbosity", "0"}}));
  PARETO_RETURN_IF_ERROR(booster.UpdateOneIter(0, train));
  nlohmann::json info = {{"trees", o.trees},         {"max_depth", o.max_depth},
                         {"subsample", o.subsample}, {"colsample_bynode", colsample},
                         {"seed", o.seed},           {"threads", o.threads}};
  return TreeModel("rf", std::move(booster), std::move(info));
}

StatusOr<TreeModel> TreeModel::FitBoosting(const Eigen::MatrixXd& x, const Eigen::VectorXd& y,
                                           const BoostingOptions& o) {
  PARETO_RETURN_IF_ERROR(CheckShape(x, y));
  const std::vector<std::pair<std::string, std::string>> params = {
      {"objective", "binary:logistic"},
      {"booster", "gbtree"},
      {"tree_method", "hist"},
      {"eval_metric", "logloss"},
      {"eta", Num(o.learning_rate)},
      {"max_depth", std::to_string(o.max_depth)},
      {"subsample", Num(o.subsample)},
      {"colsample_bytree", Num(o.colsample_bytree)},
      {"min_child_weight", Num(o.min_child_weight)},
      {"seed", std::to_string(o.seed)},
      {"nthread", std::to_string(o.threads)},
      {"verbosity", "0"}};

  // 1. Rounds by early stopping on a validation fold of the training rows.
  const std::span<const double> labels(y.data(), static_cast<size_t>(y.size()));
  PARETO_ASSIGN_OR_RETURN(Split inner, StratifiedSplit(labels, o.validation_fraction, o.seed));
  const Eigen::MatrixXd xt = Rows(x, inner.train), xv = Rows(x, inner.test);
  const Eigen::VectorXd yt = Rows(y, inner.train), yv = Rows(y, inner.test);
  PARETO_ASSIGN_OR_RETURN(xgb::DMatrix dtrain, MakeMatrix(xt, &yt));
  PARETO_ASSIGN_OR_RETURN(xgb::DMatrix dvalid, MakeMatrix(xv, &yv));
  int best_round = 0;
  double best_loss = std::numeric_limits<double>::infinity();
  std::vector<double> curve;
  {
    const xgb::DMatrix* cache[] = {&dtrain, &dvalid};
    PARETO_ASSIGN_OR_RETURN(xgb::Booster probe, xgb::Booster::Create(cache));
    PARETO_RETURN_IF_ERROR(SetParams(probe, params));
    for (int round = 0; round < o.max_rounds; ++round) {
      PARETO_RETURN_IF_ERROR(probe.UpdateOneIter(round, dtrain));
      PARETO_ASSIGN_OR_RETURN(std::string line, probe.EvalOneIter(round, dvalid, "valid"));
      PARETO_ASSIGN_OR_RETURN(double loss, ParseMetric(line, "valid-logloss:"));
      curve.push_back(loss);
      if (loss < best_loss) best_loss = loss, best_round = round;
      if (round - best_round >= o.early_stopping_rounds) break;
    }
  }
  const int rounds = best_round + 1;

  // 2. Refit on every training row with the chosen number of rounds.
  PARETO_ASSIGN_OR_RETURN(xgb::DMatrix dall, MakeMatrix(x, &y));
  const xgb::DMatrix* cache[] = {&dall};
  PARETO_ASSIGN_OR_RETURN(xgb::Booster booster, xgb::Booster::Create(cache));
  PARETO_RETURN_IF_ERROR(SetParams(booster, params));
  for (int round = 0; round < rounds; ++round) PARETO_RETURN_IF_ERROR(booster.UpdateOneIter(round, dall));

  nlohmann::json info = {{"rounds", rounds},
                         {"rounds_tried", curve.size()},
                         {"validation_logloss", best_loss},
                         {"validation_rows", inner.test.size()},
                         {"learning_rate", o.learning_rate},
                         {"max_depth", o.max_depth},
                         {"subsample", o.subsample},
                         {"colsample_bytree", o.colsample_bytree},
                         {"early_stopping_rounds", o.early_stopping_rounds},
                         {"seed", o.seed},
                         {"threads", o.threads}};
  return TreeModel("gbt", std::move(booster), std::move(info));
}

StatusOr<TreeModel> TreeModel::Load(const std::string& dir, const std::string& kind) {
  PARETO_ASSIGN_OR_RETURN(xgb::Booster booster, xgb::Booster::LoadJson(dir + "/model.json"));
  PARETO_RETURN_IF_ERROR(booster.SetParam("nthread", "2"));
  return TreeModel(kind, std::move(booster), nlohmann::json::object());
}

StatusOr<Eigen::MatrixXd> TreeModel::PredictRaw(const Eigen::MatrixXd& x, xgb::PredictType type) const {
  PARETO_ASSIGN_OR_RETURN(xgb::DMatrix m, MakeMatrix(x, nullptr));
  PARETO_ASSIGN_OR_RETURN(xgb::Prediction p, booster_.Predict(m, type));
  const auto rows = x.rows();
  const auto cols = static_cast<Eigen::Index>(p.values.size()) / std::max<Eigen::Index>(rows, 1);
  if (rows * cols != static_cast<Eigen::Index>(p.values.size())) {
    return std::unexpected(Internal("XGBoost returned an unexpected prediction shape"));
  }
  Eigen::MatrixXd out(rows, cols);
  for (Eigen::Index r = 0; r < rows; ++r) {
    for (Eigen::Index c = 0; c < cols; ++c) out(r, c) = p.values[static_cast<size_t>(r * cols + c)];
  }
  return out;
}

StatusOr<Eigen::VectorXd> TreeModel::PredictProba(const Eigen::MatrixXd& x) const {
  PARETO_ASSIGN_OR_RETURN(Eigen::MatrixXd p, PredictRaw(x, xgb::PredictType::kValue));
  return Eigen::VectorXd(p.col(0));
}

StatusOr<Eigen::VectorXd> TreeModel::Margin(const Eigen::MatrixXd& x) const {
  PARETO_ASSIGN_OR_RETURN(Eigen::MatrixXd p, PredictRaw(x, xgb::PredictType::kMargin));
  return Eigen::VectorXd(p.col(0));
}

StatusOr<Eigen::MatrixXd> TreeModel::Contributions(const Eigen::MatrixXd& x) const {
  PARETO_ASSIGN_OR_RETURN(Eigen::MatrixXd c, PredictRaw(x, xgb::PredictType::kContributions));
  if (c.cols() != x.cols() + 1) {
    return std::unexpected(Internal("XGBoost contributions have " + std::to_string(c.cols()) +
                                    " columns for " + std::to_string(x.cols()) + " features"));
  }
  return c;
}

StatusOr<Eigen::MatrixXd> TreeModel::ApproxContributions(const Eigen::MatrixXd& x) const {
  PARETO_ASSIGN_OR_RETURN(Eigen::MatrixXd c, PredictRaw(x, xgb::PredictType::kApproxContributions));
  if (c.cols() != x.cols() + 1) {
    return std::unexpected(Internal("XGBoost contributions have " + std::to_string(c.cols()) +
                                    " columns for " + std::to_string(x.cols()) + " features"));
  }
  return c;
}

Status TreeModel::Save(const std::string& dir) const { return booster_.SaveJson(dir + "/model.json"); }

}  // namespace pareto::ml
