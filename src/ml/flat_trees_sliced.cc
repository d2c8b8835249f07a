// The bit-sliced scoring of FlatTrees (see SlicedTree in flat_trees.h): the kernels
// (AVX-512, and AVX2 for x86-64 CPUs without it) and the block loops that run them.
#include <algorithm>
#include <cstdint>
#include <memory>
#include <vector>

#include "ml/flat_trees.h"
#include "ml/flat_trees_internal.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define PARETO_FLAT_TREES_X86 1
#endif

namespace pareto::ml {

using flat_trees_internal::kNaN;
using flat_trees_internal::kSlicedBlock;
using flat_trees_internal::SplitValue;

// The bit-sliced ensemble as the kernels read it (a friend: the layout is
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
        root_mean(f.root_mean_.data()),
        columns(f.sliced_columns_),
        indicator(f.indicator_),
        base_margin(f.base_margin_),
        max_tree_nodes(f.max_tree_nodes_),
        features(f.features_) {}
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
  const std::vector<int32_t>& columns;  // sliced_columns_
  const std::vector<bool>& indicator;
  float base_margin;
  int32_t max_tree_nodes;
  size_t features;
};

namespace {

#ifdef PARETO_FLAT_TREES_X86
// Rows of a sliced block, a bit each: 512 bits, one AVX-512 vector or two AVX2 ones.
// Bit r is row r: group[g] holds rows 16 g to 16 g + 15, its byte b rows 8 b to 8 b + 7.
constexpr size_t kSlicedGroups = kSlicedBlock / 16;  // of sixteen rows (AVX-512 float lanes)
struct alignas(64) RowSet {
  uint16_t group[kSlicedGroups];
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

// ---- AVX-512: sixteen rows to a float vector, a row set in one vector.
namespace avx512 {

// Through the masked form with a zeroed source: GCC 12's plain _mm512_i32gather_ps
// leaves its source undefined and warns about it.
__attribute__((target("avx512f,avx512cd"))) inline __m512 GatherFloats(__m512i index, const float* base) {
  return _mm512_mask_i32gather_ps(_mm512_setzero_ps(), static_cast<__mmask16>(0xFFFF), index, base, 4);
}

// SplitValue over the first `rows` rows of one column of a sliced block, eight rows
// to a vector.
__attribute__((target("avx512f,avx512cd"))) void Fill(const double* from, Eigen::Index rows,
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
__attribute__((target("avx512f,avx512cd"))) void Compare(const FlatTreesSlices& m, SlicedScratch& scratch) {
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

// Margins, per tree after Descend: scratch.acc[r] += the row's leaf value.
__attribute__((target("avx512f,avx512cd"))) void AddLeaves(const FlatTreesSlices& m, size_t t,
                                                               SlicedScratch& scratch) {
  const auto& tree = m.trees[t];
  const float* table = m.slot_value + tree.slots;
  const __m512 t0 = _mm512_loadu_ps(table), t1 = _mm512_loadu_ps(table + 16);
  const __m512 t2 = _mm512_loadu_ps(table + 32), t3 = _mm512_loadu_ps(table + 48);
  const __m512i thirty_two = _mm512_set1_epi32(32);
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

// Contributions, per tree after Descend: each row's slot into `slots`.
__attribute__((target("avx512f,avx512cd"))) void Slots(const FlatTreesSlices& m, size_t t,
                                                            const SlicedScratch& scratch, uint16_t* slots) {
  for (size_t g = 0; g < kSlicedGroups; ++g) {
    // (maskz: GCC 12's plain _mm512_cvtepi32_epi16 warns about its undefined source)
    const __m256i group = _mm512_maskz_cvtepi32_epi16(0xFFFF, GroupSlots(m.trees[t].depth, scratch, g));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(slots + 16 * g), group);
  }
}

}  // namespace avx512

// ---- AVX2: eight rows to a vector, for x86-64 CPUs without AVX-512.
namespace avx2 {

__attribute__((target("avx2"))) void Fill(const double* from, Eigen::Index rows, bool indicator, float* to) {
  const __m256d zero = _mm256_setzero_pd();
  const __m256d nan = _mm256_set1_pd(std::numeric_limits<double>::quiet_NaN());
  Eigen::Index r = 0;
  for (; r + 4 <= rows; r += 4) {
    const __m256d d = _mm256_loadu_pd(from + r);
    __m256d missing = _mm256_cmp_pd(d, d, _CMP_UNORD_Q);
    if (indicator) missing = _mm256_or_pd(missing, _mm256_cmp_pd(d, zero, _CMP_EQ_OQ));
    _mm_storeu_ps(to + r, _mm256_cvtpd_ps(_mm256_blendv_pd(d, nan, missing)));
  }
  for (; r < rows; ++r) to[r] = SplitValue(from[r], indicator);
}

// As avx512::Compare, a byte of the row set (eight rows) per comparison.
__attribute__((target("avx2"))) void Compare(const FlatTreesSlices& m, SlicedScratch& scratch) {
  for (size_t j = 0; j < m.tests; ++j) {
    const __m256 threshold = _mm256_set1_ps(m.test_value[j]);
    const float* column = scratch.columns.data() + static_cast<ptrdiff_t>(m.test_column[j]) * kSlicedBlock;
    auto* bytes = reinterpret_cast<uint8_t*>(&scratch.masks[j]);  // byte b: rows 8 b to 8 b + 7
    const bool default_left = j >= m.first_default_left_test;
    for (size_t b = 0; b < kSlicedBlock / 8; ++b) {
      const __m256 v = _mm256_loadu_ps(column + 8 * b);
      const __m256 second = default_left ? _mm256_cmp_ps(v, threshold, _CMP_NGE_UQ) : _mm256_cmp_ps(v, threshold, _CMP_NLT_UQ);
      bytes[b] = static_cast<uint8_t>(_mm256_movemask_ps(second));
    }
  }
}

__attribute__((target("avx2"))) void Descend(const FlatTreesSlices& m, size_t t, SlicedScratch& scratch) {
  const auto& tree = m.trees[t];
  auto* const rows = reinterpret_cast<__m256i*>(scratch.rows.data());  // two vectors a row set
  const auto* const masks = reinterpret_cast<const __m256i*>(scratch.masks.data());
  auto* const second_rows = reinterpret_cast<__m256i*>(scratch.second);
  rows[0] = rows[1] = _mm256_set1_epi32(-1);
  const int32_t* level = m.levels + tree.levels;
  for (int32_t d = 0; d < tree.depth; ++d) {
    __m256i second[2] = {_mm256_setzero_si256(), _mm256_setzero_si256()};
    for (int32_t k = level[d]; k < level[d + 1]; ++k) {
      const auto node = m.nodes[k];
      for (int h = 0; h < 2; ++h) {
        const __m256i here = _mm256_load_si256(&rows[2 * node.self + h]);
        const __m256i mask = _mm256_load_si256(&masks[2 * node.test + h]);
        const __m256i to_second = _mm256_and_si256(here, mask);
        _mm256_store_si256(&rows[2 * node.first + h], _mm256_andnot_si256(mask, here));
        _mm256_store_si256(&rows[2 * (node.first + 1) + h], to_second);
        second[h] = _mm256_or_si256(second[h], to_second);
      }
    }
    _mm256_store_si256(&second_rows[2 * d], second[0]);
    _mm256_store_si256(&second_rows[2 * d + 1], second[1]);
  }
}

// kLaneBits[byte]: the byte's eight bits as eight 0/1 lanes.
struct LaneBits {
  alignas(32) int32_t lanes[256][8];
  constexpr LaneBits() : lanes{} {
    for (int byte = 0; byte < 256; ++byte) {
      for (int i = 0; i < 8; ++i) lanes[byte][i] = (byte >> i) & 1;
    }
  }
};
constexpr LaneBits kLaneBits;

// The slots of rows 8 b to 8 b + 7 after Descend (see avx512::GroupSlots), level by
// level: slot = 2 slot + (sent second at this level).
__attribute__((target("avx2"), always_inline)) inline __m256i EightSlots(int32_t depth, const SlicedScratch& scratch,
                                                                        size_t b) {
  __m256i slot = _mm256_setzero_si256();
  for (int32_t d = 0; d < depth; ++d) {
    const uint8_t rows = reinterpret_cast<const uint8_t*>(&scratch.second[d])[b];
    const __m256i sent = _mm256_load_si256(reinterpret_cast<const __m256i*>(kLaneBits.lanes[rows]));
    slot = _mm256_add_epi32(_mm256_slli_epi32(slot, 1), sent);
  }
  return slot;
}

__attribute__((target("avx2"))) void AddLeaves(const FlatTreesSlices& m, size_t t, SlicedScratch& scratch) {
  const auto& tree = m.trees[t];
  const float* table = m.slot_value + tree.slots;
  const __m256 all = _mm256_castsi256_ps(_mm256_set1_epi32(-1));
  for (size_t b = 0; b < kSlicedBlock / 8; ++b) {
    // (masked gather with a zeroed source: GCC 12's plain gather warns about its undefined one)
    const __m256 leaf = _mm256_mask_i32gather_ps(_mm256_setzero_ps(), table, EightSlots(tree.depth, scratch, b), all, 4);
    float* acc = scratch.acc + 8 * b;
    _mm256_storeu_ps(acc, _mm256_add_ps(_mm256_loadu_ps(acc), leaf));
  }
}

__attribute__((target("avx2"))) void Slots(const FlatTreesSlices& m, size_t t, const SlicedScratch& scratch,
                                           uint16_t* out) {
  alignas(32) int32_t eight[8];
  for (size_t b = 0; b < kSlicedBlock / 8; ++b) {
    _mm256_store_si256(reinterpret_cast<__m256i*>(eight), EightSlots(m.trees[t].depth, scratch, b));
    for (size_t i = 0; i < 8; ++i) out[8 * b + i] = static_cast<uint16_t>(eight[i]);
  }
}

}  // namespace avx2

// ---- Blocks, whatever the instruction set.

// One instruction set's steps of the bit-sliced scoring.
struct SlicedKernel {
  void (*fill)(const double* from, Eigen::Index rows, bool indicator, float* to);
  void (*compare)(const FlatTreesSlices& m, SlicedScratch& scratch);
  void (*descend)(const FlatTreesSlices& m, size_t t, SlicedScratch& scratch);
  void (*add_leaves)(const FlatTreesSlices& m, size_t t, SlicedScratch& scratch);
  void (*slots)(const FlatTreesSlices& m, size_t t, const SlicedScratch& scratch, uint16_t* out);
};
constexpr SlicedKernel kAvx512Kernel{avx512::Fill, avx512::Compare, avx512::Descend, avx512::AddLeaves,
                                     avx512::Slots};
constexpr SlicedKernel kAvx2Kernel{avx2::Fill, avx2::Compare, avx2::Descend, avx2::AddLeaves, avx2::Slots};

// Margins: every tree on one block whose columns are filled; scratch.acc[r] +=
// leaf value, tree by tree.
void SlicedMarginBlock(const SlicedKernel& k, const FlatTreesSlices& m, SlicedScratch& scratch) {
  k.compare(m, scratch);
  for (size_t t = 0; t < m.tree_count; ++t) {
    k.descend(m, t, scratch);
    k.add_leaves(m, t, scratch);
  }
}

// Saabas contributions: every tree on one block whose columns are filled; each of
// the first `rows` rows adds its leaf's path summary (see slot_path_) to its totals
// in `contrib` (`width` floats a row, the bias last), tree by tree. The slots of all
// trees come first, so the totals are then added 64 rows at a time, which keeps
// those rows' totals in the first-level cache.
void SlicedContributionBlock(const SlicedKernel& k, const FlatTreesSlices& m, SlicedScratch& scratch,
                             Eigen::Index rows, size_t width, float* contrib) {
  k.compare(m, scratch);
  uint16_t* const slots = scratch.slots.data();  // tree t's at [kSlicedBlock t, kSlicedBlock (t + 1))
  for (size_t t = 0; t < m.tree_count; ++t) {
    k.descend(m, t, scratch);
    k.slots(m, t, scratch, slots + kSlicedBlock * t);
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

// The columns splits read, rows [begin, begin + rows) of x, kSlicedBlock floats a
// column (NaN past `rows`: padding rows, whose results are dropped).
void FillColumns(const SlicedKernel& k, const FlatTreesSlices& m, const Eigen::MatrixXd& x, Eigen::Index begin,
                 Eigen::Index rows, float* columns) {
  for (size_t i = 0; i < m.columns.size(); ++i) {
    const Eigen::Index c = m.columns[i];
    float* to = columns + i * static_cast<size_t>(kSlicedBlock);
    k.fill(&x(begin, c), rows, m.indicator[static_cast<size_t>(c)], to);  // column-major: rows contiguous
    std::fill(to + rows, to + kSlicedBlock, kNaN);
  }
}

void SlicedMargins(const SlicedKernel& k, const FlatTreesSlices& m, const Eigen::MatrixXd& x, Eigen::Index begin,
                   Eigen::Index end, double* out) {
  const auto scratch = MakeSlicedScratch(m.columns.size(), m.tests, m.max_tree_nodes, 0);
  for (Eigen::Index b = begin; b < end; b += kSlicedBlock) {
    const Eigen::Index rows = std::min(kSlicedBlock, end - b);
    FillColumns(k, m, x, b, rows, scratch->columns.data());
    std::fill(std::begin(scratch->acc), std::end(scratch->acc), m.base_margin);
    SlicedMarginBlock(k, m, *scratch);
    for (Eigen::Index r = 0; r < rows; ++r) out[b + r] = scratch->acc[r];
  }
}

void SlicedContributions(const SlicedKernel& k, const FlatTreesSlices& m, const Eigen::MatrixXd& x,
                         Eigen::Index begin, Eigen::Index end, Eigen::MatrixXd& out) {
  const auto scratch = MakeSlicedScratch(m.columns.size(), m.tests, m.max_tree_nodes, m.tree_count);
  const size_t width = m.features + 1;
  std::vector<float> contrib(static_cast<size_t>(kSlicedBlock) * width);  // the block's rows' totals
  for (Eigen::Index b = begin; b < end; b += kSlicedBlock) {
    const Eigen::Index rows = std::min(kSlicedBlock, end - b);
    FillColumns(k, m, x, b, rows, scratch->columns.data());
    std::fill(contrib.begin(), contrib.end(), 0.0f);
    SlicedContributionBlock(k, m, *scratch, rows, width, contrib.data());
    for (Eigen::Index r = 0; r < rows; ++r) {
      float* total = contrib.data() + static_cast<size_t>(r) * width;
      total[width - 1] += m.base_margin;
      for (size_t c = 0; c < width; ++c) out(b + r, static_cast<Eigen::Index>(c)) = total[c];
    }
  }
}
#endif

}  // namespace

FlatTrees::SlicedIsa FlatTrees::Sliced() const {
#ifdef PARETO_FLAT_TREES_X86
  if (!sliced_ || kernel_ == Kernel::kPortable) return SlicedIsa::kNone;
  if (kernel_ == Kernel::kAuto && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512cd")) {
    return SlicedIsa::kAvx512;
  }
  if (__builtin_cpu_supports("avx2")) return SlicedIsa::kAvx2;
#endif
  return SlicedIsa::kNone;
}

void FlatTrees::SlicedMarginRange(const Eigen::MatrixXd& x, Eigen::Index begin, Eigen::Index end, double* out) const {
#ifdef PARETO_FLAT_TREES_X86
  const FlatTreesSlices slices(*this);
  switch (Sliced()) {
    case SlicedIsa::kAvx512: return SlicedMargins(kAvx512Kernel, slices, x, begin, end, out);
    case SlicedIsa::kAvx2: return SlicedMargins(kAvx2Kernel, slices, x, begin, end, out);
    case SlicedIsa::kNone: break;
  }
#endif
  MarginRange(x, begin, end, out);
}

void FlatTrees::SlicedContributionRange(const Eigen::MatrixXd& x, Eigen::Index begin, Eigen::Index end,
                                        Eigen::MatrixXd& out) const {
#ifdef PARETO_FLAT_TREES_X86
  const FlatTreesSlices slices(*this);
  switch (Sliced()) {
    case SlicedIsa::kAvx512: return SlicedContributions(kAvx512Kernel, slices, x, begin, end, out);
    case SlicedIsa::kAvx2: return SlicedContributions(kAvx2Kernel, slices, x, begin, end, out);
    case SlicedIsa::kNone: break;
  }
#endif
  ContributionRange(x, begin, end, out);
}

}  // namespace pareto::ml
