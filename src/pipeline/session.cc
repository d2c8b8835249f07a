#include "pipeline/session.h"

#include "delta/table.h"

namespace pareto::pipeline {

StatusOr<LakehouseSession> LakehouseSession::Open() {
  PARETO_ASSIGN_OR_RETURN(duck::Database db, duck::Database::Open());
  PARETO_ASSIGN_OR_RETURN(duck::Connection conn, db.Connect());
  PARETO_RETURN_IF_ERROR(conn.Execute(
      "CREATE SCHEMA IF NOT EXISTS bronze; CREATE SCHEMA IF NOT EXISTS silver; CREATE SCHEMA IF NOT EXISTS gold;"));
  return LakehouseSession(std::move(db), std::move(conn));
}

Status LakehouseSession::AttachAll(catalog::Metastore& ms, std::string_view catalog, Env* env) {
  PARETO_ASSIGN_OR_RETURN(auto tables, ms.ListTables(catalog));
  for (const catalog::TableInfo& t : tables) {
    if (t.format != "delta") continue;
    PARETO_RETURN_IF_ERROR(Attach(ms.lakehouse_root(), t, env));
  }
  return OkStatus();
}

Status LakehouseSession::Attach(const std::string& lakehouse_root, const catalog::TableInfo& table, Env* env) {
  const std::string qualified = table.schema + "." + table.name;
  delta::Table delta_table(lakehouse_root + "/" + table.location, env);
  if (!delta_table.Exists()) {
    attached_.erase(qualified);
    return OkStatus();  // registered but never written: nothing to read
  }
  auto snapshot = delta_table.Load();
  if (!snapshot) return snapshot.error().WithContext(table.FullName());
  PARETO_ASSIGN_OR_RETURN(std::string scan, delta::ScanSql(*snapshot));
  PARETO_RETURN_IF_ERROR(conn_->Execute("CREATE SCHEMA IF NOT EXISTS " + duck::QuoteIdent(table.schema)));
  const std::string view = duck::QuoteIdent(table.schema) + "." + duck::QuoteIdent(table.name);
  Status created = conn_->Execute("CREATE OR REPLACE VIEW " + view + " AS SELECT * FROM " + scan);
  if (!created.ok()) return created.WithContext(table.FullName());
  Attached a;
  a.version = snapshot->version;
  for (const auto& field : snapshot->schema.value("fields", nlohmann::json::array())) {
    a.columns.push_back(field.value("name", ""));
  }
  attached_[qualified] = std::move(a);
  return OkStatus();
}

std::optional<int64_t> LakehouseSession::VersionOf(const std::string& qualified) const {
  auto it = attached_.find(qualified);
  if (it == attached_.end()) return std::nullopt;
  return it->second.version;
}

std::optional<std::vector<std::string>> LakehouseSession::ColumnsOf(const std::string& qualified) const {
  auto it = attached_.find(qualified);
  if (it == attached_.end()) return std::nullopt;
  return it->second.columns;
}

std::vector<std::string> LakehouseSession::Tables() const {
  std::vector<std::string> out;
  for (const auto& [name, a] : attached_) out.push_back(name);
  return out;
}

}  // namespace pareto::pipeline
