#include "catalog/model_registry.h"

#include "catalog/metastore_internal.h"

namespace pareto::catalog::models {
namespace {

using sqlite::Statement;

sqlite::Db& Db(Metastore& ms) { return MetastoreAccess::Db(ms); }

constexpr const char* kRunColumns =
    "id, model_name, protocol, status, message, seed, params_json, features_json, inputs_json, metrics_json, "
    "leakage_override, best_model, artifacts, code_version, pipeline_run_id, started_ms, duration_ms";
constexpr const char* kVersionColumns =
    "name, version, run_id, kind, protocol, path, roc_auc, stage, created_ms, promoted_ms";

StatusOr<nlohmann::json> ParseJson(const std::string& text, const char* what) {
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    return std::unexpected(DataError(std::string("metastore ml_runs.") + what + ": " + e.what()));
  }
}

StatusOr<RunRecord> ReadRun(const Statement& st) {
  RunRecord r;
  r.id = st.ColumnInt64(0);
  r.model_name = st.ColumnText(1);
  r.protocol = st.ColumnText(2);
  r.status = st.ColumnText(3);
  r.message = st.ColumnText(4);
  r.seed = static_cast<uint64_t>(st.ColumnInt64(5));
  PARETO_ASSIGN_OR_RETURN(r.params, ParseJson(st.ColumnText(6), "params_json"));
  PARETO_ASSIGN_OR_RETURN(nlohmann::json features, ParseJson(st.ColumnText(7), "features_json"));
  r.features = features.get<std::vector<std::string>>();
  PARETO_ASSIGN_OR_RETURN(r.inputs, ParseJson(st.ColumnText(8), "inputs_json"));
  PARETO_ASSIGN_OR_RETURN(r.metrics, ParseJson(st.ColumnText(9), "metrics_json"));
  r.leakage_override = st.ColumnText(10);
  r.best_model = st.ColumnText(11);
  r.artifacts = st.ColumnText(12);
  r.code_version = st.ColumnText(13);
  r.pipeline_run_id = st.ColumnOptionalInt64(14);
  r.started_ms = st.ColumnInt64(15);
  r.duration_ms = st.ColumnInt64(16);
  return r;
}

ModelVersion ReadVersion(const Statement& st) {
  ModelVersion v;
  v.name = st.ColumnText(0);
  v.version = st.ColumnInt64(1);
  v.run_id = st.ColumnInt64(2);
  v.kind = st.ColumnText(3);
  v.protocol = st.ColumnText(4);
  v.path = st.ColumnText(5);
  v.roc_auc = st.ColumnDouble(6);
  v.stage = st.ColumnText(7);
  v.created_ms = st.ColumnInt64(8);
  v.promoted_ms = st.ColumnOptionalInt64(9);
  return v;
}

StatusOr<std::vector<ModelVersion>> QueryVersions(Metastore& ms, const std::string& where,
                                                  const std::string& name, std::optional<int64_t> version) {
  PARETO_ASSIGN_OR_RETURN(Statement st, Db(ms).Prepare(std::string("SELECT ") + kVersionColumns +
                                                        " FROM ml_model_versions WHERE " + where +
                                                        " ORDER BY version DESC"));
  PARETO_RETURN_IF_ERROR(st.Bind(1, name));
  if (version) PARETO_RETURN_IF_ERROR(st.Bind(2, *version));
  std::vector<ModelVersion> out;
  while (true) {
    PARETO_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    out.push_back(ReadVersion(st));
  }
  return out;
}

}  // namespace

