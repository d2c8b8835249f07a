// Delta Lake tables on a local file system: the public API of the delta module.
//
// A table is a folder: Parquet data files written by DuckDB plus `_delta_log/`
// of JSON commits written here (reader version 1, writer version 2).
// Commits are atomic (temp file + put-if-absent link) and optimistic: when a
// version already exists the log is re-read; a blind append retries, anything
// that read the table (overwrite, restore) fails with kConflict.
//
// Independent of Olist: nothing here knows about bronze, silver or gold.
//
// Ownership: Table holds only its root path and a borrowed Env*; the Env must
// outlive it. Thread safety: Table is immutable; concurrent writers (threads or
// processes) are safe through the commit protocol, not through locks.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/env.h"
#include "common/status.h"
#include "duck/duck.h"

namespace pareto::delta {

// Idempotent-append marker (Delta `txn` action): a write carrying a Txn whose
// app_id the table already holds at a version >= this one is skipped.
struct Txn {
  std::string app_id;
  int64_t version = 0;
};

struct WriteOptions {
  std::string operation = "WRITE";  // commitInfo.operation, e.g. "WRITE", "CREATE TABLE AS SELECT"
  nlohmann::json operation_parameters = nlohmann::json::object();
  std::optional<Txn> txn;
  std::string description;  // metaData.description when the table is created
  nlohmann::json configuration = nlohmann::json::object();  // metaData.configuration on create
  int max_attempts = 20;     // optimistic-commit attempts before giving up with kConflict
  // Target rows per Parquet file; large writes are split so readers parallelize.
  int64_t rows_per_file = 2'000'000;
};

// Where a write's time went, in microseconds of the Env's clock (for `pareto run`'s
// per-task profile): the query's rows materialized, the Parquet files written, their
// Delta stats, and the log (the table's state read, the commit, a checkpoint).
struct WriteProfile {
  int64_t materialize_us = 0;
  int64_t parquet_us = 0;
  int64_t stats_us = 0;
  int64_t log_us = 0;
};

struct CommitResult {
  int64_t version = -1;  // the new version, or the current one when skipped
  bool skipped = false;  // true when the Txn was already applied
  int64_t rows_written = 0;
  int64_t files_added = 0;
  int64_t files_removed = 0;
  // Merge only: source rows whose key was new (inserted) or present (updated),
  // target rows removed for a key of MergeSpec::delete_keys_sql the source does
  // not hold (deleted), and untouched rows of the rewritten files (copied).
  int64_t rows_inserted = 0;
  int64_t rows_updated = 0;
  int64_t rows_deleted = 0;
  int64_t rows_copied = 0;
  WriteProfile profile;
};

// An upsert by key (Delta's MERGE … WHEN MATCHED UPDATE * WHEN NOT MATCHED INSERT *),
// copy-on-write: every live file holding a key of the source (or of
// `delete_keys_sql`) is removed and its other rows are written again, together
// with the source rows, as new files; files without such a key stay as they are.
struct MergeSpec {
  std::string source_sql;         // the new rows; at most one a key (else kDataError)
  std::vector<std::string> keys;  // the unique key's columns; NULL equals NULL, as in a GROUP BY
  // Optional: a query of the key columns whose rows go even when the source has
  // no row for them (e.g. keys a filter dropped from the source).
  std::string delete_keys_sql;
};

struct AddFile {
  std::string path;  // relative to the table root (URL-decoded), or absolute
  int64_t size = 0;
  int64_t modification_time = 0;
  std::map<std::string, std::optional<std::string>> partition_values;
  std::string stats;  // the JSON string of the add action's stats, may be empty
};

// The files the commits after `from` up to `to` added, when those commits only
// added files (appends); otherwise `append_only` is false and `reason` says
// which commit did more ("version 7 (RESTORE) removes files").
struct AppendedFiles {
  bool append_only = false;
  std::string reason;
  std::vector<AddFile> files;
  int64_t rows = 0;  // from the files' stats (numRecords); -1 when a file has none
};

struct Snapshot {
  std::string root;
  int64_t version = -1;
  int64_t timestamp_ms = 0;  // the commit time of `version`
  std::string table_id;
  std::string name;
  std::string description;
  nlohmann::json schema;  // the parsed schemaString: {"type":"struct","fields":[...]}
  std::vector<std::string> partition_columns;
  nlohmann::json configuration = nlohmann::json::object();
  int min_reader_version = 1;
  int min_writer_version = 2;
  std::vector<AddFile> files;             // live files at `version`
  std::map<std::string, int64_t> txns;    // appId -> version
};

struct HistoryEntry {
  int64_t version = 0;
  int64_t timestamp_ms = 0;
  std::string operation;
  nlohmann::json operation_parameters = nlohmann::json::object();
  nlohmann::json operation_metrics = nlohmann::json::object();
  std::string engine_info;
};

// Which version to read: neither set = latest; `version` = exactly that one;
// `timestamp_ms` = the latest version committed at or before that instant.
struct VersionSpec {
  std::optional<int64_t> version;
  std::optional<int64_t> timestamp_ms;
};

// Delta's default guard (delta.deletedFileRetentionDuration, 7 days): vacuum keeps at
// least this much history unless forced.
inline constexpr std::chrono::hours kMinVacuumRetention{168};

struct VacuumResult {
  int64_t files_deleted = 0;
  int64_t bytes_deleted = 0;
  std::vector<std::string> deleted;  // relative paths (the candidates, with dry_run)
};

class Table {
 public:
  explicit Table(std::string root, Env* env = Env::Default());

