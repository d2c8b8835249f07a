#include "cli/privileges.h"

#include "catalog/audit.h"
#include "catalog/principals.h"
#include "catalog/table_name.h"

namespace pareto::cli {

std::string ActingUser(const std::string& as) { return as.empty() ? std::string(catalog::kAdminUser) : as; }

Status CheckPrivileges(catalog::Metastore& ms, const std::string& as, const std::string& action,
                       const std::string& text, const std::vector<Need>& needs) {
  const std::string user = ActingUser(as);
  PARETO_ASSIGN_OR_RETURN(catalog::Access access, catalog::Access::Load(ms, user));
  catalog::Decision decision{.allowed = true};
  std::vector<std::string> objects;
  for (const Need& need : needs) {
    objects.push_back(need.object.name);
    catalog::Decision d = access.Decide(need.privilege, need.object);
    if (!d.allowed && decision.allowed) decision = std::move(d);
  }
  PARETO_RETURN_IF_ERROR(catalog::RecordAudit(ms, {.principal = user,
                                                   .source = "cli",
                                                   .action = action,
                                                   .text = text,
                                                   .objects = std::move(objects),
                                                   .allowed = decision.allowed,
                                                   .reason = decision.reason}));
  if (!decision.allowed) return PermissionDenied(action + ": " + decision.reason);
  return OkStatus();
}

StatusOr<catalog::Securable> TableSecurable(const std::string& name, const std::string& catalog) {
  PARETO_ASSIGN_OR_RETURN(catalog::TableName t, catalog::TableName::InCatalog(name, catalog));
  return catalog::Securable{catalog::SecurableKind::kTable, t.ToString()};
}

StatusOr<catalog::Securable> SchemaOfTable(const std::string& name, const std::string& catalog) {
  PARETO_ASSIGN_OR_RETURN(catalog::TableName t, catalog::TableName::InCatalog(name, catalog));
  return catalog::Securable{catalog::SecurableKind::kSchema, t.catalog + "." + t.schema};
}

}  // namespace pareto::cli
