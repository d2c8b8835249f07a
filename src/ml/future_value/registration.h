// The production future-value model in the model registry: every model
// TrainProduction writes (ml.train, or `pareto train --evaluate`) becomes the
// next version of `future_value`, listed by `pareto models` and GET
// /api/v1/models beside the high-value versions.
//
// A version's folder (_models/future_value/v<N>/) holds the model files, its
// metrics.json (snapshot date, trained_through, horizon, training windows and
// rows, and the out-of-time evaluation with its baselines and intervals) and a
// model card. The evaluation is the one `pareto train --evaluate` kept in
// _models/future_value/evaluation.json when it was made on the same data (the
// same scoring snapshot and horizon); otherwise the version says it is not
// evaluated (the evaluation costs a minute at scale 1, more than `pareto run`'s
// budget for ML). The version is the production one at once: ml.score scores
// with the model ml.train trained, so the registry says what is in use.
//
// Ownership: borrows the metastore and Env for the call. Thread safety: one
// writer per lakehouse (the writer lock).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "catalog/metastore.h"
#include "common/env.h"
#include "common/status.h"
#include "ml/future_value/evaluation.h"
#include "ml/future_value/job.h"
#include "ml/scoring/registry.h"

namespace pareto::ml::fv {

inline constexpr const char* kModelName = "future_value";

// <lakehouse root>/_models/future_value/evaluation.json: where `pareto train
// --evaluate` keeps its evaluation for the versions registered on the same data.
std::string EvaluationPath(const std::string& lakehouse_root);

struct RegisterRequest {
  std::string snapshots_table;  // catalog-qualified gld_fv_snapshots, for the run's inputs
  uint64_t seed = 0;
  std::optional<int64_t> pipeline_run_id;
};

// Registers the model in ProductionDir (trained as `report` says) as the next
// version and makes it the production one.
StatusOr<ModelVersion> RegisterProduction(catalog::Metastore& ms, const TrainReport& report,
                                          const RegisterRequest& request, Env* env = Env::Default());

// The version's metrics.json: the production facts and the evaluation (or
// null, with why).
nlohmann::json VersionMetrics(const TrainReport& report, const nlohmann::json& evaluation);

}  // namespace pareto::ml::fv
