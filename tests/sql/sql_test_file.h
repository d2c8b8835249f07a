// The SQL test file format (tests/sql/**/*.test), parsed into steps.
//
// A test file is a sequence of directives, each a line `-- <directive>: <argument>`
// followed by a body that runs until the next directive. Lines starting with `#` are
// comments anywhere. Directives:
//
//   -- input: bronze.brz_orders     body: CSV with a header naming some of the table's
//                                   columns; the rows are appended (missing columns NULL)
//   -- sql:                         body: SQL statements run for their effect
//   -- run: silver.slv_order_fact   builds the named models (space separated) and every
//                                   model they read, in the graph's order, through the
//                                   pipeline runtime (project_harness.h), applying the
//                                   expectations of pipeline.yaml (warn / drop / fail)
//   -- expectation: silver.slv_orders no_lost fail
//                                   body: a condition; plants one more expectation (table,
//                                   name, action) on that model for the later runs
//   -- query:                       body: a query; must be followed by `-- expect:`
//   -- expect:                      body: the query's rows, cells separated by `|`,
//                                   NULL for SQL NULL; compared exactly and in order
//   -- expect-error: <text>         the preceding `run` or `query` must fail with an
//                                   error containing <text>
//
// Thread safety: plain values and a pure function.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace pareto::sqltest {

enum class StepKind { kInput, kSql, kRun, kQuery, kExpectation };

struct Step {
  StepKind kind = StepKind::kSql;
  int line = 0;           // 1-based line of the directive, for failure messages
  std::string argument;   // input: the table; run: the model names; expectation: table name action
  std::string body;       // input: CSV text; sql/query: SQL text; expectation: its condition
  // query: the expected rows (`-- expect:`); run/query: `-- expect-error:` text.
  std::vector<std::string> expected_rows;
  bool checks_rows = false;  // a `-- expect:` section was given (it may hold no rows)
  bool expects_error = false;
  std::string expected_error;
};

// Parses a test file. Errors name the line: an unknown directive, `expect` without a
// query, a query without `expect`/`expect-error`, an input without a table.
StatusOr<std::vector<Step>> ParseTestFile(std::string_view text);

}  // namespace pareto::sqltest
