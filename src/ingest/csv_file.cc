// One CSV file through DuckDB's read_csv. See csv_file.h.
#include "ingest/csv_file.h"

#include <algorithm>
#include <set>

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
// inside quotes flips twice). A line break ending the file starts no line. Fed a
// window at a time, so a pass over a large file holds one window.
class EmptyLineCounter {
 public:
  void Feed(std::string_view chunk) {
    for (const char c : chunk) {
      if (c == '\n' && !in_quotes_) {
        if (!header_ && (length_ == 0 || (length_ == 1 && first_ == '\r'))) ++empty_;
        header_ = false;
        length_ = 0;
        continue;
      }
      if (c == '"') in_quotes_ = !in_quotes_;
      if (length_ == 0) first_ = c;
      ++length_;
    }
  }
  int64_t empty() const { return empty_; }

 private:
  bool in_quotes_ = false;
  bool header_ = true;
  size_t length_ = 0;  // bytes of the current line so far
  char first_ = 0;     // its first byte
  int64_t empty_ = 0;
};

int64_t CountEmptyLines(const FileBytes& file) {
  EmptyLineCounter counter;
  file.ForEachWindow([&](std::string_view window) { counter.Feed(window); });
  return counter.empty();
}

// The file's first line without a BOM or line break: what a repeated header looks like.
std::string HeaderLine(std::string_view bytes) {
  if (bytes.starts_with("\xEF\xBB\xBF")) bytes.remove_prefix(3);
  return TrimLineBreaks(std::string(bytes.substr(0, bytes.find('\n'))));
}

// The column holding what is wrong with a row that DuckDB's reader kept (NULL: nothing).
constexpr std::string_view kProblemColumn = "__pareto_problem";

// A timestamp written with its UTC offset ("2018-01-01T10:00:00Z", "...+05:00",
// "...-0300") names an instant; one without names a wall time of the source's zone.
constexpr std::string_view kWithOffset =
    R"(^\d{4}-\d{1,2}-\d{1,2}[T ]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?\s*([zZ]|[+-]\d{2}(:?\d{2})?)$)";

// The text of a column read as text, with surrounding blanks and "" meaning NULL
// as DuckDB's typed reader treats them.
std::string TextOf(const ColumnSpec& c) { return fmt::format("NULLIF(trim({}), '')", QuoteIdent(c.name)); }

// The declared type's value of a column: read directly by DuckDB, or converted here
// from text (IsCheckedAfterRead); NULL when the text does not convert.
std::string Converted(const ColumnSpec& c, const std::string& zone) {
  if (!IsCheckedAfterRead(c)) return QuoteIdent(c.name);
  const std::string v = TextOf(c);
  if (c.type.starts_with("decimal")) return fmt::format("TRY_CAST({} AS {})", v, c.type);
  if (c.type == "date") return fmt::format("CAST(try_strptime({}, {}) AS DATE)", v, QuoteLiteral(c.format));
  // Timestamps: wall times of `zone` become instants by timezone(zone, TIMESTAMP),
  // resolving DST gaps and overlaps as ICU does (see pipeline.yaml).
  if (c.format.empty()) {
    return fmt::format("CASE WHEN regexp_matches({0}, {1}) THEN TRY_CAST({0} AS TIMESTAMPTZ) "
                       "ELSE timezone({2}, TRY_CAST({0} AS TIMESTAMP)) END",
                       v, QuoteLiteral(kWithOffset), QuoteLiteral(zone));
  }
  if (c.format.find("%z") != std::string::npos || c.format.find("%Z") != std::string::npos) {
    return fmt::format("CAST(try_strptime({}, {}) AS TIMESTAMPTZ)", v, QuoteLiteral(c.format));
  }
  return fmt::format("timezone({}, try_strptime({}, {}))", QuoteLiteral(zone), v, QuoteLiteral(c.format));
}

// What a converted column expects, for the quarantine's reason.
std::string Expected(const ColumnSpec& c) {
  if (c.type.starts_with("decimal")) return fmt::format("a {}", c.type);
  if (!c.format.empty()) return fmt::format("a {} in the declared format {}", c.type, c.format);
  if (c.type == "date") return "an ISO date (2017-10-02)";
  return "an ISO timestamp (2017-10-02 10:56:33, or with its offset 2017-10-02T10:56:33Z); declare "
         "`timestamp_format:` in pipeline.yaml for another layout";
}

