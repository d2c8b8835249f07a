// `pareto export databricks --out DIR`: the pipeline project as a Databricks Asset
// Bundle (pipeline/databricks_bundle.h; docs/scale-out.md).
#include <filesystem>
#include <iostream>
#include <memory>
#include <set>

#include "cli/registrars.h"
#include "duck/duck.h"
#include "ingest/source_spec.h"
#include "ml/pipeline_tasks.h"
#include "pipeline/databricks_bundle.h"
#include "pipeline/graph.h"
#include "pipeline/project.h"
#include "pipeline/task_graph.h"

namespace pareto::cli {
namespace {

// The task graph `pareto dag` prints for a lakehouse that holds nothing yet: an
// ingest per declared source, the models, the ML tasks (left for the bundle to
// describe, not to run).
StatusOr<pipeline::TaskGraph> ProjectTaskGraph(const pipeline::Project& project) {
  std::set<std::string> inputs;
  std::vector<std::string> ingest;
  for (const ingest::SourceSpec& s : project.sources) {
    inputs.insert("bronze." + s.table);
    ingest.push_back(s.table);
  }
  PARETO_ASSIGN_OR_RETURN(duck::Database db, duck::Database::Open());
  PARETO_ASSIGN_OR_RETURN(duck::Connection conn, db.Connect());
  PARETO_ASSIGN_OR_RETURN(pipeline::Graph graph, pipeline::BuildGraph(conn, project, inputs));
  std::vector<pipeline::PostTaskSpec> post;
  if (project.HasSection("ml")) {
    PARETO_ASSIGN_OR_RETURN(auto tasks, ml::MlPostTasks(project));
    for (const pipeline::PostTask& t : tasks) post.push_back({t.name, t.depends_on});
  }
  return pipeline::TaskGraph::Build(graph, ingest, post);
}

void RegisterDatabricks(CLI::App& parent, CliContext& ctx) {
  CLI::App* cmd = parent.add_subcommand(
      "databricks", "A Databricks Asset Bundle: one job mirroring `pareto dag`, a SQL file per ingest and model");
  auto out = std::make_shared<std::string>();
  cmd->add_option("--out", *out, "Folder to write the bundle to (created; files of the same name are replaced)")
      ->required();
  cmd->callback([&ctx, out] {
    ctx.action = [&ctx, out]() -> Status {
      PARETO_ASSIGN_OR_RETURN(pipeline::Project project, pipeline::LoadProject(ctx.ProjectDir(), ctx.env));
      PARETO_ASSIGN_OR_RETURN(pipeline::TaskGraph tasks, ProjectTaskGraph(project));
      PARETO_ASSIGN_OR_RETURN(std::vector<pipeline::BundleFile> files, pipeline::DatabricksBundle(project, tasks));
      for (const pipeline::BundleFile& f : files) {
        const std::string path = *out + "/" + f.path;
        PARETO_RETURN_IF_ERROR(ctx.env->CreateDirs(std::filesystem::path(path).parent_path().string()));
        PARETO_RETURN_IF_ERROR(ctx.env->WriteFile(path, f.content, /*sync=*/false));
      }
      std::cout << "wrote " << files.size() << " files to " << *out
                << " (databricks.yml, README.md, sql/): `databricks bundle deploy --var warehouse_id=<id>` there\n";
      return OkStatus();
    };
  });
}

}  // namespace

void RegisterExportCommands(CLI::App& app, CliContext& ctx) {
  CLI::App* cmd = app.add_subcommand("export", "Export the pipeline project to another engine");
  cmd->require_subcommand(1);
  RegisterDatabricks(*cmd, ctx);
}

}  // namespace pareto::cli
