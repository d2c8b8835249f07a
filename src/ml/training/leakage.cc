#include "ml/training/leakage.h"

#include "pipeline/lineage_query.h"

namespace pareto::ml {

std::string LeakagePath::ToString() const { return pipeline::FormatLineagePath(path); }

StatusOr<std::vector<LeakagePath>> FindMonetaryLineage(catalog::Metastore& ms, std::string_view table,
                                                       const std::vector<std::string>& features,
                                                       const MonetaryRule& rule) {
  PARETO_ASSIGN_OR_RETURN(std::vector<std::string> upstream_tables, catalog::UpstreamTables(ms, table));
  if (upstream_tables.empty()) {
    return std::unexpected(NotFound("no lineage is recorded for " + std::string(table) +
                                    ", so the leakage guard cannot check its features; build it with `pareto run`"));
  }
  const std::vector<catalog::ColumnRef> targets(rule.tagged.begin(), rule.tagged.end());
  std::vector<LeakagePath> found;
  for (const std::string& feature : features) {
    PARETO_ASSIGN_OR_RETURN(auto path, pipeline::FindLineagePath(ms, {std::string(table), feature}, targets));
    if (path) found.push_back({feature, std::move(*path)});
  }
  return found;
}

Status CheckNoMonetaryLineage(catalog::Metastore& ms, std::string_view table,
                              const std::vector<std::string>& features, const MonetaryRule& rule) {
  PARETO_ASSIGN_OR_RETURN(std::vector<LeakagePath> leaks, FindMonetaryLineage(ms, table, features, rule));
  if (leaks.empty()) return OkStatus();
  std::string message = "refused: ";
  for (size_t i = 0; i < leaks.size(); ++i) {
    if (i > 0) message += "; ";
    message += "feature " + leaks[i].feature + " derives from money: " + leaks[i].ToString();
  }
  message += " (money makes the label, never a feature; --allow-monetary FEATURE overrides, and is recorded)";
  return InvalidArgument(message);
}

}  // namespace pareto::ml
