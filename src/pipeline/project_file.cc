// The only file that includes yaml-cpp: its exceptions stop here and become
// Status values naming the file and line.
#include "pipeline/project_file.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <set>

#include "pipeline/cron.h"
#include "pipeline/dashboard.h"
#include "pipeline/duration.h"

namespace pareto::pipeline {
namespace {

// Labels every message "pipeline.yaml:LINE: what" (yaml-cpp lines are 0-based).
class Reader {
 public:
  explicit Reader(std::string_view file) : file_(file) {}

  const std::string& file() const { return file_; }

  Status Error(const YAML::Node& at, std::string_view what) const {
    const YAML::Mark mark = at.Mark();
    if (mark.is_null() || mark.line < 0) return InvalidArgument(fmt::format("{}: {}", file_, what));
    return InvalidArgument(fmt::format("{}:{}: {}", file_, mark.line + 1, what));
  }

  static int Line(const YAML::Node& node) {
    const YAML::Mark mark = node.Mark();
    return mark.is_null() || mark.line < 0 ? 0 : mark.line + 1;
  }

  // A string field of a map: absent is empty, present must be a non-empty scalar when required.
  StatusOr<std::string> String(const YAML::Node& map, std::string_view key, bool required) const {
    const YAML::Node v = map[std::string(key)];
    if (!v || v.IsNull()) {
      if (!required) return std::string();
      return std::unexpected(Error(map, fmt::format("missing `{}`", key)));
    }
    if (!v.IsScalar() || (required && v.Scalar().empty())) {
      return std::unexpected(
          Error(v, fmt::format("`{}` must be a {}string", key, required ? "non-empty " : "")));
    }
    return v.Scalar();
  }

  StatusOr<std::optional<std::string>> OptString(const YAML::Node& map,
                                                 std::string_view key) const {
    const YAML::Node v = map[std::string(key)];
    if (!v || v.IsNull()) return std::optional<std::string>();
    if (!v.IsScalar()) return std::unexpected(Error(v, fmt::format("`{}` must be a string", key)));
    return std::optional<std::string>(v.Scalar());
  }

  // A scalar converted to T, or an error naming `what` (e.g. "ml.cv_folds") and `kind`.
  template <class T>
  StatusOr<std::optional<T>> Opt(const YAML::Node& map, std::string_view key, std::string_view what,
                                 std::string_view kind) const {
    const YAML::Node v = map[std::string(key)];
    if (!v || v.IsNull()) return std::optional<T>();
    T out{};
    if (!v.IsScalar() || !YAML::convert<T>::decode(v, out)) {
      return std::unexpected(Error(v, fmt::format("`{}` must be {}", what, kind)));
    }
    return std::optional<T>(out);
  }

  StatusOr<std::vector<std::string>> StringList(const YAML::Node& node,
                                                std::string_view what) const {
    if (!node.IsSequence())
      return std::unexpected(Error(node, fmt::format("`{}` must be a list", what)));
    std::vector<std::string> out;
    for (const YAML::Node& item : node) {
      if (!item.IsScalar())
        return std::unexpected(Error(item, fmt::format("`{}` must list names", what)));
      out.push_back(item.Scalar());
    }
    return out;
  }

 private:
  std::string file_;
};

bool IsLowerIdentifier(std::string_view name) {
  if (name.empty() || !(std::islower(static_cast<unsigned char>(name[0])) || name[0] == '_'))
    return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::islower(static_cast<unsigned char>(c)) ||
           std::isdigit(static_cast<unsigned char>(c)) || c == '_';
  });
}

