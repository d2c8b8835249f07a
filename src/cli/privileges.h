// What a writing command (`run`, `train`, `score`) must hold before it does any
// work. The command line acts as the admin unless `--as USER` names someone
// else (the admin trying what that user could do, as `sql --as`). Every check,
// passed or refused, is one audit row; a refusal is kPermissionDenied (exit 77)
// naming the first privilege missing.
//
//   PARETO_RETURN_IF_ERROR(CheckPrivileges(lh.metastore(), as, "score", "pareto score",
//                                          {{Privilege::kSelect, table}, {Privilege::kModify, scores}}));
#pragma once

#include <string>
#include <vector>

#include "catalog/grants.h"
#include "catalog/metastore.h"
#include "common/status.h"

namespace pareto::cli {

struct Need {
  catalog::Privilege privilege = catalog::Privilege::kSelect;
  catalog::Securable object;
};

// The user a command acts as: `as`, or the admin when empty.
std::string ActingUser(const std::string& as);

// Checks every need for ActingUser(as) and records one audit row (source "cli",
// `action`, `text`, the needs' objects).
Status CheckPrivileges(catalog::Metastore& ms, const std::string& as, const std::string& action,
                       const std::string& text, const std::vector<Need>& needs);

// The table securable of "gold.t" (in `catalog`) or "c.gold.t".
StatusOr<catalog::Securable> TableSecurable(const std::string& name, const std::string& catalog);
// The schema securable holding that table.
StatusOr<catalog::Securable> SchemaOfTable(const std::string& name, const std::string& catalog);

}  // namespace pareto::cli
