// Set-up shared by the SQL tests: the Olist project folder, the bronze tables of its
// pipeline.yaml and a loader of a folder of Olist CSV exports.
// Thread safety: plain functions; each Connection is used by one thread.
#pragma once

#include <string>

#include "common/status.h"
#include "duck/duck.h"

namespace pareto::sqltest {

// <repo>/pipelines/olist
std::string OlistProjectDir();

StatusOr<std::string> ReadText(const std::string& path);

// Creates schemas bronze/silver/gold, the (empty) bronze tables as the `sources:` section of
// pipeline.yaml declares them (plus _ingested_at and _source_file). The harness
// (project_harness.h) adds its pareto_test schema when it loads.
Status PrepareBronze(duck::Connection& conn);

// Appends the CSV files of `dir` matching each source's pattern to its bronze table, casting
// to the declared types and reading timestamps in the source's zone, as the ingest stage does
// (without its quarantine: a value that does not fit fails the load).
Status LoadCsvFolder(duck::Connection& conn, const std::string& dir);

}  // namespace pareto::sqltest
