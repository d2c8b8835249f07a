#include "ml/training/metrics.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <string>

#include "common/random.h"

namespace pareto::ml {
namespace {

Status CheckSizes(std::span<const double> labels, std::span<const double> scores) {
  if (labels.size() != scores.size()) {
    return InvalidArgument("labels and scores differ in length (" + std::to_string(labels.size()) +
                           " vs " + std::to_string(scores.size()) + ")");
  }
  if (labels.empty()) return InvalidArgument("no rows to evaluate");
  return OkStatus();
}

bool IsPositive(double label) { return label > 0.5; }

// Row order by score, ties by row index (so every sweep is deterministic).
std::vector<size_t> OrderByScore(std::span<const double> scores, bool descending) {
  std::vector<size_t> order(scores.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return descending ? scores[a] > scores[b] : scores[a] < scores[b];
  });
  return order;
}

// Groups of tied scores over an ordering: calls fn(score, positives, negatives)
// with weights (row multiplicities; all 1 without `weights`).
template <class Fn>
void ForEachTieGroup(std::span<const size_t> order, std::span<const double> labels,
                     std::span<const double> scores, std::span<const double> weights, Fn fn) {
  size_t i = 0;
  while (i < order.size()) {
    const double s = scores[order[i]];
    double pos = 0, neg = 0;
    while (i < order.size() && scores[order[i]] == s) {
      const double w = weights.empty() ? 1.0 : weights[order[i]];
      (IsPositive(labels[order[i]]) ? pos : neg) += w;
      ++i;
    }
    fn(s, pos, neg);
  }
}

// Mann–Whitney AUC from an ascending order, optionally weighted; NaN with one class.
double AucFromAscending(std::span<const size_t> ascending, std::span<const double> labels,
                        std::span<const double> scores, std::span<const double> weights) {
  double neg_below = 0, total_pos = 0, sum = 0;
  ForEachTieGroup(ascending, labels, scores, weights, [&](double, double pos, double neg) {
    sum += pos * (neg_below + 0.5 * neg);
    neg_below += neg;
    total_pos += pos;
  });
  if (total_pos == 0 || neg_below == 0) return std::numeric_limits<double>::quiet_NaN();
  return sum / (total_pos * neg_below);
}

double CountPositives(std::span<const double> labels) {
  double p = 0;
  for (double y : labels) p += IsPositive(y) ? 1 : 0;
  return p;
}

// At most `max_points` points, evenly spaced, first and last kept.
std::vector<CurvePoint> Thin(std::vector<CurvePoint> points, size_t max_points = 500) {
  if (points.size() <= max_points) return points;
  std::vector<CurvePoint> out;
  out.reserve(max_points);
  const double step = static_cast<double>(points.size() - 1) / static_cast<double>(max_points - 1);
  for (size_t k = 0; k < max_points; ++k) {
    out.push_back(points[static_cast<size_t>(std::llround(k * step))]);
  }
  return out;
}

nlohmann::json Number(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(); }

nlohmann::json ToJson(const std::vector<CurvePoint>& points, const char* x, const char* y) {
  nlohmann::json out = nlohmann::json::array();
  for (const CurvePoint& p : points) {
    out.push_back({{x, p.x}, {y, p.y}, {"threshold", Number(p.threshold)}});
  }
  return out;
}

}  // namespace

StatusOr<double> RocAuc(std::span<const double> labels, std::span<const double> scores) {
  PARETO_RETURN_IF_ERROR(CheckSizes(labels, scores));
  const std::vector<size_t> order = OrderByScore(scores, /*descending=*/false);
  const double auc = AucFromAscending(order, labels, scores, {});
  if (std::isnan(auc)) return std::unexpected(InvalidArgument("ROC-AUC needs both classes"));
  return auc;
}

StatusOr<double> AveragePrecision(std::span<const double> labels, std::span<const double> scores) {
  PARETO_RETURN_IF_ERROR(CheckSizes(labels, scores));
  const double total_pos = CountPositives(labels);
  if (total_pos == 0) return std::unexpected(InvalidArgument("PR-AUC needs a positive row"));
  const std::vector<size_t> order = OrderByScore(scores, /*descending=*/true);
  double tp = 0, fp = 0, prev_recall = 0, ap = 0;
  ForEachTieGroup(order, labels, scores, {}, [&](double, double pos, double neg) {
    tp += pos;
    fp += neg;
    const double recall = tp / total_pos;
    ap += (recall - prev_recall) * (tp / (tp + fp));
    prev_recall = recall;
  });
  return ap;
}

double LogLoss(std::span<const double> labels, std::span<const double> probs) {
  constexpr double kEps = 1e-15;
  double sum = 0;
  for (size_t i = 0; i < labels.size(); ++i) {
    const double p = std::clamp(probs[i], kEps, 1.0 - kEps);
    sum -= IsPositive(labels[i]) ? std::log(p) : std::log1p(-p);
  }
  return labels.empty() ? 0.0 : sum / static_cast<double>(labels.size());
}

