// A table's name, and the one rule for reading names people and SQL write.
//
// A name has one, two or three dot-separated parts:
//   brz_orders                 table          (bare)
//   bronze.brz_orders          schema.table
//   olist.bronze.brz_orders    catalog.schema.table (full)
// Each part is an identifier: letters, digits and '_', not starting with a digit.
//
// Case: identifiers are compared case-insensitively and stored lower-case, as
// Unity Catalog does, so `Bronze.BRZ_Orders` names bronze.brz_orders.
//
// Resolution against the registered tables (ResolveTableName in metastore.h,
// used by Lakehouse::Resolve and SqlSession::Resolve alike):
//   - a full name matches that table only;
//   - schema.table means the default catalog (the first catalog by name, which
//     the SQL session also USEs) when it holds such a table, else the one
//     catalog that does;
//   - a bare name matches the one table of that name in any catalog/schema.
// No match is kNotFound (exit 66); several matches are kInvalidArgument naming
// them ("ambiguous; use the full name"); a malformed name is kInvalidArgument.
//
// Thread safety: a value type.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace pareto::catalog {

// True for a plain identifier: [A-Za-z_][A-Za-z0-9_]*.
bool IsIdentifier(std::string_view part);

struct TableName {
  std::string catalog;  // empty for one- and two-part names
  std::string schema;   // empty for bare names
  std::string table;

  // Parses one, two or three parts, lower-casing each.
  static StatusOr<TableName> Parse(std::string_view text);
  // A full name from its parts (lower-cased); kInvalidArgument unless each is an identifier.
  static StatusOr<TableName> Full(std::string_view catalog, std::string_view schema, std::string_view table);
  // A project's name for its own table ("gold.gld_rfm", or already full) made full
  // in `catalog`: how pipeline.yaml and the models name tables. kInvalidArgument
  // for a bare or malformed name.
  static StatusOr<TableName> InCatalog(std::string_view text, std::string_view catalog);

  bool is_full() const { return !catalog.empty() && !schema.empty(); }
  // "olist.bronze.brz_orders", "bronze.brz_orders" or "brz_orders", as far as known.
  std::string ToString() const;
  // "bronze.brz_orders": the name within its catalog, as model SQL writes it.
  std::string SchemaQualified() const { return schema.empty() ? table : schema + "." + table; }
  // <catalog>/<schema>/<table>: the table's folder relative to the lakehouse
  // root. The one place the path rule is written; Lakehouse::TablePath adds the root.
  std::string Location() const { return catalog + "/" + schema + "/" + table; }

  friend bool operator==(const TableName&, const TableName&) = default;
  friend auto operator<=>(const TableName&, const TableName&) = default;
};

// Lower-case ASCII, the stored form of an identifier.
std::string LowerIdentifier(std::string_view s);

}  // namespace pareto::catalog
