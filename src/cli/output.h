// Shared printing for command output: aligned text tables for people, one JSON
// object a line (--json) for programs. Every listing command prints through here
// so all of them look and parse alike.
//
// Thread safety: stateless functions; the caller owns the stream.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "duck/duck.h"
#include "duck/json_cell.h"

namespace pareto::cli {

// Rows of text cells; std::nullopt prints as NULL. Columns listed in
// `right_aligned` (by index) are right-aligned, as numbers read best.
struct TextTable {
  std::vector<std::string> columns;
  std::vector<std::vector<std::optional<std::string>>> rows;
  std::vector<bool> right_aligned;  // empty: all left-aligned
};

// header, a rule of dashes, then the rows; columns padded to their widest cell
// (in UTF-8 code points). Ends with "(N rows)" when `footer` is set.
void PrintTextTable(std::ostream& out, const TextTable& table, bool footer = true);

// The result as a TextTable: numbers right-aligned, NULLs as NULL.
TextTable ToTextTable(const duck::TextResult& result);

// One cell as JSON text: duck/json_cell.h, the rule every door shares.
using duck::CellJson;

// A text table, or (json) one object a row keyed by column name (nested values
// as JSON arrays and objects, CellJson's rule at every depth). A result cut at
// its row cap says so on `notice` (stderr), so stdout stays the rows alone.
void PrintResult(std::ostream& out, std::ostream& notice, const duck::TextResult& result, bool json);

// One compact JSON document and a newline.
void PrintJsonLine(std::ostream& out, const nlohmann::json& value);

// "2026-01-31 12:00:00 UTC" for milliseconds since the Unix epoch.
std::string FormatTimeMs(int64_t ms);
// "1.5 MiB" for a byte count.
std::string FormatBytes(int64_t bytes);

}  // namespace pareto::cli
