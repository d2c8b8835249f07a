#include "ml/flat_trees.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <tuple>
#include <utility>

#include <nlohmann/json.hpp>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define PARETO_FLAT_TREES_AVX512 1
#endif

namespace pareto::ml {
namespace {

// Numbers parsed straight to float (strtof): XGBoost writes each float in its
// shortest round-trip form, so thresholds and leaf values come back bit for bit,
// with no double rounding on the way.
using Json = nlohmann::basic_json<std::map, std::vector, std::string, bool, std::int64_t, std::uint64_t, float>;

constexpr Eigen::Index kBlock = 64;  // rows scored together per tree
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

Status ModelError(const std::string& what) { return DataError("XGBoost model JSON: " + what); }

std::string OneLine(std::string text) {
  std::replace(text.begin(), text.end(), '\n', ' ');
  return text;
}

// One tree as XGBoost writes it (parallel arrays indexed by XGBoost's node id).
struct JsonTree {
  std::vector<int64_t> left, right, split;
  std::vector<float> condition, hessian;
  std::vector<bool> default_left;
};

StatusOr<JsonTree> ReadTree(const Json& tree, size_t index) {
  const std::string where = "tree " + std::to_string(index) + ": ";
  JsonTree t;
  const auto nodes = static_cast<size_t>(std::stoll(tree.at("tree_param").at("num_nodes").get<std::string>()));
  t.left = tree.at("left_children").get<std::vector<int64_t>>();
  t.right = tree.at("right_children").get<std::vector<int64_t>>();
  t.split = tree.at("split_indices").get<std::vector<int64_t>>();
  t.condition = tree.at("split_conditions").get<std::vector<float>>();
  t.hessian = tree.at("sum_hessian").get<std::vector<float>>();
  // 1.7 writes 0/1; accept booleans too.
  for (const Json& d : tree.at("default_left")) t.default_left.push_back(d.is_boolean() ? d.get<bool>() : d.get<int>() != 0);
  if (tree.contains("split_type")) {
    for (const Json& s : tree.at("split_type")) {
      if (s.get<int>() != 0) return std::unexpected(Unsupported(where + "categorical splits are not supported"));
    }
  }
  if (nodes == 0 || t.left.size() != nodes || t.right.size() != nodes || t.split.size() != nodes ||
      t.condition.size() != nodes || t.hessian.size() != nodes || t.default_left.size() != nodes) {
    return std::unexpected(ModelError(where + "node arrays disagree with num_nodes " + std::to_string(nodes)));
  }
  return t;
}

StatusOr<float> BaseMargin(const Json& learner) {
  const std::string text = learner.at("learner_model_param").at("base_score").get<std::string>();
  char* end = nullptr;
  const float p = std::strtof(text.c_str(), &end);
  if (end == text.c_str() || !(p > 0.0f && p < 1.0f)) {
    return std::unexpected(ModelError("base_score '" + text + "' is not a probability in (0, 1)"));
  }
  // binary:logistic keeps base_score as a probability; XGBoost turns it into a margin
  // in float this way (LogisticRegression::ProbToMargin).
  return -std::log(1.0f / p - 1.0f);
}

}  // namespace

// Builds the flat arrays tree by tree (a friend, so parsing stays out of the header).
struct FlatTreesBuilder {
  // Distinct comparisons seen so far: (default-left, column, threshold bits) -> provisional index.
  using Tests = std::map<std::tuple<bool, int32_t, uint32_t>, int32_t>;

