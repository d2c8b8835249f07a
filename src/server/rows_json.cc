#include "server/rows_json.h"

#include <cctype>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "duck/json_cell.h"

namespace pareto::server {

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
    names.push_back(duck::JsonString(result.columns[c].name));
    out += fmt::format("{}{{\"name\":{},\"type\":{}}}", c ? "," : "", names.back(),
                       duck::JsonString(TypeName(result.columns[c].type)));
  }
  out += "],\"rows\":[";
  for (size_t r = 0; r < result.rows.size(); ++r) {
    out += r ? ",{" : "{";
    for (size_t c = 0; c < result.columns.size(); ++c) {
      if (c) out += ',';
      out += names[c];
      out += ':';
      out += CellJson(result, r, c);
    }
    out += '}';
  }
  out += "],\"truncated\":";
  out += result.truncated ? "true" : "false";
  return out;
}

}  // namespace pareto::server
