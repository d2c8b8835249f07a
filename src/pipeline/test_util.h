// Test helpers for the pipeline module: temporary folders and small projects.
#pragma once

#include <filesystem>
#include <fstream>
#include <string>

#include "common/testing/temp_dir.h"

namespace pareto::pipeline::testing {

using TempDir = ::pareto::testing::TempDir;

// Writes `text` to `dir/relative`, creating folders.
inline void WriteFile(const std::string& dir, const std::string& relative, const std::string& text) {
  const std::filesystem::path path = std::filesystem::path(dir) / relative;
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path) << text;
}

}  // namespace pareto::pipeline::testing
