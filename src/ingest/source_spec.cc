// Parsing of pipeline.yaml's `sources:`: yaml-cpp exceptions stop here and
// become Status values that name the file and line.
#include "ingest/source_spec.h"

#include <fnmatch.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <regex>
#include <set>

#include <fmt/format.h>

namespace pareto::ingest {
namespace {

// Collects the file label so every message reads "pipeline.yaml:LINE: what".
class Checker {
 public:
  explicit Checker(std::string_view file) : file_(file) {}

  Status Error(const YAML::Node& at, std::string_view what) const {
    const YAML::Mark mark = at.Mark();
    if (mark.is_null()) return InvalidArgument(fmt::format("{}: {}", file_, what));
    return InvalidArgument(fmt::format("{}:{}: {}", file_, mark.line + 1, what));
  }

  // A required scalar string field of a map.
  StatusOr<std::string> RequiredString(const YAML::Node& map, std::string_view key) const {
    const YAML::Node v = map[std::string(key)];
    if (!v) return std::unexpected(Error(map, fmt::format("missing `{}`", key)));
    if (!v.IsScalar() || v.Scalar().empty()) {
      return std::unexpected(Error(v, fmt::format("`{}` must be a non-empty string", key)));
    }
    return v.Scalar();
  }

  StatusOr<std::string> OptionalString(const YAML::Node& map, std::string_view key) const {
    const YAML::Node v = map[std::string(key)];
    if (!v || v.IsNull()) return std::string();
    if (!v.IsScalar()) return std::unexpected(Error(v, fmt::format("`{}` must be a string", key)));
    return v.Scalar();
  }

