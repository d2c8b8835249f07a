// The list of command groups. Each stage's commands live in cli/<stage>_commands.cc.
#pragma once

#include "cli/cli.h"

namespace pareto::cli {

void RegisterInfoCommands(CLI::App& app, CliContext& ctx);
void RegisterMlCommands(CLI::App& app, CliContext& ctx);
void RegisterPipelineCommands(CLI::App& app, CliContext& ctx);
void RegisterIngestCommands(CLI::App& app, CliContext& ctx);
void RegisterGenerateCommands(CLI::App& app, CliContext& ctx);
void RegisterTableCommands(CLI::App& app, CliContext& ctx);
void RegisterRunsCommands(CLI::App& app, CliContext& ctx);
void RegisterScheduleCommands(CLI::App& app, CliContext& ctx);
void RegisterServeCommands(CLI::App& app, CliContext& ctx);
void RegisterTokenCommands(CLI::App& app, CliContext& ctx);
void RegisterExportCommands(CLI::App& app, CliContext& ctx);
void RegisterGovernanceCommands(CLI::App& app, CliContext& ctx);

inline constexpr Registrar kRegistrars[] = {
    RegisterInfoCommands,
    RegisterMlCommands,
    RegisterPipelineCommands,
    RegisterIngestCommands,
    RegisterGenerateCommands,
    RegisterTableCommands,
    RegisterRunsCommands,
    RegisterScheduleCommands,
    RegisterServeCommands,
    RegisterTokenCommands,
    RegisterExportCommands,
    RegisterGovernanceCommands,
};

}  // namespace pareto::cli
