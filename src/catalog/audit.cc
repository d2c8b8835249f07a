#include "catalog/audit.h"

#include <nlohmann/json.hpp>

#include "catalog/metastore_internal.h"

namespace pareto::catalog {

Status RecordAudit(Metastore& ms, AuditEntry e) {
  PARETO_ASSIGN_OR_RETURN(
      sqlite::Statement s,
      MetastoreAccess::Db(ms).Prepare("INSERT INTO audit_log(at_ms, principal, source, address, action, text, objects, "
                                      "allowed, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  PARETO_RETURN_IF_ERROR(s.Bind(1, e.at_ms != 0 ? e.at_ms : ms.NowMs()));
  PARETO_RETURN_IF_ERROR(s.Bind(2, e.principal));
  PARETO_RETURN_IF_ERROR(s.Bind(3, e.source));
  PARETO_RETURN_IF_ERROR(s.Bind(4, e.address));
  PARETO_RETURN_IF_ERROR(s.Bind(5, e.action));
  PARETO_RETURN_IF_ERROR(s.Bind(6, e.text));
  PARETO_RETURN_IF_ERROR(s.Bind(7, nlohmann::json(e.objects).dump()));
  PARETO_RETURN_IF_ERROR(s.Bind(8, int64_t{e.allowed ? 1 : 0}));
  PARETO_RETURN_IF_ERROR(s.Bind(9, e.reason));
  return s.Run();
}

StatusOr<std::vector<AuditEntry>> ListAudit(Metastore& ms, const AuditFilter& f) {
  PARETO_ASSIGN_OR_RETURN(
      sqlite::Statement s,
      MetastoreAccess::Db(ms).Prepare(
          "SELECT id, at_ms, principal, source, address, action, text, objects, allowed, reason FROM audit_log "
          "WHERE (?1 = '' OR principal = ?1) AND (?2 IS NULL OR at_ms >= ?2) AND (?3 IS NULL OR allowed = ?3) "
          "ORDER BY id DESC LIMIT ?4"));
  PARETO_RETURN_IF_ERROR(s.Bind(1, f.principal));
  PARETO_RETURN_IF_ERROR(s.Bind(2, f.since_ms));
  PARETO_RETURN_IF_ERROR(
      s.Bind(3, f.allowed.has_value() ? std::optional<int64_t>(*f.allowed ? 1 : 0) : std::optional<int64_t>()));
  PARETO_RETURN_IF_ERROR(s.Bind(4, f.limit));
  std::vector<AuditEntry> out;
  while (true) {
    PARETO_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    AuditEntry e{.id = s.ColumnInt64(0), .at_ms = s.ColumnInt64(1), .principal = s.ColumnText(2),
                 .source = s.ColumnText(3), .address = s.ColumnText(4), .action = s.ColumnText(5),
                 .text = s.ColumnText(6), .allowed = s.ColumnInt64(8) != 0, .reason = s.ColumnText(9)};
    auto objects = nlohmann::json::parse(s.ColumnText(7), nullptr, /*allow_exceptions=*/false);
    if (objects.is_array()) {
      for (const auto& o : objects) {
        if (o.is_string()) e.objects.push_back(o.get<std::string>());
      }
    }
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace pareto::catalog
