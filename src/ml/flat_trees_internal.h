// Definitions shared by flat_trees.cc (the model and the walk) and
// flat_trees_sliced.cc (the bit-sliced kernels); private to FlatTrees.
#pragma once

#include <cmath>
#include <limits>

#include <Eigen/Core>

namespace pareto::ml::flat_trees_internal {

inline constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

inline constexpr Eigen::Index kSlicedBlock = 512;  // rows of a bit-sliced block

// Element (row, column) of x as a split reads it: a float, NaN when missing. The
// missing rule is decided on the double, as MakeMatrix in tree_models.cc does.
inline float SplitValue(double d, bool indicator) {
  return std::isnan(d) || (indicator && d == 0.0) ? kNaN : static_cast<float>(d);
}

}  // namespace pareto::ml::flat_trees_internal
