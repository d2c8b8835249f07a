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
// tree while the tree stays in cache; blocks are split across threads. On x86-64
// CPUs with AVX-512 or AVX2, ensembles of trees up to depth 12 are scored
// bit-sliced instead (see SlicedTree), several times faster.
//
// Files: flat_trees.cc reads the model and walks; flat_trees_sliced.cc holds the
// bit-sliced kernels.
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
  // Ensembles of trees at most kMaxSlicedDepth deep are scored bit-sliced: kAuto
  // with AVX-512 when the CPU has it, else AVX2; kAvx2 with AVX2 only (to compare);
  // kPortable walks the trees in plain C++, as for deeper trees or CPUs without
  // AVX2. All give identical results: each row adds the same values in the same
  // order.
  enum class Kernel { kAuto, kAvx2, kPortable };

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

  void set_kernel(Kernel kernel) { kernel_ = kernel; }

 private:
  FlatTrees() = default;
  Status CheckColumns(const Eigen::MatrixXd& x) const;
  // Rows [begin, end) of x as floats in `buffer`, row after row (stride() floats each).
  void FillBlock(const Eigen::MatrixXd& x, Eigen::Index begin, Eigen::Index end, float* buffer) const;
  void MarginRange(const Eigen::MatrixXd& x, Eigen::Index begin, Eigen::Index end, double* out) const;
  void SlicedMarginRange(const Eigen::MatrixXd& x, Eigen::Index begin, Eigen::Index end, double* out) const;
  void SlicedContributionRange(const Eigen::MatrixXd& x, Eigen::Index begin, Eigen::Index end,
                               Eigen::MatrixXd& out) const;
  // The instruction set the bit-sliced kernel runs with, kNone: trees are walked.
  enum class SlicedIsa { kNone, kAvx2, kAvx512 };
  SlicedIsa Sliced() const;
  void ContributionRange(const Eigen::MatrixXd& x, Eigen::Index begin, Eigen::Index end,
                         Eigen::MatrixXd& out) const;
  // A block row: the feature values, then -inf (read by leaves), then the values negated
  // (read by default-left splits; see FromXgboostJson).
  size_t stride() const { return 2 * features_ + 1; }
  friend struct FlatTreesBuilder;
  friend struct FlatTreesSlices;

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
  // On x86-64 CPUs with AVX-512 (or AVX2), an ensemble whose trees are at most
  // kMaxSlicedDepth deep is scored bit-sliced, 512 rows at a time, without walking
  // any tree:
  //  - comparisons are shared (after RapidScorer): an ensemble repeats few distinct
  //    (column, threshold, missing side) triples in many splits (the scale-1 model:
  //    1,444 in 35,478), so each is compared once per block, giving a 512-bit set of
  //    the rows it sends to the second child;
  //  - a tree is descended level by level on 512-bit row sets: a node's rows split
  //    into (rows & ~mask) and (rows & mask), a few vector instructions for all 512
  //    rows, where a walk costs a gather per row and level;
  //  - the rows sent second at level d set bit (depth - 1 - d) of each row's slot,
  //    the leaf's path padded with zeros below it, which indexes the tree's table of
  //    2^depth leaf values.
  static constexpr int32_t kMaxSlicedDepth = 12;  // 4,096 slots (16 KB) a tree
  struct SlicedNode {
    int32_t test;   // index into test_column_ / test_value_
    int32_t self;   // node number within its tree (breadth first)
    int32_t first;  // its first child's number; the second is first + 1
  };
  struct SlicedTree {
    int32_t depth = 0;
    int32_t levels = 0;  // level d's nodes start at sliced_level_[levels + d] (depth + 1 offsets)
    int32_t slots = 0;   // first of its max(64, 2^depth) entries in slot_value_
  };
  bool sliced_ = true;  // every tree is at most kMaxSlicedDepth deep
  std::vector<SlicedTree> sliced_tree_;  // per tree
  std::vector<int32_t> sliced_level_;
  std::vector<SlicedNode> sliced_node_;  // split nodes, tree by tree and level by level
  std::vector<float> slot_value_;
  // Saabas contributions by slot, for the same kernel: the leaf's path summarized
  // as XGBoost accumulates it (each feature split on, in first-use order, with its
  // changes of the mean summed in path order), at path_feature_/path_change_
  // [slot_path_[s], slot_path_[s] + slot_path_count_[s]).
  std::vector<int32_t> slot_path_;
  std::vector<int32_t> slot_path_count_;
  std::vector<int32_t> path_feature_;
  std::vector<float> path_change_;
  std::vector<float> root_mean_;  // per tree: its root's mean, the tree's share of the bias
  int32_t max_tree_nodes_ = 1;
  // Distinct comparisons, by side then column then threshold. Tests before
  // first_default_left_test_ send a row second iff !(value < threshold), NaN
  // included; the rest (of default-left splits, whose children are stored right
  // first) iff !(value >= threshold).
  std::vector<int32_t> test_column_;  // into sliced_columns_
  std::vector<float> test_value_;
  size_t first_default_left_test_ = 0;
  std::vector<int32_t> sliced_columns_;  // feature columns some split reads
  Kernel kernel_ = Kernel::kAuto;
};

}  // namespace pareto::ml
