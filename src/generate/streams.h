// How the generator derives its random streams from pareto's one Rng
// (common/random.h), and the ids it makes from them.
//
// Streams are derived, not shared: StreamFor(seed, kind, index) gives an
// independent generator for one entity (a person, an order, a product), so an
// entity's values do not depend on how many numbers earlier entities drew.
// That is what lets incremental drops re-create person i without storing it.
//
// Thread safety: plain values and pure functions; one Rng per thread.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "common/random.h"

namespace pareto::generate {

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

// The stream of entity `index` of `kind`.
inline Rng StreamFor(uint64_t seed, Kind kind, uint64_t index) {
  return Rng(Mix(seed, static_cast<uint64_t>(kind), index));
}

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
