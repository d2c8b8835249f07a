// `pareto train` and the `ml.train` task of `pareto run`: for each protocol, read
// its feature table through DuckDB, run the leakage guard, train and evaluate,
// record the run in the metastore, write its files under <lakehouse>/_models/,
// and register the best model as the next version of the model name, with a
// model card.
//
// Files:
//   _models/runs/<run id>/metrics.json         every model's metrics and curves
//   _models/runs/<run id>/<kind>/model.json    every fitted model
//   _models/<name>/v<version>/                 the registered model: model.json,
//       spec.json, metrics.json, model_card.md
//
// Ownership: borrows the metastore, connection and Env for the call.
// Thread safety: one call at a time per lakehouse.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "catalog/metastore.h"
#include "common/env.h"
#include "common/status.h"
#include "duck/duck.h"
#include "ml/training/leakage.h"
#include "ml/ml_config.h"
#include "ml/scoring/registry.h"
#include "ml/training/trainer.h"

namespace pareto::ml {

struct TrainRequest {
  std::string catalog = "olist";           // first part of full table names
  std::vector<std::string> monetary_tags;  // pipeline.yaml `monetary:` ("bronze.brz_payments.payment_value")
  std::vector<std::string> protocols;      // empty: every configured protocol
  std::optional<std::vector<std::string>> models;
  std::optional<uint64_t> seed;
  std::optional<int64_t> cutoff_us;            // overrides the protocol's cutoff (time splits)
  std::vector<std::string> allow_monetary;     // features let through despite monetary lineage
  std::optional<int64_t> pipeline_run_id;
  bool register_best = true;
};

struct ProtocolOutcome {
  ProtocolResult result;
  int64_t run_id = 0;
  std::optional<ModelVersion> registered;
  std::string leakage_override;  // empty when nothing was overridden
  double seconds = 0;
};

// The code version recorded with every run ("pareto <version> (<git commit>)").
std::string CodeVersion();

// Reads a protocol's rows: id, label or spend, time (as epoch microseconds) and features.
StatusOr<Frame> ReadProtocolFrame(duck::Connection& conn, const ProtocolSpec& spec);

StatusOr<std::vector<ProtocolOutcome>> RunTraining(catalog::Metastore& ms, duck::Connection& conn,
                                                   const MlConfig& config, const TrainRequest& request,
                                                   Env* env = Env::Default());

// The tables `pareto train` prints, one per protocol, plus run and version lines.
std::string FormatTrainReport(const std::vector<ProtocolOutcome>& outcomes);

}  // namespace pareto::ml
