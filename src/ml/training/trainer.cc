#include "ml/training/trainer.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <limits>
#include <numeric>
#include <thread>

#include <fmt/format.h>

#include "common/random.h"
#include "ml/training/split.h"

namespace pareto::ml {
namespace {

std::span<const double> View(const Eigen::VectorXd& v) { return {v.data(), static_cast<size_t>(v.size())}; }


// Seconds since construction or the previous Lap().
class Stopwatch {
 public:
  double Lap() {
    const auto now = std::chrono::steady_clock::now();
    const double s = std::chrono::duration<double>(now - last_).count();
    last_ = now;
    return s;
  }

 private:
  std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
};

int64_t Positives(const Eigen::VectorXd& y) { return static_cast<int64_t>(y.sum()); }

// Each model kind draws from its own seed stream, so adding a model to the list
// does not change the others' results.
uint64_t SeedFor(uint64_t seed, const std::string& kind, int fold) {
  uint64_t h = seed ^ 0x9e3779b97f4a7c15ULL;
  for (char c : kind) h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
  h ^= static_cast<uint64_t>(fold + 1) * 0xbf58476d1ce4e5b9ULL;
  return Rng(h).Next() >> 33;  // XGBoost takes a 32-bit seed
}

StatusOr<std::vector<double>> NumericColumn(const Frame& frame, const std::string& name) {
  const FrameColumn* c = frame.Find(name);
  if (c == nullptr) return std::unexpected(NotFound("column " + name + " is not in the data"));
  if (c->categorical) return std::unexpected(InvalidArgument("column " + name + " must be numeric"));
  return c->numbers;
}

// Held-out ROC-AUC of each cross-validation fold. The folds are independent, so
// `options.cv_workers` of them are fitted at once, each on one thread: on a
// small machine two single-threaded fits finish sooner than two fits one after
// the other sharing both cores (XGBoost synchronizes its threads at every tree
// node). Each fit's result depends only on its data, seed and thread count,
// never on which worker runs it or when.
StatusOr<std::vector<double>> CrossValidate(const std::string& kind, const Eigen::MatrixXd& x,
                                            const Eigen::VectorXd& y, const std::vector<int>& folds,
                                            const TrainOptions& options) {
  ModelParams single = options.params;
  single.rf.threads = 1;
  single.gbt.threads = 1;
  const int k = options.cv_folds;
  std::vector<StatusOr<double>> auc(static_cast<size_t>(k), std::unexpected(Internal("fold not run")));
  const auto run_fold = [&](int f) -> StatusOr<double> {
    std::vector<size_t> in, out;
    for (size_t i = 0; i < folds.size(); ++i) (folds[i] == f ? out : in).push_back(i);
    const Eigen::VectorXd yi = Rows(y, in), yo = Rows(y, out);
    PARETO_ASSIGN_OR_RETURN(auto model, FitModel(kind, Rows(x, in), yi, single, SeedFor(options.seed, kind, f)));
    PARETO_ASSIGN_OR_RETURN(Eigen::VectorXd p, model->PredictProba(Rows(x, out)));
    return RocAuc(View(yo), View(p));
  };
  std::atomic<int> next{0};
  {
    std::vector<std::jthread> workers;
    for (int w = 0; w < std::clamp(options.cv_workers, 1, k); ++w) {
      workers.emplace_back([&] {
        for (int f = next++; f < k; f = next++) auc[static_cast<size_t>(f)] = run_fold(f);
      });
    }
  }  // joined
  std::vector<double> out;
  for (auto& a : auc) {
    if (!a.has_value()) return std::unexpected(a.error());
    out.push_back(*a);
  }
  return out;
}

}  // namespace

StatusOr<std::unique_ptr<Model>> FitModel(const std::string& kind, const Eigen::MatrixXd& x,
                                          const Eigen::VectorXd& y, const ModelParams& params,
                                          uint64_t seed) {
  if (kind == "lr") {
    PARETO_ASSIGN_OR_RETURN(LogisticModel m, LogisticModel::Fit(x, y, params.lr));
    return std::unique_ptr<Model>(std::make_unique<LogisticModel>(std::move(m)));
  }
  if (kind == "rf") {
    ForestOptions o = params.rf;
    o.seed = seed;
    PARETO_ASSIGN_OR_RETURN(TreeModel m, TreeModel::FitForest(x, y, o));
    return std::unique_ptr<Model>(std::make_unique<TreeModel>(std::move(m)));
  }
  if (kind == "gbt") {
    BoostingOptions o = params.gbt;
    o.seed = seed;
    PARETO_ASSIGN_OR_RETURN(TreeModel m, TreeModel::FitBoosting(x, y, o));
    return std::unique_ptr<Model>(std::make_unique<TreeModel>(std::move(m)));
  }
  return std::unexpected(InvalidArgument("unknown model '" + kind + "' (expected lr, rf or gbt)"));
}

double SpendThreshold(std::vector<double> spend, double quantile) {
  if (spend.empty()) return std::numeric_limits<double>::quiet_NaN();
  std::sort(spend.begin(), spend.end());
  const double n = static_cast<double>(spend.size());
  auto index = static_cast<size_t>(std::ceil(quantile * n));
  index = std::clamp<size_t>(index, 1, spend.size()) - 1;
  return spend[index];
}

Status ApplyFill(Frame& frame, const std::map<std::string, double>& fill) {
  for (const auto& [name, value] : fill) {
    auto it = std::find_if(frame.columns.begin(), frame.columns.end(),
                           [&](const FrameColumn& c) { return c.name == name; });
    if (it == frame.columns.end()) return NotFound("fill names column " + name + ", which is not in the data");
    if (it->categorical) return InvalidArgument("fill names text column " + name);
    for (double& v : it->numbers) {
      if (std::isnan(v)) v = value;
    }
  }
  return OkStatus();
}

Eigen::MatrixXd GroupContributions(const Eigen::MatrixXd& contributions,
                                   const std::vector<std::string>& source_columns,
                                   std::vector<std::string>& group_names) {
  group_names.clear();
  std::vector<Eigen::Index> group_of(source_columns.size());
  for (size_t j = 0; j < source_columns.size(); ++j) {
    auto it = std::find(group_names.begin(), group_names.end(), source_columns[j]);
    if (it == group_names.end()) {
      group_names.push_back(source_columns[j]);
      it = group_names.end() - 1;
    }
    group_of[j] = it - group_names.begin();
  }
  Eigen::MatrixXd grouped = Eigen::MatrixXd::Zero(contributions.rows(), static_cast<Eigen::Index>(group_names.size()));
  for (size_t j = 0; j < source_columns.size(); ++j) {
    grouped.col(group_of[j]) += contributions.col(static_cast<Eigen::Index>(j));
  }
  return grouped;
}

StatusOr<ProtocolResult> TrainProtocol(Frame frame, const ProtocolSpec& spec, const TrainOptions& options) {
  if (spec.features.empty()) return std::unexpected(InvalidArgument("protocol " + spec.name + " has no features"));
  if (options.models.empty()) return std::unexpected(InvalidArgument("no models to train"));
  ProtocolResult result;
  result.spec = spec;
  const size_t n = frame.rows;
  if (n < 20) return std::unexpected(DataError(spec.table + " has only " + std::to_string(n) + " rows"));

  // 1. Split.
  Split split;
  std::vector<double> labels(n, 0.0);
  if (!spec.label_column.empty()) {
    PARETO_ASSIGN_OR_RETURN(labels, NumericColumn(frame, spec.label_column));
    for (double& v : labels) {
      if (std::isnan(v)) return std::unexpected(DataError("label " + spec.label_column + " has NULLs"));
      v = v > 0.5 ? 1.0 : 0.0;
    }
  }
  if (spec.split == SplitKind::kTime) {
    PARETO_ASSIGN_OR_RETURN(std::vector<double> t, NumericColumn(frame, spec.time_column));
    std::vector<int64_t> times;
    for (double v : t) {
      if (std::isnan(v)) return std::unexpected(DataError("time column " + spec.time_column + " has NULLs"));
      times.push_back(static_cast<int64_t>(v));
    }
    const int64_t cutoff = spec.cutoff_us.value_or(TimeCutoffForFraction(times, spec.test_fraction));
    result.cutoff_us = cutoff;
    split = SplitByTime(times, cutoff);
    if (split.train.empty() || split.test.empty()) {
      return std::unexpected(InvalidArgument("the time cutoff leaves no training or no test rows"));
    }
  }

  // 2. Label from spend, with the threshold taken on training rows only.
  if (spec.label_column.empty()) {
    PARETO_ASSIGN_OR_RETURN(std::vector<double> spend, NumericColumn(frame, spec.spend_column));
    for (double v : spend) {
      if (std::isnan(v)) return std::unexpected(DataError("spend " + spec.spend_column + " has NULLs"));
    }
    if (spec.split == SplitKind::kStratified) {
      return std::unexpected(InvalidArgument("a spend-based label needs a time split (the threshold comes from training rows)"));
    }
    std::vector<double> train_spend;
    for (size_t r : split.train) train_spend.push_back(spend[r]);
    const double threshold = SpendThreshold(std::move(train_spend), spec.label_quantile);
    result.spend_threshold = threshold;
    for (size_t i = 0; i < n; ++i) labels[i] = spend[i] >= threshold ? 1.0 : 0.0;
  }
  if (spec.split == SplitKind::kStratified) {
    PARETO_ASSIGN_OR_RETURN(split, StratifiedSplit(labels, spec.test_fraction, options.seed));
  }

  // 3. Features: fill, then encode with levels from the training rows.
  PARETO_RETURN_IF_ERROR(ApplyFill(frame, spec.fill));
  PARETO_ASSIGN_OR_RETURN(result.encoder, Encoder::Fit(frame, spec.features, split.train));
  PARETO_ASSIGN_OR_RETURN(Design train, result.encoder.Apply(frame, split.train));
  PARETO_ASSIGN_OR_RETURN(Design test, result.encoder.Apply(frame, split.test));
  const Eigen::VectorXd y_all = Eigen::Map<const Eigen::VectorXd>(labels.data(), static_cast<Eigen::Index>(n));
  const Eigen::VectorXd y_train = Rows(y_all, split.train), y_test = Rows(y_all, split.test);
  result.train_rows = static_cast<int64_t>(split.train.size());
  result.test_rows = static_cast<int64_t>(split.test.size());
  result.train_positives = Positives(y_train);
  result.test_positives = Positives(y_test);
  if (result.train_positives == 0 || result.train_positives == result.train_rows ||
      result.test_positives == 0 || result.test_positives == result.test_rows) {
    return std::unexpected(DataError("protocol " + spec.name + ": a side of the split has a single class"));
  }

  // The trivial baseline, scored on the test rows as they are (a missing value
  // ranks lowest).
  if (!spec.baseline_column.empty()) {
    PARETO_ASSIGN_OR_RETURN(std::vector<double> score, NumericColumn(frame, spec.baseline_column));
    std::vector<double> s, y;
    for (size_t r : split.test) {
      s.push_back(std::isnan(score[r]) ? -std::numeric_limits<double>::infinity() : score[r]);
      y.push_back(labels[r]);
    }
    Evaluation e;
    e.rows = static_cast<int64_t>(y.size());
    e.positives = result.test_positives;
    PARETO_ASSIGN_OR_RETURN(e.roc_auc, RocAuc(y, s));
    PARETO_ASSIGN_OR_RETURN(e.roc_auc_ci, BootstrapRocAucInterval(y, s, options.bootstrap_resamples, options.seed));
    PARETO_ASSIGN_OR_RETURN(e.pr_auc, AveragePrecision(y, s));
    PARETO_ASSIGN_OR_RETURN(e.top10, TopFraction(y, s, 0.1));
    PARETO_ASSIGN_OR_RETURN(e.top20, TopFraction(y, s, 0.2));
    // Its curves too, so a chart draws the baseline beside the models.
    e.roc = RocCurve(y, s);
    e.pr = PrCurve(y, s);
    e.gains = GainsCurve(y, s);
    result.baseline = std::move(e);
  }

  // Rows for global drivers: a seeded sample of the test rows.
  std::vector<size_t> driver_rows = AllRows(split.test.size());
  if (options.max_driver_rows > 0 && driver_rows.size() > static_cast<size_t>(options.max_driver_rows)) {
    Rng rng(options.seed ^ 0x5eedULL);
    rng.Shuffle(std::span<size_t>(driver_rows));
    driver_rows.resize(static_cast<size_t>(options.max_driver_rows));
    std::sort(driver_rows.begin(), driver_rows.end());
  }
  const Eigen::MatrixXd x_drivers = Rows(test.x, driver_rows);
  const std::vector<std::string> sources = result.encoder.SourceColumns();

  std::vector<int> folds;
  if (options.cv_folds >= 2) {
    PARETO_ASSIGN_OR_RETURN(folds, StratifiedFolds(View(y_train), options.cv_folds, options.seed));
  }

  for (const std::string& kind : options.models) {
    ModelResult mr;
    mr.kind = kind;
    Stopwatch clock;
    PARETO_ASSIGN_OR_RETURN(mr.model, FitModel(kind, train.x, y_train, options.params, SeedFor(options.seed, kind, -1)));
    mr.stage_seconds["fit"] = clock.Lap();
    mr.training_info = mr.model->TrainingInfo();
    PARETO_ASSIGN_OR_RETURN(Eigen::VectorXd p, mr.model->PredictProba(test.x));
    PARETO_ASSIGN_OR_RETURN(mr.test, Evaluate(View(y_test), View(p), options.bootstrap_resamples, options.seed));
    mr.stage_seconds["evaluate"] = clock.Lap();

    if (!folds.empty()) {
      PARETO_ASSIGN_OR_RETURN(mr.cv_auc, CrossValidate(kind, train.x, y_train, folds, options));
    }
    if (!mr.cv_auc.empty()) {
      const double k = static_cast<double>(mr.cv_auc.size());
      mr.cv_mean = std::accumulate(mr.cv_auc.begin(), mr.cv_auc.end(), 0.0) / k;
      double ss = 0;
      for (double a : mr.cv_auc) ss += (a - mr.cv_mean) * (a - mr.cv_mean);
      mr.cv_sd = k > 1 ? std::sqrt(ss / (k - 1)) : 0.0;
    }
    mr.stage_seconds["cross_validate"] = clock.Lap();

    PARETO_ASSIGN_OR_RETURN(Eigen::MatrixXd contrib, mr.model->Contributions(x_drivers));
    std::vector<std::string> names;
    const Eigen::MatrixXd grouped = GroupContributions(contrib.leftCols(contrib.cols() - 1), sources, names);
    for (size_t g = 0; g < names.size(); ++g) {
      mr.drivers.push_back({names[g], grouped.col(static_cast<Eigen::Index>(g)).cwiseAbs().mean()});
    }
    std::stable_sort(mr.drivers.begin(), mr.drivers.end(),
                     [](const Driver& a, const Driver& b) { return a.mean_abs > b.mean_abs; });
    mr.stage_seconds["drivers"] = clock.Lap();
    result.models.push_back(std::move(mr));
  }

  // The best model is chosen on training rows (cross-validation), never on the test set.
  for (size_t i = 1; i < result.models.size(); ++i) {
    const auto& a = result.models[i];
    const auto& b = result.models[result.best];
    const bool better = a.cv_auc.empty() ? a.test.roc_auc > b.test.roc_auc : a.cv_mean > b.cv_mean;
    if (better) result.best = i;
  }
  return result;
}

std::string FormatProtocolTable(const ProtocolResult& r) {
  std::string out = fmt::format("protocol {}: {}\n", r.spec.name, r.spec.description);
  out += fmt::format("  train {} persons ({} high value), test {} ({} high value)", r.train_rows,
                     r.train_positives, r.test_rows, r.test_positives);
  if (r.spend_threshold) out += fmt::format("; label: spend >= {:.2f} (p75 of training persons)", *r.spend_threshold);
  out += "\n\n";
  out += fmt::format("  {:<6} {:>22} {:>8} {:>9} {:>16}\n", "model", "ROC-AUC [95% CI]", "PR-AUC", "lift@10%",
                     "CV ROC-AUC");
  for (size_t i = 0; i < r.models.size(); ++i) {
    const ModelResult& m = r.models[i];
    const std::string auc = fmt::format("{:.3f} [{:.3f}, {:.3f}]", m.test.roc_auc, m.test.roc_auc_ci.low,
                                        m.test.roc_auc_ci.high);
    const std::string cv = m.cv_auc.empty() ? "-" : fmt::format("{:.3f} ± {:.3f}", m.cv_mean, m.cv_sd);
    out += fmt::format("  {:<6} {:>22} {:>8.3f} {:>9.2f} {:>16}{}\n", m.kind, auc, m.test.pr_auc, m.test.top10.lift,
                       cv, i == r.best ? "  best" : "");
  }
  if (r.baseline) {
    const Evaluation& b = *r.baseline;
    const std::string auc = fmt::format("{:.3f} [{:.3f}, {:.3f}]", b.roc_auc, b.roc_auc_ci.low, b.roc_auc_ci.high);
    out += fmt::format("  {:<6} {:>22} {:>8.3f} {:>9.2f} {:>16}  ({})\n", "baseline", auc, b.pr_auc, b.top10.lift, "-",
                       r.spec.baseline_column);
    std::string beaten, not_beaten;
    for (const ModelResult& m : r.models) {
      std::string& to = m.test.roc_auc > b.roc_auc ? beaten : not_beaten;
      to += (to.empty() ? "" : ", ") + m.kind;
    }
    if (not_beaten.empty()) {
      out += "  every model beats the baseline's ROC-AUC\n";
    } else {
      out += fmt::format("  does NOT beat the baseline ({}, ROC-AUC {:.3f}): {}\n", r.spec.baseline_column, b.roc_auc,
                         not_beaten);
    }
  }
  // Where the time went, per model: fit, evaluate (bootstrap), cross_validate, drivers.
  out += "  seconds:";
  for (const ModelResult& m : r.models) {
    double total = 0;
    std::string parts;
    for (const auto& [stage, s] : m.stage_seconds) {
      total += s;
      parts += fmt::format("{}{} {:.1f}", parts.empty() ? "" : ", ", stage, s);
    }
    out += fmt::format(" {} {:.1f} ({});", m.kind, total, parts);
  }
  out.back() = '\n';
  return out;
}

nlohmann::json ProtocolMetricsJson(const ProtocolResult& r, bool with_curves) {
  nlohmann::json models = nlohmann::json::array();
  for (const ModelResult& m : r.models) {
    nlohmann::json drivers = nlohmann::json::array();
    for (const Driver& d : m.drivers) drivers.push_back({{"feature", d.feature}, {"mean_abs_contribution", d.mean_abs}});
    nlohmann::json j = ToJson(m.test, with_curves);
    j["model"] = m.kind;
    j["cv_roc_auc"] = {{"folds", m.cv_auc}, {"mean", m.cv_mean}, {"sd", m.cv_sd}};
    j["train_seconds"] = m.stage_seconds.contains("fit") ? m.stage_seconds.at("fit") : 0.0;
    j["stage_seconds"] = m.stage_seconds;
    j["drivers"] = drivers;
    j["training"] = m.training_info;
    models.push_back(std::move(j));
  }
  nlohmann::json out = {{"protocol", r.spec.name},
                        {"train_rows", r.train_rows},
                        {"test_rows", r.test_rows},
                        {"train_positives", r.train_positives},
                        {"test_positives", r.test_positives},
                        {"best", r.models.empty() ? "" : r.models[r.best].kind},
                        {"models", models}};
  if (r.spend_threshold) out["spend_threshold"] = *r.spend_threshold;
  if (r.cutoff_us) out["cutoff_us"] = *r.cutoff_us;
  if (r.baseline) {
    nlohmann::json b = ToJson(*r.baseline, with_curves);
    b.erase("log_loss");  // the baseline's score is not a probability
    b.erase("brier");
    b.erase("calibration");
    b["column"] = r.spec.baseline_column;
    nlohmann::json beaten_by = nlohmann::json::array();
    for (const ModelResult& m : r.models) {
      if (m.test.roc_auc > r.baseline->roc_auc) beaten_by.push_back(m.kind);
    }
    b["beaten_by"] = beaten_by;
    out["baseline"] = std::move(b);
  }
  return out;
}

}  // namespace pareto::ml
