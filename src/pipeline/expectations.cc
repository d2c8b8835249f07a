#include "pipeline/expectations.h"

namespace pareto::pipeline {
namespace {

std::string Passes(const Expectation& e) { return "((" + e.condition + ") IS TRUE)"; }

// "col=value, col=NULL" for the first row of `result`.
std::string DescribeRow(const duck::Result& result) {
  std::string out;
  for (uint64_t c = 0; c < result.ColumnCount(); ++c) {
    if (c) out += ", ";
    out += result.ColumnName(c) + "=" + (result.IsNull(c, 0) ? std::string("NULL") : result.GetString(c, 0));
  }
  return out;
}

}  // namespace

StatusOr<ExpectationOutcome> EvaluateExpectations(duck::Connection& conn, std::string_view relation,
                                                  const std::vector<Expectation>& expectations) {
  ExpectationOutcome out;
  const std::string from = " FROM " + std::string(relation);
  std::string drop_filter;
  for (const Expectation& e : expectations) {
    if (e.action == ExpectationAction::kDrop) drop_filter += (drop_filter.empty() ? "" : " AND ") + Passes(e);
  }
  // One scan of the result for every rule: the row count, each rule's failures and
  // the rows the drop rules keep, as aggregates of one query.
  std::string sql = "SELECT count(*)";
  for (const Expectation& e : expectations) sql += ", count_if(NOT " + Passes(e) + ")";
  if (!drop_filter.empty()) sql += ", count_if(" + drop_filter + ")";
  auto counted = conn.Query(sql + from);
  if (!counted) {
    // Name the rule DuckDB cannot evaluate: try each alone.
    for (const Expectation& e : expectations) {
      auto failed = conn.QueryInt64("SELECT count(*)" + from + " WHERE NOT " + Passes(e));
      if (!failed) {
        return std::unexpected(
            InvalidArgument("expectation '" + e.name + "' cannot be evaluated: " + failed.error().message()));
      }
    }
    return std::unexpected(counted.error());
  }
  out.total_rows = counted->GetInt64(0, 0);
  for (size_t i = 0; i < expectations.size(); ++i) {
    const Expectation& e = expectations[i];
    const int64_t failed = counted->GetInt64(i + 1, 0);
    out.counts.push_back({e, out.total_rows - failed, failed});
    if (e.action == ExpectationAction::kFail && failed > 0 && out.failure.empty()) {
      PARETO_ASSIGN_OR_RETURN(duck::Result example, conn.Query("SELECT *" + from + " WHERE NOT " + Passes(e) + " LIMIT 1"));
      out.failure = "expectation '" + e.name + "' failed for " + std::to_string(failed) + " of " +
                    std::to_string(out.total_rows) + " rows; e.g. " + DescribeRow(example);
    }
  }
  out.keep_sql = "SELECT *" + from + (drop_filter.empty() ? "" : " WHERE " + drop_filter);
  if (!drop_filter.empty()) out.dropped_rows = out.total_rows - counted->GetInt64(expectations.size() + 1, 0);
  return out;
}

}  // namespace pareto::pipeline
