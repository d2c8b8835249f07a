// `pareto version`: what this binary is and which engines it links.
#include <iostream>

#include "cli/registrars.h"
#include "duck/duck.h"

namespace pareto::cli {

void RegisterInfoCommands(CLI::App& app, CliContext& ctx) {
  CLI::App* cmd = app.add_subcommand("version", "Print pareto's version and its engines' versions");
  cmd->callback([&ctx] {
    ctx.action = [&ctx]() -> Status {
      if (ctx.json) {
        std::cout << R"({"pareto":")" << PARETO_VERSION << R"(","duckdb":")" << duck::LibraryVersion()
                  << "\"}\n";
      } else {
        std::cout << "pareto " << PARETO_VERSION << " (DuckDB " << duck::LibraryVersion() << ")\n";
      }
      return OkStatus();
    };
  });
}

}  // namespace pareto::cli
