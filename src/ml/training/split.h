// Row splits for evaluation: stratified hold-out, stratified k-fold, and the
// out-of-time split of the `early` protocol. All are deterministic functions
// of (labels, seed) through pareto's own Rng.
//
// Thread safety: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "common/status.h"

namespace pareto::ml {

struct Split {
  std::vector<size_t> train;  // row indices, ascending
  std::vector<size_t> test;   // row indices, ascending
};

// Each class is shuffled and its first round(test_fraction * class size) rows
// go to test, so both sides keep the class ratio (as scikit-learn's
// train_test_split(stratify=y) does; the rows chosen differ from its).
// Labels are 0/1. Fails when test_fraction is outside (0, 1) or a side would be empty.
StatusOr<Split> StratifiedSplit(std::span<const double> labels, double test_fraction,
                                uint64_t seed);

// Fold number in [0, k) per row; each class is shuffled and dealt round-robin
// over the folds, so every fold's class counts differ by at most one.
StatusOr<std::vector<int>> StratifiedFolds(std::span<const double> labels, int k, uint64_t seed);

// Rows whose time is < cutoff train, the others test (time as any ordered number,
// e.g. epoch microseconds).
Split SplitByTime(std::span<const int64_t> times, int64_t cutoff);

// The cutoff that leaves about `test_fraction` of the rows (the latest ones) for
// test: the time at quantile 1 - test_fraction of the sorted times.
int64_t TimeCutoffForFraction(std::span<const int64_t> times, double test_fraction);

}  // namespace pareto::ml
