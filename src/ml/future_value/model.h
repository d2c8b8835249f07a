// The production future-value model: for a person as they stand at a snapshot
// date T, the probability of buying again in (T, T + H] and the spend expected
// there, as a hurdle: P(repeat) from gradient boosting (XGBoost) times the spend
// of a returning person from a ridge regression of log spend (fitted on the
// persons who returned, retransformed with the lognormal mean). Beside them the
// BG/NBD model, fitted on the scored snapshot's own history (no labels), gives
// expected purchases and P(alive).
//
// Out of sample by construction: Fit refuses a training row whose label window
// ends after the snapshot the model will score (its `scoring_day`).
//
// Ownership: FvModel owns its booster. Thread safety: one thread at a time.
#pragma once

#include <array>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "common/env.h"
#include "common/status.h"
#include "ml/clv/bgnbd.h"
#include "ml/future_value/snapshots.h"
#include "ml/models/tree_models.h"
#include "ml/training/dataset.h"

namespace pareto::ml::fv {

struct FvOptions {
  BoostingOptions boosting;
  double ridge = 1.0;  // L2 penalty of the spend regression per feature, on standardized features
  double negatives_per_positive = 20;  // the boosted model's sample of persons who did not come back
};

// What production uses: a few hundred shallow trees, chosen by early stopping.
FvOptions ProductionOptions(uint64_t seed);

struct FvModel {
  Encoder encoder;
  std::unique_ptr<TreeModel> repeat;  // P(repeat in the window)
  // Spend of a returning person: log(spend) = intercept + coef . z, z the
  // standardized features (NaN -> the training mean, i.e. 0).
  Eigen::VectorXd mean, scale, coef;
  double intercept = 0, residual_variance = 0;
  double min_log_spend = 0, max_log_spend = 0;  // predictions are kept within the training range
  double negative_rate = 1;  // share of non-returning training persons the boosted model saw
  double horizon_days = 0;
  int64_t scoring_day = 0;               // the snapshot the model is for
  std::vector<int64_t> training_days;    // snapshot dates of the training rows
  int64_t training_rows = 0, training_positives = 0;
};

// Fits on `rows` of `data` (labels complete) for scoring at `scoring_day`.
StatusOr<FvModel> Fit(const Snapshots& data, std::span<const size_t> rows, int64_t scoring_day,
                      const FvOptions& options);

struct FvScores {
  Eigen::VectorXd repeat_probability, conditional_spend, expected_spend;
  Eigen::VectorXd expected_purchases, p_alive;  // BG/NBD, fitted on the scored rows' history; NaN without a fit
  clv::BgNbdParams bgnbd;
  std::string bgnbd_error;  // why BG/NBD has no fit (empty when it has)
  // Top three drivers of the repeat probability (source column, signed log-odds).
  std::vector<std::array<std::string, 3>> driver;
  std::vector<std::array<double, 3>> effect;
};

// Scores `rows` (one snapshot date); drivers only when asked (they cost a tree walk a row).
StatusOr<FvScores> Score(const FvModel& model, const Snapshots& data, std::span<const size_t> rows, bool drivers);

// BG/NBD summaries of rows (weeks): x = purchase days - 1, t_x = active span, T = tenure.
std::vector<clv::RfmSummary> RfmOf(const Snapshots& data, std::span<const size_t> rows);

// Model files in `dir` (which exists): model.json (the booster) and future_value.json (the rest).
Status Save(const FvModel& model, const std::string& dir, Env* env = Env::Default());
StatusOr<FvModel> Load(const std::string& dir, Env* env = Env::Default());

}  // namespace pareto::ml::fv
