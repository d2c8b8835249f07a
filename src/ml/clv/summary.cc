#include "ml/clv/summary.h"

#include <algorithm>
#include <map>

namespace pareto::ml::clv {

StatusOr<std::vector<CustomerHistory>> SummariseTransactions(std::span<const Transaction> log,
                                                             int64_t calibration_end, int64_t holdout_end,
                                                             double days_per_unit) {
  if (!(days_per_unit > 0)) return std::unexpected(InvalidArgument("summary: days_per_unit must be positive"));
  if (holdout_end < calibration_end) return std::unexpected(InvalidArgument("summary: the holdout ends before calibration"));
  // customer -> day -> value: merges same-day purchases and orders the days.
  std::map<std::string, std::map<int64_t, double>> days;
  for (const Transaction& t : log) days[t.customer][t.day] += t.value;
  std::vector<CustomerHistory> out;
  for (const auto& [customer, by_day] : days) {
    const int64_t first = by_day.begin()->first;
    if (first > calibration_end) continue;
    CustomerHistory h{.customer = customer};
    double repeat_value = 0;
    int64_t last = first;
    for (const auto& [day, value] : by_day) {
      if (day == first) continue;
      if (day <= calibration_end) {
        h.rfm.x += 1;
        repeat_value += value;
        last = day;
      } else if (day <= holdout_end) {
        h.holdout_transactions += 1;
        h.holdout_value += value;
      }
    }
    h.rfm.t_x = static_cast<double>(last - first) / days_per_unit;
    h.rfm.T = static_cast<double>(calibration_end - first) / days_per_unit;
    h.repeat_mean_value = h.rfm.x > 0 ? repeat_value / h.rfm.x : 0;
    out.push_back(std::move(h));
  }
  return out;
}

}  // namespace pareto::ml::clv
