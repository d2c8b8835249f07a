// ML commands: train, models (list, show, promote), score, audience.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include <fmt/format.h>

#include "catalog/audit.h"
#include "catalog/grants.h"
#include "catalog/lakehouse.h"
#include "catalog/policy_identity.h"
#include "catalog/principals.h"
#include "catalog/sql_session.h"
#include "catalog/table_name.h"
#include "catalog/writer_lock.h"
#include "cli/output.h"
#include "cli/privileges.h"
#include "cli/registrars.h"
#include "ml/future_value/evaluation.h"
#include "ml/future_value/job.h"
#include "ml/future_value/registration.h"
#include "ml/ml_config.h"
#include "ml/pipeline_tasks.h"
#include "ml/scoring/registry.h"
#include "ml/scoring/scoring.h"
#include "ml/training/train_job.h"
#include "pipeline/project.h"

namespace pareto::cli {
namespace {

using nlohmann::json;

StatusOr<catalog::Lakehouse> OpenLakehouse(const CliContext& ctx) {
  return catalog::Lakehouse::OpenExisting(ctx.lakehouse, ctx.env);
}

// "10%" or "0.1" -> 0.1.
StatusOr<double> ParseFraction(const std::string& text) {
  std::string t = text;
  const bool percent = !t.empty() && t.back() == '%';
  if (percent) t.pop_back();
  char* end = nullptr;
  const double v = std::strtod(t.c_str(), &end);
  if (t.empty() || end != t.c_str() + t.size()) {
    return std::unexpected(InvalidArgument("--top " + text + ": expected a share such as 10% or 0.1"));
  }
  return percent ? v / 100.0 : v;
}

std::vector<std::string> SplitList(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream in(text);
  for (std::string item; std::getline(in, item, ',');) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

json VersionJson(const ml::ModelVersion& v) {
  return {{"name", v.name},         {"version", v.version},       {"run_id", v.run_id},
          {"kind", v.kind},         {"protocol", v.protocol},     {"path", v.path},
          {"roc_auc", v.roc_auc},   {"stage", v.stage},           {"created_ms", v.created_ms},
          {"promoted_ms", v.promoted_ms ? json(*v.promoted_ms) : json()}};
}

struct TrainArgs {
  std::string protocol = "all";
  std::string models;
  std::optional<uint64_t> seed;
  std::string cutoff;
  std::vector<std::string> allow_monetary;
  bool no_register = false;
  bool evaluate = false;
  std::string as;  // --as USER (default: the admin)
};

// Training reads each protocol's table (and the future-value snapshots with
// --evaluate) and registers its model beside its features: SELECT on each
// input, MODIFY on its schema when registering.
StatusOr<std::vector<Need>> TrainNeeds(const ml::MlConfig& config, const TrainArgs& args, const std::string& catalog) {
  std::vector<std::string> tables;
  const std::vector<std::string> chosen = args.protocol == "all" ? std::vector<std::string>{} : SplitList(args.protocol);
  for (const ml::ProtocolSpec& p : config.protocols) {
    if (chosen.empty() || std::find(chosen.begin(), chosen.end(), p.name) != chosen.end()) tables.push_back(p.table);
  }
  if (args.evaluate) tables.push_back(ml::fv::kSnapshotsTable);
  std::vector<Need> needs;
  for (const std::string& table : tables) {
    PARETO_ASSIGN_OR_RETURN(catalog::Securable input, TableSecurable(table, catalog));
    needs.push_back({catalog::Privilege::kSelect, input});
    if (args.no_register) continue;
    PARETO_ASSIGN_OR_RETURN(catalog::Securable home, SchemaOfTable(table, catalog));
    needs.push_back({catalog::Privilege::kModify, home});
  }
  return needs;
}

Status Train(CliContext& ctx, const TrainArgs& args) {
  PARETO_ASSIGN_OR_RETURN(catalog::Lakehouse lakehouse, OpenLakehouse(ctx));
  catalog::Metastore& ms = lakehouse.metastore();
  PARETO_ASSIGN_OR_RETURN(pipeline::Project project, pipeline::LoadProject(ctx.ProjectDir(), ctx.env));
  PARETO_ASSIGN_OR_RETURN(ml::MlConfig config, ml::MlConfigFromProject(project));
  // Refused before any work (and before taking the writer lock).
  PARETO_ASSIGN_OR_RETURN(std::vector<Need> needs, TrainNeeds(config, args, project.catalog));
  PARETO_RETURN_IF_ERROR(CheckPrivileges(ms, args.as, "train", "pareto train", needs));
  PARETO_ASSIGN_OR_RETURN(auto lock, catalog::WriterLock::Acquire(ctx.lakehouse, ctx.env->NowMicros() / 1000));
  ml::TrainRequest request;
  request.catalog = project.catalog;
  for (const pipeline::ColumnName& c : project.monetary) request.monetary_tags.push_back(c.ToString());
  if (args.protocol != "all") request.protocols = SplitList(args.protocol);
  if (!args.models.empty()) request.models = SplitList(args.models);
  request.seed = args.seed;
  if (!args.cutoff.empty()) {
    PARETO_ASSIGN_OR_RETURN(int64_t cutoff, ml::ParseDateUs(args.cutoff));
    request.cutoff_us = cutoff;
  }
  request.allow_monetary = args.allow_monetary;
  request.register_best = !args.no_register;
  PARETO_ASSIGN_OR_RETURN(catalog::SqlSession session, lakehouse.OpenSession({.read_only = false}));
  if (args.evaluate) {
    // The future-value protocol's out-of-time evaluation, kept beside the production model.
    PARETO_ASSIGN_OR_RETURN(ml::fv::Snapshots data, ml::fv::ReadSnapshots(session.connection(), ml::fv::kSnapshotsTable));
    PARETO_ASSIGN_OR_RETURN(ml::fv::FvEvaluation evaluation,
                            ml::fv::Evaluate(data, config.train.bootstrap_resamples,
                                             args.seed.value_or(config.train.seed)));
    const std::string text = ml::fv::FormatEvaluation(evaluation);
    const std::string dir = lakehouse.root() + "/_models/future_value";
    PARETO_RETURN_IF_ERROR(ctx.env->CreateDirs(dir));
    PARETO_RETURN_IF_ERROR(ctx.env->WriteFile(dir + "/evaluation.txt", text, true));
    PARETO_RETURN_IF_ERROR(ctx.env->WriteFile(ml::fv::EvaluationPath(lakehouse.root()),
                                              ml::fv::EvaluationJson(evaluation).dump(1) + "\n", true));
    if (!ctx.json) std::cout << text << "(kept in " << dir << "/evaluation.txt)\n";
    if (!args.no_register) {
      // The production model for the newest snapshot, registered with this evaluation.
      const uint64_t seed = args.seed.value_or(config.train.seed);
      PARETO_ASSIGN_OR_RETURN(ml::fv::TrainReport r,
                              ml::fv::TrainProduction(lakehouse.root(), session.connection(), seed, ctx.env));
      PARETO_ASSIGN_OR_RETURN(catalog::TableName name,
                              catalog::TableName::InCatalog(ml::fv::kSnapshotsTable, project.catalog));
      PARETO_ASSIGN_OR_RETURN(ml::ModelVersion v,
                              ml::fv::RegisterProduction(ms, r, {.snapshots_table = name.ToString(), .seed = seed},
                                                         ctx.env));
      if (ctx.json) {
        std::cout << json{{"registered", VersionJson(v)}, {"evaluation", ml::fv::EvaluationJson(evaluation)}}.dump()
                  << "\n";
      } else {
        std::cout << fmt::format("registered {} v{} (production): snapshot {}, trained through {}, horizon {:.0f} "
                                 "days\n",
                                 v.name, v.version, r.scoring_date, r.last_window_end, r.horizon_days);
      }
    }
    if (!ctx.json) std::cout << "\n";
  }
  PARETO_ASSIGN_OR_RETURN(auto outcomes, ml::RunTraining(ms, session.connection(), config, request, ctx.env));
  if (ctx.json) {
    for (const ml::ProtocolOutcome& o : outcomes) {
      json j = ml::ProtocolMetricsJson(o.result, /*with_curves=*/false);
      j["run_id"] = o.run_id;
      if (o.registered) j["registered"] = VersionJson(*o.registered);
      j["leakage_override"] = o.leakage_override;
      std::cout << j.dump() << "\n";
    }
  } else {
    std::cout << ml::FormatTrainReport(outcomes);
  }
  return OkStatus();
}

Status ListModels(CliContext& ctx) {
  PARETO_ASSIGN_OR_RETURN(catalog::Lakehouse lakehouse, OpenLakehouse(ctx));
  catalog::Metastore& ms = lakehouse.metastore();
  PARETO_ASSIGN_OR_RETURN(ml::MlConfig config, ml::LoadMlConfig(ctx.ProjectDir(), ctx.env));
  // The high-value model's versions, then the production future-value model's.
  PARETO_ASSIGN_OR_RETURN(auto versions, ml::ListVersions(ms, config.model_name));
  PARETO_ASSIGN_OR_RETURN(auto fv_versions, ml::ListVersions(ms, ml::fv::kModelName));
  versions.insert(versions.end(), fv_versions.begin(), fv_versions.end());
  if (ctx.json) {
    for (const ml::ModelVersion& v : versions) std::cout << VersionJson(v).dump() << "\n";
    return OkStatus();
  }
  // Every model figure is printed beside its protocol's trivial baseline (from the
  // version's metrics.json; "-" for versions trained before baselines existed).
  auto baseline_of = [&](const ml::ModelVersion& v) -> std::string {
    auto text = ctx.env->ReadFile((std::filesystem::path(lakehouse.root()) / v.path / "metrics.json").string());
    if (!text.has_value()) return "-";
    const json j = json::parse(*text, nullptr, /*allow_exceptions=*/false);
    if (!j.is_object() || !j.contains("baseline")) {
      return j.is_object() && j.contains("evaluation_note") ? "not evaluated" : "-";
    }
    const json& b = j["baseline"];
    const double auc = b.value("roc_auc", 0.0);
    return fmt::format("{:.3f} ({}){}", auc, b.value("column", ""), v.roc_auc > auc ? "" : " not beaten");
  };
  TextTable table{{"model", "version", "stage", "kind", "protocol", "ROC-AUC", "baseline ROC-AUC", "run"},
                  {},
                  {false, true, false, false, false, true, false, true}};
  for (const ml::ModelVersion& v : versions) {
    const std::string baseline = baseline_of(v);
    table.rows.push_back({v.name, std::to_string(v.version), v.stage, v.kind, v.protocol,
                          baseline == "not evaluated" ? "-" : fmt::format("{:.3f}", v.roc_auc), baseline,
                          std::to_string(v.run_id)});
  }
  PrintTextTable(std::cout, table);
  return OkStatus();
}

Status ShowModel(CliContext& ctx, int64_t version, const std::string& model) {
  PARETO_ASSIGN_OR_RETURN(catalog::Lakehouse lakehouse, OpenLakehouse(ctx));
  catalog::Metastore& ms = lakehouse.metastore();
  PARETO_ASSIGN_OR_RETURN(ml::MlConfig config, ml::LoadMlConfig(ctx.ProjectDir(), ctx.env));
  const std::string name = model.empty() ? config.model_name : model;
  PARETO_ASSIGN_OR_RETURN(auto v, ml::GetVersion(ms, name, version));
  if (!v) return NotFound(fmt::format("model {} has no version {} (see `pareto models`)", name, version));
  PARETO_ASSIGN_OR_RETURN(auto run, ml::GetRun(ms, v->run_id));
  if (ctx.json) {
    json j = VersionJson(*v);
    if (run) {
      j["run"] = {{"id", run->id}, {"protocol", run->protocol}, {"seed", run->seed}, {"params", run->params},
                  {"features", run->features}, {"inputs", run->inputs}, {"metrics", run->metrics},
                  {"leakage_override", run->leakage_override}, {"code_version", run->code_version},
                  {"duration_ms", run->duration_ms}, {"started_ms", run->started_ms}};
    }
    std::cout << j.dump(2) << "\n";
    return OkStatus();
  }
  PARETO_ASSIGN_OR_RETURN(std::string card, ctx.env->ReadFile(ms.lakehouse_root() + "/" + v->path + "/model_card.md"));
  std::cout << fmt::format("{} v{} [{}] at {}/{}\n\n", v->name, v->version, v->stage, ms.lakehouse_root(), v->path)
            << card;
  return OkStatus();
}

Status PromoteModel(CliContext& ctx, int64_t version) {
  PARETO_ASSIGN_OR_RETURN(catalog::Lakehouse lakehouse, OpenLakehouse(ctx));
  // The registry's stages are written by train and run too: one writer at a time.
  PARETO_ASSIGN_OR_RETURN(auto lock, catalog::WriterLock::Acquire(ctx.lakehouse, ctx.env->NowMicros() / 1000));
  catalog::Metastore& ms = lakehouse.metastore();
  PARETO_ASSIGN_OR_RETURN(ml::MlConfig config, ml::LoadMlConfig(ctx.ProjectDir(), ctx.env));
  PARETO_RETURN_IF_ERROR(ml::Promote(ms, config.model_name, version, ctx.env->NowMicros() / 1000));
  std::cout << fmt::format("{} v{} is now the production model; `pareto score` uses it\n", config.model_name, version);
  return OkStatus();
}

Status Score(CliContext& ctx, const std::string& as) {
  PARETO_ASSIGN_OR_RETURN(catalog::Lakehouse lakehouse, OpenLakehouse(ctx));
  PARETO_ASSIGN_OR_RETURN(pipeline::Project project, pipeline::LoadProject(ctx.ProjectDir(), ctx.env));
  PARETO_ASSIGN_OR_RETURN(ml::MlConfig config, ml::MlConfigFromProject(project));
  {
    // Scoring reads the production model's input table and writes the scores table.
    std::string input = ml::fv::kSnapshotsTable;
    if (config.run_protocol != ml::kFutureValueProtocol) {
      const ml::ProtocolSpec* protocol = config.FindProtocol(config.run_protocol);
      if (protocol == nullptr) return InvalidArgument("ml.run_protocol " + config.run_protocol + " is not a protocol");
      input = protocol->table;
    }
    PARETO_ASSIGN_OR_RETURN(catalog::Securable read, TableSecurable(input, project.catalog));
    PARETO_ASSIGN_OR_RETURN(catalog::Securable written, TableSecurable(config.scores_table, project.catalog));
    PARETO_RETURN_IF_ERROR(CheckPrivileges(lakehouse.metastore(), as, "score", "pareto score",
                                           {{catalog::Privilege::kSelect, read}, {catalog::Privilege::kModify, written}}));
  }
  PARETO_ASSIGN_OR_RETURN(auto lock, catalog::WriterLock::Acquire(ctx.lakehouse, ctx.env->NowMicros() / 1000));
  PARETO_ASSIGN_OR_RETURN(catalog::SqlSession session, lakehouse.OpenSession({.read_only = false}));
  if (config.run_protocol == ml::kFutureValueProtocol) {
    // The future-value model `pareto run` trained (ml.train) for the newest snapshot.
    PARETO_ASSIGN_OR_RETURN(ml::fv::ScoreReport r, ml::fv::ScoreProduction(lakehouse, session.connection(),
                                                                           config.scores_table, project.catalog,
                                                                           ctx.env));
    if (ctx.json) {
      std::cout << json{{"table", r.table}, {"rows", r.rows}, {"delta_version", r.delta_version},
                        {"snapshot_date", r.scoring_date}, {"horizon_days", r.horizon_days},
                        {"expected_repeaters", r.expected_repeaters}, {"expected_spend", r.expected_spend_total},
                        {"bgnbd_error", r.bgnbd_error},
                        {"seconds", r.seconds}}.dump()
                << "\n";
    } else {
      std::cout << fmt::format("scored {} persons at {} (horizon {:.0f} days) into {} version {}: {:.0f} expected to "
                               "come back, {:.0f} BRL expected ({:.2f} s){}\n",
                               r.rows, r.scoring_date, r.horizon_days, r.table, r.delta_version, r.expected_repeaters,
                               r.expected_spend_total, r.seconds,
                               r.bgnbd_error.empty() ? "" : "; no BG/NBD columns: " + r.bgnbd_error);
    }
    return OkStatus();
  }
  PARETO_ASSIGN_OR_RETURN(ml::ScoreReport report, ml::ScorePersons(lakehouse, session.connection(), config, project.catalog, ctx.env));
  if (ctx.json) {
    std::cout << json{{"table", report.table}, {"rows", report.rows}, {"delta_version", report.delta_version},
                      {"model", VersionJson(report.version)}, {"threshold", report.threshold},
                      {"predicted_high_value", report.predicted_positive}, {"seconds", report.seconds}}.dump()
              << "\n";
  } else {
    std::cout << ml::FormatScoreReport(report);
  }
  return OkStatus();
}

Status Audience(CliContext& ctx, const std::string& top, const std::string& by, const std::string& out,
                const std::string& as) {
  PARETO_ASSIGN_OR_RETURN(double fraction, ParseFraction(top));
  PARETO_ASSIGN_OR_RETURN(catalog::Lakehouse lakehouse, OpenLakehouse(ctx));
  PARETO_ASSIGN_OR_RETURN(pipeline::Project project, pipeline::LoadProject(ctx.ProjectDir(), ctx.env));
  PARETO_ASSIGN_OR_RETURN(ml::MlConfig config, ml::MlConfigFromProject(project));
  catalog::Metastore& ms = lakehouse.metastore();
  {
    // The CSV holds whole rows of the scores table, read outside a governed
    // session: SELECT on it, and no mask or row filter that would change them
    // for the user (those read it through `pareto sql --as`).
    PARETO_ASSIGN_OR_RETURN(catalog::Securable scores, TableSecurable(config.scores_table, project.catalog));
    const std::string text = "pareto audience --top " + top + " --by " + by + " --out " + out;
    PARETO_RETURN_IF_ERROR(CheckPrivileges(ms, as, "audience", text, {{catalog::Privilege::kSelect, scores}}));
    PARETO_ASSIGN_OR_RETURN(catalog::Principal who, catalog::LoadPrincipal(ms, ActingUser(as)));
    PARETO_ASSIGN_OR_RETURN(bool unchanged, catalog::PoliciesLeaveTableUnchanged(ms, who, scores.name));
    if (!unchanged) {
      const std::string reason = scores.name + " has a column mask or row filter for " + who.name +
                                 ": an audience writes whole rows; read them masked with `pareto sql --as " +
                                 who.name + "`";
      PARETO_RETURN_IF_ERROR(catalog::RecordAudit(ms, {.principal = who.name, .source = "cli", .action = "audience",
                                                       .text = text, .objects = {scores.name}, .allowed = false,
                                                       .reason = reason}));
      return PermissionDenied("audience: " + reason);
    }
  }
  // The header's count of persons with an order reads silver: only for whom may see it.
  PARETO_ASSIGN_OR_RETURN(catalog::Access access, catalog::Access::Load(ms, ActingUser(as)));
  PARETO_ASSIGN_OR_RETURN(catalog::Securable fact, TableSecurable("silver.slv_order_fact", project.catalog));
  const bool count_persons = access.Decide(catalog::Privilege::kSelect, fact).allowed;
  PARETO_ASSIGN_OR_RETURN(catalog::SqlSession session, lakehouse.OpenSession({.read_only = false}));
  if (config.run_protocol == ml::kFutureValueProtocol) {
    PARETO_ASSIGN_OR_RETURN(ml::fv::AudienceReport r, ml::fv::WriteAudience(session.connection(), config.scores_table,
                                                                            fraction, by, out, count_persons));
    // How the audience was chosen travels with it: printed, and beside the CSV.
    const std::string header = r.Header();
    PARETO_RETURN_IF_ERROR(ctx.env->WriteFile(out + ".about.txt", header, true));
    std::cout << header << fmt::format("wrote {} persons to {} (how they were chosen: {}.about.txt)\n", r.selected,
                                       out, out);
    return OkStatus();
  }
  PARETO_ASSIGN_OR_RETURN(int64_t n, ml::WriteAudience(session.connection(), config, fraction, out));
  std::cout << fmt::format("wrote {} persons (top {}) to {}\n", n, top, out);
  return OkStatus();
}

}  // namespace

void RegisterMlCommands(CLI::App& app, CliContext& ctx) {
  auto train_args = std::make_shared<TrainArgs>();
  CLI::App* train = app.add_subcommand("train", "Train and evaluate the high-value comparison protocols (seed, early); with --evaluate, first the future-value model out of time");
  train->add_option("--protocol", train_args->protocol, "seed, early, a comma list, or all (default)");
  train->add_option("--models", train_args->models, "Comma list of lr, rf, gbt (default: all three)");
  train->add_option("--seed", train_args->seed, "Seed of splits, bootstrap and models (default: pipeline.yaml ml.seed)");
  train->add_option("--cutoff", train_args->cutoff, "Out-of-time cutoff date YYYY-MM-DD for time-split protocols");
  train->add_option("--allow-monetary", train_args->allow_monetary,
                    "Let this feature through although its lineage reaches money (recorded in the run and model card)");
  train->add_flag("--no-register", train_args->no_register, "Record the run but register no model version");
  train->add_flag("--evaluate", train_args->evaluate,
                  "Also evaluate the future-value model out of time (every cutoff, bootstrap, baselines) first");
  train->add_option("--as", train_args->as, "Act as this user: refused (exit 77) unless they may SELECT the inputs and MODIFY where the model goes");
  train->callback([&ctx, train_args] { ctx.action = [&ctx, train_args] { return Train(ctx, *train_args); }; });

  CLI::App* models = app.add_subcommand("models", "List the registered versions of the model; show or promote one");
  models->require_subcommand(0, 1);
  models->callback([&ctx, models] {
    if (models->get_subcommands().empty()) ctx.action = [&ctx] { return ListModels(ctx); };
  });
  auto show_version = std::make_shared<int64_t>(0);
  auto show_model = std::make_shared<std::string>();
  CLI::App* show = models->add_subcommand("show", "A version's model card (--json: its run record)");
  show->add_option("VERSION", *show_version, "Version number")->required();
  show->add_option("--model", *show_model,
                   "Which model: future_value, or the high-value model of pipeline.yaml (the default)");
  show->callback([&ctx, show_version, show_model] {
    ctx.action = [&ctx, show_version, show_model] { return ShowModel(ctx, *show_version, *show_model); };
  });
  auto promote_version = std::make_shared<int64_t>(0);
  CLI::App* promote = models->add_subcommand("promote", "Make a version the production model (the one `pareto score` uses)");
  promote->add_option("VERSION", *promote_version, "Version number")->required();
  promote->callback([&ctx, promote_version] {
    ctx.action = [&ctx, promote_version] { return PromoteModel(ctx, *promote_version); };
  });

  CLI::App* score = app.add_subcommand("score", "Score every person with the production model into gold.gld_customer_scores");
  auto score_as = std::make_shared<std::string>();
  score->add_option("--as", *score_as, "Act as this user: refused (exit 77) unless they may SELECT the input and MODIFY the scores table");
  score->callback([&ctx, score_as] { ctx.action = [&ctx, score_as] { return Score(ctx, *score_as); }; });

  auto top = std::make_shared<std::string>("10%");
  auto out = std::make_shared<std::string>();
  auto by = std::make_shared<std::string>("expected_spend");
  CLI::App* audience = app.add_subcommand(
      "audience", "Write the persons of highest future value (or, with the early protocol, likeliest high value) to a CSV file");
  audience->add_option("--top", *top, "Share of persons, e.g. 10% (default) or 0.1");
  audience->add_option("--by", *by,
                       "Ranking: expected_spend (default), repeat_probability, expected_purchases or p_alive");
  audience->add_option("--out", *out, "CSV file to write")->required();
  auto audience_as = std::make_shared<std::string>();
  audience->add_option("--as", *audience_as,
                       "Act as this user: refused (exit 77) unless they may SELECT the scores table and no column mask "
                       "or row filter of it applies to them");
  audience->callback([&ctx, top, by, out, audience_as] {
    ctx.action = [&ctx, top, by, out, audience_as] { return Audience(ctx, *top, *by, *out, *audience_as); };
  });
}

}  // namespace pareto::cli
