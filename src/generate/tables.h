// The fixed tables the generator samples from: product categories (with the
// real translation file's rows), Brazil's states and zip ranges, the monthly
// order volume of the real export, and review phrases.
//
// Figures come from the real Olist data (olist-reference for products,
// sellers and categories; published figures for the rest); docs/generator.md
// says which number comes from where. Read-only constants; thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace pareto::generate {

struct Category {
  std::string_view name;     // Portuguese name; "" for products without a category
  std::string_view english;  // "" when the real translation file lacks it
  int products;              // products of this category in the real catalog (32,951 in all)
  double price_median;       // BRL, median item price of the category
  double price_sigma;        // log-scale spread of prices
  double weight_median;      // grams
  double weight_sigma;       // log-scale spread of weights
  double value_effect;       // planted: how much a high-value person favours it
};

struct State {
  std::string_view code;
  std::string_view capital;
  std::string_view capital_accented;  // as the geolocation file sometimes spells it
  double lat, lng;                    // capital
  double customer_share;              // share of customers (percent)
  double seller_share;                // share of sellers (percent)
  double value_effect;                // planted: latent value shift of persons there
  double delivery_days;               // median days from purchase to delivery
  int zip_lo1, zip_hi1, zip_lo2, zip_hi2;  // five-digit zip prefix ranges (second may be empty)
};

std::span<const Category> Categories();
// The translation file's rows in its own order (71 rows).
std::span<const Category* const> TranslationOrder();
std::span<const State> States();

struct MonthVolume {
  int year, month;
  double orders;  // orders of the real export that month
};
std::span<const MonthVolume> MonthVolumes();

// Review texts by score band (0: scores 1-2, 1: score 3, 2: scores 4-5).
std::span<const std::string_view> ReviewTitles(int band);
std::span<const std::string_view> ReviewMessages(int band);

// Parts of synthetic town names.
std::span<const std::string_view> TownHeads();
std::span<const std::string_view> TownTails();

}  // namespace pareto::generate
