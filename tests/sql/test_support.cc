#include "test_support.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <fstream>
#include <sstream>
#include <vector>

#include "model_runner.h"

namespace pareto::sqltest {
namespace {

struct SourceColumn {
  std::string name;
  std::string type;  // Delta type as pipeline.yaml writes it: string, timestamp, decimal(12,2), …
};

struct Source {
  std::string table;
  std::string pattern;
  std::string timezone;
  std::vector<SourceColumn> columns;
};

// The `sources:` section of pipeline.yaml: the bronze tables the ingest stage writes.
StatusOr<std::vector<Source>> ReadSources() {
  const std::string path = OlistProjectDir() + "/pipeline.yaml";
  PARETO_ASSIGN_OR_RETURN(const std::string text, ReadText(path));
  std::vector<Source> sources;
  try {
    const YAML::Node root = YAML::Load(text);
    const std::string zone = root["timezone"] ? root["timezone"].as<std::string>() : "UTC";
    for (const auto& s : root["sources"]) {
      Source source{s["table"].as<std::string>(), s["pattern"].as<std::string>(),
                    s["timezone"] ? s["timezone"].as<std::string>() : zone, {}};
      for (const auto& c : s["columns"]) {
        source.columns.push_back({c["name"].as<std::string>(), c["type"].as<std::string>()});
      }
      sources.push_back(std::move(source));
    }
  } catch (const YAML::Exception& e) {
    return std::unexpected(InvalidArgument(fmt::format("{}: {}", path, e.what())));
  }
  if (sources.empty()) return std::unexpected(InvalidArgument(path + ": no sources"));
  return sources;
}

// Delta type -> DuckDB type. A timestamp is an instant: TIMESTAMPTZ (DESIGN §3).
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
  for (const Source& source : sources) {
    sql += "CREATE TABLE bronze." + duck::QuoteIdent(source.table) + " (";
    for (const SourceColumn& column : source.columns) {
      PARETO_ASSIGN_OR_RETURN(const std::string type, DuckType(column.type));
      sql += duck::QuoteIdent(column.name) + " " + type + ", ";
    }
    // The ingestion metadata every bronze table carries.
    sql += "_ingested_at TIMESTAMPTZ, _source_file VARCHAR);\n";
  }
  PARETO_RETURN_IF_ERROR(conn.Execute(sql));
  return ModelRunner::PrepareConnection(conn);
}

Status LoadCsvFolder(duck::Connection& conn, const std::string& dir) {
  PARETO_ASSIGN_OR_RETURN(const auto sources, ReadSources());
  for (const Source& source : sources) {
    // Every value is read as text and cast to the declared type; timestamps are wall times
    // of the source's zone turned into instants, as the ingest stage does.
    std::string select;
    for (const SourceColumn& column : source.columns) {
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
