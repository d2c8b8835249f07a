// `make bench`: training time of the three models on an Olist-sized person table
// (96,000 persons, 80% for training) — one fit each, then the whole early
// protocol with cross-validation, bootstrap and drivers — and scoring throughput
// (persons per second) of each fitted model: probabilities over one million
// persons (a 100,000-person batch scored ten times, as the dense matrix of a
// million would take a gigabyte; the median and range over the ten), then the full
// score rows of gld_customer_scores (probability, decile, top-three drivers) for
// 100,000.
//
// Data: synthetic persons shaped like the early protocol's features (numeric
// product attributes, installments, time of purchase; categories with 70, 27 and
// 4 levels), spend driven by a few of them plus noise.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include <sys/resource.h>

#include <fmt/format.h>

#include "catalog/sql_session.h"
#include "catalog/runs.h"
#include "ml/future_value/model.h"
#include "ml/future_value/snapshots.h"
#include "ml/pipeline_tasks.h"
#include "common/random.h"
#include "ml/training/dataset.h"
#include "ml/ml_config.h"
#include "ml/scoring/scoring.h"
#include "ml/training/trainer.h"
#include "ml/models/tree_models.h"

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
    v[0] = 1 + static_cast<double>(rng.UnbiasedBelow(3));
    v[4] = 50 + 20000 * v[4] * v[4];
    v[9] = 1 + static_cast<double>(rng.UnbiasedBelow(10));
    const auto category = rng.UnbiasedBelow(70);
    for (size_t k = 0; k < 18; ++k) cols[k].numbers.push_back(v[k]);
    cols[18].texts.push_back("cat_" + std::to_string(category));
    cols[19].texts.push_back("state_" + std::to_string(rng.UnbiasedBelow(27)));
    cols[20].texts.push_back(payment[rng.UnbiasedBelow(4)]);
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

template <class T>
bool Failed(const StatusOr<T>& r) {
  if (r.has_value()) return false;
  std::fprintf(stderr, "bench_ml: %s\n", r.error().ToString().c_str());
  return true;
}

constexpr int kPasses = 15;

// "median 1.23M persons/s (1.01-1.30 over N passes)": a pass takes a tenth of a
// second or less, where a shared machine's noise shows.
std::string RateSummary(std::vector<double> rates) {
  std::sort(rates.begin(), rates.end());
  char text[128];
  std::snprintf(text, sizeof text, "median %.2fM persons/s (%.2f-%.2f over %zu passes)", rates[rates.size() / 2],
                rates.front(), rates.back(), rates.size());
  return text;
}

std::string TreesOf(const Model& model) {
  if (model.trees() == 0) return "";
  return ", " + std::to_string(model.trees()) + " trees";
}

// CPU seconds of this process (user + system, every thread): on a shared
// machine wall time also counts other people's work.
double CpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// What the lakehouse's newest `pareto run` that trained spent in ml.* (the
// budget is 4 s at scale 1): its ml.train and ml.score task times as the run
// record has them, the Delta write of the scores and the registration included.
void PrintLastRunMl(catalog::Metastore& ms) {
  auto runs = catalog::ListPipelineRuns(ms, "", 50);
  if (!runs.has_value()) return;
  for (const catalog::PipelineRun& run : *runs) {
    auto tasks = catalog::ListTaskRuns(ms, run.id);
    if (!tasks.has_value()) continue;
    double total = 0;
    std::string parts;
    bool trained = false;
    for (const catalog::TaskRun& t : *tasks) {
      if (!t.task.starts_with("ml.") || t.status != catalog::RunStatus::kSucceeded || !t.ended_ms) continue;
      const double seconds = static_cast<double>(*t.ended_ms - t.started_ms) / 1000.0;
      total += seconds;
      parts += fmt::format("{}{} {:.2f} s", parts.empty() ? "" : " + ", t.task, seconds);
      trained = trained || t.task == "ml.train";
    }
    if (!trained) continue;  // a run where the model was up to date
    std::printf("  ml.* in pareto run %lld (the newest that trained): %s = %.2f s wall\n",
                static_cast<long long>(run.id), parts.c_str(), total);
    return;
  }
  std::printf("  ml.* in pareto run: no run of this lakehouse trained the model\n");
}

