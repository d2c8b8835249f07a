#include "ml/training/split.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "common/random.h"

namespace pareto::ml {
namespace {

// Row indices of each class, in row order.
std::pair<std::vector<size_t>, std::vector<size_t>> ByClass(std::span<const double> labels) {
  std::vector<size_t> neg, pos;
  for (size_t i = 0; i < labels.size(); ++i) (labels[i] > 0.5 ? pos : neg).push_back(i);
  return {std::move(neg), std::move(pos)};
}

}  // namespace

StatusOr<Split> StratifiedSplit(std::span<const double> labels, double test_fraction,
                                uint64_t seed) {
  if (!(test_fraction > 0.0 && test_fraction < 1.0)) {
    return std::unexpected(InvalidArgument("test fraction must be in (0, 1)"));
  }
  auto [neg, pos] = ByClass(labels);
  Rng rng(seed);
  Split split;
  for (std::vector<size_t>* cls : {&neg, &pos}) {
    rng.Shuffle(std::span<size_t>(*cls));
    const auto n_test = static_cast<size_t>(std::llround(test_fraction * cls->size()));
    split.test.insert(split.test.end(), cls->begin(), cls->begin() + n_test);
    split.train.insert(split.train.end(), cls->begin() + n_test, cls->end());
  }
  std::sort(split.train.begin(), split.train.end());
  std::sort(split.test.begin(), split.test.end());
  if (split.train.empty() || split.test.empty()) {
    return std::unexpected(InvalidArgument("split of " + std::to_string(labels.size()) +
                                           " rows leaves one side empty"));
  }
  return split;
}

StatusOr<std::vector<int>> StratifiedFolds(std::span<const double> labels, int k, uint64_t seed) {
  if (k < 2) return std::unexpected(InvalidArgument("k-fold needs k >= 2"));
  if (labels.size() < static_cast<size_t>(k)) {
    return std::unexpected(InvalidArgument("fewer rows than folds"));
  }
  auto [neg, pos] = ByClass(labels);
  Rng rng(seed);
  std::vector<int> fold(labels.size(), 0);
  int next = 0;  // continue dealing across classes so fold sizes stay balanced
  for (std::vector<size_t>* cls : {&neg, &pos}) {
    rng.Shuffle(std::span<size_t>(*cls));
    for (size_t row : *cls) {
      fold[row] = next;
      next = (next + 1) % k;
    }
  }
  return fold;
}

Split SplitByTime(std::span<const int64_t> times, int64_t cutoff) {
  Split split;
  for (size_t i = 0; i < times.size(); ++i) (times[i] < cutoff ? split.train : split.test).push_back(i);
  return split;
}

int64_t TimeCutoffForFraction(std::span<const int64_t> times, double test_fraction) {
  if (times.empty()) return 0;
  std::vector<int64_t> sorted(times.begin(), times.end());
  std::sort(sorted.begin(), sorted.end());
  const double q = std::clamp(1.0 - test_fraction, 0.0, 1.0);
  auto index = static_cast<size_t>(std::floor(q * static_cast<double>(sorted.size())));
  index = std::min(index, sorted.size() - 1);
  return sorted[index];
}

}  // namespace pareto::ml
