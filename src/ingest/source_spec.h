// The `sources:` section of a pipeline project's pipeline.yaml, as typed values
// and their checks. pipeline/project_file.cc reads the YAML (the one place that
// does) and calls ValidateSource on each source; ingest only consumes the values.
//
// A source declares one bronze table: which files feed it (a glob over file
// names), the ordered, typed columns of those files, the business key, the
// zone the file's timestamps are written in, and the table's comment. Types
// use Delta's names (string, integer, long, double, boolean, date, timestamp,
// decimal(p,s)); schemas live in YAML, never in C++.
//
// Thread safety: plain values.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace pareto::ingest {

struct ColumnSpec {
  std::string name;
  std::string type;  // Delta type name, normalized to lower case: "decimal(12,2)"
  std::string comment;
  // strptime layout of a date or timestamp column (`format:` in pipeline.yaml, or
  // the source's `date_format:` / `timestamp_format:`); empty = ISO 8601. A value
  // that does not match it is quarantined with its line.
  std::string format;
  int line = 0;  // 1-based line of the column in pipeline.yaml, for messages
};

struct SourceSpec {
  std::string table;    // bronze table name, e.g. "brz_orders"
  std::string pattern;  // glob over file names, e.g. "olist_orders_dataset*.csv"
  std::vector<ColumnSpec> columns;
  std::vector<std::string> business_key;
  std::string timezone;  // IANA zone of the file's timestamps (defaults to the top-level one)
  // Layouts for every date / timestamp column without its own `format:` (strptime
  // codes, e.g. "%m/%d/%Y %H:%M" for a spreadsheet's export); empty = ISO 8601.
  std::string date_format;
  std::string timestamp_format;
  std::string comment;
  int line = 0;  // 1-based line of the source in pipeline.yaml, for messages

  // True when `file_name` (no directory) matches `pattern` (fnmatch glob).
  bool Matches(std::string_view file_name) const;
  bool HasTimestamps() const;
};

struct SourcesConfig {
  std::string catalog;   // top-level `catalog:`
  std::string timezone;  // top-level `timezone:`
  std::vector<SourceSpec> sources;  // in file order
};

// Checks one declared source and normalizes its column types ("DECIMAL(12, 2)" ->
// "decimal(12,2)"): table name, pattern, column names and types, business key, and
// a zone when it has timestamps (`timezone` already defaulted to the top-level one).
// `file` labels messages: kInvalidArgument "pipeline.yaml:LINE: what".
Status ValidateSource(SourceSpec& source, std::string_view file);

// Checks what spans sources: each bronze table is declared once.
Status ValidateSources(const SourcesConfig& config, std::string_view file);

// The DuckDB type read_csv parses a column as. Timestamps, decimals and dates with
// a declared format are read as text and converted by csv_file.cc, which checks
// what DuckDB's reader would not: an explicit UTC offset, the declared layout,
// digits beyond the declared scale (DuckDB would round them).
std::string CsvReadType(const ColumnSpec& column);

// True for the columns CsvReadType reads as text to convert and check afterwards.
bool IsCheckedAfterRead(const ColumnSpec& column);

// Names bronze adds after the source columns.
inline constexpr std::string_view kIngestedAtColumn = "_ingested_at";
inline constexpr std::string_view kSourceFileColumn = "_source_file";

}  // namespace pareto::ingest
