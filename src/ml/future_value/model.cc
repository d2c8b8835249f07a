#include "ml/future_value/model.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <tuple>

#include <Eigen/Dense>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/random.h"
#include "ml/training/trainer.h"

namespace pareto::ml::fv {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// XGBoost threads of the production fit. One: the sampled training set is small
// (about 15,000 rows at scale 1), and on a shared 2-core machine a second
// OpenMP thread mostly waits at barriers (measured: 12.9 s wall for 3.1 s CPU
// with two under load).
constexpr int kThreads = 1;

// Standardized features for the spend regression: NaN -> 0 (the training mean).
Eigen::MatrixXd Standardize(const Eigen::MatrixXd& x, const Eigen::VectorXd& mean, const Eigen::VectorXd& scale) {
  Eigen::MatrixXd z(x.rows(), x.cols());
  for (Eigen::Index r = 0; r < x.rows(); ++r) {
    for (Eigen::Index c = 0; c < x.cols(); ++c) {
      const double v = x(r, c);
      z(r, c) = std::isnan(v) ? 0.0 : (v - mean(c)) / scale(c);
    }
  }
  return z;
}

nlohmann::json ToJson(const Eigen::VectorXd& v) { return std::vector<double>(v.data(), v.data() + v.size()); }

Eigen::VectorXd FromJson(const nlohmann::json& j) {
  const auto values = j.get<std::vector<double>>();
  Eigen::VectorXd v(static_cast<Eigen::Index>(values.size()));
  for (size_t i = 0; i < values.size(); ++i) v(static_cast<Eigen::Index>(i)) = values[i];
  return v;
}

// The three source columns with the largest absolute contribution to each
// row's log-odds, into s.driver / s.effect from row `first` on.
Status TopDrivers(const FvModel& model, const Eigen::MatrixXd& x, size_t first, FvScores& s) {
  PARETO_ASSIGN_OR_RETURN(Eigen::MatrixXd contrib, model.repeat->PersonContributions(x));
  std::vector<std::string> groups;
  const Eigen::MatrixXd grouped =
      GroupContributions(contrib.leftCols(contrib.cols() - 1), model.encoder.SourceColumns(), groups);
  std::vector<Eigen::Index> order(static_cast<size_t>(grouped.cols()));
  const size_t top = std::min<size_t>(3, order.size());
  for (Eigen::Index r = 0; r < grouped.rows(); ++r) {
    for (size_t c = 0; c < order.size(); ++c) order[c] = static_cast<Eigen::Index>(c);
    std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(top), order.end(),
                      [&](Eigen::Index a, Eigen::Index b) {
                        const double fa = std::abs(grouped(r, a)), fb = std::abs(grouped(r, b));
                        return fa != fb ? fa > fb : a < b;
                      });
    const size_t k = first + static_cast<size_t>(r);
    for (size_t j = 0; j < top; ++j) {
      s.driver[k][j] = groups[static_cast<size_t>(order[j])];
      s.effect[k][j] = grouped(r, order[j]);
    }
  }
  return OkStatus();
}

}  // namespace

FvOptions ProductionOptions(uint64_t seed) {
  FvOptions o;
  o.boosting.max_rounds = 300;
  o.boosting.early_stopping_rounds = 20;
  o.boosting.learning_rate = 0.1;
  o.boosting.max_depth = 4;
  o.boosting.min_child_weight = 5;
  o.boosting.threads = kThreads;
  o.boosting.seed = seed;
  return o;
}

std::vector<clv::RfmSummary> RfmOf(const Snapshots& data, std::span<const size_t> rows) {
  const std::vector<double>& days = data.frame.Find("past_purchase_days")->numbers;
  const std::vector<double>& span = data.frame.Find("active_span_days")->numbers;
  const std::vector<double>& tenure = data.frame.Find("tenure_days")->numbers;
  std::vector<clv::RfmSummary> out;
  out.reserve(rows.size());
  for (size_t i : rows) out.push_back({.x = days[i] - 1, .t_x = span[i] / 7.0, .T = tenure[i] / 7.0});
  return out;
}

