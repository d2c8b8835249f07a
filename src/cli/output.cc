#include "cli/output.h"

#include <cmath>
#include <ctime>

#include <fmt/format.h>

namespace pareto::cli {
namespace {

// Display width of UTF-8 text: one column per code point (continuation bytes skipped).
size_t Width(const std::string& s) {
  size_t w = 0;
  for (unsigned char c : s) w += (c & 0xC0) != 0x80 ? 1 : 0;
  return w;
}

// A cell on one line: line breaks and tabs would break the columns' alignment.
std::string OneLine(std::string s) {
  for (char& c : s) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  return s;
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

TextTable ToTextTable(const duck::Result& result) {
  TextTable table;
  const uint64_t cols = result.ColumnCount();
  for (uint64_t c = 0; c < cols; ++c) {
    table.columns.push_back(result.ColumnName(c));
    table.right_aligned.push_back(duck::IsNumericType(result.ColumnType(c)));
  }
  for (uint64_t r = 0; r < result.RowCount(); ++r) {
    std::vector<std::optional<std::string>> row;
    row.reserve(cols);
    for (uint64_t c = 0; c < cols; ++c) row.push_back(result.GetOptionalString(c, r));
    table.rows.push_back(std::move(row));
  }
  return table;
}

nlohmann::json CellToJson(const duck::Result& result, uint64_t col, uint64_t row) {
  if (result.IsNull(col, row)) return nullptr;
  switch (result.ColumnType(col)) {
    case DUCKDB_TYPE_BOOLEAN:
      return result.GetBool(col, row);
    case DUCKDB_TYPE_TINYINT:
    case DUCKDB_TYPE_SMALLINT:
    case DUCKDB_TYPE_INTEGER:
    case DUCKDB_TYPE_BIGINT:
    case DUCKDB_TYPE_UTINYINT:
    case DUCKDB_TYPE_USMALLINT:
    case DUCKDB_TYPE_UINTEGER:
      return result.GetInt64(col, row);
    case DUCKDB_TYPE_FLOAT:
    case DUCKDB_TYPE_DOUBLE:
    case DUCKDB_TYPE_DECIMAL: {
      const double v = result.GetDouble(col, row);
      // JSON has no NaN or infinity: keep DuckDB's spelling as text.
      if (!std::isfinite(v)) return result.GetString(col, row);
      return v;
    }
    default:
      // UBIGINT/HUGEINT may exceed int64; dates, times, nested values read best as DuckDB prints them.
      return result.GetString(col, row);
  }
}

void PrintResult(std::ostream& out, const duck::Result& result, bool json) {
  if (!json) {
    PrintTextTable(out, ToTextTable(result));
    return;
  }
  for (uint64_t r = 0; r < result.RowCount(); ++r) {
    nlohmann::ordered_json obj = nlohmann::ordered_json::object();
    for (uint64_t c = 0; c < result.ColumnCount(); ++c) obj[result.ColumnName(c)] = CellToJson(result, c, r);
    out << obj.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
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
