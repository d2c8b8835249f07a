// GET /api/v1/audit: the audit log (catalog/audit.h), for admins only.
#include "catalog/audit.h"
#include "catalog/principals.h"
#include "server/call.h"

namespace pareto::server {

using nlohmann::json;

void GetAudit(Call& call) {
  catalog::Metastore& ms = call.worker.lakehouse.metastore();
  auto who = catalog::LoadPrincipal(ms, call.user);
  if (!who.has_value()) return SendStatus(call.res, who.error());
  if (!who->is_admin) {
    (void)catalog::RecordAudit(ms, {.principal = call.user, .source = "api", .address = call.req.remote_addr,
                                    .action = "audit", .text = "GET /api/v1/audit", .allowed = false,
                                    .reason = "the audit log is for admins"});
    return SendError(call.res, 403, "permission_denied", "the audit log is for admins");
  }
  catalog::AuditFilter filter{.principal = call.Query("principal")};
  const std::string since = call.Query("since_ms");
  const std::string limit = call.Query("limit", "1000");
  try {
    if (!since.empty()) filter.since_ms = std::stoll(since);
    filter.limit = std::stoll(limit);
  } catch (const std::exception&) {
    return SendError(call.res, 400, "bad_request", "since_ms and limit must be whole numbers");
  }
  if (filter.limit < 1 || filter.limit > 10000) return SendError(call.res, 400, "bad_request", "limit must be 1 to 10000");
  if (call.Query("denied") == "true") filter.allowed = false;
  auto entries = catalog::ListAudit(ms, filter);
  if (!entries.has_value()) return SendStatus(call.res, entries.error());
  json out = json::array();
  for (const catalog::AuditEntry& e : *entries) {
    out.push_back({{"id", e.id}, {"at_ms", e.at_ms}, {"principal", e.principal}, {"source", e.source},
                   {"address", e.address}, {"action", e.action}, {"text", e.text}, {"objects", e.objects},
                   {"allowed", e.allowed}, {"reason", e.reason}});
  }
  SendJson(call.res, {{"entries", std::move(out)}});
}

}  // namespace pareto::server
