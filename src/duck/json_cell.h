// One cell of a query result as JSON text — the one rule `pareto sql --json`,
// `pareto read --json` and the server's API share, so a value reads the same
// through every door.
//
// Thread safety: pure functions.
#pragma once

#include <string>

#include "duck/duck.h"

namespace pareto::duck {

// `text` as a JSON string (invalid UTF-8 replaced, never an exception).
std::string JsonString(const std::string& text);

// One non-NULL cell, given DuckDB's text of it: numbers (integers of any width,
// decimals with every digit, floats) as exact JSON numbers, booleans typed,
// timestamps in ISO 8601 (`2018-01-01T10:00:00+00:00` for TIMESTAMPTZ),
// everything else (dates, UUIDs, intervals, infinities, unions) as a string of
// DuckDB's text; a JSON-typed value as itself.
std::string CellJson(const TypeInfo& type, const std::string& text);

// Cell (row, column) of a query's text result as JSON: "null" for NULL, a nested
// value (list, array, map, struct) as a JSON array or object whose leaves follow
// the rule above (TextResult::nested_json), any other cell as above.
std::string CellJson(const TextResult& result, size_t row, size_t column);

}  // namespace pareto::duck
