// Transitive column lineage over the metastore: does a column reach a source?
//
// The ML trainer's leakage guard asks whether a feature column is computed, through
// any number of models, from a monetary column (docs/ml.md, the leakage guard), and names the path:
//   olist.gold.gld_ml_features.total_spend <- olist.silver.slv_order_fact.payment_total
//     <- olist.bronze.brz_payments.payment_value
//
// Thread safety: as the Metastore (one per thread).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "catalog/lineage.h"
#include "catalog/metastore.h"
#include "common/status.h"

namespace pareto::pipeline {

// A shortest path from `column` (first) to one of `targets` (last), following
// recorded column lineage upstream; nullopt when none is reached. An edge to
// (table, "*") stands for every column of that table.
StatusOr<std::optional<std::vector<catalog::ColumnRef>>> FindLineagePath(
    catalog::Metastore& ms, const catalog::ColumnRef& column, const std::vector<catalog::ColumnRef>& targets);

// "a.b.c <- d.e.f <- …"
std::string FormatLineagePath(const std::vector<catalog::ColumnRef>& path);

}  // namespace pareto::pipeline
