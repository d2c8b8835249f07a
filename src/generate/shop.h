// The shop every generated order refers to: its geography (zip prefixes with
// towns and coordinates), its sellers and its product catalog. They live in
// memory while orders stream; their size grows with the square root of the scale
// (a shop's catalog and seller base grow slower than its orders), geography is
// fixed.
//
// All are pure functions of (seed, scale): incremental drops rebuild the same
// shop instead of reading it back. Thread safety: immutable once built.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "generate/streams.h"

namespace pareto::generate {

struct ZipPrefix {
  int zip = 0;         // five digits, written zero-padded
  uint16_t state = 0;  // index into States()
  bool capital = false;
  uint32_t town = 0;   // town key; capital prefixes use the state's capital
  double lat = 0, lng = 0;
};

struct Geography {
  std::vector<ZipPrefix> prefixes;              // ascending zip
  std::vector<std::vector<uint32_t>> by_state;  // prefix indices, capital block first
  std::vector<uint32_t> capital_count;          // per state: length of that capital block

  std::string Town(const ZipPrefix& p, bool accented) const;
  // A prefix of the state, capital-heavy, popular prefixes first (Zipf).
  uint32_t PickPrefix(Rng& rng, size_t state) const;
};

struct Seller {
  std::string id;
  uint32_t prefix = 0;  // index into Geography::prefixes
};

struct Product {
  std::string id;
  uint16_t category = 0;  // index into Categories()
  uint32_t seller = 0;
  int64_t price_cents = 0;
  int weight_g = 0;
  int length_cm = 0, height_cm = 0, width_cm = 0;
  int name_len = 0, desc_len = 0, photos = 0;
  bool no_dimensions = false;  // the real catalog has two such products
};

// Geography, sellers and products of one generation.
struct Shop {
  Geography geo;
  std::vector<Seller> sellers;
  std::vector<Product> products;
  std::vector<std::vector<uint32_t>> by_category;  // product indices per category
  std::vector<double> category_weight;             // base popularity (product counts)
};

// Sizes at a scale: products 32,951 and sellers 3,095 at scale 1, times sqrt(scale).
uint64_t ProductCount(double scale);
uint64_t SellerCount(double scale);

Shop BuildShop(uint64_t seed, double scale);

}  // namespace pareto::generate
