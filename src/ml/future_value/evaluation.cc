#include "ml/future_value/evaluation.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "common/random.h"
#include "ml/future_value/model.h"
#include "ml/models/logistic.h"

namespace pareto::ml::fv {
namespace {

std::vector<double> MidRanks(std::span<const double> v) {
  std::vector<size_t> order(v.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return v[a] < v[b]; });
  std::vector<double> rank(v.size());
  for (size_t i = 0; i < order.size();) {
    size_t j = i;
    while (j + 1 < order.size() && v[order[j + 1]] == v[order[i]]) ++j;
    const double mid = (static_cast<double>(i) + static_cast<double>(j)) / 2.0 + 1.0;
    for (size_t k = i; k <= j; ++k) rank[order[k]] = mid;
    i = j + 1;
  }
  return rank;
}

// Gini of `actual` ordered by `scores` descending (ties: the lower actual first,
// so a tie never flatters a score).
double Gini(std::span<const double> actual, std::span<const double> scores) {
  std::vector<size_t> order(actual.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return scores[a] != scores[b] ? scores[a] > scores[b] : actual[a] < actual[b];
  });
  const double total = std::accumulate(actual.begin(), actual.end(), 0.0);
  if (total <= 0) return 0;
  const auto n = static_cast<double>(actual.size());
  double cum = 0, sum = 0;
  for (size_t i : order) {
    cum += actual[i];
    sum += cum / total;
  }
  return sum / n - (n + 1) / (2 * n);
}

// Recency/frequency: more purchase days first, then the most recent last purchase.
std::vector<double> RecencyFrequency(const Snapshots& d, std::span<const size_t> rows) {
  const auto& days = d.frame.Find("past_purchase_days")->numbers;
  const auto& recency = d.frame.Find("recency_days")->numbers;
  std::vector<double> s;
  for (size_t i : rows) s.push_back(days[i] * 1e5 - recency[i]);
  return s;
}

// RFM for spend: past spend, then recency.
std::vector<double> PastSpendRecency(const Snapshots& d, std::span<const size_t> rows) {
  const auto& spend = d.frame.Find("past_spend")->numbers;
  const auto& recency = d.frame.Find("recency_days")->numbers;
  std::vector<double> s;
  for (size_t i : rows) s.push_back(spend[i] * 1e5 - recency[i]);
  return s;
}

std::vector<size_t> TrainingRowsFor(const Snapshots& d, int64_t test_day) {
  std::vector<size_t> rows;
  const auto horizon = static_cast<int64_t>(d.horizon_days);
  for (size_t i = 0; i < d.day.size(); ++i) {
    if (d.labels_complete[i] && d.day[i] + horizon <= test_day) rows.push_back(i);
  }
  return rows;
}

StatusOr<RepeatRow> RepeatMetrics(std::string name, bool baseline, const std::vector<double>& labels,
                                  const std::vector<double>& scores, int resamples, uint64_t seed) {
  RepeatRow r;
  r.name = std::move(name);
  r.baseline = baseline;
  PARETO_ASSIGN_OR_RETURN(r.roc_auc, RocAuc(labels, scores));
  PARETO_ASSIGN_OR_RETURN(r.pr_auc, AveragePrecision(labels, scores));
  PARETO_ASSIGN_OR_RETURN(r.ci, BootstrapRocAucInterval(labels, scores, resamples, seed));
  return r;
}

std::vector<double> ToVector(const Eigen::VectorXd& v) { return {v.data(), v.data() + v.size()}; }

}  // namespace

double NormalizedGini(std::span<const double> actual, std::span<const double> scores) {
  const double best = Gini(actual, actual);
  return best > 0 ? Gini(actual, scores) / best : 0;
}

