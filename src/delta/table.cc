// Table: the public operations, composed from log replay, the writer and the commit loop.
#include "delta/table.h"

#include <algorithm>
#include <set>
#include <utility>

#include "delta/actions.h"
#include "delta/checkpoint.h"
#include "delta/commit.h"
#include "delta/log_replay.h"
#include "delta/writer.h"

namespace pareto::delta {

using nlohmann::json;

namespace {

// A write's profile with the rest of its `total_us` counted as the log's share
// (reading the table's state, the commit, a checkpoint).
WriteProfile WithLogTime(WriteProfile p, int64_t total_us) {
  p.log_us = std::max<int64_t>(0, total_us - p.materialize_us - p.parquet_us - p.stats_us);
  return p;
}

// nlohmann throws on unexpected shapes in a log written by someone else; at the
// module boundary that becomes a kDataError naming the table.
template <class F>
auto Guard(const std::string& root, F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const json::exception& e) {
    return std::unexpected(DataError("table " + root + ": malformed Delta log: " + e.what()));
  }
}

struct Loaded {
  LogListing listing;
  TableState state;
};

StatusOr<Loaded> LoadState(Env* env, const std::string& root, const VersionSpec& at) {
  PARETO_ASSIGN_OR_RETURN(LogListing listing, ListLog(env, root));
  PARETO_ASSIGN_OR_RETURN(int64_t version, ResolveVersion(env, root, listing, at));
  PARETO_ASSIGN_OR_RETURN(TableState state, Replay(env, root, listing, version));
  return Loaded{std::move(listing), std::move(state)};
}

std::vector<std::string> PartitionColumnsOf(const TableState& state) {
  std::vector<std::string> out;
  if (state.metadata && state.metadata->contains("partitionColumns")) {
    for (const auto& c : (*state.metadata)["partitionColumns"]) out.push_back(c.get<std::string>());
  }
  return out;
}

json SchemaOf(const TableState& state) {
  return json::parse(state.metadata->value("schemaString", "{}"), nullptr, false);
}

json WriteMetrics(const StagedFiles& staged) {
  return json{{"numFiles", std::to_string(staged.files.size())},
              {"numOutputRows", std::to_string(staged.rows)},
              {"numOutputBytes", std::to_string(staged.bytes)}};
}

}  // namespace

Table::Table(std::string root, Env* env) : root_(std::move(root)), env_(env) {
  while (root_.size() > 1 && root_.back() == '/') root_.pop_back();
}

bool Table::Exists() const { return ListLog(env_, root_).has_value(); }

StatusOr<int64_t> Table::LatestVersion() const {
  PARETO_ASSIGN_OR_RETURN(LogListing listing, ListLog(env_, root_));
  return listing.LatestVersion();
}

StatusOr<Snapshot> Table::Load(const VersionSpec& at) const {
  return Guard(root_, [&]() -> StatusOr<Snapshot> {
    PARETO_ASSIGN_OR_RETURN(Loaded loaded, LoadState(env_, root_, at));
    return ToSnapshot(root_, loaded.state);
  });
}

