// FlatTrees: an XGBoost binary:logistic tree ensemble (gbtree: boosting, or a random
// forest of num_parallel_tree trees in one round) read from XGBoost's JSON model and
// flattened into arrays, for scoring many rows fast with the same results as
// XGBoost's own CPU predictor:
//  - a split reads the feature as float and goes left iff value < split_condition
//    (compared in float); a missing value (NaN, or 0 in an indicator column, which
//    pareto feeds to XGBoost as an absent sparse entry) follows default_left;
//  - the margin is a float sum of base margin and leaf values in tree order;
//  - approximate (Saabas) contributions use XGBoost's hessian-weighted node means
//    and its per-tree float accumulation.
//
// Layout (why it is fast): nodes of every tree are renumbered breadth first, so a
// node's two children are adjacent; leaves point at themselves, so every row takes
// exactly depth(tree) steps, without branches. Rows are scored in blocks of 64 per
// tree while the tree stays in cache; blocks are split across threads. The walk is
// portable C++: no instruction-set specific kernel (`make bench` prints what it
// scores per second).
//
// Ownership: a FlatTrees owns plain arrays (no XGBoost handle) and is a movable
// value. Thread safety: const methods may run concurrently from many threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include <Eigen/Core>

#include "common/status.h"

namespace pareto::ml {

class FlatTrees {
 public:
  // From the JSON text of an XGBoost 1.x model (XGBoosterSaveModelToBuffer with
  // format json, or a model.json file). `indicator[c]` true: a 0 in column c is
  // read as missing. Errors: DataError for malformed JSON or an inconsistent tree,
  // Unsupported for other objectives, boosters (dart, gblinear), multi-class or
  // categorical splits; InvalidArgument when indicator.size() is not the model's
  // feature count.
  static StatusOr<FlatTrees> FromXgboostJson(std::string_view json, std::vector<bool> indicator);

  size_t features() const { return features_; }
  size_t trees() const { return root_.size(); }
  // Columns whose 0 is read as missing (as given to FromXgboostJson).
  const std::vector<bool>& indicator() const { return indicator_; }

  // Margin (log-odds, base score included) for every row of x (rows × features(),
  // NaN = missing). InvalidArgument for a wrong column count.
  StatusOr<Eigen::VectorXd> Margin(const Eigen::MatrixXd& x, int threads = 2) const;
  // sigmoid(margin).
  StatusOr<Eigen::VectorXd> PredictProba(const Eigen::MatrixXd& x, int threads = 2) const;
  // Saabas contributions as XGBoost's approx_contribs: rows × (features() + 1),
  // bias last; each row sums to the margin (up to float rounding).
  StatusOr<Eigen::MatrixXd> ApproxContributions(const Eigen::MatrixXd& x, int threads = 2) const;

 private:
  FlatTrees() = default;
  Status CheckColumns(const Eigen::MatrixXd& x) const;
  // Rows [begin, end) of x as floats in `buffer`, row after row (stride() floats each).
  void FillBlock(const Eigen::MatrixXd& x, Eigen::Index begin, Eigen::Index end, float* buffer) const;
  void MarginRange(const Eigen::MatrixXd& x, Eigen::Index begin, Eigen::Index end, double* out) const;
  void ContributionRange(const Eigen::MatrixXd& x, Eigen::Index begin, Eigen::Index end,
                         Eigen::MatrixXd& out) const;
  // A block row: the feature values, then -inf (read by leaves), then the values negated
  // (read by default-left splits; see FromXgboostJson).
  size_t stride() const { return 2 * features_ + 1; }
  friend struct FlatTreesBuilder;

  size_t features_ = 0;
  std::vector<bool> indicator_;
  float base_margin_ = 0;
  size_t max_depth_ = 0;
  // Per node (all trees, breadth first within a tree).
  std::vector<int32_t> read_;   // position read in a block row
  std::vector<float> value_;    // threshold to compare with (leaf: the leaf value)
  std::vector<int32_t> next_;   // first child (leaf: itself); the second is next_ + 1
  std::vector<float> mean_;     // hessian-weighted mean of the leaves below (Saabas)
  // Per tree.
  std::vector<int32_t> root_;
  std::vector<int32_t> depth_;
};

}  // namespace pareto::ml
