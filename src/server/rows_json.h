// A query's rows as the API's JSON: {"columns":[{"name","type"}], "rows":[{col: value}],
// "truncated": bool}. Numbers (every integer width, DECIMAL with every digit) are
// JSON numbers, exactly as DuckDB prints them; booleans typed; timestamps ISO
// 8601; dates, UUIDs, intervals and nested values DuckDB's text. The same rules
// as `pareto sql --json`.
//
// Thread safety: pure functions.
#pragma once

#include <string>

#include "duck/duck.h"
#include "duck/json_cell.h"

namespace pareto::server {

// The JSON text of one non-NULL cell: duck/json_cell.h, the rule every door shares.
using duck::CellJson;
// The SQL type's name ("DATE", "DECIMAL(18,2)", "VARCHAR").
std::string TypeName(const duck::TypeInfo& type);
// `"columns":[…],"rows":[…],"truncated":…` — the members, without braces, so a
// caller adds its own (id, elapsed_ms).
std::string ResultMembersJson(const duck::TextResult& result);

}  // namespace pareto::server
