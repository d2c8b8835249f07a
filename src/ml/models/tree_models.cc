#include "ml/models/tree_models.h"

#include <cmath>
#include <cstdlib>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "ml/training/dataset.h"
#include "ml/training/split.h"

namespace pareto::ml {
namespace {

constexpr const char* kIndicatorAttr = "pareto_indicator_columns";

// Columns whose every training value is 0 or 1 (one-hot levels, flags).
std::vector<bool> IndicatorColumns(const Eigen::MatrixXd& x) {
  std::vector<bool> out(static_cast<size_t>(x.cols()), true);
  for (Eigen::Index c = 0; c < x.cols(); ++c) {
    for (Eigen::Index r = 0; r < x.rows() && out[static_cast<size_t>(c)]; ++r) {
      const double v = x(r, c);
      out[static_cast<size_t>(c)] = v == 0.0 || v == 1.0;
    }
  }
  return out;
}

std::string IndicatorList(const std::vector<bool>& indicator) {
  std::string out;
  for (size_t c = 0; c < indicator.size(); ++c) {
    if (indicator[c]) out += (out.empty() ? "" : ",") + std::to_string(c);
  }
  return out;
}

StatusOr<std::vector<bool>> ParseIndicatorList(const std::string& text, size_t columns) {
  std::vector<bool> out(columns, false);
  size_t at = 0;
  while (at < text.size()) {
    const size_t end = std::min(text.find(',', at), text.size());
    const unsigned long c = std::strtoul(text.c_str() + at, nullptr, 10);
    if (c >= columns) return std::unexpected(DataError("model file: indicator column " + std::to_string(c) + " out of range"));
    out[c] = true;
    at = end + 1;
  }
  return out;
}

// XGBoost's input as compressed sparse rows: NaN is missing, and so is 0 in an
// indicator column. A one-hot row then carries one entry per categorical column
// instead of one per level, so histogram building, which costs per entry, runs
// several times faster. For a 0/1 column "absent" and "0" split the same way, so
// nothing is lost; scoring feeds the model the same way (the indicator columns
// are saved in the model file).
StatusOr<xgb::DMatrix> MakeMatrix(const Eigen::MatrixXd& x, const Eigen::VectorXd* y,
                                  const std::vector<bool>& indicator) {
  std::vector<size_t> row_start;
  std::vector<unsigned> column;
  std::vector<float> value;
  row_start.reserve(static_cast<size_t>(x.rows()) + 1);
  row_start.push_back(0);
  for (Eigen::Index r = 0; r < x.rows(); ++r) {
    for (Eigen::Index c = 0; c < x.cols(); ++c) {
      const double v = x(r, c);
      if (std::isnan(v) || (v == 0.0 && indicator[static_cast<size_t>(c)])) continue;
      column.push_back(static_cast<unsigned>(c));
      value.push_back(static_cast<float>(v));
    }
    row_start.push_back(value.size());
  }
  PARETO_ASSIGN_OR_RETURN(xgb::DMatrix m, xgb::DMatrix::FromCsr(row_start, column, value,
                                                                static_cast<uint64_t>(x.cols())));
  if (y != nullptr) {
    std::vector<float> labels(y->data(), y->data() + y->size());
    PARETO_RETURN_IF_ERROR(m.SetLabels(labels));
  }
  return m;
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
  std::vector<bool> indicator = IndicatorColumns(x);
  PARETO_ASSIGN_OR_RETURN(xgb::DMatrix train, MakeMatrix(x, &y, indicator));
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
  return Make("rf", std::move(booster), std::move(indicator), std::move(info));
}

StatusOr<TreeModel> TreeModel::FitBoosting(const Eigen::MatrixXd& x, const Eigen::VectorXd& y,
                                           const BoostingOptions& o) {
  PARETO_RETURN_IF_ERROR(CheckShape(x, y));
  std::vector<bool> indicator = IndicatorColumns(x);
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
  PARETO_ASSIGN_OR_RETURN(xgb::DMatrix dtrain, MakeMatrix(xt, &yt, indicator));
  PARETO_ASSIGN_OR_RETURN(xgb::DMatrix dvalid, MakeMatrix(xv, &yv, indicator));
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
  PARETO_ASSIGN_OR_RETURN(xgb::DMatrix dall, MakeMatrix(x, &y, indicator));
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
  return Make("gbt", std::move(booster), std::move(indicator), std::move(info));
}

StatusOr<TreeModel> TreeModel::Load(const std::string& dir, const std::string& kind) {
  PARETO_ASSIGN_OR_RETURN(xgb::Booster booster, xgb::Booster::LoadJson(dir + "/model.json"));
  PARETO_RETURN_IF_ERROR(booster.SetParam("nthread", "2"));
  PARETO_ASSIGN_OR_RETURN(const std::optional<std::string> list, booster.GetAttr(kIndicatorAttr));
  PARETO_ASSIGN_OR_RETURN(const int features, booster.NumFeatures());
  PARETO_ASSIGN_OR_RETURN(std::vector<bool> indicator,
                          ParseIndicatorList(list.value_or(""), static_cast<size_t>(features)));
  return Make(kind, std::move(booster), std::move(indicator), nlohmann::json::object());
}

StatusOr<TreeModel> TreeModel::Make(std::string kind, xgb::Booster booster, std::vector<bool> indicator,
                                    nlohmann::json info) {
  // The booster carries its indicator columns, so a saved model is read back the same way.
  PARETO_RETURN_IF_ERROR(booster.SetAttr(kIndicatorAttr, IndicatorList(indicator)));
  PARETO_ASSIGN_OR_RETURN(const std::string json, booster.JsonText());
  PARETO_ASSIGN_OR_RETURN(FlatTrees flat, FlatTrees::FromXgboostJson(json, std::move(indicator)));
  return TreeModel(std::move(kind), std::move(booster), std::move(flat), std::move(info));
}

StatusOr<Eigen::MatrixXd> TreeModel::PredictRaw(const Eigen::MatrixXd& x, xgb::PredictType type) const {
  if (static_cast<size_t>(x.cols()) != flat_.features()) {
    return std::unexpected(InvalidArgument("model has " + std::to_string(flat_.features()) + " features, data has " +
                                           std::to_string(x.cols())));
  }
  PARETO_ASSIGN_OR_RETURN(xgb::DMatrix m, MakeMatrix(x, nullptr, flat_.indicator()));
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

StatusOr<Eigen::MatrixXd> TreeModel::XgboostPredict(const Eigen::MatrixXd& x, Reference what) const {
  switch (what) {
    case Reference::kProbability: return PredictRaw(x, xgb::PredictType::kValue);
    case Reference::kMargin: return PredictRaw(x, xgb::PredictType::kMargin);
    case Reference::kApproxContributions: return PredictRaw(x, xgb::PredictType::kApproxContributions);
  }
  return std::unexpected(Internal("unknown reference prediction"));
}

StatusOr<Eigen::VectorXd> TreeModel::PredictProba(const Eigen::MatrixXd& x) const {
  return flat_.PredictProba(x, kThreads);
}

StatusOr<Eigen::VectorXd> TreeModel::Margin(const Eigen::MatrixXd& x) const { return flat_.Margin(x, kThreads); }

StatusOr<Eigen::MatrixXd> TreeModel::Contributions(const Eigen::MatrixXd& x) const {
  PARETO_ASSIGN_OR_RETURN(Eigen::MatrixXd c, PredictRaw(x, xgb::PredictType::kContributions));
  if (c.cols() != x.cols() + 1) {
    return std::unexpected(Internal("XGBoost contributions have " + std::to_string(c.cols()) +
                                    " columns for " + std::to_string(x.cols()) + " features"));
  }
  return c;
}

StatusOr<Eigen::MatrixXd> TreeModel::ApproxContributions(const Eigen::MatrixXd& x) const {
  return flat_.ApproxContributions(x, kThreads);
}

Status TreeModel::Save(const std::string& dir) const { return booster_.SaveJson(dir + "/model.json"); }

}  // namespace pareto::ml
