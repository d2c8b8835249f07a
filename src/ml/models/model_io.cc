#include "ml/models/model_io.h"

#include "ml/models/logistic.h"
#include "ml/models/tree_models.h"

namespace pareto::ml {

nlohmann::json ToJson(const ModelSpec& s) {
  return {{"name", s.name},         {"version", s.version},   {"kind", s.kind},
          {"protocol", s.protocol}, {"table", s.table},       {"id_column", s.id_column},
          {"features", s.features}, {"fill", s.fill},         {"encoder", s.encoder.ToJson()},
          {"feature_names", s.encoder.FeatureNames()},        {"threshold", s.threshold},
          {"run_id", s.run_id}};
}

StatusOr<ModelSpec> ModelSpecFromJson(const nlohmann::json& j) {
  ModelSpec s;
  try {
    s.name = j.at("name").get<std::string>();
    s.version = j.at("version").get<int64_t>();
    s.kind = j.at("kind").get<std::string>();
    s.protocol = j.at("protocol").get<std::string>();
    s.table = j.at("table").get<std::string>();
    s.id_column = j.at("id_column").get<std::string>();
    s.features = j.at("features").get<std::vector<std::string>>();
    s.fill = j.at("fill").get<std::map<std::string, double>>();
    s.threshold = j.at("threshold").get<double>();
    s.run_id = j.at("run_id").get<int64_t>();
    PARETO_ASSIGN_OR_RETURN(s.encoder, Encoder::FromJson(j.at("encoder")));
  } catch (const nlohmann::json::exception& e) {
    return std::unexpected(DataError(std::string("model spec.json: ") + e.what()));
  }
  return s;
}

StatusOr<ModelSpec> ReadModelSpec(const std::string& dir, Env* env) {
  PARETO_ASSIGN_OR_RETURN(std::string text, env->ReadFile(dir + "/spec.json"));
  try {
    return ModelSpecFromJson(nlohmann::json::parse(text));
  } catch (const nlohmann::json::exception& e) {
    return std::unexpected(DataError(dir + "/spec.json: " + e.what()));
  }
}

StatusOr<std::unique_ptr<Model>> LoadModel(const std::string& dir, const std::string& kind, Env* env) {
  if (kind == "lr") {
    PARETO_ASSIGN_OR_RETURN(std::string text, env->ReadFile(dir + "/model.json"));
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception& e) {
      return std::unexpected(DataError(dir + "/model.json: " + e.what()));
    }
    PARETO_ASSIGN_OR_RETURN(LogisticModel m, LogisticModel::FromJson(j));
    return std::unique_ptr<Model>(std::make_unique<LogisticModel>(std::move(m)));
  }
  if (kind == "rf" || kind == "gbt") {
    PARETO_ASSIGN_OR_RETURN(TreeModel m, TreeModel::Load(dir, kind));
    return std::unique_ptr<Model>(std::make_unique<TreeModel>(std::move(m)));
  }
  return std::unexpected(DataError("unknown model kind '" + kind + "' in " + dir));
}

Status WriteTextFile(Env* env, const std::string& path, const std::string& text) {
  const size_t slash = path.rfind('/');
  if (slash != std::string::npos) PARETO_RETURN_IF_ERROR(env->CreateDirs(path.substr(0, slash)));
  return env->WriteFile(path, text, /*sync=*/false);
}

}  // namespace pareto::ml