// With PARETO_BENCH_LAKEHOUSE=DIR and the future-value production model: what
// ml.train and ml.score compute in `pareto run` (read gold.gld_fv_snapshots,
// fit on the snapshots whose windows end by the newest, score every person at
// the newest with drivers), in memory: nothing is written to the lakehouse.
int RunFutureValue(catalog::Metastore& ms) {
  auto session = catalog::SqlSession::Open(ms);
  if (Failed(session)) return 1;
  double cpu = CpuSeconds();
  auto t = std::chrono::steady_clock::now();
  auto lap = [&](const char* what) {
    const double c = CpuSeconds(), w = Seconds(t);
    std::printf("  %-52s %6.2f s wall, %6.2f s CPU\n", what, w, c - cpu);
    cpu = c;
    t = std::chrono::steady_clock::now();
    return w;
  };
  const double cpu0 = cpu;
  // As ml.train and ml.score do: the labeled snapshots to fit, the scoring snapshot to score.
  auto data = fv::ReadSnapshots(session->connection(), fv::kSnapshotsTable, fv::SnapshotRows::kLabeled);
  if (Failed(data)) return 1;
  std::printf("future-value production model on %s (%zu labeled snapshot rows):\n", ms.lakehouse_root().c_str(),
              data->frame.rows);
  double wall = lap("read the labeled rows of gold.gld_fv_snapshots");
  std::vector<size_t> rows;
  for (size_t i = 0; i < data->day.size(); ++i) {
    if (data->labels_complete[i] && data->day[i] + static_cast<int64_t>(data->horizon_days) <= data->scoring_day) {
      rows.push_back(i);
    }
  }
  auto model = fv::Fit(*data, rows, data->scoring_day, fv::ProductionOptions(42));
  if (Failed(model)) return 1;
  wall += lap(("fit (ml.train): " + std::to_string(rows.size()) + " rows, " +
               std::to_string(model->training_positives) + " came back")
                  .c_str());
  auto at_s = fv::ReadSnapshots(session->connection(), fv::kSnapshotsTable, fv::SnapshotRows::kScoring);
  if (Failed(at_s)) return 1;
  wall += lap("read the scoring snapshot of gold.gld_fv_snapshots");
  const std::vector<size_t> scored = at_s->RowsAt(at_s->scoring_day);
  auto scores = fv::Score(*model, *at_s, scored, /*drivers=*/true);
  if (Failed(scores)) return 1;
  wall += lap(("score with drivers (ml.score): " + std::to_string(scored.size()) + " persons").c_str());
  std::printf("  ml.* compute: %.2f s wall, %.2f s CPU (the Delta write of the scores is not included)\n", wall,
              CpuSeconds() - cpu0);
  PrintLastRunMl(ms);
  return 0;
}

// With PARETO_BENCH_LAKEHOUSE=DIR: the production model of that lakehouse (e.g.
// the one `make run` trained) scoring its own persons, so the throughput is that
// of the real model's size rather than the synthetic one's.
int RunProduction(const std::string& lakehouse) {
  auto ms = catalog::Metastore::Open(lakehouse);
  if (Failed(ms)) return 1;
  auto config = LoadMlConfig(std::string(PARETO_SOURCE_DIR) + "/pipelines/olist");
  if (Failed(config)) return 1;
  if (config->run_protocol == kFutureValueProtocol) return RunFutureValue(*ms);
  auto session = catalog::SqlSession::Open(*ms);
  if (Failed(session)) return 1;
  auto in = LoadProductionInput(*ms, session->connection(), *config);
  if (Failed(in)) return 1;
  const ModelSpec& spec = in->spec;
  const Model& model = *in->model;
  const Eigen::MatrixXd& x = in->design.x;
  // One untimed pass (first-touch allocations), then timed passes.
  if (Failed(model.PredictProba(x))) return 1;
  std::vector<double> rates;
  for (int i = 0; i < kPasses; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    if (Failed(model.PredictProba(x))) return 1;
    rates.push_back(static_cast<double>(x.rows()) / Seconds(t0) / 1e6);
  }
  const auto t1 = std::chrono::steady_clock::now();
  if (Failed(ScoreRows(model, x, in->ids, spec.encoder.SourceColumns(), spec.threshold))) return 1;
  const double rows_with_drivers = Seconds(t1);
  const auto n = static_cast<double>(x.rows());
  std::printf("production model %s v%lld (%s%s) of %s, on its %ld persons:\n", spec.name.c_str(),
              static_cast<long long>(spec.version), spec.kind.c_str(), TreesOf(model).c_str(), lakehouse.c_str(),
              static_cast<long>(x.rows()));
  std::printf("  probabilities: %s\n  probability, decile and top-3 drivers: %.2fM persons/s\n",
              RateSummary(rates).c_str(), n / rows_with_drivers / 1e6);
  return 0;
}

