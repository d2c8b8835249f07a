// Writing data files: a DuckDB query becomes Parquet files in the table root,
// each described by an AddFile with Delta stats.
//
// Files are named part-<n>-<uuid>-c000.snappy.parquet, so a name is never reused
// and never overwritten. The query runs on the caller's connection (it may name
// the caller's tables); a temporary table holds its rows while files are cut.
// Thread safety: as the caller's Connection (one thread at a time).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/env.h"
#include "common/status.h"
#include "delta/table.h"
#include "duck/duck.h"

namespace pareto::delta {

struct StagedFiles {
  nlohmann::json schema;  // Delta schema of the query's columns
  std::vector<AddFile> files;
  int64_t rows = 0;
  int64_t bytes = 0;
  WriteProfile profile;  // materialize, parquet and stats (log_us stays 0)
};

// The Delta schema of a query, without running it.
StatusOr<nlohmann::json> QuerySchema(duck::Connection& conn, std::string_view select_sql);

// Runs the query and writes its rows (at most `rows_per_file` a file; zero rows: no
// file). With `target_schema` (an append to an existing table) the columns are cast
// to the table's types instead of their own.
StatusOr<StagedFiles> WriteDataFiles(duck::Connection& conn, Env* env, const std::string& root,
                                     std::string_view select_sql, int64_t rows_per_file,
                                     const nlohmann::json* target_schema = nullptr);

// OK when rows of `incoming` may be appended to a table of schema `table`: the same
// column names in the same order, each type equal or a lossless widening of it
// (byte < short < integer < long, float < double, decimal to a wider decimal).
Status CheckAppendable(const nlohmann::json& incoming, const nlohmann::json& table);

// kDataError when the written files hold nulls in a column the schema declares
// not nullable (top-level columns; from the files' stats).
Status CheckNotNull(const StagedFiles& staged, const nlohmann::json& schema);

// Delta stats JSON for one written Parquet file with the given Delta schema.
StatusOr<std::string> ComputeStats(duck::Connection& conn, const std::string& file_path, const nlohmann::json& schema);

// True when two schemas have the same column names and types (nullability and metadata ignored).
bool SameColumns(const nlohmann::json& a, const nlohmann::json& b);

}  // namespace pareto::delta
