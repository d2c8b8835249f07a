#include "generate/streams.h"

#include <algorithm>

namespace pareto::generate {

std::string HexId(uint64_t seed, Kind kind, uint64_t index, uint64_t salt) {
  static constexpr char kHex[] = "0123456789abcdef";
  const uint64_t hi = Mix(seed ^ salt, static_cast<uint64_t>(kind) * 2 + 0, index);
  const uint64_t lo = Mix(seed ^ salt, static_cast<uint64_t>(kind) * 2 + 1, index);
  std::string out(32, '0');
  for (int i = 0; i < 16; ++i) {
    out[i] = kHex[(hi >> (60 - 4 * i)) & 0xF];
    out[16 + i] = kHex[(lo >> (60 - 4 * i)) & 0xF];
  }
  return out;
}

CumulativeSampler::CumulativeSampler(std::span<const double> weights) {
  cumulative_.reserve(weights.size());
  double total = 0;
  for (double w : weights) cumulative_.push_back(total += w);
}

size_t CumulativeSampler::Sample(Rng& rng) const {
  const double x = rng.Uniform() * cumulative_.back();
  auto it = std::upper_bound(cumulative_.begin(), cumulative_.end(), x);
  return std::min<size_t>(static_cast<size_t>(it - cumulative_.begin()), cumulative_.size() - 1);
}

}  // namespace pareto::generate