double Spearman(std::span<const double> a, std::span<const double> b) {
  const std::vector<double> ra = MidRanks(a), rb = MidRanks(b);
  const auto n = static_cast<double>(ra.size());
  const double ma = std::accumulate(ra.begin(), ra.end(), 0.0) / n, mb = std::accumulate(rb.begin(), rb.end(), 0.0) / n;
  double sab = 0, saa = 0, sbb = 0;
  for (size_t i = 0; i < ra.size(); ++i) {
    sab += (ra[i] - ma) * (rb[i] - mb);
    saa += (ra[i] - ma) * (ra[i] - ma);
    sbb += (rb[i] - mb) * (rb[i] - mb);
  }
  return saa > 0 && sbb > 0 ? sab / std::sqrt(saa * sbb) : 0;
}

StatusOr<FvEvaluation> Evaluate(const Snapshots& d, int resamples, uint64_t seed) {
  const std::vector<int64_t> labeled = d.LabeledDays();
  if (labeled.size() < 2) return std::unexpected(NotFound("future value: fewer than two snapshots with labels"));
  FvEvaluation e;
  e.scoring_date = DayText(d.scoring_day);
  e.horizon_days = d.horizon_days;
  e.resamples = resamples;
  const FvOptions options = ProductionOptions(seed);

  // Rolling: every cutoff with training snapshots before it, the last one in full.
  for (int64_t test_day : labeled) {
    const std::vector<size_t> train = TrainingRowsFor(d, test_day);
    if (train.empty()) continue;
    const std::vector<size_t> test = d.RowsAt(test_day);
    std::vector<double> labels;
    for (size_t i : test) labels.push_back(d.repeat[i]);
    const auto positives = static_cast<int64_t>(std::count(labels.begin(), labels.end(), 1.0));
    CutoffRow row{DayText(test_day), static_cast<int64_t>(test.size()), positives, NAN, NAN};
    auto model = Fit(d, train, test_day, options);
    if (positives > 0 && positives < static_cast<int64_t>(labels.size()) && model.has_value()) {
      PARETO_ASSIGN_OR_RETURN(FvScores s, Score(*model, d, test, /*drivers=*/false));
      PARETO_ASSIGN_OR_RETURN(row.model_auc, RocAuc(labels, ToVector(s.repeat_probability)));
      PARETO_ASSIGN_OR_RETURN(row.baseline_auc, RocAuc(labels, RecencyFrequency(d, test)));
    }
    e.rolling.push_back(row);
  }

  const int64_t test_day = labeled.back();
  const std::vector<size_t> train = TrainingRowsFor(d, test_day);
  const std::vector<size_t> test = d.RowsAt(test_day);
  e.test_date = DayText(test_day);
  for (int64_t day : labeled) {
    if (day + static_cast<int64_t>(d.horizon_days) <= test_day) e.train_dates.push_back(DayText(day));
  }
  e.test_persons = static_cast<int64_t>(test.size());
  std::vector<double> labels, spend;
  for (size_t i : test) {
    labels.push_back(d.repeat[i]);
    spend.push_back(d.future_spend[i]);
  }
  e.positives = static_cast<int64_t>(std::count(labels.begin(), labels.end(), 1.0));
  if (e.positives == 0 || e.positives == e.test_persons) {
    return std::unexpected(DataError("future value: the test snapshot " + e.test_date + " has one class only"));
  }
  PARETO_ASSIGN_OR_RETURN(FvModel model, Fit(d, train, test_day, options));
  e.train_rows = model.training_rows;
  e.train_positives = model.training_positives;
  PARETO_ASSIGN_OR_RETURN(FvScores s, Score(model, d, test, /*drivers=*/false));
  const std::vector<double> boosted = ToVector(s.repeat_probability);
  const std::vector<double> rf = RecencyFrequency(d, test);

  // Logistic regression on the same encoded features.
  PARETO_ASSIGN_OR_RETURN(Design train_x, model.encoder.Apply(d.frame, train));
  PARETO_ASSIGN_OR_RETURN(Design test_x, model.encoder.Apply(d.frame, test));
  Eigen::VectorXd y(static_cast<Eigen::Index>(train.size()));
  for (size_t k = 0; k < train.size(); ++k) y(static_cast<Eigen::Index>(k)) = d.repeat[train[k]];
  PARETO_ASSIGN_OR_RETURN(LogisticModel lr, LogisticModel::Fit(train_x.x, y));
  PARETO_ASSIGN_OR_RETURN(Eigen::VectorXd lr_p, lr.PredictProba(test_x.x));

  PARETO_ASSIGN_OR_RETURN(RepeatRow gbt, RepeatMetrics("gbt (boosted)", false, labels, boosted, resamples, seed));
  e.repeat.push_back(gbt);
  PARETO_ASSIGN_OR_RETURN(RepeatRow lrr, RepeatMetrics("lr (logistic)", false, labels, ToVector(lr_p), resamples, seed));
  e.repeat.push_back(lrr);
  e.bgnbd_error = s.bgnbd_error;
  if (s.bgnbd_error.empty()) {
    PARETO_ASSIGN_OR_RETURN(RepeatRow alive, RepeatMetrics("BG/NBD P(alive)", false, labels, ToVector(s.p_alive),
                                                           resamples, seed));
    e.repeat.push_back(alive);
    PARETO_ASSIGN_OR_RETURN(RepeatRow purchases, RepeatMetrics("BG/NBD expected purchases", false, labels,
                                                               ToVector(s.expected_purchases), resamples, seed));
    e.repeat.push_back(purchases);
  }
  PARETO_ASSIGN_OR_RETURN(RepeatRow base, RepeatMetrics("baseline: recency/frequency", true, labels, rf, resamples,
                                                        seed));
  e.repeat.push_back(base);

  // Paired bootstrap of the boosted model's gain over the baseline.
  e.gain = gbt.roc_auc - base.roc_auc;
  Rng rng(seed ^ 0x9a1dULL);
  std::vector<double> gains, bl, bb, br;
  const size_t n = labels.size();
  while (static_cast<int>(gains.size()) < resamples) {
    bl.clear();
    bb.clear();
    br.clear();
    double pos = 0;
    for (size_t k = 0; k < n; ++k) {
      const size_t i = static_cast<size_t>(rng.Below(n));
      bl.push_back(labels[i]);
      bb.push_back(boosted[i]);
      br.push_back(rf[i]);
      pos += labels[i];
    }
    if (pos == 0 || pos == static_cast<double>(n)) continue;
    PARETO_ASSIGN_OR_RETURN(const double a, RocAuc(bl, bb));
    PARETO_ASSIGN_OR_RETURN(const double b, RocAuc(bl, br));
    gains.push_back(a - b);
  }
  std::sort(gains.begin(), gains.end());
  e.gain_ci = {QuantileOfSorted(gains, 0.025), QuantileOfSorted(gains, 0.975)};

  // Spend in the window.
  const std::vector<double> expected = ToVector(s.expected_spend);
  const std::vector<double> rfm = PastSpendRecency(d, test);
  e.spend.push_back({"hurdle (gbt x ridge)", false, NormalizedGini(spend, expected), Spearman(spend, expected)});
  e.spend.push_back({"baseline: past spend, recency", true, NormalizedGini(spend, rfm), Spearman(spend, rfm)});
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return expected[a] > expected[b]; });
  for (int dec = 0; dec < 10; ++dec) {
    DecileRow row;
    row.decile = dec + 1;
    const size_t lo = n * static_cast<size_t>(dec) / 10, hi = n * static_cast<size_t>(dec + 1) / 10;
    for (size_t k = lo; k < hi; ++k) {
      row.predicted += expected[order[k]];
      row.actual += spend[order[k]];
    }
    row.persons = static_cast<int64_t>(hi - lo);
    if (row.persons > 0) {
      row.predicted /= static_cast<double>(row.persons);
      row.actual /= static_cast<double>(row.persons);
    }
    e.deciles.push_back(row);
  }
  if (e.bgnbd_error.empty()) {
    // BG/NBD's usual calibration check: expected vs actual purchase days in the
    // window, per number of repeat purchase days before the snapshot.
    const auto& days = d.frame.Find("past_purchase_days")->numbers;
    std::vector<BucketRow> buckets(8);
    for (size_t k = 0; k < n; ++k) {
      const int x = std::min(static_cast<int>(days[test[k]]) - 1, 7);
      BucketRow& b = buckets[static_cast<size_t>(std::max(x, 0))];
      b.x = std::max(x, 0);
      b.persons += 1;
      b.expected += s.expected_purchases(static_cast<Eigen::Index>(k));
      b.actual += d.future_days[test[k]];
    }
    for (const BucketRow& b : buckets) {
      if (b.persons > 0) e.buckets.push_back(b);
    }
  }
  return e;
}