double Brier(std::span<const double> labels, std::span<const double> probs) {
  double sum = 0;
  for (size_t i = 0; i < labels.size(); ++i) {
    const double d = probs[i] - (IsPositive(labels[i]) ? 1.0 : 0.0);
    sum += d * d;
  }
  return labels.empty() ? 0.0 : sum / static_cast<double>(labels.size());
}

StatusOr<TopK> TopFraction(std::span<const double> labels, std::span<const double> scores,
                           double fraction) {
  PARETO_RETURN_IF_ERROR(CheckSizes(labels, scores));
  if (!(fraction > 0.0 && fraction <= 1.0)) {
    return std::unexpected(InvalidArgument("top fraction must be in (0, 1]"));
  }
  const double n = static_cast<double>(labels.size());
  const double total_pos = CountPositives(labels);
  TopK top;
  top.fraction = fraction;
  top.rows = fraction * n;
  double taken = 0;
  const std::vector<size_t> order = OrderByScore(scores, /*descending=*/true);
  ForEachTieGroup(order, labels, scores, {}, [&](double, double pos, double neg) {
    const double group = pos + neg;
    const double room = top.rows - taken;
    if (room <= 0) return;
    const double inside = std::min(group, room);
    top.positives += pos * inside / group;
    taken += inside;
  });
  top.precision = top.rows > 0 ? top.positives / top.rows : 0;
  const double base_rate = total_pos / n;
  top.lift = base_rate > 0 ? top.precision / base_rate : 0;
  top.capture = total_pos > 0 ? top.positives / total_pos : 0;
  return top;
}

std::vector<CalibrationBin> CalibrationTable(std::span<const double> labels,
                                             std::span<const double> probs, int bins) {
  std::vector<CalibrationBin> table;
  const size_t n = labels.size();
  if (n == 0 || bins <= 0) return table;
  const std::vector<size_t> order = OrderByScore(probs, /*descending=*/false);
  for (int b = 0; b < bins; ++b) {
    const size_t begin = static_cast<size_t>(b) * n / static_cast<size_t>(bins);
    const size_t end = static_cast<size_t>(b + 1) * n / static_cast<size_t>(bins);
    CalibrationBin bin;
    bin.bin = b + 1;
    bin.count = static_cast<int64_t>(end - begin);
    double sum_p = 0, pos = 0;
    for (size_t k = begin; k < end; ++k) {
      sum_p += probs[order[k]];
      pos += IsPositive(labels[order[k]]) ? 1 : 0;
    }
    if (bin.count > 0) {
      bin.mean_predicted = sum_p / static_cast<double>(bin.count);
      bin.observed_rate = pos / static_cast<double>(bin.count);
    }
    table.push_back(bin);
  }
  return table;
}

