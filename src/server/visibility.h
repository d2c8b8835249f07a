// Which catalog metadata a request's user may see. A user who may not SELECT a
// table must not learn its name through the API's metadata either: a run's
// tasks, expectation results, DAG nodes and models over it are left out. One
// rule, used by every handler that lists such metadata (api_catalog.cc).
//
//   auto seen = Visibility::For(call);
//   if (!seen.has_value()) return SendStatus(call.res, seen.error());
//   if (seen->Hides(task.task)) continue;
//
// Ownership: a value (the hidden names, copied from the user's session).
// Thread safety: immutable once made.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "catalog/grants.h"
#include "common/status.h"
#include "server/call.h"

namespace pareto::server {

class Visibility {
 public:
  // The call's user's rules, and the tables its session hides (catalog::SqlSession::Hidden).
  static StatusOr<Visibility> For(Call& call);

  // Whether `name` names a table the user may not SELECT. Metadata names tables
  // at different depths: a full name ("olist.silver.slv_orders", which need not
  // be registered yet: a DAG's node before its first run) is decided by the
  // grants; a shorter one ("silver.slv_orders", "slv_orders") hides when it is
  // a dot-separated tail of a hidden registered table's full name.
  bool Hides(std::string_view name) const;

 private:
  Visibility(catalog::Access access, std::vector<std::string> hidden)
      : access_(std::move(access)), hidden_(std::move(hidden)) {}
  catalog::Access access_;
  std::vector<std::string> hidden_;  // full names, lower case
};

}  // namespace pareto::server