  // Appends `t` breadth first. A node's children are pushed together, so they get
  // adjacent numbers; for a default-left split they are pushed right first, and the
  // split reads the negated value against -pred(threshold):
  //   second child (left)  iff  !(-v < -pred(t))  iff  !(v >= t)  iff  v < t or v is NaN,
  // so every node of every tree takes its second child iff !(read < value): one
  // comparison, and NaN always goes second, i.e. to the default child.
  static Status AddTree(FlatTrees& f, Tests& tests, const JsonTree& t, size_t index) {
    const std::string where = "tree " + std::to_string(index) + ": ";
    const auto features = static_cast<int64_t>(f.features_);
    const auto nodes = static_cast<int64_t>(t.left.size());
    std::vector<int64_t> order = {0};
    std::vector<int64_t> depth(static_cast<size_t>(nodes), -1);
    depth[0] = 0;
    for (size_t k = 0; k < order.size(); ++k) {
      const auto o = static_cast<size_t>(order[k]);
      if (t.left[o] < 0 && t.right[o] < 0) continue;
      const int64_t l = t.left[o], r = t.right[o];
      if (l <= 0 || r <= 0 || l >= nodes || r >= nodes || l == r || depth[static_cast<size_t>(l)] >= 0 ||
          depth[static_cast<size_t>(r)] >= 0) {
        return ModelError(where + "node " + std::to_string(o) + " has invalid children");
      }
      if (t.split[o] < 0 || t.split[o] >= features) {
        return ModelError(where + "node " + std::to_string(o) + " splits on feature " + std::to_string(t.split[o]) +
                          " of " + std::to_string(features));
      }
      if (!std::isfinite(t.condition[o])) {
        return ModelError(where + "node " + std::to_string(o) + " has a non-finite threshold");
      }
      order.push_back(t.default_left[o] ? r : l);
      order.push_back(t.default_left[o] ? l : r);
      depth[static_cast<size_t>(l)] = depth[static_cast<size_t>(r)] = depth[o] + 1;
    }

    // XGBoost's FillNodeMeanValues, in float and in its operation order; breadth-first
    // order reversed visits children before parents.
    std::vector<float> mean(static_cast<size_t>(nodes), 0.0f);
    for (auto k = order.size(); k-- > 0;) {
      const auto o = static_cast<size_t>(order[k]);
      if (t.left[o] < 0) {
        mean[o] = t.condition[o];
        continue;
      }
      const auto l = static_cast<size_t>(t.left[o]), r = static_cast<size_t>(t.right[o]);
      float m = mean[l] * t.hessian[l];
      m += mean[r] * t.hessian[r];
      m /= t.hessian[o];
      mean[o] = m;
    }

    const auto base = static_cast<int64_t>(f.read_.size());
    if (base + static_cast<int64_t>(order.size()) > std::numeric_limits<int32_t>::max() / 2) {
      return Unsupported(where + "the model has too many nodes");
    }
    std::vector<int64_t> renumbered(static_cast<size_t>(nodes), -1);
    for (size_t k = 0; k < order.size(); ++k) renumbered[static_cast<size_t>(order[k])] = base + static_cast<int64_t>(k);
    int64_t max_depth = 0;
    for (const int64_t o : order) {
      const auto u = static_cast<size_t>(o);
      max_depth = std::max(max_depth, depth[u]);
      f.mean_.push_back(mean[u]);
      if (t.left[u] < 0) {
        if (!std::isfinite(t.condition[u])) return ModelError(where + "a leaf value is not finite");
        // A leaf reads the -inf slot: -inf < leaf value, so it stays on itself.
        f.read_.push_back(static_cast<int32_t>(features));
        f.value_.push_back(t.condition[u]);
        f.next_.push_back(static_cast<int32_t>(renumbered[u]));
        continue;
      }
      const bool left_default = t.default_left[u];
      const float threshold = t.condition[u];
      f.read_.push_back(static_cast<int32_t>(left_default ? features + 1 + t.split[u] : t.split[u]));
      f.value_.push_back(left_default ? -std::nextafter(threshold, -std::numeric_limits<float>::infinity()) : threshold);
      f.next_.push_back(static_cast<int32_t>(renumbered[static_cast<size_t>(left_default ? t.right[u] : t.left[u])]));
    }
    f.root_.push_back(static_cast<int32_t>(base));
    f.depth_.push_back(static_cast<int32_t>(max_depth));
    f.max_depth_ = std::max(f.max_depth_, static_cast<size_t>(max_depth));
    AddSlicedTree(f, tests, t, order, static_cast<int32_t>(base), static_cast<int32_t>(max_depth));
    return OkStatus();
  }

  static int32_t Intern(Tests& tests, bool default_left, int64_t column, float threshold) {
    const auto [it, added] = tests.try_emplace({default_left, static_cast<int32_t>(column), std::bit_cast<uint32_t>(threshold)},
                                               static_cast<int32_t>(tests.size()));
    return it->second;
  }

