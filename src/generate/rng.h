// The generator's own pseudo-random numbers and samplers.
//
// Every value pareto generates comes from here, never from <random>'s
// distributions: those are implementation-defined, so the same seed would give
// different files on another standard library. The engine is xoshiro256**
// seeded through splitmix64; samplers use only IEEE arithmetic and libm's
// log/exp/sqrt/cos (identical results on one libm).
//
// Streams are derived, not shared: StreamFor(seed, kind, index) gives an
// independent generator for one entity (a person, an order, a product), so an
// entity's values do not depend on how many numbers earlier entities drew.
// That is what lets incremental drops re-create person i without storing it.
//
// Thread safety: plain values; one Rng per thread.
#pragma once

#include <cmath>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace pareto::generate {

inline uint64_t SplitMix64(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

// A 64-bit mix of up to three words; used to name streams and ids.
inline uint64_t Mix(uint64_t a, uint64_t b, uint64_t c = 0) {
  uint64_t s = a * 0x9E3779B97F4A7C15ULL ^ (b + 0x632BE59BD9B4E019ULL);
  uint64_t x = SplitMix64(s);
  s ^= c * 0xD1B54A32D192ED03ULL;
  return x ^ SplitMix64(s);
}

// What a stream belongs to; part of every stream's and id's derivation.
enum class Kind : uint64_t {
  kGeo = 1,
  kProduct,
  kSeller,
  kPerson,
  kOrder,
  kCustomer,
  kReview,
  kDirty,
  kQuote,
  kMonth,
};

class Rng {
 public:
  explicit Rng(uint64_t seed) {
    for (auto& w : s_) w = SplitMix64(seed);
  }
  static Rng StreamFor(uint64_t seed, Kind kind, uint64_t index) {
    return Rng(Mix(seed, static_cast<uint64_t>(kind), index));
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
  // Uniform integer in [0, n); n > 0. Lemire's multiply-shift (bias < 2^-64·n).
  uint64_t Below(uint64_t n) {
    __extension__ using U128 = unsigned __int128;
    return static_cast<uint64_t>((static_cast<U128>(Next()) * n) >> 64);
  }
  int64_t Between(int64_t lo, int64_t hi) {  // inclusive
    return lo + static_cast<int64_t>(Below(static_cast<uint64_t>(hi - lo + 1)));
  }
  bool Bernoulli(double p) { return Uniform() < p; }

  // Standard normal by Box-Muller (one value per call; the pair's twin is dropped
  // so that the number of draws per call is fixed).
  double Normal() {
    double u1 = Uniform();
    if (u1 < 1e-300) u1 = 1e-300;
    const double u2 = Uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }
  double Normal(double mean, double sd) { return mean + sd * Normal(); }
  // Lognormal with the given median and log-scale sigma.
  double LogNormal(double median, double sigma) { return median * std::exp(sigma * Normal()); }
  double Exponential(double mean) { return -mean * std::log(1.0 - Uniform()); }
  // Number of failures before the first success, success probability p.
  int Geometric(double p) {
    if (p >= 1.0) return 0;
    return static_cast<int>(std::floor(std::log(1.0 - Uniform()) / std::log(1.0 - p)));
  }
  // Index drawn with probability proportional to weights (linear scan: small tables).
  size_t Categorical(std::span<const double> weights) {
    double total = 0;
    for (double w : weights) total += w;
    double x = Uniform() * total;
    for (size_t i = 0; i < weights.size(); ++i) {
      if (x < weights[i]) return i;
      x -= weights[i];
    }
    return weights.size() - 1;
  }
  // Rank in [0, n) with P(rank) ~ 1/(rank+1) (continuous Zipf, exponent 1).
  uint64_t ZipfRank(uint64_t n) {
    const double r = std::exp(Uniform() * std::log(static_cast<double>(n) + 1.0)) - 1.0;
    const auto k = static_cast<uint64_t>(r);
    return k < n ? k : n - 1;
  }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
};

// A 32-character lowercase hex id, a pure function of (seed, kind, index, salt).
std::string HexId(uint64_t seed, Kind kind, uint64_t index, uint64_t salt = 0);

// Cumulative weights for O(log n) sampling from a large fixed table.
class CumulativeSampler {
 public:
  CumulativeSampler() = default;
  explicit CumulativeSampler(std::span<const double> weights);
  size_t Sample(Rng& rng) const;
  size_t size() const { return cumulative_.size(); }

 private:
  std::vector<double> cumulative_;
};

}  // namespace pareto::generate
