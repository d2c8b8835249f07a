#include "catalog/metastore.h"

#include <algorithm>
#include <string>
#include <utility>

#include "catalog/migrations.h"

namespace pareto::catalog {
namespace {

constexpr std::string_view kTableColumns =
    "catalog, schema, name, location, format, comment, owner, created_ms, updated_ms, delta_version";

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
  info.delta_version = stmt.ColumnInt64(9);
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

// Parts of a name that must be fully qualified for writes.
StatusOr<std::vector<std::string>> SplitFull(std::string_view full_name) {
  PARETO_ASSIGN_OR_RETURN(std::vector<std::string> parts, SplitTableName(full_name, ""));
  if (parts[0].empty()) {
    return std::unexpected(
        InvalidArgument("table name \"" + std::string(full_name) + "\" must be catalog.schema.table"));
  }
  return parts;
}

}  // namespace

bool IsIdentifier(std::string_view part) {
  if (part.empty()) return false;
  auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; };
  if (!alpha(part[0])) return false;
  for (char c : part) {
    if (!alpha(c) && !(c >= '0' && c <= '9')) return false;
  }
  return true;
}

StatusOr<std::vector<std::string>> SplitTableName(std::string_view name, std::string_view default_catalog) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t dot = name.find('.', start);
    parts.emplace_back(name.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start));
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  auto bad = [&] {
    return std::unexpected(InvalidArgument("table name \"" + std::string(name) +
                                           "\" must be catalog.schema.table or schema.table, each part "
                                           "letters, digits and '_'"));
  };
  const bool two_parts = parts.size() == 2;
  if (two_parts) parts.insert(parts.begin(), std::string(default_catalog));
  if (parts.size() != 3) return bad();
  for (size_t i = 0; i < parts.size(); ++i) {
    // An empty default catalog passes through; callers that need one check it.
    if (i == 0 && two_parts && parts[0].empty()) continue;
    if (!IsIdentifier(parts[i])) return bad();
  }
  return parts;
}

StatusOr<Metastore> Metastore::Open(const std::string& lakehouse_root, Env* env) {
  const std::string meta_dir = lakehouse_root + "/_meta";
  PARETO_RETURN_IF_ERROR(env->CreateDirs(meta_dir));
  PARETO_ASSIGN_OR_RETURN(sqlite::Db db, sqlite::Db::Open(meta_dir + "/metastore.db"));
  PARETO_ASSIGN_OR_RETURN(int version, ApplyMigrations(db, Migrations(), env->NowMicros() / 1000));
  (void)version;
  return Metastore(lakehouse_root, std::move(db), env);
}

StatusOr<int> Metastore::SchemaVersion() { return AppliedSchemaVersion(db_); }

