// The model registry's tables in the metastore (migration 5): the ML run record
// (ml_runs) and the model versions (ml_model_versions), with the only functions
// that read or write them. ml/registry.h offers them to the ML stage.
//
// Every training run (one protocol) is a row of ml_runs: protocol, parameters,
// seed, features, input tables with their Delta versions, metrics, leakage
// override, duration, code version. The best model of a successful run becomes
// the next version of its model name in ml_model_versions; `promote` makes one
// version the production one (the previous production version is archived).
//
// Ownership: free functions over a borrowed Metastore. Thread safety: as the
// Metastore; version numbering and promotion are single transactions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "catalog/metastore.h"
#include "common/status.h"

namespace pareto::catalog::models {

// The schema, applied as metastore migration 5 (migrations.cc lists it).
inline constexpr std::string_view kModelRegistrySchema = R"sql(
CREATE TABLE ml_runs (
  id               INTEGER PRIMARY KEY AUTOINCREMENT,
  model_name       TEXT NOT NULL,
  protocol         TEXT NOT NULL,
  status           TEXT NOT NULL CHECK (status IN ('succeeded', 'failed')),
  message          TEXT NOT NULL DEFAULT '',
  seed             INTEGER NOT NULL,
  params_json      TEXT NOT NULL,
  features_json    TEXT NOT NULL,
  inputs_json      TEXT NOT NULL,
  metrics_json     TEXT NOT NULL,
  leakage_override TEXT NOT NULL DEFAULT '',
  best_model       TEXT NOT NULL DEFAULT '',
  artifacts        TEXT NOT NULL DEFAULT '',
  code_version     TEXT NOT NULL,
  pipeline_run_id  INTEGER,
  started_ms       INTEGER NOT NULL,
  duration_ms      INTEGER NOT NULL
);
CREATE TABLE ml_model_versions (
  name        TEXT NOT NULL,
  version     INTEGER NOT NULL,
  run_id      INTEGER NOT NULL REFERENCES ml_runs(id),
  kind        TEXT NOT NULL,
  protocol    TEXT NOT NULL,
  path        TEXT NOT NULL,
  roc_auc     REAL NOT NULL,
  stage       TEXT NOT NULL DEFAULT 'none' CHECK (stage IN ('none', 'production', 'archived')),
  created_ms  INTEGER NOT NULL,
  promoted_ms INTEGER,
  PRIMARY KEY (name, version)
);
)sql";

struct RunRecord {
  int64_t id = 0;
  std::string model_name;
  std::string protocol;
  std::string status = "succeeded";  // or "failed"
  std::string message;
  uint64_t seed = 0;
  nlohmann::json params = nlohmann::json::object();
  std::vector<std::string> features;
  nlohmann::json inputs = nlohmann::json::array();  // [{table, delta_version}]
  nlohmann::json metrics = nlohmann::json::object();
  std::string leakage_override;  // empty, or what was allowed and the path found
  std::string best_model;
  std::string artifacts;  // folder of the run's files, relative to the lakehouse
  std::string code_version;
  std::optional<int64_t> pipeline_run_id;
  int64_t started_ms = 0;
  int64_t duration_ms = 0;
};

struct ModelVersion {
  std::string name;
  int64_t version = 0;
  int64_t run_id = 0;
  std::string kind;
  std::string protocol;
  std::string path;  // the version's folder, relative to the lakehouse
  double roc_auc = 0;
  std::string stage = "none";  // none, production, archived
  int64_t created_ms = 0;
  std::optional<int64_t> promoted_ms;
};

// Inserts the run and returns its id.
StatusOr<int64_t> InsertRun(Metastore& ms, const RunRecord& run);
Status UpdateRunArtifacts(Metastore& ms, int64_t run_id, const std::string& artifacts);
StatusOr<std::optional<RunRecord>> GetRun(Metastore& ms, int64_t id);
// Newest first; every model name when `model_name` is empty.
StatusOr<std::vector<RunRecord>> ListRuns(Metastore& ms, const std::string& model_name, int limit);

// The next version number of `name` (1 for the first).
StatusOr<int64_t> NextVersion(Metastore& ms, const std::string& name);
// Inserts `v` (its version must be NextVersion's; kAlreadyExists when taken).
Status RegisterVersion(Metastore& ms, const ModelVersion& v);
StatusOr<std::vector<ModelVersion>> ListVersions(Metastore& ms, const std::string& name);
StatusOr<std::optional<ModelVersion>> GetVersion(Metastore& ms, const std::string& name, int64_t version);
StatusOr<std::optional<ModelVersion>> ProductionVersion(Metastore& ms, const std::string& name);
// Makes `version` the production version; the previous one becomes archived.
Status Promote(Metastore& ms, const std::string& name, int64_t version, int64_t now_ms);
// Promotes `version` only when `name` has no production version yet (one
// transaction); true when it did. A model in production is replaced only by a
// person's `pareto models promote`, never by a scheduled run.
StatusOr<bool> PromoteIfNoneInProduction(Metastore& ms, const std::string& name, int64_t version,
                                         int64_t now_ms);

}  // namespace pareto::catalog::models