StatusOr<FvModel> Fit(const Snapshots& data, std::span<const size_t> rows, int64_t scoring_day,
                      const FvOptions& options) {
  if (rows.empty()) return std::unexpected(InvalidArgument("future value: no training rows"));
  FvModel m;
  m.horizon_days = data.horizon_days;
  m.scoring_day = scoring_day;
  const auto horizon = static_cast<int64_t>(data.horizon_days);
  for (size_t i : rows) {
    // The point of the protocol: a training label window must have ended by the
    // day the model scores, or the model would have seen the future it predicts.
    if (!data.labels_complete[i] || data.day[i] + horizon > scoring_day) {
      return std::unexpected(InvalidArgument(
          "future value: training row of snapshot " + DayText(data.day[i]) + " has a label window ending " +
          DayText(data.day[i] + horizon) + ", after the scoring snapshot " + DayText(scoring_day)));
    }
    if (m.training_days.empty() || m.training_days.back() != data.day[i]) m.training_days.push_back(data.day[i]);
  }
  std::sort(m.training_days.begin(), m.training_days.end());
  m.training_days.erase(std::unique(m.training_days.begin(), m.training_days.end()), m.training_days.end());

  PARETO_ASSIGN_OR_RETURN(m.encoder, Encoder::Fit(data.frame, FeatureColumns(), rows));
  std::vector<size_t> returned;  // rows of `data` whose person came back and spent
  for (size_t i : rows) {
    if (data.repeat[i] == 1.0) ++m.training_positives;
    if (data.repeat[i] == 1.0 && data.future_spend[i] > 0) returned.push_back(i);
  }
  m.training_rows = static_cast<int64_t>(rows.size());
  if (m.training_positives < 2) {
    return std::unexpected(InvalidArgument("future value: fewer than two persons came back in the training windows"));
  }
  // Persons who come back are rare (about 1 in 100 a window): the boosted model
  // sees every one of them and a seeded sample of the others, at most
  // options.negatives_per_positive per positive, which makes it several times
  // faster for the same ranking; Score undoes the sampling on the log-odds
  // (adds log of the sampling rate), so probabilities stay calibrated. Only the
  // kept rows are encoded: the dense design of every row would be gigabytes at
  // scale 100 and most of it thrown away.
  const double negatives = static_cast<double>(m.training_rows - m.training_positives);
  m.negative_rate = std::min(1.0, options.negatives_per_positive * static_cast<double>(m.training_positives) /
                                      std::max(1.0, negatives));
  std::vector<size_t> kept;
  Rng sampler(options.boosting.seed ^ 0x6e6567ULL);
  for (size_t i : rows) {
    if (data.repeat[i] == 1.0 || m.negative_rate >= 1.0 || sampler.Uniform() < m.negative_rate) kept.push_back(i);
  }
  {
    PARETO_ASSIGN_OR_RETURN(Design design, m.encoder.Apply(data.frame, kept));
    Eigen::VectorXd y(static_cast<Eigen::Index>(kept.size()));
    for (size_t k = 0; k < kept.size(); ++k) y(static_cast<Eigen::Index>(k)) = data.repeat[kept[k]];
    PARETO_ASSIGN_OR_RETURN(TreeModel repeat, TreeModel::FitBoosting(design.x, y, options.boosting));
    m.repeat = std::make_unique<TreeModel>(std::move(repeat));
  }

  // Spend of a returning person: ridge regression of log spend.
  PARETO_ASSIGN_OR_RETURN(const Design returned_design, m.encoder.Apply(data.frame, returned));
  const Eigen::MatrixXd& xr = returned_design.x;
  const Eigen::Index p = xr.cols();
  m.mean = Eigen::VectorXd::Zero(p);
  m.scale = Eigen::VectorXd::Ones(p);
  for (Eigen::Index c = 0; c < p; ++c) {
    double sum = 0, sum2 = 0;
    int64_t n = 0;
    for (Eigen::Index k = 0; k < xr.rows(); ++k) {
      const double v = xr(k, c);
      if (std::isnan(v)) continue;
      sum += v;
      sum2 += v * v;
      ++n;
    }
    if (n > 0) {
      m.mean(c) = sum / static_cast<double>(n);
      const double var = sum2 / static_cast<double>(n) - m.mean(c) * m.mean(c);
      m.scale(c) = var > 1e-12 ? std::sqrt(var) : 1.0;
    }
  }
  const Eigen::MatrixXd z = Standardize(xr, m.mean, m.scale);
  Eigen::VectorXd t(static_cast<Eigen::Index>(returned.size()));
  for (size_t k = 0; k < returned.size(); ++k) t(static_cast<Eigen::Index>(k)) = std::log(data.future_spend[returned[k]]);
  m.intercept = t.mean();
  m.min_log_spend = t.minCoeff();
  m.max_log_spend = t.maxCoeff();
  const Eigen::VectorXd tc = t.array() - m.intercept;
  // The penalty grows with the features: a few dozen returning persons must not
  // fit a hundred coefficients.
  const double ridge = options.ridge * static_cast<double>(p);
  const Eigen::MatrixXd gram = z.transpose() * z + ridge * Eigen::MatrixXd::Identity(p, p);
  m.coef = gram.ldlt().solve(z.transpose() * tc);
  const Eigen::VectorXd residual = tc - z * m.coef;
  m.residual_variance = residual.squaredNorm() / std::max<double>(1.0, static_cast<double>(returned.size()) - 1.0);
  return m;
}