  // The bit-sliced form of tree `t`, appended at [base, base + order.size()) in
  // breadth-first `order` (order[k]: XGBoost's id of node k).
  static void AddSlicedTree(FlatTrees& f, Tests& tests, const JsonTree& t, const std::vector<int64_t>& order,
                            int32_t base, int32_t depth) {
    if (depth > FlatTrees::kMaxSlicedDepth) {
      f.sliced_ = false;
      return;
    }
    const auto count = static_cast<int32_t>(order.size());
    const auto at = [&](int32_t local) { return static_cast<size_t>(base + local); };
    const auto leaf = [&](int32_t local) { return f.read_[at(local)] == static_cast<int32_t>(f.features_); };
    // Each node's level and path from the root (a bit per level, 1 = second child).
    // Breadth first order puts parents before children and levels in order.
    std::vector<int32_t> level(order.size()), path(order.size());
    for (int32_t k = 0; k < count; ++k) {
      if (leaf(k)) continue;
      const int32_t first = f.next_[at(k)] - base;
      for (const int32_t child : {first, first + 1}) {
        level[static_cast<size_t>(child)] = level[static_cast<size_t>(k)] + 1;
        path[static_cast<size_t>(child)] = 2 * path[static_cast<size_t>(k)] + (child - first);
      }
    }
    f.root_mean_.push_back(f.mean_[at(0)]);
    FlatTrees::SlicedTree tree;
    tree.depth = depth;
    tree.levels = static_cast<int32_t>(f.sliced_level_.size());
    tree.slots = static_cast<int32_t>(f.slot_value_.size());
    for (int32_t d = 0; d < depth; ++d) {
      f.sliced_level_.push_back(static_cast<int32_t>(f.sliced_node_.size()));
      for (int32_t k = 0; k < count; ++k) {
        if (leaf(k) || level[static_cast<size_t>(k)] != d) continue;
        const auto o = static_cast<size_t>(order[static_cast<size_t>(k)]);
        const int32_t test = Intern(tests, t.default_left[o], t.split[o], t.condition[o]);
        f.sliced_node_.push_back({test, k, f.next_[at(k)] - base});
      }
    }
    f.sliced_level_.push_back(static_cast<int32_t>(f.sliced_node_.size()));
    f.slot_value_.resize(f.slot_value_.size() + std::max<size_t>(64, size_t{1} << depth), 0.0f);
    f.slot_path_.resize(f.slot_value_.size(), 0);
    f.slot_path_count_.resize(f.slot_value_.size(), 0);
    std::vector<int32_t> parent(order.size(), -1);
    for (int32_t k = 0; k < count; ++k) {
      if (!leaf(k)) parent[static_cast<size_t>(f.next_[at(k)] - base)] = parent[static_cast<size_t>(f.next_[at(k)] - base + 1)] = k;
    }
    const auto n = static_cast<int32_t>(f.features_);
    for (int32_t k = 0; k < count; ++k) {
      if (!leaf(k)) continue;
      const size_t slot = static_cast<size_t>(tree.slots) +
                          (static_cast<size_t>(path[static_cast<size_t>(k)]) << (depth - level[static_cast<size_t>(k)]));
      f.slot_value_[slot] = f.value_[at(k)];
      // The path root to leaf, then its changes grouped as ContributionRange does.
      std::vector<int32_t> nodes = {k};
      while (parent[static_cast<size_t>(nodes.back())] >= 0) nodes.push_back(parent[static_cast<size_t>(nodes.back())]);
      std::reverse(nodes.begin(), nodes.end());
      const auto begin = static_cast<int32_t>(f.path_feature_.size());
      for (size_t step = 0; step + 1 < nodes.size(); ++step) {
        const int32_t read = f.read_[at(nodes[step])];
        const int32_t feature = read > n ? read - n - 1 : read;
        const float change = f.mean_[at(nodes[step + 1])] - f.mean_[at(nodes[step])];
        auto known = std::find(f.path_feature_.begin() + begin, f.path_feature_.end(), feature);
        if (known == f.path_feature_.end()) {
          f.path_feature_.push_back(feature);
          f.path_change_.push_back(change);
        } else {
          f.path_change_[static_cast<size_t>(known - f.path_feature_.begin())] += change;
        }
      }
      f.slot_path_[slot] = begin;
      f.slot_path_count_[slot] = static_cast<int32_t>(f.path_feature_.size()) - begin;
    }
    f.sliced_tree_.push_back(tree);
    f.max_tree_nodes_ = std::max(f.max_tree_nodes_, count);
  }

  // Numbers the distinct comparisons in key order (each side's together, by column,
  // so a block's columns are compared in memory order) and lists the columns read.
  static void Finish(FlatTrees& f, const Tests& tests) {
    std::map<int32_t, int32_t> column_index;
    for (const auto& [key, provisional] : tests) column_index.emplace(std::get<1>(key), 0);
    for (auto& [column, index] : column_index) {
      index = static_cast<int32_t>(f.sliced_columns_.size());
      f.sliced_columns_.push_back(column);
    }
    std::vector<int32_t> final_index(tests.size());
    for (const auto& [key, provisional] : tests) {
      const auto& [default_left, column, threshold] = key;
      if (!default_left) f.first_default_left_test_ = f.test_column_.size() + 1;
      final_index[static_cast<size_t>(provisional)] = static_cast<int32_t>(f.test_column_.size());
      f.test_column_.push_back(column_index.at(column));
      f.test_value_.push_back(std::bit_cast<float>(threshold));
    }
    for (FlatTrees::SlicedNode& node : f.sliced_node_) node.test = final_index[static_cast<size_t>(node.test)];
  }

