// Set-up shared by the SQL tests: the Olist project folder, the bronze fixture schema and
// the loader of a folder of Olist CSV exports. Thread safety: plain functions; each
// Connection is used by one thread.
#pragma once

#include <string>

#include "common/status.h"
#include "duck/duck.h"

namespace pareto::sqltest {

// <repo>/pipelines/olist
std::string OlistProjectDir();

StatusOr<std::string> ReadText(const std::string& path);

// Creates schemas bronze/silver/gold, the (empty) bronze tables as pipeline.yaml declares
// them (fixtures/bronze_schema.sql) and the harness' pareto_test schema.
Status PrepareBronze(duck::Connection& conn);

// Appends the nine Olist CSV files of `dir` to the bronze tables, reading local times in the
// shop's zone as the ingest stage does (fixtures/load_csv_dir.sql).
Status LoadCsvFolder(duck::Connection& conn, const std::string& dir);

}  // namespace pareto::sqltest
