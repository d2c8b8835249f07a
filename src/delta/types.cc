#include "delta/types.h"

#include <regex>
#include <string>
#include <utility>

#include "delta/table.h"
#include "duck/duck.h"

namespace pareto::delta {
namespace {

using nlohmann::json;

// Owner of a duckdb_logical_type handed out by the C API.
class LogicalType {
 public:
  explicit LogicalType(duckdb_logical_type t) : t_(t) {}
  LogicalType(const LogicalType&) = delete;
  LogicalType& operator=(const LogicalType&) = delete;
  ~LogicalType() {
    if (t_ != nullptr) duckdb_destroy_logical_type(&t_);
  }
  duckdb_logical_type get() const { return t_; }

 private:
  duckdb_logical_type t_;
};

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

StatusOr<json> DeltaTypeOfDuck(duckdb_logical_type type) {
  switch (duckdb_get_type_id(type)) {
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
      return json("decimal(" + std::to_string(duckdb_decimal_width(type)) + "," +
                  std::to_string(duckdb_decimal_scale(type)) + ")");
    case DUCKDB_TYPE_LIST: {
      LogicalType child(duckdb_list_type_child_type(type));
      PARETO_ASSIGN_OR_RETURN(json element, DeltaTypeOfDuck(child.get()));
      return json{{"type", "array"}, {"elementType", std::move(element)}, {"containsNull", true}};
    }
    case DUCKDB_TYPE_MAP: {
      LogicalType key(duckdb_map_type_key_type(type));
      LogicalType value(duckdb_map_type_value_type(type));
      PARETO_ASSIGN_OR_RETURN(json k, DeltaTypeOfDuck(key.get()));
      PARETO_ASSIGN_OR_RETURN(json v, DeltaTypeOfDuck(value.get()));
      return json{{"type", "map"}, {"keyType", std::move(k)}, {"valueType", std::move(v)},
                  {"valueContainsNull", true}};
    }
    case DUCKDB_TYPE_STRUCT: {
      json fields = json::array();
      idx_t n = duckdb_struct_type_child_count(type);
      for (idx_t i = 0; i < n; ++i) {
        char* name = duckdb_struct_type_child_name(type, i);
        std::string field_name = name ? name : "";
        duckdb_free(name);
        LogicalType child(duckdb_struct_type_child_type(type, i));
        PARETO_ASSIGN_OR_RETURN(json t, DeltaTypeOfDuck(child.get()));
        fields.push_back(Field(field_name, std::move(t)));
      }
      return json{{"type", "struct"}, {"fields", std::move(fields)}};
    }
    default: {
      char* alias = duckdb_logical_type_get_alias(type);
      std::string what = alias ? alias : ("DuckDB type id " + std::to_string(duckdb_get_type_id(type)));
      duckdb_free(alias);
      return std::unexpected(Unsupported("column type " + what +
                                         " has no Delta equivalent; cast it (e.g. to VARCHAR or BIGINT)"));
    }
  }
}

StatusOr<json> DeltaSchemaOfResult(duckdb_result* result) {
  json fields = json::array();
  idx_t n = duckdb_column_count(result);
  for (idx_t i = 0; i < n; ++i) {
    std::string name = duckdb_column_name(result, i);
    LogicalType t(duckdb_column_logical_type(result, i));
    auto delta_type = DeltaTypeOfDuck(t.get());
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
