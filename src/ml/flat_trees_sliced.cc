// The bit-sliced scoring of FlatTrees (see SlicedTree in flat_trees.h): the
// AVX-512 kernels and the members that run them block by block.
#include <algorithm>
#include <cstdint>
#include <memory>
#include <vector>

#include "ml/flat_trees.h"
#include "ml/flat_trees_internal.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define PARETO_FLAT_TREES_AVX512 1
#endif

namespace pareto::ml {

using flat_trees_internal::kNaN;
using flat_trees_internal::kSlicedBlock;
using flat_trees_internal::SplitValue;

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

}  // namespace

// Without the AVX-512 kernels (not x86-64 GCC/Clang) UseSliced is false, and the
// #else branches below only keep the build whole.
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

}  // namespace pareto::ml
