// Reading one source CSV file with DuckDB: header check, typed rows, rejected rows.
//
// All CSV parsing is DuckDB's read_csv with explicit columns and RFC 4180 quoting
// (quote and escape '"'); nothing here splits fields. Rows that do not fit the
// declared types or column count are collected from DuckDB's rejects tables
// (store_rejects) with their physical line number, raw text and reason.
//
// Thread safety: functions use the given Connection; one caller at a time.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "duck/duck.h"
#include "ingest/file_bytes.h"
#include "ingest/source_spec.h"

namespace pareto::ingest {

struct RejectedRow {
  int64_t line = 0;    // 1-based physical line where the record starts (as an editor counts)
  int64_t record = 0;  // 1-based CSV record number, the header being record 1
  std::string raw_line;  // the record's text as in the file (without its line break)
  std::string reason;    // DuckDB's error type and message, "; "-joined when several
};

// Every record of a file is accounted for: rows (landed) + rejects (quarantined)
// + skipped_blank + skipped_header = the records read after the header.
struct LoadedFile {
  int64_t rows = 0;  // rows in the temp table
  std::vector<RejectedRow> rejects;  // ordered by line
  // Empty lines, and lines of only delimiters (`,,,,` as spreadsheets append):
  // no value at all, skipped rather than landed as all-NULL rows.
  int64_t skipped_blank = 0;
  // Lines equal to the header inside the file (two exports concatenated).
  int64_t skipped_header = 0;
};

// The first record of `path` (header names as written, BOM removed); empty for
// a 0-byte file.
StatusOr<std::vector<std::string>> ReadHeader(duck::Connection& conn, const std::string& path,
                                              size_t expected_columns);

// kDataError naming expected and found columns unless `found` equals the
// declared column names, in order.
Status CheckHeader(const SourceSpec& spec, const std::vector<std::string>& found,
                   std::string_view file_name);

// Parses `path` into the temporary view `temp_table` (replaced if present) over
// the table `<temp_table>_raw` that holds the file's rows once: the declared
// columns, timestamps converted to UTC instants (TIMESTAMPTZ: wall times of
// spec.timezone, or the instant an explicit offset names), then `_ingested_at` and
// `_source_file`. The caller drops both with DropLoaded. `file` is the
// file's content, used to turn DuckDB's byte offsets into line numbers and to
// count empty lines (which DuckDB skips without a word). Blank and repeated header
// lines are taken out and counted. A quoted field that is never closed and
// swallows the following lines refuses the file whole (kDataError naming the
// line): landing the rows before it would lose the rest of the file silently.
StatusOr<LoadedFile> LoadCsv(duck::Connection& conn, const std::string& path, const FileBytes& file,
                             const SourceSpec& spec, std::string_view source_file, int64_t ingested_at_micros,
                             std::string_view temp_table);

// Drops what LoadCsv created for `temp_table`.
Status DropLoaded(duck::Connection& conn, std::string_view temp_table);

// 1-based line holding byte `offset` of `bytes`, after skipping line-break
// characters at `offset` (DuckDB's record offsets may point at the '\n' of a CRLF).
int64_t LineOfRecordAt(std::string_view bytes, int64_t offset);

}  // namespace pareto::ingest
