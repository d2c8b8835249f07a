// Delta schema types <-> DuckDB types.
//
// Writing: the DuckDB logical type of each result column becomes a Delta type
// (the primitive types plus nested array/map/struct). Reading: DuckTypeOf (table.h)
// turns a Delta type back into DuckDB SQL. Thread safety: pure functions.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "duck/duck.h"

namespace pareto::delta {

// The Delta type of a DuckDB logical type.
// Plain TIMESTAMP maps to "timestamp" too: the writer casts it to TIMESTAMPTZ,
// reading the naive value as UTC (connections run with TimeZone=UTC).
StatusOr<nlohmann::json> DeltaTypeOfDuck(const duck::TypeInfo& type);

// The Delta schema ({"type":"struct","fields":[...]}) of a result's columns.
StatusOr<nlohmann::json> DeltaSchemaOfResult(const duck::Result& result);

// OK when every type in the schema is one pareto can read; kUnsupported naming
// the type (e.g. timestamp_ntz, variant) otherwise.
Status CheckReadableSchema(const nlohmann::json& schema);

}  // namespace pareto::delta
