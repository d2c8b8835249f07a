// Nested values (LIST, ARRAY, MAP, STRUCT) as exact JSON.
//
// Why not DuckDB's to_json: it writes a decimal as a double (decimal(38,36)
// loses digits, a scale-0 decimal prints as 5.0) and a timestamp without T or
// offset. Instead the query casts a nested column to the same shape with VARCHAR
// leaves (DuckDB's own text of each leaf), and the shape is walked here through
// the vector API, each leaf written by CellJson's rule — so a value inside a
// list reads exactly as the same value in a column of its own.
#include <string>

#include "duck/internal.h"
#include "duck/json_cell.h"

namespace pareto::duck {
namespace {

// A struct whose fields all have distinct, non-empty names (row(1, 2) has none).
bool HasNamedFields(const TypeInfo& type) {
  for (size_t i = 0; i < type.children.size(); ++i) {
    if (type.children[i].first.empty()) return false;
    for (size_t j = 0; j < i; ++j) {
      if (type.children[j].first == type.children[i].first) return false;
    }
  }
  return !type.children.empty();
}

bool IsValid(duckdb_vector vec, idx_t row) {
  uint64_t* validity = duckdb_vector_get_validity(vec);
  return validity == nullptr || duckdb_validity_row_is_valid(validity, row);
}

std::string Text(duckdb_vector vec, idx_t row) {
  auto* data = static_cast<duckdb_string_t*>(duckdb_vector_get_data(vec));
  return std::string(duckdb_string_t_data(&data[row]), duckdb_string_t_length(data[row]));
}

}  // namespace

bool HasJsonShape(const TypeInfo& type) {
  switch (type.id) {
    case DUCKDB_TYPE_LIST:
    case DUCKDB_TYPE_ARRAY:
      return type.children.size() == 1;
    case DUCKDB_TYPE_MAP:
      return type.children.size() == 2;
    case DUCKDB_TYPE_STRUCT:
      return HasNamedFields(type);
    default:
      // A union and an unnamed struct are leaves: DuckDB's text of them, as a string.
      return false;
  }
}

std::string VarcharShape(const TypeInfo& type) {
  if (!HasJsonShape(type)) return "VARCHAR";
  switch (type.id) {
    case DUCKDB_TYPE_LIST:
    case DUCKDB_TYPE_ARRAY:
      // An array is walked as a list: DuckDB casts ARRAY to LIST.
      return VarcharShape(type.children[0].second) + "[]";
    case DUCKDB_TYPE_MAP:
      // JSON object keys are strings: a key of any type is its text.
      return "MAP(VARCHAR, " + VarcharShape(type.children[1].second) + ")";
    default: {
      std::string out = "STRUCT(";
      for (size_t i = 0; i < type.children.size(); ++i) {
        if (i > 0) out += ", ";
        out += QuoteIdent(type.children[i].first) + " " + VarcharShape(type.children[i].second);
      }
      return out + ")";
    }
  }
}

void AppendJson(duckdb_vector vec, idx_t row, const TypeInfo& type, std::string& out) {
  if (!IsValid(vec, row)) {
    out += "null";
    return;
  }
  if (!HasJsonShape(type)) {
    out += CellJson(type, Text(vec, row));
    return;
  }
  switch (type.id) {
    case DUCKDB_TYPE_LIST:
    case DUCKDB_TYPE_ARRAY: {
      const auto entry = static_cast<duckdb_list_entry*>(duckdb_vector_get_data(vec))[row];
      duckdb_vector child = duckdb_list_vector_get_child(vec);
      out += '[';
      for (idx_t i = 0; i < entry.length; ++i) {
        if (i > 0) out += ',';
        AppendJson(child, entry.offset + i, type.children[0].second, out);
      }
      out += ']';
      return;
    }
    case DUCKDB_TYPE_MAP: {
      // A map is a list of {key, value} structs.
      const auto entry = static_cast<duckdb_list_entry*>(duckdb_vector_get_data(vec))[row];
      duckdb_vector entries = duckdb_list_vector_get_child(vec);
      duckdb_vector keys = duckdb_struct_vector_get_child(entries, 0);
      duckdb_vector values = duckdb_struct_vector_get_child(entries, 1);
      out += '{';
      for (idx_t i = 0; i < entry.length; ++i) {
        if (i > 0) out += ',';
        const idx_t at = entry.offset + i;
        out += IsValid(keys, at) ? JsonString(Text(keys, at)) : "\"NULL\"";
        out += ':';
        AppendJson(values, at, type.children[1].second, out);
      }
      out += '}';
      return;
    }
    default: {
      out += '{';
      for (size_t i = 0; i < type.children.size(); ++i) {
        if (i > 0) out += ',';
        out += JsonString(type.children[i].first) + ':';
        AppendJson(duckdb_struct_vector_get_child(vec, i), row, type.children[i].second, out);
      }
      out += '}';
      return;
    }
  }
}

}  // namespace pareto::duck
