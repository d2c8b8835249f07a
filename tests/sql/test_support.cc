#include "test_support.h"

#include <fmt/format.h>

#include <fstream>
#include <sstream>
#include <vector>

#include "pipeline/project.h"

namespace pareto::sqltest {
namespace {

// The `sources:` section of pipeline.yaml, as pareto reads it: the bronze tables ingest writes.
StatusOr<std::vector<ingest::SourceSpec>> ReadSources() {
  PARETO_ASSIGN_OR_RETURN(pipeline::Project project, pipeline::LoadProject(OlistProjectDir()));
  if (project.sources.empty()) return std::unexpected(InvalidArgument(project.file + ": no sources"));
  return project.sources;
}

// Delta type -> DuckDB type. A timestamp is an instant: TIMESTAMPTZ, as bronze stores it.
StatusOr<std::string> DuckType(const std::string& delta_type) {
  if (delta_type == "string") return std::string("VARCHAR");
  if (delta_type == "integer") return std::string("INTEGER");
  if (delta_type == "long") return std::string("BIGINT");
  if (delta_type == "double") return std::string("DOUBLE");
  if (delta_type == "boolean") return std::string("BOOLEAN");
  if (delta_type == "date") return std::string("DATE");
  if (delta_type == "timestamp") return std::string("TIMESTAMPTZ");
  if (delta_type.starts_with("decimal(")) return "DECIMAL" + delta_type.substr(7);
  return std::unexpected(InvalidArgument("pipeline.yaml: unknown column type '" + delta_type + "'"));
}

}  // namespace

std::string OlistProjectDir() { return std::string(PARETO_SOURCE_DIR) + "/pipelines/olist"; }

StatusOr<std::string> ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::unexpected(NotFound(path + ": cannot open"));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

Status PrepareBronze(duck::Connection& conn) {
  PARETO_ASSIGN_OR_RETURN(const auto sources, ReadSources());
  std::string sql =
      "CREATE SCHEMA IF NOT EXISTS bronze; CREATE SCHEMA IF NOT EXISTS silver; "
      "CREATE SCHEMA IF NOT EXISTS gold;\n";
  for (const ingest::SourceSpec& source : sources) {
    sql += "CREATE TABLE bronze." + duck::QuoteIdent(source.table) + " (";
    for (const ingest::ColumnSpec& column : source.columns) {
      PARETO_ASSIGN_OR_RETURN(const std::string type, DuckType(column.type));
      sql += duck::QuoteIdent(column.name) + " " + type + ", ";
    }
    // The ingestion metadata every bronze table carries.
    sql += "_ingested_at TIMESTAMPTZ, _source_file VARCHAR);\n";
  }
  return conn.Execute(sql);
}

Status LoadCsvFolder(duck::Connection& conn, const std::string& dir) {
  PARETO_ASSIGN_OR_RETURN(const auto sources, ReadSources());
  for (const ingest::SourceSpec& source : sources) {
    // Every value is read as text and cast to the declared type; timestamps are wall times
    // of the source's zone turned into instants, as the ingest stage does.
    std::string select;
    for (const ingest::ColumnSpec& column : source.columns) {
      const std::string name = duck::QuoteIdent(column.name);
      PARETO_ASSIGN_OR_RETURN(const std::string type, DuckType(column.type));
      if (column.type == "timestamp") {
        select += fmt::format("timezone({}, CAST({} AS TIMESTAMP)), ", duck::QuoteLiteral(source.timezone), name);
      } else {
        select += fmt::format("CAST({} AS {}), ", name, type);
      }
    }
    select += "TIMESTAMPTZ '2026-01-01 00:00:00+00', parse_filename(filename)";
    PARETO_RETURN_IF_ERROR(conn.Execute(fmt::format(
        "INSERT INTO bronze.{} SELECT {} FROM read_csv({}, header = true, all_varchar = true, "
        "filename = true)",
        duck::QuoteIdent(source.table), select, duck::QuoteLiteral(dir + "/" + source.pattern)))
                               .WithContext(source.table));
  }
  return OkStatus();
}

}  // namespace pareto::sqltest
