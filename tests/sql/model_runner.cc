#include "model_runner.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

namespace pareto::sqltest {
namespace {

namespace fs = std::filesystem;

StatusOr<std::string> ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::unexpected(NotFound(fmt::format("{}: cannot open", path.string())));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Every BASE_TABLE node of DuckDB's parse tree: CTE references carry no schema, so the
// schema-qualified ones are exactly the tables the model reads.
void CollectTables(const nlohmann::json& node, std::set<std::string>& out) {
  if (node.is_object()) {
    const auto type = node.find("type");
    if (type != node.end() && type->is_string() && *type == "BASE_TABLE" &&
        node.contains("schema_name") && node.contains("table_name")) {
      const std::string schema = node["schema_name"].get<std::string>();
      if (!schema.empty()) out.insert(schema + "." + node["table_name"].get<std::string>());
    }
    for (const auto& [key, child] : node.items()) CollectTables(child, out);
  } else if (node.is_array()) {
    for (const auto& child : node) CollectTables(child, out);
  }
}

StatusOr<std::set<std::string>> TablesRead(duck::Connection& conn, const ModelSpec& model) {
  PARETO_ASSIGN_OR_RETURN(auto text,
                          conn.QueryScalar("SELECT json_serialize_sql(" +
                                           duck::QuoteLiteral(model.sql) + ")"));
  if (!text) return std::unexpected(Internal(model.path + ": json_serialize_sql gave NULL"));
  const nlohmann::json tree = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (tree.is_discarded()) return std::unexpected(Internal(model.path + ": unreadable parse tree"));
  if (tree.value("error", false)) {
    return std::unexpected(InvalidArgument(
        fmt::format("{}: {}", model.path, tree.value("error_message", std::string("parse error")))));
  }
  std::set<std::string> tables;
  CollectTables(tree, tables);
  return tables;
}

StatusOr<std::map<std::string, std::vector<ExpectationSpec>>> ReadExpectations(
    const YAML::Node& root) {
  std::map<std::string, std::vector<ExpectationSpec>> out;
  const YAML::Node section = root["expectations"];
  if (!section) return out;
  for (const auto& entry : section) {
    const std::string table = entry.first.as<std::string>();
    for (const auto& e : entry.second) {
      ExpectationSpec spec{e["name"].as<std::string>(), e["condition"].as<std::string>(),
                           e["action"] ? e["action"].as<std::string>() : std::string("warn")};
      if (spec.action != "warn" && spec.action != "drop" && spec.action != "fail") {
        return std::unexpected(InvalidArgument(
            fmt::format("pipeline.yaml: {}.{}: unknown action '{}'", table, spec.name, spec.action)));
      }
      out[table].push_back(std::move(spec));
    }
  }
  return out;
}

}  // namespace

StatusOr<ModelRunner> ModelRunner::Load(const std::string& project_dir, duck::Connection& conn) {
  ModelRunner runner;
  const fs::path dir(project_dir);
  PARETO_ASSIGN_OR_RETURN(const std::string yaml_text, ReadFile(dir / "pipeline.yaml"));
  try {
    const YAML::Node root = YAML::Load(yaml_text);
    runner.timezone_ = root["timezone"] ? root["timezone"].as<std::string>() : "";
    PARETO_ASSIGN_OR_RETURN(runner.expectations_, ReadExpectations(root));
  } catch (const YAML::Exception& e) {
    return std::unexpected(InvalidArgument(fmt::format("pipeline.yaml: {}", e.what())));
  }

  for (const char* layer : {"silver", "gold"}) {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir / layer, ec)) {
      if (entry.path().extension() != ".sql") continue;
      ModelSpec model;
      model.qualified_name = std::string(layer) + "." + entry.path().stem().string();
      model.path = entry.path().string();
      PARETO_ASSIGN_OR_RETURN(model.sql, ReadFile(entry.path()));
      runner.models_.emplace(model.qualified_name, std::move(model));
    }
    if (ec) return std::unexpected(IoError(fmt::format("{}: {}", (dir / layer).string(), ec.message())));
  }
  for (auto& [name, model] : runner.models_) {
    PARETO_ASSIGN_OR_RETURN(const auto tables, TablesRead(conn, model));
    for (const auto& table : tables) {
      if (runner.models_.contains(table)) {
        model.inputs.push_back(table);
      } else if (!table.starts_with("bronze.")) {
        return std::unexpected(
            NotFound(fmt::format("{}: reads {}, which no model produces", model.path, table)));
      }
    }
  }
  for (const auto& [table, specs] : runner.expectations_) {
    if (!runner.models_.contains(table)) {
      return std::unexpected(
          NotFound(fmt::format("pipeline.yaml: expectations for {}, which no model produces", table)));
    }
  }
  return runner;
}

