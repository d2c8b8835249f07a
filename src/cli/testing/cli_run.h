// Test helper: runs the built `pareto` binary as a person would, through a
// shell, and keeps its exit code, stdout and stderr. The CLI tests of every
// command group use it.
//
// Thread safety: one call at a time per `err_path`.
#pragma once

#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace pareto::cli::testing {

struct CliRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};

inline std::string ShellQuote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

// The built binary ctest names in PARETO_BINARY; empty when unset or missing
// (the caller skips: the test runs through ctest).
inline std::string BinaryUnderTest() {
  const char* binary = std::getenv("PARETO_BINARY");
  return binary != nullptr && std::filesystem::exists(binary) ? std::string(binary) : std::string();
}

// Runs `binary` with `args` (each quoted); stderr goes through `err_path`.
inline CliRun RunBinary(const std::string& binary, const std::vector<std::string>& args,
                        const std::string& err_path) {
  std::string cmd = ShellQuote(binary);
  for (const std::string& a : args) cmd += " " + ShellQuote(a);
  cmd += " 2>" + ShellQuote(err_path);
  CliRun run;
  FILE* pipe = popen(cmd.c_str(), "r");
  if (pipe == nullptr) return run;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), pipe)) > 0) run.out.append(buf, n);
  const int status = pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream err(err_path);
  run.err.assign(std::istreambuf_iterator<char>(err), {});
  return run;
}

}  // namespace pareto::cli::testing
