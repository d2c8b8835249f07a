// bench_engine: the pipeline project's own SQL on bare DuckDB — the floor that
// `pareto run` is measured against (bench/bench_engine.sh prints the two side by side).
//
// One in-memory DuckDB: each source's files loaded typed as pipeline.yaml declares
// them (one read_csv a source, timestamps read in the source's zone, the two bronze
// bookkeeping columns added), then every model's SQL, the same text pareto runs, as
// CREATE TABLE in the dependency order pareto's graph gives, then (unless
// --no-parquet) every table written once as Parquet. No Delta log, no metastore, no
// expectations, no quarantine, no lineage: the difference to `pareto run --no-ml` is
// what pareto adds.
//
// Usage: bench_engine --project DIR --source DIR [--parquet-dir DIR | --no-parquet]
#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "common/status.h"
#include "duck/duck.h"
#include "ingest/source_spec.h"
#include "pipeline/graph.h"
#include "pipeline/model_build.h"
#include "pipeline/project.h"

namespace pareto {
namespace {

using Clock = std::chrono::steady_clock;

int64_t MsSince(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
}

// The DuckDB type a declared column lands as in bronze.
std::string LandedType(const ingest::ColumnSpec& c) {
  if (c.type == "string") return "VARCHAR";
  if (c.type == "integer") return "INTEGER";
  if (c.type == "long") return "BIGINT";
  if (c.type == "short") return "SMALLINT";
  if (c.type == "byte") return "TINYINT";
  if (c.type == "double") return "DOUBLE";
  if (c.type == "float") return "FLOAT";
  if (c.type == "boolean") return "BOOLEAN";
  if (c.type == "date") return "DATE";
  if (c.type == "timestamp") return "TIMESTAMPTZ";
  return c.type;  // decimal(p,s) is DuckDB's spelling too
}

// One read_csv over every file of the source, typed; timestamps are the source
// zone's wall times, as ingest reads them.
std::string LoadSql(const ingest::SourceSpec& spec, const std::string& source_dir, const std::string& zone) {
  std::string columns, select;
  for (const ingest::ColumnSpec& c : spec.columns) {
    const std::string format = !c.format.empty()                                 ? c.format
                               : c.type == "timestamp" ? spec.timestamp_format
                               : c.type == "date"      ? spec.date_format
                                                       : std::string();
    const bool text = (c.type == "timestamp" || c.type == "date") && !format.empty();
    const std::string read_type = text ? "VARCHAR" : c.type == "timestamp" ? "TIMESTAMP" : LandedType(c);
    columns += fmt::format("{}{}: {}", columns.empty() ? "" : ", ", duck::QuoteLiteral(c.name), duck::QuoteLiteral(read_type));
    std::string value = duck::QuoteIdent(c.name);
    if (text) value = fmt::format("strptime({}, {})", value, duck::QuoteLiteral(format));
    if (c.type == "timestamp") value = fmt::format("timezone({}, {})", duck::QuoteLiteral(zone), value);
    if (text && c.type == "date") value = "CAST(" + value + " AS DATE)";
    select += fmt::format("{}{} AS {}", select.empty() ? "" : ", ", value, duck::QuoteIdent(c.name));
  }
  return fmt::format(
      "CREATE TABLE bronze.{} AS SELECT {}, now() AS _ingested_at, filename AS _source_file "
      "FROM read_csv({}, header = true, quote = '\"', escape = '\"', filename = true, columns = {{{}}})",
      duck::QuoteIdent(spec.table), select, duck::QuoteLiteral(source_dir + "/" + spec.pattern), columns);
}

bool HasFile(const std::string& dir, const ingest::SourceSpec& spec) {
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    if (e.is_regular_file() && spec.Matches(e.path().filename().string())) return true;
  }
  return false;
}

Status Run(const std::string& project_dir, const std::string& source_dir, const std::string& parquet_dir) {
  const auto start = Clock::now();
  PARETO_ASSIGN_OR_RETURN(pipeline::Project project, pipeline::LoadProject(project_dir));
  PARETO_ASSIGN_OR_RETURN(duck::Database db, duck::Database::Open());
  PARETO_ASSIGN_OR_RETURN(duck::Connection conn, db.Connect());
  for (const char* schema : {"bronze", "silver", "gold"}) {
    PARETO_RETURN_IF_ERROR(conn.Execute(fmt::format("CREATE SCHEMA {}", schema)));
  }
  PARETO_RETURN_IF_ERROR(pipeline::PrepareModelSession(conn, project));

  std::vector<std::string> tables;
  std::set<std::string> inputs;
  const auto load_start = Clock::now();
  for (const ingest::SourceSpec& spec : project.sources) {
    if (!HasFile(source_dir, spec)) continue;
    const auto t = Clock::now();
    const std::string zone = spec.timezone.empty() ? project.timezone : spec.timezone;
    PARETO_RETURN_IF_ERROR(conn.Execute(LoadSql(spec, source_dir, zone)).WithContext(spec.table));
    const std::string name = "bronze." + spec.table;
    PARETO_ASSIGN_OR_RETURN(int64_t rows, conn.QueryInt64("SELECT count(*) FROM " + name));
    std::printf("  %-34s %8lld ms %10lld rows\n", name.c_str(), static_cast<long long>(MsSince(t)),
                static_cast<long long>(rows));
    inputs.insert(name);
    tables.push_back(name);
  }
  const int64_t load_ms = MsSince(load_start);

  PARETO_ASSIGN_OR_RETURN(pipeline::Graph graph, pipeline::BuildGraph(conn, project, inputs));
  const auto models_start = Clock::now();
  for (const std::string& name : graph.order()) {
    const pipeline::Model* model = project.FindModel(name);
    if (model == nullptr) continue;
    const auto t = Clock::now();
    // The newline ends a trailing `--` comment of the model, as in model_build.cc.
    PARETO_RETURN_IF_ERROR(conn.Execute("CREATE TABLE " + name + " AS\n" + model->sql + "\n").WithContext(name));
    PARETO_ASSIGN_OR_RETURN(int64_t rows, conn.QueryInt64("SELECT count(*) FROM " + name));
    std::printf("  %-34s %8lld ms %10lld rows\n", name.c_str(), static_cast<long long>(MsSince(t)),
                static_cast<long long>(rows));
    tables.push_back(name);
  }
  const int64_t models_ms = MsSince(models_start);

  int64_t parquet_ms = 0;
  if (!parquet_dir.empty()) {
    const auto t = Clock::now();
    std::filesystem::create_directories(parquet_dir);
    for (const std::string& name : tables) {
      PARETO_RETURN_IF_ERROR(conn.Execute(fmt::format("COPY {} TO {} (FORMAT parquet, COMPRESSION snappy)", name,
                                                      duck::QuoteLiteral(parquet_dir + "/" + name + ".parquet"))));
    }
    parquet_ms = MsSince(t);
  }
  std::printf("engine: load %lld ms (%zu sources), models %lld ms (%zu), parquet %s, total %lld ms\n",
              static_cast<long long>(load_ms), inputs.size(), static_cast<long long>(models_ms),
              tables.size() - inputs.size(),
              parquet_dir.empty() ? "not written" : fmt::format("{} ms", parquet_ms).c_str(),
              static_cast<long long>(MsSince(start)));
  return OkStatus();
}

}  // namespace
}  // namespace pareto

int main(int argc, char** argv) {
  std::string project, source, parquet;
  bool no_parquet = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : std::string(); };
    if (a == "--project") project = next();
    else if (a == "--source") source = next();
    else if (a == "--parquet-dir") parquet = next();
    else if (a == "--no-parquet") no_parquet = true;
    else {
      std::fprintf(stderr, "unknown argument %s\n", a.c_str());
      return 64;
    }
  }
  if (project.empty() || source.empty() || (parquet.empty() && !no_parquet)) {
    std::fprintf(stderr, "usage: bench_engine --project DIR --source DIR (--parquet-dir DIR | --no-parquet)\n");
    return 64;
  }
  pareto::Status status = pareto::Run(project, source, no_parquet ? std::string() : parquet);
  if (!status.ok()) {
    std::fprintf(stderr, "bench_engine: %s\n", status.message().c_str());
    return 1;
  }
  return 0;
}
