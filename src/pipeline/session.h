// A DuckDB session over the lakehouse: schemas bronze/silver/gold (one per layer of
// the catalog) hold one view per registered Delta table, over its latest snapshot.
//
// This is what lets a model's `FROM bronze.brz_orders` run unchanged: the same SQL
// runs in the SQL tests against plain tables of those names.
//
// Ownership: owns its in-memory Database and one Connection. Thread safety: one
// thread at a time.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "catalog/metastore.h"
#include "common/env.h"
#include "common/status.h"
#include "duck/duck.h"

namespace pareto::pipeline {

class LakehouseSession {
 public:
  static StatusOr<LakehouseSession> Open();

  duck::Connection& conn() { return *conn_; }

  // (Re)creates the views of every table of `catalog` registered in `ms`.
  Status AttachAll(catalog::Metastore& ms, std::string_view catalog, Env* env = Env::Default());
  // (Re)creates the view of one table from its Delta folder under the lakehouse root.
  Status Attach(const std::string& lakehouse_root, const catalog::TableInfo& table, Env* env = Env::Default());

  // "bronze.brz_orders" -> the Delta version its view reads; nullopt when not attached.
  std::optional<int64_t> VersionOf(const std::string& qualified) const;
  // The view's column names, in order; nullopt when not attached.
  std::optional<std::vector<std::string>> ColumnsOf(const std::string& qualified) const;
  // Every attached table ("layer.table"), sorted.
  std::vector<std::string> Tables() const;

 private:
  struct Attached {
    int64_t version = -1;
    std::vector<std::string> columns;
  };
  LakehouseSession(duck::Database db, duck::Connection conn)
      : db_(std::move(db)), conn_(std::move(conn)) {}
  std::optional<duck::Database> db_;
  std::optional<duck::Connection> conn_;
  std::map<std::string, Attached> attached_;
};

}  // namespace pareto::pipeline