StatusOr<CommitResult> Table::Append(duck::Connection& conn, std::string_view select_sql,
                                     const WriteOptions& options) const {
  const int64_t started = env_->NowMicros();
  return Guard(root_, [&]() -> StatusOr<CommitResult> {
    std::optional<TableState> current;
    if (Exists()) {
      PARETO_ASSIGN_OR_RETURN(Loaded loaded, LoadState(env_, root_, {}));
      PARETO_RETURN_IF_ERROR(CheckWritable(loaded.state, /*removes_files=*/false));
      current = std::move(loaded.state);
    }
    if (current && options.txn) {
      auto it = current->txns.find(options.txn->app_id);
      if (it != current->txns.end() && it->second >= options.txn->version) {
        return CommitResult{.version = current->version, .skipped = true};
      }
    }
    // An append keeps the table's schema: the query must fit it (checked before any
    // file is written) and its columns are written as the table's types.
    const json table_schema = current ? SchemaOf(*current) : json();
    auto staged_or = WriteDataFiles(conn, env_, root_, select_sql, options.rows_per_file,
                                    current ? &table_schema : nullptr);
    if (!staged_or) return std::unexpected(staged_or.error().WithContext("table " + root_));
    StagedFiles staged = std::move(*staged_or);
    if (current) PARETO_RETURN_IF_ERROR(CheckNotNull(staged, table_schema).WithContext("table " + root_));
    CommitRequest req;
    req.operation = current ? options.operation : (options.operation == "WRITE" ? "CREATE TABLE AS SELECT" : options.operation);
    req.operation_parameters = options.operation_parameters;
    if (!req.operation_parameters.contains("mode")) req.operation_parameters["mode"] = "Append";
    req.operation_metrics = WriteMetrics(staged);
    req.txn = options.txn;
    req.read_version = current ? current->version : -1;
    req.blind_append = true;
    req.max_attempts = options.max_attempts;
    if (!current) {
      req.actions.push_back(ProtocolAction(1, 2));
      req.actions.push_back(MetadataAction(NewUuid(), staged.schema, {}, options.configuration,
                                           env_->NowMicros() / 1000, options.description));
    }
    for (const auto& f : staged.files) req.actions.push_back(AddFileToJson(f, true));
    PARETO_ASSIGN_OR_RETURN(CommitOutcome outcome, CommitActions(env_, root_, std::move(req)));
    // A skipped commit leaves its files unreferenced; vacuum collects them later.
    if (!outcome.skipped) MaybeCheckpoint(env_, root_, outcome.version);
    return CommitResult{.version = outcome.version,
                        .skipped = outcome.skipped,
                        .rows_written = outcome.skipped ? 0 : staged.rows,
                        .files_added = outcome.skipped ? 0 : static_cast<int64_t>(staged.files.size()),
                        .profile = WithLogTime(staged.profile, env_->NowMicros() - started)};
  });
}

StatusOr<CommitResult> Table::Overwrite(duck::Connection& conn, std::string_view select_sql,
                                        const WriteOptions& options) const {
  const int64_t started = env_->NowMicros();
  return Guard(root_, [&]() -> StatusOr<CommitResult> {
    std::optional<TableState> current;
    if (Exists()) {
      PARETO_ASSIGN_OR_RETURN(Loaded loaded, LoadState(env_, root_, {}));
      PARETO_RETURN_IF_ERROR(CheckWritable(loaded.state, /*removes_files=*/true));
      current = std::move(loaded.state);
    }
    if (current && options.txn) {
      auto it = current->txns.find(options.txn->app_id);
      if (it != current->txns.end() && it->second >= options.txn->version) {
        return CommitResult{.version = current->version, .skipped = true};
      }
    }
    PARETO_ASSIGN_OR_RETURN(StagedFiles staged,
                            WriteDataFiles(conn, env_, root_, select_sql, options.rows_per_file));
    CommitRequest req;
    req.operation = current ? (options.operation == "WRITE" ? "WRITE" : options.operation)
                            : (options.operation == "WRITE" ? "CREATE OR REPLACE TABLE AS SELECT" : options.operation);
    req.operation_parameters = options.operation_parameters;
    if (!req.operation_parameters.contains("mode")) req.operation_parameters["mode"] = "Overwrite";
    req.operation_metrics = WriteMetrics(staged);
    req.txn = options.txn;
    req.read_version = current ? current->version : -1;
    // Overwrite read the set of live files it removes: losing the race is a conflict.
    req.blind_append = false;
    req.max_attempts = options.max_attempts;
    const int64_t now_ms = env_->NowMicros() / 1000;
    if (!current) {
      req.actions.push_back(ProtocolAction(1, 2));
      req.actions.push_back(
          MetadataAction(NewUuid(), staged.schema, {}, options.configuration, now_ms, options.description));
    } else if (!SameColumns(staged.schema, SchemaOf(*current)) || !PartitionColumnsOf(*current).empty()) {
      // The schema changes: same table id, new schema, unpartitioned as everything pareto writes.
      const json& md = *current->metadata;
      json config = md.contains("configuration") && md["configuration"].is_object() ? md["configuration"] : json::object();
      std::string id = md.contains("id") && md["id"].is_string() ? md["id"].get<std::string>() : NewUuid();
      int64_t created = md.contains("createdTime") && md["createdTime"].is_number() ? md["createdTime"].get<int64_t>() : now_ms;
      std::string description =
          md.contains("description") && md["description"].is_string() ? md["description"].get<std::string>() : "";
      req.actions.push_back(MetadataAction(id, staged.schema, {}, config, created, description));
    }
    int64_t removed = 0;
    if (current) {
      for (const auto& [path, f] : current->files) {
        req.actions.push_back(RemoveFileJson(f, now_ms, true));
        ++removed;
      }
      req.operation_metrics["numRemovedFiles"] = std::to_string(removed);
    }
    for (const auto& f : staged.files) req.actions.push_back(AddFileToJson(f, true));
    PARETO_ASSIGN_OR_RETURN(CommitOutcome outcome, CommitActions(env_, root_, std::move(req)));
    if (!outcome.skipped) MaybeCheckpoint(env_, root_, outcome.version);
    return CommitResult{.version = outcome.version,
                        .skipped = outcome.skipped,
                        .rows_written = outcome.skipped ? 0 : staged.rows,
                        .files_added = outcome.skipped ? 0 : static_cast<int64_t>(staged.files.size()),
                        .files_removed = outcome.skipped ? 0 : removed,
                        .profile = WithLogTime(staged.profile, env_->NowMicros() - started)};
  });
}

