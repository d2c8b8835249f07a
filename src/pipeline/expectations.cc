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
  PARETO_ASSIGN_OR_RETURN(out.total_rows, conn.QueryInt64("SELECT count(*)" + from));
  std::string drop_filter;
  for (const Expectation& e : expectations) {
    auto failed = conn.QueryInt64("SELECT count(*)" + from + " WHERE NOT " + Passes(e));
    if (!failed) {
      return std::unexpected(
          InvalidArgument("expectation '" + e.name + "' cannot be evaluated: " + failed.error().message()));
    }
    out.counts.push_back({e, out.total_rows - *failed, *failed});
    if (e.action == ExpectationAction::kDrop) drop_filter += (drop_filter.empty() ? "" : " AND ") + Passes(e);
    if (e.action == ExpectationAction::kFail && *failed > 0 && out.failure.empty()) {
      PARETO_ASSIGN_OR_RETURN(duck::Result example, conn.Query("SELECT *" + from + " WHERE NOT " + Passes(e) + " LIMIT 1"));
      out.failure = "expectation '" + e.name + "' failed for " + std::to_string(*failed) + " of " +
                    std::to_string(out.total_rows) + " rows; e.g. " + DescribeRow(example);
    }
  }
  out.keep_sql = "SELECT *" + from + (drop_filter.empty() ? "" : " WHERE " + drop_filter);
  if (!drop_filter.empty()) {
    PARETO_ASSIGN_OR_RETURN(int64_t kept, conn.QueryInt64("SELECT count(*) FROM (" + out.keep_sql + ")"));
    out.dropped_rows = out.total_rows - kept;
  }
  return out;
}

}  // namespace pareto::pipeline
