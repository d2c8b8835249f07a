#include "ml/pipeline_tasks.h"

#include <fmt/format.h>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "catalog/table_name.h"

#include "ml/future_value/job.h"
#include "ml/future_value/registration.h"
#include "ml/ml_config.h"
#include "ml/scoring/registry.h"
#include "ml/scoring/scoring.h"
#include "ml/training/train_job.h"

namespace pareto::ml {
namespace {

TrainRequest RequestFor(const pipeline::TaskContext& ctx, const MlConfig& config) {
  TrainRequest request;
  request.catalog = ctx.project.catalog;
  for (const pipeline::ColumnName& c : ctx.project.monetary) request.monetary_tags.push_back(c.ToString());
  request.protocols = {config.run_protocol};
  request.pipeline_run_id = ctx.run_id;
  return request;
}

// The `ml:` section as text: any change of a setting changes the fingerprint.
std::string SettingsText(const pipeline::Project& project) {
  if (!project.ml) return "";
  const pipeline::MlSettings& m = *project.ml;
  nlohmann::json j = {{"model", m.model.value_or("")}, {"run_protocol", m.run_protocol.value_or("")},
                      {"scores_table", m.scores_table.value_or("")},
                      {"seed", m.seed ? nlohmann::json(*m.seed) : nlohmann::json()},
                      {"bootstrap", m.bootstrap_resamples ? nlohmann::json(*m.bootstrap_resamples) : nlohmann::json()},
                      {"cv_folds", m.cv_folds ? nlohmann::json(*m.cv_folds) : nlohmann::json()},
                      {"threshold", m.score_threshold ? nlohmann::json(*m.score_threshold) : nlohmann::json()},
                      {"promote_first", m.promote_first ? nlohmann::json(*m.promote_first) : nlohmann::json()},
                      {"horizon_days", m.horizon_days ? nlohmann::json(*m.horizon_days) : nlohmann::json()},
                      {"models", m.models}};
  nlohmann::json protocols = nlohmann::json::array();
  for (const pipeline::MlProtocolSettings& p : m.protocols) {
    auto opt = [](const std::optional<std::string>& v) { return v.value_or(""); };
    protocols.push_back({p.name, opt(p.description), opt(p.table), opt(p.id), opt(p.label), opt(p.spend), opt(p.time),
                         opt(p.split), opt(p.cutoff), p.label_quantile.value_or(-1), p.test_fraction.value_or(-1),
                         p.features, p.fill});
  }
  j["protocols"] = protocols;
  nlohmann::json monetary = nlohmann::json::array();
  for (const pipeline::ColumnName& c : project.monetary) monetary.push_back(c.ToString());
  j["monetary"] = monetary;
  return j.dump();
}

// The code that trains and scores: the executable itself (its size and
// modification time change with every build), so a new build retrains once.
std::string ExecutableIdentity() {
  std::error_code ec;
  const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return "unknown";
  const auto size = std::filesystem::file_size(exe, ec);
  const auto time = std::filesystem::last_write_time(exe, ec);
  return fmt::format("{}:{}:{}", exe.string(), size, time.time_since_epoch().count());
}

// The Delta version of `table` as the task's connection sees it.
StatusOr<std::string> VersionText(pipeline::TaskContext& ctx, const std::string& table) {
  auto name = catalog::TableName::InCatalog(table, ctx.project.catalog);
  if (!name) return std::unexpected(name.error());
  auto info = ctx.metastore.GetTable(name->ToString());
  if (!info) return std::unexpected(info.error());
  if (!info->has_value()) return std::string("absent");
  PARETO_ASSIGN_OR_RETURN(int64_t v, ctx.lakehouse.Version(**info));
  return std::to_string(v);
}

// The runner's Env, or the real one when the runner was given none.
Env* EnvOf(const pipeline::TaskContext& ctx) { return ctx.env != nullptr ? ctx.env : Env::Default(); }

// The production future-value model (ml/future_value/job.h): trained on the
// snapshots whose label windows end by the newest data, scoring every person there.
std::vector<pipeline::PostTask> FutureValueTasks(const MlConfig& config) {
  const std::string table = fv::kSnapshotsTable;
  std::vector<pipeline::PostTask> tasks;
  tasks.push_back({"ml.train", {table}, [config, table](pipeline::TaskContext& ctx) -> StatusOr<std::string> {
                     PARETO_ASSIGN_OR_RETURN(fv::TrainReport r,
                                             fv::TrainProduction(ctx.metastore.lakehouse_root(), ctx.conn,
                                                                 config.train.seed, EnvOf(ctx)));
                     PARETO_ASSIGN_OR_RETURN(catalog::TableName name,
                                             catalog::TableName::InCatalog(table, ctx.project.catalog));
                     PARETO_ASSIGN_OR_RETURN(
                         ModelVersion v,
                         fv::RegisterProduction(ctx.metastore, r,
                                                {.snapshots_table = name.ToString(), .seed = config.train.seed,
                                                 .pipeline_run_id = ctx.run_id},
                                                EnvOf(ctx)));
                     return fmt::format("future value for the snapshot {}: trained on {} snapshots ({} rows, {} came "
                                        "back) whose windows end by {}, {} rounds; {:.1f} s reading, {:.1f} s "
                                        "fitting; registered {} v{}",
                                        r.scoring_date, r.training_dates.size(), r.rows, r.positives,
                                        r.last_window_end, r.rounds, r.read_seconds, r.seconds - r.read_seconds,
                                        v.name, v.version);
                   }});
  tasks.push_back({"ml.score", {table, "ml.train"}, [config](pipeline::TaskContext& ctx) -> StatusOr<std::string> {
                     PARETO_ASSIGN_OR_RETURN(fv::ScoreReport r,
                                             fv::ScoreProduction(ctx.lakehouse, ctx.conn, config.scores_table,
                                                                 ctx.project.catalog, EnvOf(ctx)));
                     return fmt::format("{} persons scored at {} (horizon {:.0f} days): {:.0f} expected to come back, "
                                        "{:.0f} BRL expected; {:.1f} s reading, {:.1f} s scoring, {:.1f} s writing{}",
                                        r.rows, r.scoring_date, r.horizon_days, r.expected_repeaters,
                                        r.expected_spend_total, r.read_seconds, r.score_seconds,
                                        r.seconds - r.read_seconds - r.score_seconds,
                                        r.bgnbd_error.empty() ? "" : "; no BG/NBD columns: " + r.bgnbd_error);
                   }});
  tasks[0].fingerprint = [table](pipeline::TaskContext& ctx) -> StatusOr<std::string> {
    PARETO_ASSIGN_OR_RETURN(std::string version, VersionText(ctx, table));
    return pipeline::HashFields({"ml.train-fv1", table, version, SettingsText(ctx.project), ExecutableIdentity()});
  };
  // Scoring reads the model training writes: it is up to date when training and the table are.
  tasks[1].fingerprint = [table](pipeline::TaskContext& ctx) -> StatusOr<std::string> {
    PARETO_ASSIGN_OR_RETURN(std::string version, VersionText(ctx, table));
    return pipeline::HashFields({"ml.score-fv1", table, version, SettingsText(ctx.project), ExecutableIdentity()});
  };
  return tasks;
}

}  // namespace

StatusOr<std::vector<pipeline::PostTask>> MlPostTasks(const pipeline::Project& project) {
  PARETO_ASSIGN_OR_RETURN(MlConfig config, MlConfigFromProject(project));
  if (config.run_protocol == kFutureValueProtocol) return FutureValueTasks(config);
  const ProtocolSpec* spec = config.FindProtocol(config.run_protocol);
  if (spec == nullptr) {
    return std::unexpected(InvalidArgument("ml.run_protocol '" + config.run_protocol + "' is not in ml.protocols"));
  }
  std::vector<pipeline::PostTask> tasks;
  // Training is up to date when its feature table's version, the settings and
  // the code are those of its last successful run: no new model version then.
  auto train_fingerprint = [table = spec->table](pipeline::TaskContext& ctx) -> StatusOr<std::string> {
    PARETO_ASSIGN_OR_RETURN(std::string version, VersionText(ctx, table));
    return pipeline::HashFields({"ml.train-v1", table, version, SettingsText(ctx.project), ExecutableIdentity()});
  };
  // Scoring is up to date when the production model and the feature table are
  // those of its last successful run. (The scores table's own version is left
  // out: scoring moves it.)
  auto score_fingerprint = [config, table = spec->table](pipeline::TaskContext& ctx) -> StatusOr<std::string> {
    PARETO_ASSIGN_OR_RETURN(std::string version, VersionText(ctx, table));
    PARETO_ASSIGN_OR_RETURN(auto production, ProductionVersion(ctx.metastore, config.model_name));
    const std::string model = production ? std::to_string(production->version) : "none";
    return pipeline::HashFields({"ml.score-v1", table, version, config.model_name, model,
                                 SettingsText(ctx.project), ExecutableIdentity()});
  };
  tasks.push_back({"ml.train", {spec->table}, [config](pipeline::TaskContext& ctx) -> StatusOr<std::string> {
                     PARETO_ASSIGN_OR_RETURN(auto outcomes,
                                             RunTraining(ctx.metastore, ctx.conn, config, RequestFor(ctx, config),
                                                         EnvOf(ctx)));
                     const ProtocolOutcome& o = outcomes.front();
                     const ModelResult& best = o.result.models[o.result.best];
                     std::string registered;
                     if (o.registered) {
                       registered = fmt::format(", registered v{}", o.registered->version);
                       if (config.promote_first) {
                         PARETO_ASSIGN_OR_RETURN(const bool promoted,
                                                 PromoteIfNoneInProduction(ctx.metastore, config.model_name,
                                                                           o.registered->version,
                                                                           EnvOf(ctx)->NowMicros() / 1000));
                         if (promoted) registered += " (promoted: the first production model)";
                       }
                     }
                     return fmt::format("run {}: {} ROC-AUC {:.3f} [{:.3f}, {:.3f}]{}", o.run_id, best.kind,
                                        best.test.roc_auc, best.test.roc_auc_ci.low, best.test.roc_auc_ci.high,
                                        registered);
                   }});
  // Scoring uses the model training may just have promoted, so it waits for it.
  tasks.push_back({"ml.score", {spec->table, "ml.train"}, [config](pipeline::TaskContext& ctx) -> StatusOr<std::string> {
                     Env* env = EnvOf(ctx);
                     PARETO_ASSIGN_OR_RETURN(auto production, ProductionVersion(ctx.metastore, config.model_name));
                     if (!production) {
                       return std::string("no production model yet (pareto models promote VERSION)");
                     }
                     PARETO_ASSIGN_OR_RETURN(ScoreReport r,
                                             ScorePersons(ctx.lakehouse, ctx.conn, config, ctx.project.catalog, env));
                     return fmt::format("{} persons scored with v{}", r.rows, r.version.version);
                   }});
  tasks[0].fingerprint = train_fingerprint;
  tasks[1].fingerprint = score_fingerprint;
  return tasks;
}

}  // namespace pareto::ml
