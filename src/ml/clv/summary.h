// From a transaction log to the per-customer summaries the buy-till-you-die
// models take: calibration (x, t_x, T), the mean value of the repeat purchases,
// and what happened in a holdout period after calibration.
//
// Conventions (Fader, Hardie & Lee 2005; `lifetimes`' summary_data_from_
// transaction_data): purchases on the same day are one transaction (values
// summed); the first purchase is not a repeat; T runs from the first purchase
// to the last day of calibration; times are days divided by `days_per_unit`
// (7 for weeks). Customers whose first purchase is after calibration are left
// out: the models say nothing about customers not yet acquired.
//
// Thread safety: a pure function.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "common/status.h"
#include "ml/clv/bgnbd.h"

namespace pareto::ml::clv {

struct Transaction {
  std::string customer;
  int64_t day = 0;  // days since any fixed epoch
  double value = 0;
};

struct CustomerHistory {
  std::string customer;
  RfmSummary rfm;
  double repeat_mean_value = 0;  // mean value of the repeat transactions (0 when x = 0)
  double holdout_transactions = 0;
  double holdout_value = 0;
};

// Calibration is every day up to and including `calibration_end`; the holdout
// is (calibration_end, holdout_end]. Output is sorted by customer.
StatusOr<std::vector<CustomerHistory>> SummariseTransactions(std::span<const Transaction> log,
                                                             int64_t calibration_end, int64_t holdout_end,
                                                             double days_per_unit);

}  // namespace pareto::ml::clv
