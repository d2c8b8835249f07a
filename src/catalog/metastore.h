// The metastore: SQLite (WAL) at <lakehouse>/_meta/metastore.db, holding what is
// not table data: the catalog.schema.table registry, and (grown by later stages
// through versioned migrations) lineage, runs, expectation results, models.
//
// Ownership: Metastore owns its sqlite3 connection (move-only). Thread safety:
// one Metastore per thread; several processes (a CLI run and a server) may open
// the same file at once (WAL, busy timeout).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "catalog/sqlite.h"
#include "common/env.h"
#include "common/status.h"

namespace pareto::catalog {

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
  int64_t delta_version = -1;

  std::string FullName() const { return catalog + "." + schema + "." + name; }
};

// Splits "olist.bronze.brz_orders"; two parts ("bronze.brz_orders") use `default_catalog`.
// Each part must be a plain identifier (letters, digits, '_', not starting with a digit).
StatusOr<std::vector<std::string>> SplitTableName(std::string_view name,
                                                  std::string_view default_catalog);

// True for a plain identifier: [A-Za-z_][A-Za-z0-9_]*.
bool IsIdentifier(std::string_view part);

class Metastore {
 public:
  // Opens (creating when absent) <lakehouse_root>/_meta/metastore.db and applies
  // pending schema migrations in one transaction each.
  static StatusOr<Metastore> Open(const std::string& lakehouse_root, Env* env = Env::Default());

  const std::string& lakehouse_root() const { return root_; }
  // The highest migration applied.
  StatusOr<int> SchemaVersion();

  // Creates or updates the table's row (catalog and schema rows are created as needed);
  // created_ms is kept from an existing row.
  Status UpsertTable(const TableInfo& info);
  StatusOr<std::optional<TableInfo>> GetTable(std::string_view full_name);
  // Every table, or those of one catalog and/or schema; ordered by full name.
  StatusOr<std::vector<TableInfo>> ListTables(std::string_view catalog = "",
                                              std::string_view schema = "");
  Status SetDeltaVersion(std::string_view full_name, int64_t version);
  Status DropTable(std::string_view full_name);

  // Catalog names, ordered; the first is the default for two-part names.
  StatusOr<std::vector<std::string>> ListCatalogs();
  // Finds a table by a full, two-part (default catalog) or bare name (when exactly
  // one table has it). kNotFound names the table; kInvalidArgument when a bare or
  // two-part name is ambiguous or malformed.
  StatusOr<TableInfo> ResolveTable(std::string_view name);
  // <lakehouse_root>/<info.location>, or the location itself when absolute.
  std::string TablePath(const TableInfo& info) const;

  // The Env's clock in milliseconds since the Unix epoch, for repository rows.
  int64_t NowMs() const { return env_->NowMicros() / 1000; }

  // For other stages' repositories (runs, lineage, models) over the same file.
  sqlite::Db& db() { return db_; }

 private:
  Metastore(std::string root, sqlite::Db db, Env* env)
      : root_(std::move(root)), db_(std::move(db)), env_(env) {}
  std::string root_;
  sqlite::Db db_;
  Env* env_;
};

}  // namespace pareto::catalog
