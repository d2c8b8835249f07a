// The future-value model in `pareto run` (ml.train, ml.score when ml.run_protocol
// is future_value) and for `pareto score`:
//
// TrainProduction reads gold.gld_fv_snapshots, takes the scoring snapshot S (the
// newest) and trains on every earlier snapshot whose whole label window ends by
// S, and writes the model to <lakehouse>/_models/future_value/current/.
// ScoreProduction scores every person at S with that model into the scores
// table (gold.gld_customer_scores): one row per person with the snapshot date,
// the horizon, the repeat probability, the expected spend, BG/NBD expected
// purchases and P(alive), and the top three drivers of the repeat probability.
//
// Ownership: borrows the lakehouse, connection and Env for the call.
// Thread safety: one call at a time per lakehouse.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "catalog/lakehouse.h"
#include "common/env.h"
#include "common/status.h"
#include "duck/duck.h"
#include "ml/future_value/snapshots.h"

namespace pareto::ml::fv {

// <lakehouse root>/_models/future_value/current
std::string ProductionDir(const std::string& lakehouse_root);

struct TrainReport {
  std::string scoring_date;
  std::vector<std::string> training_dates;
  std::string last_window_end;  // the latest end of a training label window (<= scoring_date)
  double horizon_days = 0;
  int64_t rows = 0, positives = 0;
  int rounds = 0;
  double seconds = 0, read_seconds = 0;  // all, and reading the snapshots
};

StatusOr<TrainReport> TrainProduction(const std::string& lakehouse_root, duck::Connection& conn, uint64_t seed,
                                      Env* env = Env::Default());

struct ScoreReport {
  std::string table, scoring_date;
  double horizon_days = 0;
  int64_t rows = 0;
  double expected_spend_total = 0, expected_repeaters = 0;
  int64_t delta_version = -1;
  std::string bgnbd_error;  // why expected_purchases and p_alive are empty (no BG/NBD fit), or ""
  double seconds = 0;
  double read_seconds = 0, score_seconds = 0;  // of `seconds`; the rest is the Delta write
};

StatusOr<ScoreReport> ScoreProduction(catalog::Lakehouse& lakehouse, duck::Connection& conn,
                                      const std::string& scores_table, const std::string& catalog,
                                      Env* env = Env::Default());

// `pareto audience`: the top share of persons of the scores table by a ranking
// column, and how they were chosen (the header says it; nobody is left out
// without being counted).
struct AudienceReport {
  std::string by, scoring_date, trained_through, model;
  double horizon_days = 0, fraction = 0;
  int64_t persons = 0;      // persons with an order (silver.slv_order_fact), -1 when unknown
  int64_t scored = 0;       // rows of the scores table
  int64_t unranked = 0;     // scored rows without a value of the ranking column (excluded)
  int64_t selected = 0;
  double min_selected = 0;  // the ranking value of the last person selected
  std::string Header() const;
};

// Ranking columns: expected_spend, repeat_probability, expected_purchases, p_alive.
// `count_persons` false: silver.slv_order_fact is not read (the user the command
// acts for may not see it) and `persons` is -1.
StatusOr<AudienceReport> WriteAudience(duck::Connection& conn, const std::string& scores_table, double fraction,
                                       const std::string& by, const std::string& out_path, bool count_persons = true);

}  // namespace pareto::ml::fv
