// Scoring with the production model: every person of the model's feature table
// gets a probability, a decile (1 = the most likely tenth), the predicted class
// at the model's stated threshold, and the top three drivers with direction;
// the rows land in gold.gld_customer_scores (one Delta overwrite, registered in
// the metastore). `pareto audience` reads that table.
//
// Ownership: borrows the lakehouse (or metastore), connection and Env for the call.
// Thread safety: one call at a time per lakehouse.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "catalog/lakehouse.h"
#include "catalog/metastore.h"
#include "common/env.h"
#include "common/status.h"
#include "duck/duck.h"
#include "ml/ml_config.h"
#include "ml/training/dataset.h"
#include "ml/models/model.h"
#include "ml/models/model_io.h"
#include "ml/scoring/registry.h"

namespace pareto::ml {

struct PersonScore {
  std::string id;
  double probability = 0;
  int decile = 0;
  bool predicted = false;
  std::string driver[3];  // source column names, "" when fewer features
  double effect[3] = {0, 0, 0};  // signed contribution to the log-odds
};

// Scores and drivers for every row of `x` (ids in the same order). Deciles by
// descending probability, ties by id order; the top three drivers per person by
// |contribution| (one-hot levels summed into their column): coefficient x
// standardized value for the logistic model, XGBoost's approximate (Saabas)
// contributions for tree models. Both sum to the margin.
StatusOr<std::vector<PersonScore>> ScoreRows(const Model& model, const Eigen::MatrixXd& x,
                                             const std::vector<std::string>& ids,
                                             const std::vector<std::string>& source_columns, double threshold);

// What scoring reads: the production version, its files, and its table's
// persons encoded as at training (fills applied), with their ids in row order.
struct ProductionInput {
  ModelVersion version;
  ModelSpec spec;
  std::unique_ptr<Model> model;
  Design design;
  std::vector<std::string> ids;
};

// NotFound (naming `pareto models promote`) when no version is in production.
StatusOr<ProductionInput> LoadProductionInput(catalog::Metastore& ms, duck::Connection& conn,
                                              const MlConfig& config, Env* env = Env::Default());

struct ScoreReport {
  ModelVersion version;
  int64_t rows = 0;
  int64_t predicted_positive = 0;
  double threshold = 0;
  int64_t delta_version = -1;
  std::string table;
  double seconds = 0;
};

// Writes the scores through Lakehouse::Publish (one overwrite, lineage to the feature table).
StatusOr<ScoreReport> ScorePersons(catalog::Lakehouse& lakehouse, duck::Connection& conn, const MlConfig& config,
                                   const std::string& catalog, Env* env = Env::Default());

// Writes the top `fraction` of persons by probability from the scores table to a CSV file.
StatusOr<int64_t> WriteAudience(duck::Connection& conn, const MlConfig& config, double fraction,
                                const std::string& out_path);

std::string FormatScoreReport(const ScoreReport& report);

}  // namespace pareto::ml
