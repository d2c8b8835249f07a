#include "catalog/migrations.h"

#include "catalog/model_registry.h"

#include <string>

namespace pareto::catalog {
namespace {

// Times are milliseconds since the Unix epoch (UTC). Names of tables are full
// three-level names ("olist.silver.slv_order_fact") where a row refers to a table
// that may live outside the registry (lineage to a source file, a dropped table),
// so those columns carry no foreign key.
constexpr Migration kMigrations[] = {
    {1, "table registry: catalogs, schemas, tables", R"sql(
CREATE TABLE catalogs (
  name        TEXT PRIMARY KEY,
  comment     TEXT NOT NULL DEFAULT '',
  created_ms  INTEGER NOT NULL
);
CREATE TABLE schemas (
  catalog     TEXT NOT NULL REFERENCES catalogs(name) ON DELETE CASCADE,
  name        TEXT NOT NULL,
  comment     TEXT NOT NULL DEFAULT '',
  created_ms  INTEGER NOT NULL,
  PRIMARY KEY (catalog, name)
);
CREATE TABLE tables (
  catalog       TEXT NOT NULL,
  schema        TEXT NOT NULL,
  name          TEXT NOT NULL,
  location      TEXT NOT NULL,
  format        TEXT NOT NULL DEFAULT 'delta',
  comment       TEXT NOT NULL DEFAULT '',
  owner         TEXT NOT NULL DEFAULT '',
  created_ms    INTEGER NOT NULL,
  updated_ms    INTEGER NOT NULL,
  delta_version INTEGER NOT NULL DEFAULT -1,
  PRIMARY KEY (catalog, schema, name),
  FOREIGN KEY (catalog, schema) REFERENCES schemas(catalog, name) ON DELETE CASCADE
);
)sql"},
    {2, "lineage: table_lineage, column_lineage", R"sql(
CREATE TABLE table_lineage (
  downstream  TEXT NOT NULL,
  upstream    TEXT NOT NULL,
  recorded_ms INTEGER NOT NULL,
  PRIMARY KEY (downstream, upstream)
);
CREATE INDEX table_lineage_by_upstream ON table_lineage(upstream);
CREATE TABLE column_lineage (
  downstream_table  TEXT NOT NULL,
  downstream_column TEXT NOT NULL,
  upstream_table    TEXT NOT NULL,
  upstream_column   TEXT NOT NULL,
  recorded_ms       INTEGER NOT NULL,
  PRIMARY KEY (downstream_table, downstream_column, upstream_table, upstream_column)
);
CREATE INDEX column_lineage_by_upstream ON column_lineage(upstream_table, upstream_column);
)sql"},
    {3, "runs: pipeline_runs, task_runs", R"sql(
CREATE TABLE pipeline_runs (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  pipeline    TEXT NOT NULL,
  triggered_by TEXT NOT NULL DEFAULT 'manual',
  status      TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'skipped')),
  message     TEXT NOT NULL DEFAULT '',
  started_ms  INTEGER NOT NULL,
  ended_ms    INTEGER
);
CREATE TABLE task_runs (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  run_id        INTEGER NOT NULL REFERENCES pipeline_runs(id) ON DELETE CASCADE,
  task          TEXT NOT NULL,
  status        TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'skipped')),
  message       TEXT NOT NULL DEFAULT '',
  started_ms    INTEGER NOT NULL,
  ended_ms      INTEGER,
  rows_written  INTEGER,
  delta_version INTEGER
);
CREATE INDEX task_runs_by_run ON task_runs(run_id);
)sql"},
    {4, "expectation_results", R"sql(
CREATE TABLE expectation_results (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  run_id       INTEGER REFERENCES pipeline_runs(id) ON DELETE CASCADE,
  table_name   TEXT NOT NULL,
  expectation  TEXT NOT NULL,
  action       TEXT NOT NULL CHECK (action IN ('warn', 'drop', 'fail')),
  passed_rows  INTEGER NOT NULL,
  failed_rows  INTEGER NOT NULL,
  recorded_ms  INTEGER NOT NULL
);
CREATE INDEX expectation_results_by_run ON expectation_results(run_id);
CREATE INDEX expectation_results_by_table ON expectation_results(table_name, recorded_ms);
)sql"},
    // The model registry's schema is defined next to its functions (model_registry.cc).
    {5, "ml registry: ml_runs, ml_model_versions", models::kModelRegistrySchema},
    // The Delta log is the one source of truth for a table's version; a cached
    // copy could (and did) drift from it.
    {6, "tables: drop the cached delta_version", "ALTER TABLE tables DROP COLUMN delta_version;"},
    // What `pareto runs show` tells about a task: its attempts, the worker that
    // ran it, the rows it read, the Delta versions it read (a JSON object, table
    // -> version) and the fingerprint of what it was built from, so a task whose
    // inputs, settings and code did not change since can be skipped.
    {7, "task_runs: attempts, worker, rows_read, versions_read, fingerprint", R"sql(
ALTER TABLE task_runs ADD COLUMN attempts INTEGER;
ALTER TABLE task_runs ADD COLUMN worker INTEGER;
ALTER TABLE task_runs ADD COLUMN rows_read INTEGER;
ALTER TABLE task_runs ADD COLUMN versions_read TEXT;
ALTER TABLE task_runs ADD COLUMN fingerprint TEXT;
CREATE INDEX task_runs_by_task ON task_runs(task, id);
)sql"},
    // API tokens of `pareto serve` (tokens.h): only a SHA-256 hash of each is
    // kept, so a copy of the metastore lets no one in.
    {8, "api_tokens", R"sql(
CREATE TABLE api_tokens (
  name         TEXT PRIMARY KEY,
  hash         TEXT NOT NULL UNIQUE,
  created_ms   INTEGER NOT NULL,
  last_used_ms INTEGER,
  revoked_ms   INTEGER
);
)sql"},
    // Governance (principals.h, grants.h, audit.h): users and groups, who is in
    // which group, privileges on catalogs, schemas and tables, their owners,
    // column masks and row filters, and the audit log. A fresh lakehouse has one
    // admin, `admin` (the local user); every token issued before belongs to it.
    // `governance_epoch` counts changes, so a server can tell that a session it
    // built for a principal is out of date.
    {9, "governance: principals, group_members, grants, owners, masks, row filters, audit_log", R"sql(
CREATE TABLE principals (
  name        TEXT PRIMARY KEY,
  kind        TEXT NOT NULL CHECK (kind IN ('user', 'group')),
  is_admin    INTEGER NOT NULL DEFAULT 0,
  created_ms  INTEGER NOT NULL
);
INSERT INTO principals(name, kind, is_admin, created_ms) VALUES ('admin', 'user', 1, 0);
CREATE TABLE group_members (
  group_name  TEXT NOT NULL REFERENCES principals(name) ON DELETE CASCADE,
  member      TEXT NOT NULL REFERENCES principals(name) ON DELETE CASCADE,
  PRIMARY KEY (group_name, member)
);
CREATE TABLE grants (
  principal   TEXT NOT NULL REFERENCES principals(name) ON DELETE CASCADE,
  privilege   TEXT NOT NULL CHECK (privilege IN ('USE CATALOG', 'USE SCHEMA', 'SELECT', 'MODIFY')),
  object_kind TEXT NOT NULL CHECK (object_kind IN ('catalog', 'schema', 'table')),
  object_name TEXT NOT NULL,
  granted_ms  INTEGER NOT NULL,
  PRIMARY KEY (principal, privilege, object_kind, object_name)
);
CREATE TABLE owners (
  object_kind TEXT NOT NULL CHECK (object_kind IN ('catalog', 'schema', 'table')),
  object_name TEXT NOT NULL,
  owner       TEXT NOT NULL REFERENCES principals(name) ON DELETE CASCADE,
  PRIMARY KEY (object_kind, object_name)
);
CREATE TABLE column_masks (
  table_name  TEXT NOT NULL,
  column_name TEXT NOT NULL,
  expression  TEXT NOT NULL,
  PRIMARY KEY (table_name, column_name)
);
CREATE TABLE row_filters (
  table_name  TEXT PRIMARY KEY,
  expression  TEXT NOT NULL
);
CREATE TABLE governance_epoch (
  id    INTEGER PRIMARY KEY CHECK (id = 1),
  epoch INTEGER NOT NULL
);
INSERT INTO governance_epoch(id, epoch) VALUES (1, 0);
ALTER TABLE api_tokens ADD COLUMN principal TEXT NOT NULL DEFAULT 'admin';
CREATE TABLE audit_log (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  at_ms       INTEGER NOT NULL,
  principal   TEXT NOT NULL,
  source      TEXT NOT NULL,
  address     TEXT NOT NULL DEFAULT '',
  action      TEXT NOT NULL,
  text        TEXT NOT NULL,
  objects     TEXT NOT NULL DEFAULT '[]',
  allowed     INTEGER NOT NULL,
  reason      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_by_time ON audit_log(at_ms);
CREATE INDEX audit_log_by_principal ON audit_log(principal, at_ms);
)sql"},
    // Append new migrations here (see migrations.h).
};