Status ModelRunner::PrepareConnection(duck::Connection& conn) {
  return conn.Execute(
      "CREATE SCHEMA IF NOT EXISTS pareto_test;"
      "CREATE TABLE IF NOT EXISTS pareto_test.expectation_results ("
      "  table_name VARCHAR, expectation VARCHAR, action VARCHAR, failed_rows BIGINT)");
}

Status ModelRunner::Build(duck::Connection& conn, const std::vector<std::string>& targets) const {
  // Depth-first post-order over the inputs gives a dependency order; `visiting` finds cycles.
  std::vector<const ModelSpec*> order;
  std::set<std::string> done;
  std::set<std::string> visiting;
  std::function<Status(const std::string&)> visit = [&](const std::string& name) -> Status {
    if (done.contains(name)) return OkStatus();
    const auto it = models_.find(name);
    if (it == models_.end()) return NotFound(fmt::format("no model produces {}", name));
    if (!visiting.insert(name).second) return InvalidArgument(fmt::format("cycle through {}", name));
    for (const auto& input : it->second.inputs) PARETO_RETURN_IF_ERROR(visit(input));
    visiting.erase(name);
    done.insert(name);
    order.push_back(&it->second);
    return OkStatus();
  };
  for (const auto& target : targets) PARETO_RETURN_IF_ERROR(visit(target));
  for (const ModelSpec* model : order) PARETO_RETURN_IF_ERROR(BuildOne(conn, *model));
  return OkStatus();
}

Status ModelRunner::BuildAll(duck::Connection& conn) const {
  std::vector<std::string> all;
  for (const auto& [name, model] : models_) all.push_back(name);
  return Build(conn, all);
}

Status ModelRunner::BuildOne(duck::Connection& conn, const ModelSpec& model) const {
  const std::string& name = model.qualified_name;
  // The newline ends a trailing `--` comment of the model before the closing parenthesis.
  PARETO_RETURN_IF_ERROR(
      conn.Execute("CREATE OR REPLACE TEMP TABLE pareto_model_result AS (\n" + model.sql + "\n)")
          .WithContext(model.path));
  PARETO_RETURN_IF_ERROR(conn.Execute("DELETE FROM pareto_test.expectation_results WHERE table_name = " +
                                      duck::QuoteLiteral(name)));

  // Every expectation is counted on the whole result (before any drop); a row passes only
  // when its condition is TRUE, so NULL fails.
  std::string keep = "TRUE";
  std::string first_failure;
  static const std::vector<ExpectationSpec> kNone;
  const auto it = expectations_.find(name);
  for (const ExpectationSpec& e : it == expectations_.end() ? kNone : it->second) {
    const std::string passes = "coalesce((" + e.condition + "), FALSE)";
    const auto counted = conn.QueryInt64("SELECT count(*) FROM pareto_model_result WHERE NOT " + passes);
    if (!counted.has_value()) return counted.error().WithContext(name + "." + e.name);
    const int64_t failed = *counted;
    PARETO_RETURN_IF_ERROR(conn.Execute(fmt::format(
        "INSERT INTO pareto_test.expectation_results VALUES ({}, {}, {}, {})",
        duck::QuoteLiteral(name), duck::QuoteLiteral(e.name), duck::QuoteLiteral(e.action), failed)));
    if (e.action == "fail" && failed > 0 && first_failure.empty()) {
      first_failure = fmt::format("{}: expectation {} failed on {} rows; nothing written", name,
                                  e.name, failed);
    }
    if (e.action == "drop") keep += " AND " + passes;
  }
  if (!first_failure.empty()) {
    PARETO_RETURN_IF_ERROR(conn.Execute("DROP TABLE pareto_model_result"));
    return DataError(first_failure);
  }
  return conn.Execute("CREATE OR REPLACE TABLE " + name +
                      " AS SELECT * FROM pareto_model_result WHERE " + keep +
                      "; DROP TABLE pareto_model_result");
}

}  // namespace pareto::sqltest
