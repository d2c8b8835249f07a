// Delta schema types <-> DuckDB types.
//
// Writing: the DuckDB logical type of each result column becomes a Delta type
// (DESIGN §3 subset plus nested array/map/struct). Reading: DuckTypeOf (table.h)
// turns a Delta type back into DuckDB SQL. Thread safety: pure functions.
#pragma once

#include <duckdb.h>

#include <string>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace pareto::delta {

// The Delta type of a DuckDB logical type (not owned; the caller keeps it alive).
// Plain TIMESTAMP maps to "timestamp" too: the writer casts it to TIMESTAMPTZ,
// reading the naive value as UTC (connections run with TimeZone=UTC).
StatusOr<nlohmann::json> DeltaTypeOfDuck(duckdb_logical_type type);

// The Delta schema ({"type":"struct","fields":[...]}) of a result's columns.
StatusOr<nlohmann::json> DeltaSchemaOfResult(duckdb_result* result);

// OK when every type in the schema is one pareto can read; kUnsupported naming
// the type (e.g. timestamp_ntz, variant) otherwise.
Status CheckReadableSchema(const nlohmann::json& schema);

}  // namespace pareto::delta