  static StatusOr<FlatTrees> Build(const Json& root, std::vector<bool> indicator) {
    const Json& learner = root.at("learner");
    const std::string objective = learner.at("objective").at("name").get<std::string>();
    if (objective != "binary:logistic") {
      return std::unexpected(Unsupported("XGBoost objective " + objective + " (only binary:logistic)"));
    }
    const Json& param = learner.at("learner_model_param");
    if (std::stoll(param.at("num_class").get<std::string>()) > 1) {
      return std::unexpected(Unsupported("multi-class XGBoost models are not supported"));
    }
    const Json& booster = learner.at("gradient_booster");
    const std::string booster_name = booster.at("name").get<std::string>();
    if (booster_name != "gbtree") {
      return std::unexpected(Unsupported("XGBoost booster " + booster_name + " (only gbtree)"));
    }
    const long long features = std::stoll(param.at("num_feature").get<std::string>());
    if (features <= 0 || features > (1 << 20)) {
      return std::unexpected(ModelError("num_feature " + std::to_string(features) + " out of range"));
    }
    if (indicator.size() != static_cast<size_t>(features)) {
      return std::unexpected(InvalidArgument("the model has " + std::to_string(features) + " features, the indicator list " +
                                             std::to_string(indicator.size())));
    }
    FlatTrees f;
    f.features_ = static_cast<size_t>(features);
    f.indicator_ = std::move(indicator);
    PARETO_ASSIGN_OR_RETURN(f.base_margin_, BaseMargin(learner));
    const Json& model = booster.at("model");
    const Json& trees = model.at("trees");
    for (const Json& group : model.at("tree_info")) {
      if (group.get<int>() != 0) return std::unexpected(Unsupported("XGBoost trees of more than one output group"));
    }
    // Trees are summed in the order XGBoost stores them, as its predictor does. A
    // random forest's trees are summed too: XGBoost divides the learning rate by
    // num_parallel_tree when it grows them, so the leaves already carry the 1/n.
    Tests tests;
    for (size_t i = 0; i < trees.size(); ++i) {
      PARETO_ASSIGN_OR_RETURN(const JsonTree t, ReadTree(trees[i], i));
      PARETO_RETURN_IF_ERROR(AddTree(f, tests, t, i));
    }
    Finish(f, tests);
    return f;
  }
};

StatusOr<FlatTrees> FlatTrees::FromXgboostJson(std::string_view json, std::vector<bool> indicator) {
  try {
    const Json root = Json::parse(json.begin(), json.end());
    return FlatTreesBuilder::Build(root, std::move(indicator));
  } catch (const Json::exception& e) {
    return std::unexpected(ModelError(OneLine(e.what())));
  } catch (const std::logic_error& e) {  // std::stoll on a malformed count
    return std::unexpected(ModelError(OneLine(std::string("bad number: ") + e.what())));
  }
}

Status FlatTrees::CheckColumns(const Eigen::MatrixXd& x) const {
  if (static_cast<size_t>(x.cols()) != features_) {
    return InvalidArgument("model has " + std::to_string(features_) + " features, data has " +
                           std::to_string(x.cols()));
  }
  return OkStatus();
}

namespace {

// Element (row, column) of x as a split reads it: a float, NaN when missing. The
// missing rule is decided on the double, as MakeMatrix in tree_models.cc does.
float SplitValue(double d, bool indicator) {
  return std::isnan(d) || (indicator && d == 0.0) ? kNaN : static_cast<float>(d);
}

}  // namespace

void FlatTrees::FillBlock(const Eigen::MatrixXd& x, Eigen::Index begin, Eigen::Index end, float* buffer) const {
  const auto s = static_cast<Eigen::Index>(stride());
  const auto n = static_cast<Eigen::Index>(features_);
  for (Eigen::Index r = 0; r < kBlock; ++r) {
    float* row = buffer + r * s;
    row[n] = -std::numeric_limits<float>::infinity();
    for (Eigen::Index c = 0; c < n; ++c) {
      // Rows past `end` pad the block; their results are dropped.
      const float v = begin + r < end ? SplitValue(x(begin + r, c), indicator_[static_cast<size_t>(c)]) : kNaN;
      row[c] = v;
      row[n + 1 + c] = -v;
    }
  }
}

// The bit-sliced ensemble as the AVX-512 kernel reads it (a friend: the layout is
// private).
struct FlatTreesSlices {
  explicit FlatTreesSlices(const FlatTrees& f)
      : trees(f.sliced_tree_.data()),
        tree_count(f.sliced_tree_.size()),
        levels(f.sliced_level_.data()),
        nodes(f.sliced_node_.data()),
        slot_value(f.slot_value_.data()),
        test_column(f.test_column_.data()),
        test_value(f.test_value_.data()),
        tests(f.test_column_.size()),
        first_default_left_test(f.first_default_left_test_),
        slot_path(f.slot_path_.data()),
        slot_path_count(f.slot_path_count_.data()),
        path_feature(f.path_feature_.data()),
        path_change(f.path_change_.data()),
        root_mean(f.root_mean_.data()) {}
  static constexpr int32_t kMaxDepth = FlatTrees::kMaxSlicedDepth;
  const FlatTrees::SlicedTree* trees;
  size_t tree_count;
  const int32_t* levels;
  const FlatTrees::SlicedNode* nodes;
  const float* slot_value;
  const int32_t* test_column;
  const float* test_value;
  size_t tests;
  size_t first_default_left_test;
  const int32_t* slot_path;
  const int32_t* slot_path_count;
  const int32_t* path_feature;
  const float* path_change;
  const float* root_mean;
};

namespace {

// One block of kBlock rows through every tree; acc[r] += leaf value, tree by tree.
void MarginBlockPortable(const int32_t* read, const float* value, const int32_t* next,
                         const std::vector<int32_t>& roots, const std::vector<int32_t>& depths,
                         const float* buffer, Eigen::Index stride, float* acc) {
  int32_t idx[kBlock];
  for (size_t t = 0; t < roots.size(); ++t) {
    std::fill(std::begin(idx), std::end(idx), roots[t]);
    for (int32_t level = 0; level < depths[t]; ++level) {
      for (Eigen::Index r = 0; r < kBlock; ++r) {
        const int32_t i = idx[r];
        const float v = buffer[r * stride + read[i]];
        idx[r] = next[i] + (v < value[i] ? 0 : 1);
      }
    }
    for (Eigen::Index r = 0; r < kBlock; ++r) acc[r] += value[idx[r]];
  }
}

constexpr Eigen::Index kSlicedBlock = 512;  // rows of a bit-sliced block

#ifdef PARETO_FLAT_TREES_AVX512
// Rows of a sliced block, a bit each: 512 bits, one vector.
constexpr size_t kSlicedGroups = kSlicedBlock / 16;  // of sixteen rows (float lanes)
struct alignas(64) RowSet {
  uint16_t group[kSlicedGroups];  // bit i of group[g]: row 16 g + i
};

// A thread's scratch for sliced blocks.
struct SlicedScratch {
  std::vector<float> columns;  // sliced_columns_ of the block's rows, kSlicedBlock floats each
  std::vector<RowSet> masks;   // per distinct comparison: the rows it sends second
  std::vector<RowSet> rows;    // per node of the tree being descended: the rows at it
  RowSet second[FlatTreesSlices::kMaxDepth];  // per level: the rows sent second
  float acc[kSlicedBlock];
  std::vector<uint16_t> slots;  // contributions: each tree's slot of each row
};

std::unique_ptr<SlicedScratch> MakeSlicedScratch(size_t columns, size_t tests, int32_t tree_nodes, size_t trees) {
  auto scratch = std::make_unique<SlicedScratch>();
  scratch->slots.resize(trees * static_cast<size_t>(kSlicedBlock));
  scratch->columns.resize(columns * static_cast<size_t>(kSlicedBlock));
  scratch->masks.resize(tests);
  scratch->rows.resize(static_cast<size_t>(tree_nodes));
  return scratch;
}

// Through the masked form with a zeroed source: GCC 12's plain _mm512_i32gather_ps
// leaves its source undefined and warns about it.
__attribute__((target("avx512f,avx512cd"))) inline __m512 GatherFloats(__m512i index, const float* base) {
  return _mm512_mask_i32gather_ps(_mm512_setzero_ps(), static_cast<__mmask16>(0xFFFF), index, base, 4);
}

// SplitValue over the first `rows` rows of one column of a sliced block, eight rows
// to a vector.
__attribute__((target("avx512f,avx512cd"))) void FillSlicedColumn(const double* from, Eigen::Index rows,
                                                                  bool indicator, float* to) {
  const __m512d zero = _mm512_setzero_pd();
  const __m512d nan = _mm512_set1_pd(std::numeric_limits<double>::quiet_NaN());
  Eigen::Index r = 0;
  for (; r + 8 <= rows; r += 8) {
    const __m512d d = _mm512_loadu_pd(from + r);
    __mmask8 missing = _mm512_cmp_pd_mask(d, d, _CMP_UNORD_Q);
    if (indicator) missing |= _mm512_cmp_pd_mask(d, zero, _CMP_EQ_OQ);
    // (maskz: GCC 12's plain _mm512_cvtpd_ps warns about its undefined source)
    _mm256_storeu_ps(to + r, _mm512_maskz_cvtpd_ps(0xFF, _mm512_mask_blend_pd(missing, d, nan)));
  }
  for (; r < rows; ++r) to[r] = SplitValue(from[r], indicator);
}

// Every distinct comparison on a block whose columns are filled, once, as the rows
// it sends second (NaN included).
__attribute__((target("avx512f,avx512cd"))) void CompareAll(const FlatTreesSlices& m, SlicedScratch& scratch) {
  for (size_t j = 0; j < m.tests; ++j) {
    const __m512 threshold = _mm512_set1_ps(m.test_value[j]);
    const float* column = scratch.columns.data() + static_cast<ptrdiff_t>(m.test_column[j]) * kSlicedBlock;
    RowSet& mask = scratch.masks[j];
    if (j < m.first_default_left_test) {
      for (size_t g = 0; g < kSlicedGroups; ++g) {
        mask.group[g] = _mm512_cmp_ps_mask(_mm512_loadu_ps(column + 16 * g), threshold, _CMP_NLT_UQ);
      }
    } else {
      for (size_t g = 0; g < kSlicedGroups; ++g) {
        mask.group[g] = _mm512_cmp_ps_mask(_mm512_loadu_ps(column + 16 * g), threshold, _CMP_NGE_UQ);
      }
    }
  }
}

// Descends one tree level by level, the rows at each node split between its
// children; scratch.second[d]: the rows level d sent second.
__attribute__((target("avx512f,avx512cd"))) void Descend(const FlatTreesSlices& m, size_t t, SlicedScratch& scratch) {
  const auto& tree = m.trees[t];
  RowSet* const rows = scratch.rows.data();
  _mm512_store_si512(&rows[0], _mm512_set1_epi32(-1));
  const int32_t* level = m.levels + tree.levels;
  for (int32_t d = 0; d < tree.depth; ++d) {
    __m512i second = _mm512_setzero_si512();
    for (int32_t k = level[d]; k < level[d + 1]; ++k) {
      const auto node = m.nodes[k];
      const __m512i here = _mm512_load_si512(&rows[node.self]);
      const __m512i mask = _mm512_load_si512(&scratch.masks[static_cast<size_t>(node.test)]);
      const __m512i to_second = _mm512_and_si512(here, mask);
      // here & ~mask (GCC 12's _mm512_andnot_si512 warns about its undefined source)
      _mm512_store_si512(&rows[node.first], here & ~mask);
      _mm512_store_si512(&rows[node.first + 1], to_second);
      second = _mm512_or_si512(second, to_second);
    }
    _mm512_store_si512(&scratch.second[d], second);
  }
}

// The slots of group g's rows after Descend: bit depth - 1 - d set when level d
// sent the row second.
__attribute__((target("avx512f,avx512cd"), always_inline)) inline __m512i GroupSlots(int32_t depth,
                                                                                   const SlicedScratch& scratch,
                                                                                   size_t g) {
  __m512i slot = _mm512_setzero_si512();
  for (int32_t d = 0; d < depth; ++d) {
    slot = _mm512_mask_add_epi32(slot, scratch.second[d].group[g], slot, _mm512_set1_epi32(1 << (depth - 1 - d)));
  }
  return slot;
}

// Margins: every tree on one block whose columns are filled; scratch.acc[r] +=
// leaf value, tree by tree.
__attribute__((target("avx512f,avx512cd"))) void SlicedMarginBlock(const FlatTreesSlices& m, SlicedScratch& scratch) {
  CompareAll(m, scratch);
  const __m512i thirty_two = _mm512_set1_epi32(32);
  for (size_t t = 0; t < m.tree_count; ++t) {
    Descend(m, t, scratch);
    const auto& tree = m.trees[t];
    const float* table = m.slot_value + tree.slots;
    const __m512 t0 = _mm512_loadu_ps(table), t1 = _mm512_loadu_ps(table + 16);
    const __m512 t2 = _mm512_loadu_ps(table + 32), t3 = _mm512_loadu_ps(table + 48);
    for (size_t g = 0; g < kSlicedGroups; ++g) {
      const __m512i slot = GroupSlots(tree.depth, scratch, g);
      __m512 leaf;
      if (tree.depth <= 6) {  // the table's first 64 entries are in four registers
        const __m512 low = _mm512_permutex2var_ps(t0, slot, t1), high = _mm512_permutex2var_ps(t2, slot, t3);
        leaf = _mm512_mask_blend_ps(_mm512_test_epi32_mask(slot, thirty_two), low, high);
      } else {
        leaf = GatherFloats(slot, table);
      }
      float* acc = scratch.acc + 16 * g;
      _mm512_storeu_ps(acc, _mm512_add_ps(_mm512_loadu_ps(acc), leaf));
    }
  }
}

// Saabas contributions: every tree on one block whose columns are filled; each of
// the first `rows` rows adds its leaf's path summary (see slot_path_) to its totals
// in `contrib` (`width` floats a row, the bias last), tree by tree. The slots of all
// trees come first, so the totals are then added 64 rows at a time, which keeps
// those rows' totals in the first-level cache.
__attribute__((target("avx512f,avx512cd"))) void SlicedContributionBlock(const FlatTreesSlices& m,
                                                                         SlicedScratch& scratch, Eigen::Index rows,
                                                                         size_t width, float* contrib) {
  CompareAll(m, scratch);
  uint16_t* const slots = scratch.slots.data();  // tree t's at [kSlicedBlock t, kSlicedBlock (t + 1))
  for (size_t t = 0; t < m.tree_count; ++t) {
    Descend(m, t, scratch);
    for (size_t g = 0; g < kSlicedGroups; ++g) {
      // (maskz: GCC 12's plain _mm512_cvtepi32_epi16 warns about its undefined source)
      const __m256i group = _mm512_maskz_cvtepi32_epi16(0xFFFF, GroupSlots(m.trees[t].depth, scratch, g));
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(slots + kSlicedBlock * t + 16 * g), group);
    }
  }
  constexpr Eigen::Index kRowsAtOnce = 64;
  for (Eigen::Index from = 0; from < rows; from += kRowsAtOnce) {
    const Eigen::Index to = std::min(rows, from + kRowsAtOnce);
    for (size_t t = 0; t < m.tree_count; ++t) {
      const float bias = m.root_mean[t];
      const uint16_t* tree_slots = slots + kSlicedBlock * t;
      const auto first_slot = static_cast<size_t>(m.trees[t].slots);
      for (Eigen::Index r = from; r < to; ++r) {
        float* total = contrib + static_cast<size_t>(r) * width;
        total[width - 1] += bias;
        const size_t slot = first_slot + tree_slots[r];
        const int32_t begin = m.slot_path[slot], end = begin + m.slot_path_count[slot];
        for (int32_t e = begin; e < end; ++e) total[m.path_feature[e]] += m.path_change[e];
      }
    }
  }
}
#endif

// Splits [0, rows) into one contiguous run of whole blocks per thread. Rows are
// independent, so the split never changes a result.
template <class Work>
void ForChunks(Eigen::Index rows, Eigen::Index block, int threads, const Work& work) {
  const Eigen::Index blocks = (rows + block - 1) / block;
  const Eigen::Index n = std::clamp<Eigen::Index>(threads, 1, std::max<Eigen::Index>(blocks, 1));
  const Eigen::Index per = (blocks + n - 1) / n * block;
  std::vector<std::jthread> pool;
  for (Eigen::Index i = 1; i < n; ++i) {
    const Eigen::Index begin = std::min(rows, i * per), end = std::min(rows, (i + 1) * per);
    if (begin < end) pool.emplace_back([&work, begin, end] { work(begin, end); });
  }
  work(0, std::min(rows, per));
}

}  // namespace

