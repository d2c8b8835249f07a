// Lineage in the metastore: which tables (and columns) each table is computed from.
//
// The pipeline records a model's upstreams each time it builds it (the edges come
// from the model's SQL), replacing what was recorded before, so the graph always
// matches the current SQL. Names are full three-level table names; an upstream may
// be anything with a name (a source file's bronze table, an external table).
//
// The ML trainer asks ColumnReaches() whether a feature column derives from a
// monetary column.
//
// Ownership: free functions over a borrowed Metastore. Thread safety: as the
// Metastore (one per thread); writes are single transactions, so processes may
// record lineage concurrently.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "catalog/metastore.h"
#include "common/status.h"

namespace pareto::catalog {

struct ColumnRef {
  std::string table;   // full name, "olist.silver.slv_order_fact"
  std::string column;  // "order_id"

  friend bool operator==(const ColumnRef&, const ColumnRef&) = default;
  friend auto operator<=>(const ColumnRef&, const ColumnRef&) = default;
};

struct ColumnEdge {
  std::string column;  // a column of the downstream table
  ColumnRef upstream;  // a column it is computed from
};

// Replaces every upstream table recorded for `downstream` with `upstreams`.
Status ReplaceTableLineage(Metastore& ms, std::string_view downstream, const std::vector<std::string>& upstreams);
// The tables `table` is computed from, sorted.
StatusOr<std::vector<std::string>> UpstreamTables(Metastore& ms, std::string_view table);
// The tables computed from `table`, sorted.
StatusOr<std::vector<std::string>> DownstreamTables(Metastore& ms, std::string_view table);

struct TableEdge {
  std::string upstream;    // read by
  std::string downstream;  // this table

  friend bool operator==(const TableEdge&, const TableEdge&) = default;
};
// Every recorded table edge, sorted by downstream then upstream: the whole graph
// in one read (the dashboard draws it; callers filter what a user may not see).
StatusOr<std::vector<TableEdge>> AllTableEdges(Metastore& ms);

// Replaces every column edge recorded for the columns of `downstream_table`.
Status ReplaceColumnLineage(Metastore& ms, std::string_view downstream_table, const std::vector<ColumnEdge>& edges);
// The direct upstream columns of one column, sorted.
// The columns of `table` that have recorded lineage, in the table's column order.
StatusOr<std::vector<std::string>> LineageColumns(Metastore& ms, std::string_view table);
StatusOr<std::vector<ColumnRef>> UpstreamColumns(Metastore& ms, const ColumnRef& column);
// Every column `column` derives from, directly or through any number of tables,
// sorted (the column itself excluded). Cycles in recorded lineage are tolerated.
StatusOr<std::vector<ColumnRef>> AllUpstreamColumns(Metastore& ms, const ColumnRef& column);

}  // namespace pareto::catalog