bool IsExpectationName(std::string_view name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

// ---- sources ---------------------------------------------------------------

StatusOr<ingest::ColumnSpec> ParseColumn(const Reader& r, const YAML::Node& node) {
  if (!node.IsMap()) {
    return std::unexpected(
        r.Error(node, "a column must be a map like {name: order_id, type: string}"));
  }
  ingest::ColumnSpec column;
  column.line = Reader::Line(node);
  PARETO_ASSIGN_OR_RETURN(column.name, r.String(node, "name", true));
  PARETO_ASSIGN_OR_RETURN(column.type, r.String(node, "type", true));
  PARETO_ASSIGN_OR_RETURN(column.comment, r.String(node, "comment", false));
  PARETO_ASSIGN_OR_RETURN(column.format, r.String(node, "format", false));
  return column;
}

StatusOr<ingest::SourceSpec> ParseSource(const Reader& r, const YAML::Node& node,
                                         const std::string& zone) {
  if (!node.IsMap())
    return std::unexpected(r.Error(node, "each source must be a map with `table:`"));
  ingest::SourceSpec s;
  s.line = Reader::Line(node);
  PARETO_ASSIGN_OR_RETURN(s.table, r.String(node, "table", true));
  PARETO_ASSIGN_OR_RETURN(s.pattern, r.String(node, "pattern", true));
  PARETO_ASSIGN_OR_RETURN(s.comment, r.String(node, "comment", true));
  PARETO_ASSIGN_OR_RETURN(s.timezone, r.String(node, "timezone", false));
  if (s.timezone.empty()) s.timezone = zone;
  PARETO_ASSIGN_OR_RETURN(s.date_format, r.String(node, "date_format", false));
  PARETO_ASSIGN_OR_RETURN(s.timestamp_format, r.String(node, "timestamp_format", false));
  const YAML::Node columns = node["columns"];
  if (!columns || !columns.IsSequence() || columns.size() == 0) {
    return std::unexpected(
        r.Error(columns ? columns : node,
                fmt::format("source `{}`: `columns` must be a non-empty list", s.table)));
  }
  for (const YAML::Node& c : columns) {
    PARETO_ASSIGN_OR_RETURN(ingest::ColumnSpec column, ParseColumn(r, c));
    s.columns.push_back(std::move(column));
  }
  const YAML::Node key = node["business_key"];
  if (!key || !key.IsSequence() || key.size() == 0) {
    return std::unexpected(r.Error(
        key ? key : node,
        fmt::format("source `{}`: `business_key` must be a non-empty list of columns", s.table)));
  }
  PARETO_ASSIGN_OR_RETURN(s.business_key, r.StringList(key, "business_key"));
  PARETO_RETURN_IF_ERROR(ingest::ValidateSource(s, r.file()));
  return s;
}

Status ParseSources(const Reader& r, const YAML::Node& section, ProjectFile& out) {
  if (!section.IsSequence() || section.size() == 0) {
    return r.Error(section, "`sources` must be a non-empty list");
  }
  for (const YAML::Node& node : section) {
    PARETO_ASSIGN_OR_RETURN(ingest::SourceSpec s, ParseSource(r, node, out.timezone));
    out.sources.push_back(std::move(s));
  }
  return ingest::ValidateSources({out.catalog, out.timezone, out.sources}, r.file());
}

// ---- expectations ----------------------------------------------------------

Status ParseExpectations(const Reader& r, const YAML::Node& section, ProjectFile& out) {
  if (!section.IsMap()) {
    return r.Error(section,
                   "'expectations' must map a table (layer.table) to a list of expectations");
  }
  for (const auto& entry : section) {
    TableExpectations table{.table = entry.first.as<std::string>(),
                            .line = Reader::Line(entry.first)};
    const YAML::Node& list = entry.second;
    if (!list.IsSequence())
      return r.Error(list, "expectations of '" + table.table + "' must be a list");
    std::set<std::string> seen;
    for (const YAML::Node& item : list) {
      if (!item.IsMap()) return r.Error(item, "an expectation is a map {name, condition, action}");
      for (const auto& key : item) {
        const std::string k = key.first.as<std::string>();
        if (k != "name" && k != "condition" && k != "action") {
          return r.Error(key.first,
                         "unknown expectation key '" + k + "' (expected name, condition, action)");
        }
      }
      for (const char* required : {"name", "condition"}) {
        if (!item[required]) return r.Error(item, fmt::format("missing '{}'", required));
      }
      Expectation e;
      PARETO_ASSIGN_OR_RETURN(e.name, r.String(item, "name", false));
      PARETO_ASSIGN_OR_RETURN(e.condition, r.String(item, "condition", false));
      PARETO_ASSIGN_OR_RETURN(std::string action, r.String(item, "action", false));
      if (!IsExpectationName(e.name)) {
        return r.Error(item["name"], "expectation name '" + e.name + "' must be an identifier");
      }
      if (!seen.insert(e.name).second) {
        return r.Error(item["name"], "duplicate expectation '" + e.name + "' for " + table.table);
      }
      if (e.condition.find_first_not_of(" \t\r\n") == std::string::npos) {
        return r.Error(item, "expectation '" + e.name + "' has an empty condition");
      }
      if (!action.empty()) {
        auto parsed = catalog::ParseExpectationAction(action);
        if (!parsed) {
          return r.Error(item["action"], "expectation '" + e.name + "': unknown action '" + action +
                                             "' (expected warn, drop or fail)");
        }
        e.action = *parsed;
      }
      table.expectations.push_back(std::move(e));
    }
    out.expectations.push_back(std::move(table));
  }
  return OkStatus();
}

// ---- incremental -------------------------------------------------------------

Status ParseIncremental(const Reader& r, const YAML::Node& section, ProjectFile& out) {
  if (!section.IsMap()) {
    return r.Error(section, "'incremental' must map a model (layer.table) to {unique_key: [columns]}");
  }
  for (const auto& entry : section) {
    IncrementalModel model{.table = entry.first.as<std::string>(), .line = Reader::Line(entry.first)};
    const YAML::Node& spec = entry.second;
    if (!spec.IsMap()) return r.Error(spec, "incremental '" + model.table + "' must be a map {unique_key: [columns]}");
    for (const auto& key : spec) {
      const std::string k = key.first.as<std::string>();
      if (k != "unique_key") return r.Error(key.first, "unknown incremental key '" + k + "' (expected unique_key)");
    }
    const YAML::Node keys = spec["unique_key"];
    if (!keys || !keys.IsSequence() || keys.size() == 0) {
      return r.Error(spec, "incremental '" + model.table + "' needs unique_key: a non-empty list of columns");
    }
    std::set<std::string> seen;
    for (const YAML::Node& k : keys) {
      const std::string column = k.IsScalar() ? k.Scalar() : "";
      if (column.empty() || !seen.insert(column).second) {
        return r.Error(k, "unique_key of '" + model.table + "' must list distinct column names");
      }
      model.unique_key.push_back(column);
    }
    out.incremental.push_back(std::move(model));
  }
  return OkStatus();
}

// ---- monetary --------------------------------------------------------------

Status ParseMonetary(const Reader& r, const YAML::Node& section, ProjectFile& out) {
  if (!section.IsSequence())
    return r.Error(section, "'monetary' must be a list of layer.table.column");
  for (const YAML::Node& item : section) {
    const std::string text = item.IsScalar() ? item.Scalar() : "";
    const size_t first = text.find('.');
    const size_t last = text.rfind('.');
    if (first == std::string::npos || first == last || first == 0 || last + 1 == text.size() ||
        text.find('.', first + 1) != last) {
      return r.Error(item, "monetary column '" + text + "' must be layer.table.column");
    }
    out.monetary.push_back({text.substr(0, last), text.substr(last + 1)});
  }
  return OkStatus();
}

// ---- known_at ----------------------------------------------------------------

bool IsOrderMoment(std::string_view s) {
  for (const char* m : kOrderMoments)
    if (s == m) return true;
  return false;
}

std::string MomentList() {
  std::string out;
  for (const char* m : kOrderMoments) out += (out.empty() ? "" : ", ") + std::string(m);
  return out;
}

// `known_at:` maps a moment to the columns (layer.table.column) known only then.
StatusOr<std::vector<std::pair<std::string, std::string>>> ParseKnownAt(const Reader& r,
                                                                        const YAML::Node& section) {
  if (!section.IsMap())
    return std::unexpected(r.Error(section, "'known_at' must map a moment to a list of layer.table.column"));
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& kv : section) {
    const std::string moment = kv.first.as<std::string>();
    if (!IsOrderMoment(moment)) {
      return std::unexpected(r.Error(kv.first, "known_at: unknown moment '" + moment + "' (expected " +
                                                   MomentList() + ")"));
    }
    if (!kv.second.IsSequence())
      return std::unexpected(r.Error(kv.second, "known_at." + moment + " must be a list of layer.table.column"));
    for (const YAML::Node& item : kv.second) {
      const std::string text = item.IsScalar() ? item.Scalar() : "";
      if (std::count(text.begin(), text.end(), '.') != 2 || text.front() == '.' || text.back() == '.' ||
          text.find("..") != std::string::npos) {
        return std::unexpected(r.Error(item, "known_at column '" + text + "' must be layer.table.column"));
      }
      out.emplace_back(moment, text);
    }
  }
  return out;
}

