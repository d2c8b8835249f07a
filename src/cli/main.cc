// pareto's entry point: parse the command line, run one command, map its Status
// to an exit code and a one-line message on stderr.
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "cli/cli.h"
#include "cli/registrars.h"

namespace pareto::cli {

int ExitCodeFor(const Status& status) {
  switch (status.code()) {
    case StatusCode::kOk: return kExitOk;
    case StatusCode::kInvalidArgument: return kExitUsage;
    case StatusCode::kNotFound: return kExitNotFound;
    case StatusCode::kDataError: return kExitData;
    case StatusCode::kUnsupported: return kExitData;
    case StatusCode::kConflict: return kExitConflict;
    case StatusCode::kAlreadyExists: return kExitConflict;
    case StatusCode::kIoError: return kExitIo;
    case StatusCode::kResourceExhausted: return kExitLimit;
    case StatusCode::kPermissionDenied: return kExitNoPermission;
    case StatusCode::kInternal: return kExitInternal;
  }
  return kExitInternal;
}

std::string CliContext::ProjectDir() const {
  namespace fs = std::filesystem;
  if (!project.empty()) return project;
  if (const char* p = std::getenv("PARETO_PROJECT"); p && *p) return p;
  if (fs::exists("pipelines/olist/pipeline.yaml")) return "pipelines/olist";
  return std::string(PARETO_SOURCE_DIR) + "/pipelines/olist";
}

}  // namespace pareto::cli

int main(int argc, char** argv) {
  using namespace pareto::cli;
  CLI::App app{"pareto: a customer-intelligence lakehouse in one program"};
  app.require_subcommand(1);
  CliContext ctx;
  app.add_option("--lakehouse", ctx.lakehouse, "Lakehouse folder")->default_val("lakehouse");
  app.add_option("--project", ctx.project, "Pipeline project folder (default: pipelines/olist)");
  app.add_flag("--json", ctx.json, "Machine-readable output");
  app.set_help_all_flag("--help-all", "Help for every command");
  for (Registrar r : kRegistrars) r(app, ctx);
  // Global options after any subcommand, at any depth (`pareto models show 1 --json`):
  // an option a subcommand does not know falls through to its parent.
  std::vector<CLI::App*> pending = app.get_subcommands({});
  while (!pending.empty()) {
    CLI::App* sub = pending.back();
    pending.pop_back();
    sub->fallthrough();
    for (CLI::App* nested : sub->get_subcommands({})) pending.push_back(nested);
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "pareto: " << e.what() << " (see pareto --help)\n";
    return kExitUsage;
  }
  if (!ctx.action) {
    std::cerr << "pareto: no command given (see pareto --help)\n";
    return kExitUsage;
  }
  pareto::Status status = ctx.action();
  std::cout.flush();
  if (!status.ok()) {
    std::cerr << "pareto: " << status.message() << "\n";
    return ExitCodeFor(status);
  }
  return kExitOk;
}
