#include "cli/output.h"

#include <cmath>
#include <string_view>
#include <ctime>

#include <fmt/format.h>

#include "duck/json_cell.h"

namespace pareto::cli {
namespace {

// Display width of UTF-8 text: one column per code point (continuation bytes skipped).
size_t Width(const std::string& s) {
  size_t w = 0;
  for (unsigned char c : s) w += (c & 0xC0) != 0x80 ? 1 : 0;
  return w;
}

// A cell on one line: line breaks and tabs would break the columns' alignment,
// and a NUL byte would end the text on many terminals: it shows as \0.
std::string OneLine(std::string s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c == '\n' || c == '\r' || c == '\t') out += ' ';
    else if (c == '\0') out += "\\0";
    else out += c;
  }
  return out;
}

}  // namespace

void PrintTextTable(std::ostream& out, const TextTable& raw, bool footer) {
  TextTable table = raw;
  for (auto& row : table.rows) {
    for (auto& cell : row) {
      if (cell.has_value()) cell = OneLine(std::move(*cell));
    }
  }
  const size_t n = table.columns.size();
  std::vector<size_t> widths(n);
  for (size_t c = 0; c < n; ++c) widths[c] = Width(table.columns[c]);
  for (const auto& row : table.rows) {
    for (size_t c = 0; c < n && c < row.size(); ++c) {
      widths[c] = std::max(widths[c], row[c].has_value() ? Width(*row[c]) : 4);
    }
  }
  auto cell = [&](const std::string& text, size_t c, bool last) {
    const size_t pad = widths[c] - std::min(widths[c], Width(text));
    const bool right = c < table.right_aligned.size() && table.right_aligned[c];
    if (right) out << std::string(pad, ' ') << text;
    else out << text << (last ? "" : std::string(pad, ' '));
    if (!last) out << "  ";
  };
  for (size_t c = 0; c < n; ++c) cell(table.columns[c], c, c + 1 == n);
  out << "\n";
  for (size_t c = 0; c < n; ++c) out << std::string(widths[c], '-') << (c + 1 == n ? "" : "  ");
  out << "\n";
  for (const auto& row : table.rows) {
    for (size_t c = 0; c < n; ++c) {
      const bool has = c < row.size() && row[c].has_value();
      cell(has ? *row[c] : "NULL", c, c + 1 == n);
    }
    out << "\n";
  }
  if (footer) out << "(" << table.rows.size() << (table.rows.size() == 1 ? " row)\n" : " rows)\n");
}

TextTable ToTextTable(const duck::TextResult& result) {
  TextTable table;
  for (const duck::TextColumn& c : result.columns) {
    table.columns.push_back(c.name);
    table.right_aligned.push_back(duck::IsNumericType(c.type.id));
  }
  table.rows = result.rows;
  return table;
}


void PrintResult(std::ostream& out, std::ostream& notice, const duck::TextResult& result, bool json) {
  if (!json) {
    PrintTextTable(out, ToTextTable(result));
  } else {
    for (size_t r = 0; r < result.rows.size(); ++r) {
      std::string line = "{";
      for (size_t c = 0; c < result.columns.size(); ++c) {
        if (c > 0) line += ',';
        line += duck::JsonString(result.columns[c].name) + ':';
        line += CellJson(result, r, c);
      }
      out << line << "}\n";
    }
  }
  if (result.truncated) {
    notice << "pareto: warning: truncated: only the first " << result.rows.size()
           << " rows are shown (raise --max-rows for more)\n";
  }
}

void PrintJsonLine(std::ostream& out, const nlohmann::json& value) {
  out << value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
}

std::string FormatTimeMs(int64_t ms) {
  const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  if (gmtime_r(&seconds, &tm) == nullptr) return std::to_string(ms);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S UTC", &tm);
  return buf;
}

std::string FormatBytes(int64_t bytes) {
  static const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(bytes);
  size_t unit = 0;
  while (std::abs(v) >= 1024 && unit + 1 < std::size(kUnits)) {
    v /= 1024;
    ++unit;
  }
  return unit == 0 ? fmt::format("{} B", bytes) : fmt::format("{:.1f} {}", v, kUnits[unit]);
}

}  // namespace pareto::cli
