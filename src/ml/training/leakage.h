// The leakage guard: money makes the label and never a feature.
//
// A feature is refused when its column-level lineage, followed transitively
// through the metastore, reaches a monetary column. Which columns hold money is
// the project's word alone: its `monetary:` list in pipeline.yaml (the Olist
// project tags the base columns price, freight_value and payment_value, so every
// column derived from them is caught through lineage). The refusal names the
// whole path, e.g.
//   olist.gold.gld_ml_features.total_spend <- olist.silver.slv_order_fact.payment_total
//     <- olist.silver.slv_payments.payment_value <- olist.bronze.brz_payments.payment_value
// A feature table with no recorded lineage at all is refused too (the guard
// cannot vouch for it): build it with `pareto run` first.
//
// Ownership: free functions over a borrowed Metastore. Thread safety: as the Metastore.
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/lineage.h"
#include "catalog/metastore.h"
#include "common/status.h"

namespace pareto::ml {

// The columns tagged `monetary:`, with full table names ("olist.bronze.brz_payments").
struct MonetaryRule {
  std::set<catalog::ColumnRef> tagged;
};

struct LeakagePath {
  std::string feature;
  std::vector<catalog::ColumnRef> path;  // the feature column first, the monetary column last
  std::string ToString() const;          // "a.b.c.x <- a.b.d.y <- ..."
};

// Every feature of `table` (full name) whose lineage reaches a monetary column,
// with a shortest such path (pipeline::FindLineagePath).
StatusOr<std::vector<LeakagePath>> FindMonetaryLineage(catalog::Metastore& ms, std::string_view table,
                                                       const std::vector<std::string>& features,
                                                       const MonetaryRule& rule);

// kInvalidArgument naming every refused feature and its path; OK when none.
Status CheckNoMonetaryLineage(catalog::Metastore& ms, std::string_view table,
                              const std::vector<std::string>& features, const MonetaryRule& rule);

}  // namespace pareto::ml