// ---- ml --------------------------------------------------------------------

StatusOr<MlProtocolSettings> ParseProtocol(const Reader& r, const std::string& name,
                                           const YAML::Node& node) {
  const std::string at = "ml.protocols." + name;
  if (!node.IsMap()) return std::unexpected(r.Error(node, "`" + at + "` must be a map"));
  MlProtocolSettings p{.name = name, .line = Reader::Line(node)};
  using Field = std::pair<std::optional<std::string>*, const char*>;
  for (auto [field, key] : std::initializer_list<Field>{{&p.description, "description"},
                                                        {&p.table, "table"},
                                                        {&p.id, "id"},
                                                        {&p.label, "label"},
                                                        {&p.spend, "spend"},
                                                        {&p.time, "time"},
                                                        {&p.split, "split"},
                                                        {&p.cutoff, "cutoff"},
                                                        {&p.predict_at, "predict_at"},
                                                        {&p.baseline, "baseline"},
                                                        {&p.baseline_table, "baseline_table"}}) {
    PARETO_ASSIGN_OR_RETURN(*field, r.OptString(node, key));
  }
  if (p.predict_at && !IsOrderMoment(*p.predict_at)) {
    return std::unexpected(r.Error(node["predict_at"], "`" + at + ".predict_at` must be one of " + MomentList()));
  }
  PARETO_ASSIGN_OR_RETURN(
      p.label_quantile, r.Opt<double>(node, "label_quantile", at + ".label_quantile", "a number"));
  PARETO_ASSIGN_OR_RETURN(p.test_fraction,
                          r.Opt<double>(node, "test_fraction", at + ".test_fraction", "a number"));
  if (const YAML::Node f = node["features"]; f && !f.IsNull()) {
    PARETO_ASSIGN_OR_RETURN(p.features, r.StringList(f, at + ".features"));
  }
  if (const YAML::Node fill = node["fill"]; fill && !fill.IsNull()) {
    if (!fill.IsMap())
      return std::unexpected(r.Error(fill, "`" + at + ".fill` must map a column to a number"));
    for (const auto& kv : fill) {
      double value = 0;
      if (!kv.second.IsScalar() || !YAML::convert<double>::decode(kv.second, value)) {
        return std::unexpected(
            r.Error(kv.second, "`" + at + ".fill` must map a column to a number"));
      }
      p.fill.emplace_back(kv.first.as<std::string>(), value);
    }
  }
  return p;
}

