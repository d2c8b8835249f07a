// A fresh, empty folder under the system temp dir for one test, removed (with
// everything in it) when the object goes. Every module's tests use this one.
//
// Ownership: owns the folder. Thread safety: one test at a time per object.
#pragma once

#include <stdlib.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>

namespace pareto::testing {

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "pareto-test-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      // Nothing a test can do without its folder: a broken machine, not a result.
      std::fprintf(stderr, "pareto tests: cannot make a folder like %s\n", pattern.c_str());
      std::abort();
    }
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // path()/name; the folder itself is made only when `create` is true.
  std::string Sub(std::string_view name, bool create = false) const {
    const std::filesystem::path sub = std::filesystem::path(path_) / name;
    if (create) std::filesystem::create_directories(sub);
    return sub.string();
  }

 private:
  std::string path_;
};

}  // namespace pareto::testing
