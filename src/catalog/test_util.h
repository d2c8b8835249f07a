// Test helpers for the catalog module: a fresh temporary folder per test.
#pragma once

#include "common/testing/temp_dir.h"

namespace pareto::catalog::testing {

using TempDir = ::pareto::testing::TempDir;

}  // namespace pareto::catalog::testing