Status ParseMl(const Reader& r, const YAML::Node& node, ProjectFile& out) {
  if (!node.IsMap()) return r.Error(node, "`ml` must be a map");
  MlSettings ml{.line = Reader::Line(node)};
  PARETO_ASSIGN_OR_RETURN(ml.model, r.OptString(node, "model"));
  PARETO_ASSIGN_OR_RETURN(ml.run_protocol, r.OptString(node, "run_protocol"));
  PARETO_ASSIGN_OR_RETURN(ml.scores_table, r.OptString(node, "scores_table"));
  PARETO_ASSIGN_OR_RETURN(ml.seed,
                          r.Opt<uint64_t>(node, "seed", "ml.seed", "a non-negative integer"));
  PARETO_ASSIGN_OR_RETURN(
      ml.bootstrap_resamples,
      r.Opt<int64_t>(node, "bootstrap_resamples", "ml.bootstrap_resamples", "an integer"));
  PARETO_ASSIGN_OR_RETURN(ml.cv_folds,
                          r.Opt<int64_t>(node, "cv_folds", "ml.cv_folds", "an integer"));
  PARETO_ASSIGN_OR_RETURN(ml.score_threshold,
                          r.Opt<double>(node, "score_threshold", "ml.score_threshold", "a number"));
  PARETO_ASSIGN_OR_RETURN(ml.promote_first,
                          r.Opt<bool>(node, "promote_first", "ml.promote_first", "true or false"));
  PARETO_ASSIGN_OR_RETURN(ml.horizon_days, r.Opt<int64_t>(node, "horizon_days", "ml.horizon_days",
                                                          "a whole number of days"));
  if (ml.horizon_days && (*ml.horizon_days < 1 || *ml.horizon_days > 3660)) {
    return r.Error(node["horizon_days"], "`ml.horizon_days` must be between 1 and 3660 days");
  }
  if (const YAML::Node models = node["models"]; models && !models.IsNull()) {
    if (!models.IsMap())
      return r.Error(models, "`ml.models` must map a model kind to its parameters");
    for (const auto& kind : models) {
      const std::string name = kind.first.as<std::string>();
      std::map<std::string, double>& params = ml.models[name];
      if (kind.second.IsNull()) continue;
      if (!kind.second.IsMap())
        return r.Error(kind.second, "`ml.models." + name + "` must be a map");
      for (const auto& kv : kind.second) {
        const std::string key = kv.first.as<std::string>();
        double value = 0;
        if (!kv.second.IsScalar() || !YAML::convert<double>::decode(kv.second, value)) {
          return r.Error(kv.second, "`ml.models." + name + "." + key + "` must be a number");
        }
        params[key] = value;
      }
    }
  }
  if (const YAML::Node protocols = node["protocols"]; protocols && !protocols.IsNull()) {
    if (!protocols.IsMap())
      return r.Error(protocols, "`ml.protocols` must map a name to a protocol");
    for (const auto& kv : protocols) {
      PARETO_ASSIGN_OR_RETURN(MlProtocolSettings p,
                              ParseProtocol(r, kv.first.as<std::string>(), kv.second));
      ml.protocols.push_back(std::move(p));
    }
  }
  out.ml = std::move(ml);
  return OkStatus();
}