StatusOr<FvScores> Score(const FvModel& model, const Snapshots& data, std::span<const size_t> rows, bool drivers) {
  if (rows.empty()) return std::unexpected(InvalidArgument("future value: no rows to score"));
  FvScores s;
  const auto n = static_cast<Eigen::Index>(rows.size());
  s.repeat_probability.resize(n);
  s.conditional_spend.resize(n);
  if (drivers) {
    s.driver.resize(rows.size());
    s.effect.resize(rows.size());
  }
  // Block by block: the dense design of a block (and its standardized copy and
  // contributions) stays a few tens of megabytes, where the whole snapshot's
  // would be gigabytes at scale 10 and more; every score is a function of its
  // own row, so blocks change no figure.
  constexpr size_t kBlock = 32768;
  const double shift = std::log(model.negative_rate);  // back from the training sample's odds to the population's
  for (size_t begin = 0; begin < rows.size(); begin += kBlock) {
    const std::span<const size_t> block = rows.subspan(begin, std::min(kBlock, rows.size() - begin));
    const auto at = static_cast<Eigen::Index>(begin);
    const auto len = static_cast<Eigen::Index>(block.size());
    PARETO_ASSIGN_OR_RETURN(Design design, model.encoder.Apply(data.frame, block));
    PARETO_ASSIGN_OR_RETURN(Eigen::VectorXd sampled, model.repeat->PredictProba(design.x));
    s.repeat_probability.segment(at, len) = sampled.unaryExpr([shift](double p) {
      const double q = std::clamp(p, 1e-15, 1 - 1e-15);
      return 1.0 / (1.0 + std::exp(-(std::log(q / (1 - q)) + shift)));
    });
    const Eigen::MatrixXd z = Standardize(design.x, model.mean, model.scale);
    // Within the log spends seen in training: a linear model extrapolates without bound.
    const Eigen::VectorXd log_spend =
        ((z * model.coef).array() + model.intercept).cwiseMax(model.min_log_spend).cwiseMin(model.max_log_spend);
    s.conditional_spend.segment(at, len) = (log_spend.array() + 0.5 * model.residual_variance).exp();
    if (drivers) PARETO_RETURN_IF_ERROR(TopDrivers(model, design.x, begin, s));
  }
  s.expected_spend = s.repeat_probability.cwiseProduct(s.conditional_spend);

  // BG/NBD on the scored persons' own history (no labels): fitted on the table
  // of distinct (x, t_x, T), which at scale is a few thousand rows for ~100k
  // persons; a person's expectation is a function of their triple alone, so it
  // is computed once a triple.
  const std::vector<clv::RfmSummary> rfm = RfmOf(data, rows);
  std::map<std::tuple<double, double, double>, size_t> index_of;
  std::vector<clv::RfmSummary> distinct;
  std::vector<double> weights;
  std::vector<size_t> triple_of(rfm.size());
  for (size_t k = 0; k < rfm.size(); ++k) {
    const clv::RfmSummary& c = rfm[k];
    auto [it, inserted] = index_of.try_emplace({c.x, c.t_x, c.T}, distinct.size());
    if (inserted) {
      distinct.push_back(c);
      weights.push_back(0);
    }
    weights[it->second] += 1;
    triple_of[k] = it->second;
  }
  // FitBgNbd sums over the triples in their sorted order, as before they were indexed.
  std::vector<size_t> sorted_order;
  sorted_order.reserve(index_of.size());
  for (const auto& [key, i] : index_of) sorted_order.push_back(i);
  std::vector<clv::RfmSummary> sorted_distinct;
  std::vector<double> sorted_weights;
  for (size_t i : sorted_order) {
    sorted_distinct.push_back(distinct[i]);
    sorted_weights.push_back(weights[i]);
  }
  s.expected_purchases = Eigen::VectorXd::Constant(static_cast<Eigen::Index>(rows.size()), kNaN);
  s.p_alive = Eigen::VectorXd::Constant(static_cast<Eigen::Index>(rows.size()), kNaN);
  // A bounded search: 20,000 evaluations reach the optimum on the generated data
  // in a fraction of a second; where they do not, the likelihood is flat.
  clv::MinimiseOptions search;
  search.max_evaluations = 20000;
  search.tolerance = 1e-10;
  auto fit = clv::FitBgNbd(sorted_distinct, sorted_weights, search);
  if (fit.has_value()) {
    s.bgnbd = fit->params;
    std::vector<double> expected(distinct.size()), alive(distinct.size());
    for (size_t i = 0; i < distinct.size(); ++i) {
      auto e = clv::BgNbdConditionalExpectedPurchases(fit->params, distinct[i], model.horizon_days / 7.0);
      if (!e.has_value()) {
        // Parameters at the edge of the model (a <= 1 - b ...) leave eq. 10 undefined.
        s.bgnbd_error = fmt::format("r={:.3g} alpha={:.3g} a={:.3g} b={:.3g}: {}", fit->params.r, fit->params.alpha,
                                    fit->params.a, fit->params.b, e.error().message());
        break;
      }
      expected[i] = *e;
      alive[i] = clv::BgNbdProbabilityAlive(fit->params, distinct[i]);
    }
    if (s.bgnbd_error.empty()) {
      for (size_t k = 0; k < rfm.size(); ++k) {
        s.expected_purchases(static_cast<Eigen::Index>(k)) = expected[triple_of[k]];
        s.p_alive(static_cast<Eigen::Index>(k)) = alive[triple_of[k]];
      }
    }
  } else {
    // Too few repeat buyers pin no maximum (the likelihood is flat along a/b):
    // the BG/NBD columns stay empty and say why, the hurdle scores stand.
    s.bgnbd_error = fit.error().message();
  }

  return s;
}

