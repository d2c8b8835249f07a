#include "pipeline/incremental.h"

#include <fmt/format.h>

#include <set>

#include "pipeline/model_build.h"
#include "pipeline/runner.h"

namespace pareto::pipeline {

using nlohmann::json;

namespace {

IncrementalPlan Full(std::string reason) { return IncrementalPlan{.batch = std::nullopt, .reason = std::move(reason)}; }

bool IsBronze(const std::string& input) { return input.starts_with("bronze."); }

}  // namespace

std::string IncrementalDefinition(const std::string& fingerprint_without_versions,
                                  const std::vector<std::string>& unique_key) {
  std::vector<std::string> fields = {"pareto-incremental-v1", fingerprint_without_versions};
  fields.insert(fields.end(), unique_key.begin(), unique_key.end());
  return HashFields(fields);
}

json IncrementalParameters(const std::string& definition, const std::vector<std::pair<std::string, int64_t>>& versions) {
  json inputs = json::object();
  for (const auto& [input, version] : versions) inputs[input] = version;
  // Delta's operationParameters are strings: the map travels as JSON text.
  return json{{"definition", definition}, {"inputs", inputs.dump()}};
}

std::string MergeSummary(const IncrementalBatch& batch, const delta::CommitResult& commit) {
  const size_t n = batch.files.size();
  return fmt::format("merged {} new file{}{} of {}: {} inserted, {} updated, {} deleted; {} file{} rewritten", n,
                     n == 1 ? "" : "s", batch.rows >= 0 ? fmt::format(" ({} rows)", batch.rows) : "", batch.input,
                     commit.rows_inserted, commit.rows_updated, commit.rows_deleted, commit.files_removed,
                     commit.files_removed == 1 ? "" : "s");
}

std::string KeysOf(const std::vector<std::string>& unique_key, std::string_view table) {
  std::string out;
  for (const std::string& k : unique_key) out += (out.empty() ? "" : ", ") + duck::QuoteIdent(k);
  return "SELECT " + out + " FROM " + std::string(table);
}

StatusOr<IncrementalPlan> PlanIncremental(const IncrementalInputs& in) {
  if (in.unique_key == nullptr) return IncrementalPlan{};
  if (in.full_refresh) return Full("--full-refresh");
  delta::Table table(in.table_root, in.env);
  if (!table.Exists()) return Full("first build");
  PARETO_ASSIGN_OR_RETURN(auto history, table.History());
  if (history.empty()) return Full("first build");
  const delta::HistoryEntry& last = history.front();
  const json& params = last.operation_parameters;
  if (!params.contains("definition") || !params.contains("inputs") || !params["inputs"].is_string()) {
    return Full(fmt::format("its last commit (version {}, {}) records no inputs", last.version, last.operation));
  }
  if (params["definition"] != in.definition) return Full("its SQL, expectations, unique key or zone changed");
  const json read = json::parse(params["inputs"].get<std::string>(), nullptr, false);
  if (!read.is_object()) return Full(fmt::format("the inputs its last commit (version {}) records are unreadable", last.version));

  std::vector<std::string> bronze;
  for (const auto& [input, version] : in.versions) {
    if (IsBronze(input)) bronze.push_back(input);
  }
  if (bronze.size() != 1) {
    return Full(fmt::format("it reads {} bronze tables; only a model over one is merged", bronze.size()));
  }
  std::optional<IncrementalBatch> batch;
  for (const auto& [input, version] : in.versions) {
    if (!read.contains(input) || !read[input].is_number_integer()) return Full(input + " is a new input");
    const int64_t before = read[input].get<int64_t>();
    if (before == version) continue;
    if (!IsBronze(input)) return Full(fmt::format("{} changed (version {} -> {}); only new bronze rows are merged",
                                                  input, before, version));
    if (version < before) return Full(fmt::format("{} is at version {}, older than the {} last read", input, version, before));
    PARETO_ASSIGN_OR_RETURN(delta::AppendedFiles appended,
                            delta::Table(in.input_root(input), in.env).AppendedSince(before, version));
    if (!appended.append_only) return Full(input + ": " + appended.reason);
    batch = IncrementalBatch{.input = input, .from_version = before, .files = std::move(appended.files),
                             .rows = appended.rows};
  }
  if (!batch) return Full("no input changed since its last build");
  return IncrementalPlan{.batch = std::move(batch), .reason = ""};
}

StatusOr<BatchSession> BatchSession::Open(const Project& project, const IncrementalBatch& batch,
                                          const std::vector<std::pair<std::string, int64_t>>& versions,
                                          const std::function<std::string(const std::string&)>& input_root, Env* env) {
  PARETO_ASSIGN_OR_RETURN(duck::Database db, duck::Database::Open());
  PARETO_ASSIGN_OR_RETURN(duck::Connection conn, db.Connect());
  // The project's catalog, so three-part names resolve as two-part ones do.
  const std::string catalog = duck::QuoteIdent(project.catalog.empty() ? "lakehouse" : project.catalog);
  PARETO_RETURN_IF_ERROR(conn.Execute("ATTACH ':memory:' AS " + catalog));
  PARETO_RETURN_IF_ERROR(conn.Execute("USE " + catalog));
  PARETO_RETURN_IF_ERROR(PrepareModelSession(conn, project));
  std::set<std::string> schemas;
  for (const auto& [input, version] : versions) {
    const size_t dot = input.find('.');
    if (dot == std::string::npos) return std::unexpected(Internal("input " + input + " is not layer.table"));
    const std::string schema = input.substr(0, dot);
    if (schemas.insert(schema).second) {
      PARETO_RETURN_IF_ERROR(conn.Execute("CREATE SCHEMA IF NOT EXISTS " + duck::QuoteIdent(schema)));
    }
    PARETO_ASSIGN_OR_RETURN(delta::Snapshot snapshot,
                            delta::Table(input_root(input), env).Load({.version = version}));
    if (input == batch.input) snapshot.files = batch.files;
    PARETO_ASSIGN_OR_RETURN(std::string scan, delta::ScanSql(snapshot));
    PARETO_RETURN_IF_ERROR(conn.Execute("CREATE VIEW " + duck::QuoteIdent(schema) + "." +
                                        duck::QuoteIdent(input.substr(dot + 1)) + " AS SELECT * FROM " + scan));
  }
  return BatchSession(std::move(db), std::move(conn));
}

}  // namespace pareto::pipeline
