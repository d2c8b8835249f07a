// Test helper: the objects of `pareto --json` output, one JSON value per
// non-empty line (a line that is not JSON becomes a discarded value, so the
// test's assertion on it fails and shows the line's position).
#pragma once

#include <nlohmann/json.hpp>

#include <sstream>
#include <string>
#include <vector>

namespace pareto::cli::testing {

inline std::vector<nlohmann::json> JsonLines(const std::string& text) {
  std::vector<nlohmann::json> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) out.push_back(nlohmann::json::parse(line, nullptr, false));
  }
  return out;
}

}  // namespace pareto::cli::testing
