#include "server/rows_json.h"

#include <cctype>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace pareto::server {
namespace {

std::string JsonString(const std::string& s) {
  return nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// DuckDB's text of a finite number is a JSON number; "inf", "nan" are not.
bool IsJsonNumber(const std::string& s) {
  size_t i = 0;
  if (i < s.size() && s[i] == '-') ++i;
  const size_t digits = i;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
  if (i == digits) return false;
  if (s[digits] == '0' && i - digits > 1) return false;
  if (i < s.size() && s[i] == '.') {
    const size_t frac = ++i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
    if (i == frac) return false;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    const size_t exp = i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
    if (i == exp) return false;
  }
  return i == s.size();
}

// "2018-01-01 10:00:00" -> "2018-01-01T10:00:00"; "…10:00:00+00" -> "…T10:00:00+00:00".
std::string IsoTimestamp(std::string text, bool with_offset) {
  if (const size_t space = text.find(' '); space != std::string::npos) text[space] = 'T';
  if (with_offset) {
    const size_t sign = text.find_last_of("+-");
    if (sign != std::string::npos && sign > 10 && text.size() - sign == 3) text += ":00";
  }
  return text;
}

}  // namespace

std::string CellJson(const duck::TypeInfo& type, const std::string& text) {
  switch (type.id) {
    case DUCKDB_TYPE_BOOLEAN:
      return text == "true" ? "true" : "false";
    case DUCKDB_TYPE_TINYINT:
    case DUCKDB_TYPE_SMALLINT:
    case DUCKDB_TYPE_INTEGER:
    case DUCKDB_TYPE_BIGINT:
    case DUCKDB_TYPE_HUGEINT:
    case DUCKDB_TYPE_UTINYINT:
    case DUCKDB_TYPE_USMALLINT:
    case DUCKDB_TYPE_UINTEGER:
    case DUCKDB_TYPE_UBIGINT:
    case DUCKDB_TYPE_UHUGEINT:
    case DUCKDB_TYPE_FLOAT:
    case DUCKDB_TYPE_DOUBLE:
    case DUCKDB_TYPE_DECIMAL:
      return IsJsonNumber(text) ? text : JsonString(text);
    case DUCKDB_TYPE_TIMESTAMP_TZ:
      return JsonString(IsoTimestamp(text, /*with_offset=*/true));
    case DUCKDB_TYPE_TIMESTAMP:
    case DUCKDB_TYPE_TIMESTAMP_S:
    case DUCKDB_TYPE_TIMESTAMP_MS:
    case DUCKDB_TYPE_TIMESTAMP_NS:
      return JsonString(IsoTimestamp(text, /*with_offset=*/false));
    default:
      return JsonString(text);
  }
}

std::string TypeName(const duck::TypeInfo& type) {
  if (!type.alias.empty()) return type.alias;
  switch (type.id) {
    case DUCKDB_TYPE_BOOLEAN: return "BOOLEAN";
    case DUCKDB_TYPE_TINYINT: return "TINYINT";
    case DUCKDB_TYPE_SMALLINT: return "SMALLINT";
    case DUCKDB_TYPE_INTEGER: return "INTEGER";
    case DUCKDB_TYPE_BIGINT: return "BIGINT";
    case DUCKDB_TYPE_HUGEINT: return "HUGEINT";
    case DUCKDB_TYPE_UTINYINT: return "UTINYINT";
    case DUCKDB_TYPE_USMALLINT: return "USMALLINT";
    case DUCKDB_TYPE_UINTEGER: return "UINTEGER";
    case DUCKDB_TYPE_UBIGINT: return "UBIGINT";
    case DUCKDB_TYPE_UHUGEINT: return "UHUGEINT";
    case DUCKDB_TYPE_FLOAT: return "FLOAT";
    case DUCKDB_TYPE_DOUBLE: return "DOUBLE";
    case DUCKDB_TYPE_DECIMAL: return fmt::format("DECIMAL({},{})", type.width, type.scale);
    case DUCKDB_TYPE_VARCHAR: return "VARCHAR";
    case DUCKDB_TYPE_DATE: return "DATE";
    case DUCKDB_TYPE_TIME: return "TIME";
    case DUCKDB_TYPE_TIMESTAMP:
    case DUCKDB_TYPE_TIMESTAMP_S:
    case DUCKDB_TYPE_TIMESTAMP_MS:
    case DUCKDB_TYPE_TIMESTAMP_NS: return "TIMESTAMP";
    case DUCKDB_TYPE_TIMESTAMP_TZ: return "TIMESTAMP WITH TIME ZONE";
    case DUCKDB_TYPE_INTERVAL: return "INTERVAL";
    case DUCKDB_TYPE_UUID: return "UUID";
    case DUCKDB_TYPE_BLOB: return "BLOB";
    case DUCKDB_TYPE_LIST: return "LIST";
    case DUCKDB_TYPE_STRUCT: return "STRUCT";
    case DUCKDB_TYPE_MAP: return "MAP";
    case DUCKDB_TYPE_ENUM: return "ENUM";
    default: return "OTHER";
  }
}

std::string ResultMembersJson(const duck::TextResult& result) {
  std::string out = "\"columns\":[";
  std::vector<std::string> names;
  for (size_t c = 0; c < result.columns.size(); ++c) {
    names.push_back(JsonString(result.columns[c].name));
    out += fmt::format("{}{{\"name\":{},\"type\":{}}}", c ? "," : "", names.back(),
                       JsonString(TypeName(result.columns[c].type)));
  }
  out += "],\"rows\":[";
  for (size_t r = 0; r < result.rows.size(); ++r) {
    out += r ? ",{" : "{";
    const auto& row = result.rows[r];
    for (size_t c = 0; c < result.columns.size(); ++c) {
      if (c) out += ',';
      out += names[c];
      out += ':';
      out += row[c].has_value() ? CellJson(result.columns[c].type, *row[c]) : "null";
    }
    out += '}';
  }
  out += "],\"truncated\":";
  out += result.truncated ? "true" : "false";
  return out;
}

}  // namespace pareto::server
