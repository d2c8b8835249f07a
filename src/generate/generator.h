// `pareto generate`: synthetic Olist-shaped CSV files at any scale.
//
// Generate() writes the nine files of the Olist release (same names, headers,
// quoting, timestamp format) for about scale x 99,441 orders, streaming
// persons and orders to disk so memory stays flat with scale. With a start
// month it writes incremental monthly drops instead, continuing the ids and
// persons of the base generation of the same seed and scale. With a dirty
// rate it injects the faults of a real export and writes a manifest of them.
// The story of what is planted is docs/generator.md.
//
// Thread safety: Generate is reentrant (no globals); one call writes one folder.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"

namespace pareto::generate {

struct YearMonth {
  int year = 0;
  int month = 0;
};

// Parses "YYYY-MM" or "YYYY-MM-DD" (the day is ignored: drops are whole months).
StatusOr<YearMonth> ParseYearMonth(const std::string& text);

struct GenerateOptions {
  double scale = 1.0;
  uint64_t seed = 7;
  std::string out_dir;
  double dirty_rate = 0.0;           // 0: clean
  std::optional<YearMonth> start;    // set: write monthly drops from this month on
  int months = 1;
};

struct FileReport {
  std::string path;
  uint64_t rows = 0;  // data records written (header not counted)
  uint64_t bytes = 0;
};

struct GenerateReport {
  std::vector<FileReport> files;
  uint64_t persons = 0;
  uint64_t orders = 0;
  uint64_t faults = 0;
  std::string manifest;  // path of the dirty manifest, empty when clean
  double seconds = 0;
};

StatusOr<GenerateReport> Generate(const GenerateOptions& options);

// File names of the release.
inline constexpr const char* kOrdersFile = "olist_orders_dataset.csv";
inline constexpr const char* kCustomersFile = "olist_customers_dataset.csv";
inline constexpr const char* kItemsFile = "olist_order_items_dataset.csv";
inline constexpr const char* kPaymentsFile = "olist_order_payments_dataset.csv";
inline constexpr const char* kReviewsFile = "olist_order_reviews_dataset.csv";
inline constexpr const char* kProductsFile = "olist_products_dataset.csv";
inline constexpr const char* kSellersFile = "olist_sellers_dataset.csv";
inline constexpr const char* kGeolocationFile = "olist_geolocation_dataset.csv";
inline constexpr const char* kTranslationFile = "product_category_name_translation.csv";
// Dirty mode: later status changes of orders, and the manifest of injected faults.
inline constexpr const char* kOrderUpdatesFile = "olist_orders_dataset_updates.csv";
inline constexpr const char* kManifestFile = "dirty_manifest.jsonl";

}  // namespace pareto::generate
