#include "ml/future_value/registration.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "catalog/lakehouse.h"
#include "ml/future_value/model.h"
#include "ml/future_value/snapshots.h"
#include "ml/models/model_io.h"
#include "ml/training/train_job.h"

namespace pareto::ml::fv {
namespace {

// The evaluation kept by `pareto train --evaluate`, when it was made on the data
// this model was trained on (same scoring snapshot and horizon); null otherwise.
nlohmann::json EvaluationFor(const TrainReport& report, const std::string& root, Env* env) {
  auto text = env->ReadFile(EvaluationPath(root));
  if (!text.has_value()) return nullptr;
  nlohmann::json j = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || j.value("scoring_date", "") != report.scoring_date ||
      j.value("horizon_days", -1.0) != report.horizon_days) {
    return nullptr;
  }
  return j;
}

std::string Card(const ModelVersion& v, const TrainReport& r, const nlohmann::json& evaluation) {
  std::string out = fmt::format(
      "# future_value v{}\n\n"
      "Who buys again within {:.0f} days, and what they spend there: P(repeat) from gradient boosting (XGBoost) "
      "x the spend of a returning person (ridge regression of log spend), beside BG/NBD expected purchases and "
      "P(alive). docs/ml.md says what each part is.\n\n"
      "- scores every person as of the snapshot {} (the newest data) into gold.gld_customer_scores\n"
      "- trained on the snapshots {} ({} rows, {} came back, {} boosting rounds); every training label window "
      "ends by {} (trained_through), on or before the snapshot: no person is scored in-sample\n"
      "- stage: production (ml.score scores with the model ml.train trained last)\n\n",
      v.version, r.horizon_days, r.scoring_date, fmt::join(r.training_dates, ", "), r.rows, r.positives, r.rounds,
      r.last_window_end);
  if (evaluation.is_null()) {
    return out + "Not evaluated on this data: `pareto train --evaluate` makes the out-of-time evaluation (every "
                 "model beside its baseline) and registers a version that carries it.\n";
  }
  out += fmt::format("## Out of time (test snapshot {}, {} persons, {} positives{})\n\n",
                     evaluation.value("test_date", ""), evaluation.value("test_persons", 0),
                     evaluation.value("positives", 0), evaluation.value("reliable", false) ? "" : ": unreliable");
  out += "| repeat | ROC-AUC [95% CI] | PR-AUC | vs baseline |\n|---|---|---|---|\n";
  for (const nlohmann::json& row : evaluation["repeat"]) {
    const nlohmann::json& ci = row["roc_auc_ci"];
    out += fmt::format("| {} | {:.3f} [{:.3f}, {:.3f}] | {:.3f} | {} |\n", row.value("name", ""),
                       row.value("roc_auc", 0.0), ci[0].is_number() ? ci[0].get<double>() : 0.0,
                       ci[1].is_number() ? ci[1].get<double>() : 0.0, row.value("pr_auc", 0.0),
                       row.value("baseline", false)         ? "baseline"
                       : row.value("beats_baseline", false) ? "beats it"
                                                            : "does NOT beat it");
  }
  const nlohmann::json& gain = evaluation["gain"];
  out += fmt::format("\nboosted - baseline ROC-AUC: {:+.3f} [{:+.3f}, {:+.3f}] (paired bootstrap)\n\n",
                     gain.value("roc_auc", 0.0), gain["ci"][0].is_number() ? gain["ci"][0].get<double>() : 0.0,
                     gain["ci"][1].is_number() ? gain["ci"][1].get<double>() : 0.0);
  out += "| spend | normalized Gini | Spearman |\n|---|---|---|\n";
  for (const nlohmann::json& row : evaluation["spend"]) {
    out += fmt::format("| {} | {:.3f} | {:.3f} |\n", row.value("name", ""), row.value("gini", 0.0),
                       row.value("spearman", 0.0));
  }
  return out;
}

}  // namespace

std::string EvaluationPath(const std::string& lakehouse_root) {
  return lakehouse_root + "/_models/future_value/evaluation.json";
}

