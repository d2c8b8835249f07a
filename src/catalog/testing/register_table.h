// Test helper: records a table in the metastore as Publish would (its folder by
// TableName::Location), for tests that need registry rows and lineage without
// writing Delta data.
#pragma once

#include <string>

#include "catalog/metastore.h"
#include "catalog/table_name.h"
#include "common/status.h"

namespace pareto::catalog::testing {

inline Status RegisterTable(Metastore& ms, const std::string& catalog, const std::string& schema,
                            const std::string& table) {
  TableInfo info;
  info.catalog = catalog;
  info.schema = schema;
  info.name = table;
  info.location = info.Name().Location();
  return ms.UpsertTable(info);
}

}  // namespace pareto::catalog::testing
