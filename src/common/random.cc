#include "common/random.h"

#include <cmath>

namespace pareto {

uint64_t Rng::UnbiasedBelow(uint64_t n) {
  // Reject the top partial block so every residue is equally likely.
  const uint64_t limit = UINT64_MAX - UINT64_MAX % n;
  uint64_t x;
  do {
    x = Next();
  } while (x >= limit);
  return x % n;
}

double Rng::Normal() {
  double u1 = Uniform();
  if (u1 < 1e-300) u1 = 1e-300;
  const double u2 = Uniform();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
}

double Rng::LogNormal(double median, double sigma) { return median * std::exp(sigma * Normal()); }

double Rng::Exponential(double mean) { return -mean * std::log(1.0 - Uniform()); }

double Rng::Gamma(double shape, double rate) {
  if (shape < 1) {
    const double boosted = Gamma(shape + 1, rate);
    return boosted * std::pow(Uniform(), 1 / shape);
  }
  const double d = shape - 1.0 / 3, c = 1 / std::sqrt(9 * d);
  for (;;) {
    double z = 0, v = 0;
    do {
      z = Normal();
      v = 1 + c * z;
    } while (v <= 0);
    v = v * v * v;
    if (std::log(Uniform()) < 0.5 * z * z + d - d * v + d * std::log(v)) return d * v / rate;
  }
}

double Rng::Beta(double a, double b) {
  const double x = Gamma(a, 1);
  const double y = Gamma(b, 1);
  return x / (x + y);
}

int Rng::Geometric(double p) {
  if (p >= 1.0) return 0;
  return static_cast<int>(std::floor(std::log(1.0 - Uniform()) / std::log(1.0 - p)));
}

size_t Rng::Categorical(std::span<const double> weights) {
  double total = 0;
  for (double w : weights) total += w;
  double x = Uniform() * total;
  for (size_t i = 0; i < weights.size(); ++i) {
    if (x < weights[i]) return i;
    x -= weights[i];
  }
  return weights.size() - 1;
}

uint64_t Rng::ZipfRank(uint64_t n) {
  const double r = std::exp(Uniform() * std::log(static_cast<double>(n) + 1.0)) - 1.0;
  const auto k = static_cast<uint64_t>(r);
  return k < n ? k : n - 1;
}

}  // namespace pareto