StatusOr<std::vector<HistoryEntry>> Table::History() const {
  return Guard(root_, [&]() -> StatusOr<std::vector<HistoryEntry>> {
    PARETO_ASSIGN_OR_RETURN(LogListing listing, ListLog(env_, root_));
    std::vector<HistoryEntry> out;
    for (auto it = listing.commits.rbegin(); it != listing.commits.rend(); ++it) {
      HistoryEntry e;
      e.version = it->first;
      PARETO_ASSIGN_OR_RETURN(std::string content, env_->ReadFile(CommitPath(root_, it->first)));
      PARETO_ASSIGN_OR_RETURN(auto actions, ParseCommit(content, it->second));
      bool found = false;
      for (const auto& a : actions) {
        if (!a.contains("commitInfo") || !a["commitInfo"].is_object()) continue;
        const json& ci = a["commitInfo"];
        found = true;
        if (ci.contains("timestamp") && ci["timestamp"].is_number()) e.timestamp_ms = ci["timestamp"].get<int64_t>();
        e.operation = ci.value("operation", "");
        if (ci.contains("operationParameters")) e.operation_parameters = ci["operationParameters"];
        if (ci.contains("operationMetrics")) e.operation_metrics = ci["operationMetrics"];
        e.engine_info = ci.value("engineInfo", "");
      }
      if (!found || e.timestamp_ms == 0) {
        PARETO_ASSIGN_OR_RETURN(e.timestamp_ms, CommitTimestamp(env_, root_, listing, it->first));
      }
      out.push_back(std::move(e));
    }
    return out;
  });
}

StatusOr<CommitResult> Table::Restore(int64_t version) const {
  return Guard(root_, [&]() -> StatusOr<CommitResult> {
    PARETO_ASSIGN_OR_RETURN(Loaded latest, LoadState(env_, root_, {}));
    PARETO_RETURN_IF_ERROR(CheckWritable(latest.state, /*removes_files=*/true));
    PARETO_ASSIGN_OR_RETURN(Loaded target, LoadState(env_, root_, VersionSpec{.version = version}));
    PARETO_RETURN_IF_ERROR(CheckReadable(target.state));
    // Restoring files that vacuum deleted would commit a table that cannot be read.
    for (const auto& [path, f] : target.state.files) {
      if (!env_->Exists(ResolveDataPath(root_, path))) {
        return std::unexpected(DataError("cannot restore " + root_ + " to version " + std::to_string(version) +
                                         ": data file " + path + " is missing (vacuumed)"));
      }
    }
    const int64_t now_ms = env_->NowMicros() / 1000;
    CommitRequest req;
    req.operation = "RESTORE";
    req.operation_parameters = {{"version", version}};
    req.read_version = latest.state.version;
    req.blind_append = false;
    if (!SameColumns(SchemaOf(target.state), SchemaOf(latest.state)) ||
        PartitionColumnsOf(target.state) != PartitionColumnsOf(latest.state)) {
      req.actions.push_back(json{{"metaData", *target.state.metadata}});
    }
    int64_t added = 0, removed = 0, restored_bytes = 0, removed_bytes = 0, size_after = 0;
    for (const auto& [path, f] : target.state.files) size_after += f.size;
    for (const auto& [path, f] : latest.state.files) {
      if (target.state.files.contains(path)) continue;
      req.actions.push_back(RemoveFileJson(f, now_ms, true));
      ++removed;
      removed_bytes += f.size;
    }
    for (const auto& [path, f] : target.state.files) {
      if (latest.state.files.contains(path)) continue;
      req.actions.push_back(AddFileToJson(f, true));
      ++added;
      restored_bytes += f.size;
    }
    req.operation_metrics = {{"numRestoredFiles", std::to_string(added)},
                             {"numRemovedFiles", std::to_string(removed)},
                             {"restoredFilesSize", std::to_string(restored_bytes)},
                             {"removedFilesSize", std::to_string(removed_bytes)},
                             {"numOfFilesAfterRestore", std::to_string(target.state.files.size())},
                             {"tableSizeAfterRestore", std::to_string(size_after)}};  // bytes, as Delta's
    PARETO_ASSIGN_OR_RETURN(CommitOutcome outcome, CommitActions(env_, root_, std::move(req)));
    MaybeCheckpoint(env_, root_, outcome.version);
    return CommitResult{.version = outcome.version, .files_added = added, .files_removed = removed};
  });
}

