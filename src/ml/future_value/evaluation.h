// The future-value protocol's evaluation (`pareto train --evaluate`): out of
// time, every model beside its trivial baseline.
//
// Test snapshot: the last one whose label window is complete; training rows:
// the snapshots whose windows end by it. Repeat (bought within the horizon):
// the boosted model, logistic regression, BG/NBD's P(alive) and expected
// purchases (fitted on the test snapshot's own history) and the
// recency/frequency baseline (more purchase days first, then the most recent),
// each with ROC-AUC and its bootstrap interval, PR-AUC and the positives; the
// boosted model's AUC minus the baseline's with a paired bootstrap interval.
// Spend in the window: the hurdle model's expected spend against the RFM
// baseline (past spend, then recency), normalized Gini and Spearman, and a
// decile chart. BG/NBD: expected vs actual purchase days per frequency bucket.
// Rolling: the boosted model and the baseline at every earlier cutoff too.
// Fewer than 30 positives: the figure is printed, marked unreliable, not ranked.
//
// Thread safety: one call at a time (XGBoost fits).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "ml/future_value/snapshots.h"
#include "ml/training/metrics.h"

namespace pareto::ml::fv {

inline constexpr int64_t kReliablePositives = 30;

struct RepeatRow {
  std::string name;
  bool baseline = false;
  double roc_auc = 0, pr_auc = 0;
  Interval ci;
};

struct SpendRow {
  std::string name;
  bool baseline = false;
  double gini = 0, spearman = 0;
};

struct DecileRow {
  int decile = 0;  // 1 = highest predicted
  int64_t persons = 0;
  double predicted = 0, actual = 0;  // mean spend per person
};

struct BucketRow {
  int x = 0;  // repeat purchase days before the snapshot (7 = 7 or more)
  int64_t persons = 0;
  double expected = 0, actual = 0;  // purchase days in the window: BG/NBD's expectation, what happened
};

struct CutoffRow {
  std::string test_date;
  int64_t persons = 0, positives = 0;
  double model_auc = 0, baseline_auc = 0;
};

struct FvEvaluation {
  std::string scoring_date;  // S of the snapshot table evaluated (which data the figures are of)
  std::string test_date;
  std::vector<std::string> train_dates;
  double horizon_days = 0;
  int64_t test_persons = 0, positives = 0, train_rows = 0, train_positives = 0;
  int resamples = 0;
  std::vector<RepeatRow> repeat;  // the baseline last
  double gain = 0;                // boosted AUC - baseline AUC
  Interval gain_ci;               // paired bootstrap
  std::vector<SpendRow> spend;    // the baseline last
  std::vector<DecileRow> deciles;
  std::string bgnbd_error;          // why BG/NBD has no fit, or ""
  std::vector<BucketRow> buckets;   // BG/NBD's calibration check (empty without a fit)
  std::vector<CutoffRow> rolling;
  bool reliable() const { return positives >= kReliablePositives; }
};

// Normalized Gini of `scores` against `actual` (1 = the actual order, 0 = random).
double NormalizedGini(std::span<const double> actual, std::span<const double> scores);
// Spearman's rank correlation, ties at mid-ranks.
double Spearman(std::span<const double> a, std::span<const double> b);

StatusOr<FvEvaluation> Evaluate(const Snapshots& data, int resamples, uint64_t seed);
std::string FormatEvaluation(const FvEvaluation& e);
// Every figure of the evaluation as JSON (the registry's metrics.json, the API,
// the Model page): repeat rows with intervals and the baseline, the gain,
// spend rows, deciles, BG/NBD buckets, rolling cutoffs, reliability.
nlohmann::json EvaluationJson(const FvEvaluation& e);

}  // namespace pareto::ml::fv
