#include "ml/models/flat_trees.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <map>
#include <string>
#include <thread>
#include <utility>

#include <nlohmann/json.hpp>

namespace pareto::ml {
namespace {

// Numbers parsed straight to float (strtof): XGBoost writes each float in its
// shortest round-trip form, so thresholds and leaf values come back bit for bit,
// with no double rounding on the way.
using Json = nlohmann::basic_json<std::map, std::vector, std::string, bool, std::int64_t, std::uint64_t, float>;

constexpr Eigen::Index kBlock = 64;  // rows walked together per tree
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

// Element (row, column) of x as a split reads it: a float, NaN when missing. The
// missing rule is decided on the double, as MakeMatrix in tree_models.cc does.
float SplitValue(double d, bool indicator) {
  return std::isnan(d) || (indicator && d == 0.0) ? kNaN : static_cast<float>(d);
}

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
  // Appends `t` breadth first. A node's children are pushed together, so they get
  // adjacent numbers; for a default-left split they are pushed right first, and the
  // split reads the negated value against -pred(threshold):
  //   second child (left)  iff  !(-v < -pred(t))  iff  !(v >= t)  iff  v < t or v is NaN,
  // so every node of every tree takes its second child iff !(read < value): one
  // comparison, and NaN always goes second, i.e. to the default child.
  static Status AddTree(FlatTrees& f, const JsonTree& t, size_t index) {
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
    return OkStatus();
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
    for (size_t i = 0; i < trees.size(); ++i) {
      PARETO_ASSIGN_OR_RETURN(const JsonTree t, ReadTree(trees[i], i));
      PARETO_RETURN_IF_ERROR(AddTree(f, t, i));
    }
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

StatusOr<Eigen::VectorXd> FlatTrees::Margin(const Eigen::MatrixXd& x, int threads) const {
  PARETO_RETURN_IF_ERROR(CheckColumns(x));
  Eigen::VectorXd out(x.rows());
  ForChunks(x.rows(), kBlock, threads,
            [&](Eigen::Index begin, Eigen::Index end) { MarginRange(x, begin, end, out.data()); });
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
  ForChunks(x.rows(), kBlock, threads,
            [&](Eigen::Index begin, Eigen::Index end) { ContributionRange(x, begin, end, out); });
  return out;
}

}  // namespace pareto::ml