double QuantileOfSorted(std::span<const double> sorted, double q) {
  if (sorted.empty()) return std::numeric_limits<double>::quiet_NaN();
  const double h = (static_cast<double>(sorted.size()) - 1.0) * std::clamp(q, 0.0, 1.0);
  const auto lo = static_cast<size_t>(std::floor(h));
  const size_t hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (h - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
}

StatusOr<Interval> BootstrapRocAucInterval(std::span<const double> labels,
                                           std::span<const double> scores, int resamples,
                                           uint64_t seed, double level) {
  PARETO_RETURN_IF_ERROR(CheckSizes(labels, scores));
  if (resamples < 1) return std::unexpected(InvalidArgument("bootstrap needs resamples >= 1"));
  const double total_pos = CountPositives(labels);
  if (total_pos == 0 || total_pos == static_cast<double>(labels.size())) {
    return std::unexpected(InvalidArgument("ROC-AUC interval needs both classes"));
  }
  // Sort once; a resample is a vector of row multiplicities swept in that order.
  const std::vector<size_t> order = OrderByScore(scores, /*descending=*/false);
  const size_t n = labels.size();
  Rng rng(seed);
  std::vector<double> weights(n), aucs;
  aucs.reserve(static_cast<size_t>(resamples));
  int attempts = 0;
  while (static_cast<int>(aucs.size()) < resamples) {
    if (++attempts > resamples * 100) {
      return std::unexpected(InvalidArgument("bootstrap keeps drawing a single class"));
    }
    std::fill(weights.begin(), weights.end(), 0.0);
    for (size_t k = 0; k < n; ++k) weights[rng.UnbiasedBelow(n)] += 1.0;
    const double auc = AucFromAscending(order, labels, scores, weights);
    if (!std::isnan(auc)) aucs.push_back(auc);
  }
  std::sort(aucs.begin(), aucs.end());
  const double tail = (1.0 - level) / 2.0;
  return Interval{QuantileOfSorted(aucs, tail), QuantileOfSorted(aucs, 1.0 - tail)};
}

std::vector<CurvePoint> RocCurve(std::span<const double> labels, std::span<const double> scores) {
  const double total_pos = CountPositives(labels);
  const double total_neg = static_cast<double>(labels.size()) - total_pos;
  std::vector<CurvePoint> points{{0.0, 0.0, std::numeric_limits<double>::infinity()}};
  if (total_pos == 0 || total_neg == 0) return points;
  const std::vector<size_t> order = OrderByScore(scores, /*descending=*/true);
  double tp = 0, fp = 0;
  ForEachTieGroup(order, labels, scores, {}, [&](double s, double pos, double neg) {
    tp += pos;
    fp += neg;
    points.push_back({fp / total_neg, tp / total_pos, s});
  });
  return Thin(std::move(points));
}

std::vector<CurvePoint> PrCurve(std::span<const double> labels, std::span<const double> scores) {
  const double total_pos = CountPositives(labels);
  std::vector<CurvePoint> points;
  if (total_pos == 0) return points;
  const std::vector<size_t> order = OrderByScore(scores, /*descending=*/true);
  double tp = 0, fp = 0;
  ForEachTieGroup(order, labels, scores, {}, [&](double s, double pos, double neg) {
    tp += pos;
    fp += neg;
    points.push_back({tp / total_pos, tp / (tp + fp), s});
  });
  return Thin(std::move(points));
}

std::vector<CurvePoint> GainsCurve(std::span<const double> labels, std::span<const double> scores) {
  std::vector<CurvePoint> points{{0.0, 0.0, std::numeric_limits<double>::infinity()}};
  for (int pct = 1; pct <= 100; ++pct) {
    auto top = TopFraction(labels, scores, pct / 100.0);
    if (!top.has_value()) break;
    points.push_back({pct / 100.0, top->capture, std::numeric_limits<double>::quiet_NaN()});
  }
  return points;
}

StatusOr<Evaluation> Evaluate(std::span<const double> labels, std::span<const double> probs,
                              int bootstrap_resamples, uint64_t seed) {
  Evaluation e;
  e.rows = static_cast<int64_t>(labels.size());
  e.positives = static_cast<int64_t>(CountPositives(labels));
  PARETO_ASSIGN_OR_RETURN(e.roc_auc, RocAuc(labels, probs));
  PARETO_ASSIGN_OR_RETURN(e.roc_auc_ci,
                          BootstrapRocAucInterval(labels, probs, bootstrap_resamples, seed));
  PARETO_ASSIGN_OR_RETURN(e.pr_auc, AveragePrecision(labels, probs));
  e.log_loss = LogLoss(labels, probs);
  e.brier = Brier(labels, probs);
  PARETO_ASSIGN_OR_RETURN(e.top10, TopFraction(labels, probs, 0.10));
  PARETO_ASSIGN_OR_RETURN(e.top20, TopFraction(labels, probs, 0.20));
  e.calibration = CalibrationTable(labels, probs, 10);
  e.roc = RocCurve(labels, probs);
  e.pr = PrCurve(labels, probs);
  e.gains = GainsCurve(labels, probs);
  return e;
}

nlohmann::json ToJson(const TopK& t) {
  return {{"fraction", t.fraction}, {"rows", t.rows},     {"positives", t.positives},
          {"precision", t.precision}, {"lift", t.lift}, {"capture", t.capture}};
}

nlohmann::json ToJson(const Evaluation& e, bool with_curves) {
  nlohmann::json calibration = nlohmann::json::array();
  for (const CalibrationBin& b : e.calibration) {
    calibration.push_back({{"bin", b.bin},
                           {"count", b.count},
                           {"mean_predicted", b.mean_predicted},
                           {"observed_rate", b.observed_rate}});
  }
  nlohmann::json out = {
      {"rows", e.rows},
      {"positives", e.positives},
      {"roc_auc", e.roc_auc},
      {"roc_auc_ci95", {e.roc_auc_ci.low, e.roc_auc_ci.high}},
      {"pr_auc_average_precision", e.pr_auc},
      {"log_loss", e.log_loss},
      {"brier", e.brier},
      {"top10", ToJson(e.top10)},
      {"top20", ToJson(e.top20)},
      {"calibration", calibration},
  };
  if (with_curves) {
    out["curves"] = {{"roc", ToJson(e.roc, "fpr", "tpr")},
                     {"pr", ToJson(e.pr, "recall", "precision")},
                     {"gains", ToJson(e.gains, "fraction_targeted", "fraction_captured")}};
  }
  return out;
}

}  // namespace pareto::ml
