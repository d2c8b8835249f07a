// `pareto user|group|grant|revoke|grants|owner|audit|governance`: who may see
// and change what (catalog/principals.h, grants.h, column_policies.h), and what
// everyone did (catalog/audit.h). The command line acts as the local user, the
// admin; every change it makes is in the audit log.
#include <ctime>
#include <iostream>
#include <memory>

#include "catalog/audit.h"
#include "catalog/column_policies.h"
#include "catalog/grants.h"
#include "catalog/lakehouse.h"
#include "catalog/principals.h"
#include "cli/output.h"
#include "cli/registrars.h"
#include "pipeline/duration.h"
#include "pipeline/project.h"

namespace pareto::cli {
namespace {

using catalog::Lakehouse;
using nlohmann::json;

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

std::string Join(const std::vector<std::string>& words) {
  std::string out;
  for (const std::string& w : words) out += (out.empty() ? "" : " ") + w;
  return out;
}

// One audit row for a governance command the command line ran (or refused).
Status AuditCommand(Lakehouse& lh, const std::string& action, const std::string& text,
                    std::vector<std::string> objects, const Status& outcome) {
  PARETO_RETURN_IF_ERROR(catalog::RecordAudit(lh.metastore(), {.principal = std::string(catalog::kAdminUser),
                                                               .source = "cli",
                                                               .action = action,
                                                               .text = text,
                                                               .objects = std::move(objects),
                                                               .allowed = outcome.ok(),
                                                               .reason = outcome.ok() ? "" : outcome.message()}));
  return outcome;
}

Status AddPrincipal(CliContext& ctx, const std::string& name, catalog::PrincipalKind kind) {
  PARETO_ASSIGN_OR_RETURN(Lakehouse lh, Lakehouse::OpenExisting(ctx.lakehouse, ctx.env));
  const std::string what = kind == catalog::PrincipalKind::kUser ? "user" : "group";
  PARETO_RETURN_IF_ERROR(AuditCommand(lh, what + " add", "pareto " + what + " add " + name, {},
                                      catalog::AddPrincipal(lh.metastore(), name, kind)));
  if (!ctx.json) std::cout << "added " << what << " " << name << "\n";
  return OkStatus();
}

Status ListPrincipals(CliContext& ctx) {
  PARETO_ASSIGN_OR_RETURN(Lakehouse lh, Lakehouse::OpenExisting(ctx.lakehouse, ctx.env));
  PARETO_ASSIGN_OR_RETURN(auto all, catalog::ListPrincipals(lh.metastore()));
  TextTable out{.columns = {"name", "kind", "admin", "groups"}};
  for (const catalog::Principal& p : all) {
    const std::string kind = p.kind == catalog::PrincipalKind::kUser ? "user" : "group";
    std::vector<std::string> groups(p.groups.begin(), p.groups.end());
    if (ctx.json) {
      PrintJsonLine(std::cout, {{"name", p.name}, {"kind", kind}, {"admin", p.is_admin}, {"groups", groups}});
    } else {
      out.rows.push_back({p.name, kind, p.is_admin ? "yes" : "", Join(groups)});
    }
  }
  if (!ctx.json) PrintTextTable(std::cout, out);
  return OkStatus();
}

Status Membership(CliContext& ctx, const std::string& group, const std::string& member, bool add) {
  PARETO_ASSIGN_OR_RETURN(Lakehouse lh, Lakehouse::OpenExisting(ctx.lakehouse, ctx.env));
  const std::string verb = add ? "add-member" : "remove-member";
  Status done = add ? catalog::AddGroupMember(lh.metastore(), group, member)
                    : catalog::RemoveGroupMember(lh.metastore(), group, member);
  PARETO_RETURN_IF_ERROR(AuditCommand(lh, "group " + verb, "pareto group " + verb + " " + group + " " + member, {}, done));
  if (!ctx.json) std::cout << (add ? "added " : "removed ") << member << (add ? " to " : " from ") << group << "\n";
  return OkStatus();
}

// "SELECT ON SCHEMA olist.gold TO marketing", "USE CATALOG ON CATALOG olist TO x":
// the privilege (one or two words), ON, the object kind and name, TO/FROM, the principal.
struct GrantWords {
  catalog::Privilege privilege;
  catalog::Securable object;
  std::string principal;
};

StatusOr<GrantWords> ParseGrantWords(const std::vector<std::string>& words, std::string_view to_word) {
  const std::string usage = "write e.g. SELECT ON SCHEMA olist.gold " + Upper(std::string(to_word)) + " marketing";
  size_t on = 0;
  while (on < words.size() && Upper(words[on]) != "ON") ++on;
  if (on == 0 || on + 5 != words.size() || Upper(words[on + 3]) != Upper(std::string(to_word))) {
    return std::unexpected(InvalidArgument("cannot read \"" + Join(words) + "\": " + usage));
  }
  std::vector<std::string> privilege_words(words.begin(), words.begin() + static_cast<std::ptrdiff_t>(on));
  PARETO_ASSIGN_OR_RETURN(catalog::Privilege privilege, catalog::ParsePrivilege(Join(privilege_words)));
  PARETO_ASSIGN_OR_RETURN(catalog::Securable object, catalog::ParseSecurable(words[on + 1], words[on + 2]));
  return GrantWords{privilege, object, words[on + 4]};
}

Status GrantOrRevoke(CliContext& ctx, const std::vector<std::string>& words, bool grant) {
  PARETO_ASSIGN_OR_RETURN(Lakehouse lh, Lakehouse::OpenExisting(ctx.lakehouse, ctx.env));
  const std::string verb = grant ? "grant" : "revoke";
  auto parsed = ParseGrantWords(words, grant ? "to" : "from");
  if (!parsed.has_value()) return parsed.error();
  Status done = grant ? catalog::Grant(lh.metastore(), parsed->privilege, parsed->object, parsed->principal)
                      : catalog::Revoke(lh.metastore(), parsed->privilege, parsed->object, parsed->principal);
  PARETO_RETURN_IF_ERROR(AuditCommand(lh, verb, "pareto " + verb + " " + Join(words), {parsed->object.name}, done));
  if (!ctx.json) {
    std::cout << (grant ? "granted " : "revoked ") << catalog::PrivilegeName(parsed->privilege) << " ON "
              << parsed->object.ToString() << (grant ? " TO " : " FROM ") << parsed->principal << "\n";
  }
  return OkStatus();
}

// `grants` (all), `grants ON SCHEMA olist.gold`, `grants TO marketing`.
Status ShowGrants(CliContext& ctx, const std::vector<std::string>& words) {
  PARETO_ASSIGN_OR_RETURN(Lakehouse lh, Lakehouse::OpenExisting(ctx.lakehouse, ctx.env));
  std::optional<catalog::Securable> object;
  std::string principal;
  if (words.size() == 3 && Upper(words[0]) == "ON") {
    PARETO_ASSIGN_OR_RETURN(object, catalog::ParseSecurable(words[1], words[2]));
  } else if (words.size() == 2 && Upper(words[0]) == "TO") {
    PARETO_RETURN_IF_ERROR(StatusOf(catalog::LoadPrincipal(lh.metastore(), words[1])));
    principal = words[1];
  } else if (!words.empty()) {
    return InvalidArgument("write `pareto grants`, `pareto grants ON SCHEMA olist.gold` or `pareto grants TO marketing`");
  }
  PARETO_ASSIGN_OR_RETURN(auto grants, catalog::ListGrants(lh.metastore(), object, principal));
  TextTable out{.columns = {"principal", "privilege", "object"}};
  for (const catalog::GrantRow& g : grants) {
    if (ctx.json) {
      PrintJsonLine(std::cout, {{"principal", g.principal},
                                {"privilege", catalog::PrivilegeName(g.privilege)},
                                {"object", g.object.ToString()}});
    } else {
      out.rows.push_back({g.principal, std::string(catalog::PrivilegeName(g.privilege)), g.object.ToString()});
    }
  }
  if (object.has_value()) {
    PARETO_ASSIGN_OR_RETURN(std::string owner, catalog::OwnerOf(lh.metastore(), *object));
    if (ctx.json) {
      PrintJsonLine(std::cout, {{"principal", owner}, {"privilege", "OWNER"}, {"object", object->ToString()}});
    } else {
      out.rows.push_back({owner, "OWNER", object->ToString()});
    }
  }
  if (!ctx.json) PrintTextTable(std::cout, out);
  return OkStatus();
}

Status SetOwner(CliContext& ctx, const std::string& kind, const std::string& name, const std::string& owner) {
  PARETO_ASSIGN_OR_RETURN(Lakehouse lh, Lakehouse::OpenExisting(ctx.lakehouse, ctx.env));
  PARETO_ASSIGN_OR_RETURN(catalog::Securable object, catalog::ParseSecurable(kind, name));
  PARETO_RETURN_IF_ERROR(AuditCommand(lh, "owner", "pareto owner " + kind + " " + name + " " + owner, {object.name},
                                      catalog::SetOwner(lh.metastore(), object, owner)));
  if (!ctx.json) std::cout << owner << " owns " << object.ToString() << "\n";
  return OkStatus();
}

// "2h", "30m" (that long ago) or "2026-11-30" / "2026-11-30 10:00:00" (UTC).
StatusOr<int64_t> ParseSince(const std::string& text, int64_t now_ms) {
  if (auto ago = pipeline::ParseDurationMs(text); ago.has_value()) return now_ms - *ago;
  std::tm tm{};
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  const int n = std::sscanf(text.c_str(), "%d-%d-%d%*[ T]%d:%d:%d", &y, &mo, &d, &h, &mi, &s);
  if (n != 3 && n != 6) {
    return std::unexpected(
        InvalidArgument("--since \"" + text + "\": write a time ago (2h, 30m) or a UTC date (2026-11-30 10:00:00)"));
  }
  tm.tm_year = y - 1900, tm.tm_mon = mo - 1, tm.tm_mday = d, tm.tm_hour = h, tm.tm_min = mi, tm.tm_sec = s;
  return static_cast<int64_t>(timegm(&tm)) * 1000;
}

struct AuditOptions {
  std::string principal;
  std::string since;
  bool denied = false;
  int64_t limit = 100;
};

Status ShowAudit(CliContext& ctx, const AuditOptions& o) {
  PARETO_ASSIGN_OR_RETURN(Lakehouse lh, Lakehouse::OpenExisting(ctx.lakehouse, ctx.env));
  catalog::AuditFilter filter{.principal = o.principal, .limit = o.limit};
  if (!o.since.empty()) {
    PARETO_ASSIGN_OR_RETURN(filter.since_ms, ParseSince(o.since, lh.metastore().NowMs()));
  }
  if (o.denied) filter.allowed = false;
  PARETO_ASSIGN_OR_RETURN(auto entries, catalog::ListAudit(lh.metastore(), filter));
  TextTable out{.columns = {"when", "principal", "from", "action", "allowed", "objects", "text", "reason"}};
  for (const catalog::AuditEntry& e : entries) {
    const std::string from = e.address.empty() ? e.source : e.source + " " + e.address;
    if (ctx.json) {
      PrintJsonLine(std::cout, {{"id", e.id}, {"at_ms", e.at_ms}, {"principal", e.principal}, {"source", e.source},
                                {"address", e.address}, {"action", e.action}, {"text", e.text},
                                {"objects", e.objects}, {"allowed", e.allowed}, {"reason", e.reason}});
    } else {
      out.rows.push_back({FormatTimeMs(e.at_ms), e.principal, from, e.action, e.allowed ? "yes" : "DENIED",
                          Join(e.objects), e.text, e.reason});
    }
  }
  if (!ctx.json) PrintTextTable(std::cout, out);
  return OkStatus();
}

// Stores pipeline.yaml's `governance:` masks and row filters in the metastore.
Status ApplyGovernance(CliContext& ctx) {
  PARETO_ASSIGN_OR_RETURN(pipeline::Project project, pipeline::LoadProject(ctx.ProjectDir(), ctx.env));
  PARETO_ASSIGN_OR_RETURN(Lakehouse lh, Lakehouse::OpenExisting(ctx.lakehouse, ctx.env));
  std::vector<std::string> objects;
  for (const auto& m : project.governance.masks) objects.push_back(m.table + "." + m.column);
  for (const auto& f : project.governance.row_filters) objects.push_back(f.table);
  PARETO_RETURN_IF_ERROR(AuditCommand(lh, "governance apply", "pareto governance apply (" + project.file + ")",
                                      objects, catalog::ReplacePolicies(lh.metastore(), project.governance)));
  if (!ctx.json) {
    std::cout << "stored " << project.governance.masks.size() << " column mask(s) and "
              << project.governance.row_filters.size() << " row filter(s) from " << project.file << "\n";
  }
  return OkStatus();
}

Status ShowPolicies(CliContext& ctx) {
  PARETO_ASSIGN_OR_RETURN(Lakehouse lh, Lakehouse::OpenExisting(ctx.lakehouse, ctx.env));
  PARETO_ASSIGN_OR_RETURN(catalog::ColumnPolicies p, catalog::LoadPolicies(lh.metastore()));
  TextTable out{.columns = {"kind", "table", "column", "expression"}};
  for (const auto& m : p.masks) {
    if (ctx.json) {
      PrintJsonLine(std::cout, {{"kind", "mask"}, {"table", m.table}, {"column", m.column}, {"expression", m.expression}});
    } else {
      out.rows.push_back({"mask", m.table, m.column, m.expression});
    }
  }
  for (const auto& f : p.row_filters) {
    if (ctx.json) {
      PrintJsonLine(std::cout, {{"kind", "row filter"}, {"table", f.table}, {"expression", f.expression}});
    } else {
      out.rows.push_back({"row filter", f.table, "", f.expression});
    }
  }
  if (!ctx.json) PrintTextTable(std::cout, out);
  return OkStatus();
}

}  // namespace

void RegisterGovernanceCommands(CLI::App& app, CliContext& ctx) {
  {
    CLI::App* user = app.add_subcommand("user", "Users (each may hold API tokens: pareto token create --user)");
    user->require_subcommand(1);
    auto name = std::make_shared<std::string>();
    CLI::App* add = user->add_subcommand("add", "Add a user");
    add->add_option("name", *name, "The user's name")->required();
    add->callback([&ctx, name] {
      ctx.action = [&ctx, name] { return AddPrincipal(ctx, *name, catalog::PrincipalKind::kUser); };
    });
    user->add_subcommand("list", "Users and groups, with the groups each is in")->callback([&ctx] {
      ctx.action = [&ctx] { return ListPrincipals(ctx); };
    });
  }
  {
    CLI::App* group = app.add_subcommand("group", "Groups of users (grants to a group hold for its members)");
    group->require_subcommand(1);
    auto name = std::make_shared<std::string>();
    CLI::App* add = group->add_subcommand("add", "Add a group");
    add->add_option("name", *name, "The group's name")->required();
    add->callback([&ctx, name] {
      ctx.action = [&ctx, name] { return AddPrincipal(ctx, *name, catalog::PrincipalKind::kGroup); };
    });
    for (bool adding : {true, false}) {
      auto g = std::make_shared<std::string>();
      auto m = std::make_shared<std::string>();
      CLI::App* cmd = group->add_subcommand(adding ? "add-member" : "remove-member",
                                            adding ? "Put a user (or group) in a group" : "Take one out");
      cmd->add_option("group", *g, "The group")->required();
      cmd->add_option("member", *m, "The user or group")->required();
      cmd->callback([&ctx, g, m, adding] { ctx.action = [&ctx, g, m, adding] { return Membership(ctx, *g, *m, adding); }; });
    }
  }
  for (bool granting : {true, false}) {
    auto words = std::make_shared<std::vector<std::string>>();
    CLI::App* cmd = app.add_subcommand(
        granting ? "grant" : "revoke",
        granting ? "Grant a privilege: pareto grant SELECT ON SCHEMA olist.gold TO marketing"
                 : "Revoke one: pareto revoke SELECT ON SCHEMA olist.gold FROM marketing");
    cmd->add_option("words", *words, "PRIVILEGE ON CATALOG|SCHEMA|TABLE NAME TO|FROM PRINCIPAL")->required();
    cmd->callback([&ctx, words, granting] {
      ctx.action = [&ctx, words, granting] { return GrantOrRevoke(ctx, *words, granting); };
    });
  }
  {
    auto words = std::make_shared<std::vector<std::string>>();
    CLI::App* cmd = app.add_subcommand("grants", "Grants: all, ON CATALOG|SCHEMA|TABLE NAME (with its owner), or TO PRINCIPAL");
    cmd->add_option("words", *words, "ON KIND NAME | TO PRINCIPAL");
    cmd->callback([&ctx, words] { ctx.action = [&ctx, words] { return ShowGrants(ctx, *words); }; });
  }
  {
    auto kind = std::make_shared<std::string>();
    auto name = std::make_shared<std::string>();
    auto owner = std::make_shared<std::string>();
    CLI::App* cmd = app.add_subcommand("owner", "Make a principal the owner of a catalog, schema or table");
    cmd->add_option("kind", *kind, "CATALOG, SCHEMA or TABLE")->required();
    cmd->add_option("name", *name, "olist, olist.gold or olist.gold.gld_kpis")->required();
    cmd->add_option("principal", *owner, "The new owner")->required();
    cmd->callback([&ctx, kind, name, owner] {
      ctx.action = [&ctx, kind, name, owner] { return SetOwner(ctx, *kind, *name, *owner); };
    });
  }
  {
    auto o = std::make_shared<AuditOptions>();
    CLI::App* cmd = app.add_subcommand("audit", "The audit log, newest first: who, when, from where, what, allowed");
    cmd->add_option("--principal", o->principal, "Only this user's");
    cmd->add_option("--since", o->since, "A time ago (2h) or a UTC time (2026-11-30 10:00:00)");
    cmd->add_flag("--denied", o->denied, "Only what was denied");
    cmd->add_option("--limit", o->limit, "At most this many")->default_val(100);
    cmd->callback([&ctx, o] { ctx.action = [&ctx, o] { return ShowAudit(ctx, *o); }; });
  }
  {
    CLI::App* cmd = app.add_subcommand("governance", "Column masks and row filters (`governance:` in pipeline.yaml)");
    cmd->require_subcommand(1);
    cmd->add_subcommand("apply", "Store pipeline.yaml's masks and row filters (they hold from the next query)")
        ->callback([&ctx] { ctx.action = [&ctx] { return ApplyGovernance(ctx); }; });
    cmd->add_subcommand("show", "The stored masks and row filters")->callback([&ctx] {
      ctx.action = [&ctx] { return ShowPolicies(ctx); };
    });
  }
}

}  // namespace pareto::cli