Status Save(const FvModel& model, const std::string& dir, Env* env) {
  PARETO_RETURN_IF_ERROR(model.repeat->Save(dir));
  const nlohmann::json j = {{"encoder", model.encoder.ToJson()},
                            {"mean", ToJson(model.mean)},
                            {"scale", ToJson(model.scale)},
                            {"coef", ToJson(model.coef)},
                            {"intercept", model.intercept},
                            {"min_log_spend", model.min_log_spend},
                            {"max_log_spend", model.max_log_spend},
                            {"residual_variance", model.residual_variance},
                            {"horizon_days", model.horizon_days},
                            {"negative_rate", model.negative_rate},
                            {"scoring_day", model.scoring_day},
                            {"scoring_date", DayText(model.scoring_day)},
                            {"training_days", model.training_days},
                            {"training_rows", model.training_rows},
                            {"training_positives", model.training_positives}};
  return env->WriteFile(dir + "/future_value.json", j.dump(1), true);
}

StatusOr<FvModel> Load(const std::string& dir, Env* env) {
  PARETO_ASSIGN_OR_RETURN(const std::string text, env->ReadFile(dir + "/future_value.json"));
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::unexpected(DataError(dir + "/future_value.json is not JSON"));
  FvModel m;
  try {
    PARETO_ASSIGN_OR_RETURN(m.encoder, Encoder::FromJson(j.at("encoder")));
    m.mean = FromJson(j.at("mean"));
    m.scale = FromJson(j.at("scale"));
    m.coef = FromJson(j.at("coef"));
    m.intercept = j.at("intercept").get<double>();
    m.min_log_spend = j.at("min_log_spend").get<double>();
    m.max_log_spend = j.at("max_log_spend").get<double>();
    m.residual_variance = j.at("residual_variance").get<double>();
    m.horizon_days = j.at("horizon_days").get<double>();
    m.negative_rate = j.at("negative_rate").get<double>();
    m.scoring_day = j.at("scoring_day").get<int64_t>();
    m.training_days = j.at("training_days").get<std::vector<int64_t>>();
    m.training_rows = j.at("training_rows").get<int64_t>();
    m.training_positives = j.at("training_positives").get<int64_t>();
  } catch (const nlohmann::json::exception& e) {
    return std::unexpected(DataError(dir + "/future_value.json: " + e.what()));
  }
  PARETO_ASSIGN_OR_RETURN(TreeModel repeat, TreeModel::Load(dir, "gbt"));
  m.repeat = std::make_unique<TreeModel>(std::move(repeat));
  return m;
}

}  // namespace pareto::ml::fv
