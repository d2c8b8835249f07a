#include "ml/pipeline_tasks.h"

#include <fmt/format.h>

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

// The runner's Env, or the real one when the runner was given none.
Env* EnvOf(const pipeline::TaskContext& ctx) { return ctx.env != nullptr ? ctx.env : Env::Default(); }

}  // namespace

StatusOr<std::vector<pipeline::PostTask>> MlPostTasks(const pipeline::Project& project) {
  PARETO_ASSIGN_OR_RETURN(MlConfig config, MlConfigFromProject(project));
  const ProtocolSpec* spec = config.FindProtocol(config.run_protocol);
  if (spec == nullptr) {
    return std::unexpected(InvalidArgument("ml.run_protocol '" + config.run_protocol + "' is not in ml.protocols"));
  }
  std::vector<pipeline::PostTask> tasks;
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
  tasks.push_back({"ml.score", {spec->table}, [config](pipeline::TaskContext& ctx) -> StatusOr<std::string> {
                     Env* env = EnvOf(ctx);
                     PARETO_ASSIGN_OR_RETURN(auto production, ProductionVersion(ctx.metastore, config.model_name));
                     if (!production) {
                       return std::string("no production model yet (pareto models promote VERSION)");
                     }
                     PARETO_ASSIGN_OR_RETURN(ScoreReport r,
                                             ScorePersons(ctx.lakehouse, ctx.conn, config, ctx.project.catalog, env));
                     return fmt::format("{} persons scored with v{}", r.rows, r.version.version);
                   }});
  return tasks;
}

}  // namespace pareto::ml
