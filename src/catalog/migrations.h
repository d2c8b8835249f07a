// Versioned schema migrations of the metastore.
//
// The metastore's tables are created and changed only by migrations: an ordered
// list of (version, description, SQL). `schema_migrations` records each one
// applied; opening a metastore applies the missing ones in order, each in its own
// IMMEDIATE transaction (so two processes opening a fresh file at once apply each
// migration exactly once: the second one waits, then sees it recorded).
//
// ADDING A MIGRATION (e.g. for grants or models): append ONE entry to the list in
// migrations.cc with the next version number:
//
//     {7, "model registry", R"sql(CREATE TABLE models (...);)sql"},
//
// Never edit or reorder an entry that has been committed: databases in the field
// have applied it already. To change a table, append a migration that alters it.
//
// Thread safety: Migrations() is immutable; ApplyMigrations uses the caller's Db.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "catalog/sqlite.h"
#include "common/status.h"

namespace pareto::catalog {

struct Migration {
  int version;                   // 1, 2, 3, … strictly increasing, no gaps
  std::string_view description;  // one line, stored in schema_migrations
  std::string_view sql;          // one or more statements
};

// Every migration pareto knows, in order.
std::span<const Migration> Migrations();

// Applies the migrations of `migrations` not yet recorded in `db`, in order, one
// transaction each; `now_ms` is stored as their applied time. Fails with
// kUnsupported when the database records a version newer than any known one (a
// newer pareto wrote it). Returns the highest version applied.
StatusOr<int> ApplyMigrations(sqlite::Db& db, std::span<const Migration> migrations, int64_t now_ms);

// The highest version recorded in `db` (0 for a fresh database).
StatusOr<int> AppliedSchemaVersion(sqlite::Db& db);

}  // namespace pareto::catalog
