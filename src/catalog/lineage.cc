#include "catalog/lineage.h"

#include "catalog/metastore_internal.h"
#include <algorithm>

namespace pareto::catalog {
namespace {

StatusOr<std::vector<std::string>> Strings(Metastore& ms, std::string_view sql, std::string_view param) {
  PARETO_ASSIGN_OR_RETURN(sqlite::Statement stmt, MetastoreAccess::Db(ms).Prepare(sql));
  PARETO_RETURN_IF_ERROR(stmt.Bind(1, param));
  std::vector<std::string> out;
  while (true) {
    PARETO_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) return out;
    out.push_back(stmt.ColumnText(0));
  }
}

StatusOr<std::vector<ColumnRef>> Columns(Metastore& ms, std::string_view sql, const ColumnRef& column) {
  PARETO_ASSIGN_OR_RETURN(sqlite::Statement stmt, MetastoreAccess::Db(ms).Prepare(sql));
  PARETO_RETURN_IF_ERROR(stmt.Bind(1, column.table));
  PARETO_RETURN_IF_ERROR(stmt.Bind(2, column.column));
  std::vector<ColumnRef> out;
  while (true) {
    PARETO_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) return out;
    out.push_back({stmt.ColumnText(0), stmt.ColumnText(1)});
  }
}

}  // namespace

Status ReplaceTableLineage(Metastore& ms, std::string_view downstream, const std::vector<std::string>& upstreams) {
  PARETO_ASSIGN_OR_RETURN(sqlite::Transaction txn, sqlite::Transaction::Begin(MetastoreAccess::Db(ms)));
  {
    PARETO_ASSIGN_OR_RETURN(sqlite::Statement del, MetastoreAccess::Db(ms).Prepare("DELETE FROM table_lineage WHERE downstream = ?"));
    PARETO_RETURN_IF_ERROR(del.Bind(1, downstream));
    PARETO_RETURN_IF_ERROR(del.Run());
  }
  PARETO_ASSIGN_OR_RETURN(
      sqlite::Statement insert,
      MetastoreAccess::Db(ms).Prepare("INSERT OR IGNORE INTO table_lineage(downstream, upstream, recorded_ms) VALUES (?, ?, ?)"));
  for (const std::string& upstream : upstreams) {
    PARETO_RETURN_IF_ERROR(insert.Bind(1, downstream));
    PARETO_RETURN_IF_ERROR(insert.Bind(2, upstream));
    PARETO_RETURN_IF_ERROR(insert.Bind(3, ms.NowMs()));
    PARETO_RETURN_IF_ERROR(insert.Run());
    PARETO_RETURN_IF_ERROR(insert.Reset());
  }
  return txn.Commit();
}

StatusOr<std::vector<std::string>> UpstreamTables(Metastore& ms, std::string_view table) {
  return Strings(ms, "SELECT upstream FROM table_lineage WHERE downstream = ? ORDER BY upstream", table);
}

StatusOr<std::vector<std::string>> DownstreamTables(Metastore& ms, std::string_view table) {
  return Strings(ms, "SELECT downstream FROM table_lineage WHERE upstream = ? ORDER BY downstream", table);
}

StatusOr<std::vector<TableEdge>> AllTableEdges(Metastore& ms) {
  PARETO_ASSIGN_OR_RETURN(sqlite::Statement stmt, MetastoreAccess::Db(ms).Prepare(
                                                      "SELECT upstream, downstream FROM table_lineage ORDER BY 2, 1"));
  std::vector<TableEdge> out;
  while (true) {
    PARETO_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) return out;
    out.push_back({stmt.ColumnText(0), stmt.ColumnText(1)});
  }
}

Status ReplaceColumnLineage(Metastore& ms, std::string_view downstream_table, const std::vector<ColumnEdge>& edges) {
  PARETO_ASSIGN_OR_RETURN(sqlite::Transaction txn, sqlite::Transaction::Begin(MetastoreAccess::Db(ms)));
  {
    PARETO_ASSIGN_OR_RETURN(sqlite::Statement del,
                            MetastoreAccess::Db(ms).Prepare("DELETE FROM column_lineage WHERE downstream_table = ?"));
    PARETO_RETURN_IF_ERROR(del.Bind(1, downstream_table));
    PARETO_RETURN_IF_ERROR(del.Run());
  }
  PARETO_ASSIGN_OR_RETURN(sqlite::Statement insert, MetastoreAccess::Db(ms).Prepare(R"sql(
INSERT OR IGNORE INTO column_lineage(downstream_table, downstream_column, upstream_table, upstream_column, recorded_ms)
VALUES (?, ?, ?, ?, ?))sql"));
  for (const ColumnEdge& edge : edges) {
    PARETO_RETURN_IF_ERROR(insert.Bind(1, downstream_table));
    PARETO_RETURN_IF_ERROR(insert.Bind(2, edge.column));
    PARETO_RETURN_IF_ERROR(insert.Bind(3, edge.upstream.table));
    PARETO_RETURN_IF_ERROR(insert.Bind(4, edge.upstream.column));
    PARETO_RETURN_IF_ERROR(insert.Bind(5, ms.NowMs()));
    PARETO_RETURN_IF_ERROR(insert.Run());
    PARETO_RETURN_IF_ERROR(insert.Reset());
  }
  return txn.Commit();
}

StatusOr<std::vector<ColumnRef>> UpstreamColumns(Metastore& ms, const ColumnRef& column) {
  return Columns(ms,
                 "SELECT upstream_table, upstream_column FROM column_lineage "
                 "WHERE downstream_table = ? AND downstream_column = ? ORDER BY 1, 2",
                 column);
}

StatusOr<std::vector<ColumnRef>> AllUpstreamColumns(Metastore& ms, const ColumnRef& column) {
  // UNION (not UNION ALL) drops rows already seen, so a cycle ends the recursion.
  PARETO_ASSIGN_OR_RETURN(std::vector<ColumnRef> out, Columns(ms, R"sql(
WITH RECURSIVE reach(t, c) AS (
  SELECT upstream_table, upstream_column FROM column_lineage
   WHERE downstream_table = ?1 AND downstream_column = ?2
  UNION
  SELECT l.upstream_table, l.upstream_column
    FROM column_lineage l JOIN reach r ON l.downstream_table = r.t AND l.downstream_column = r.c
)
SELECT t, c FROM reach ORDER BY 1, 2)sql",
                                                              column));
  std::erase(out, column);
  return out;
}

StatusOr<std::vector<std::string>> LineageColumns(Metastore& ms, std::string_view table) {
  // rowid order is insertion order, which ReplaceColumnLineage keeps as the table's column order.
  return Strings(ms,
                 "SELECT downstream_column FROM column_lineage WHERE downstream_table = ? "
                 "GROUP BY downstream_column ORDER BY min(rowid)",
                 table);
}

}  // namespace pareto::catalog