  const std::string& root() const { return root_; }

  // True when `_delta_log/` holds at least one commit or checkpoint.
  bool Exists() const;
  // The latest committed version, read from the log listing alone (no replay);
  // kNotFound when the folder holds no Delta table.
  StatusOr<int64_t> LatestVersion() const;

  // Replays the log (from the newest usable checkpoint) up to the requested version.
  // Tables needing a feature pareto lacks (deletion vectors, column mapping, reader
  // version > 1, table features) fail with kUnsupported naming the feature.
  StatusOr<Snapshot> Load(const VersionSpec& at = {}) const;

  // Writes the rows of `select_sql` (any DuckDB query, run on `conn`) as new Parquet
  // files and commits them. When the table does not exist, version 0 is created with
  // protocol + metaData from the query's schema. Append refuses a schema change.
  StatusOr<CommitResult> Append(duck::Connection& conn, std::string_view select_sql,
                                const WriteOptions& options = {}) const;
  // One commit that removes every live file and adds the query's rows (the schema
  // may change: a new metaData is written).
  StatusOr<CommitResult> Overwrite(duck::Connection& conn, std::string_view select_sql,
                                   const WriteOptions& options = {}) const;

  // One commit applying `spec` (see MergeSpec): remove actions for the rewritten
  // files, add actions for the new ones. The table must exist and be unpartitioned;
  // the source must fit its schema (as an append). operationParameters get the
  // merge predicate; operationMetrics Delta's merge counts.
  StatusOr<CommitResult> Merge(duck::Connection& conn, const MergeSpec& spec, const WriteOptions& options = {}) const;

  // What the commits after version `from` up to `to` did, when they only appended.
  StatusOr<AppendedFiles> AppendedSince(int64_t from, int64_t to) const;

  StatusOr<std::vector<HistoryEntry>> History() const;  // newest first

  // A new commit whose live files (and schema) equal those of `version`.
  StatusOr<CommitResult> Restore(int64_t version) const;

  // Deletes data files that no version within `retention` still references and that
  // are older than `retention`; never files the latest version uses. A retention
  // under kMinVacuumRetention is refused (kInvalidArgument, nothing deleted) unless
  // `force`: a reader may still open a version of the last week, and a file a commit
  // in flight is about to reference looks unreferenced until it lands. A dry run
  // deletes nothing and needs no force.
  StatusOr<VacuumResult> Vacuum(std::chrono::milliseconds retention, bool dry_run, bool force = false) const;

  // The highest version committed for `app_id`, if any (at the latest version).
  StatusOr<std::optional<int64_t>> TxnVersion(std::string_view app_id) const;

 private:
  std::string root_;
  Env* env_;
};

// A DuckDB table expression (usable after FROM) that yields exactly the rows of the
// snapshot, with the Delta schema's column names and types, partition values included.
// An empty snapshot yields zero rows with the right columns. Fails with kDataError
// when a live file is missing (e.g. vacuumed): a version is read whole or not at all.
StatusOr<std::string> ScanSql(const Snapshot& snapshot);

// DuckDB type for a Delta schema type (e.g. "long" -> BIGINT, "timestamp" -> TIMESTAMPTZ).
StatusOr<std::string> DuckTypeOf(const nlohmann::json& delta_type);

}  // namespace pareto::delta
