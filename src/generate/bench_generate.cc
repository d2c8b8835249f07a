// bench_generate: how fast `pareto generate` writes rows, and how much memory
// it needs, at scale 1 and scale 10. Each run happens in a child process so
// its peak resident set (getrusage ru_maxrss) is its own. Prints measurements;
// passes or fails nothing. Usage: bench_generate [scale...] (default: 1 10).
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "generate/generator.h"

namespace {

int RunChild(double scale, const std::string& dir, int report_fd) {
  pareto::generate::GenerateOptions opt;
  opt.scale = scale;
  opt.seed = 7;
  opt.out_dir = dir;
  auto r = pareto::generate::Generate(opt);
  if (!r) {
    std::fprintf(stderr, "generate failed: %s\n", r.error().ToString().c_str());
    return 1;
  }
  uint64_t rows = 0, bytes = 0;
  for (const auto& f : r->files) {
    rows += f.rows;
    bytes += f.bytes;
  }
  char line[256];
  const int n = std::snprintf(line, sizeof line, "%llu %llu %llu %.3f", static_cast<unsigned long long>(r->orders),
                              static_cast<unsigned long long>(rows), static_cast<unsigned long long>(bytes), r->seconds);
  return write(report_fd, line, static_cast<size_t>(n)) == n ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<double> scales;
  for (int i = 1; i < argc; ++i) scales.push_back(std::atof(argv[i]));
  if (scales.empty()) scales = {1, 10};
  const std::string dir = (std::filesystem::temp_directory_path() / ("pareto-bench-generate-" + std::to_string(getpid()))).string();
  std::printf("%-7s %10s %11s %9s %12s %12s %12s\n", "scale", "orders", "rows", "seconds", "rows/s", "MB written", "peak RSS MB");
  for (double scale : scales) {
    std::filesystem::remove_all(dir);
    int fds[2];
    if (pipe(fds) != 0) return 1;
    const pid_t pid = fork();
    if (pid == 0) {
      close(fds[0]);
      _exit(RunChild(scale, dir, fds[1]));
    }
    close(fds[1]);
    char buf[256] = {};
    const ssize_t got = read(fds[0], buf, sizeof buf - 1);
    close(fds[0]);
    int status = 0;
    rusage usage{};
    wait4(pid, &status, 0, &usage);
    unsigned long long orders = 0, rows = 0, bytes = 0;
    double seconds = 0;
    if (got <= 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0 ||
        std::sscanf(buf, "%llu %llu %llu %lf", &orders, &rows, &bytes, &seconds) != 4) {
      std::printf("%-7g failed\n", scale);
      continue;
    }
    std::printf("%-7g %10llu %11llu %9.2f %12.0f %12.1f %12.1f\n", scale, orders, rows, seconds, rows / seconds,
                bytes / 1e6, usage.ru_maxrss / 1024.0);
    std::fflush(stdout);
  }
  std::filesystem::remove_all(dir);
  return 0;
}
