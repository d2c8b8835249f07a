// One training protocol over an in-memory Frame: split, label, encode, fit the
// requested models, evaluate each on the held-out rows, cross-validate on the
// training rows, and rank features by mean |contribution|. No I/O: the caller
// (train_job) reads the table, runs the leakage guard and records the run.
//
// Same frame + same spec + same seed = the same numbers, bit for bit: every
// random choice goes through pareto's Rng or XGBoost's seed with fixed threads.
//
// Ownership: ProtocolResult owns its fitted models. Thread safety: pure function.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "ml/training/dataset.h"
#include "ml/models/logistic.h"
#include "ml/training/metrics.h"
#include "ml/training/point_in_time.h"
#include "ml/models/model.h"
#include "ml/models/tree_models.h"

namespace pareto::ml {

enum class SplitKind { kStratified, kTime };

struct ProtocolSpec {
  std::string name;   // "seed", "early"
  std::string table;  // "gold.gld_ml_features"
  std::string id_column = "customer_unique_id";
  // Either the table's own 0/1 label column, or a spend column from which the
  // label is made: spend >= the `label_quantile` of the TRAINING rows' spend.
  std::string label_column;
  std::string spend_column;
  double label_quantile = 0.75;
  std::string time_column;  // read as epoch microseconds; required for kTime
  std::vector<std::string> features;
  std::map<std::string, double> fill;  // NULL -> value, per numeric feature
  SplitKind split = SplitKind::kStratified;
  double test_fraction = 0.2;
  std::optional<int64_t> cutoff_us;  // kTime: first purchases before it train
  std::string description;           // one line, for tables and the model card
  // The moment the protocol predicts at; features known later are refused
  // (point_in_time.h). Unset: no point-in-time claim (the seed protocol).
  std::optional<Moment> predict_at;
  // The trivial baseline printed beside every model: a column whose value is the
  // score (for the high-value label, the first basket's value, known at
  // checkout), read from `baseline_table` (default: `table`) joined on the id.
  // It is never a feature, so money is allowed here: it is what the shop knows.
  std::string baseline_column;
  std::string baseline_table;
};

struct ModelParams {
  LogisticOptions lr;
  ForestOptions rf;
  BoostingOptions gbt;
};

struct TrainOptions {
  std::vector<std::string> models = {"lr", "rf", "gbt"};
  ModelParams params;
  uint64_t seed = 42;
  int bootstrap_resamples = 1000;
  int cv_folds = 5;          // 0: no cross-validation
  int cv_workers = 2;        // folds fitted at once, one thread each (results do not depend on it)
  // Global drivers: exact SHAP on a seeded sample of at most this many test rows.
  // Exact TreeSHAP costs trees x leaves x depth^2 a row (about 10 ms for the
  // forest); 500 rows put the standard error of each mean |SHAP| near 5%.
  int max_driver_rows = 500;
};

struct Driver {
  std::string feature;  // source column (one-hot levels summed)
  double mean_abs = 0;  // mean |contribution| on the margin scale
};

struct ModelResult {
  std::string kind;
  Evaluation test;
  std::vector<double> cv_auc;  // one per fold
  double cv_mean = 0, cv_sd = 0;
  // Wall seconds of each stage: fit (the final fit on all training rows),
  // evaluate, cross_validate, drivers.
  std::map<std::string, double> stage_seconds;
  std::vector<Driver> drivers;  // descending
  nlohmann::json training_info = nlohmann::json::object();
  std::unique_ptr<Model> model;
};

struct ProtocolResult {
  ProtocolSpec spec;
  int64_t train_rows = 0, test_rows = 0;
  int64_t train_positives = 0, test_positives = 0;
  std::optional<double> spend_threshold;  // when the label came from spend
  std::optional<int64_t> cutoff_us;       // kTime
  Encoder encoder;
  std::vector<ModelResult> models;
  // The baseline on the same test rows (ROC-AUC with its interval, PR-AUC, lift;
  // no log loss: its score is not a probability). Unset without a baseline.
  std::optional<Evaluation> baseline;
  size_t best = 0;  // by cross-validated ROC-AUC (training rows only), else test ROC-AUC
};

// Fits one model kind ("lr", "rf", "gbt") with `seed`.
StatusOr<std::unique_ptr<Model>> FitModel(const std::string& kind, const Eigen::MatrixXd& x,
                                          const Eigen::VectorXd& y, const ModelParams& params,
                                          uint64_t seed);

// The spend threshold of the label: the smallest value s with at least
// `quantile` of `spend` <= s (an actual person's spend, like quantile_disc).
double SpendThreshold(std::vector<double> spend, double quantile);

// Replaces NaN in the named numeric columns (fill values of the spec).
Status ApplyFill(Frame& frame, const std::map<std::string, double>& fill);

// Per source column: the sum of its encoded features' contributions (bias dropped).
Eigen::MatrixXd GroupContributions(const Eigen::MatrixXd& contributions,
                                   const std::vector<std::string>& source_columns,
                                   std::vector<std::string>& group_names);

StatusOr<ProtocolResult> TrainProtocol(Frame frame, const ProtocolSpec& spec,
                                       const TrainOptions& options);

// The table a person reads: model, ROC-AUC [95% interval], PR-AUC, lift@10%, CV.
std::string FormatProtocolTable(const ProtocolResult& result);
// Metrics of every model (curves included when asked), for files and the registry.
nlohmann::json ProtocolMetricsJson(const ProtocolResult& result, bool with_curves);

}  // namespace pareto::ml
