#include "catalog/metastore.h"

#include <algorithm>
#include <string>
#include <utility>

#include "catalog/metastore_internal.h"
#include "catalog/migrations.h"

namespace pareto::catalog {
namespace {

constexpr std::string_view kTableColumns =
    "catalog, schema, name, location, format, comment, owner, created_ms, updated_ms";

TableInfo ReadTableRow(const sqlite::Statement& stmt) {
  TableInfo info;
  info.catalog = stmt.ColumnText(0);
  info.schema = stmt.ColumnText(1);
  info.name = stmt.ColumnText(2);
  info.location = stmt.ColumnText(3);
  info.format = stmt.ColumnText(4);
  info.comment = stmt.ColumnText(5);
  info.owner = stmt.ColumnText(6);
  info.created_ms = stmt.ColumnInt64(7);
  info.updated_ms = stmt.ColumnInt64(8);
  return info;
}

StatusOr<std::vector<TableInfo>> QueryTables(sqlite::Db& db, std::string_view where,
                                             const std::vector<std::string>& params) {
  std::string sql = "SELECT " + std::string(kTableColumns) + " FROM tables";
  if (!where.empty()) sql += " WHERE " + std::string(where);
  sql += " ORDER BY catalog, schema, name";
  PARETO_ASSIGN_OR_RETURN(sqlite::Statement stmt, db.Prepare(sql));
  for (size_t i = 0; i < params.size(); ++i) {
    PARETO_RETURN_IF_ERROR(stmt.Bind(static_cast<int>(i + 1), params[i]));
  }
  std::vector<TableInfo> out;
  while (true) {
    PARETO_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    out.push_back(ReadTableRow(stmt));
  }
  return out;
}

// A name that must be fully qualified (writes and exact look-ups).
StatusOr<TableName> ParseFull(std::string_view full_name) {
  PARETO_ASSIGN_OR_RETURN(TableName name, TableName::Parse(full_name));
  if (!name.is_full()) {
    return std::unexpected(
        InvalidArgument("table name \"" + std::string(full_name) + "\" must be catalog.schema.table"));
  }
  return name;
}

}  // namespace

StatusOr<TableInfo> ResolveTableName(const std::vector<TableInfo>& tables, std::string_view text,
                                     std::string_view default_catalog) {
  PARETO_ASSIGN_OR_RETURN(TableName name, TableName::Parse(text));
  std::vector<const TableInfo*> matches;
  for (const TableInfo& t : tables) {
    const TableName n = t.Name();
    const bool match = LowerIdentifier(n.table) == name.table &&
                       (name.schema.empty() || LowerIdentifier(n.schema) == name.schema) &&
                       (name.catalog.empty() || LowerIdentifier(n.catalog) == name.catalog);
    if (match) matches.push_back(&t);
  }
  // schema.table means the default catalog first, as DuckDB reads it after USE.
  if (!name.schema.empty() && name.catalog.empty() && matches.size() > 1) {
    const std::string def = LowerIdentifier(default_catalog);
    std::vector<const TableInfo*> in_default;
    for (const TableInfo* t : matches) {
      if (LowerIdentifier(t->catalog) == def) in_default.push_back(t);
    }
    if (in_default.size() == 1) matches = in_default;
  }
  if (matches.empty()) {
    return std::unexpected(NotFound("table " + std::string(text) + " not found; `pareto tables` lists them"));
  }
  if (matches.size() > 1) {
    std::string names;
    for (const TableInfo* t : matches) names += (names.empty() ? "" : ", ") + t->FullName();
    return std::unexpected(
        InvalidArgument("table name " + std::string(text) + " is ambiguous (" + names + "); use the full name"));
  }
  return *matches.front();
}

Metastore::Metastore(std::string root, std::unique_ptr<sqlite::Db> db, Env* env)
    : root_(std::move(root)), db_(std::move(db)), env_(env) {}
Metastore::Metastore(Metastore&&) noexcept = default;
Metastore& Metastore::operator=(Metastore&&) noexcept = default;
Metastore::~Metastore() = default;

StatusOr<Metastore> Metastore::Open(const std::string& lakehouse_root, Env* env) {
  const std::string meta_dir = lakehouse_root + "/_meta";
  PARETO_RETURN_IF_ERROR(env->CreateDirs(meta_dir));
  // Processes opening a new lakehouse at once race to create the file, switch it
  // to WAL and migrate it; SQLite answers some of those steps SQLITE_BUSY without
  // calling its busy handler, so a conflict here is retried with backoff.
  constexpr int kAttempts = 20;
  for (int attempt = 1;; ++attempt) {
    auto opened = [&]() -> StatusOr<sqlite::Db> {
      PARETO_ASSIGN_OR_RETURN(sqlite::Db db, sqlite::Db::Open(meta_dir + "/metastore.db"));
      PARETO_ASSIGN_OR_RETURN(int version, ApplyMigrations(db, Migrations(), env->NowMicros() / 1000));
      (void)version;
      return db;
    }();
    if (opened.has_value()) return Metastore(lakehouse_root, std::make_unique<sqlite::Db>(std::move(*opened)), env);
    if (opened.error().code() != StatusCode::kConflict || attempt == kAttempts) {
      return std::unexpected(std::move(opened).error());
    }
    env->SleepForMicroseconds(int64_t{20'000} * attempt);
  }
}

StatusOr<int> Metastore::SchemaVersion() { return AppliedSchemaVersion(*db_); }

Status Metastore::UpsertTable(const TableInfo& given) {
  PARETO_ASSIGN_OR_RETURN(TableName name, TableName::Full(given.catalog, given.schema, given.name));
  if (given.location.empty()) return InvalidArgument("table " + name.ToString() + " needs a location");
  const int64_t now = NowMs();
  const int64_t created = given.created_ms > 0 ? given.created_ms : now;
  const int64_t updated = given.updated_ms > 0 ? given.updated_ms : now;

  sqlite::Db& db = *db_;
  PARETO_ASSIGN_OR_RETURN(sqlite::Transaction txn, sqlite::Transaction::Begin(db));
  {
    PARETO_ASSIGN_OR_RETURN(sqlite::Statement stmt,
                            db.Prepare("INSERT OR IGNORE INTO catalogs(name, created_ms) VALUES (?, ?)"));
    PARETO_RETURN_IF_ERROR(stmt.Bind(1, name.catalog));
    PARETO_RETURN_IF_ERROR(stmt.Bind(2, now));
    PARETO_RETURN_IF_ERROR(stmt.Run());
  }
  {
    PARETO_ASSIGN_OR_RETURN(
        sqlite::Statement stmt,
        db.Prepare("INSERT OR IGNORE INTO schemas(catalog, name, created_ms) VALUES (?, ?, ?)"));
    PARETO_RETURN_IF_ERROR(stmt.Bind(1, name.catalog));
    PARETO_RETURN_IF_ERROR(stmt.Bind(2, name.schema));
    PARETO_RETURN_IF_ERROR(stmt.Bind(3, now));
    PARETO_RETURN_IF_ERROR(stmt.Run());
  }
  {
    // created_ms stays as first recorded: the upsert never touches it.
    PARETO_ASSIGN_OR_RETURN(sqlite::Statement stmt, db.Prepare(R"sql(
INSERT INTO tables(catalog, schema, name, location, format, comment, owner, created_ms, updated_ms)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT(catalog, schema, name) DO UPDATE SET
  location = excluded.location, format = excluded.format, comment = excluded.comment,
  owner = excluded.owner, updated_ms = excluded.updated_ms
)sql"));
    PARETO_RETURN_IF_ERROR(stmt.Bind(1, name.catalog));
    PARETO_RETURN_IF_ERROR(stmt.Bind(2, name.schema));
    PARETO_RETURN_IF_ERROR(stmt.Bind(3, name.table));
    PARETO_RETURN_IF_ERROR(stmt.Bind(4, given.location));
    PARETO_RETURN_IF_ERROR(stmt.Bind(5, given.format.empty() ? std::string("delta") : given.format));
    PARETO_RETURN_IF_ERROR(stmt.Bind(6, given.comment));
    PARETO_RETURN_IF_ERROR(stmt.Bind(7, given.owner));
    PARETO_RETURN_IF_ERROR(stmt.Bind(8, created));
    PARETO_RETURN_IF_ERROR(stmt.Bind(9, updated));
    PARETO_RETURN_IF_ERROR(stmt.Run());
  }
  return txn.Commit();
}

StatusOr<std::optional<TableInfo>> Metastore::GetTable(std::string_view full_name) {
  PARETO_ASSIGN_OR_RETURN(TableName name, ParseFull(full_name));
  PARETO_ASSIGN_OR_RETURN(std::vector<TableInfo> rows,
                          QueryTables(*db_, "catalog = ? AND schema = ? AND name = ?",
                                      {name.catalog, name.schema, name.table}));
  if (rows.empty()) return std::optional<TableInfo>();
  return std::optional<TableInfo>(std::move(rows.front()));
}

StatusOr<std::vector<TableInfo>> Metastore::ListTables(std::string_view catalog, std::string_view schema) {
  std::string where;
  std::vector<std::string> params;
  if (!catalog.empty()) {
    where = "catalog = ?";
    params.push_back(LowerIdentifier(catalog));
  }
  if (!schema.empty()) {
    if (!where.empty()) where += " AND ";
    where += "schema = ?";
    params.push_back(LowerIdentifier(schema));
  }
  return QueryTables(*db_, where, params);
}

Status Metastore::DropTable(std::string_view full_name) {
  PARETO_ASSIGN_OR_RETURN(TableName name, ParseFull(full_name));
  PARETO_ASSIGN_OR_RETURN(sqlite::Statement stmt,
                          db_->Prepare("DELETE FROM tables WHERE catalog = ? AND schema = ? AND name = ?"));
  PARETO_RETURN_IF_ERROR(stmt.Bind(1, name.catalog));
  PARETO_RETURN_IF_ERROR(stmt.Bind(2, name.schema));
  PARETO_RETURN_IF_ERROR(stmt.Bind(3, name.table));
  PARETO_RETURN_IF_ERROR(stmt.Run());
  if (db_->Changes() == 0) return NotFound("table " + std::string(full_name) + " is not registered");
  return OkStatus();
}

StatusOr<std::vector<std::string>> Metastore::ListCatalogs() {
  PARETO_ASSIGN_OR_RETURN(sqlite::Statement stmt, db_->Prepare("SELECT name FROM catalogs ORDER BY name"));
  std::vector<std::string> out;
  while (true) {
    PARETO_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    out.push_back(stmt.ColumnText(0));
  }
  return out;
}

}  // namespace pareto::catalog
