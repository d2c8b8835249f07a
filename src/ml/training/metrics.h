// Binary-classification metrics, computed by pareto and tested against
// hand-computed values. Inputs: labels in {0, 1} and scores (probabilities for
// the probability metrics). Definitions are stated per function, ties included.
//
// Thread safety: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace pareto::ml {

// ROC-AUC as the Mann–Whitney statistic: the probability that a random positive
// scores above a random negative, ties counting one half (mid-ranks). Fails when
// a class is absent.
StatusOr<double> RocAuc(std::span<const double> labels, std::span<const double> scores);

// PR-AUC as average precision (scikit-learn's average_precision_score):
// sum over distinct score thresholds, highest first, of (R_n - R_{n-1}) * P_n.
// Tied scores enter together. Fails when there is no positive.
StatusOr<double> AveragePrecision(std::span<const double> labels, std::span<const double> scores);

// Mean negative log-likelihood; probabilities clipped to [1e-15, 1 - 1e-15].
double LogLoss(std::span<const double> labels, std::span<const double> probs);
// Mean squared difference between probability and label.
double Brier(std::span<const double> labels, std::span<const double> probs);

// The top `fraction` of rows by score (fraction * n rows, possibly fractional).
// Rows tied with the cut share it pro rata: a tie group straddling the cut
// contributes its positives in proportion to the part of it inside, which is the
// expectation over every order of the ties (so the result never depends on row order).
struct TopK {
  double fraction = 0;
  double rows = 0;       // fraction * n
  double positives = 0;  // expected positives inside the top rows
  double precision = 0;  // positives / rows
  double lift = 0;       // precision / base rate
  double capture = 0;    // positives / all positives (recall at the cut)
};
StatusOr<TopK> TopFraction(std::span<const double> labels, std::span<const double> scores,
                           double fraction);

// Ten (or `bins`) equal-count bins by ascending probability; bin b holds sorted
// rows [b*n/bins, (b+1)*n/bins), ties ordered by row index.
struct CalibrationBin {
  int bin = 0;
  int64_t count = 0;
  double mean_predicted = 0;
  double observed_rate = 0;
};
std::vector<CalibrationBin> CalibrationTable(std::span<const double> labels,
                                             std::span<const double> probs, int bins = 10);

// A two-sided percentile interval of ROC-AUC over `resamples` bootstrap samples
// (rows drawn with replacement through Rng(seed)); resamples with a single class
// are drawn again. Quantiles interpolate linearly between order statistics.
struct Interval {
  double low = 0;
  double high = 0;
};
StatusOr<Interval> BootstrapRocAucInterval(std::span<const double> labels,
                                           std::span<const double> scores, int resamples,
                                           uint64_t seed, double level = 0.95);

// Linear-interpolation quantile of sorted values (numpy's default "linear").
double QuantileOfSorted(std::span<const double> sorted, double q);

// Curves as data (written to metrics.json, for plotting).
struct CurvePoint {
  double x = 0;
  double y = 0;
  double threshold = 0;
};
// ROC: (false positive rate, true positive rate) at each distinct threshold, from (0,0).
std::vector<CurvePoint> RocCurve(std::span<const double> labels, std::span<const double> scores);
// PR: (recall, precision) at each distinct threshold, highest first.
std::vector<CurvePoint> PrCurve(std::span<const double> labels, std::span<const double> scores);
// Gains: (fraction targeted, fraction of positives captured) at 0, 1%, ..., 100%.
std::vector<CurvePoint> GainsCurve(std::span<const double> labels, std::span<const double> scores);

// Everything the trainer reports for one model on one test set.
struct Evaluation {
  int64_t rows = 0;
  int64_t positives = 0;
  double roc_auc = 0;
  Interval roc_auc_ci;
  double pr_auc = 0;  // average precision
  double log_loss = 0;
  double brier = 0;
  TopK top10;
  TopK top20;
  std::vector<CalibrationBin> calibration;
  std::vector<CurvePoint> roc, pr, gains;
};
StatusOr<Evaluation> Evaluate(std::span<const double> labels, std::span<const double> probs,
                              int bootstrap_resamples, uint64_t seed);

nlohmann::json ToJson(const TopK& t);
nlohmann::json ToJson(const Evaluation& e, bool with_curves);

}  // namespace pareto::ml
