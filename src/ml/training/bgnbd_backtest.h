// BG/NBD as the future-value protocol's probabilistic baseline, on one snapshot of
// gold.gld_fv_snapshots: fit on the persons' history before the snapshot date T
// (x = purchase days - 1, t_x and T in weeks), then compare the expected number
// of repeat purchase days in the window [T, T + horizon) with what happened, per
// calibration frequency bucket 0..7+ (the model's usual calibration check).
//
// Ownership: borrows the connection for the call. Thread safety: as the connection.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "duck/duck.h"
#include "ml/clv/bgnbd.h"

namespace pareto::ml {

struct BgNbdBucket {
  int x = 0;  // 7 stands for 7 or more
  int64_t persons = 0;
  double expected = 0;  // sum of E[Y(horizon) | x, t_x, T]
  double actual = 0;    // sum of purchase days in the window
};

struct BgNbdBacktest {
  std::string snapshot_date;
  double horizon_days = 0;
  int64_t persons = 0;
  int64_t repeaters = 0;  // persons with a purchase in the window
  clv::BgNbdFit fit;
  std::vector<BgNbdBucket> buckets;
  double expected_total = 0, actual_total = 0;
};

// `table` is a snapshot table shaped like gld_fv_snapshots; `snapshot_date` YYYY-MM-DD.
StatusOr<BgNbdBacktest> RunBgNbdBacktest(duck::Connection& conn, const std::string& table,
                                         const std::string& snapshot_date);

// The table printed beside the models: parameters, then expected vs actual per bucket.
std::string FormatBgNbdBacktest(const BgNbdBacktest& b);

}  // namespace pareto::ml
