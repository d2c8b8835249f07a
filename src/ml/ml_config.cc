#include "ml/ml_config.h"

#include <chrono>
#include <fstream>
#include <sstream>

#include <yaml-cpp/yaml.h>

namespace pareto::ml {
namespace {

template <class T>
T Get(const YAML::Node& node, const char* key, T fallback) {
  const YAML::Node v = node[key];
  return v && !v.IsNull() ? v.as<T>() : fallback;
}

Status ParseProtocol(const std::string& name, const YAML::Node& node, ProtocolSpec& spec) {
  spec.name = name;
  spec.description = Get<std::string>(node, "description", "");
  spec.table = Get<std::string>(node, "table", "");
  spec.id_column = Get<std::string>(node, "id", "customer_unique_id");
  spec.label_column = Get<std::string>(node, "label", "");
  spec.spend_column = Get<std::string>(node, "spend", "");
  spec.label_quantile = Get<double>(node, "label_quantile", 0.75);
  spec.time_column = Get<std::string>(node, "time", "");
  spec.test_fraction = Get<double>(node, "test_fraction", 0.2);
  const std::string split = Get<std::string>(node, "split", "stratified");
  if (split == "stratified") {
    spec.split = SplitKind::kStratified;
  } else if (split == "time") {
    spec.split = SplitKind::kTime;
  } else {
    return InvalidArgument("ml.protocols." + name + ".split: '" + split + "' (expected stratified or time)");
  }
  if (node["features"]) spec.features = node["features"].as<std::vector<std::string>>();
  if (node["fill"]) {
    for (const auto& kv : node["fill"]) spec.fill[kv.first.as<std::string>()] = kv.second.as<double>();
  }
  const std::string cutoff = Get<std::string>(node, "cutoff", "");
  if (!cutoff.empty()) {
    PARETO_ASSIGN_OR_RETURN(int64_t us, ParseDateUs(cutoff));
    spec.cutoff_us = us;
  }
  if (spec.table.empty()) return InvalidArgument("ml.protocols." + name + ": `table` is required");
  if (spec.features.empty()) return InvalidArgument("ml.protocols." + name + ": `features` is required");
  if (spec.label_column.empty() == spec.spend_column.empty()) {
    return InvalidArgument("ml.protocols." + name + ": give exactly one of `label` and `spend`");
  }
  if (spec.split == SplitKind::kTime && spec.time_column.empty()) {
    return InvalidArgument("ml.protocols." + name + ": a time split needs `time`");
  }
  return OkStatus();
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
  const std::chrono::year_month_day ymd{std::chrono::year(y), std::chrono::month(m), std::chrono::day(d)};
  if (!in || dash1 != '-' || dash2 != '-' || !ymd.ok() || !in.eof()) {
    return std::unexpected(InvalidArgument("'" + std::string(date) + "' is not a date (YYYY-MM-DD)"));
  }
  const auto days = std::chrono::sys_days(ymd).time_since_epoch().count();
  return static_cast<int64_t>(days) * 86'400'000'000LL;
}

StatusOr<MlConfig> ParseMlConfig(const std::string& yaml_text, const std::string& where) {
  MlConfig config;
  try {
    const YAML::Node root = YAML::Load(yaml_text);
    const YAML::Node ml = root["ml"];
    if (!ml) return std::unexpected(NotFound(where + " has no `ml:` section"));
    config.model_name = Get<std::string>(ml, "model", config.model_name);
    config.run_protocol = Get<std::string>(ml, "run_protocol", config.run_protocol);
    config.score_threshold = Get<double>(ml, "score_threshold", config.score_threshold);
    config.scores_table = Get<std::string>(ml, "scores_table", config.scores_table);
    config.promote_first = Get<bool>(ml, "promote_first", config.promote_first);
    TrainOptions& t = config.train;
    t.seed = Get<uint64_t>(ml, "seed", t.seed);
    t.bootstrap_resamples = Get<int>(ml, "bootstrap_resamples", t.bootstrap_resamples);
    t.cv_folds = Get<int>(ml, "cv_folds", t.cv_folds);
    if (const YAML::Node models = ml["models"]) {
      if (const YAML::Node lr = models["lr"]) t.params.lr.c = Get<double>(lr, "C", t.params.lr.c);
      if (const YAML::Node rf = models["rf"]) {
        t.params.rf.trees = Get<int>(rf, "trees", t.params.rf.trees);
        t.params.rf.max_depth = Get<int>(rf, "max_depth", t.params.rf.max_depth);
        t.params.rf.subsample = Get<double>(rf, "subsample", t.params.rf.subsample);
        t.params.rf.colsample_bynode = Get<double>(rf, "colsample_bynode", t.params.rf.colsample_bynode);
      }
      if (const YAML::Node g = models["gbt"]) {
        t.params.gbt.learning_rate = Get<double>(g, "learning_rate", t.params.gbt.learning_rate);
        t.params.gbt.max_depth = Get<int>(g, "max_depth", t.params.gbt.max_depth);
        t.params.gbt.max_rounds = Get<int>(g, "max_rounds", t.params.gbt.max_rounds);
        t.params.gbt.early_stopping_rounds = Get<int>(g, "early_stopping_rounds", t.params.gbt.early_stopping_rounds);
        t.params.gbt.subsample = Get<double>(g, "subsample", t.params.gbt.subsample);
        t.params.gbt.colsample_bytree = Get<double>(g, "colsample_bytree", t.params.gbt.colsample_bytree);
        t.params.gbt.validation_fraction = Get<double>(g, "validation_fraction", t.params.gbt.validation_fraction);
      }
    }
    if (const YAML::Node protocols = ml["protocols"]) {
      for (const auto& kv : protocols) {
        ProtocolSpec spec;
        Status s = ParseProtocol(kv.first.as<std::string>(), kv.second, spec);
        if (!s.ok()) return std::unexpected(s.WithContext(where));
        config.protocols.push_back(std::move(spec));
      }
    }
  } catch (const YAML::Exception& e) {
    return std::unexpected(InvalidArgument(where + ": " + e.what()));
  }
  if (config.protocols.empty()) return std::unexpected(InvalidArgument(where + ": ml.protocols is empty"));
  return config;
}

StatusOr<MlConfig> LoadMlConfig(const std::string& project_dir) {
  const std::string path = project_dir + "/pipeline.yaml";
  std::ifstream in(path);
  if (!in) return std::unexpected(NotFound("cannot read " + path));
  std::stringstream text;
  text << in.rdbuf();
  return ParseMlConfig(text.str(), path);
}

}  // namespace pareto::ml