// ---- schedule and run ------------------------------------------------------

Status ParseSchedule(const Reader& r, const YAML::Node& node, ProjectFile& out) {
  if (!node.IsMap()) return r.Error(node, "`schedule` must be a map, e.g. schedule: {cron: \"0 6 * * *\"}");
  for (const auto& kv : node) {
    const std::string key = kv.first.as<std::string>();
    if (key != "cron" && key != "source") {
      return r.Error(kv.first, "unknown key `schedule." + key + "` (expected cron, source)");
    }
  }
  ScheduleSettings s{.line = Reader::Line(node)};
  PARETO_ASSIGN_OR_RETURN(s.cron, r.String(node, "cron", true));
  if (auto parsed = ParseCron(s.cron); !parsed.has_value()) return r.Error(node["cron"], parsed.error().message());
  PARETO_ASSIGN_OR_RETURN(s.source, r.String(node, "source", false));
  if (out.timezone.empty()) return r.Error(node, "`schedule` needs the top-level `timezone:` its cron is read in");
  out.schedule = std::move(s);
  return OkStatus();
}

Status ParseRun(const Reader& r, const YAML::Node& node, ProjectFile& out) {
  if (!node.IsMap()) return r.Error(node, "`run` must be a map, e.g. run: {task_timeout: 30m}");
  for (const auto& kv : node) {
    const std::string key = kv.first.as<std::string>();
    if (key != "task_timeout") return r.Error(kv.first, "unknown key `run." + key + "` (expected task_timeout)");
  }
  PARETO_ASSIGN_OR_RETURN(std::string timeout, r.String(node, "task_timeout", false));
  if (!timeout.empty()) {
    auto ms = ParseDurationMs(timeout);
    if (!ms.has_value()) return r.Error(node["task_timeout"], "`run.task_timeout`: " + ms.error().message());
    out.run.task_timeout_ms = *ms;
  }
  return OkStatus();
}

// ---- governance ------------------------------------------------------------

