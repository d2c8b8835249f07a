// The catalog and operations endpoints: tables (schema, version, history,
// lineage, preview), the lineage graph, pipeline runs and their tasks, expectation results, the
// task graph, the model registry and /metrics. The JSON mirrors the command
// line's --json output (pareto describe / runs / dag / models).
#include <algorithm>
#include <charconv>
#include <filesystem>
#include <set>

#include <fmt/format.h>

#include "catalog/audit.h"
#include "catalog/grants.h"
#include "catalog/lineage.h"
#include "catalog/runs.h"
#include "delta/table.h"
#include "ml/future_value/registration.h"
#include "ml/ml_config.h"
#include "ml/pipeline_tasks.h"
#include "ml/scoring/registry.h"
#include "pipeline/graph.h"
#include "pipeline/project.h"
#include "pipeline/task_graph.h"
#include "server/call.h"
#include "server/metrics.h"
#include "server/visibility.h"

namespace pareto::server {
namespace {

using catalog::TableInfo;
using nlohmann::json;

json OrNull(const std::optional<int64_t>& v) { return v ? json(*v) : json(); }

std::optional<int64_t> ParseInt(std::string_view s) {
  int64_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

std::string QuotedName(const TableInfo& t) {
  return duck::QuoteIdent(t.catalog) + "." + duck::QuoteIdent(t.schema) + "." + duck::QuoteIdent(t.name);
}

json RunJson(const catalog::PipelineRun& r) {
  return {{"id", r.id}, {"pipeline", r.pipeline}, {"trigger", r.triggered_by},
          {"status", catalog::RunStatusName(r.status)}, {"message", r.message}, {"started_ms", r.started_ms},
          {"ended_ms", OrNull(r.ended_ms)}};
}

json ExpectationJson(const catalog::ExpectationResult& e) {
  return {{"run_id", OrNull(e.run_id)},  {"table", e.table},         {"expectation", e.expectation},
          {"action", catalog::ExpectationActionName(e.action)}, {"passed", e.passed_rows},
          {"failed", e.failed_rows},     {"recorded_ms", e.recorded_ms}};
}

json VersionJson(const ml::ModelVersion& v) {
  return {{"name", v.name},       {"version", v.version},   {"run_id", v.run_id},   {"kind", v.kind},
          {"protocol", v.protocol}, {"path", v.path},       {"roc_auc", v.roc_auc}, {"stage", v.stage},
          {"created_ms", v.created_ms}, {"promoted_ms", OrNull(v.promoted_ms)}};
}

// A version's metrics.json (metrics, curves, baseline), or null when absent.
json VersionMetrics(Call& call, const ml::ModelVersion& v) {
  auto text = call.server.options().env->ReadFile(
      (std::filesystem::path(call.worker.lakehouse.root()) / v.path / "metrics.json").string());
  if (!text.has_value()) return nullptr;
  json j = json::parse(*text, nullptr, /*allow_exceptions=*/false);
  return j.is_discarded() ? json(nullptr) : j;
}

// Whether the run that trained `v` read a table the user may not SELECT.
// Inputs named "schema.table" are in the project's catalog.
bool ModelReadsHidden(Call& call, const Visibility& seen, const std::string& catalog, const ml::ModelVersion& v) {
  auto run = ml::GetRun(call.worker.lakehouse.metastore(), v.run_id);
  if (!run.has_value() || !*run) return false;
  for (const json& input : (*run)->inputs) {
    if (!input.is_object()) continue;
    const std::string table = input.value("table", "");
    if (seen.Hides(std::count(table.begin(), table.end(), '.') == 1 ? catalog + "." + table : table)) return true;
  }
  return false;
}

// Each column of `table` with recorded lineage → the columns it is computed from,
// leaving out those of tables the user may not see.
json ColumnLineageJson(catalog::Metastore& ms, const Visibility& seen, const std::string& table) {
  json out = json::object();
  auto cols = catalog::LineageColumns(ms, table);
  if (!cols.has_value()) return out;
  for (const std::string& c : *cols) {
    json ups = json::array();
    if (auto up = catalog::UpstreamColumns(ms, {.table = table, .column = c}); up.has_value()) {
      for (const catalog::ColumnRef& r : *up) {
        if (!seen.Hides(r.table)) ups.push_back({{"table", r.table}, {"column", r.column}});
      }
    }
    out[c] = std::move(ups);
  }
  return out;
}

}  // namespace

void GetTables(Call& call) {
  catalog::Lakehouse& lh = call.worker.lakehouse;
  auto tables = lh.metastore().ListTables();
  if (!tables.has_value()) return SendStatus(call.res, tables.error());
  auto session = call.Session();
  if (!session.has_value()) return SendStatus(call.res, session.error());
  json catalogs = json::array();
  const std::vector<std::string> hidden = (*session)->Hidden();
  for (const TableInfo& t : *tables) {
    // A table the user may not SELECT is not listed to them.
    if (std::find(hidden.begin(), hidden.end(), t.FullName()) != hidden.end()) continue;
    if (catalogs.empty() || catalogs.back()["name"] != t.catalog) {
      catalogs.push_back({{"name", t.catalog}, {"schemas", json::array()}});
    }
    json& schemas = catalogs.back()["schemas"];
    if (schemas.empty() || schemas.back()["name"] != t.schema) schemas.push_back({{"name", t.schema}, {"tables", json::array()}});
    auto version = lh.Version(t);
    json rows = nullptr;
    if (version.has_value() && *version >= 0) {
      // Parquet footers only: cheap.
      auto counted = (*session)->QueryText("SELECT count(*) FROM " + QuotedName(t));
      if (counted.has_value() && !counted->rows.empty() && counted->rows[0][0]) {
        rows = ParseInt(*counted->rows[0][0]).value_or(0);
      }
    }
    schemas.back()["tables"].push_back({{"name", t.name},
                                        {"full_name", t.FullName()},
                                        {"comment", t.comment},
                                        {"owner", t.owner},
                                        {"version", version.has_value() ? json(*version) : json(nullptr)},
                                        {"rows", rows},
                                        {"updated_ms", t.updated_ms}});
  }
  SendJson(call.res, {{"catalogs", std::move(catalogs)}});
}

void GetTable(Call& call) {
  catalog::Lakehouse& lh = call.worker.lakehouse;
  auto t = lh.Resolve(call.params["name"]);
  if (!t.has_value()) return SendStatus(call.res, t.error());
  auto session = call.Session();
  if (!session.has_value()) return SendStatus(call.res, session.error());
  if (const auto hidden = (*session)->Hidden(); std::find(hidden.begin(), hidden.end(), t->FullName()) != hidden.end()) {
    return SendError(call.res, 403, "permission_denied", call.user + " may not see " + t->FullName());
  }
  delta::Table table(lh.TablePath(*t), call.server.options().env);
  auto snap = table.Load();
  if (!snap.has_value()) return SendStatus(call.res, snap.error());
  json columns = json::array();
  for (const json& f : snap->schema.value("fields", json::array())) {
    const json type = f.value("type", json("unknown"));
    columns.push_back({{"name", f.value("name", "")},
                       {"type", type.is_string() ? type.get<std::string>() : type.dump()},
                       {"nullable", f.value("nullable", true)},
                       {"comment", f.contains("metadata") ? f["metadata"].value("comment", "") : ""}});
  }
  json history = json::array();
  if (auto h = table.History(); h.has_value()) {
    for (const delta::HistoryEntry& e : *h) {
      history.push_back({{"version", e.version}, {"timestamp_ms", e.timestamp_ms}, {"operation", e.operation},
                         {"operation_parameters", e.operation_parameters}, {"operation_metrics", e.operation_metrics}});
    }
  }
  catalog::Metastore& ms = lh.metastore();
  const std::string full = t->FullName();
  // Lineage names other tables: those the user may not SELECT are left out, as everywhere.
  auto seen = Visibility::For(call);
  if (!seen.has_value()) return SendStatus(call.res, seen.error());
  const auto visible = [&](std::vector<std::string> names) {
    std::erase_if(names, [&](const std::string& n) { return seen->Hides(n); });
    return names;
  };
  json column_lineage = ColumnLineageJson(ms, *seen, full);
  SendJson(call.res, {{"name", full},
                      {"catalog", t->catalog},
                      {"schema", t->schema},
                      {"table", t->name},
                      {"comment", t->comment},
                      {"owner", t->owner},
                      {"version", snap->version},
                      {"created_ms", t->created_ms},
                      {"updated_ms", t->updated_ms},
                      {"partition_columns", snap->partition_columns},
                      {"columns", std::move(columns)},
                      {"history", std::move(history)},
                      {"lineage",
                       {{"upstream", visible(catalog::UpstreamTables(ms, full).value_or(std::vector<std::string>{}))},
                        {"downstream", visible(catalog::DownstreamTables(ms, full).value_or(std::vector<std::string>{}))},
                        {"columns", std::move(column_lineage)}}}});
}

void GetTablePreview(Call& call) {
  auto t = call.worker.lakehouse.Resolve(call.params["name"]);
  if (!t.has_value()) return SendStatus(call.res, t.error());
  const auto limit = ParseInt(call.Query("limit", "50"));
  const auto offset = ParseInt(call.Query("offset", "0"));
  if (!limit || *limit < 1 || *limit > 1000 || !offset || *offset < 0) {
    return SendError(call.res, 400, "bad_request", "limit must be 1 to 1000 and offset 0 or more");
  }
  ReplyQuery(call, fmt::format("SELECT * FROM {} LIMIT {} OFFSET {}", QuotedName(*t), *limit, *offset),
             static_cast<uint64_t>(*limit), fmt::format("\"table\":{},\"limit\":{},\"offset\":{},",
                                                        json(t->FullName()).dump(), *limit, *offset));
}

void GetLineage(Call& call) {
  catalog::Metastore& ms = call.worker.lakehouse.metastore();
  auto tables = ms.ListTables();
  if (!tables.has_value()) return SendStatus(call.res, tables.error());
  auto edges = catalog::AllTableEdges(ms);
  if (!edges.has_value()) return SendStatus(call.res, edges.error());
  auto seen = Visibility::For(call);
  if (!seen.has_value()) return SendStatus(call.res, seen.error());
  // Nodes: every registered table and every name an edge mentions (an upstream need
  // not be registered), less what the user may not see; an edge only between two shown.
  std::set<std::string> registered;
  for (const TableInfo& t : *tables) registered.insert(t.FullName());
  std::set<std::string> names = registered;
  for (const catalog::TableEdge& e : *edges) names.insert({e.upstream, e.downstream});
  std::erase_if(names, [&](const std::string& n) { return seen->Hides(n); });
  json nodes = json::array();
  for (const std::string& n : names) {
    auto parsed = catalog::TableName::Parse(n);
    const std::string layer = parsed.has_value() ? parsed->schema : "";
    nodes.push_back({{"name", n},
                     {"layer", layer},
                     {"registered", registered.contains(n)},
                     {"columns", ColumnLineageJson(ms, *seen, n)}});
  }
  json out_edges = json::array();
  for (const catalog::TableEdge& e : *edges) {
    if (names.contains(e.upstream) && names.contains(e.downstream)) {
      out_edges.push_back({{"from", e.upstream}, {"to", e.downstream}});
    }
  }
  SendJson(call.res, {{"nodes", std::move(nodes)}, {"edges", std::move(out_edges)}});
}

void GetRuns(Call& call) {
  const auto limit = ParseInt(call.Query("limit", "50"));
  if (!limit || *limit < 1) return SendError(call.res, 400, "bad_request", "limit must be 1 or more");
  auto runs = catalog::ListPipelineRuns(call.worker.lakehouse.metastore(), "", static_cast<int>(*limit));
  if (!runs.has_value()) return SendStatus(call.res, runs.error());
  json out = json::array();
  for (const auto& r : *runs) out.push_back(RunJson(r));
  SendJson(call.res, {{"runs", std::move(out)}});
}

void GetRun(Call& call) {
  const auto id = ParseInt(call.params["run_id"]);
  if (!id) return SendError(call.res, 400, "bad_request", "a run id is a number");
  catalog::Metastore& ms = call.worker.lakehouse.metastore();
  auto run = catalog::GetPipelineRun(ms, *id);
  if (!run.has_value()) return SendStatus(call.res, run.error());
  if (!*run) return SendError(call.res, 404, "not_found", fmt::format("run {} does not exist", *id));
  auto tasks = catalog::ListTaskRuns(ms, *id);
  auto expectations = catalog::ListExpectationResults(ms, *id);
  if (!tasks.has_value()) return SendStatus(call.res, tasks.error());
  if (!expectations.has_value()) return SendStatus(call.res, expectations.error());
  // Tasks and results over a table the user may not SELECT are left out: their names are metadata too.
  auto seen = Visibility::For(call);
  if (!seen.has_value()) return SendStatus(call.res, seen.error());
  std::map<std::string, json> by_table;
  for (const auto& e : *expectations) {
    if (seen->Hides(e.table)) continue;
    by_table[e.table].push_back({{"expectation", e.expectation}, {"action", catalog::ExpectationActionName(e.action)},
                                 {"passed", e.passed_rows}, {"failed", e.failed_rows}});
  }
  json out = RunJson(**run);
  out["tasks"] = json::array();
  for (const auto& t : *tasks) {
    if (seen->Hides(t.task)) continue;
    json read = t.versions_read ? json::parse(*t.versions_read, nullptr, false) : json();
    out["tasks"].push_back({{"task", t.task}, {"status", catalog::RunStatusName(t.status)}, {"message", t.message},
                            {"attempts", OrNull(t.attempts)}, {"worker", OrNull(t.worker)},
                            {"started_ms", t.started_ms}, {"ended_ms", OrNull(t.ended_ms)},
                            {"rows_read", OrNull(t.rows_read)}, {"rows_written", OrNull(t.rows_written)},
                            {"versions_read", read.is_discarded() ? json() : read},
                            {"delta_version", OrNull(t.delta_version)},
                            {"expectations", by_table.contains(t.task) ? by_table[t.task] : json::array()}});
  }
  SendJson(call.res, out);
}

void PostRun(Call& call) {
  // A run writes every layer of the project's catalog: MODIFY on each.
  auto project = pipeline::LoadProject(call.server.options().project_dir, call.server.options().env);
  if (!project.has_value()) return SendStatus(call.res, project.error());
  catalog::Decision decision{.allowed = true};
  std::vector<std::string> objects;
  for (const char* layer : {"bronze", "silver", "gold"}) {
    const catalog::Securable schema{catalog::SecurableKind::kSchema, project->catalog + "." + layer};
    objects.push_back(schema.name);
    auto d = catalog::Decide(call.worker.lakehouse.metastore(), call.user, catalog::Privilege::kModify, schema);
    if (!d.has_value()) return SendStatus(call.res, d.error());
    if (!d->allowed && decision.allowed) decision = *d;
  }
  Status recorded = catalog::RecordAudit(call.worker.lakehouse.metastore(),
                                         {.principal = call.user, .source = "api", .address = call.req.remote_addr,
                                          .action = "run", .text = "POST /api/v1/runs", .objects = objects,
                                          .allowed = decision.allowed, .reason = decision.reason});
  if (!recorded.ok()) return SendStatus(call.res, recorded);
  if (!decision.allowed) return SendError(call.res, 403, "permission_denied", decision.reason);
  Status started = call.server.StartRun();
  if (started.code() == StatusCode::kConflict) return SendError(call.res, 409, "writer_busy", started.message());
  if (!started.ok()) return SendStatus(call.res, started);
  SendJson(call.res, {{"status", "started"}, {"trigger", "api"}}, 202);
}

void GetExpectations(Call& call) {
  auto results = catalog::LatestExpectationResults(call.worker.lakehouse.metastore());
  if (!results.has_value()) return SendStatus(call.res, results.error());
  auto seen = Visibility::For(call);
  if (!seen.has_value()) return SendStatus(call.res, seen.error());
  json out = json::array();
  for (const auto& e : *results) {
    if (!seen->Hides(e.table)) out.push_back(ExpectationJson(e));
  }
  SendJson(call.res, {{"expectations", std::move(out)}});
}

void GetDag(Call& call) {
  const ServerOptions& o = call.server.options();
  auto project = pipeline::LoadProject(o.project_dir, o.env);
  if (!project.has_value()) return SendStatus(call.res, project.error());
  catalog::Metastore& ms = call.worker.lakehouse.metastore();
  std::set<std::string> inputs;
  for (const ingest::SourceSpec& s : project->sources) inputs.insert("bronze." + s.table);
  if (auto bronze = ms.ListTables(project->catalog, "bronze"); bronze.has_value()) {
    for (const TableInfo& t : *bronze) inputs.insert("bronze." + t.name);
  }
  auto db = duck::Database::Open();
  if (!db.has_value()) return SendStatus(call.res, db.error());
  auto conn = db->Connect();
  if (!conn.has_value()) return SendStatus(call.res, conn.error());
  auto graph = pipeline::BuildGraph(*conn, *project, inputs);
  if (!graph.has_value()) return SendStatus(call.res, graph.error());
  std::vector<std::string> ingest;
  for (const ingest::SourceSpec& s : project->sources) ingest.push_back(s.table);
  std::vector<pipeline::PostTaskSpec> post;
  if (project->HasSection("ml")) {
    auto tasks = ml::MlPostTasks(*project);
    if (!tasks.has_value()) return SendStatus(call.res, tasks.error());
    for (const pipeline::PostTask& t : *tasks) post.push_back({t.name, t.depends_on});
  }
  auto dag = pipeline::TaskGraph::Build(*graph, ingest, post);
  if (!dag.has_value()) return SendStatus(call.res, dag.error());
  json out = dag->ToJson();
  // Each task's status in the newest run that ran it.
  std::map<std::string, json> last;
  if (auto runs = catalog::ListPipelineRuns(ms, "", 20); runs.has_value()) {
    for (const auto& r : *runs) {
      auto tasks = catalog::ListTaskRuns(ms, r.id);
      if (!tasks.has_value()) continue;
      for (const auto& t : *tasks) {
        if (last.contains(t.task)) continue;
        last[t.task] = {{"run_id", r.id}, {"status", catalog::RunStatusName(t.status)}, {"message", t.message},
                        {"ended_ms", OrNull(t.ended_ms)}};
      }
    }
  }
  // Nodes (and their edges) over a table the user may not SELECT are left out.
  auto seen = Visibility::For(call);
  if (!seen.has_value()) return SendStatus(call.res, seen.error());
  std::set<std::string> hidden_nodes;
  json nodes = json::array();
  for (json& node : out["nodes"]) {
    const std::string name = node.value("name", "");
    const std::string layer = node.value("layer", "");
    const std::string full = name.find('.') != std::string::npos ? project->catalog + "." + name
                             : layer.empty()                     ? name
                                                                 : project->catalog + "." + layer + "." + name;
    if (seen->Hides(full) || seen->Hides(name)) {
      hidden_nodes.insert(name);
    } else {
      nodes.push_back(std::move(node));
    }
  }
  out["nodes"] = std::move(nodes);
  json edges = json::array();
  for (json& edge : out["edges"]) {
    if (!hidden_nodes.contains(edge.value("from", "")) && !hidden_nodes.contains(edge.value("to", ""))) {
      edges.push_back(std::move(edge));
    }
  }
  out["edges"] = std::move(edges);
  for (json& node : out["nodes"]) {
    const std::string name = node.value("name", "");
    json status = nullptr;
    for (const auto& [task, s] : last) {
      if (task == name || task.ends_with("." + name) || name.ends_with("." + task)) {
        status = s;
        break;
      }
    }
    node["last"] = status;
  }
  SendJson(call.res, out);
}

void GetModels(Call& call) {
  const ServerOptions& o = call.server.options();
  auto config = ml::LoadMlConfig(o.project_dir, o.env);
  if (!config.has_value()) return SendStatus(call.res, config.error());
  auto versions = ml::ListVersions(call.worker.lakehouse.metastore(), config->model_name);
  if (!versions.has_value()) return SendStatus(call.res, versions.error());
  // The production future-value model is listed beside the high-value versions.
  auto fv_versions = ml::ListVersions(call.worker.lakehouse.metastore(), ml::fv::kModelName);
  if (!fv_versions.has_value()) return SendStatus(call.res, fv_versions.error());
  versions->insert(versions->end(), fv_versions->begin(), fv_versions->end());
  // A version whose training inputs or scores table the user may not SELECT is left out.
  auto seen = Visibility::For(call);
  if (!seen.has_value()) return SendStatus(call.res, seen.error());
  auto project = pipeline::LoadProject(o.project_dir, o.env);
  if (!project.has_value()) return SendStatus(call.res, project.error());
  const bool scores_hidden = seen->Hides(project->catalog + "." + config->scores_table);
  json out = json::array();
  for (const ml::ModelVersion& v : *versions) {
    if (scores_hidden || ModelReadsHidden(call, *seen, project->catalog, v)) continue;
    json j = VersionJson(v);
    json metrics = VersionMetrics(call, v);
    if (metrics.is_object()) {
      // The listing leaves the curves out: the version's own endpoint has them.
      for (const char* heavy : {"curves", "roc", "pr", "calibration", "lift", "gains", "evaluation"}) metrics.erase(heavy);
    }
    j["metrics"] = std::move(metrics);
    out.push_back(std::move(j));
  }
  SendJson(call.res, {{"model", config->model_name},
                      {"model_names", {config->model_name, ml::fv::kModelName}},
                      {"versions", std::move(out)}});
}

void GetModelVersion(Call& call) {
  const auto version = ParseInt(call.params["version"]);
  if (!version) return SendError(call.res, 400, "bad_request", "a version is a number");
  catalog::Metastore& ms = call.worker.lakehouse.metastore();
  auto v = ml::GetVersion(ms, call.params["name"], *version);
  if (!v.has_value()) return SendStatus(call.res, v.error());
  if (!*v) {
    return SendError(call.res, 404, "not_found",
                     fmt::format("model {} has no version {}", call.params["name"], *version));
  }
  {
    // As in the listing: a version over a table the user may not SELECT is not theirs to see.
    const ServerOptions& o = call.server.options();
    auto seen = Visibility::For(call);
    if (!seen.has_value()) return SendStatus(call.res, seen.error());
    auto project = pipeline::LoadProject(o.project_dir, o.env);
    if (!project.has_value()) return SendStatus(call.res, project.error());
    auto config = ml::MlConfigFromProject(*project);
    if (!config.has_value()) return SendStatus(call.res, config.error());
    if (seen->Hides(project->catalog + "." + config->scores_table) ||
        ModelReadsHidden(call, *seen, project->catalog, **v)) {
      return SendError(call.res, 403, "permission_denied",
                       fmt::format("{} may not see model {} version {}", call.user, (*v)->name, (*v)->version));
    }
  }
  json out = VersionJson(**v);
  out["metrics"] = VersionMetrics(call, **v);
  if (auto run = ml::GetRun(ms, (*v)->run_id); run.has_value() && *run) {
    const auto& r = **run;
    out["run"] = {{"id", r.id},           {"protocol", r.protocol}, {"seed", r.seed},
                  {"params", r.params},   {"features", r.features}, {"inputs", r.inputs},
                  {"metrics", r.metrics}, {"code_version", r.code_version}, {"duration_ms", r.duration_ms},
                  {"started_ms", r.started_ms}};
  }
  auto card = call.server.options().env->ReadFile(
      (std::filesystem::path(call.worker.lakehouse.root()) / (*v)->path / "model_card.md").string());
  out["card_markdown"] = card.has_value() ? json(*card) : json(nullptr);
  SendJson(call.res, out);
}

void GetMetrics(Call& call) {
  std::string out = call.server.metrics().Render();
  catalog::Lakehouse& lh = call.worker.lakehouse;
  catalog::Metastore& ms = lh.metastore();
  if (auto runs = catalog::ListPipelineRuns(ms, "", 1'000'000); runs.has_value()) {
    std::map<std::pair<std::string, std::string>, int64_t> counts;
    for (const auto& r : *runs) ++counts[{std::string(catalog::RunStatusName(r.status)), r.triggered_by}];
    out += "# HELP pareto_pipeline_runs_total Pipeline runs recorded in the metastore, by status and trigger.\n"
           "# TYPE pareto_pipeline_runs_total counter\n";
    for (const auto& [key, n] : counts) {
      out += fmt::format("pareto_pipeline_runs_total{{status=\"{}\",trigger=\"{}\"}} {}\n", PromLabel(key.first),
                         PromLabel(key.second), n);
    }
  }
  if (auto tables = ms.ListTables(); tables.has_value()) {
    out += "# HELP pareto_table_version Latest Delta version of each registered table.\n"
           "# TYPE pareto_table_version gauge\n";
    for (const TableInfo& t : *tables) {
      if (auto v = lh.Version(t); v.has_value()) {
        out += fmt::format("pareto_table_version{{table=\"{}\"}} {}\n", PromLabel(t.FullName()), *v);
      }
    }
  }
  const ServerOptions& o = call.server.options();
  if (auto config = ml::LoadMlConfig(o.project_dir, o.env); config.has_value()) {
    if (auto prod = ml::ProductionVersion(ms, config->model_name); prod.has_value() && *prod) {
      out += "# HELP pareto_model_production_version The model version in production.\n"
             "# TYPE pareto_model_production_version gauge\n";
      out += fmt::format("pareto_model_production_version{{model=\"{}\"}} {}\n", PromLabel(config->model_name),
                         (*prod)->version);
    }
  }
  call.res.set_content(out, "text/plain; version=0.0.4; charset=utf-8");
}

}  // namespace pareto::server