 private:
  std::string file_;
};

bool IsIdentifier(std::string_view s) {
  static const std::regex re("[a-z_][a-z0-9_]*");
  return std::regex_match(s.begin(), s.end(), re);
}

// Column names come from someone else's export: allow what CSV headers hold
// (e.g. Olist's "product_name_lenght"), but no quotes or control characters.
bool IsAcceptableColumnName(std::string_view s) {
  if (s.empty()) return false;
  return std::ranges::none_of(s, [](unsigned char c) { return c < 0x20 || c == '"'; });
}

// Normalizes and checks a Delta type name; empty result means "unknown".
std::string NormalizeType(std::string type) {
  std::ranges::transform(type, type.begin(), [](unsigned char c) { return std::tolower(c); });
  std::erase_if(type, [](unsigned char c) { return std::isspace(c) != 0; });
  static const std::set<std::string, std::less<>> kPlain = {
      "string", "integer", "long", "double", "boolean", "date", "timestamp"};
  if (kPlain.contains(type)) return type;
  static const std::regex kDecimal("decimal\\(([0-9]{1,2}),([0-9]{1,2})\\)");
  std::smatch m;
  if (std::regex_match(type, m, kDecimal)) {
    const int precision = std::stoi(m[1]);
    const int scale = std::stoi(m[2]);
    if (precision >= 1 && precision <= 38 && scale <= precision) return type;
  }
  return {};
}

StatusOr<ColumnSpec> ParseColumn(const Checker& ck, const YAML::Node& node) {
  if (!node.IsMap()) {
    return std::unexpected(ck.Error(node, "a column must be a map like {name: order_id, type: string}"));
  }
  ColumnSpec column;
  PARETO_ASSIGN_OR_RETURN(column.name, ck.RequiredString(node, "name"));
  PARETO_ASSIGN_OR_RETURN(std::string type, ck.RequiredString(node, "type"));
  PARETO_ASSIGN_OR_RETURN(column.comment, ck.OptionalString(node, "comment"));
  if (!IsAcceptableColumnName(column.name)) {
    return std::unexpected(ck.Error(node, fmt::format("bad column name `{}`", column.name)));
  }
  if (column.name == kIngestedAtColumn || column.name == kSourceFileColumn) {
    return std::unexpected(ck.Error(node, fmt::format("`{}` is reserved for bronze's own column", column.name)));
  }
  column.type = NormalizeType(type);
  if (column.type.empty()) {
    return std::unexpected(ck.Error(
        node["type"], fmt::format("column `{}`: unknown type `{}` (use string, integer, long, double, "
                                  "boolean, date, timestamp or decimal(p,s))",
                                  column.name, type)));
  }
  return column;
}

StatusOr<SourceSpec> ParseSource(const Checker& ck, const YAML::Node& node,
                                 const std::string& default_timezone) {
  if (!node.IsMap()) return std::unexpected(ck.Error(node, "each source must be a map with `table:`"));
  SourceSpec s;
  s.line = node.Mark().line + 1;
  PARETO_ASSIGN_OR_RETURN(s.table, ck.RequiredString(node, "table"));
  if (!IsIdentifier(s.table)) {
    return std::unexpected(ck.Error(node["table"], fmt::format("table `{}` must match [a-z_][a-z0-9_]*", s.table)));
  }
  PARETO_ASSIGN_OR_RETURN(s.pattern, ck.RequiredString(node, "pattern"));
  if (s.pattern.find('/') != std::string::npos) {
    return std::unexpected(ck.Error(node["pattern"], "`pattern` matches file names, not paths: no '/'"));
  }
  PARETO_ASSIGN_OR_RETURN(s.comment, ck.RequiredString(node, "comment"));
  PARETO_ASSIGN_OR_RETURN(s.timezone, ck.OptionalString(node, "timezone"));
  if (s.timezone.empty()) s.timezone = default_timezone;

  const YAML::Node columns = node["columns"];
  if (!columns || !columns.IsSequence() || columns.size() == 0) {
    return std::unexpected(ck.Error(columns ? columns : node,
                                    fmt::format("source `{}`: `columns` must be a non-empty list", s.table)));
  }
  std::set<std::string, std::less<>> names;
  for (const YAML::Node& c : columns) {
    PARETO_ASSIGN_OR_RETURN(ColumnSpec column, ParseColumn(ck, c));
    if (!names.insert(column.name).second) {
      return std::unexpected(ck.Error(c, fmt::format("source `{}`: duplicate column `{}`", s.table, column.name)));
    }
    s.columns.push_back(std::move(column));
  }
  if (s.HasTimestamps() && s.timezone.empty()) {
    return std::unexpected(ck.Error(node, fmt::format("source `{}` has timestamp columns but no `timezone` "
                                                      "(set it on the source or at the top level)", s.table)));
  }

  const YAML::Node key = node["business_key"];
  if (!key || !key.IsSequence() || key.size() == 0) {
    return std::unexpected(ck.Error(key ? key : node,
                                    fmt::format("source `{}`: `business_key` must be a non-empty list of columns",
                                                s.table)));
  }
  for (const YAML::Node& k : key) {
    if (!k.IsScalar() || !names.contains(k.Scalar())) {
      return std::unexpected(ck.Error(k, fmt::format("source `{}`: business key column `{}` is not in `columns`",
                                                     s.table, k.IsScalar() ? k.Scalar() : "?")));
    }
    s.business_key.push_back(k.Scalar());
  }
  return s;
}

StatusOr<SourcesConfig> ParseRoot(const Checker& ck, const YAML::Node& root) {
  if (!root.IsMap()) return std::unexpected(ck.Error(root, "expected a map at the top level"));
  SourcesConfig config;
  PARETO_ASSIGN_OR_RETURN(config.catalog, ck.RequiredString(root, "catalog"));
  if (!IsIdentifier(config.catalog)) {
    return std::unexpected(ck.Error(root["catalog"], "`catalog` must match [a-z_][a-z0-9_]*"));
  }
  PARETO_ASSIGN_OR_RETURN(config.timezone, ck.OptionalString(root, "timezone"));
  const YAML::Node sources = root["sources"];
  if (!sources) return std::unexpected(ck.Error(root, "missing `sources`"));
  if (!sources.IsSequence() || sources.size() == 0) {
    return std::unexpected(ck.Error(sources, "`sources` must be a non-empty list"));
  }
  std::set<std::string, std::less<>> tables;
  for (const YAML::Node& node : sources) {
    PARETO_ASSIGN_OR_RETURN(SourceSpec s, ParseSource(ck, node, config.timezone));
    if (!tables.insert(s.table).second) {
      return std::unexpected(ck.Error(node, fmt::format("duplicate source table `{}`", s.table)));
    }
    config.sources.push_back(std::move(s));
  }
  return config;
}

}  // namespace

bool SourceSpec::Matches(std::string_view file_name) const {
  const std::string name(file_name);
  return fnmatch(pattern.c_str(), name.c_str(), FNM_PERIOD) == 0;
}

bool SourceSpec::HasTimestamps() const {
  return std::ranges::any_of(columns, [](const ColumnSpec& c) { return c.type == "timestamp"; });
}

StatusOr<SourcesConfig> ParseSources(std::string_view yaml_text, std::string_view file_name) {
  const Checker ck(file_name);
  try {
    const YAML::Node root = YAML::Load(std::string(yaml_text));
    return ParseRoot(ck, root);
  } catch (const YAML::Exception& e) {
    // e.msg is yaml-cpp's text without its own position prefix.
    if (e.mark.is_null()) return std::unexpected(InvalidArgument(fmt::format("{}: {}", file_name, e.msg)));
    return std::unexpected(InvalidArgument(
        fmt::format("{}:{}:{}: {}", file_name, e.mark.line + 1, e.mark.column + 1, e.msg)));
  }
}

StatusOr<SourcesConfig> LoadSources(const std::string& project_dir, Env* env) {
  const std::string path = project_dir + "/pipeline.yaml";
  PARETO_ASSIGN_OR_RETURN(std::string text, env->ReadFile(path));
  return ParseSources(text, path);
}

std::string CsvReadType(const ColumnSpec& column) {
  const std::string& t = column.type;
  if (t == "string") return "VARCHAR";
  if (t == "integer") return "INTEGER";
  if (t == "long") return "BIGINT";
  if (t == "double") return "DOUBLE";
  if (t == "boolean") return "BOOLEAN";
  if (t == "date") return "DATE";
  if (t == "timestamp") return "TIMESTAMP";  // local wall time; converted to an instant later
  if (t.starts_with("decimal")) {
    std::string upper = t;
    std::ranges::transform(upper, upper.begin(), [](unsigned char c) { return std::toupper(c); });
    return upper;
  }
  return "VARCHAR";  // unreachable: NormalizeType admits only the types above
}

}  // namespace pareto::ingest
