#include "ml/training/train_job.h"

#include <algorithm>
#include <filesystem>

#include <fmt/format.h>

#include "catalog/lakehouse.h"
#include "catalog/lineage.h"
#include "catalog/table_name.h"
#include "ml/scoring/model_card.h"
#include "ml/models/model_io.h"
#include "pipeline/executor.h"

#ifndef PARETO_ML_CODE_VERSION
#define PARETO_ML_CODE_VERSION "unknown"
#endif

namespace pareto::ml {
namespace {

nlohmann::json ParamsJson(const TrainOptions& o, const ProtocolSpec& spec) {
  return {{"models", o.models},
          {"bootstrap_resamples", o.bootstrap_resamples},
          {"cv_folds", o.cv_folds},
          {"lr", {{"C", o.params.lr.c}, {"penalty", "l2"}, {"solver", "newton"}}},
          {"rf", {{"trees", o.params.rf.trees}, {"max_depth", o.params.rf.max_depth}, {"subsample", o.params.rf.subsample},
                  {"colsample_bynode", o.params.rf.colsample_bynode}}},
          {"gbt", {{"learning_rate", o.params.gbt.learning_rate}, {"max_depth", o.params.gbt.max_depth},
                   {"max_rounds", o.params.gbt.max_rounds}, {"early_stopping_rounds", o.params.gbt.early_stopping_rounds},
                   {"subsample", o.params.gbt.subsample}, {"colsample_bytree", o.params.gbt.colsample_bytree},
                   {"validation_fraction", o.params.gbt.validation_fraction}}},
          {"split", spec.split == SplitKind::kTime ? "time" : "stratified"},
          {"test_fraction", spec.test_fraction},
          {"label", spec.label_column.empty() ? spec.spend_column + " >= p" +
                                                    std::to_string(static_cast<int>(spec.label_quantile * 100)) + " of training persons"
                                              : spec.label_column},
          {"fill", spec.fill},
          {"predict_at", spec.predict_at ? nlohmann::json(std::string(MomentName(*spec.predict_at))) : nlohmann::json()}};
}

// A tag that names no column would protect nothing, silently: each must resolve.
StatusOr<MonetaryRule> RuleFor(duck::Connection& conn, const TrainRequest& request) {
  MonetaryRule rule;
  for (const std::string& tag : request.monetary_tags) {
    const size_t dot = tag.rfind('.');
    if (dot == std::string::npos) return std::unexpected(InvalidArgument("monetary tag '" + tag + "' is not table.column"));
    const std::string table = tag.substr(0, dot), column = tag.substr(dot + 1);
    if (Status s = conn.Execute("SELECT " + duck::QuoteIdent(column) + " FROM " + table + " LIMIT 0"); !s.ok()) {
      return std::unexpected(InvalidArgument("monetary tag '" + tag + "' in pipeline.yaml names no column of the "
                                             "lakehouse: " + s.message()));
    }
    PARETO_ASSIGN_OR_RETURN(catalog::TableName name, catalog::TableName::InCatalog(table, request.catalog));
    rule.tagged.insert({name.ToString(), column});
  }
  return rule;
}

// Runs the leakage guard; returns the override statement (empty when nothing was overridden).
StatusOr<std::string> GuardFeatures(catalog::Metastore& ms, duck::Connection& conn, const std::string& table,
                                    const ProtocolSpec& spec, const TrainRequest& request) {
  PARETO_ASSIGN_OR_RETURN(MonetaryRule rule, RuleFor(conn, request));
  PARETO_ASSIGN_OR_RETURN(std::vector<LeakagePath> leaks, FindMonetaryLineage(ms, table, spec.features, rule));
  std::string refused, allowed;
  for (const LeakagePath& leak : leaks) {
    const bool allow = std::find(request.allow_monetary.begin(), request.allow_monetary.end(), leak.feature) !=
                       request.allow_monetary.end();
    std::string& out = allow ? allowed : refused;
    out += (out.empty() ? "" : "; ") + std::string("feature ") + leak.feature + " derives from money: " + leak.ToString();
  }
  if (!refused.empty()) {
    return std::unexpected(InvalidArgument("protocol " + spec.name + " refused: " + refused +
                                           " (money makes the label, never a feature; --allow-monetary FEATURE "
                                           "overrides and is written into the run record and model card)"));
  }
  return allowed;
}

// The point-in-time guard: a protocol that names its prediction moment uses no
// feature known later. Unlike money there is no override: a feature from after
// the moment cannot be had when the prediction is made.
Status GuardPointInTime(catalog::Metastore& ms, duck::Connection& conn, const std::string& table,
                        const ProtocolSpec& spec, const MlConfig& config, const std::string& catalog_name) {
  if (!spec.predict_at) return OkStatus();
  std::map<catalog::ColumnRef, Moment> tags;
  for (const auto& [tag, moment] : config.known_at) {
    const size_t dot = tag.rfind('.');
    const std::string tag_table = tag.substr(0, dot), column = tag.substr(dot + 1);
    // A tag that names no column would protect nothing, silently: each must resolve.
    if (Status s = conn.Execute("SELECT " + duck::QuoteIdent(column) + " FROM " + tag_table + " LIMIT 0"); !s.ok()) {
      return InvalidArgument("known_at tag '" + tag + "' in pipeline.yaml names no column of the lakehouse: " +
                             s.message());
    }
    PARETO_ASSIGN_OR_RETURN(catalog::TableName name, catalog::TableName::InCatalog(tag_table, catalog_name));
    tags[{name.ToString(), column}] = moment;
  }
  PARETO_ASSIGN_OR_RETURN(std::vector<LateFeature> late,
                          FindLateFeatures(ms, table, spec.features, tags, *spec.predict_at));
  if (late.empty()) return OkStatus();
  std::string message = "protocol " + spec.name + " predicts at " + std::string(MomentName(*spec.predict_at)) +
                        " and is refused: ";
  for (size_t i = 0; i < late.size(); ++i) message += (i ? "; " : "") + late[i].ToString();
  message += " (a feature known after the prediction moment is not there when the prediction is made; "
             "remove it from the protocol's features)";
  return InvalidArgument(message);
}

Status SaveModelFiles(Env* env, const Model& model, const std::string& dir) {
  PARETO_RETURN_IF_ERROR(env->CreateDirs(dir));
  return model.Save(dir);
}

}  // namespace

std::string CodeVersion() { return std::string("pareto ") + PARETO_ML_CODE_VERSION; }

StatusOr<Frame> ReadProtocolFrame(duck::Connection& conn, const ProtocolSpec& spec) {
  // Every column is the protocol table's (t), except the baseline's when it lives
  // in another table (b, joined on the id).
  auto col = [](const std::string& name) { return "t." + duck::QuoteIdent(name); };
  std::vector<std::string> select = {col(spec.id_column)};
  if (!spec.label_column.empty()) select.push_back(col(spec.label_column));
  if (!spec.spend_column.empty()) select.push_back(col(spec.spend_column) + "::DOUBLE AS " + duck::QuoteIdent(spec.spend_column));
  if (!spec.time_column.empty()) {
    select.push_back("epoch_us(" + col(spec.time_column) + ") AS " + duck::QuoteIdent(spec.time_column));
  }
  for (const std::string& f : spec.features) select.push_back(col(f) + " AS " + duck::QuoteIdent(f));
  std::string from = spec.table + " AS t";
  if (!spec.baseline_column.empty()) {
    const std::string source = spec.baseline_table.empty() ? "t." : "b.";
    select.push_back(source + duck::QuoteIdent(spec.baseline_column) + "::DOUBLE AS " +
                     duck::QuoteIdent(spec.baseline_column));
    if (!spec.baseline_table.empty()) {
      from += " LEFT JOIN " + spec.baseline_table + " AS b ON b." + duck::QuoteIdent(spec.id_column) + " = " +
              col(spec.id_column);
    }
  }
  std::string sql = "SELECT ";
  for (size_t i = 0; i < select.size(); ++i) sql += (i ? ", " : "") + select[i];
  // A stable row order makes the whole run a function of the data, not of the scan.
  sql += " FROM " + from + " ORDER BY " + col(spec.id_column);
  auto result = conn.Query(sql);
  if (!result.has_value()) return std::unexpected(result.error().WithContext("protocol " + spec.name));
  return FrameFromResult(*result);
}

StatusOr<std::vector<ProtocolOutcome>> RunTraining(catalog::Metastore& ms, duck::Connection& conn,
                                                   const MlConfig& config, const TrainRequest& request, Env* env) {
  std::vector<const ProtocolSpec*> specs;
  if (request.protocols.empty()) {
    for (const ProtocolSpec& p : config.protocols) specs.push_back(&p);
  } else {
    for (const std::string& name : request.protocols) {
      const ProtocolSpec* p = config.FindProtocol(name);
      if (p == nullptr) return std::unexpected(InvalidArgument("no protocol '" + name + "' in pipeline.yaml ml.protocols"));
      specs.push_back(p);
    }
  }
  TrainOptions options = config.train;
  if (request.models) options.models = *request.models;
  if (request.seed) options.seed = *request.seed;
  const std::string root = ms.lakehouse_root();

  std::vector<ProtocolOutcome> outcomes;
  // Inside `pareto run`, a task past its timeout is told to stop
  // (pipeline::TaskCancelled): checked between the long steps, and before a
  // model is recorded or registered, so a timed-out run registers nothing.
  const auto stop_if_cancelled = []() -> Status {
    return pipeline::TaskCancelled() ? ResourceExhausted("training stopped: its task's timeout passed") : OkStatus();
  };
  for (const ProtocolSpec* spec_ptr : specs) {
    PARETO_RETURN_IF_ERROR(stop_if_cancelled());
    ProtocolSpec spec = *spec_ptr;
    if (request.cutoff_us && spec.split == SplitKind::kTime) spec.cutoff_us = request.cutoff_us;
    const int64_t started_us = env->NowMicros();
    PARETO_ASSIGN_OR_RETURN(catalog::TableName table_name, catalog::TableName::InCatalog(spec.table, request.catalog));
    const std::string table = table_name.ToString();

    RunRecord run;
    run.model_name = config.model_name;
    run.protocol = spec.name;
    run.seed = options.seed;
    run.params = ParamsJson(options, spec);
    run.features = spec.features;
    run.code_version = CodeVersion();
    run.pipeline_run_id = request.pipeline_run_id;
    run.started_ms = started_us / 1000;
    PARETO_ASSIGN_OR_RETURN(auto info, ms.GetTable(table));
    int64_t version = -1;  // the Delta log is the one source of a table's version
    if (info) {
      PARETO_ASSIGN_OR_RETURN(version, catalog::DeltaVersion(ms.lakehouse_root(), *info, env));
    }
    run.inputs = nlohmann::json::array({{{"table", table}, {"delta_version", version}}});

    auto trained = [&]() -> StatusOr<ProtocolResult> {
      PARETO_ASSIGN_OR_RETURN(run.leakage_override, GuardFeatures(ms, conn, table, spec, request));
      PARETO_RETURN_IF_ERROR(GuardPointInTime(ms, conn, table, spec, config, request.catalog));
      PARETO_ASSIGN_OR_RETURN(Frame frame, ReadProtocolFrame(conn, spec));
      PARETO_RETURN_IF_ERROR(stop_if_cancelled());
      return TrainProtocol(std::move(frame), spec, options);
    }();
    PARETO_RETURN_IF_ERROR(stop_if_cancelled());
    run.duration_ms = (env->NowMicros() - started_us) / 1000;
    if (!trained.has_value()) {
      run.status = "failed";
      run.message = trained.error().message();
      PARETO_ASSIGN_OR_RETURN(int64_t failed_id, InsertRun(ms, run));
      return std::unexpected(trained.error().WithContext("training run " + std::to_string(failed_id)));
    }
    ProtocolOutcome outcome;
    outcome.result = std::move(*trained);
    outcome.leakage_override = run.leakage_override;
    const ProtocolResult& r = outcome.result;
    run.metrics = ProtocolMetricsJson(r, /*with_curves=*/false);
    run.best_model = r.models[r.best].kind;
    PARETO_ASSIGN_OR_RETURN(outcome.run_id, InsertRun(ms, run));
    run.id = outcome.run_id;

    // The run's files: every model, and metrics with curves (metrics.json).
    const std::string run_dir = "_models/runs/" + std::to_string(run.id);
    for (const ModelResult& m : r.models) PARETO_RETURN_IF_ERROR(SaveModelFiles(env, *m.model, root + "/" + run_dir + "/" + m.kind));
    PARETO_RETURN_IF_ERROR(WriteTextFile(env, root + "/" + run_dir + "/metrics.json", ProtocolMetricsJson(r, true).dump(2) + "\n"));
    PARETO_RETURN_IF_ERROR(UpdateRunArtifacts(ms, run.id, run_dir));
    run.artifacts = run_dir;

    if (request.register_best) {
      const ModelResult& best = r.models[r.best];
      ModelVersion v;
      v.name = config.model_name;
      PARETO_ASSIGN_OR_RETURN(v.version, NextVersion(ms, v.name));
      v.run_id = run.id;
      v.kind = best.kind;
      v.protocol = spec.name;
      v.path = "_models/" + v.name + "/v" + std::to_string(v.version);
      v.roc_auc = best.test.roc_auc;
      v.created_ms = env->NowMicros() / 1000;
      const std::string dir = root + "/" + v.path;
      PARETO_RETURN_IF_ERROR(SaveModelFiles(env, *best.model, dir));
      ModelSpec ms_spec{v.name, v.version, v.kind, spec.name, spec.table, spec.id_column, spec.features,
                        spec.fill, r.encoder, config.score_threshold, run.id};
      PARETO_RETURN_IF_ERROR(WriteTextFile(env, dir + "/spec.json", ToJson(ms_spec).dump(2) + "\n"));
      nlohmann::json metrics = ProtocolMetricsJson(r, true);
      metrics["registered"] = best.kind;
      PARETO_RETURN_IF_ERROR(WriteTextFile(env, dir + "/metrics.json", metrics.dump(2) + "\n"));
      PARETO_RETURN_IF_ERROR(WriteTextFile(env, dir + "/model_card.md", ModelCard(v, r, run)));
      PARETO_RETURN_IF_ERROR(RegisterVersion(ms, v));
      outcome.registered = v;
    }
    outcome.seconds = static_cast<double>(env->NowMicros() - started_us) / 1e6;
    outcomes.push_back(std::move(outcome));
  }
  return outcomes;
}

std::string FormatTrainReport(const std::vector<ProtocolOutcome>& outcomes) {
  std::string out;
  for (const ProtocolOutcome& o : outcomes) {
    out += FormatProtocolTable(o.result);
    out += fmt::format("  run {} ({:.1f} s)", o.run_id, o.seconds);
    if (o.registered) {
      out += fmt::format("; registered {} v{} ({})", o.registered->name, o.registered->version, o.registered->kind);
    }
    out += "\n";
    if (!o.leakage_override.empty()) out += "  LEAKAGE OVERRIDDEN: " + o.leakage_override + "\n";
    out += "\n";
  }
  return out;
}

}  // namespace pareto::ml