void FlatTrees::MarginRange(const Eigen::MatrixXd& x, Eigen::Index begin, Eigen::Index end, double* out) const {
  std::vector<float> buffer(static_cast<size_t>(kBlock) * stride());
  const auto s = static_cast<Eigen::Index>(stride());
  for (Eigen::Index b = begin; b < end; b += kBlock) {
    FillBlock(x, b, end, buffer.data());
    float acc[kBlock];
    std::fill(std::begin(acc), std::end(acc), base_margin_);
    MarginBlockPortable(read_.data(), value_.data(), next_.data(), root_, depth_, buffer.data(), s, acc);
    for (Eigen::Index r = 0; r < kBlock && b + r < end; ++r) out[b + r] = acc[r];
  }
}

bool FlatTrees::UseSliced() const {
#ifdef PARETO_FLAT_TREES_AVX512
  return sliced_ && kernel_ == Kernel::kAuto && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512cd");
#else
  return false;
#endif
}

void FlatTrees::FillSlicedColumns(const Eigen::MatrixXd& x, Eigen::Index begin, Eigen::Index rows, Eigen::Index block,
                                  float* columns) const {
  for (size_t k = 0; k < sliced_columns_.size(); ++k) {
    const Eigen::Index c = sliced_columns_[k];
    const double* from = &x(begin, c);  // column-major: the block's rows are contiguous
    float* to = columns + k * static_cast<size_t>(block);
    const bool indicator = indicator_[static_cast<size_t>(c)];
#ifdef PARETO_FLAT_TREES_AVX512
    FillSlicedColumn(from, rows, indicator, to);
#else
    for (Eigen::Index r = 0; r < rows; ++r) to[r] = SplitValue(from[r], indicator);
#endif
    std::fill(to + rows, to + block, kNaN);  // padding rows; their results are dropped
  }
}