StatusOr<int64_t> InsertRun(Metastore& ms, const RunRecord& r) {
  PARETO_ASSIGN_OR_RETURN(
      Statement st,
      Db(ms).Prepare("INSERT INTO ml_runs(model_name, protocol, status, message, seed, params_json, features_json, "
                      "inputs_json, metrics_json, leakage_override, best_model, artifacts, code_version, "
                      "pipeline_run_id, started_ms, duration_ms) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"));
  PARETO_RETURN_IF_ERROR(st.Bind(1, r.model_name));
  PARETO_RETURN_IF_ERROR(st.Bind(2, r.protocol));
  PARETO_RETURN_IF_ERROR(st.Bind(3, r.status));
  PARETO_RETURN_IF_ERROR(st.Bind(4, r.message));
  PARETO_RETURN_IF_ERROR(st.Bind(5, static_cast<int64_t>(r.seed)));
  PARETO_RETURN_IF_ERROR(st.Bind(6, r.params.dump()));
  PARETO_RETURN_IF_ERROR(st.Bind(7, nlohmann::json(r.features).dump()));
  PARETO_RETURN_IF_ERROR(st.Bind(8, r.inputs.dump()));
  PARETO_RETURN_IF_ERROR(st.Bind(9, r.metrics.dump()));
  PARETO_RETURN_IF_ERROR(st.Bind(10, r.leakage_override));
  PARETO_RETURN_IF_ERROR(st.Bind(11, r.best_model));
  PARETO_RETURN_IF_ERROR(st.Bind(12, r.artifacts));
  PARETO_RETURN_IF_ERROR(st.Bind(13, r.code_version));
  PARETO_RETURN_IF_ERROR(st.Bind(14, r.pipeline_run_id));
  PARETO_RETURN_IF_ERROR(st.Bind(15, r.started_ms));
  PARETO_RETURN_IF_ERROR(st.Bind(16, r.duration_ms));
  PARETO_RETURN_IF_ERROR(st.Run());
  return Db(ms).LastInsertRowId();
}

Status UpdateRunArtifacts(Metastore& ms, int64_t run_id, const std::string& artifacts) {
  PARETO_ASSIGN_OR_RETURN(Statement st, Db(ms).Prepare("UPDATE ml_runs SET artifacts = ? WHERE id = ?"));
  PARETO_RETURN_IF_ERROR(st.Bind(1, artifacts));
  PARETO_RETURN_IF_ERROR(st.Bind(2, run_id));
  return st.Run();
}

StatusOr<std::optional<RunRecord>> GetRun(Metastore& ms, int64_t id) {
  PARETO_ASSIGN_OR_RETURN(Statement st, Db(ms).Prepare(std::string("SELECT ") + kRunColumns +
                                                        " FROM ml_runs WHERE id = ?"));
  PARETO_RETURN_IF_ERROR(st.Bind(1, id));
  PARETO_ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return std::optional<RunRecord>();
  PARETO_ASSIGN_OR_RETURN(RunRecord r, ReadRun(st));
  return std::optional<RunRecord>(std::move(r));
}

StatusOr<std::vector<RunRecord>> ListRuns(Metastore& ms, const std::string& model_name, int limit) {
  PARETO_ASSIGN_OR_RETURN(Statement st, Db(ms).Prepare(std::string("SELECT ") + kRunColumns +
                                                        " FROM ml_runs WHERE ? = '' OR model_name = ? "
                                                        "ORDER BY id DESC LIMIT ?"));
  PARETO_RETURN_IF_ERROR(st.Bind(1, model_name));
  PARETO_RETURN_IF_ERROR(st.Bind(2, model_name));
  PARETO_RETURN_IF_ERROR(st.Bind(3, limit));
  std::vector<RunRecord> out;
  while (true) {
    PARETO_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    PARETO_ASSIGN_OR_RETURN(RunRecord r, ReadRun(st));
    out.push_back(std::move(r));
  }
  return out;
}

StatusOr<int64_t> NextVersion(Metastore& ms, const std::string& name) {
  PARETO_ASSIGN_OR_RETURN(Statement st,
                          Db(ms).Prepare("SELECT coalesce(max(version), 0) + 1 FROM ml_model_versions WHERE name = ?"));
  PARETO_RETURN_IF_ERROR(st.Bind(1, name));
  PARETO_ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return std::unexpected(Internal("no row from max(version)"));
  return st.ColumnInt64(0);
}

