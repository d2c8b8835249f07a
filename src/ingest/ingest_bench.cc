// bench_ingest: ingestion throughput at about the full dataset's size.
//
// Builds a source folder of olist-subset replicated 12 times (every ID made
// fresh per copy, so nothing collides) — about 98k orders — then ingests each
// table on its own and prints rows/s. Without ../shared it uses the project's
// fixture replicated 5000 times instead. Prints measurements; never pass/fail.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "catalog/lakehouse.h"
#include "duck/duck.h"
#include "ingest/ingest.h"
#include "ingest/source_spec.h"
#include "pipeline/project.h"

namespace {

using namespace pareto;
namespace fs = std::filesystem;

// Columns holding identifiers: rewritten per copy as md5(value || copy).
bool IsIdColumn(const std::string& name) {
  return name.ends_with("_id") && name != "order_item_id";
}

Status Replicate(duck::Connection& conn, const ingest::SourcesConfig& config, const std::string& from,
                 const std::string& to, int copies) {
  for (const ingest::SourceSpec& spec : config.sources) {
    std::string file;
    for (const auto& entry : fs::directory_iterator(from)) {
      if (spec.Matches(entry.path().filename().string())) file = entry.path().string();
    }
    if (file.empty()) continue;
    std::vector<std::string> columns;
    std::vector<std::string> types;
    for (const ingest::ColumnSpec& c : spec.columns) {
      types.push_back(fmt::format("{}: 'VARCHAR'", duck::QuoteLiteral(c.name)));
      columns.push_back(IsIdColumn(c.name) ? fmt::format("CASE WHEN {0} IS NULL THEN NULL WHEN copy = 0 THEN {0} "
                                                         "ELSE md5({0} || copy::VARCHAR) END AS {0}",
                                                         duck::QuoteIdent(c.name))
                                           : duck::QuoteIdent(c.name));
    }
    const std::string out = to + "/" + fs::path(file).filename().string();
    PARETO_RETURN_IF_ERROR(conn.Execute(fmt::format(
        "COPY (SELECT {} FROM read_csv({}, header=true, auto_detect=false, delim=',', quote='\"', escape='\"', "
        "columns={{{}}}), range({}) AS r(copy)) TO {} (HEADER, DELIMITER ',')",
        fmt::join(columns, ", "), duck::QuoteLiteral(file), fmt::join(types, ", "), copies, duck::QuoteLiteral(out))));
  }
  return OkStatus();
}

int Run() {
  const std::string shared = std::string(PARETO_SHARED_DIR) + "/olist-subset";
  const bool have_shared = fs::exists(shared);
  const std::string from = have_shared ? shared : std::string(PARETO_SOURCE_DIR) + "/tests/fixtures/olist-mini";
  const int copies = have_shared ? 12 : 5000;
  const std::string project = std::string(PARETO_SOURCE_DIR) + "/pipelines/olist";
  const fs::path work = fs::temp_directory_path() / fmt::format("pareto-bench-ingest-{}", ::getpid());
  fs::create_directories(work / "source");

  auto loaded = pipeline::LoadProject(project);
  if (!loaded) return 1;
  const std::optional<ingest::SourcesConfig> config = loaded->Sources();
  auto db = duck::Database::Open();
  if (!config || !db) return 1;
  auto conn = db->Connect();
  if (!conn) return 1;
  if (Status s = Replicate(*conn, *config, from, (work / "source").string(), copies); !s.ok()) {
    std::fprintf(stderr, "bench_ingest: %s\n", s.ToString().c_str());
    return 1;
  }
  auto metastore = catalog::Lakehouse::Open((work / "lakehouse").string());
  if (!metastore) return 1;

  std::printf("bench_ingest: %s x%d (fresh ids per copy), DuckDB threads = default\n", from.c_str(), copies);
  std::printf("%-34s %12s %12s %10s %14s\n", "table", "file MB", "rows", "seconds", "rows/s");
  int64_t total_rows = 0;
  double total_seconds = 0;
  for (const ingest::SourceSpec& spec : config->sources) {
    ingest::IngestOptions options{.source_dir = (work / "source").string(),
                                  .sources = *config,
                                  .lakehouse_root = (work / "lakehouse").string(),
                                  .only_tables = {spec.table}};
    const auto start = std::chrono::steady_clock::now();
    auto report = ingest::Ingest(options, *metastore, *conn);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!report) {
      std::fprintf(stderr, "bench_ingest: %s\n", report.error().ToString().c_str());
      return 1;
    }
    const int64_t rows = report->rows_landed;
    double mb = 0;
    for (const auto& entry : fs::directory_iterator(work / "source"))
      if (spec.Matches(entry.path().filename().string())) mb += static_cast<double>(entry.file_size()) / 1e6;
    std::printf("%-34s %12.1f %12lld %10.3f %14.0f\n", spec.table.c_str(), mb, static_cast<long long>(rows), seconds,
                seconds > 0 ? static_cast<double>(rows) / seconds : 0.0);
    total_rows += rows;
    total_seconds += seconds;
  }
  std::printf("%-34s %12s %12lld %10.3f %14.0f\n", "total", "", static_cast<long long>(total_rows), total_seconds,
              total_seconds > 0 ? static_cast<double>(total_rows) / total_seconds : 0.0);
  std::error_code ec;
  fs::remove_all(work, ec);
  return 0;
}

}  // namespace

int main() { return Run(); }
