#include "delta/types.h"

#include <regex>
#include <string>
#include <utility>

#include "delta/table.h"
#include "duck/duck.h"

namespace pareto::delta {
namespace {

using nlohmann::json;


json Field(const std::string& name, json type) {
  return json{{"name", name}, {"type", std::move(type)}, {"nullable", true}, {"metadata", json::object()}};
}

StatusOr<std::string> PrimitiveDuckType(const std::string& t) {
  static const std::pair<const char*, const char*> kMap[] = {
      {"string", "VARCHAR"}, {"long", "BIGINT"},    {"integer", "INTEGER"}, {"short", "SMALLINT"},
      {"byte", "TINYINT"},   {"float", "FLOAT"},    {"double", "DOUBLE"},   {"boolean", "BOOLEAN"},
      {"binary", "BLOB"},    {"date", "DATE"},      {"timestamp", "TIMESTAMPTZ"},
  };
  for (const auto& [delta, duck] : kMap) {
    if (t == delta) return std::string(duck);
  }
  static const std::regex kDecimal(R"(decimal\(\s*(\d+)\s*,\s*(\d+)\s*\))");
  std::smatch m;
  if (std::regex_match(t, m, kDecimal)) return "DECIMAL(" + m[1].str() + "," + m[2].str() + ")";
  if (t == "timestamp_ntz") return std::unexpected(Unsupported("Delta type timestamp_ntz (table feature timestampNtz) is not supported"));
  if (t.starts_with("variant")) return std::unexpected(Unsupported("Delta type variant (table feature variantType) is not supported"));
  return std::unexpected(Unsupported("Delta type '" + t + "' is not supported"));
}

StatusOr<std::string> DuckTypeOfUnchecked(const json& t);

}  // namespace

StatusOr<json> DeltaTypeOfDuck(const duck::TypeInfo& type) {
  switch (type.id) {
    case DUCKDB_TYPE_VARCHAR: return json("string");
    case DUCKDB_TYPE_BIGINT: return json("long");
    case DUCKDB_TYPE_INTEGER: return json("integer");
    case DUCKDB_TYPE_SMALLINT: return json("short");
    case DUCKDB_TYPE_TINYINT: return json("byte");
    case DUCKDB_TYPE_DOUBLE: return json("double");
    case DUCKDB_TYPE_FLOAT: return json("float");
    case DUCKDB_TYPE_BOOLEAN: return json("boolean");
    case DUCKDB_TYPE_BLOB: return json("binary");
    case DUCKDB_TYPE_DATE: return json("date");
    // Types Delta lacks, written as the nearest type that holds every value.
    case DUCKDB_TYPE_UTINYINT: return json("short");
    case DUCKDB_TYPE_USMALLINT: return json("integer");
    case DUCKDB_TYPE_UINTEGER: return json("long");
    case DUCKDB_TYPE_UBIGINT:
    case DUCKDB_TYPE_HUGEINT: return json("decimal(38,0)");
    case DUCKDB_TYPE_ENUM:
    case DUCKDB_TYPE_UUID: return json("string");
    // Delta's timestamp is an instant in UTC microseconds. A naive TIMESTAMP is taken
    // to be UTC and written as TIMESTAMPTZ (see the writer's cast).
    case DUCKDB_TYPE_TIMESTAMP:
    case DUCKDB_TYPE_TIMESTAMP_TZ:
    case DUCKDB_TYPE_TIMESTAMP_S:
    case DUCKDB_TYPE_TIMESTAMP_MS:
    case DUCKDB_TYPE_TIMESTAMP_NS: return json("timestamp");
    case DUCKDB_TYPE_DECIMAL:
      return json("decimal(" + std::to_string(type.width) + "," + std::to_string(type.scale) + ")");
    case DUCKDB_TYPE_LIST: {
      PARETO_ASSIGN_OR_RETURN(json element, DeltaTypeOfDuck(type.children.at(0).second));
      return json{{"type", "array"}, {"elementType", std::move(element)}, {"containsNull", true}};
    }
    case DUCKDB_TYPE_MAP: {
      PARETO_ASSIGN_OR_RETURN(json k, DeltaTypeOfDuck(type.children.at(0).second));
      PARETO_ASSIGN_OR_RETURN(json v, DeltaTypeOfDuck(type.children.at(1).second));
      return json{{"type", "map"}, {"keyType", std::move(k)}, {"valueType", std::move(v)},
                  {"valueContainsNull", true}};
    }
    case DUCKDB_TYPE_STRUCT: {
      json fields = json::array();
      for (const auto& [field_name, child] : type.children) {
        PARETO_ASSIGN_OR_RETURN(json t, DeltaTypeOfDuck(child));
        fields.push_back(Field(field_name, std::move(t)));
      }
      return json{{"type", "struct"}, {"fields", std::move(fields)}};
    }
    default: {
      const std::string what =
          !type.alias.empty() ? type.alias : ("DuckDB type id " + std::to_string(static_cast<int>(type.id)));
      return std::unexpected(Unsupported("column type " + what +
                                         " has no Delta equivalent; cast it (e.g. to VARCHAR or BIGINT)"));
    }
  }
}

StatusOr<json> DeltaSchemaOfResult(const duck::Result& result) {
  json fields = json::array();
  for (uint64_t i = 0; i < result.ColumnCount(); ++i) {
    const std::string name = result.ColumnName(i);
    auto delta_type = DeltaTypeOfDuck(result.ColumnTypeInfo(i));
    if (!delta_type) return std::unexpected(delta_type.error().WithContext("column " + name));
    fields.push_back(Field(name, std::move(*delta_type)));
  }
  return json{{"type", "struct"}, {"fields", std::move(fields)}};
}

namespace {
StatusOr<std::string> DuckTypeOfUnchecked(const json& t) {
  if (t.is_string()) return PrimitiveDuckType(t.get<std::string>());
  if (!t.is_object() || !t.contains("type")) return std::unexpected(DataError("malformed Delta type: " + t.dump()));
  const std::string kind = t.value("type", "");
  if (kind == "array") {
    PARETO_ASSIGN_OR_RETURN(std::string element, DuckTypeOfUnchecked(t.at("elementType")));
    return element + "[]";
  }
  if (kind == "map") {
    PARETO_ASSIGN_OR_RETURN(std::string k, DuckTypeOfUnchecked(t.at("keyType")));
    PARETO_ASSIGN_OR_RETURN(std::string v, DuckTypeOfUnchecked(t.at("valueType")));
    return "MAP(" + k + ", " + v + ")";
  }
  if (kind == "struct") {
    std::string out = "STRUCT(";
    bool first = true;
    for (const auto& f : t.value("fields", json::array())) {
      PARETO_ASSIGN_OR_RETURN(std::string ft, DuckTypeOfUnchecked(f.at("type")));
      if (!first) out += ", ";
      first = false;
      out += duck::QuoteIdent(f.value("name", "")) + " " + ft;
    }
    return out + ")";
  }
  return std::unexpected(Unsupported("Delta type '" + kind + "' is not supported"));
}
}  // namespace

StatusOr<std::string> DuckTypeOf(const json& t) {
  // nlohmann throws on malformed input; a bad schema is data, not a bug.
  try {
    return DuckTypeOfUnchecked(t);
  } catch (const json::exception& e) {
    return std::unexpected(DataError(std::string("malformed Delta type: ") + e.what()));
  }
}

Status CheckReadableSchema(const json& schema) {
  if (!schema.is_object() || !schema.contains("fields")) return DataError("schema is not a struct type");
  for (const auto& f : schema.at("fields")) {
    if (!f.is_object() || !f.contains("type")) return DataError("schema field without a type: " + f.dump());
    auto t = DuckTypeOf(f.at("type"));
    if (!t) return t.error().WithContext("column " + f.value("name", "?"));
  }
  return OkStatus();
}

}  // namespace pareto::delta