Status EnsureBookkeeping(sqlite::Db& db) {
  return db.Exec(R"sql(
CREATE TABLE IF NOT EXISTS schema_migrations (
  version     INTEGER PRIMARY KEY,
  description TEXT NOT NULL,
  applied_ms  INTEGER NOT NULL
))sql");
}

Status CheckOrder(std::span<const Migration> migrations) {
  int expected = 1;
  for (const Migration& m : migrations) {
    if (m.version != expected) {
      return Internal("metastore: migration " + std::to_string(m.version) + " is out of order (expected " +
                      std::to_string(expected) + ")");
    }
    ++expected;
  }
  return OkStatus();
}

}  // namespace

std::span<const Migration> Migrations() { return kMigrations; }

StatusOr<int> AppliedSchemaVersion(sqlite::Db& db) {
  PARETO_RETURN_IF_ERROR(EnsureBookkeeping(db));
  PARETO_ASSIGN_OR_RETURN(sqlite::Statement stmt,
                          db.Prepare("SELECT COALESCE(MAX(version), 0) FROM schema_migrations"));
  PARETO_ASSIGN_OR_RETURN(bool row, stmt.Step());
  return row ? static_cast<int>(stmt.ColumnInt64(0)) : 0;
}

StatusOr<int> ApplyMigrations(sqlite::Db& db, std::span<const Migration> migrations, int64_t now_ms) {
  PARETO_RETURN_IF_ERROR(CheckOrder(migrations));
  PARETO_ASSIGN_OR_RETURN(int current, AppliedSchemaVersion(db));
  const int latest = static_cast<int>(migrations.size());
  if (current > latest) {
    return std::unexpected(Unsupported("metastore " + db.path() + " has schema version " + std::to_string(current) +
                                       ", newer than this pareto knows (" + std::to_string(latest) +
                                       "); use a newer pareto"));
  }
  for (const Migration& m : migrations) {
    if (m.version <= current) continue;
    PARETO_ASSIGN_OR_RETURN(sqlite::Transaction txn, sqlite::Transaction::Begin(db));
    // Another process may have applied it between our read and our write lock.
    PARETO_ASSIGN_OR_RETURN(int now_current, AppliedSchemaVersion(db));
    if (now_current >= m.version) {
      current = now_current;
      continue;  // the transaction rolls back; it changed nothing
    }
    Status applied = db.Exec(m.sql);
    if (!applied.ok()) {
      return std::unexpected(applied.WithContext("migration " + std::to_string(m.version) + " (" +
                                                 std::string(m.description) + ")"));
    }
    PARETO_ASSIGN_OR_RETURN(
        sqlite::Statement record,
        db.Prepare("INSERT INTO schema_migrations(version, description, applied_ms) VALUES (?, ?, ?)"));
    PARETO_RETURN_IF_ERROR(record.Bind(1, m.version));
    PARETO_RETURN_IF_ERROR(record.Bind(2, m.description));
    PARETO_RETURN_IF_ERROR(record.Bind(3, now_ms));
    PARETO_RETURN_IF_ERROR(record.Run());
    PARETO_RETURN_IF_ERROR(txn.Commit());
    current = m.version;
  }
  return current;
}

}  // namespace pareto::catalog
