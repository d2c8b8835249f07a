// PublishTables: the CLI tests' fixture tables, written into the lakehouse at
// `root` one after the other through one in-memory DuckDB, as the pipeline
// would write them (Delta commits, metastore rows).
#pragma once

#include <string>
#include <vector>

#include "catalog/lakehouse.h"
#include "common/status.h"
#include "duck/duck.h"

namespace pareto::cli::testing {

inline Status PublishTables(const std::string& root, const std::vector<catalog::PublishRequest>& writes) {
  PARETO_ASSIGN_OR_RETURN(catalog::Lakehouse lakehouse, catalog::Lakehouse::Open(root));
  PARETO_ASSIGN_OR_RETURN(duck::Database db, duck::Database::Open());
  PARETO_ASSIGN_OR_RETURN(duck::Connection conn, db.Connect());
  for (const catalog::PublishRequest& write : writes) {
    auto committed = lakehouse.Publish(conn, write);
    if (!committed.has_value()) return committed.error().WithContext(write.name.ToString());
  }
  return OkStatus();
}

}  // namespace pareto::cli::testing
