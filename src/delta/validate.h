// ValidateLog: checks that a table folder keeps the log rules pareto writes by
//. For tests, including other modules' tests, and for diagnostics.
//
// Rules: commit versions are contiguous; version 0 holds protocol and metaData;
// every commit holds commitInfo; every add has path, size, modificationTime,
// dataChange and stats; the latest version replays and all its live files exist.
// Thread safety: read-only; safe alongside writers (it may see a newer version).
#pragma once

#include <string>

#include "common/env.h"
#include "common/status.h"

namespace pareto::delta {

// OK, or kDataError / kNotFound naming the first rule broken.
Status ValidateLog(const std::string& root, Env* env = Env::Default());

}  // namespace pareto::delta