// `governance:` column masks and row filters (catalog/column_policies.h); the
// expressions are checked where they run, in the SQL session.
Status ParseGovernance(const Reader& r, const YAML::Node& node, ProjectFile& out) {
  if (!node.IsMap()) return r.Error(node, "`governance` must be a map with `masks:` and/or `row_filters:`");
  auto full_table = [&](const YAML::Node& entry) -> StatusOr<std::string> {
    PARETO_ASSIGN_OR_RETURN(std::string table, r.String(entry, "table", true));
    const auto dots = std::count(table.begin(), table.end(), '.');
    if (dots == 1) table = out.catalog + "." + table;
    if (dots != 1 && dots != 2) return std::unexpected(r.Error(entry, "`table` must be layer.table or catalog.layer.table"));
    std::transform(table.begin(), table.end(), table.begin(), [](unsigned char c) { return std::tolower(c); });
    return table;
  };
  for (const auto& kv : node) {
    const std::string key = kv.first.as<std::string>();
    const bool masks = key == "masks";
    if (!masks && key != "row_filters") {
      return r.Error(kv.first, "unknown key `governance." + key + "` (expected masks, row_filters)");
    }
    if (!kv.second.IsSequence()) return r.Error(kv.second, "`governance." + key + "` must be a list");
    for (const YAML::Node& entry : kv.second) {
      if (!entry.IsMap()) return r.Error(entry, "each of `governance." + key + "` is a map");
      for (const auto& field : entry) {
        const std::string f = field.first.as<std::string>();
        if (f != "table" && f != "expression" && !(masks && f == "column")) {
          return r.Error(field.first, "unknown key `" + f + "` in `governance." + key + "`");
        }
      }
      PARETO_ASSIGN_OR_RETURN(std::string table, full_table(entry));
      PARETO_ASSIGN_OR_RETURN(std::string expression, r.String(entry, "expression", true));
      if (masks) {
        PARETO_ASSIGN_OR_RETURN(std::string column, r.String(entry, "column", true));
        std::transform(column.begin(), column.end(), column.begin(), [](unsigned char c) { return std::tolower(c); });
        out.governance.masks.push_back({table, column, expression});
      } else {
        out.governance.row_filters.push_back({table, expression});
      }
    }
  }
  return OkStatus();
}

// ---- the file --------------------------------------------------------------

Status ParseRoot(const Reader& r, const YAML::Node& root, ProjectFile& out) {
  if (!root.IsMap()) return r.Error(root, "expected a map at the top level");
  for (const auto& entry : root) out.sections.push_back(entry.first.as<std::string>());
  const YAML::Node catalog = root["catalog"];
  if (!catalog || !catalog.IsScalar())
    return r.Error(root, "missing 'catalog:' (e.g. catalog: olist)");
  out.catalog = catalog.Scalar();
  if (!IsLowerIdentifier(out.catalog)) {
    return r.Error(catalog, "catalog '" + out.catalog + "' must be a lower-case identifier");
  }
  PARETO_ASSIGN_OR_RETURN(out.timezone, r.String(root, "timezone", false));
  if (const YAML::Node s = root["sources"]; s && !s.IsNull())
    PARETO_RETURN_IF_ERROR(ParseSources(r, s, out));
  if (const YAML::Node e = root["expectations"]; e && !e.IsNull())
    PARETO_RETURN_IF_ERROR(ParseExpectations(r, e, out));
  if (const YAML::Node m = root["monetary"]; m && !m.IsNull())
    PARETO_RETURN_IF_ERROR(ParseMonetary(r, m, out));
  if (const YAML::Node i = root["incremental"]; i && !i.IsNull())
    PARETO_RETURN_IF_ERROR(ParseIncremental(r, i, out));
  if (const YAML::Node ml = root["ml"]; ml && !ml.IsNull())
    PARETO_RETURN_IF_ERROR(ParseMl(r, ml, out));
  if (const YAML::Node sc = root["schedule"]; sc && !sc.IsNull())
    PARETO_RETURN_IF_ERROR(ParseSchedule(r, sc, out));
  if (const YAML::Node run = root["run"]; run && !run.IsNull())
    PARETO_RETURN_IF_ERROR(ParseRun(r, run, out));
  if (const YAML::Node g = root["governance"]; g && !g.IsNull())
    PARETO_RETURN_IF_ERROR(ParseGovernance(r, g, out));
  if (const YAML::Node k = root["known_at"]; k && !k.IsNull()) {
    if (!out.ml) return r.Error(k, "'known_at' tags ML features; it needs an `ml:` section");
    PARETO_ASSIGN_OR_RETURN(out.ml->known_at, ParseKnownAt(r, k));
  }
  return OkStatus();
}