void FlatTrees::SlicedMarginRange(const Eigen::MatrixXd& x, Eigen::Index begin, Eigen::Index end, double* out) const {
#ifdef PARETO_FLAT_TREES_AVX512
  const auto scratch = MakeSlicedScratch(sliced_columns_.size(), test_column_.size(), max_tree_nodes_, 0);
  const FlatTreesSlices slices(*this);
  for (Eigen::Index b = begin; b < end; b += kSlicedBlock) {
    const Eigen::Index rows = std::min(kSlicedBlock, end - b);
    FillSlicedColumns(x, b, rows, kSlicedBlock, scratch->columns.data());
    std::fill(std::begin(scratch->acc), std::end(scratch->acc), base_margin_);
    SlicedMarginBlock(slices, *scratch);
    for (Eigen::Index r = 0; r < rows; ++r) out[b + r] = scratch->acc[r];
  }
#else
  MarginRange(x, begin, end, out);
#endif
}

void FlatTrees::SlicedContributionRange(const Eigen::MatrixXd& x, Eigen::Index begin, Eigen::Index end,
                                        Eigen::MatrixXd& out) const {
#ifdef PARETO_FLAT_TREES_AVX512
  const auto scratch = MakeSlicedScratch(sliced_columns_.size(), test_column_.size(), max_tree_nodes_, root_.size());
  const FlatTreesSlices slices(*this);
  const size_t width = features_ + 1;
  std::vector<float> contrib(static_cast<size_t>(kSlicedBlock) * width);  // the block's rows' totals
  for (Eigen::Index b = begin; b < end; b += kSlicedBlock) {
    const Eigen::Index rows = std::min(kSlicedBlock, end - b);
    FillSlicedColumns(x, b, rows, kSlicedBlock, scratch->columns.data());
    std::fill(contrib.begin(), contrib.end(), 0.0f);
    SlicedContributionBlock(slices, *scratch, rows, width, contrib.data());
    for (Eigen::Index r = 0; r < rows; ++r) {
      float* total = contrib.data() + static_cast<size_t>(r) * width;
      total[features_] += base_margin_;
      for (size_t c = 0; c < width; ++c) out(b + r, static_cast<Eigen::Index>(c)) = total[c];
    }
  }
#else
  ContributionRange(x, begin, end, out);
#endif
}

