#include "ml/future_value/snapshots.h"

#include <algorithm>
#include <cstdlib>
#include <chrono>
#include <cmath>
#include <limits>

#include <fmt/format.h>

namespace pareto::ml::fv {
const std::vector<std::string>& FeatureColumns() {
  static const std::vector<std::string> columns = {
      "customer_state",    "first_category",     "tenure_days",   "recency_days",        "active_span_days",
      "past_orders",       "past_purchase_days", "past_spend",    "delivered_orders",    "avg_delivery_days",
      "avg_delivery_delay_days", "late_share",   "reviews",       "avg_review_score",    "min_review_score"};
  return columns;
}

std::vector<size_t> Snapshots::RowsAt(int64_t snapshot_day) const {
  std::vector<size_t> rows;
  for (size_t i = 0; i < day.size(); ++i) {
    if (day[i] == snapshot_day) rows.push_back(i);
  }
  return rows;
}

std::vector<int64_t> Snapshots::LabeledDays() const {
  std::vector<int64_t> days;
  for (size_t i = 0; i < day.size(); ++i) {
    if (labels_complete[i] && (days.empty() || days.back() != day[i])) days.push_back(day[i]);
  }
  std::sort(days.begin(), days.end());
  days.erase(std::unique(days.begin(), days.end()), days.end());
  return days;
}

StatusOr<Snapshots> ReadSnapshots(duck::Connection& conn, const std::string& table, SnapshotRows which) {
  std::string select =
      "SELECT date_diff('day', DATE '1970-01-01', snapshot_date) AS snapshot_day, horizon_days, labels_complete, "
      "customer_unique_id, repeat_purchase, future_spend::DOUBLE AS future_spend, future_purchase_days";
  for (const std::string& f : FeatureColumns()) {
    select += ", " + duck::QuoteIdent(f) + (f == "past_spend" ? "::DOUBLE AS past_spend" : "");
  }
  const char* where = which == SnapshotRows::kLabeled   ? " WHERE labels_complete"
                      : which == SnapshotRows::kScoring ? " WHERE NOT labels_complete"
                                                        : "";
  // Training rows in a fixed order (the negative sample and the booster depend
  // on it); scoring rows in any: each score is its row's own, the BG/NBD fit
  // sums over sorted (x, t_x, T), and the scores table is written sorted. The
  // sort of every person (9.6 M at generated scale 100) is saved.
  const char* order = which == SnapshotRows::kScoring ? "" : " ORDER BY snapshot_date, customer_unique_id";
  auto result = conn.Query(select + " FROM " + table + where + order);
  if (!result.has_value()) return std::unexpected(result.error().WithContext("future-value snapshots"));
  Snapshots s;
  PARETO_ASSIGN_OR_RETURN(s.frame, FrameFromResult(*result));
  if (s.frame.rows == 0 && which == SnapshotRows::kLabeled) {
    return std::unexpected(InvalidArgument(table + " has no snapshot whose label window is complete: the data "
                                                   "spans too little time to train on"));
  }
  if (s.frame.rows == 0) return std::unexpected(NotFound(table + " has no rows: run the pipeline first"));
  PARETO_ASSIGN_OR_RETURN(const std::vector<double>* day, s.frame.Numbers("snapshot_day", "snapshot table"));
  PARETO_ASSIGN_OR_RETURN(const std::vector<double>* horizon, s.frame.Numbers("horizon_days", "snapshot table"));
  PARETO_ASSIGN_OR_RETURN(const std::vector<double>* complete, s.frame.Numbers("labels_complete", "snapshot table"));
  PARETO_ASSIGN_OR_RETURN(const std::vector<double>* repeat, s.frame.Numbers("repeat_purchase", "snapshot table"));
  PARETO_ASSIGN_OR_RETURN(const std::vector<double>* spend, s.frame.Numbers("future_spend", "snapshot table"));
  PARETO_ASSIGN_OR_RETURN(const std::vector<double>* days, s.frame.Numbers("future_purchase_days", "snapshot table"));
  auto id_column = std::find_if(s.frame.columns.begin(), s.frame.columns.end(),
                                [](const FrameColumn& c) { return c.name == "customer_unique_id"; });
  FrameColumn* id = id_column == s.frame.columns.end() ? nullptr : &*id_column;
  if (id == nullptr || !id->categorical) return std::unexpected(InvalidArgument("snapshot table has no customer_unique_id"));
  s.horizon_days = (*horizon)[0];
  for (size_t i = 0; i < s.frame.rows; ++i) {
    if ((*horizon)[i] != s.horizon_days) {
      return std::unexpected(DataError(table + " mixes horizons; one horizon per table"));
    }
    s.day.push_back(static_cast<int64_t>((*day)[i]));
    s.labels_complete.push_back((*complete)[i] == 1.0);
    // Moved, not copied: at scale 100 a copy of every id is most of a gigabyte.
    s.ids.push_back(id->texts[i].has_value() ? std::move(*id->texts[i]) : std::string());
    s.repeat.push_back((*repeat)[i]);
    s.future_spend.push_back((*spend)[i]);
    s.future_days.push_back((*days)[i]);
  }
  s.scoring_day = *std::max_element(s.day.begin(), s.day.end());
  if (which == SnapshotRows::kLabeled) {
    // S is not among the rows read: ask the table for its newest snapshot.
    auto newest = conn.Query("SELECT max(date_diff('day', DATE '1970-01-01', snapshot_date))::VARCHAR FROM " + table);
    if (!newest.has_value()) return std::unexpected(newest.error().WithContext("future-value snapshots"));
    s.scoring_day = std::strtoll(newest->GetString(0, 0).c_str(), nullptr, 10);
  }
  return s;
}

std::string DayText(int64_t day) {
  const std::chrono::year_month_day ymd{std::chrono::sys_days{std::chrono::days{day}}};
  return fmt::format("{:04d}-{:02d}-{:02d}", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                     static_cast<unsigned>(ymd.day()));
}

}  // namespace pareto::ml::fv
