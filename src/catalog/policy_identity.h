// Whether a column mask or row filter, once bound to a principal
// (BindPrincipal: is_member() and current_user() are constants), changes
// nothing for them: the mask is the bare column, the filter lets every row pass.
//
// A governed SqlSession copies a masked or filtered table into the session
// (so no file read reaches the unmasked data, and time travel is refused). For
// a principal the policies leave untouched (the admin; an analyst for masks
// that spare analysts) that copy is pure cost, and refusing time travel wrong:
// such a table keeps its ordinary view.
//
// The check is a small recogniser, not a SQL evaluator, and fails closed:
// anything it does not recognise is "not the identity", so the table is copied.
// It recognises (over sql_lexer.h's tokens)
//   mask:   col | "col" | CASE WHEN <true> THEN col [ELSE NULL | ELSE 'text'] END
//   filter: <true>
// where <true> is TRUE, (<true>), a conjunction of <true>s, or a disjunction
// with at least one <true> at its top level (OR binds loosest in SQL). An
// expression with a dollar-quoted or escaped string, or any CASE in a filter's
// condition, is never recognised.
#pragma once

#include <string_view>

#include "catalog/column_policies.h"
#include "catalog/metastore.h"
#include "catalog/principals.h"
#include "common/status.h"

namespace pareto::catalog {

bool IsIdentityMask(std::string_view bound_expression, std::string_view column);
bool IsIdentityFilter(std::string_view bound_expression);

// Whether every mask and the row filter of `table` (a full name), as bound for
// one principal, change nothing (true for a table without any).
bool LeavesTableUnchanged(const BoundPolicies& policies, const std::string& table);

// The same from the stored policies, bound for `principal`. For a command that
// reads a table outside a governed session (`pareto audience --as`): it may go
// ahead only when the session would have shown the same rows.
StatusOr<bool> PoliciesLeaveTableUnchanged(Metastore& ms, const Principal& principal, std::string_view table);

}  // namespace pareto::catalog