Status RegisterVersion(Metastore& ms, const ModelVersion& v) {
  PARETO_ASSIGN_OR_RETURN(
      Statement st,
      Db(ms).Prepare("INSERT INTO ml_model_versions(name, version, run_id, kind, protocol, path, roc_auc, stage, "
                      "created_ms, promoted_ms) VALUES (?,?,?,?,?,?,?,?,?,?)"));
  PARETO_RETURN_IF_ERROR(st.Bind(1, v.name));
  PARETO_RETURN_IF_ERROR(st.Bind(2, v.version));
  PARETO_RETURN_IF_ERROR(st.Bind(3, v.run_id));
  PARETO_RETURN_IF_ERROR(st.Bind(4, v.kind));
  PARETO_RETURN_IF_ERROR(st.Bind(5, v.protocol));
  PARETO_RETURN_IF_ERROR(st.Bind(6, v.path));
  PARETO_RETURN_IF_ERROR(st.Bind(7, v.roc_auc));
  PARETO_RETURN_IF_ERROR(st.Bind(8, v.stage));
  PARETO_RETURN_IF_ERROR(st.Bind(9, v.created_ms));
  PARETO_RETURN_IF_ERROR(st.Bind(10, v.promoted_ms));
  return st.Run();
}

StatusOr<std::vector<ModelVersion>> ListVersions(Metastore& ms, const std::string& name) {
  return QueryVersions(ms, "name = ?", name, std::nullopt);
}

StatusOr<std::optional<ModelVersion>> GetVersion(Metastore& ms, const std::string& name, int64_t version) {
  PARETO_ASSIGN_OR_RETURN(auto rows, QueryVersions(ms, "name = ? AND version = ?", name, version));
  if (rows.empty()) return std::optional<ModelVersion>();
  return std::optional<ModelVersion>(rows.front());
}

StatusOr<std::optional<ModelVersion>> ProductionVersion(Metastore& ms, const std::string& name) {
  PARETO_ASSIGN_OR_RETURN(auto rows, QueryVersions(ms, "name = ? AND stage = 'production'", name, std::nullopt));
  if (rows.empty()) return std::optional<ModelVersion>();
  return std::optional<ModelVersion>(rows.front());
}

namespace {

// Promote's work inside the caller's transaction.
Status PromoteLocked(Metastore& ms, const std::string& name, int64_t version, int64_t now_ms) {
  PARETO_ASSIGN_OR_RETURN(auto existing, GetVersion(ms, name, version));
  if (!existing) {
    return NotFound("model " + name + " has no version " + std::to_string(version) + " (see `pareto models`)");
  }
  PARETO_ASSIGN_OR_RETURN(Statement archive, Db(ms).Prepare(
      "UPDATE ml_model_versions SET stage = 'archived' WHERE name = ? AND stage = 'production' AND version <> ?"));
  PARETO_RETURN_IF_ERROR(archive.Bind(1, name));
  PARETO_RETURN_IF_ERROR(archive.Bind(2, version));
  PARETO_RETURN_IF_ERROR(archive.Run());
  PARETO_ASSIGN_OR_RETURN(Statement promote, Db(ms).Prepare(
      "UPDATE ml_model_versions SET stage = 'production', promoted_ms = ? WHERE name = ? AND version = ?"));
  PARETO_RETURN_IF_ERROR(promote.Bind(1, now_ms));
  PARETO_RETURN_IF_ERROR(promote.Bind(2, name));
  PARETO_RETURN_IF_ERROR(promote.Bind(3, version));
  return promote.Run();
}

}  // namespace

Status Promote(Metastore& ms, const std::string& name, int64_t version, int64_t now_ms) {
  PARETO_ASSIGN_OR_RETURN(auto txn, sqlite::Transaction::Begin(Db(ms)));
  PARETO_RETURN_IF_ERROR(PromoteLocked(ms, name, version, now_ms));
  return txn.Commit();
}

StatusOr<bool> PromoteIfNoneInProduction(Metastore& ms, const std::string& name, int64_t version,
                                         int64_t now_ms) {
  PARETO_ASSIGN_OR_RETURN(auto txn, sqlite::Transaction::Begin(Db(ms)));
  PARETO_ASSIGN_OR_RETURN(auto production, ProductionVersion(ms, name));
  if (production) return false;
  PARETO_RETURN_IF_ERROR(PromoteLocked(ms, name, version, now_ms));
  PARETO_RETURN_IF_ERROR(txn.Commit());
  return true;
}

}  // namespace pareto::catalog::models
