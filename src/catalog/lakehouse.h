// The one door to the lakehouse: every table is named, found, written, restored
// and queried through a Lakehouse.
//
// A lakehouse is a folder: one Delta table a folder at <root>/<catalog>/<schema>/<table>
// (TableName::Location is the rule), and the metastore at <root>/_meta/. Lakehouse
// owns the root, the Env and the Metastore, and offers:
//   - Resolve: a name as people and SQL write it -> the registered table (the
//     rules, case and errors are in table_name.h);
//   - TablePath / Version: a table's folder, and its version as the Delta log
//     says (the log is the one source of truth; the metastore keeps no copy);
//   - Publish: the only way a table is written (ingest, the pipeline runner and
//     scoring all call it): one Delta commit, then the metastore row and lineage;
//   - Restore: a Delta restore and its record;
//   - OpenSession: the SQL session (read-only for people, writable for the runner).
//
// Ownership: owns its Metastore; borrows the Env, which must outlive it.
// Thread safety: one thread at a time (as the Metastore).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "catalog/lineage.h"
#include "catalog/metastore.h"
#include "catalog/sql_session.h"
#include "catalog/table_name.h"
#include "common/env.h"
#include "common/status.h"
#include "delta/table.h"
#include "duck/duck.h"

namespace pareto::catalog {

// kMerge: an upsert by `merge_keys` (delta::MergeSpec): the rows of the existing
// table whose key `select_sql` (or `merge_delete_keys_sql`) holds are replaced,
// copy-on-write, in one commit with remove and add actions; the table must exist.
enum class WriteMode { kOverwrite, kAppend, kMerge };

// One table write: the rows of `select_sql` (a query run on the caller's
// connection) become one Delta commit of table `name`.
struct PublishRequest {
  TableName name;          // full: catalog.schema.table
  std::string select_sql;  // e.g. "SELECT * FROM __pareto_model"
  WriteMode mode = WriteMode::kOverwrite;
  std::string comment;  // the metastore's comment, and metaData.description on create
  std::string owner;
  // Lineage to record, replacing what was recorded; nullopt leaves it as it is
  // (an append adds rows, not inputs).
  std::optional<std::vector<std::string>> upstream;  // full names
  std::optional<std::vector<ColumnEdge>> column_lineage;
  std::string operation = "WRITE";  // commitInfo.operation
  nlohmann::json operation_parameters = nlohmann::json::object();
  nlohmann::json configuration = nlohmann::json::object();  // metaData.configuration on create
  // Exactly-once appends: a commit whose txn (appId, version) the table already
  // holds is skipped (CommitResult::skipped) and nothing is written.
  std::optional<delta::Txn> txn;
  // kMerge only (delta::MergeSpec): the unique key, and keys to remove besides.
  std::vector<std::string> merge_keys;
  std::string merge_delete_keys_sql;
};

struct RestoreResult {
  TableInfo table;
  delta::CommitResult commit;
};

// A registered table's latest Delta version, from its log under `root`; -1 when
// nothing is committed. Lakehouse::Version is this with its own root; code that
// holds only a Metastore (ML training records its inputs) calls it directly.
StatusOr<int64_t> DeltaVersion(const std::string& root, const TableInfo& table, Env* env = Env::Default());

class Lakehouse {
 public:
  // Opens the metastore of `root` (creating the folder and metastore when absent).
  static StatusOr<Lakehouse> Open(std::string root, Env* env = Env::Default());
  // As Open, but kNotFound when `root` is not a folder: what read-only commands
  // want (a typo should not create an empty lakehouse).
  static StatusOr<Lakehouse> OpenExisting(std::string root, Env* env = Env::Default());

  const std::string& root() const { return root_; }
  Env* env() const { return env_; }
  Metastore& metastore() { return ms_; }

  // The registered table `name` refers to (see table_name.h); kNotFound, or
  // kInvalidArgument when ambiguous or malformed.
  StatusOr<TableInfo> Resolve(std::string_view name);
  // The Delta folder of a registered table, and of a table by full name.
  std::string TablePath(const TableInfo& table) const;
  std::string TablePath(const TableName& name) const;
  // The table's latest Delta version, from its log; -1 when nothing is committed.
  StatusOr<int64_t> Version(const TableInfo& table) const;

  // Writes `request` as one Delta commit (Overwrite, Append or Merge on `conn`), then
  // records the table (comment, owner) and, when given, its lineage.
  StatusOr<delta::CommitResult> Publish(duck::Connection& conn, const PublishRequest& request);
  // Records a table whose Delta folder exists without writing to it: for a commit
  // whose record was lost (a process that died between the two), and to refresh
  // a comment. kNotFound when the folder holds no Delta table.
  Status Register(const TableName& name, std::string comment, std::string owner);
  // Makes `version` of table `name` the current one (a new commit) and records it.
  StatusOr<RestoreResult> Restore(std::string_view name, int64_t version);

  // A SQL session over every registered table (see sql_session.h).
  StatusOr<SqlSession> OpenSession(SqlSessionOptions options = {});

 private:
  Lakehouse(std::string root, Metastore ms, Env* env) : root_(std::move(root)), ms_(std::move(ms)), env_(env) {}
  std::string root_;
  Metastore ms_;
  Env* env_;
};

}  // namespace pareto::catalog
