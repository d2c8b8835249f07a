// Column-level lineage of one model, from DuckDB's parse tree (json_serialize_sql).
//
// For each output column: the set of upstream (table, column) pairs its value is
// computed from. Select-list expressions are followed through column references,
// aliases, CTEs, subqueries (scalar and in FROM), joins and set operations; `*`
// expands with the upstream tables' schemas. Filters (WHERE, JOIN ON, HAVING) do
// not count: lineage says where a value comes from, not which rows survive.
//
// Conservative where unsure: a name that several relations could supply takes
// all of them; a column of a table whose schema is unknown is attributed to that
// table by name. Callers treat a failure (an unsupported construct) as "every
// output column may come from every input column".
//
// Thread safety: pure functions.
#pragma once

#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "pipeline/project.h"

namespace pareto::pipeline {

struct OutputColumn {
  std::string name;  // from the SQL (alias or column name); may be empty for bare expressions
  std::set<ColumnName> sources;
};

// The columns of a base table ("bronze.brz_orders"), or nullopt when unknown.
using SchemaLookup = std::function<std::optional<std::vector<std::string>>(const std::string& table)>;

// Lineage of the query `node` (as returned by ParseQuery), one entry per output
// column in order.
StatusOr<std::vector<OutputColumn>> ComputeColumnLineage(const nlohmann::json& node, const SchemaLookup& schema);

// Matches computed lineage to the columns DuckDB actually produced. When the counts
// agree, names are taken from `actual` by position; otherwise (e.g. `*` over a table
// of unknown schema) every output column gets the union of all sources.
std::vector<OutputColumn> AlignToOutput(std::vector<OutputColumn> computed, const std::vector<std::string>& actual);

}  // namespace pareto::pipeline