Status Metastore::UpsertTable(const TableInfo& info) {
  for (const std::string* part : {&info.catalog, &info.schema, &info.name}) {
    if (!IsIdentifier(*part)) {
      return InvalidArgument("table name \"" + info.FullName() +
                             "\" must be catalog.schema.table, each part letters, digits and '_'");
    }
  }
  if (info.location.empty()) return InvalidArgument("table " + info.FullName() + " needs a location");
  const int64_t now = NowMs();
  const int64_t created = info.created_ms > 0 ? info.created_ms : now;
  const int64_t updated = info.updated_ms > 0 ? info.updated_ms : now;

  PARETO_ASSIGN_OR_RETURN(sqlite::Transaction txn, sqlite::Transaction::Begin(db_));
  {
    PARETO_ASSIGN_OR_RETURN(sqlite::Statement stmt,
                            db_.Prepare("INSERT OR IGNORE INTO catalogs(name, created_ms) VALUES (?, ?)"));
    PARETO_RETURN_IF_ERROR(stmt.Bind(1, info.catalog));
    PARETO_RETURN_IF_ERROR(stmt.Bind(2, now));
    PARETO_RETURN_IF_ERROR(stmt.Run());
  }
  {
    PARETO_ASSIGN_OR_RETURN(
        sqlite::Statement stmt,
        db_.Prepare("INSERT OR IGNORE INTO schemas(catalog, name, created_ms) VALUES (?, ?, ?)"));
    PARETO_RETURN_IF_ERROR(stmt.Bind(1, info.catalog));
    PARETO_RETURN_IF_ERROR(stmt.Bind(2, info.schema));
    PARETO_RETURN_IF_ERROR(stmt.Bind(3, now));
    PARETO_RETURN_IF_ERROR(stmt.Run());
  }
  {
    // created_ms stays as first recorded: the upsert never touches it.
    PARETO_ASSIGN_OR_RETURN(sqlite::Statement stmt, db_.Prepare(R"sql(
INSERT INTO tables(catalog, schema, name, location, format, comment, owner, created_ms, updated_ms, delta_version)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT(catalog, schema, name) DO UPDATE SET
  location = excluded.location, format = excluded.format, comment = excluded.comment,
  owner = excluded.owner, updated_ms = excluded.updated_ms, delta_version = excluded.delta_version
)sql"));
    PARETO_RETURN_IF_ERROR(stmt.Bind(1, info.catalog));
    PARETO_RETURN_IF_ERROR(stmt.Bind(2, info.schema));
    PARETO_RETURN_IF_ERROR(stmt.Bind(3, info.name));
    PARETO_RETURN_IF_ERROR(stmt.Bind(4, info.location));
    PARETO_RETURN_IF_ERROR(stmt.Bind(5, info.format.empty() ? std::string("delta") : info.format));
    PARETO_RETURN_IF_ERROR(stmt.Bind(6, info.comment));
    PARETO_RETURN_IF_ERROR(stmt.Bind(7, info.owner));
    PARETO_RETURN_IF_ERROR(stmt.Bind(8, created));
    PARETO_RETURN_IF_ERROR(stmt.Bind(9, updated));
    PARETO_RETURN_IF_ERROR(stmt.Bind(10, info.delta_version));
    PARETO_RETURN_IF_ERROR(stmt.Run());
  }
  return txn.Commit();
}

StatusOr<std::optional<TableInfo>> Metastore::GetTable(std::string_view full_name) {
  PARETO_ASSIGN_OR_RETURN(std::vector<std::string> parts, SplitFull(full_name));
  PARETO_ASSIGN_OR_RETURN(std::vector<TableInfo> rows,
                          QueryTables(db_, "catalog = ? AND schema = ? AND name = ?", parts));
  if (rows.empty()) return std::optional<TableInfo>();
  return std::optional<TableInfo>(std::move(rows.front()));
}

StatusOr<std::vector<TableInfo>> Metastore::ListTables(std::string_view catalog, std::string_view schema) {
  std::string where;
  std::vector<std::string> params;
  if (!catalog.empty()) {
    where = "catalog = ?";
    params.emplace_back(catalog);
  }
  if (!schema.empty()) {
    if (!where.empty()) where += " AND ";
    where += "schema = ?";
    params.emplace_back(schema);
  }
  return QueryTables(db_, where, params);
}

Status Metastore::SetDeltaVersion(std::string_view full_name, int64_t version) {
  PARETO_ASSIGN_OR_RETURN(std::vector<std::string> parts, SplitFull(full_name));
  PARETO_ASSIGN_OR_RETURN(
      sqlite::Statement stmt,
      db_.Prepare("UPDATE tables SET delta_version = ?, updated_ms = ? WHERE catalog = ? AND schema = ? AND name = ?"));
  PARETO_RETURN_IF_ERROR(stmt.Bind(1, version));
  PARETO_RETURN_IF_ERROR(stmt.Bind(2, NowMs()));
  for (int i = 0; i < 3; ++i) PARETO_RETURN_IF_ERROR(stmt.Bind(3 + i, parts[i]));
  PARETO_RETURN_IF_ERROR(stmt.Run());
  if (db_.Changes() == 0) return NotFound("table " + std::string(full_name) + " is not registered");
  return OkStatus();
}

Status Metastore::DropTable(std::string_view full_name) {
  PARETO_ASSIGN_OR_RETURN(std::vector<std::string> parts, SplitFull(full_name));
  PARETO_ASSIGN_OR_RETURN(sqlite::Statement stmt,
                          db_.Prepare("DELETE FROM tables WHERE catalog = ? AND schema = ? AND name = ?"));
  for (int i = 0; i < 3; ++i) PARETO_RETURN_IF_ERROR(stmt.Bind(1 + i, parts[i]));
  PARETO_RETURN_IF_ERROR(stmt.Run());
  if (db_.Changes() == 0) return NotFound("table " + std::string(full_name) + " is not registered");
  return OkStatus();
}

StatusOr<std::vector<std::string>> Metastore::ListCatalogs() {
  PARETO_ASSIGN_OR_RETURN(sqlite::Statement stmt, db_.Prepare("SELECT name FROM catalogs ORDER BY name"));
  std::vector<std::string> out;
  while (true) {
    PARETO_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    out.push_back(stmt.ColumnText(0));
  }
  return out;
}

StatusOr<TableInfo> Metastore::ResolveTable(std::string_view name) {
  auto not_found = [&] {
    return std::unexpected(NotFound("table " + std::string(name) + " not found; `pareto tables` lists them"));
  };
  const size_t dots = static_cast<size_t>(std::count(name.begin(), name.end(), '.'));
  std::vector<TableInfo> rows;
  if (dots == 0) {
    if (!IsIdentifier(name)) {
      return std::unexpected(InvalidArgument("table name \"" + std::string(name) +
                                             "\" must be catalog.schema.table, schema.table or table"));
    }
    PARETO_ASSIGN_OR_RETURN(rows, QueryTables(db_, "name = ?", {std::string(name)}));
  } else if (dots == 1) {
    PARETO_ASSIGN_OR_RETURN(std::vector<std::string> parts, SplitTableName(name, ""));
    PARETO_ASSIGN_OR_RETURN(rows, QueryTables(db_, "schema = ? AND name = ?", {parts[1], parts[2]}));
  } else {
    PARETO_ASSIGN_OR_RETURN(std::optional<TableInfo> info, GetTable(name));
    if (!info) return not_found();
    return std::move(*info);
  }
  if (rows.empty()) return not_found();
  if (rows.size() > 1) {
    std::string names;
    for (const TableInfo& t : rows) names += (names.empty() ? "" : ", ") + t.FullName();
    return std::unexpected(InvalidArgument("table name " + std::string(name) + " is ambiguous (" + names +
                                           "); use the full name"));
  }
  return std::move(rows.front());
}

std::string Metastore::TablePath(const TableInfo& info) const {
  if (!info.location.empty() && info.location.front() == '/') return info.location;
  return root_ + "/" + info.location;
}

}  // namespace pareto::catalog
