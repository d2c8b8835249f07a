#include "catalog/lakehouse.h"

#include <filesystem>
#include <utility>

namespace pareto::catalog {

StatusOr<Lakehouse> Lakehouse::Open(std::string root, Env* env) {
  PARETO_ASSIGN_OR_RETURN(Metastore ms, Metastore::Open(root, env));
  return Lakehouse(std::move(root), std::move(ms), env);
}

StatusOr<Lakehouse> Lakehouse::OpenExisting(std::string root, Env* env) {
  std::error_code ec;
  if (!std::filesystem::is_directory(root, ec)) {
    return std::unexpected(NotFound("lakehouse folder " + root +
                                    " does not exist; pass --lakehouse DIR (a folder `pareto run` or `pareto ingest` has written)"));
  }
  return Open(std::move(root), env);
}

StatusOr<TableInfo> Lakehouse::Resolve(std::string_view name) {
  PARETO_ASSIGN_OR_RETURN(TableName parsed, TableName::Parse(name));
  if (parsed.is_full()) {
    // One exact look-up instead of listing every table.
    PARETO_ASSIGN_OR_RETURN(std::optional<TableInfo> info, ms_.GetTable(parsed.ToString()));
    if (!info) return std::unexpected(NotFound("table " + std::string(name) + " not found; `pareto tables` lists them"));
    return std::move(*info);
  }
  PARETO_ASSIGN_OR_RETURN(std::vector<TableInfo> tables, ms_.ListTables());
  PARETO_ASSIGN_OR_RETURN(std::vector<std::string> catalogs, ms_.ListCatalogs());
  return ResolveTableName(tables, name, catalogs.empty() ? std::string() : catalogs.front());
}

namespace {

std::string PathUnder(const std::string& root, const TableInfo& table) {
  if (!table.location.empty() && table.location.front() == '/') return table.location;
  return root + "/" + table.location;
}

}  // namespace

StatusOr<int64_t> DeltaVersion(const std::string& root, const TableInfo& table, Env* env) {
  delta::Table delta_table(PathUnder(root, table), env);
  if (!delta_table.Exists()) return int64_t{-1};
  return delta_table.LatestVersion();
}

std::string Lakehouse::TablePath(const TableInfo& table) const { return PathUnder(root_, table); }

std::string Lakehouse::TablePath(const TableName& name) const { return root_ + "/" + name.Location(); }

StatusOr<int64_t> Lakehouse::Version(const TableInfo& table) const { return DeltaVersion(root_, table, env_); }

StatusOr<delta::CommitResult> Lakehouse::Publish(duck::Connection& conn, const PublishRequest& request) {
  if (!request.name.is_full()) {
    return std::unexpected(InvalidArgument("publish needs a full table name (catalog.schema.table), got " +
                                           request.name.ToString()));
  }
  PARETO_ASSIGN_OR_RETURN(TableName name,
                          TableName::Full(request.name.catalog, request.name.schema, request.name.table));
  const std::string full = name.ToString();
  const delta::Table table(TablePath(name), env_);
  delta::WriteOptions write;
  write.operation = request.operation;
  write.operation_parameters = request.operation_parameters;
  write.txn = request.txn;
  write.description = request.comment;
  write.configuration = request.configuration;
  StatusOr<delta::CommitResult> committed = [&] {
    switch (request.mode) {
      case WriteMode::kOverwrite: return table.Overwrite(conn, request.select_sql, write);
      case WriteMode::kAppend: return table.Append(conn, request.select_sql, write);
      case WriteMode::kMerge:
        return table.Merge(conn,
                           {.source_sql = request.select_sql,
                            .keys = request.merge_keys,
                            .delete_keys_sql = request.merge_delete_keys_sql},
                           write);
    }
    return table.Overwrite(conn, request.select_sql, write);
  }();
  if (!committed.has_value()) return std::unexpected(committed.error().WithContext(full));

  // The Delta commit is the table; the record follows. A process that dies in
  // between leaves a table Register (or the next Publish) records.
  PARETO_RETURN_IF_ERROR(ms_.UpsertTable({.catalog = name.catalog,
                                          .schema = name.schema,
                                          .name = name.table,
                                          .location = name.Location(),
                                          .comment = request.comment,
                                          .owner = request.owner}));
  if (request.upstream) PARETO_RETURN_IF_ERROR(ReplaceTableLineage(ms_, full, *request.upstream));
  if (request.column_lineage) PARETO_RETURN_IF_ERROR(ReplaceColumnLineage(ms_, full, *request.column_lineage));
  return *committed;
}

Status Lakehouse::Register(const TableName& given, std::string comment, std::string owner) {
  PARETO_ASSIGN_OR_RETURN(TableName name, TableName::Full(given.catalog, given.schema, given.table));
  if (!delta::Table(TablePath(name), env_).Exists()) {
    return NotFound("table " + name.ToString() + " has no Delta commits at " + TablePath(name));
  }
  return ms_.UpsertTable({.catalog = name.catalog,
                          .schema = name.schema,
                          .name = name.table,
                          .location = name.Location(),
                          .comment = std::move(comment),
                          .owner = std::move(owner)});
}

StatusOr<RestoreResult> Lakehouse::Restore(std::string_view name, int64_t version) {
  if (version < 0) return std::unexpected(InvalidArgument("a version to restore must be 0 or more"));
  PARETO_ASSIGN_OR_RETURN(TableInfo table, Resolve(name));
  PARETO_ASSIGN_OR_RETURN(delta::CommitResult commit, delta::Table(TablePath(table), env_).Restore(version));
  TableInfo updated = table;
  updated.updated_ms = ms_.NowMs();
  PARETO_RETURN_IF_ERROR(ms_.UpsertTable(updated));
  return RestoreResult{.table = std::move(updated), .commit = commit};
}

StatusOr<SqlSession> Lakehouse::OpenSession(SqlSessionOptions options) {
  if (options.env == Env::Default()) options.env = env_;
  return SqlSession::Open(ms_, options);
}

}  // namespace pareto::catalog
