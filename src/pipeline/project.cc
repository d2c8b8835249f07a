#include "pipeline/project.h"

#include <algorithm>
#include <cctype>
#include <set>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

namespace pareto::pipeline {
namespace {

// "pipeline.yaml:12: " for messages about a YAML node (yaml-cpp lines are 0-based).
std::string Where(const std::string& file, const YAML::Node& node) {
  const YAML::Mark mark = node.Mark();
  if (mark.line < 0) return file + ": ";
  return fmt::format("{}:{}: ", file, mark.line + 1);
}

bool IsExpectationName(std::string_view name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

StatusOr<ExpectationAction> ParseAction(std::string_view text) {
  if (text == "warn") return ExpectationAction::kWarn;
  if (text == "drop") return ExpectationAction::kDrop;
  if (text == "fail") return ExpectationAction::kFail;
  return std::unexpected(InvalidArgument(""));
}

// A scalar string field of a map node, or an error naming it.
StatusOr<std::string> ScalarField(const std::string& file, const YAML::Node& map,
                                  const std::string& key, bool required) {
  const YAML::Node value = map[key];
  if (!value) {
    if (!required) return std::string();
    return std::unexpected(InvalidArgument(Where(file, map) + "missing '" + key + "'"));
  }
  if (!value.IsScalar()) {
    return std::unexpected(InvalidArgument(Where(file, value) + "'" + key + "' must be a string"));
  }
  return value.as<std::string>();
}

Status ParseExpectations(const std::string& file, const YAML::Node& section, Project& project) {
  if (!section.IsMap()) {
    return InvalidArgument(Where(file, section) +
                           "'expectations' must map a table (layer.table) to a list of expectations");
  }
  for (const auto& entry : section) {
    const std::string table = entry.first.as<std::string>();
    const YAML::Node& list = entry.second;
    if (project.FindModel(table) == nullptr) {
      return NotFound(Where(file, entry.first) + "expectations for '" + table +
                      "', but no model produces it (expected layer.table, e.g. silver.slv_order_fact)");
    }
    if (!list.IsSequence()) {
      return InvalidArgument(Where(file, list) + "expectations of '" + table + "' must be a list");
    }
    std::vector<Expectation>& out = project.expectations[table];
    std::set<std::string> seen;
    for (const YAML::Node& item : list) {
      if (!item.IsMap()) {
        return InvalidArgument(Where(file, item) +
                               "an expectation is a map {name, condition, action}");
      }
      for (const auto& key : item) {
        const std::string k = key.first.as<std::string>();
        if (k != "name" && k != "condition" && k != "action") {
          return InvalidArgument(Where(file, key.first) + "unknown expectation key '" + k +
                                 "' (expected name, condition, action)");
        }
      }
      Expectation e;
      PARETO_ASSIGN_OR_RETURN(e.name, ScalarField(file, item, "name", true));
      PARETO_ASSIGN_OR_RETURN(e.condition, ScalarField(file, item, "condition", true));
      PARETO_ASSIGN_OR_RETURN(std::string action, ScalarField(file, item, "action", false));
      if (!IsExpectationName(e.name)) {
        return InvalidArgument(Where(file, item["name"]) + "expectation name '" + e.name +
                               "' must be an identifier");
      }
      if (!seen.insert(e.name).second) {
        return InvalidArgument(Where(file, item["name"]) + "duplicate expectation '" + e.name +
                               "' for " + table);
      }
      if (e.condition.find_first_not_of(" \t\r\n") == std::string::npos) {
        return InvalidArgument(Where(file, item) + "expectation '" + e.name + "' has an empty condition");
      }
      if (!action.empty()) {
        auto parsed = ParseAction(action);
        if (!parsed) {
          return InvalidArgument(Where(file, item["action"]) + "expectation '" + e.name +
                                 "': unknown action '" + action + "' (expected warn, drop or fail)");
        }
        e.action = *parsed;
      }
      out.push_back(std::move(e));
    }
  }
  return OkStatus();
}

Status ParseMonetary(const std::string& file, const YAML::Node& section, Project& project) {
  if (!section.IsSequence()) {
    return InvalidArgument(Where(file, section) + "'monetary' must be a list of layer.table.column");
  }
  for (const YAML::Node& item : section) {
    const std::string text = item.IsScalar() ? item.as<std::string>() : "";
    const size_t first = text.find('.');
    const size_t last = text.rfind('.');
    if (first == std::string::npos || first == last || first == 0 || last + 1 == text.size() ||
        text.find('.', first + 1) != last) {
      return InvalidArgument(Where(file, item) + "monetary column '" + text +
                             "' must be layer.table.column");
    }
    project.monetary.push_back({text.substr(0, last), text.substr(last + 1)});
  }
  return OkStatus();
}

Status LoadModels(const std::string& dir, Env* env, Project& project) {
  for (std::string_view layer : kModelLayers) {
    const std::string folder = dir + "/" + std::string(layer);
    if (!env->Exists(folder)) continue;
    PARETO_ASSIGN_OR_RETURN(std::vector<std::string> names, env->ListDir(folder));
    std::sort(names.begin(), names.end());
    for (const std::string& file : names) {
      if (file.size() <= 4 || !file.ends_with(".sql")) continue;
      const std::string stem = file.substr(0, file.size() - 4);
      const std::string path = folder + "/" + file;
      if (!IsPlainIdentifier(stem)) {
        return InvalidArgument(path + ": a model's file name must be a lower-case identifier ([a-z_][a-z0-9_]*.sql)");
      }
      Model m;
      m.layer = std::string(layer);
      m.name = stem;
      m.path = path;
      PARETO_ASSIGN_OR_RETURN(m.sql, env->ReadFile(path));
      if (m.sql.find_first_not_of(" \t\r\n") == std::string::npos) {
        return InvalidArgument(path + ": empty model (expected one SELECT)");
      }
      m.comment = LeadingComment(m.sql);
      project.models.push_back(std::move(m));
    }
  }
  // A table name must be unique across layers: "slv_x" in silver and gold would be
  // two tables, which is legal but almost surely a copy-paste mistake.
  std::set<std::string> names;
  for (const Model& m : project.models) {
    if (!names.insert(m.name).second) {
      return InvalidArgument(m.path + ": table name '" + m.name + "' is used by models in two layers");
    }
  }
  return OkStatus();
}

}  // namespace

std::string_view ActionName(ExpectationAction action) {
  switch (action) {
    case ExpectationAction::kWarn: return "warn";
    case ExpectationAction::kDrop: return "drop";
    case ExpectationAction::kFail: return "fail";
  }
  return "warn";
}

const Model* Project::FindModel(std::string_view qualified_name) const {
  for (const Model& m : models) {
    if (m.QualifiedName() == qualified_name) return &m;
  }
  return nullptr;
}

bool Project::HasSection(std::string_view key) const {
  return std::find(sections.begin(), sections.end(), key) != sections.end();
}

const std::vector<Expectation>& Project::ExpectationsOf(std::string_view qualified_name) const {
  static const std::vector<Expectation> kNone;
  auto it = expectations.find(std::string(qualified_name));
  return it == expectations.end() ? kNone : it->second;
}

bool IsPlainIdentifier(std::string_view name) {
  if (name.empty() || !(std::islower(static_cast<unsigned char>(name[0])) || name[0] == '_')) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) ||
           c == '_';
  });
}