// ---- dashboard.yaml (dashboard.h) -------------------------------------------

// A YAML node as JSON: scalars that read as booleans or numbers become those
// (Vega-Lite wants `true` and `0.5`, not strings); quoted scalars stay strings.
nlohmann::json ToJson(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: {
      nlohmann::json out = nlohmann::json::object();
      for (const auto& kv : node) out[kv.first.as<std::string>()] = ToJson(kv.second);
      return out;
    }
    case YAML::NodeType::Sequence: {
      nlohmann::json out = nlohmann::json::array();
      for (const YAML::Node& item : node) out.push_back(ToJson(item));
      return out;
    }
    case YAML::NodeType::Scalar: {
      const std::string& s = node.Scalar();
      if (node.Tag() == "!") return s;  // quoted in the file
      if (s == "true" || s == "false") return s == "true";
      if (s == "null" || s == "~") return nullptr;
      if (!s.empty() && (std::isdigit(static_cast<unsigned char>(s[0])) || s[0] == '-' || s[0] == '.')) {
        auto parsed = nlohmann::json::parse(s, nullptr, /*allow_exceptions=*/false);
        if (parsed.is_number()) return parsed;
      }
      return s;
    }
    default:
      return nullptr;
  }
}

bool IsPanelId(std::string_view id) {
  return !id.empty() && std::all_of(id.begin(), id.end(), [](char c) {
    return std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '_';
  });
}

StatusOr<DashboardPanel> ParsePanel(const Reader& r, const YAML::Node& node) {
  if (!node.IsMap()) return std::unexpected(r.Error(node, "a panel must be a map with id, title, kind, sql, spec"));
  for (const auto& kv : node) {
    const std::string key = kv.first.as<std::string>();
    static const std::set<std::string> kKeys = {"id", "title", "description", "kind", "sql", "format", "spec"};
    if (!kKeys.contains(key)) {
      return std::unexpected(
          r.Error(kv.first, "unknown panel key `" + key + "` (expected id, title, description, kind, sql, format, spec)"));
    }
  }
  DashboardPanel p;
  PARETO_ASSIGN_OR_RETURN(p.id, r.String(node, "id", true));
  if (!IsPanelId(p.id)) return std::unexpected(r.Error(node["id"], "panel id `" + p.id + "` must be [a-z0-9_]+"));
  PARETO_ASSIGN_OR_RETURN(p.title, r.String(node, "title", true));
  PARETO_ASSIGN_OR_RETURN(p.description, r.String(node, "description", false));
  PARETO_ASSIGN_OR_RETURN(std::string kind, r.String(node, "kind", false));
  if (!kind.empty()) p.kind = kind;
  if (p.kind != "chart" && p.kind != "table" && p.kind != "kpi") {
    return std::unexpected(r.Error(node["kind"], "panel kind `" + p.kind + "` must be chart, table or kpi"));
  }
  PARETO_ASSIGN_OR_RETURN(p.sql, r.String(node, "sql", true));
  if (const YAML::Node f = node["format"]; f && !f.IsNull()) {
    if (!f.IsMap()) return std::unexpected(r.Error(f, "`format` must map columns to brl, percent, int, days or score"));
    for (const auto& kv : f) {
      const std::string how = kv.second.IsScalar() ? kv.second.Scalar() : "";
      if (how != "brl" && how != "percent" && how != "int" && how != "days" && how != "score") {
        return std::unexpected(r.Error(kv.second, "format `" + how + "` must be brl, percent, int, days or score"));
      }
      p.format[kv.first.as<std::string>()] = how;
    }
  }
  if (const YAML::Node spec = node["spec"]; spec && !spec.IsNull()) {
    if (!spec.IsMap()) return std::unexpected(r.Error(spec, "`spec` must be a Vega-Lite spec (a map)"));
    p.spec = ToJson(spec);
  } else if (p.kind == "chart") {
    return std::unexpected(r.Error(node, "a chart panel needs a `spec` (Vega-Lite, without data)"));
  }
  return p;
}

