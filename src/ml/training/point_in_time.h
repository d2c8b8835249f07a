// The point-in-time guard: a protocol that predicts at a moment of an order's
// life (at checkout: `predict_at: purchase`) uses no feature known only later.
//
// When a column becomes known is the project's word: its `known_at:` list in
// pipeline.yaml tags base columns (bronze) with the moment they are filled —
// approval, carrier handover, delivery, review; a column not tagged is known at
// purchase. A feature is known at the latest moment of any column its column
// lineage reaches (the same lineage the money guard follows), so a gold column
// computed from a delivery date is known at delivery. The refusal names the
// path, e.g.
//   olist.gold.gld_early_features.first_order_review_score <- ...
//     <- olist.bronze.brz_reviews.review_score (known at review)
//
// Ownership: free functions over a borrowed Metastore. Thread safety: as the Metastore.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/lineage.h"
#include "catalog/metastore.h"
#include "common/status.h"

namespace pareto::ml {

// In the order they happen (Olist sends the review survey at delivery).
enum class Moment { kPurchase = 0, kApproval, kCarrier, kDelivery, kReview };

StatusOr<Moment> ParseMoment(std::string_view name);
std::string_view MomentName(Moment m);

struct LateFeature {
  std::string feature;
  Moment known_at = Moment::kPurchase;
  std::vector<catalog::ColumnRef> path;  // the feature column first, the tagged column last
  std::string ToString() const;          // "feature f is known at delivery: a <- b <- c"
};

// Every feature of `table` (full name) known after `predict_at`, with the latest
// moment it reaches and a shortest path to a column tagged with that moment.
// `tags` holds full column names (olist.bronze.brz_orders, order_delivered_customer_date).
StatusOr<std::vector<LateFeature>> FindLateFeatures(catalog::Metastore& ms, std::string_view table,
                                                    const std::vector<std::string>& features,
                                                    const std::map<catalog::ColumnRef, Moment>& tags,
                                                    Moment predict_at);

}  // namespace pareto::ml