nlohmann::json VersionMetrics(const TrainReport& r, const nlohmann::json& evaluation) {
  nlohmann::json j = {{"model", kModelName},
                      {"snapshot_date", r.scoring_date},
                      {"trained_through", r.last_window_end},
                      {"horizon_days", r.horizon_days},
                      {"training_dates", r.training_dates},
                      {"training_rows", r.rows},
                      {"training_positives", r.positives},
                      {"rounds", r.rounds},
                      {"evaluation", evaluation}};
  if (evaluation.is_null()) {
    j["evaluation_note"] = "not evaluated on this data: run `pareto train --evaluate`";
    return j;
  }
  // The registry's common shape (what `pareto models` prints beside each version).
  for (const nlohmann::json& row : evaluation["repeat"]) {
    if (row.value("baseline", false)) {
      j["baseline"] = {{"name", row.value("name", "")},
                       {"column", "past_purchase_days, recency_days"},
                       {"roc_auc", row["roc_auc"]},
                       {"roc_auc_ci", row["roc_auc_ci"]}};
    } else if (!j.contains("roc_auc")) {
      j["roc_auc"] = row["roc_auc"];  // the boosted model's, the first row
      j["roc_auc_ci"] = row["roc_auc_ci"];
      j["pr_auc"] = row["pr_auc"];
    }
  }
  j["positives"] = evaluation["positives"];
  j["reliable"] = evaluation["reliable"];
  return j;
}

StatusOr<ModelVersion> RegisterProduction(catalog::Metastore& ms, const TrainReport& report,
                                          const RegisterRequest& request, Env* env) {
  const std::string root = ms.lakehouse_root();
  const nlohmann::json evaluation = EvaluationFor(report, root, env);
  const nlohmann::json metrics = VersionMetrics(report, evaluation);

  RunRecord run;
  run.model_name = kModelName;
  run.protocol = "future_value";
  run.seed = request.seed;
  run.params = {{"horizon_days", report.horizon_days}, {"snapshot_date", report.scoring_date},
                {"trained_through", report.last_window_end}, {"training_dates", report.training_dates}};
  run.features = FeatureColumns();
  PARETO_ASSIGN_OR_RETURN(auto info, ms.GetTable(request.snapshots_table));
  int64_t delta_version = -1;
  if (info) {
    PARETO_ASSIGN_OR_RETURN(delta_version, catalog::DeltaVersion(root, *info, env));
  }
  run.inputs = nlohmann::json::array({{{"table", request.snapshots_table}, {"delta_version", delta_version}}});
  run.metrics = metrics;
  run.best_model = "hurdle";
  run.code_version = CodeVersion();
  run.pipeline_run_id = request.pipeline_run_id;
  run.started_ms = env->NowMicros() / 1000;
  run.duration_ms = static_cast<int64_t>(report.seconds * 1000);
  PARETO_ASSIGN_OR_RETURN(run.id, InsertRun(ms, run));

  ModelVersion v;
  v.name = kModelName;
  PARETO_ASSIGN_OR_RETURN(v.version, NextVersion(ms, v.name));
  v.run_id = run.id;
  v.kind = "hurdle";
  v.protocol = "future_value";
  v.path = "_models/" + v.name + "/v" + std::to_string(v.version);
  // The registry's column needs a number: the evaluated boosted ROC-AUC, 0 when
  // not evaluated (metrics.json says so; `pareto models` prints "-").
  v.roc_auc = metrics.contains("roc_auc") && metrics["roc_auc"].is_number() ? metrics["roc_auc"].get<double>() : 0.0;
  v.created_ms = env->NowMicros() / 1000;
  const std::string dir = root + "/" + v.path;
  PARETO_RETURN_IF_ERROR(env->CreateDirs(dir));
  PARETO_ASSIGN_OR_RETURN(FvModel model, Load(ProductionDir(root), env));
  PARETO_RETURN_IF_ERROR(Save(model, dir, env));
  PARETO_RETURN_IF_ERROR(WriteTextFile(env, dir + "/metrics.json", metrics.dump(2) + "\n"));
  PARETO_RETURN_IF_ERROR(WriteTextFile(env, dir + "/model_card.md", Card(v, report, evaluation)));
  PARETO_RETURN_IF_ERROR(UpdateRunArtifacts(ms, run.id, v.path));
  PARETO_RETURN_IF_ERROR(RegisterVersion(ms, v));
  PARETO_RETURN_IF_ERROR(Promote(ms, v.name, v.version, env->NowMicros() / 1000));
  v.stage = "production";
  return v;
}

}  // namespace pareto::ml::fv