Status ParseDashboardRoot(const Reader& r, const YAML::Node& root, Dashboard& out) {
  if (!root.IsMap() || !root["pages"] || !root["pages"].IsSequence()) {
    return r.Error(root, "expected `pages:`, a list of pages with id, title and panels");
  }
  std::set<std::string> panel_ids;
  std::set<std::string> page_ids;
  for (const YAML::Node& page_node : root["pages"]) {
    if (!page_node.IsMap()) return r.Error(page_node, "a page must be a map with id, title, panels");
    DashboardPage page;
    PARETO_ASSIGN_OR_RETURN(page.id, r.String(page_node, "id", true));
    if (!IsPanelId(page.id)) return r.Error(page_node["id"], "page id `" + page.id + "` must be [a-z0-9_]+");
    if (!page_ids.insert(page.id).second) return r.Error(page_node["id"], "page id `" + page.id + "` is used twice");
    PARETO_ASSIGN_OR_RETURN(page.title, r.String(page_node, "title", true));
    const YAML::Node panels = page_node["panels"];
    if (panels && !panels.IsNull()) {
      if (!panels.IsSequence()) return r.Error(panels, "`panels` must be a list");
      for (const YAML::Node& panel_node : panels) {
        PARETO_ASSIGN_OR_RETURN(DashboardPanel panel, ParsePanel(r, panel_node));
        if (!panel_ids.insert(panel.id).second) {
          return r.Error(panel_node["id"], "panel id `" + panel.id + "` is used twice (ids are unique across pages)");
        }
        page.panels.push_back(std::move(panel));
      }
    }
    out.pages.push_back(std::move(page));
  }
  return OkStatus();
}

}  // namespace

const DashboardPanel* Dashboard::FindPanel(std::string_view id) const {
  for (const DashboardPage& page : pages) {
    for (const DashboardPanel& panel : page.panels) {
      if (panel.id == id) return &panel;
    }
  }
  return nullptr;
}

StatusOr<Dashboard> ParseDashboard(std::string_view text, std::string_view file) {
  const Reader reader(file);
  Dashboard out;
  try {
    const YAML::Node root = YAML::Load(std::string(text));
    PARETO_RETURN_IF_ERROR(ParseDashboardRoot(reader, root, out));
  } catch (const YAML::Exception& e) {
    if (e.mark.is_null()) return std::unexpected(InvalidArgument(fmt::format("{}: {}", file, e.msg)));
    return std::unexpected(
        InvalidArgument(fmt::format("{}:{}:{}: {}", file, e.mark.line + 1, e.mark.column + 1, e.msg)));
  }
  return out;
}

StatusOr<Dashboard> LoadDashboard(const std::string& project_dir, Env* env) {
  const std::string path = project_dir + "/dashboard.yaml";
  if (!env->Exists(path)) return std::unexpected(NotFound(path + " does not exist: the project has no dashboard"));
  PARETO_ASSIGN_OR_RETURN(std::string text, env->ReadFile(path));
  return ParseDashboard(text, path);
}

StatusOr<ProjectFile> ParseProjectFile(std::string_view text, std::string_view file) {
  const Reader reader(file);
  ProjectFile out;
  try {
    const YAML::Node root = YAML::Load(std::string(text));
    PARETO_RETURN_IF_ERROR(ParseRoot(reader, root, out));
  } catch (const YAML::Exception& e) {
    // e.msg is yaml-cpp's text without its own position prefix.
    if (e.mark.is_null())
      return std::unexpected(InvalidArgument(fmt::format("{}: {}", file, e.msg)));
    return std::unexpected(InvalidArgument(
        fmt::format("{}:{}:{}: {}", file, e.mark.line + 1, e.mark.column + 1, e.msg)));
  }
  return out;
}

}  // namespace pareto::pipeline
