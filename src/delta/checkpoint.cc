#include "delta/checkpoint.h"

#include <unistd.h>

#include <charconv>
#include <mutex>
#include <optional>
#include <utility>

#include "delta/actions.h"
#include "duck/duck.h"

namespace pareto::delta {

using nlohmann::json;

namespace {

// One in-memory database per process serves all checkpoint I/O: opening DuckDB
// costs about 100 ms, a connection almost nothing. A child made by fork() does not
// use its parent's handle; it opens its own.
StatusOr<duck::Connection> CheckpointConnection() {
  static std::mutex mu;
  static std::optional<duck::Database> db;
  static pid_t owner = 0;
  std::lock_guard<std::mutex> lock(mu);
  if (!db || owner != ::getpid()) {
    PARETO_ASSIGN_OR_RETURN(duck::Database opened, duck::Database::Open({.threads = 1}));
    db = std::move(opened);
    owner = ::getpid();
  }
  return db->Connect();
}

std::string ListLiteral(const std::vector<std::string>& paths) {
  std::string out = "[";
  for (size_t i = 0; i < paths.size(); ++i) {
    if (i) out += ", ";
    out += duck::QuoteLiteral(paths[i]);
  }
  return out + "]";
}

// The checkpoint schema pareto writes (PROTOCOL.md "Checkpoint Schema", the
// columns a reader-1/writer-2 table uses).
constexpr const char* kCheckpointColumns =
    "{'txn': 'STRUCT(appId VARCHAR, version BIGINT, lastUpdated BIGINT)', "
    "'add': 'STRUCT(path VARCHAR, partitionValues MAP(VARCHAR, VARCHAR), size BIGINT, modificationTime BIGINT, "
    "dataChange BOOLEAN, stats VARCHAR)', "
    "'remove': 'STRUCT(path VARCHAR, deletionTimestamp BIGINT, dataChange BOOLEAN, extendedFileMetadata BOOLEAN, "
    "partitionValues MAP(VARCHAR, VARCHAR), size BIGINT)', "
    "'metaData': 'STRUCT(id VARCHAR, name VARCHAR, description VARCHAR, format STRUCT(provider VARCHAR, options "
    "MAP(VARCHAR, VARCHAR)), schemaString VARCHAR, partitionColumns VARCHAR[], configuration MAP(VARCHAR, VARCHAR), "
    "createdTime BIGINT)', "
    "'protocol': 'STRUCT(minReaderVersion INTEGER, minWriterVersion INTEGER, readerFeatures VARCHAR[], "
    "writerFeatures VARCHAR[])'}";

}  // namespace

StatusOr<std::vector<json>> ReadCheckpointActions(const std::vector<std::string>& part_paths) {
  PARETO_ASSIGN_OR_RETURN(duck::Connection conn, CheckpointConnection());
  // to_json of the whole row turns MAP columns into JSON objects, so each row reads
  // like a line of a JSON commit with null for the action kinds it does not hold.
  std::string sql = "SELECT to_json(t)::VARCHAR FROM read_parquet(" + ListLiteral(part_paths) +
                    ", union_by_name = true, hive_partitioning = false) AS t";
  PARETO_ASSIGN_OR_RETURN(duck::Result result, conn.Query(sql));
  std::vector<json> actions;
  for (uint64_t row = 0; row < result.RowCount(); ++row) {
    json j = json::parse(result.GetString(0, row), nullptr, false);
    if (!j.is_object()) return std::unexpected(DataError("checkpoint row " + std::to_string(row) + " is not an object"));
    for (const auto& key : {"protocol", "metaData", "txn", "add", "remove"}) {
      auto it = j.find(key);
      if (it == j.end() || !it->is_object()) continue;
      // Parquet has a null for every absent optional field (e.g. metaData.description);
      // dropping them makes the action read exactly like its JSON-commit form.
      json body = *it;
      for (auto field = body.begin(); field != body.end();) {
        field = field->is_null() ? body.erase(field) : std::next(field);
      }
      actions.push_back(json{{key, std::move(body)}});
    }
  }
  return actions;
}

void MaybeCheckpoint(Env* env, const std::string& root, int64_t version) {
  if (version <= 0) return;
  auto listing = ListLog(env, root);
  if (!listing || !listing->commits.contains(version)) return;
  auto state = Replay(env, root, *listing, version);
  if (!state || version % CheckpointInterval(*state) != 0) return;
  WriteCheckpoint(env, root, *state).IgnoreError();
}

int64_t CheckpointInterval(const TableState& state) {
  if (state.metadata && state.metadata->contains("configuration")) {
    const json& config = (*state.metadata)["configuration"];
    auto it = config.find("delta.checkpointInterval");
    if (it != config.end() && it->is_string()) {
      const std::string s = it->get<std::string>();
      int64_t v = 0;
      auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
      if (ec == std::errc() && v > 0) return v;
    }
  }
  return kDefaultCheckpointInterval;
}

Status WriteCheckpoint(Env* env, const std::string& root, const TableState& state) {
  if (!state.protocol || !state.metadata) return DataError("cannot checkpoint a table without protocol and metaData");
  std::vector<json> rows;
  rows.push_back(json{{"protocol", *state.protocol}});
  rows.push_back(json{{"metaData", *state.metadata}});
  for (const auto& [app, version] : state.txns) rows.push_back(json{{"txn", {{"appId", app}, {"version", version}}}});
  for (const auto& [path, f] : state.files) rows.push_back(AddFileToJson(f, /*data_change=*/false));
  // Tombstones stay in the checkpoint so vacuum still sees recent removals.
  for (const auto& [path, ts] : state.tombstones) {
    rows.push_back(json{{"remove", {{"path", PercentEncodePath(path)}, {"deletionTimestamp", ts}, {"dataChange", false}}}});
  }

  const std::string log = LogDir(root);
  const std::string id = NewUuid();
  const std::string staged_json = log + "/." + id + ".checkpoint.json.tmp";
  const std::string staged_parquet = log + "/." + id + ".checkpoint.parquet.tmp";
  char name[64];
  std::snprintf(name, sizeof name, "%020lld.checkpoint.parquet", static_cast<long long>(state.version));
  const std::string final_path = log + "/" + name;

  PARETO_RETURN_IF_ERROR(env->WriteFile(staged_json, SerializeCommit(rows), /*sync=*/false));
  Status written = [&]() -> Status {
    PARETO_ASSIGN_OR_RETURN(duck::Connection conn, CheckpointConnection());
    return conn.Execute("COPY (SELECT * FROM read_json(" + duck::QuoteLiteral(staged_json) +
                        ", format = 'newline_delimited', columns = " + kCheckpointColumns + ")) TO " +
                        duck::QuoteLiteral(staged_parquet) + " (FORMAT parquet, COMPRESSION snappy)");
  }();
  env->RemoveFile(staged_json).IgnoreError();
  if (!written.ok()) {
    env->RemoveFile(staged_parquet).IgnoreError();
    return written;
  }
  Status linked = env->LinkNoReplace(staged_parquet, final_path);
  env->RemoveFile(staged_parquet).IgnoreError();
  // Another writer checkpointed the same version first: its file is as good as ours.
  if (!linked.ok() && linked.code() != StatusCode::kAlreadyExists) return linked;
  PARETO_RETURN_IF_ERROR(env->SyncDir(log));

  // A slower writer must not point the hint back at an older checkpoint. (Two writers
  // can still interleave here; readers list the log and only use what they find.)
  auto existing = env->ReadFile(log + "/_last_checkpoint");
  if (existing) {
    json old = json::parse(*existing, nullptr, false);
    if (old.is_object() && old.contains("version") && old["version"].is_number() &&
        old["version"].get<int64_t>() >= state.version) {
      return OkStatus();
    }
  }
  json hint = {{"version", state.version}, {"size", static_cast<int64_t>(rows.size())}};
  const std::string staged_hint = log + "/." + id + ".last_checkpoint.tmp";
  PARETO_RETURN_IF_ERROR(env->WriteFile(staged_hint, hint.dump(), /*sync=*/true));
  return env->RenameReplace(staged_hint, log + "/_last_checkpoint");
}

}  // namespace pareto::delta
