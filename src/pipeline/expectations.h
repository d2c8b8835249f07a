// Expectations (Delta Live Tables semantics) evaluated on a model's result.
//
// A row passes an expectation only when its condition is TRUE (FALSE and NULL
// fail). warn: keep and count; drop: remove and count; fail: the task stops and
// nothing is committed. Every expectation is counted over all rows of the result.
//
// Thread safety: uses the caller's Connection.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "duck/duck.h"
#include "pipeline/project.h"

namespace pareto::pipeline {

struct ExpectationCount {
  Expectation expectation;
  int64_t passed = 0;
  int64_t failed = 0;
};

struct ExpectationOutcome {
  int64_t total_rows = 0;
  std::vector<ExpectationCount> counts;  // in declaration order
  // Rows removed by drop expectations (a row failing two counts once).
  int64_t dropped_rows = 0;
  // The rows to write: `SELECT * FROM <relation>` plus the drop filter.
  std::string keep_sql;
  // Set when a fail expectation failed: "<expectation>: N of M rows failed; e.g. col=val, …".
  std::string failure;
};

// Evaluates `expectations` on `relation` (a table or view name usable after FROM).
// A condition DuckDB cannot evaluate fails with kInvalidArgument naming it.
StatusOr<ExpectationOutcome> EvaluateExpectations(duck::Connection& conn, std::string_view relation,
                                                  const std::vector<Expectation>& expectations);

}  // namespace pareto::pipeline
