#include "ml/training/bgnbd_backtest.h"

#include <algorithm>
#include <cmath>
#include <map>

#include <fmt/format.h>

#include "ml/training/dataset.h"

namespace pareto::ml {
StatusOr<BgNbdBacktest> RunBgNbdBacktest(duck::Connection& conn, const std::string& table,
                                         const std::string& snapshot_date) {
  auto result = conn.Query(
      "SELECT past_purchase_days, active_span_days, tenure_days, future_purchase_days, horizon_days FROM " + table +
      " WHERE snapshot_date = " + duck::QuoteLiteral(snapshot_date) + "::DATE");
  if (!result.has_value()) return std::unexpected(result.error().WithContext("BG/NBD backtest"));
  PARETO_ASSIGN_OR_RETURN(Frame frame, FrameFromResult(*result));
  if (frame.rows == 0) {
    return std::unexpected(NotFound("no persons in " + table + " at snapshot " + snapshot_date));
  }
  PARETO_ASSIGN_OR_RETURN(const std::vector<double>* days, frame.Numbers("past_purchase_days", "snapshot table"));
  PARETO_ASSIGN_OR_RETURN(const std::vector<double>* span, frame.Numbers("active_span_days", "snapshot table"));
  PARETO_ASSIGN_OR_RETURN(const std::vector<double>* tenure, frame.Numbers("tenure_days", "snapshot table"));
  PARETO_ASSIGN_OR_RETURN(const std::vector<double>* future, frame.Numbers("future_purchase_days", "snapshot table"));
  PARETO_ASSIGN_OR_RETURN(const std::vector<double>* horizon, frame.Numbers("horizon_days", "snapshot table"));

  BgNbdBacktest b;
  b.snapshot_date = snapshot_date;
  b.horizon_days = (*horizon)[0];
  b.persons = static_cast<int64_t>(frame.rows);
  std::vector<clv::RfmSummary> rfm(frame.rows);
  for (size_t i = 0; i < frame.rows; ++i) {
    rfm[i] = {.x = (*days)[i] - 1, .t_x = (*span)[i] / 7.0, .T = (*tenure)[i] / 7.0};
    if ((*future)[i] > 0) ++b.repeaters;
  }
  PARETO_ASSIGN_OR_RETURN(b.fit, clv::FitBgNbd(rfm));
  std::map<int, BgNbdBucket> buckets;
  for (size_t i = 0; i < frame.rows; ++i) {
    PARETO_ASSIGN_OR_RETURN(double e, clv::BgNbdConditionalExpectedPurchases(b.fit.params, rfm[i], b.horizon_days / 7.0));
    const int x = std::min(static_cast<int>(rfm[i].x), 7);
    BgNbdBucket& k = buckets[x];
    k.x = x;
    k.persons += 1;
    k.expected += e;
    k.actual += (*future)[i];
    b.expected_total += e;
    b.actual_total += (*future)[i];
  }
  for (auto& [x, k] : buckets) b.buckets.push_back(k);
  return b;
}

std::string FormatBgNbdBacktest(const BgNbdBacktest& b) {
  const clv::BgNbdParams& p = b.fit.params;
  std::string out = fmt::format(
      "BG/NBD at {} ({} persons, {} buy within {:.0f} days): r={:.3f} alpha={:.3f} a={:.3f} b={:.3f}\n", b.snapshot_date,
      b.persons, b.repeaters, b.horizon_days, p.r, p.alpha, p.a, p.b);
  out += fmt::format("  {:<4} {:>8} {:>10} {:>8}\n", "x", "persons", "expected", "actual");
  for (const BgNbdBucket& k : b.buckets) {
    out += fmt::format("  {:<4} {:>8} {:>10.1f} {:>8.0f}\n", k.x == 7 ? "7+" : std::to_string(k.x), k.persons,
                       k.expected, k.actual);
  }
  out += fmt::format("  {:<4} {:>8} {:>10.1f} {:>8.0f}\n", "all", b.persons, b.expected_total, b.actual_total);
  return out;
}

}  // namespace pareto::ml
