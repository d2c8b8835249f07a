// Bronze ingestion: the public API of the ingest stage.
//
// Ingest() lands every source file of a pipeline project's `sources:` section
// (pipeline.yaml) as rows of one bronze Delta table per source, at
// <lakehouse>/<catalog>/bronze/<table>/, registered as <catalog>.bronze.<table>.
// Bronze keeps the source's values as typed by the declared schema and adds two
// columns: `_ingested_at` (timestamp) and `_source_file` (string). Rows that do
// not fit the schema go to <catalog>.bronze._quarantine with the source table,
// file, line number, raw line and reason; the good rows still land.
//
// Exactly once: each file is one Delta commit carrying a `txn` whose appId is
// derived from the table, the file name and a SHA-256 of the file's bytes, so
// ingesting the same file again adds nothing, and a new file is appended.
//
// A file whose header does not match the declared columns is refused as a whole
// (kDataError naming the expected and found columns); nothing of it lands. So is
// a file where a quoted field is never closed and swallows the lines after it.
// Blank lines, lines of only commas and the header repeated inside a file are
// skipped and counted: every record read is landed, quarantined or skipped.
//
// Every commit goes through catalog::Lakehouse::Publish (an append with the file's txn).
//
// Ownership: Ingest borrows the lakehouse, connection and Env for the call.
// Thread safety: one call per Connection at a time.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "catalog/lakehouse.h"
#include "common/env.h"
#include "common/status.h"
#include "duck/duck.h"
#include "ingest/source_spec.h"

namespace pareto::ingest {

struct IngestOptions {
  std::string source_dir;      // folder of CSV drops (flat; sub-folders are ignored)
  SourcesConfig sources;       // the project's `sources:` (pipeline::Project::Sources())
  std::string lakehouse_root;  // lakehouse folder (Delta tables + _meta/)
  // When non-empty, only these bronze tables (e.g. "brz_orders") are ingested.
  std::vector<std::string> only_tables;
  // Turns every warning (a source with no file, an empty file, a folder named
  // like a source) into a kDataError: for scheduled runs that must not go on
  // with a missing export.
  bool strict = false;
};

// What happened to one source file.
struct FileReport {
  std::string file;             // file name within source_dir
  bool skipped = false;         // nothing landed: already ingested (same name and content) or empty
  std::string note;             // why it was skipped, e.g. "already ingested", "empty file (0 bytes)"
  std::string warning;          // set when the file held no data: empty, header only, NULs after the header
  // Every record after the header is accounted for:
  // rows_read = rows_landed + rows_quarantined + rows_skipped_blank + rows_skipped_header.
  int64_t rows_read = 0;
  int64_t rows_landed = 0;
  int64_t rows_quarantined = 0;
  int64_t rows_skipped_blank = 0;   // empty lines and lines of only commas
  int64_t rows_skipped_header = 0;  // the header line repeated inside the file
  int64_t delta_version = -1;   // the commit that landed it; -1 when nothing was committed
  // Where the file's time went, in ms, for `pareto run`'s profile: hash (its
  // SHA-256), parse (header check and DuckDB's typed read with the rejects),
  // quarantine (its commit, when rows were rejected), then the append's
  // materialize, parquet, stats, log (the Delta commit) and metastore.
  std::vector<std::pair<std::string, int64_t>> profile_ms;
};

// What happened to one source (one bronze table).
struct SourceReport {
  std::string table;      // "brz_orders"
  std::string full_name;  // "olist.bronze.brz_orders"
  int64_t files_seen = 0;
  int64_t files_ingested = 0;
  int64_t files_skipped = 0;
  int64_t rows_landed = 0;
  int64_t rows_quarantined = 0;
  int64_t rows_skipped = 0;  // blank and repeated header lines
  int64_t delta_version = -1;  // the table's version after the run (-1: no table yet)
  std::vector<FileReport> files;
  // What the user must hear about on every run even though nothing failed: no
  // file matched the pattern (with the closest name seen), a folder matched it,
  // a file was empty or held no data rows. One line each, never file contents.
  std::vector<std::string> warnings;
};

struct IngestReport {
  std::vector<SourceReport> sources;  // in the order of pipeline.yaml's `sources:`
  int64_t rows_landed = 0;
  int64_t rows_quarantined = 0;
  int64_t rows_skipped = 0;
  int64_t files_ingested = 0;
  int64_t files_skipped = 0;
};

// Ingests every source file found in options.source_dir. Only regular files
// inside source_dir are read: a name that is a FIFO, a device, a socket or a
// symlink leading out of the folder is refused (kDataError, one line, nothing
// of it read). Fails (and stops) at
// the first file that is refused or cannot be committed; files committed before
// it stay committed, and a rerun resumes where it stopped (exactly once).
StatusOr<IngestReport> Ingest(const IngestOptions& options, catalog::Lakehouse& lakehouse,
                              duck::Connection& conn, Env* env = Env::Default());

// A fixed-width table: source table, files (ingested/seen), rows landed,
// quarantined, skipped, version; plus a totals line; then one line a file
// ingested in this run with its accounting (read = landed + quarantined + skipped).
std::string FormatReport(const IngestReport& report);
nlohmann::json ReportToJson(const IngestReport& report);

}  // namespace pareto::ingest
