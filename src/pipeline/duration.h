// Durations as people write them in pipeline.yaml and on the command line:
// "90s", "30m", "2h", "1h30m", "500ms"; a bare number is seconds.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace pareto::pipeline {

// Milliseconds; kInvalidArgument saying what is accepted.
StatusOr<int64_t> ParseDurationMs(std::string_view text);
// "30 s", "2 min", "1 h 30 min" (whole seconds and up).
std::string FormatDurationMs(int64_t ms);

}  // namespace pareto::pipeline
