// The command-line edge: options shared by every command, and the one place
// where a Status becomes an exit code and a one-line message.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <string>

#include "common/env.h"
#include "common/status.h"

namespace pareto::cli {

// Exit codes (after BSD sysexits): distinct for usage, data and internal errors.
inline constexpr int kExitOk = 0;
inline constexpr int kExitUsage = 64;     // bad flags, malformed or ambiguous table names, bad SQL
inline constexpr int kExitData = 65;      // input data does not fit its declaration
inline constexpr int kExitNotFound = 66;  // a named file, table (unknown name) or version does not exist
inline constexpr int kExitLimit = 69;     // a query limit (time, memory) was reached
inline constexpr int kExitInternal = 70;  // a bug or an engine failure
inline constexpr int kExitNoPermission = 77;  // the principal lacks a privilege (pareto grants TO …)
inline constexpr int kExitIo = 74;        // the file system refused
inline constexpr int kExitConflict = 75;  // a concurrent writer won; try again

int ExitCodeFor(const Status& status);

// The global options are accepted before the command or after it, at any depth
// (main.cc makes every subcommand fall through to its parent).
struct CliContext {
  std::string lakehouse = "lakehouse";  // --lakehouse DIR
  std::string project;                  // --project DIR (the pipeline project folder)
  bool json = false;                    // --json: machine-readable listings
  Env* env = Env::Default();
  // Set by the chosen subcommand's callback; run by main after parsing.
  std::function<Status()> action;

  // The pipeline project folder: --project, else $PARETO_PROJECT, else
  // ./pipelines/olist, else the one in the source tree this binary was built from.
  std::string ProjectDir() const;
};

// Each stage adds its commands to the app (one registrar per file, cli/*_commands.cc).
using Registrar = void (*)(CLI::App& app, CliContext& ctx);

}  // namespace pareto::cli
