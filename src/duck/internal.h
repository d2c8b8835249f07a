// What duck/'s own files share and nobody else sees: DuckDB messages made one
// line, DuckDB error types made status codes, logical types made TypeInfo.
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
