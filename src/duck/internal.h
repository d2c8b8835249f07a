// What duck/'s own files share and nobody else sees: DuckDB messages made one
// line, DuckDB error types made status codes, logical types made TypeInfo,
// nested vectors made JSON.
#pragma once

#include <duckdb.h>

#include <string>

#include "common/status.h"
#include "duck/duck.h"

namespace pareto::duck {

// DuckDB's message without the echoed SQL and caret, on one line.
std::string OneLine(const char* message);
StatusCode CodeOf(duckdb_error_type type);
TypeInfo InfoOf(duckdb_logical_type type);
// The text DuckDB allocated, freed.
std::string TakeString(char* text);

// Nested values as exact JSON (nested_json.cc). A type "has a JSON shape" when
// it is walked into a JSON array or object: LIST, ARRAY, MAP, STRUCT with named
// fields. VarcharShape is that type with every leaf VARCHAR (a query casts the
// column to it); AppendJson writes one row of such a vector, each leaf by
// CellJson's rule for the leaf's own type in `type`.
bool HasJsonShape(const TypeInfo& type);
std::string VarcharShape(const TypeInfo& type);
void AppendJson(duckdb_vector vec, idx_t row, const TypeInfo& type, std::string& out);

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

}  // namespace pareto::duck
