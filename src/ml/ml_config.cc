#include "ml/ml_config.h"

#include <chrono>
#include <sstream>

#include "pipeline/project_file.h"

namespace pareto::ml {
namespace {

template <class T, class U>
void Set(T& out, const std::optional<U>& value) {
  if (value) out = static_cast<T>(*value);
}

// `models.<kind>.<key>` when given.
template <class T>
void SetParam(T& out, const pipeline::MlSettings& ml, const std::string& kind,
              const std::string& key) {
  const auto k = ml.models.find(kind);
  if (k == ml.models.end()) return;
  const auto v = k->second.find(key);
  if (v != k->second.end()) out = static_cast<T>(v->second);
}

Status FromSettings(const pipeline::MlProtocolSettings& p, ProtocolSpec& spec) {
  const std::string at = "ml.protocols." + p.name;
  spec.name = p.name;
  spec.description = p.description.value_or("");
  spec.table = p.table.value_or("");
  spec.id_column = p.id.value_or("customer_unique_id");
  spec.label_column = p.label.value_or("");
  spec.spend_column = p.spend.value_or("");
  spec.label_quantile = p.label_quantile.value_or(0.75);
  spec.time_column = p.time.value_or("");
  spec.test_fraction = p.test_fraction.value_or(0.2);
  const std::string split = p.split.value_or("stratified");
  if (split == "stratified") {
    spec.split = SplitKind::kStratified;
  } else if (split == "time") {
    spec.split = SplitKind::kTime;
  } else {
    return InvalidArgument(at + ".split: '" + split + "' (expected stratified or time)");
  }
  spec.features = p.features;
  for (const auto& [column, value] : p.fill) spec.fill[column] = value;
  if (p.cutoff && !p.cutoff->empty()) {
    PARETO_ASSIGN_OR_RETURN(int64_t us, ParseDateUs(*p.cutoff));
    spec.cutoff_us = us;
  }
  if (p.baseline) spec.baseline_column = *p.baseline;
  if (p.baseline_table) {
    if (!p.baseline) return InvalidArgument(at + ": `baseline_table` needs `baseline`");
    spec.baseline_table = *p.baseline_table;
  }
  if (p.predict_at) {
    PARETO_ASSIGN_OR_RETURN(Moment m, ParseMoment(*p.predict_at));
    spec.predict_at = m;
  }
  if (spec.table.empty()) return InvalidArgument(at + ": `table` is required");
  if (spec.features.empty()) return InvalidArgument(at + ": `features` is required");
  if (spec.label_column.empty() == spec.spend_column.empty()) {
    return InvalidArgument(at + ": give exactly one of `label` and `spend`");
  }
  if (spec.split == SplitKind::kTime && spec.time_column.empty()) {
    return InvalidArgument(at + ": a time split needs `time`");
  }
  return OkStatus();
}

StatusOr<MlConfig> FromSettings(const std::optional<pipeline::MlSettings>& settings,
                                const std::string& where) {
  if (!settings) return std::unexpected(NotFound(where + " has no `ml:` section"));
  const pipeline::MlSettings& ml = *settings;
  MlConfig config;
  Set(config.model_name, ml.model);
  Set(config.run_protocol, ml.run_protocol);
  Set(config.score_threshold, ml.score_threshold);
  Set(config.scores_table, ml.scores_table);
  Set(config.promote_first, ml.promote_first);
  TrainOptions& t = config.train;
  Set(t.seed, ml.seed);
  Set(t.bootstrap_resamples, ml.bootstrap_resamples);
  Set(t.cv_folds, ml.cv_folds);
  SetParam(t.params.lr.c, ml, "lr", "C");
  SetParam(t.params.rf.trees, ml, "rf", "trees");
  SetParam(t.params.rf.max_depth, ml, "rf", "max_depth");
  SetParam(t.params.rf.subsample, ml, "rf", "subsample");
  SetParam(t.params.rf.colsample_bynode, ml, "rf", "colsample_bynode");
  SetParam(t.params.gbt.learning_rate, ml, "gbt", "learning_rate");
  SetParam(t.params.gbt.max_depth, ml, "gbt", "max_depth");
  SetParam(t.params.gbt.max_rounds, ml, "gbt", "max_rounds");
  SetParam(t.params.gbt.early_stopping_rounds, ml, "gbt", "early_stopping_rounds");
  SetParam(t.params.gbt.subsample, ml, "gbt", "subsample");
  SetParam(t.params.gbt.colsample_bytree, ml, "gbt", "colsample_bytree");
  SetParam(t.params.gbt.validation_fraction, ml, "gbt", "validation_fraction");
  for (const pipeline::MlProtocolSettings& p : ml.protocols) {
    ProtocolSpec spec;
    Status s = FromSettings(p, spec);
    if (!s.ok()) return std::unexpected(s.WithContext(where));
    config.protocols.push_back(std::move(spec));
  }
  if (config.protocols.empty())
    return std::unexpected(InvalidArgument(where + ": ml.protocols is empty"));
  for (const auto& [moment, column] : ml.known_at) {
    auto m = ParseMoment(moment);
    if (!m.has_value()) return std::unexpected(m.error().WithContext(where + ": known_at"));
    config.known_at.push_back({column, *m});
  }
  return config;
}

}  // namespace

const ProtocolSpec* MlConfig::FindProtocol(std::string_view name) const {
  for (const ProtocolSpec& p : protocols) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

StatusOr<int64_t> ParseDateUs(std::string_view date) {
  int y = 0;
  unsigned m = 0, d = 0;
  char dash1 = 0, dash2 = 0;
  std::istringstream in{std::string(date)};
  in >> y >> dash1 >> m >> dash2 >> d;
  const std::chrono::year_month_day ymd{std::chrono::year(y), std::chrono::month(m),
                                        std::chrono::day(d)};
  if (!in || dash1 != '-' || dash2 != '-' || !ymd.ok() || !in.eof()) {
    return std::unexpected(
        InvalidArgument("'" + std::string(date) + "' is not a date (YYYY-MM-DD)"));
  }
  const auto days = std::chrono::sys_days(ymd).time_since_epoch().count();
  return static_cast<int64_t>(days) * 86'400'000'000LL;
}

StatusOr<MlConfig> MlConfigFromProject(const pipeline::Project& project) {
  return FromSettings(project.ml, project.file);
}

StatusOr<MlConfig> LoadMlConfig(const std::string& project_dir, Env* env) {
  PARETO_ASSIGN_OR_RETURN(pipeline::Project project, pipeline::LoadProject(project_dir, env));
  return MlConfigFromProject(project);
}

StatusOr<MlConfig> ParseMlConfig(const std::string& yaml_text, const std::string& where) {
  PARETO_ASSIGN_OR_RETURN(pipeline::ProjectFile file, pipeline::ParseProjectFile(yaml_text, where));
  return FromSettings(file.ml, where);
}

}  // namespace pareto::ml
