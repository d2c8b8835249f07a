// The metastore: SQLite (WAL) at <lakehouse>/_meta/metastore.db, holding what is
// not table data: the catalog.schema.table registry, and (grown by later stages
// through versioned migrations) lineage, runs, expectation results, models.
//
// A table's Delta version is not kept here: the Delta log is its one source of
// truth (Lakehouse::Version reads it).
//
// The SQLite connection never leaves catalog/: the other modules' tables (runs,
// lineage, the model registry) are reached through functions defined next to
// their schema in this folder (metastore_internal.h gives those files the handle).
//
// Ownership: Metastore owns its sqlite3 connection (move-only). Thread safety:
// one Metastore per thread; several processes (a CLI run and a pipeline run) may open
// the same file at once (WAL, busy timeout).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "catalog/table_name.h"
#include "common/env.h"
#include "common/status.h"

namespace pareto::catalog {

namespace sqlite {
class Db;
}

struct TableInfo {
  std::string catalog;   // "olist"
  std::string schema;    // "bronze"
  std::string name;      // "brz_orders"
  std::string location;  // the Delta folder, relative to the lakehouse root ("olist/bronze/brz_orders")
  std::string format = "delta";
  std::string comment;
  std::string owner;
  int64_t created_ms = 0;
  int64_t updated_ms = 0;

  TableName Name() const { return TableName{catalog, schema, name}; }
  std::string FullName() const { return Name().ToString(); }
};

// The table `name` refers to among `tables`, by the rules written in
// table_name.h; `default_catalog` is the one two-part names mean first.
StatusOr<TableInfo> ResolveTableName(const std::vector<TableInfo>& tables, std::string_view name,
                                     std::string_view default_catalog);

class Metastore {
 public:
  // Opens (creating when absent) <lakehouse_root>/_meta/metastore.db and applies
  // pending schema migrations in one transaction each.
  static StatusOr<Metastore> Open(const std::string& lakehouse_root, Env* env = Env::Default());

  Metastore(Metastore&&) noexcept;
  Metastore& operator=(Metastore&&) noexcept;
  Metastore(const Metastore&) = delete;
  Metastore& operator=(const Metastore&) = delete;
  ~Metastore();

  const std::string& lakehouse_root() const { return root_; }
  // The highest migration applied.
  StatusOr<int> SchemaVersion();

  // Creates or updates the table's row (catalog and schema rows are created as needed);
  // created_ms is kept from an existing row. Names are stored lower-case.
  Status UpsertTable(const TableInfo& info);
  StatusOr<std::optional<TableInfo>> GetTable(std::string_view full_name);
  // Every table, or those of one catalog and/or schema; ordered by full name.
  StatusOr<std::vector<TableInfo>> ListTables(std::string_view catalog = "",
                                              std::string_view schema = "");
  Status DropTable(std::string_view full_name);

  // Catalog names, ordered; the first is the default for two-part names.
  StatusOr<std::vector<std::string>> ListCatalogs();

  // The Env's clock in milliseconds since the Unix epoch, for repository rows.
  int64_t NowMs() const { return env_->NowMicros() / 1000; }

 private:
  friend struct MetastoreAccess;
  Metastore(std::string root, std::unique_ptr<sqlite::Db> db, Env* env);
  std::string root_;
  std::unique_ptr<sqlite::Db> db_;
  Env* env_;
};

}  // namespace pareto::catalog