int Run() {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // each figure as soon as it is measured
  constexpr size_t kPersons = 96'000, kBatch = 100'000, kBatches = 10, kScored = kBatch * kBatches;
  const Frame persons = MakePersons(kPersons, 1);
  std::vector<std::string> features;
  for (const FrameColumn& c : persons.columns) {
    if (c.name != "total_spend" && c.name != "high_value") features.push_back(c.name);
  }
  std::vector<size_t> train_rows;
  for (size_t i = 0; i < kPersons * 8 / 10; ++i) train_rows.push_back(i);
  auto encoder = Encoder::Fit(persons, features, train_rows);
  if (Failed(encoder)) return 1;
  auto train = encoder->Apply(persons, train_rows);
  if (Failed(train)) return 1;
  Eigen::VectorXd y(static_cast<Eigen::Index>(train_rows.size()));
  for (size_t i = 0; i < train_rows.size(); ++i) y(static_cast<Eigen::Index>(i)) = persons.columns[22].numbers[i];

  const Frame many = MakePersons(kBatch, 2);
  const auto t_encode = std::chrono::steady_clock::now();
  auto scored = encoder->Apply(many, AllRows(kBatch));
  const double encode = Seconds(t_encode);
  if (Failed(scored)) return 1;
  std::vector<std::string> ids(kBatch);
  for (size_t i = 0; i < kBatch; ++i) ids[i] = std::to_string(i);
  const std::vector<std::string> sources = encoder->SourceColumns();

  std::printf("ML on %zu synthetic persons shaped like the early protocol: %zu for training, %ld encoded features, "
              "2 threads; parameters of pipelines/olist/pipeline.yaml\n",
              kPersons, train_rows.size(), static_cast<long>(train->x.cols()));
  std::printf("encoding %zu persons into the design matrix: %.3f s (%.2fM persons/s)\n", kBatch, encode,
              static_cast<double>(kBatch) / encode / 1e6);
  // The Olist project's own settings (models, folds, resamples), so the figures
  // are those of `pareto train`.
  auto config = LoadMlConfig(std::string(PARETO_SOURCE_DIR) + "/pipelines/olist");
  if (Failed(config)) return 1;
  const ModelParams& params = config->train.params;
  double total = 0;
  for (const char* kind : {"lr", "rf", "gbt"}) {
    const auto t0 = std::chrono::steady_clock::now();
    auto model = FitModel(kind, train->x, y, params, 42);
    const double fit = Seconds(t0);
    if (Failed(model)) return 1;
    total += fit;
    std::printf("  %-4s one fit on %zu persons: %.2f s%s\n", kind, train_rows.size(), fit, TreesOf(**model).c_str());
    std::vector<double> rates;
    for (size_t b = 0; b < kBatches; ++b) {
      const auto t1 = std::chrono::steady_clock::now();
      if (Failed((*model)->PredictProba(scored->x))) return 1;
      rates.push_back(static_cast<double>(kBatch) / Seconds(t1) / 1e6);
    }
    std::printf("       probabilities for %zu persons, %zu at a time: %s\n", kScored, kBatch,
                RateSummary(rates).c_str());
    const auto t2 = std::chrono::steady_clock::now();
    if (Failed(ScoreRows(**model, scored->x, ids, sources, 0.5))) return 1;
    const double with_drivers = Seconds(t2);
    std::printf("       probability, decile and top-3 drivers for %zu persons: %.3f s (%.2fM persons/s)\n", kBatch,
                with_drivers, static_cast<double>(kBatch) / with_drivers / 1e6);
  }
  std::printf("  the three fits: %.2f s\n", total);

  // The whole early protocol as `pareto train` runs it: each model fitted on the
  // training persons, cross-validated, evaluated with bootstrap resamples on the
  // later persons, and explained with exact SHAP.
  Frame timed = persons;
  FrameColumn order{"first_purchase_ts", false, {}, {}};
  for (size_t i = 0; i < kPersons; ++i) order.numbers.push_back(static_cast<double>(i));
  timed.columns.push_back(std::move(order));
  ProtocolSpec spec;
  spec.name = "early";
  spec.table = "bench";
  spec.spend_column = "total_spend";
  spec.time_column = "first_purchase_ts";
  spec.split = SplitKind::kTime;
  spec.features = features;
  const TrainOptions& options = config->train;
  const auto t3 = std::chrono::steady_clock::now();
  auto protocol = TrainProtocol(std::move(timed), spec, options);
  const double whole = Seconds(t3);
  if (Failed(protocol)) return 1;
  std::printf("the early protocol as `pareto train` runs it (3 models, %d-fold CV, %d bootstrap resamples, SHAP "
              "drivers): %.1f s\n%s", options.cv_folds, options.bootstrap_resamples, whole,
              FormatProtocolTable(*protocol).c_str());
  return 0;
}

}  // namespace
}  // namespace pareto::ml

int main() {
  const char* lakehouse = std::getenv("PARETO_BENCH_LAKEHOUSE");
  if (lakehouse != nullptr && *lakehouse != '\0') return pareto::ml::RunProduction(lakehouse);
  return pareto::ml::Run();
}
