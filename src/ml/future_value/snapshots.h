// The future-value protocol's rows as ML reads them: gold.gld_fv_snapshots, every
// person at each snapshot date T with features known before T, labels from the
// window [T, T + horizon) when it lies in the data (labels_complete), and the
// scoring snapshot S (the day after the newest purchase) without labels.
//
// Ownership: plain values. Thread safety: const use may be shared.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "duck/duck.h"
#include "ml/training/dataset.h"

namespace pareto::ml::fv {

inline constexpr const char* kSnapshotsTable = "gold.gld_fv_snapshots";

// The features the future-value models see (columns of gld_fv_snapshots): the
// person's history by T, which is known at T — past spend included.
const std::vector<std::string>& FeatureColumns();

struct Snapshots {
  Frame frame;                       // feature columns, ids, labels
  std::vector<int64_t> day;          // snapshot date, days since 1970-01-01
  std::vector<bool> labels_complete;
  std::vector<std::string> ids;      // customer_unique_id
  std::vector<double> repeat;        // 1 when the person bought in the window; NaN without labels
  std::vector<double> future_spend;  // BRL in the window; NaN without labels
  std::vector<double> future_days;   // distinct purchase days in the window; NaN without labels
  int64_t scoring_day = 0;           // S: the latest snapshot
  double horizon_days = 0;
  // Rows of one snapshot date, in row order.
  std::vector<size_t> RowsAt(int64_t snapshot_day) const;
  // The distinct snapshot dates whose labels are complete, ascending.
  std::vector<int64_t> LabeledDays() const;
};

// Which rows ReadSnapshots reads. Training needs only the snapshots whose
// labels are complete and scoring only the scoring snapshot S (about half the
// table each at scale 1): reading just those halves the time either step
// spends in DuckDB and in building the frame. scoring_day is S in every case.
enum class SnapshotRows { kAll, kLabeled, kScoring };

// Reads `table` (shaped like gold.gld_fv_snapshots), ordered by date and id.
StatusOr<Snapshots> ReadSnapshots(duck::Connection& conn, const std::string& table,
                                  SnapshotRows which = SnapshotRows::kAll);

// "2018-09-01" for a day number.
std::string DayText(int64_t day);

}  // namespace pareto::ml::fv