// SQL for what is wrong with one row beyond what DuckDB's reader rejects, one
// clause per column ("; "-joined), NULL when nothing: a NUL byte in a text value
// (it would land, and C strings would cut it), text that does not convert, and
// digits beyond a decimal's declared scale (DuckDB would round them away).
std::string RowProblem(const SourceSpec& spec) {
  std::vector<std::string> parts;
  for (const ColumnSpec& c : spec.columns) {
    if (CsvReadType(c) != "VARCHAR") continue;
    const std::string col = QuoteIdent(c.name);
    const std::string label = QuoteLiteral(fmt::format("column \"{}\"", c.name));
    const std::string v = TextOf(c);
    std::string clause = fmt::format("CASE WHEN strpos({0}, chr(0)) > 0 THEN 'NUL BYTE: ' || {1} || ' holds a NUL byte'",
                                     col, label);
    if (IsCheckedAfterRead(c)) {
      clause += fmt::format(" WHEN {0} IS NOT NULL AND ({1}) IS NULL THEN 'CAST: ' || {2} || ': `' || left({0}, 80) "
                            "|| '` is not ' || {3}",
                            v, Converted(c, spec.timezone), label, QuoteLiteral(Expected(c)));
    }
    if (c.type.starts_with("decimal")) {
      const int scale = std::stoi(c.type.substr(c.type.find(',') + 1));
      clause += fmt::format(" WHEN length(rtrim(regexp_extract({0}, '\\.([0-9]+)', 1), '0')) > {1} THEN 'SCALE: ' || {2} "
                            "|| ': `' || left({0}, 80) || '` has more than {1} decimal place(s) (declared {3}); not "
                            "rounded'",
                            v, scale, label, c.type);
    }
    parts.push_back(clause + " END");
  }
  if (parts.empty()) return "CAST(NULL AS VARCHAR)";
  return fmt::format("NULLIF(concat_ws('; ', {}), '')", fmt::join(parts, ", "));
}

// One record (a row of the file, which may span lines inside quotes) after the header.
struct Record {
  int64_t line = 0;    // 1-based line where it starts
  int64_t record = 0;  // 1-based among non-empty records, the header being 1
  std::string_view text;
};

// The non-empty records after the header whose line is not in `skip` (the ones
// DuckDB's reader rejected): in file order, the rows DuckDB kept. Quote parity
// finds record ends as in CountEmptyLines.
std::vector<Record> DataRecords(std::string_view bytes, const std::set<int64_t>& skip) {
  std::vector<Record> out;
  bool in_quotes = false;
  int64_t line = 1, start_line = 1, record = 0;
  size_t start = 0;
  auto finish = [&](size_t end) {
    std::string_view text = bytes.substr(start, end - start);
    const bool empty = text.empty() || text == "\r";
    if (!empty) ++record;
    if (!empty && record > 1 && !skip.contains(start_line)) out.push_back({start_line, record, text});
  };
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (bytes[i] == '"') {
      in_quotes = !in_quotes;
    } else if (bytes[i] == '\n') {
      ++line;
      if (in_quotes) continue;
      finish(i);
      start = i + 1;
      start_line = line;
    }
  }
  if (start < bytes.size()) finish(bytes.size());
  return out;
}

// The most of a record's text the quarantine keeps; a longer record is cut there
// with a note naming its size and where the whole text is.
constexpr size_t kMaxQuarantinedText = size_t{1} << 20;

