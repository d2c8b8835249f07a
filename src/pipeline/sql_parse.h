// A model's SQL as DuckDB's parse tree (json_serialize_sql), and the tables it reads.
//
// DuckDB parses; we only walk its JSON: BASE_TABLE nodes are table references
// unless they name a CTE in scope; subqueries, joins and set operations are
// nested nodes of the same tree, so one recursive walk finds them all.
//
// Thread safety: functions use the caller's Connection (one thread at a time).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "duck/duck.h"

namespace pareto::pipeline {

// Parses `sql`, which must be exactly one query; returns the statement's "node"
// (a SELECT_NODE, SET_OPERATION_NODE, …). A syntax error reports "line N: …".
StatusOr<nlohmann::json> ParseQuery(duck::Connection& conn, std::string_view sql);

struct TableRef {
  std::string catalog;  // usually empty
  std::string schema;   // "bronze"
  std::string table;    // "brz_orders"
  int64_t location = -1;  // byte offset in the SQL text, -1 when unknown

  std::string QualifiedName() const { return schema + "." + table; }
};

// Every base table the query reads (CTE names excluded), in order of appearance,
// duplicates removed. Fails on an unqualified name that is not a CTE, on a catalog
// other than `catalog`, and on table functions that read files (the inputs of a
// model must be lakehouse tables so that lineage is complete). `sql` is the text
// that was parsed (errors name its line).
StatusOr<std::vector<TableRef>> ReferencedTables(const nlohmann::json& node, std::string_view sql,
                                                std::string_view catalog);

// 1-based line of a byte offset in `text` (1 when the offset is unknown).
int LineOf(std::string_view text, int64_t offset);

}  // namespace pareto::pipeline
