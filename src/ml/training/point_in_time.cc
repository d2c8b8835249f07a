#include "ml/training/point_in_time.h"

#include "pipeline/lineage_query.h"

namespace pareto::ml {
namespace {

constexpr std::string_view kNames[] = {"purchase", "approval", "carrier", "delivery", "review"};

}  // namespace

StatusOr<Moment> ParseMoment(std::string_view name) {
  for (size_t i = 0; i < std::size(kNames); ++i) {
    if (name == kNames[i]) return static_cast<Moment>(i);
  }
  return std::unexpected(InvalidArgument("unknown moment '" + std::string(name) +
                                         "' (expected purchase, approval, carrier, delivery or review)"));
}

std::string_view MomentName(Moment m) { return kNames[static_cast<size_t>(m)]; }

std::string LateFeature::ToString() const {
  return "feature " + feature + " is known only at " + std::string(MomentName(known_at)) + ": " +
         pipeline::FormatLineagePath(path);
}

StatusOr<std::vector<LateFeature>> FindLateFeatures(catalog::Metastore& ms, std::string_view table,
                                                    const std::vector<std::string>& features,
                                                    const std::map<catalog::ColumnRef, Moment>& tags,
                                                    Moment predict_at) {
  PARETO_ASSIGN_OR_RETURN(std::vector<std::string> upstream_tables, catalog::UpstreamTables(ms, table));
  if (upstream_tables.empty()) {
    return std::unexpected(NotFound("no lineage is recorded for " + std::string(table) +
                                    ", so the point-in-time guard cannot check its features; build it with `pareto run`"));
  }
  std::vector<LateFeature> found;
  for (const std::string& feature : features) {
    // From the latest moment down: the first one reached is when the feature is known.
    for (int m = static_cast<int>(Moment::kReview); m > static_cast<int>(predict_at); --m) {
      std::vector<catalog::ColumnRef> targets;
      for (const auto& [column, moment] : tags) {
        if (static_cast<int>(moment) == m) targets.push_back(column);
      }
      if (targets.empty()) continue;
      PARETO_ASSIGN_OR_RETURN(auto path, pipeline::FindLineagePath(ms, {std::string(table), feature}, targets));
      if (path) {
        found.push_back({feature, static_cast<Moment>(m), std::move(*path)});
        break;
      }
    }
  }
  return found;
}

}  // namespace pareto::ml
