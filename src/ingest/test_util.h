// Helpers for ingest tests: a scratch folder and file writing.
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <string_view>

#include "common/testing/temp_dir.h"

namespace pareto::ingest::testing {

using ScratchDir = ::pareto::testing::TempDir;

// Writes bytes exactly as given (no newline translation).
inline std::string WriteBytes(const std::string& dir, const std::string& name, std::string_view bytes) {
  const std::string path = dir + "/" + name;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  EXPECT_TRUE(out.good()) << path;
  return path;
}

}  // namespace pareto::ingest::testing
