// One CSV file through DuckDB's read_csv. See csv_file.h.
#include "ingest/csv_file.h"

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace pareto::ingest {
namespace {

using duck::QuoteIdent;
using duck::QuoteLiteral;

// RFC 4180 as the Olist release writes it: comma, '"' quoting, '""' inside quotes.
// auto_detect=false keeps DuckDB from guessing types or dialect; explicit escape
// matters because without detection DuckDB would not treat '""' as a quote.
constexpr std::string_view kDialect = "delim=',', quote='\"', escape='\"', auto_detect=false";

// Header probing reads a few more columns than declared so that a header with
// extra names shows them instead of failing; null_padding pads shorter records.
constexpr size_t kExtraHeaderColumns = 16;

std::string ColumnsStruct(const SourceSpec& spec) {
  std::vector<std::string> parts;
  for (const ColumnSpec& c : spec.columns) {
    parts.push_back(fmt::format("{}: {}", QuoteLiteral(c.name), QuoteLiteral(CsvReadType(c))));
  }
  return "{" + fmt::format("{}", fmt::join(parts, ", ")) + "}";
}

std::string TrimLineBreaks(std::string s) {
  size_t begin = 0;
  while (begin < s.size() && (s[begin] == '\r' || s[begin] == '\n')) ++begin;
  size_t end = s.size();
  while (end > begin && (s[end - 1] == '\r' || s[end - 1] == '\n')) --end;
  return s.substr(begin, end - begin);
}

// Lines after the header that hold nothing (or only a CR): DuckDB skips them
// without a word. An empty line inside a quoted field (a review's paragraph
// break) is part of a value, not a blank line: quote parity tells them apart ('""'
// inside quotes flips twice). A line break ending the file starts no line.
int64_t CountEmptyLines(std::string_view bytes) {
  int64_t empty = 0;
  bool in_quotes = false;
  bool header = true;
  size_t line_start = 0;
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (bytes[i] == '"') {
      in_quotes = !in_quotes;
    } else if (bytes[i] == '\n' && !in_quotes) {
      std::string_view line = bytes.substr(line_start, i - line_start);
      if (!header && (line.empty() || line == "\r")) ++empty;
      header = false;
      line_start = i + 1;
    }
  }
  return empty;
}

// The file's first line without a BOM or line break: what a repeated header looks like.
std::string HeaderLine(std::string_view bytes) {
  if (bytes.starts_with("\xEF\xBB\xBF")) bytes.remove_prefix(3);
  return TrimLineBreaks(std::string(bytes.substr(0, bytes.find('\n'))));
}

}  // namespace

int64_t LineOfRecordAt(std::string_view bytes, int64_t offset) {
  auto pos = static_cast<size_t>(std::clamp<int64_t>(offset, 0, static_cast<int64_t>(bytes.size())));
  while (pos < bytes.size() && (bytes[pos] == '\r' || bytes[pos] == '\n')) ++pos;
  return 1 + std::count(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(pos), '\n');
}

