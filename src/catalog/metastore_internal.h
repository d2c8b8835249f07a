// The metastore's SQLite connection, for the repositories inside catalog/ only
// (runs, lineage, the model registry): each owns its tables and offers functions,
// so no raw handle leaves this folder. Not to be included outside src/catalog/.
#pragma once

#include "catalog/metastore.h"
#include "catalog/sqlite.h"

namespace pareto::catalog {

struct MetastoreAccess {
  static sqlite::Db& Db(Metastore& ms) { return *ms.db_; }
};

}  // namespace pareto::catalog