StatusOr<VacuumResult> Table::Vacuum(std::chrono::milliseconds retention, bool dry_run, bool force) const {
  if (retention < kMinVacuumRetention && !force && !dry_run) {
    return std::unexpected(InvalidArgument(
        root_ + ": a vacuum retention under 168 hours (7 days) is refused unless forced: a version within that "
                "period may still be read and would point at deleted files"));
  }
  return Guard(root_, [&]() -> StatusOr<VacuumResult> {
    PARETO_ASSIGN_OR_RETURN(Loaded latest, LoadState(env_, root_, {}));
    PARETO_RETURN_IF_ERROR(CheckReadable(latest.state));
    const int64_t now_ms = env_->NowMicros() / 1000;
    const int64_t horizon = now_ms - retention.count();
    // Kept: every live file, and every file removed within the retention period
    // (a version inside the retention window may still read it).
    std::set<std::string> keep;
    for (const auto& [path, f] : latest.state.files) keep.insert(ResolveDataPath(root_, path));
    for (const auto& [path, ts] : latest.state.tombstones) {
      if (ts >= horizon) keep.insert(ResolveDataPath(root_, path));
    }
    VacuumResult result;
    // Walk the table folder; names starting with '_' or '.' (the log, staging) are not data.
    std::vector<std::string> pending = {""};
    while (!pending.empty()) {
      std::string rel = pending.back();
      pending.pop_back();
      std::string dir = rel.empty() ? root_ : root_ + "/" + rel;
      PARETO_ASSIGN_OR_RETURN(auto names, env_->ListDir(dir));
      std::sort(names.begin(), names.end());
      for (const auto& name : names) {
        if (name.starts_with("_") || name.starts_with(".")) continue;
        std::string child_rel = rel.empty() ? name : rel + "/" + name;
        std::string full = root_ + "/" + child_rel;
        PARETO_ASSIGN_OR_RETURN(FileInfo info, env_->Stat(full));
        if (info.is_directory) {
          pending.push_back(child_rel);
          continue;
        }
        if (!name.ends_with(".parquet") || keep.contains(full) || info.modified_ms >= horizon) continue;
        result.deleted.push_back(child_rel);
        result.bytes_deleted += info.size;
        if (!dry_run) PARETO_RETURN_IF_ERROR(env_->RemoveFile(full));
        ++result.files_deleted;
      }
    }
    // Temporary files of writers that died mid-commit (".<uuid>.json.tmp" and the
    // like) are litter once older than the retention period.
    PARETO_ASSIGN_OR_RETURN(auto log_names, env_->ListDir(LogDir(root_)));
    for (const auto& name : log_names) {
      if (!name.starts_with(".") || !name.ends_with(".tmp")) continue;
      std::string full = LogDir(root_) + "/" + name;
      auto info = env_->Stat(full);
      if (!info || info->modified_ms >= horizon) continue;
      result.deleted.push_back("_delta_log/" + name);
      result.bytes_deleted += info->size;
      if (!dry_run) PARETO_RETURN_IF_ERROR(env_->RemoveFile(full));
      ++result.files_deleted;
    }
    return result;
  });
}

StatusOr<std::optional<int64_t>> Table::TxnVersion(std::string_view app_id) const {
  return Guard(root_, [&]() -> StatusOr<std::optional<int64_t>> {
    PARETO_ASSIGN_OR_RETURN(Loaded loaded, LoadState(env_, root_, {}));
    auto it = loaded.state.txns.find(std::string(app_id));
    if (it == loaded.state.txns.end()) return std::optional<int64_t>();
    return std::optional<int64_t>(it->second);
  });
}

}  // namespace pareto::delta
