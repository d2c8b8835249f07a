// `make bench`: training time of the three models on an Olist-sized person table
// (96,000 persons, 80% for training), and scoring throughput (persons per second)
// of each fitted model over one million persons (a 100,000-person batch scored ten
// times, as the dense matrix of a million would take a gigabyte): probabilities
// alone, then with the per-person top-three drivers that gld_customer_scores carries.
//
// Data: synthetic persons shaped like the early protocol's features (numeric
// product attributes, installments, time of purchase; categories with 70, 27 and
// 4 levels), spend driven by a few of them plus noise.
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "ml/dataset.h"
#include "ml/random.h"
#include "ml/scoring.h"
#include "ml/trainer.h"

namespace pareto::ml {
namespace {

Frame MakePersons(size_t n, uint64_t seed) {
  Rng rng(seed);
  std::vector<FrameColumn> cols;
  const char* numeric[] = {"items", "categories", "products", "sellers", "weight_g", "volume_cm3", "photos",
                           "description_length", "name_length", "installments", "payments", "distance_km",
                           "hour", "weekday", "month", "delivery_days", "delay_days", "review_score"};
  for (const char* name : numeric) cols.push_back({name, false, {}, {}});
  cols.push_back({"category", true, {}, {}});
  cols.push_back({"state", true, {}, {}});
  cols.push_back({"payment_type", true, {}, {}});
  cols.push_back({"total_spend", false, {}, {}});
  cols.push_back({"high_value", false, {}, {}});
  const char* payment[] = {"credit_card", "boleto", "voucher", "debit_card"};
  std::vector<double> spend(n);
  for (size_t i = 0; i < n; ++i) {
    double v[18];
    for (double& x : v) x = rng.Uniform();
    v[0] = 1 + static_cast<double>(rng.Below(3));
    v[4] = 50 + 20000 * v[4] * v[4];
    v[9] = 1 + static_cast<double>(rng.Below(10));
    const auto category = rng.Below(70);
    for (size_t k = 0; k < 18; ++k) cols[k].numbers.push_back(v[k]);
    cols[18].texts.push_back("cat_" + std::to_string(category));
    cols[19].texts.push_back("state_" + std::to_string(rng.Below(27)));
    cols[20].texts.push_back(payment[rng.Below(4)]);
    spend[i] = 30 * v[0] + 0.01 * v[4] + 25 * v[9] + static_cast<double>(category % 7) * 15 + 80 * rng.Uniform();
    cols[21].numbers.push_back(spend[i]);
  }
  const double threshold = SpendThreshold(spend, 0.75);
  for (size_t i = 0; i < n; ++i) cols[22].numbers.push_back(spend[i] >= threshold ? 1.0 : 0.0);
  Frame f;
  f.rows = n;
  f.columns = std::move(cols);
  return f;
}

double Seconds(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

int Run() {
  constexpr size_t kPersons = 96'000, kBatch = 100'000, kBatches = 10, kScored = kBatch * kBatches;
  const Frame persons = MakePersons(kPersons, 1);
  std::vector<std::string> features;
  for (const FrameColumn& c : persons.columns) {
    if (c.name != "total_spend" && c.name != "high_value") features.push_back(c.name);
  }
  std::vector<size_t> train_rows;
  for (size_t i = 0; i < kPersons * 8 / 10; ++i) train_rows.push_back(i);
  auto encoder = Encoder::Fit(persons, features, train_rows);
  if (!encoder) return std::fprintf(stderr, "%s\n", encoder.error().ToString().c_str()), 1;
  auto train = encoder->Apply(persons, train_rows);
  if (!train) return std::fprintf(stderr, "%s\n", train.error().ToString().c_str()), 1;
  Eigen::VectorXd y(static_cast<Eigen::Index>(train_rows.size()));
  for (size_t i = 0; i < train_rows.size(); ++i) y(static_cast<Eigen::Index>(i)) = persons.columns[22].numbers[i];

  const Frame many = MakePersons(kBatch, 2);
  auto scored = encoder->Apply(many, AllRows(kBatch));
  if (!scored) return std::fprintf(stderr, "%s\n", scored.error().ToString().c_str()), 1;
  std::vector<std::string> ids(kBatch);
  for (size_t i = 0; i < kBatch; ++i) ids[i] = std::to_string(i);
  const std::vector<std::string> sources = encoder->SourceColumns();

  std::printf("training on %zu persons x %ld encoded features (defaults of pipeline.yaml: rf 200 trees depth 10; "
              "gbt hist, early stopping; lr C=1), 2 threads\n", train_rows.size(), static_cast<long>(train->x.cols()));
  ModelParams params;
  params.gbt.max_depth = 6;
  double total = 0;
  for (const char* kind : {"lr", "rf", "gbt"}) {
    const auto t0 = std::chrono::steady_clock::now();
    auto model = FitModel(kind, train->x, y, params, 42);
    const double fit = Seconds(t0);
    if (!model) return std::fprintf(stderr, "%s\n", model.error().ToString().c_str()), 1;
    total += fit;
    const auto t1 = std::chrono::steady_clock::now();
    for (size_t b = 0; b < kBatches; ++b) {
      auto p = (*model)->PredictProba(scored->x);
      if (!p) return std::fprintf(stderr, "%s\n", p.error().ToString().c_str()), 1;
    }
    const double predict = Seconds(t1);
    const auto t2 = std::chrono::steady_clock::now();
    for (size_t b = 0; b < kBatches; ++b) {
      auto rows = ScoreRows(**model, scored->x, ids, sources, 0.5);
      if (!rows) return std::fprintf(stderr, "%s\n", rows.error().ToString().c_str()), 1;
    }
    const double with_drivers = Seconds(t2);
    std::printf("  %-4s train %6.2f s | score %zu persons: probabilities %6.3f s (%.2fM persons/s), "
                "with top-3 drivers %6.2f s (%.2fM persons/s)\n",
                kind, fit, kScored, predict, kScored / predict / 1e6, with_drivers, kScored / with_drivers / 1e6);
  }
  std::printf("  all three models trained in %.2f s\n", total);
  return 0;
}

}  // namespace
}  // namespace pareto::ml

int main() { return pareto::ml::Run(); }
