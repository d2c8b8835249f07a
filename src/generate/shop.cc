#include "generate/shop.h"

#include <algorithm>
#include <cmath>

#include "generate/tables.h"

namespace pareto::generate {
namespace {

constexpr double kPrefixDensity = 0.145;  // share of a state's zip range in use (~20k prefixes)
constexpr double kCapitalShare = 0.12;    // the first part of a state's range is its capital
constexpr double kCapitalDensity = 0.6;

double Unit(uint64_t seed, Kind kind, uint64_t index) {
  return static_cast<double>(Mix(seed, static_cast<uint64_t>(kind), index) >> 11) * 0x1.0p-53;
}

// Rounds a price the way shops do: mostly ...,90 or ...,99 endings.
int64_t ShopPrice(Rng& rng, double price) {
  price = std::clamp(price, 0.85, 6735.0);
  const double u = rng.Uniform();
  if (price >= 10 && u < 0.45) return static_cast<int64_t>(std::floor(price)) * 100 + 90;
  if (price >= 10 && u < 0.70) return static_cast<int64_t>(std::floor(price)) * 100 + 99;
  if (price >= 10 && u < 0.80) return static_cast<int64_t>(std::round(price)) * 100;
  return static_cast<int64_t>(std::llround(price * 100));
}

}  // namespace

uint64_t ProductCount(double scale) {
  return std::max<uint64_t>(200, static_cast<uint64_t>(std::llround(32951.0 * std::sqrt(scale))));
}
uint64_t SellerCount(double scale) {
  return std::max<uint64_t>(20, static_cast<uint64_t>(std::llround(3095.0 * std::sqrt(scale))));
}

std::string Geography::Town(const ZipPrefix& p, bool accented) const {
  const State& st = States()[p.state];
  if (p.capital) return std::string(accented ? st.capital_accented : st.capital);
  const auto heads = TownHeads();
  const auto tails = TownTails();
  const uint64_t h = Mix(p.town, 0x70776e);
  std::string name = std::string(heads[h % heads.size()]) + " " + std::string(tails[(h >> 20) % tails.size()]);
  if (accented) {
    // The real geolocation file spells some towns with accents and others without.
    if (name.starts_with("sao ")) name.replace(0, 4, "são ");
    if (auto pos = name.find("antonio"); pos != std::string::npos) name.replace(pos, 7, "antônio");
    if (auto pos = name.find("joao"); pos != std::string::npos) name.replace(pos, 4, "joão");
  }
  return name;
}

uint32_t Geography::PickPrefix(Rng& rng, size_t state) const {
  const auto& list = by_state[state];
  const uint32_t caps = capital_count[state];
  if (caps > 0 && rng.Bernoulli(0.45)) return list[rng.ZipfRank(caps)];
  return list[rng.ZipfRank(list.size())];
}

static Geography BuildGeography(uint64_t seed) {
  Geography g;
  const auto states = States();
  g.by_state.resize(states.size());
  g.capital_count.assign(states.size(), 0);
  for (size_t s = 0; s < states.size(); ++s) {
    const State& st = states[s];
    const int capital_end = st.zip_lo1 + static_cast<int>((st.zip_hi1 - st.zip_lo1) * kCapitalShare);
    auto add_range = [&](int lo, int hi) {
      for (int zip = lo; zip <= hi; ++zip) {
        const bool capital = lo == st.zip_lo1 && zip <= capital_end;
        const double density = capital ? kCapitalDensity : kPrefixDensity;
        if (Unit(seed, Kind::kGeo, static_cast<uint64_t>(zip)) >= density) continue;
        ZipPrefix p;
        p.zip = zip;
        p.state = static_cast<uint16_t>(s);
        p.capital = capital;
        p.town = static_cast<uint32_t>(Mix(seed, 0x746f776e, static_cast<uint64_t>(zip / 25)) & 0xffffffff);
        Rng r = StreamFor(seed, Kind::kGeo, 1000000 + static_cast<uint64_t>(zip));
        if (capital) {
          p.lat = st.lat + r.Normal(0, 0.06);
          p.lng = st.lng + r.Normal(0, 0.06);
        } else {
          Rng town = StreamFor(seed, Kind::kGeo, 2000000 + p.town);
          p.lat = st.lat + town.Normal(0, 1.6) + r.Normal(0, 0.04);
          p.lng = st.lng + town.Normal(0, 2.0) + r.Normal(0, 0.04);
        }
        g.prefixes.push_back(p);
      }
    };
    add_range(st.zip_lo1, st.zip_hi1);
    if (st.zip_hi2 >= st.zip_lo2) add_range(st.zip_lo2, st.zip_hi2);
  }
  std::sort(g.prefixes.begin(), g.prefixes.end(), [](const ZipPrefix& a, const ZipPrefix& b) { return a.zip < b.zip; });
  for (uint32_t i = 0; i < g.prefixes.size(); ++i)
    if (g.prefixes[i].capital) g.by_state[g.prefixes[i].state].push_back(i);
  for (size_t s = 0; s < states.size(); ++s) g.capital_count[s] = static_cast<uint32_t>(g.by_state[s].size());
  for (uint32_t i = 0; i < g.prefixes.size(); ++i)
    if (!g.prefixes[i].capital) g.by_state[g.prefixes[i].state].push_back(i);
  return g;
}

Shop BuildShop(uint64_t seed, double scale) {
  Shop c;
  c.geo = BuildGeography(seed);
  const auto states = States();
  const auto cats = Categories();

  std::vector<double> seller_state_w;
  for (const State& st : states) seller_state_w.push_back(st.seller_share + 0.01);
  const uint64_t n_sellers = SellerCount(scale);
  c.sellers.reserve(n_sellers);
  for (uint64_t i = 0; i < n_sellers; ++i) {
    Rng r = StreamFor(seed, Kind::kSeller, i);
    Seller s;
    s.id = HexId(seed, Kind::kSeller, i);
    s.prefix = c.geo.PickPrefix(r, r.Categorical(seller_state_w));
    c.sellers.push_back(std::move(s));
  }

  // Exact category counts (largest remainder, at least one product each), then shuffled.
  const uint64_t n_products = ProductCount(scale);
  double total = 0;
  for (const Category& cat : cats) total += cat.products;
  std::vector<uint64_t> counts(cats.size());
  std::vector<std::pair<double, size_t>> remainders;
  uint64_t assigned = 0;
  for (size_t k = 0; k < cats.size(); ++k) {
    const double exact = cats[k].products * static_cast<double>(n_products) / total;
    counts[k] = std::max<uint64_t>(1, static_cast<uint64_t>(exact));
    assigned += counts[k];
    remainders.emplace_back(exact - std::floor(exact), k);
  }
  std::stable_sort(remainders.begin(), remainders.end(), [](auto& a, auto& b) { return a.first > b.first; });
  for (size_t i = 0; assigned < n_products; i = (i + 1) % remainders.size(), ++assigned) ++counts[remainders[i].second];
  std::vector<uint16_t> labels;
  labels.reserve(assigned);
  for (size_t k = 0; k < cats.size(); ++k) labels.insert(labels.end(), counts[k], static_cast<uint16_t>(k));
  Rng shuffle = StreamFor(seed, Kind::kProduct, ~0ULL);
  for (size_t i = labels.size(); i > 1; --i) std::swap(labels[i - 1], labels[shuffle.Below(i)]);

  c.by_category.resize(cats.size());
  c.category_weight.resize(cats.size());
  for (size_t k = 0; k < cats.size(); ++k) c.category_weight[k] = cats[k].products;
  c.products.reserve(labels.size());
  for (uint64_t i = 0; i < labels.size(); ++i) {
    Rng r = StreamFor(seed, Kind::kProduct, i);
    const Category& cat = cats[labels[i]];
    Product p;
    p.id = HexId(seed, Kind::kProduct, i);
    p.category = labels[i];
    // Sellers: half of the products go to a few big sellers (Zipf), half spread evenly.
    p.seller = static_cast<uint32_t>(r.Bernoulli(0.5) ? r.ZipfRank(n_sellers) : r.Below(n_sellers));
    // Price and weight share a factor: within a category, heavier products cost more.
    const double common = r.Normal();
    const double price = cat.price_median * std::exp(cat.price_sigma * (0.6 * common + 0.8 * r.Normal()));
    p.price_cents = ShopPrice(r, price);
    const double weight = cat.weight_median * std::exp(cat.weight_sigma * (0.6 * common + 0.8 * r.Normal()));
    p.weight_g = static_cast<int>(std::clamp(std::round(weight / 5.0) * 5.0, 50.0, 40425.0));
    // A box of that weight: volume ~ weight at a density around 0.2 g/cm3.
    const double volume = p.weight_g / r.LogNormal(0.2, 0.5);
    const double side = std::cbrt(volume);
    p.length_cm = static_cast<int>(std::clamp(std::round(side * r.LogNormal(1.4, 0.2)), 7.0, 105.0));
    p.height_cm = static_cast<int>(std::clamp(std::round(side * r.LogNormal(0.6, 0.3)), 2.0, 105.0));
    p.width_cm = static_cast<int>(std::clamp(std::round(side * r.LogNormal(1.0, 0.2)), 6.0, 118.0));
    p.name_len = static_cast<int>(std::clamp(std::round(r.Normal(48.5, 10.0)), 5.0, 76.0));
    p.desc_len = static_cast<int>(std::clamp(std::round(r.LogNormal(600, 0.7)), 4.0, 3992.0));
    p.photos = 1 + std::min(19, r.Geometric(0.55));
    p.no_dimensions = r.Uniform() < 2.0 / 32951.0;
    c.by_category[p.category].push_back(static_cast<uint32_t>(i));
    c.products.push_back(std::move(p));
  }
  return c;
}

}  // namespace pareto::generate