std::string LeadingComment(std::string_view sql) {
  std::vector<std::string> lines;
  bool started = false;
  size_t pos = 0;
  while (pos < sql.size()) {
    size_t end = sql.find('\n', pos);
    if (end == std::string_view::npos) end = sql.size();
    std::string_view line = sql.substr(pos, end - pos);
    pos = end + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    const size_t first = line.find_first_not_of(" \t");
    if (first == std::string_view::npos) {
      if (started) break;  // a blank line ends the block
      continue;            // blank lines before it are skipped
    }
    line.remove_prefix(first);
    if (!line.starts_with("--")) break;
    started = true;
    line.remove_prefix(2);
    if (!line.empty() && line.front() == ' ') line.remove_prefix(1);
    while (!line.empty() && (line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
    lines.emplace_back(line);
  }
  while (!lines.empty() && lines.back().empty()) lines.pop_back();
  std::string out;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (i) out += '\n';
    out += lines[i];
  }
  return out;
}

StatusOr<Project> LoadProject(const std::string& dir, Env* env) {
  Project project;
  project.dir = dir;
  const std::string file = dir + "/pipeline.yaml";
  if (!env->Exists(file)) {
    return std::unexpected(NotFound(file + ": no such file (is " + dir + " a pipeline project?)"));
  }
  PARETO_ASSIGN_OR_RETURN(std::string text, env->ReadFile(file));
  PARETO_RETURN_IF_ERROR(LoadModels(dir, env, project));
  try {
    const YAML::Node root = YAML::Load(text);
    if (!root.IsMap()) return std::unexpected(InvalidArgument(file + ": expected a map at the top level"));
    const YAML::Node catalog = root["catalog"];
    if (!catalog || !catalog.IsScalar()) {
      return std::unexpected(InvalidArgument(file + ": missing 'catalog:' (e.g. catalog: olist)"));
    }
    for (const auto& entry : root) project.sections.push_back(entry.first.as<std::string>());
    project.catalog = catalog.as<std::string>();
    if (!IsPlainIdentifier(project.catalog)) {
      return std::unexpected(InvalidArgument(Where(file, catalog) + "catalog '" + project.catalog +
                                             "' must be a lower-case identifier"));
    }
    if (const YAML::Node e = root["expectations"]; e && !e.IsNull()) {
      PARETO_RETURN_IF_ERROR(ParseExpectations(file, e, project));
    }
    if (const YAML::Node m = root["monetary"]; m && !m.IsNull()) {
      PARETO_RETURN_IF_ERROR(ParseMonetary(file, m, project));
    }
  } catch (const YAML::ParserException& e) {
    return std::unexpected(
        InvalidArgument(fmt::format("{}:{}: {}", file, e.mark.line + 1, e.msg)));
  } catch (const YAML::Exception& e) {
    return std::unexpected(InvalidArgument(file + ": " + e.what()));
  }
  return project;
}

}  // namespace pareto::pipeline
