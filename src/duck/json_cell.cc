#include "duck/json_cell.h"

#include <string_view>

#include <nlohmann/json.hpp>

namespace pareto::duck {
namespace {

// JSON's number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
// DuckDB's text of a finite number fits it; "inf" and "nan" do not.
bool IsJsonNumber(std::string_view s) {
  size_t i = 0;
  auto digits = [&] {
    const size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    return i > start;
  };
  if (i < s.size() && s[i] == '-') ++i;
  if (i < s.size() && s[i] == '0') {
    ++i;
  } else if (!digits()) {
    return false;
  }
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (!digits()) return false;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (!digits()) return false;
  }
  return i == s.size();
}

// DuckDB prints `2018-01-01 10:00:00[.ffffff][+HH[:MM]]`; ISO 8601 wants a T and
// an offset with minutes. Other spellings (infinity, BC dates) stay as they are.
std::string IsoTimestamp(std::string text, bool with_offset) {
  if (text.size() < 19 || text[4] != '-' || text[10] != ' ') return text;
  text[10] = 'T';
  if (with_offset) {
    const size_t sign = text.find_last_of("+-");
    if (sign > 18 && sign != std::string::npos && text.size() - sign == 3) text += ":00";
  }
  return text;
}

}  // namespace

std::string JsonString(const std::string& text) {
  return nlohmann::json(text).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string CellJson(const TypeInfo& type, const std::string& text) {
  if (type.alias == "JSON" && nlohmann::json::accept(text)) return text;
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
      // DuckDB's text of a number is exact (a decimal keeps every digit); JSON has
      // no NaN or infinity, which stay strings.
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

std::string CellJson(const TextResult& result, size_t row, size_t column) {
  const std::optional<std::string>& cell = result.rows[row][column];
  if (!cell.has_value()) return "null";
  if (auto nested = result.nested_json.find(column); nested != result.nested_json.end()) {
    return nested->second[row];
  }
  return CellJson(result.columns[column].type, *cell);
}

}  // namespace pareto::duck