StatusOr<Eigen::VectorXd> FlatTrees::Margin(const Eigen::MatrixXd& x, int threads) const {
  PARETO_RETURN_IF_ERROR(CheckColumns(x));
  Eigen::VectorXd out(x.rows());
  if (UseSliced()) {
    ForChunks(x.rows(), kSlicedBlock, threads,
              [&](Eigen::Index begin, Eigen::Index end) { SlicedMarginRange(x, begin, end, out.data()); });
  } else {
    ForChunks(x.rows(), kBlock, threads,
              [&](Eigen::Index begin, Eigen::Index end) { MarginRange(x, begin, end, out.data()); });
  }
  return out;
}

StatusOr<Eigen::VectorXd> FlatTrees::PredictProba(const Eigen::MatrixXd& x, int threads) const {
  PARETO_ASSIGN_OR_RETURN(Eigen::VectorXd m, Margin(x, threads));
  for (double& v : m) v = 1.0 / (1.0 + std::exp(-v));
  return m;
}

void FlatTrees::ContributionRange(const Eigen::MatrixXd& x, Eigen::Index begin, Eigen::Index end,
                                  Eigen::MatrixXd& out) const {
  std::vector<float> buffer(static_cast<size_t>(kBlock) * stride());
  const auto n = static_cast<int32_t>(features_);
  const size_t width = features_ + 1;
  // The block's rows' totals, row after row. Trees are the outer loop so each tree
  // is read from memory once per block, not once per row (the whole model does
  // not fit in cache); each row still adds its trees in tree order, so the float
  // results do not change with the loop order.
  std::vector<float> contrib(static_cast<size_t>(kBlock) * width);
  // One tree's path: the features it split on, each with its summed change of the mean.
  std::vector<int32_t> path_feature(max_depth_);
  std::vector<float> path_change(max_depth_);
  for (Eigen::Index b = begin; b < end; b += kBlock) {
    FillBlock(x, b, end, buffer.data());
    const Eigen::Index rows = std::min<Eigen::Index>(kBlock, end - b);
    std::fill(contrib.begin(), contrib.end(), 0.0f);
    for (const int32_t root : root_) {
      for (Eigen::Index r = 0; r < rows; ++r) {
        const float* row = buffer.data() + r * static_cast<Eigen::Index>(stride());
        float* total = contrib.data() + static_cast<size_t>(r) * width;
        int32_t i = root;
        float node_mean = mean_[static_cast<size_t>(i)];
        total[features_] += node_mean;
        size_t steps = 0;
        while (read_[static_cast<size_t>(i)] != n) {
          const int32_t at = read_[static_cast<size_t>(i)];
          const int32_t feature = at > n ? at - n - 1 : at;
          const int32_t child = next_[static_cast<size_t>(i)] + (row[at] < value_[static_cast<size_t>(i)] ? 0 : 1);
          const float child_mean = mean_[static_cast<size_t>(child)];
          const float change = child_mean - node_mean;
          // XGBoost sums a tree's changes per feature first, then adds that sum to
          // the row's total: the same float rounding needs the same grouping.
          size_t k = 0;
          while (k < steps && path_feature[k] != feature) ++k;
          if (k == steps) {
            path_feature[steps] = feature;
            path_change[steps++] = change;
          } else {
            path_change[k] += change;
          }
          node_mean = child_mean;
          i = child;
        }
        for (size_t k = 0; k < steps; ++k) total[static_cast<size_t>(path_feature[k])] += path_change[k];
      }
    }
    for (Eigen::Index r = 0; r < rows; ++r) {
      float* total = contrib.data() + static_cast<size_t>(r) * width;
      total[features_] += base_margin_;
      for (size_t c = 0; c < width; ++c) out(b + r, static_cast<Eigen::Index>(c)) = total[c];
    }
  }
}

StatusOr<Eigen::MatrixXd> FlatTrees::ApproxContributions(const Eigen::MatrixXd& x, int threads) const {
  PARETO_RETURN_IF_ERROR(CheckColumns(x));
  Eigen::MatrixXd out(x.rows(), static_cast<Eigen::Index>(features_) + 1);
  if (UseSliced()) {
    ForChunks(x.rows(), kSlicedBlock, threads,
              [&](Eigen::Index begin, Eigen::Index end) { SlicedContributionRange(x, begin, end, out); });
  } else {
    ForChunks(x.rows(), kBlock, threads,
              [&](Eigen::Index begin, Eigen::Index end) { ContributionRange(x, begin, end, out); });
  }
  return out;
}

}  // namespace pareto::ml