// The text of the record starting at byte `offset` of `bytes` (line breaks at
// `offset` skipped), up to its unquoted line end: DuckDB's rejects table holds at
// most 10,000 characters of it.
std::string RecordTextAt(std::string_view bytes, int64_t offset, int64_t line, std::string_view file) {
  auto pos = static_cast<size_t>(std::clamp<int64_t>(offset, 0, static_cast<int64_t>(bytes.size())));
  while (pos < bytes.size() && (bytes[pos] == '\r' || bytes[pos] == '\n')) ++pos;
  bool in_quotes = false;
  size_t end = pos;
  for (; end < bytes.size(); ++end) {
    if (bytes[end] == '"') in_quotes = !in_quotes;
    if (bytes[end] == '\n' && !in_quotes) break;
  }
  std::string text = TrimLineBreaks(std::string(bytes.substr(pos, std::min(end - pos, kMaxQuarantinedText))));
  if (end - pos > kMaxQuarantinedText) {
    text += fmt::format(" [... cut: the record has {} bytes; the whole text is line {} of {}]", end - pos, line, file);
  }
  return text;
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

StatusOr<LoadedFile> LoadCsv(duck::Connection& conn, const std::string& path, const FileBytes& file,
                             const SourceSpec& spec, std::string_view source_file, int64_t ingested_at_micros,
                             std::string_view temp_table) {
  const std::string_view file_bytes = file.view();
  const std::string raw = std::string(temp_table) + "_raw";
  const std::string rejects = std::string(temp_table) + "_rejects";
  const std::string scans = std::string(temp_table) + "_reject_scans";
  const std::string drop_helpers = fmt::format("DROP TABLE IF EXISTS {}; DROP TABLE IF EXISTS {}; DROP TABLE IF EXISTS {}",
                                               QuoteIdent(raw), QuoteIdent(rejects), QuoteIdent(scans));
  PARETO_RETURN_IF_ERROR(DropLoaded(conn, temp_table));
  PARETO_RETURN_IF_ERROR(conn.Execute(drop_helpers));

  // The file as read (text for the columns checked after the read), with what is
  // wrong with each row beyond what DuckDB's reader rejects; CTAS keeps file order.
  const std::string sql = fmt::format(
      "CREATE TEMP TABLE {} AS SELECT *, {} AS {} FROM read_csv({}, header=true, {}, columns={}, "
      "store_rejects=true, rejects_table={}, rejects_scan={}, rejects_limit=0)",
      QuoteIdent(raw), RowProblem(spec), QuoteIdent(kProblemColumn), QuoteLiteral(path), kDialect,
      ColumnsStruct(spec), QuoteLiteral(rejects), QuoteLiteral(scans));
  if (Status s = conn.Execute(sql); !s.ok()) {
    return std::unexpected(DataError(fmt::format("{}: {}", source_file, s.message())));
  }

  LoadedFile loaded;
  PARETO_ASSIGN_OR_RETURN(const int64_t rows_read_by_duckdb,
                          conn.QueryInt64(fmt::format("SELECT count(*) FROM {}", QuoteIdent(raw))));

  // One rejected record may carry several errors (one per bad column): one row each.
  PARETO_ASSIGN_OR_RETURN(
      duck::Result r,
      conn.Query(fmt::format("SELECT line, min(line_byte_position), any_value(csv_line), "
                             "string_agg(error_type::VARCHAR || ': ' || error_message, '; ' ORDER BY column_idx) "
                             "FROM {} GROUP BY line ORDER BY line",
                             QuoteIdent(rejects))));
  const std::string header_line = HeaderLine(file_bytes);
  std::set<int64_t> rejected_lines;  // lines of the records DuckDB's reader left out
  for (uint64_t i = 0; i < r.RowCount(); ++i) {
    RejectedRow row;
    row.record = r.GetInt64(0, i);
    // DuckDB's line_byte_position is 1-based.
    row.line = r.IsNull(1, i) ? row.record : LineOfRecordAt(file_bytes, r.GetInt64(1, i) - 1);
    row.raw_line = TrimLineBreaks(r.GetString(2, i));
    row.reason = r.GetString(3, i);
    rejected_lines.insert(row.line);
    if (row.raw_line == header_line) {
      ++loaded.skipped_header;  // typed columns reject a repeated header: it is no bad row
      continue;
    }
    if (row.reason.find("unterminated quote") != std::string::npos && row.raw_line.find('\n') != std::string::npos) {
      // DuckDB read every following line into this one record: nothing after it would land.
      const int64_t swallowed = std::count(row.raw_line.begin(), row.raw_line.end(), '\n');
      PARETO_RETURN_IF_ERROR(conn.Execute(drop_helpers));
      return std::unexpected(DataError(fmt::format(
          "{}: line {}: a quoted field is never closed, so it swallows the {} line(s) after it; the file is "
          "refused whole (nothing of it lands): close the quote and ingest again",
          source_file, row.line, swallowed)));
    }
    // The whole record from the file, not DuckDB's copy (cut at 10,000 characters).
    if (!r.IsNull(1, i)) row.raw_line = RecordTextAt(file_bytes, r.GetInt64(1, i) - 1, row.line, source_file);
    loaded.rejects.push_back(std::move(row));
  }

  // Rows with no value at all (a line of only commas) and rows equal to the header
  // are counted and taken out; so are rows with a problem, which are quarantined.
  std::vector<std::string> all_null, is_header;
  for (const ColumnSpec& c : spec.columns) {
    all_null.push_back(QuoteIdent(c.name) + " IS NULL");
    is_header.push_back(fmt::format("CAST({} AS VARCHAR) = {}", QuoteIdent(c.name), QuoteLiteral(c.name)));
  }
  const std::string blank_where = fmt::format("({})", fmt::join(all_null, " AND "));
  const std::string header_where = fmt::format("({})", fmt::join(is_header, " AND "));
  const std::string problem_where =
      fmt::format("({} IS NOT NULL AND NOT {} AND NOT {})", QuoteIdent(kProblemColumn), blank_where, header_where);
  PARETO_ASSIGN_OR_RETURN(const int64_t blank_rows, conn.QueryInt64(fmt::format(
      "SELECT count(*) FROM {} WHERE {}", QuoteIdent(raw), blank_where)));
  PARETO_ASSIGN_OR_RETURN(const int64_t header_rows, conn.QueryInt64(fmt::format(
      "SELECT count(*) FROM {} WHERE {} AND NOT {}", QuoteIdent(raw), header_where, blank_where)));
  loaded.skipped_blank = CountEmptyLines(file) + blank_rows;
  loaded.skipped_header += header_rows;

  // Rows DuckDB parsed but whose values pareto refuses (NUL byte, digits beyond the
  // scale, a timestamp not in its layout): found by their place in the file.
  std::vector<std::string> as_text;
  for (const ColumnSpec& c : spec.columns) as_text.push_back(fmt::format("coalesce(CAST({} AS VARCHAR), '')", QuoteIdent(c.name)));
  PARETO_ASSIGN_OR_RETURN(
      duck::Result problems,
      conn.Query(fmt::format("SELECT rowid, {}, concat_ws(',', {}) FROM {} WHERE {} ORDER BY rowid",
                             QuoteIdent(kProblemColumn), fmt::join(as_text, ", "), QuoteIdent(raw), problem_where)));
  if (problems.RowCount() > 0) {
    const std::vector<Record> records = DataRecords(file_bytes, rejected_lines);
    // Every row DuckDB kept is one of the records left: if the counts differ (a stray
    // quote the reader took differently), the line is not known for sure and not guessed.
    const bool mapped = static_cast<int64_t>(records.size()) == rows_read_by_duckdb;
    for (uint64_t i = 0; i < problems.RowCount(); ++i) {
      const auto index = static_cast<size_t>(problems.GetInt64(0, i));
      RejectedRow row;
      row.reason = problems.GetString(1, i);
      if (mapped && index < records.size()) {
        row.line = records[index].line;
        row.record = records[index].record;
        row.raw_line = TrimLineBreaks(std::string(records[index].text));
      } else {
        row.reason += " (line unknown: the raw text is rebuilt from the values)";
        row.raw_line = problems.GetString(2, i);
      }
      loaded.rejects.push_back(std::move(row));
    }
    std::ranges::stable_sort(loaded.rejects, {}, &RejectedRow::line);
  }

  PARETO_RETURN_IF_ERROR(conn.Execute(fmt::format("DELETE FROM {} WHERE {} OR {} OR {}", QuoteIdent(raw),
                                                  blank_where, header_where, problem_where)));

  std::vector<std::string> select;
  for (const ColumnSpec& c : spec.columns) {
    select.push_back(fmt::format("{} AS {}", Converted(c, spec.timezone), QuoteIdent(c.name)));
  }
  select.push_back(fmt::format("make_timestamp({}::BIGINT)::TIMESTAMPTZ AS {}", ingested_at_micros,
                               QuoteIdent(kIngestedAtColumn)));
  select.push_back(fmt::format("{} AS {}", QuoteLiteral(source_file), QuoteIdent(kSourceFileColumn)));
  // A view, not a second copy of the file's rows: what is read once is held once. A scan
  // keeps the table's (the file's) order without a sort (preserve_insertion_order).
  PARETO_RETURN_IF_ERROR(conn.Execute(fmt::format("CREATE TEMP VIEW {} AS SELECT {} FROM {}",
                                                  QuoteIdent(temp_table), fmt::join(select, ", "), QuoteIdent(raw))));
  PARETO_ASSIGN_OR_RETURN(loaded.rows, conn.QueryInt64(fmt::format("SELECT count(*) FROM {}", QuoteIdent(raw))));
  PARETO_RETURN_IF_ERROR(conn.Execute(fmt::format("DROP TABLE IF EXISTS {}; DROP TABLE IF EXISTS {}",
                                                  QuoteIdent(rejects), QuoteIdent(scans))));
  file.ReleasePages();  // what the line and record look-ups of bad rows touched
  return loaded;
}

Status DropLoaded(duck::Connection& conn, std::string_view temp_table) {
  return conn.Execute(fmt::format("DROP VIEW IF EXISTS {}; DROP TABLE IF EXISTS {}", QuoteIdent(temp_table),
                                  QuoteIdent(std::string(temp_table) + "_raw")));
}

}  // namespace pareto::ingest
