#include "pipeline/project.h"

#include <algorithm>
#include <cctype>
#include <set>

#include <fmt/format.h>

namespace pareto::pipeline {
namespace {

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
  project.file = dir + "/pipeline.yaml";
  if (!env->Exists(project.file)) {
    return std::unexpected(NotFound(project.file + ": no such file (is " + dir + " a pipeline project?)"));
  }
  PARETO_ASSIGN_OR_RETURN(std::string text, env->ReadFile(project.file));
  PARETO_RETURN_IF_ERROR(LoadModels(dir, env, project));
  PARETO_ASSIGN_OR_RETURN(ProjectFile parsed, ParseProjectFile(text, project.file));
  project.catalog = std::move(parsed.catalog);
  project.timezone = std::move(parsed.timezone);
  project.sections = std::move(parsed.sections);
  project.sources = std::move(parsed.sources);
  project.monetary = std::move(parsed.monetary);
  project.ml = std::move(parsed.ml);
  project.schedule = std::move(parsed.schedule);
  project.run = parsed.run;
  project.governance = std::move(parsed.governance);
  for (TableExpectations& t : parsed.expectations) {
    if (project.FindModel(t.table) == nullptr) {
      return std::unexpected(NotFound(fmt::format(
          "{}:{}: expectations for '{}', but no model produces it (expected layer.table, e.g. "
          "silver.slv_order_fact)",
          project.file, t.line, t.table)));
    }
    project.expectations[t.table] = std::move(t.expectations);
  }
  for (IncrementalModel& m : parsed.incremental) {
    if (project.FindModel(m.table) == nullptr) {
      return std::unexpected(NotFound(fmt::format(
          "{}:{}: incremental '{}', but no model produces it (expected layer.table, e.g. silver.slv_orders)",
          project.file, m.line, m.table)));
    }
    project.incremental[m.table] = std::move(m.unique_key);
  }
  return project;
}

}  // namespace pareto::pipeline
