// Test helper: `pareto serve --port 0 …` started as a child process, and the
// port and token of the Dashboard URL it prints first. The caller stops it
// (kill(pid, SIGTERM), waitpid) and reads its stderr from `err_path`.
#pragma once

#include <fcntl.h>
#include <sys/types.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace pareto::testing {

struct ServeChild {
  pid_t pid = -1;
  int port = 0;
  std::string token;
};

// Runs `binary args…` (args end with `serve --port 0 …`); fails the test when it
// cannot start or its first line is not the Dashboard URL (call it through
// ASSERT_NO_FATAL_FAILURE).
inline void StartServe(const std::string& binary, const std::vector<std::string>& args, const std::string& err_path,
                       ServeChild& child) {
  // Everything the child needs is made before fork: this process has threads,
  // so the child may only make async-signal-safe calls before exec.
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(binary.c_str()));
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  int out[2];
  ASSERT_EQ(pipe(out), 0);
  const int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  ASSERT_GE(err, 0);
  child.pid = fork();
  ASSERT_GE(child.pid, 0);
  if (child.pid == 0) {
    dup2(out[1], STDOUT_FILENO);
    dup2(err, STDERR_FILENO);
    close(out[0]);
    execv(binary.c_str(), argv.data());
    _exit(127);
  }
  close(err);
  close(out[1]);
  std::string line;
  char c = 0;
  while (read(out[0], &c, 1) == 1 && c != '\n') line += c;
  close(out[0]);
  const std::string prefix = "Dashboard: http://127.0.0.1:";
  ASSERT_TRUE(line.starts_with(prefix)) << line;
  child.port = std::stoi(line.substr(prefix.size()));
  child.token = line.substr(line.find("#token=") + 7);
}

}  // namespace pareto::testing