StatusOr<std::vector<std::string>> ReadHeader(duck::Connection& conn, const std::string& path,
                                              size_t expected_columns) {
  std::vector<std::string> columns;
  const size_t width = expected_columns + kExtraHeaderColumns;
  std::vector<std::string> parts;
  for (size_t i = 0; i < width; ++i) parts.push_back(fmt::format("'c{}': 'VARCHAR'", i));
  // A nullstr no header holds keeps an empty header name "" apart from padding (NULL).
  const std::string read = fmt::format(
      "read_csv({}, header=false, {}, null_padding=true, parallel=false, nullstr='\\0', columns={{{}}}",
      QuoteLiteral(path), kDialect, fmt::join(parts, ", "));
  auto result = conn.Query("SELECT * FROM " + read + ") LIMIT 1");
  if (!result.has_value()) {
    // DuckDB checks the whole first chunk: a bad row further down (a Latin-1 byte,
    // a huge field) must not refuse the file; LoadCsv quarantines that row with its
    // line. Read again skipping bad rows, unless the bad row is the header itself.
    const std::string first_error = result.error().message();
    const std::string rejects = "pareto_header_rejects", scans = "pareto_header_reject_scans";
    auto retried = conn.Query(fmt::format(
        "SELECT * FROM {}, store_rejects=true, rejects_table={}, rejects_scan={}, rejects_limit=0) LIMIT 1", read,
        QuoteLiteral(rejects), QuoteLiteral(scans)));
    auto header_rejected = conn.QueryInt64("SELECT count(*) FROM " + QuoteIdent(rejects) + " WHERE line = 1");
    (void)conn.Execute(fmt::format("DROP TABLE IF EXISTS {}; DROP TABLE IF EXISTS {}", QuoteIdent(rejects),
                                   QuoteIdent(scans)));
    if (!retried.has_value() || !header_rejected.has_value() || *header_rejected > 0) {
      return std::unexpected(
          DataError(fmt::format("{}: cannot read the header: {}", path, first_error.substr(0, 500))));
    }
    result = std::move(retried);
  }
  if (result->RowCount() == 0) return columns;
  for (uint64_t c = 0; c < result->ColumnCount(); ++c) {
    if (result->IsNull(c, 0)) break;
    columns.push_back(result->GetString(c, 0));
  }
  return columns;
}

Status CheckHeader(const SourceSpec& spec, const std::vector<std::string>& found, std::string_view file_name) {
  std::vector<std::string> expected;
  for (const ColumnSpec& c : spec.columns) expected.push_back(c.name);
  if (found == expected) return OkStatus();
  std::string detail;
  for (size_t i = 0; i < std::max(found.size(), expected.size()); ++i) {
    const std::string want = i < expected.size() ? expected[i] : "(none)";
    const std::string got = i < found.size() ? found[i] : "(none)";
    if (want != got) {
      detail = fmt::format("; first difference at column {}: expected `{}`, found `{}`", i + 1, want, got);
      break;
    }
  }
  return DataError(fmt::format("{}: header does not match source `{}`: expected [{}], found [{}]{}", file_name,
                               spec.table, fmt::join(expected, ", "), fmt::join(found, ", "), detail));
}

