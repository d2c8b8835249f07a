#include "pipeline/duration.h"

#include <fmt/format.h>

#include <cctype>
#include <charconv>

namespace pareto::pipeline {

StatusOr<int64_t> ParseDurationMs(std::string_view text) {
  const auto bad = [&] {
    return std::unexpected(InvalidArgument(fmt::format(
        "duration `{}`: write a number with a unit, e.g. 90s, 30m, 2h, 1h30m, 500ms (a bare number is seconds)",
        text)));
  };
  if (text.empty()) return bad();
  int64_t total = 0;
  size_t i = 0;
  while (i < text.size()) {
    int64_t value = 0;
    auto [end, ec] = std::from_chars(text.data() + i, text.data() + text.size(), value);
    if (ec != std::errc() || value < 0) return bad();
    i = static_cast<size_t>(end - text.data());
    size_t unit_end = i;
    while (unit_end < text.size() && std::isalpha(static_cast<unsigned char>(text[unit_end]))) ++unit_end;
    const std::string_view unit = text.substr(i, unit_end - i);
    int64_t scale = 0;
    if (unit == "ms") scale = 1;
    else if (unit == "s" || (unit.empty() && unit_end == text.size() && total == 0)) scale = 1000;
    else if (unit == "m" || unit == "min") scale = 60'000;
    else if (unit == "h") scale = 3'600'000;
    else if (unit == "d") scale = 86'400'000;
    else return bad();
    if (value > (int64_t{1} << 40)) return bad();
    total += value * scale;
    i = unit_end;
  }
  return total;
}

std::string FormatDurationMs(int64_t ms) {
  const int64_t s = ms / 1000;
  if (s < 60) return fmt::format("{} s", s);
  if (s < 3600) return s % 60 ? fmt::format("{} min {} s", s / 60, s % 60) : fmt::format("{} min", s / 60);
  const int64_t min = (s % 3600) / 60;
  return min ? fmt::format("{} h {} min", s / 3600, min) : fmt::format("{} h", s / 3600);
}

}  // namespace pareto::pipeline
