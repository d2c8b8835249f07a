#include "ingest/source_spec.h"

#include <fnmatch.h>

#include <algorithm>
#include <cctype>
#include <regex>
#include <set>

#include <fmt/format.h>

namespace pareto::ingest {
namespace {

Status ErrorAt(std::string_view file, int line, std::string_view what) {
  if (line <= 0) return InvalidArgument(fmt::format("{}: {}", file, what));
  return InvalidArgument(fmt::format("{}:{}: {}", file, line, what));
}

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

Status ValidateColumn(ColumnSpec& column, std::string_view file) {
  if (!IsAcceptableColumnName(column.name)) {
    return ErrorAt(file, column.line, fmt::format("bad column name `{}`", column.name));
  }
  if (column.name == kIngestedAtColumn || column.name == kSourceFileColumn) {
    return ErrorAt(file, column.line, fmt::format("`{}` is reserved for bronze's own column", column.name));
  }
  const std::string type = NormalizeType(column.type);
  if (type.empty()) {
    return ErrorAt(file, column.line,
                   fmt::format("column `{}`: unknown type `{}` (use string, integer, long, double, "
                               "boolean, date, timestamp or decimal(p,s))",
                               column.name, column.type));
  }
  column.type = type;
  if (!column.format.empty()) {
    if (type != "date" && type != "timestamp") {
      return ErrorAt(file, column.line,
                     fmt::format("column `{}`: `format` applies to date and timestamp columns, not {}", column.name,
                                 type));
    }
    if (column.format.find('%') == std::string::npos) {
      return ErrorAt(file, column.line,
                     fmt::format("column `{}`: format `{}` has no strptime code (e.g. \"%m/%d/%Y %H:%M\")",
                                 column.name, column.format));
    }
  }
  return OkStatus();
}

}  // namespace

Status ValidateSource(SourceSpec& s, std::string_view file) {
  if (!IsIdentifier(s.table)) {
    return ErrorAt(file, s.line, fmt::format("table `{}` must match [a-z_][a-z0-9_]*", s.table));
  }
  if (s.pattern.find('/') != std::string::npos) {
    return ErrorAt(file, s.line, "`pattern` matches file names, not paths: no '/'");
  }
  if (s.columns.empty()) {
    return ErrorAt(file, s.line, fmt::format("source `{}`: `columns` must be a non-empty list", s.table));
  }
  for (const std::string* format : {&s.date_format, &s.timestamp_format}) {
    if (!format->empty() && format->find('%') == std::string::npos) {
      return ErrorAt(file, s.line, fmt::format("source `{}`: format `{}` has no strptime code (e.g. \"%m/%d/%Y\")",
                                               s.table, *format));
    }
  }
  std::set<std::string, std::less<>> names;
  for (ColumnSpec& column : s.columns) {
    PARETO_RETURN_IF_ERROR(ValidateColumn(column, file));
    // The source's layout is every such column's default.
    if (column.format.empty() && column.type == "date") column.format = s.date_format;
    if (column.format.empty() && column.type == "timestamp") column.format = s.timestamp_format;
    if (!names.insert(column.name).second) {
      return ErrorAt(file, column.line, fmt::format("source `{}`: duplicate column `{}`", s.table, column.name));
    }
  }
  if (s.HasTimestamps() && s.timezone.empty()) {
    return ErrorAt(file, s.line, fmt::format("source `{}` has timestamp columns but no `timezone` "
                                             "(set it on the source or at the top level)", s.table));
  }
  if (s.business_key.empty()) {
    return ErrorAt(file, s.line,
                   fmt::format("source `{}`: `business_key` must be a non-empty list of columns", s.table));
  }
  for (const std::string& k : s.business_key) {
    if (!names.contains(k)) {
      return ErrorAt(file, s.line,
                     fmt::format("source `{}`: business key column `{}` is not in `columns`", s.table, k));
    }
  }
  return OkStatus();
}

Status ValidateSources(const SourcesConfig& config, std::string_view file) {
  std::set<std::string, std::less<>> tables;
  for (const SourceSpec& s : config.sources) {
    if (!tables.insert(s.table).second) {
      return ErrorAt(file, s.line, fmt::format("duplicate source table `{}`", s.table));
    }
  }
  return OkStatus();
}

bool SourceSpec::Matches(std::string_view file_name) const {
  const std::string name(file_name);
  return fnmatch(pattern.c_str(), name.c_str(), FNM_PERIOD) == 0;
}

bool SourceSpec::HasTimestamps() const {
  return std::ranges::any_of(columns, [](const ColumnSpec& c) { return c.type == "timestamp"; });
}

std::string CsvReadType(const ColumnSpec& column) {
  const std::string& t = column.type;
  if (t == "string") return "VARCHAR";
  if (t == "integer") return "INTEGER";
  if (t == "long") return "BIGINT";
  if (t == "double") return "DOUBLE";
  if (t == "boolean") return "BOOLEAN";
  if (t == "date" && column.format.empty()) return "DATE";
  return "VARCHAR";  // string, and the columns converted after the read (IsCheckedAfterRead)
}

bool IsCheckedAfterRead(const ColumnSpec& column) {
  return column.type == "timestamp" || column.type.starts_with("decimal") ||
         (column.type == "date" && !column.format.empty());
}

}  // namespace pareto::ingest