std::string FormatEvaluation(const FvEvaluation& e) {
  const bool reliable = e.reliable();
  std::string out = fmt::format(
      "future value, out of time: test snapshot {} ({} persons, {} buy again within {:.0f} days); trained on {} "
      "({} rows, {} came back)\n",
      e.test_date, e.test_persons, e.positives, e.horizon_days, fmt::join(e.train_dates, ", "), e.train_rows,
      e.train_positives);
  if (!reliable) {
    out += fmt::format("  unreliable ({} positives, fewer than {}): the figures are printed, not ranked\n",
                       e.positives, kReliablePositives);
  }
  const double base = e.repeat.back().roc_auc;
  out += fmt::format("  {:<28} {:>24} {:>7} {:>9}  {}\n", "repeat within the horizon", "ROC-AUC [95% CI]", "PR-AUC",
                     "positives", "vs baseline");
  for (const RepeatRow& r : e.repeat) {
    std::string verdict = r.baseline ? "" : r.roc_auc > base ? "beats the baseline" : "does NOT beat the baseline";
    if (!reliable && !r.baseline) verdict = fmt::format("unreliable ({} positives)", e.positives);
    out += fmt::format("  {:<28} {:.3f} [{:.3f}, {:.3f}]     {:>7.3f} {:>9}  {}\n", r.name, r.roc_auc, r.ci.low,
                       r.ci.high, r.pr_auc, e.positives, verdict);
  }
  out += fmt::format("  gbt - baseline ROC-AUC: {:+.3f} [{:+.3f}, {:+.3f}] (paired bootstrap, {} resamples){}\n",
                     e.gain, e.gain_ci.low, e.gain_ci.high, e.resamples,
                     e.gain_ci.low > 0    ? ": the interval excludes zero, the model is better"
                     : e.gain_ci.high < 0 ? ": the interval excludes zero, the BASELINE is better"
                                          : ": the interval includes zero");
  if (!e.bgnbd_error.empty()) out += "  BG/NBD: no fit (" + e.bgnbd_error + ")\n";
  out += fmt::format("  {:<32} {:>15} {:>9}\n", "spend within the horizon", "normalized Gini", "Spearman");
  const SpendRow& sb = e.spend.back();
  for (const SpendRow& r : e.spend) {
    std::string verdict = r.baseline ? "" : r.gini > sb.gini ? "beats the baseline" : "does NOT beat the baseline";
    if (!reliable && !r.baseline) verdict = fmt::format("unreliable ({} positives)", e.positives);
    out += fmt::format("  {:<32} {:>15.3f} {:>9.3f}  {}\n", r.name, r.gini, r.spearman, verdict);
  }
  out += "  decile of expected spend: persons, mean predicted, mean actual (BRL)\n";
  for (const DecileRow& d : e.deciles) {
    out += fmt::format("    {:>2} {:>8} {:>10.2f} {:>10.2f}\n", d.decile, d.persons, d.predicted, d.actual);
  }
  if (!e.buckets.empty()) {
    out += "  BG/NBD expected vs actual purchase days in the window, by repeat purchase days before the snapshot\n";
    out += fmt::format("    {:<4} {:>8} {:>10} {:>8}\n", "x", "persons", "expected", "actual");
    double expected = 0, actual = 0;
    int64_t persons = 0;
    for (const BucketRow& b : e.buckets) {
      out += fmt::format("    {:<4} {:>8} {:>10.1f} {:>8.0f}\n", b.x == 7 ? "7+" : std::to_string(b.x), b.persons,
                         b.expected, b.actual);
      expected += b.expected;
      actual += b.actual;
      persons += b.persons;
    }
    out += fmt::format("    {:<4} {:>8} {:>10.1f} {:>8.0f}\n", "all", persons, expected, actual);
  }
  out += "  rolling cutoffs (gbt vs recency/frequency ROC-AUC):\n";
  for (const CutoffRow& c : e.rolling) {
    auto auc = [](double v) { return std::isnan(v) ? std::string("  -  ") : fmt::format("{:.3f}", v); };
    out += fmt::format("    {} {:>7} persons {:>5} positives  gbt {}  baseline {}{}\n", c.test_date, c.persons,
                       c.positives, auc(c.model_auc), auc(c.baseline_auc),
                       c.positives < kReliablePositives ? fmt::format("  unreliable ({} positives)", c.positives) : "");
  }
  return out;
}

