// Model files in a lakehouse folder: the fitted model (model.json: XGBoost's JSON
// model, or pareto's logistic coefficients) and spec.json, which says how to
// rebuild the model's input from its table (features, fills, encoding).
//
// Thread safety: pure functions; files are written through the given Env.
#pragma once

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "common/env.h"
#include "common/status.h"
#include "ml/training/dataset.h"
#include "ml/models/model.h"
#include "ml/training/trainer.h"

namespace pareto::ml {

// What scoring needs besides the model itself.
struct ModelSpec {
  std::string name;
  int64_t version = 0;
  std::string kind;
  std::string protocol;
  std::string table;  // "gold.gld_early_features"
  std::string id_column;
  std::vector<std::string> features;
  std::map<std::string, double> fill;
  Encoder encoder;
  double threshold = 0.5;
  int64_t run_id = 0;
};

nlohmann::json ToJson(const ModelSpec& spec);
StatusOr<ModelSpec> ModelSpecFromJson(const nlohmann::json& j);

// Reads <dir>/spec.json.
StatusOr<ModelSpec> ReadModelSpec(const std::string& dir, Env* env);
// Loads <dir>/model.json as a model of `kind` ("lr", "rf", "gbt").
StatusOr<std::unique_ptr<Model>> LoadModel(const std::string& dir, const std::string& kind, Env* env);

// Writes `text` to `path` through `env`, creating the parent folders.
Status WriteTextFile(Env* env, const std::string& path, const std::string& text);

}  // namespace pareto::ml
