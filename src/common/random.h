// pareto's one pseudo-random generator: the synthetic data (generate/) and every
// random choice of ML (splits, folds, bootstrap resamples, driver samples) draw
// from it, so the same seed gives the same bytes and the same figures on every
// platform and standard library. <random>'s distributions are not used: they are
// implementation-defined, so one seed would give different results elsewhere.
//
// Engine: xoshiro256** seeded through SplitMix64 (Blackman & Vigna). Samplers use
// only IEEE arithmetic and libm's log/exp/sqrt/cos (identical results on one libm).
//
// Two integer draws, because both streams are fixed by what they already produced
// (generated files, published ML figures): Below() maps one draw by multiply-shift
// (bias below n/2^64, always one draw: the generator's choice); UnbiasedBelow()
// rejects the top partial block (exactly uniform: ML's shuffles and resamples).
//
// Thread safety: an Rng is a plain value; use one per thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>

namespace pareto {

// One step of SplitMix64: advances `state` and returns a well-mixed word. Also
// what derives independent seeds (see generate/streams.h).
inline uint64_t SplitMix64(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

class Rng {
 public:
  explicit Rng(uint64_t seed) {
    for (uint64_t& word : s_) word = SplitMix64(seed);
  }

  uint64_t Next() {
    const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }

  // Uniform in [0, 1) with 53 random bits.
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  double Uniform(double lo, double hi) { return lo + (hi - lo) * Uniform(); }
  // Uniform integer in [0, n); n > 0. Lemire's multiply-shift: one draw, bias < n/2^64.
  uint64_t Below(uint64_t n) {
    __extension__ using U128 = unsigned __int128;
    return static_cast<uint64_t>((static_cast<U128>(Next()) * n) >> 64);
  }
  // Uniform integer in [0, n); n > 0, exactly: draws again while in the top partial block.
  uint64_t UnbiasedBelow(uint64_t n);
  int64_t Between(int64_t lo, int64_t hi) {  // inclusive, by Below
    return lo + static_cast<int64_t>(Below(static_cast<uint64_t>(hi - lo + 1)));
  }
  bool Bernoulli(double p) { return Uniform() < p; }

  // Standard normal by Box-Muller (one value per call; the pair's twin is dropped
  // so that the number of draws per call is fixed).
  double Normal();
  double Normal(double mean, double sd) { return mean + sd * Normal(); }
  // Lognormal with the given median and log-scale sigma.
  double LogNormal(double median, double sigma);
  double Exponential(double mean);
  // Gamma(shape, rate) by Marsaglia & Tsang (2000); shape < 1 by the boost
  // Gamma(shape) = Gamma(shape + 1) * U^(1/shape). Mean shape / rate.
  double Gamma(double shape, double rate);
  // Beta(a, b) as X / (X + Y) with X ~ Gamma(a, 1) drawn first, Y ~ Gamma(b, 1).
  double Beta(double a, double b);
  // Number of failures before the first success, success probability p.
  int Geometric(double p);
  // Index drawn with probability proportional to weights (linear scan: small tables).
  size_t Categorical(std::span<const double> weights);
  // Rank in [0, n) with P(rank) ~ 1/(rank+1) (continuous Zipf, exponent 1).
  uint64_t ZipfRank(uint64_t n);

  // Fisher–Yates shuffle of `values` in place, by UnbiasedBelow.
  template <class T>
  void Shuffle(std::span<T> values) {
    for (size_t i = values.size(); i > 1; --i) {
      const auto j = static_cast<size_t>(UnbiasedBelow(i));
      std::swap(values[i - 1], values[j]);
    }
  }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
};

}  // namespace pareto