nlohmann::json EvaluationJson(const FvEvaluation& e) {
  // NaN (a cutoff without a fit) is not JSON: null.
  auto number = [](double v) { return std::isnan(v) ? nlohmann::json() : nlohmann::json(v); };
  nlohmann::json repeat = nlohmann::json::array();
  for (const RepeatRow& r : e.repeat) {
    repeat.push_back({{"name", r.name}, {"baseline", r.baseline}, {"roc_auc", number(r.roc_auc)},
                      {"roc_auc_ci", {number(r.ci.low), number(r.ci.high)}}, {"pr_auc", number(r.pr_auc)},
                      {"beats_baseline", !r.baseline && r.roc_auc > e.repeat.back().roc_auc}});
  }
  nlohmann::json spend = nlohmann::json::array();
  for (const SpendRow& r : e.spend) {
    spend.push_back({{"name", r.name}, {"baseline", r.baseline}, {"gini", number(r.gini)},
                     {"spearman", number(r.spearman)},
                     {"beats_baseline", !r.baseline && r.gini > e.spend.back().gini}});
  }
  nlohmann::json deciles = nlohmann::json::array();
  for (const DecileRow& r : e.deciles) {
    deciles.push_back({{"decile", r.decile}, {"persons", r.persons}, {"predicted", number(r.predicted)},
                       {"actual", number(r.actual)}});
  }
  nlohmann::json buckets = nlohmann::json::array();
  for (const BucketRow& b : e.buckets) {
    buckets.push_back({{"x", b.x == 7 ? "7+" : std::to_string(b.x)}, {"persons", b.persons},
                       {"expected", number(b.expected)}, {"actual", number(b.actual)}});
  }
  nlohmann::json rolling = nlohmann::json::array();
  for (const CutoffRow& r : e.rolling) {
    rolling.push_back({{"test_date", r.test_date}, {"persons", r.persons}, {"positives", r.positives},
                       {"model_auc", number(r.model_auc)}, {"baseline_auc", number(r.baseline_auc)},
                       {"reliable", r.positives >= kReliablePositives}});
  }
  return {{"scoring_date", e.scoring_date},
          {"test_date", e.test_date},
          {"train_dates", e.train_dates},
          {"horizon_days", e.horizon_days},
          {"test_persons", e.test_persons},
          {"positives", e.positives},
          {"train_rows", e.train_rows},
          {"train_positives", e.train_positives},
          {"reliable", e.reliable()},
          {"resamples", e.resamples},
          {"repeat", repeat},
          {"gain", {{"roc_auc", number(e.gain)}, {"ci", {number(e.gain_ci.low), number(e.gain_ci.high)}},
                    {"excludes_zero", e.gain_ci.low > 0 || e.gain_ci.high < 0}}},
          {"spend", spend},
          {"deciles", deciles},
          {"bgnbd_error", e.bgnbd_error},
          {"bgnbd_buckets", buckets},
          {"rolling", rolling}};
}

}  // namespace pareto::ml::fv
