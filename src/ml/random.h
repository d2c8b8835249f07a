// A small seeded PRNG owned by pareto, so that splits, folds and bootstrap
// resamples are the same on every platform and library version (std::
// distributions are not specified bit for bit across standard libraries).
//
// Generator: xoshiro256** seeded through SplitMix64 (Blackman & Vigna).
// Thread safety: a Rng is a plain value; use one per thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace pareto::ml {

class Rng {
 public:
  explicit Rng(uint64_t seed);

  uint64_t Next();
  // Uniform in [0, 1) with 53 random bits.
  double Uniform();
  // Uniform integer in [0, n); n > 0. Unbiased (rejection sampling).
  uint64_t Below(uint64_t n);

  // Fisher–Yates shuffle of `values` in place.
  template <class T>
  void Shuffle(std::span<T> values) {
    for (size_t i = values.size(); i > 1; --i) {
      size_t j = static_cast<size_t>(Below(i));
      std::swap(values[i - 1], values[j]);
    }
  }

 private:
  uint64_t s_[4];
};

}  // namespace pareto::ml
