// `pareto ingest`: land source CSV files in bronze (see ingest/ingest.h).
#include <iostream>

#include "catalog/lakehouse.h"
#include "catalog/writer_lock.h"
#include "cli/registrars.h"
#include "duck/duck.h"
#include "ingest/ingest.h"
#include "pipeline/project.h"

namespace pareto::cli {

void RegisterIngestCommands(CLI::App& app, CliContext& ctx) {
  CLI::App* cmd = app.add_subcommand(
      "ingest", "Land new source CSV files as bronze Delta tables (each file once; bad rows to _quarantine)");
  auto source = std::make_shared<std::string>();
  auto tables = std::make_shared<std::vector<std::string>>();
  cmd->add_option("--source", *source, "Folder of source CSV files (e.g. the Olist Kaggle download)")->required();
  cmd->add_option("--table", *tables, "Only these bronze tables (e.g. brz_orders); repeatable");
  auto strict = std::make_shared<bool>(false);
  cmd->add_flag("--strict", *strict,
                "A warning (a source with no file, an empty file, a folder named like a source) is an error");
  cmd->callback([&ctx, source, tables, strict] {
    ctx.action = [&ctx, source, tables, strict]() -> Status {
      PARETO_ASSIGN_OR_RETURN(pipeline::Project project, pipeline::LoadProject(ctx.ProjectDir(), ctx.env));
      PARETO_ASSIGN_OR_RETURN(catalog::Lakehouse lakehouse, catalog::Lakehouse::Open(ctx.lakehouse, ctx.env));
      PARETO_ASSIGN_OR_RETURN(auto lock, catalog::WriterLock::Acquire(ctx.lakehouse, ctx.env->NowMicros() / 1000));
      PARETO_ASSIGN_OR_RETURN(duck::Database db, duck::Database::Open({.memory_limit = "1GB"}));
      PARETO_ASSIGN_OR_RETURN(duck::Connection conn, db.Connect());
      ingest::IngestOptions options{.source_dir = *source,
                                    .sources = project.Sources(),
                                    .lakehouse_root = ctx.lakehouse,
                                    .only_tables = *tables,
                                    .strict = *strict};
      PARETO_ASSIGN_OR_RETURN(ingest::IngestReport report, ingest::Ingest(options, lakehouse, conn, ctx.env));
      if (ctx.json) {
        std::cout << ingest::ReportToJson(report).dump(2) << "\n";
      } else {
        std::cout << ingest::FormatReport(report);
      }
      return OkStatus();
    };
  });
}

}  // namespace pareto::cli
