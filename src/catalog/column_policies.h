// Column masks and row filters (migration 9: `column_masks`, `row_filters`):
// SQL expressions a governed SqlSession writes into a table's view, so a
// principal reads the table already masked and filtered.
//
//   mask:   table olist.silver.slv_customers, column customer_zip_code_prefix,
//           "CASE WHEN is_member('analysts') THEN customer_zip_code_prefix ELSE NULL END"
//   filter: table olist.silver.slv_customers, "is_member('admin') OR customer_state IN ('SP')"
//
// An expression may use the table's columns and two functions of the principal:
// is_member('group') and current_user(). They are replaced by constants
// (BindPrincipal) when the session builds its views, so the view holds no way
// back to the unmasked column for anyone it masks.
//
// They are declared in pipeline.yaml (`governance:`) and stored by
// ReplacePolicies (`pareto governance apply`, and `pareto run`), or one at a
// time by command.
//
// Ownership: free functions over a borrowed Metastore. Thread safety: as the Metastore.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/metastore.h"
#include "catalog/principals.h"
#include "common/status.h"

namespace pareto::catalog {

struct ColumnMask {
  std::string table;   // full name, lower-case
  std::string column;
  std::string expression;
};

struct RowFilter {
  std::string table;
  std::string expression;
};

struct ColumnPolicies {
  std::vector<ColumnMask> masks;
  std::vector<RowFilter> row_filters;
};

// Replaces every stored mask and filter by `policies` (one transaction).
// kInvalidArgument for a table name that is not catalog.schema.table, or two
// masks of one column, or two filters of one table.
Status ReplacePolicies(Metastore& ms, const ColumnPolicies& policies);
StatusOr<ColumnPolicies> LoadPolicies(Metastore& ms);

// `expression` with is_member('x') replaced by TRUE or FALSE for `principal`
// and current_user() by its name as a literal (outside string literals and
// comments). kInvalidArgument when is_member has no single string literal.
StatusOr<std::string> BindPrincipal(std::string_view expression, const Principal& principal);

// Every stored mask and row filter, bound for one principal (BindPrincipal).
struct BoundPolicies {
  std::map<std::string, std::map<std::string, std::string>> masks;  // table -> column -> bound expression
  std::map<std::string, std::string> row_filters;                    // table -> bound expression
};
StatusOr<BoundPolicies> BindPolicies(Metastore& ms, const Principal& principal);

}  // namespace pareto::catalog
