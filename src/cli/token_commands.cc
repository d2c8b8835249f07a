// `pareto token create|list|revoke`: the bearer tokens `pareto serve` accepts.
// A token is printed once, at creation; the metastore keeps only its hash.
#include <iostream>
#include <memory>

#include "catalog/lakehouse.h"
#include "catalog/tokens.h"
#include "cli/output.h"
#include "cli/registrars.h"

namespace pareto::cli {
namespace {

using nlohmann::json;

json OrNull(const std::optional<int64_t>& v) { return v ? json(*v) : json(); }

Status Create(CliContext& ctx, const std::string& name, const std::string& user) {
  PARETO_ASSIGN_OR_RETURN(catalog::Lakehouse lakehouse, catalog::Lakehouse::OpenExisting(ctx.lakehouse, ctx.env));
  PARETO_ASSIGN_OR_RETURN(std::string token, catalog::CreateToken(lakehouse.metastore(), name, user));
  if (ctx.json) {
    PrintJsonLine(std::cout, {{"name", name}, {"user", user}, {"token", token}});
  } else {
    std::cout << token << "\n";
    std::cerr << "pareto: token \"" << name << "\" created for " << user << "; it is shown only now (send it as Authorization: Bearer …)\n";
  }
  return OkStatus();
}

Status List(CliContext& ctx) {
  PARETO_ASSIGN_OR_RETURN(catalog::Lakehouse lakehouse, catalog::Lakehouse::OpenExisting(ctx.lakehouse, ctx.env));
  PARETO_ASSIGN_OR_RETURN(auto tokens, catalog::ListTokens(lakehouse.metastore()));
  TextTable out{.columns = {"name", "user", "created", "last used", "revoked"}};
  for (const catalog::ApiToken& t : tokens) {
    if (ctx.json) {
      PrintJsonLine(std::cout, {{"name", t.name}, {"user", t.user}, {"created_ms", t.created_ms}, {"last_used_ms", OrNull(t.last_used_ms)},
                                {"revoked_ms", OrNull(t.revoked_ms)}});
      continue;
    }
    out.rows.push_back({t.name, t.user, FormatTimeMs(t.created_ms),
                        t.last_used_ms ? FormatTimeMs(*t.last_used_ms) : std::string("never"),
                        t.revoked_ms ? FormatTimeMs(*t.revoked_ms) : std::string("-")});
  }
  if (!ctx.json) PrintTextTable(std::cout, out);
  return OkStatus();
}

Status Revoke(CliContext& ctx, const std::string& name) {
  PARETO_ASSIGN_OR_RETURN(catalog::Lakehouse lakehouse, catalog::Lakehouse::OpenExisting(ctx.lakehouse, ctx.env));
  PARETO_RETURN_IF_ERROR(catalog::RevokeToken(lakehouse.metastore(), name));
  if (!ctx.json) std::cout << "revoked token \"" << name << "\"\n";
  return OkStatus();
}

}  // namespace

void RegisterTokenCommands(CLI::App& app, CliContext& ctx) {
  CLI::App* cmd = app.add_subcommand("token", "Bearer tokens for `pareto serve` (only their hashes are stored)");
  cmd->require_subcommand(1);
  auto name = std::make_shared<std::string>();
  auto user = std::make_shared<std::string>();
  CLI::App* create = cmd->add_subcommand("create", "Make a token and print it, once");
  create->add_option("--name", *name, "Who or what the token is for")->required();
  create->add_option("--user", *user, "The user the token acts as (pareto user add); default: admin")
      ->default_val("admin");
  create->callback([&ctx, name, user] { ctx.action = [&ctx, name, user] { return Create(ctx, *name, *user); }; });
  CLI::App* list = cmd->add_subcommand("list", "Tokens: name, created, last used, revoked");
  list->callback([&ctx] { ctx.action = [&ctx] { return List(ctx); }; });
  auto revoke_name = std::make_shared<std::string>();
  CLI::App* revoke = cmd->add_subcommand("revoke", "Stop a token from working");
  revoke->add_option("name", *revoke_name, "The token's name")->required();
  revoke->callback([&ctx, revoke_name] { ctx.action = [&ctx, revoke_name] { return Revoke(ctx, *revoke_name); }; });
}

}  // namespace pareto::cli