StatusOr<LoadedFile> LoadCsv(duck::Connection& conn, const std::string& path, std::string_view file_bytes,
                             const SourceSpec& spec, std::string_view source_file, int64_t ingested_at_micros,
                             std::string_view temp_table) {
  const std::string rejects = std::string(temp_table) + "_rejects";
  const std::string scans = std::string(temp_table) + "_reject_scans";
  PARETO_RETURN_IF_ERROR(conn.Execute(fmt::format("DROP TABLE IF EXISTS {}; DROP TABLE IF EXISTS {}",
                                                  QuoteIdent(rejects), QuoteIdent(scans))));

  // Timestamps are wall times of spec.timezone; timezone(zone, TIMESTAMP) gives the
  // instant, resolving DST gaps and overlaps as ICU does (see pipeline.yaml).
  std::vector<std::string> select;
  for (const ColumnSpec& c : spec.columns) {
    if (c.type == "timestamp") {
      select.push_back(fmt::format("timezone({}, {}) AS {}", QuoteLiteral(spec.timezone), QuoteIdent(c.name),
                                   QuoteIdent(c.name)));
    } else {
      select.push_back(QuoteIdent(c.name));
    }
  }
  select.push_back(fmt::format("make_timestamp({}::BIGINT)::TIMESTAMPTZ AS {}", ingested_at_micros,
                               QuoteIdent(kIngestedAtColumn)));
  select.push_back(fmt::format("{} AS {}", QuoteLiteral(source_file), QuoteIdent(kSourceFileColumn)));

  const std::string sql = fmt::format(
      "CREATE OR REPLACE TEMP TABLE {} AS SELECT {} FROM read_csv({}, header=true, {}, columns={}, "
      "store_rejects=true, rejects_table={}, rejects_scan={}, rejects_limit=0)",
      QuoteIdent(temp_table), fmt::join(select, ", "), QuoteLiteral(path), kDialect, ColumnsStruct(spec),
      QuoteLiteral(rejects), QuoteLiteral(scans));
  if (Status s = conn.Execute(sql); !s.ok()) {
    return std::unexpected(DataError(fmt::format("{}: {}", source_file, s.message())));
  }

  LoadedFile loaded;
  loaded.skipped_blank = CountEmptyLines(file_bytes);
  // Rows with no value at all (a line of only commas) and, where every column is
  // text, rows equal to the header: counted, then taken out.
  std::vector<std::string> all_null, is_header;
  for (const ColumnSpec& c : spec.columns) {
    all_null.push_back(QuoteIdent(c.name) + " IS NULL");
    is_header.push_back(fmt::format("CAST({} AS VARCHAR) = {}", QuoteIdent(c.name), QuoteLiteral(c.name)));
  }
  const std::string blank_where = fmt::format("{}", fmt::join(all_null, " AND "));
  const std::string header_where = fmt::format("{}", fmt::join(is_header, " AND "));
  PARETO_ASSIGN_OR_RETURN(int64_t blank_rows, conn.QueryInt64(fmt::format(
      "SELECT count(*) FROM {} WHERE {}", QuoteIdent(temp_table), blank_where)));
  PARETO_ASSIGN_OR_RETURN(int64_t header_rows, conn.QueryInt64(fmt::format(
      "SELECT count(*) FROM {} WHERE {}", QuoteIdent(temp_table), header_where)));
  if (blank_rows + header_rows > 0) {
    PARETO_RETURN_IF_ERROR(conn.Execute(fmt::format("DELETE FROM {} WHERE ({}) OR ({})", QuoteIdent(temp_table),
                                                    blank_where, header_where)));
  }
  loaded.skipped_blank += blank_rows;
  loaded.skipped_header += header_rows;
  PARETO_ASSIGN_OR_RETURN(loaded.rows, conn.QueryInt64(fmt::format("SELECT count(*) FROM {}", QuoteIdent(temp_table))));

  // One rejected record may carry several errors (one per bad column): one row each.
  PARETO_ASSIGN_OR_RETURN(
      duck::Result r,
      conn.Query(fmt::format("SELECT line, min(line_byte_position), any_value(csv_line), "
                             "string_agg(error_type::VARCHAR || ': ' || error_message, '; ' ORDER BY column_idx) "
                             "FROM {} GROUP BY line ORDER BY line",
                             QuoteIdent(rejects))));
  const std::string header_line = HeaderLine(file_bytes);
  for (uint64_t i = 0; i < r.RowCount(); ++i) {
    RejectedRow row;
    row.record = r.GetInt64(0, i);
    // DuckDB's line_byte_position is 1-based.
    row.line = r.IsNull(1, i) ? row.record : LineOfRecordAt(file_bytes, r.GetInt64(1, i) - 1);
    row.raw_line = TrimLineBreaks(r.GetString(2, i));
    row.reason = r.GetString(3, i);
    if (row.raw_line == header_line) {
      ++loaded.skipped_header;  // typed columns reject a repeated header: it is no bad row
      continue;
    }
    if (row.reason.find("unterminated quote") != std::string::npos && row.raw_line.find('\n') != std::string::npos) {
      // DuckDB read every following line into this one record: nothing after it would land.
      const int64_t swallowed = std::count(row.raw_line.begin(), row.raw_line.end(), '\n');
      PARETO_RETURN_IF_ERROR(conn.Execute(fmt::format("DROP TABLE IF EXISTS {}; DROP TABLE IF EXISTS {}",
                                                      QuoteIdent(rejects), QuoteIdent(scans))));
      return std::unexpected(DataError(fmt::format(
          "{}: line {}: a quoted field is never closed, so it swallows the {} line(s) after it; the file is "
          "refused whole (nothing of it lands): close the quote and ingest again",
          source_file, row.line, swallowed)));
    }
    loaded.rejects.push_back(std::move(row));
  }
  PARETO_RETURN_IF_ERROR(conn.Execute(fmt::format("DROP TABLE IF EXISTS {}; DROP TABLE IF EXISTS {}",
                                                  QuoteIdent(rejects), QuoteIdent(scans))));
  return loaded;
}

}  // namespace pareto::ingest
