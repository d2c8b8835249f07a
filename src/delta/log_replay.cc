#include "delta/log_replay.h"

#include <algorithm>
#include <charconv>
#include <set>
#include <utility>

#include "common/percent_encoding.h"
#include "delta/actions.h"
#include "delta/checkpoint.h"
#include "delta/types.h"

namespace pareto::delta {

using nlohmann::json;

namespace {

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

int64_t ToInt(std::string_view s) {
  int64_t v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

// Applies one action (a commit line or a checkpoint row) to the state.
void Apply(TableState& state, const json& action) {
  if (action.contains("add") && action["add"].is_object()) {
    const json& add = action["add"];
    auto f = AddFileFromJson(add);
    if (!f) return;  // a malformed add is caught by the validator; replay keeps going
    if (add.contains("deletionVector") && !add["deletionVector"].is_null()) {
      state.unsupported.push_back("deletionVectors (file " + f->path + " has a deletion vector)");
    }
    state.tombstones.erase(f->path);
    std::string key = f->path;
    state.files[key] = std::move(*f);
  } else if (action.contains("remove") && action["remove"].is_object()) {
    const json& rm = action["remove"];
    if (!rm.contains("path") || !rm["path"].is_string()) return;
    std::string path = PercentDecode(rm["path"].get<std::string>());
    state.files.erase(path);
    int64_t ts = rm.contains("deletionTimestamp") && rm["deletionTimestamp"].is_number()
                     ? rm["deletionTimestamp"].get<int64_t>()
                     : 0;
    state.tombstones[path] = ts;
  } else if (action.contains("metaData") && action["metaData"].is_object()) {
    state.metadata = action["metaData"];
  } else if (action.contains("protocol") && action["protocol"].is_object()) {
    state.protocol = action["protocol"];
  } else if (action.contains("txn") && action["txn"].is_object()) {
    const json& txn = action["txn"];
    if (txn.contains("appId") && txn["appId"].is_string() && txn.contains("version") && txn["version"].is_number()) {
      state.txns[txn["appId"].get<std::string>()] = txn["version"].get<int64_t>();
    }
  }
}

std::optional<int64_t> CommitInfoTimestamp(const std::vector<json>& actions) {
  for (const auto& a : actions) {
    if (a.contains("commitInfo") && a["commitInfo"].is_object()) {
      const json& ci = a["commitInfo"];
      if (ci.contains("inCommitTimestamp") && ci["inCommitTimestamp"].is_number()) {
        return ci["inCommitTimestamp"].get<int64_t>();
      }
      if (ci.contains("timestamp") && ci["timestamp"].is_number()) return ci["timestamp"].get<int64_t>();
    }
  }
  return std::nullopt;
}

StatusOr<std::vector<json>> ReadCommit(Env* env, const std::string& root, int64_t version) {
  std::string path = CommitPath(root, version);
  PARETO_ASSIGN_OR_RETURN(std::string content, env->ReadFile(path));
  return ParseCommit(content, CommitFileName(version));
}

// Replays from checkpoint `from` (or from scratch when nullopt).
StatusOr<TableState> ReplayFrom(Env* env, const std::string& root, const LogListing& listing,
                                std::optional<int64_t> from, int64_t version) {
  TableState state;
  int64_t first_commit = 0;
  if (from) {
    std::vector<std::string> parts;
    for (const auto& name : listing.checkpoints.at(*from)) parts.push_back(LogDir(root) + "/" + name);
    auto actions = ReadCheckpointActions(parts);
    if (!actions) return std::unexpected(actions.error().WithContext("checkpoint " + std::to_string(*from)));
    for (const auto& a : *actions) Apply(state, a);
    first_commit = *from + 1;
    state.version = *from;
  }
  for (int64_t v = first_commit; v <= version; ++v) {
    if (!listing.commits.contains(v)) {
      return std::unexpected(DataError("non-contiguous versions: commit " + CommitFileName(v) +
                                       " is missing from the log (needed to read version " +
                                       std::to_string(version) + ")"));
    }
    PARETO_ASSIGN_OR_RETURN(auto actions, ReadCommit(env, root, v));
    for (const auto& a : actions) Apply(state, a);
    state.version = v;
    if (v == version) {
      if (auto ts = CommitInfoTimestamp(actions)) state.timestamp_ms = *ts;
    }
  }
  if (state.timestamp_ms == 0) {
    auto ts = CommitTimestamp(env, root, listing, version);
    if (ts) state.timestamp_ms = *ts;
  }
  return state;
}

}  // namespace

int64_t LogListing::LatestVersion() const {
  int64_t latest = -1;
  if (!commits.empty()) latest = commits.rbegin()->first;
  if (!checkpoints.empty()) latest = std::max(latest, checkpoints.rbegin()->first);
  return latest;
}

StatusOr<LogListing> ListLog(Env* env, const std::string& root) {
  auto names = env->ListDir(LogDir(root));
  if (!names) {
    if (names.error().code() == StatusCode::kNotFound) {
      return std::unexpected(NotFound("not a Delta table: " + root + " has no _delta_log/"));
    }
    return std::unexpected(names.error());
  }
  LogListing listing;
  // version -> (declared part count -> part numbers seen)
  std::map<int64_t, std::map<int64_t, std::map<int64_t, std::string>>> multipart;
  for (const auto& name : *names) {
    std::string_view n = name;
    if (n.size() < 21 || !AllDigits(n.substr(0, 20)) || n[20] != '.') continue;
    int64_t version = ToInt(n.substr(0, 20));
    std::string_view rest = n.substr(21);
    if (rest == "json") {
      listing.commits[version] = name;
    } else if (rest == "checkpoint.parquet") {
      listing.checkpoints[version] = {name};
    } else if (rest.starts_with("checkpoint.") && rest.ends_with(".parquet") && rest.size() == 11 + 10 + 1 + 10 + 8 &&
               AllDigits(rest.substr(11, 10)) && rest[21] == '.' && AllDigits(rest.substr(22, 10))) {
      multipart[version][ToInt(rest.substr(22, 10))][ToInt(rest.substr(11, 10))] = name;
    }
    // Anything else (temporary files, .crc, v2 checkpoints, compactions) is not read.
  }
  for (const auto& [version, by_count] : multipart) {
    if (listing.checkpoints.contains(version)) continue;
    for (const auto& [count, parts] : by_count) {
      if (static_cast<int64_t>(parts.size()) != count) continue;  // incomplete: a writer died mid-way
      bool complete = true;
      std::vector<std::string> names_in_order;
      for (int64_t i = 1; i <= count; ++i) {
        auto it = parts.find(i);
        if (it == parts.end()) {
          complete = false;
          break;
        }
        names_in_order.push_back(it->second);
      }
      if (complete) {
        listing.checkpoints[version] = std::move(names_in_order);
        break;
      }
    }
  }
  if (listing.LatestVersion() < 0) {
    return std::unexpected(NotFound("not a Delta table: " + root + "/_delta_log/ holds no commit"));
  }
  return listing;
}

StatusOr<TableState> Replay(Env* env, const std::string& root, const LogListing& listing, int64_t version) {
  // Newest checkpoint first; an unreadable one falls back to the next older start point.
  std::vector<std::optional<int64_t>> starts;
  for (auto it = listing.checkpoints.rbegin(); it != listing.checkpoints.rend(); ++it) {
    if (it->first <= version) starts.push_back(it->first);
  }
  starts.push_back(std::nullopt);
  Status first_error;
  for (const auto& start : starts) {
    auto state = ReplayFrom(env, root, listing, start, version);
    if (state) return state;
    if (first_error.ok()) first_error = state.error();
    // A missing commit before the checkpoint cannot be repaired by starting earlier.
    if (!start) break;
  }
  return std::unexpected(first_error);
}

Status CheckReadable(const TableState& state) {
  if (!state.protocol) return DataError("missing protocol: no protocol action at version " + std::to_string(state.version));
  if (!state.metadata) return DataError("missing metadata: no metaData action at version " + std::to_string(state.version));
  const json& p = *state.protocol;
  int reader = p.contains("minReaderVersion") && p["minReaderVersion"].is_number() ? p["minReaderVersion"].get<int>() : 0;
  if (reader < 1) return DataError("invalid protocol: minReaderVersion missing at version " + std::to_string(state.version));
  if (reader > 1) {
    std::string features;
    if (p.contains("readerFeatures") && p["readerFeatures"].is_array()) {
      for (const auto& f : p["readerFeatures"]) {
        if (!features.empty()) features += ", ";
        features += f.is_string() ? f.get<std::string>() : f.dump();
      }
    }
    if (features.empty()) features = reader == 2 ? "columnMapping" : "table features";
    return Unsupported("unsupported protocol: the table needs reader version " + std::to_string(reader) + " (" +
                       features + "); pareto reads reader version 1 only");
  }
  const json& md = *state.metadata;
  if (md.contains("configuration") && md["configuration"].is_object()) {
    const json& config = md["configuration"];
    auto it = config.find("delta.columnMapping.mode");
    if (it != config.end() && it->is_string() && it->get<std::string>() != "none") {
      return Unsupported("unsupported protocol: columnMapping (mode " + it->get<std::string>() + ") is not supported");
    }
  }
  if (!state.unsupported.empty()) return Unsupported("unsupported protocol: " + state.unsupported.front());
  if (md.contains("format") && md["format"].is_object()) {
    std::string provider = md["format"].value("provider", "parquet");
    if (provider != "parquet") return Unsupported("data format '" + provider + "' is not supported (parquet only)");
  }
  if (!md.contains("schemaString") || !md["schemaString"].is_string()) {
    return DataError("invalid metadata: metaData has no schemaString");
  }
  json schema = json::parse(md["schemaString"].get<std::string>(), nullptr, false);
  if (schema.is_discarded()) return DataError("invalid metadata: schemaString is not JSON");
  return CheckReadableSchema(schema);
}

Status CheckWritable(const TableState& state, bool removes_files) {
  PARETO_RETURN_IF_ERROR(CheckReadable(state));
  const json& p = *state.protocol;
  int writer = p.contains("minWriterVersion") && p["minWriterVersion"].is_number() ? p["minWriterVersion"].get<int>() : 0;
  if (writer > 2) {
    std::string features;
    if (p.contains("writerFeatures") && p["writerFeatures"].is_array()) {
      for (const auto& f : p["writerFeatures"]) {
        if (!features.empty()) features += ", ";
        features += f.is_string() ? f.get<std::string>() : f.dump();
      }
    }
    return Unsupported("unsupported protocol: writing needs writer version " + std::to_string(writer) +
                       (features.empty() ? "" : " (" + features + ")") + "; pareto writes writer version 2 only");
  }
  const json& md = *state.metadata;
  // Writer version 2 promises to enforce column invariants; pareto does not evaluate them.
  if (md.value("schemaString", "").find("delta.invariants") != std::string::npos) {
    return Unsupported("unsupported protocol: the table has column invariants (delta.invariants), which pareto "
                       "does not enforce");
  }
  if (removes_files && md.contains("configuration") && md["configuration"].is_object()) {
    auto it = md["configuration"].find("delta.appendOnly");
    if (it != md["configuration"].end() && it->is_string() && it->get<std::string>() == "true") {
      return Unsupported("the table is append-only (delta.appendOnly=true): overwrite and restore are refused");
    }
  }
  return OkStatus();
}

StatusOr<Snapshot> ToSnapshot(const std::string& root, const TableState& state) {
  PARETO_RETURN_IF_ERROR(CheckReadable(state));
  const json& md = *state.metadata;
  Snapshot s;
  s.root = root;
  s.version = state.version;
  s.timestamp_ms = state.timestamp_ms;
  s.table_id = md.contains("id") && md["id"].is_string() ? md["id"].get<std::string>() : "";
  s.name = md.contains("name") && md["name"].is_string() ? md["name"].get<std::string>() : "";
  s.description = md.contains("description") && md["description"].is_string() ? md["description"].get<std::string>() : "";
  s.schema = json::parse(md["schemaString"].get<std::string>());
  if (md.contains("partitionColumns") && md["partitionColumns"].is_array()) {
    for (const auto& c : md["partitionColumns"]) {
      if (c.is_string()) s.partition_columns.push_back(c.get<std::string>());
    }
  }
  if (md.contains("configuration") && md["configuration"].is_object()) s.configuration = md["configuration"];
  s.min_reader_version = state.protocol->value("minReaderVersion", 1);
  s.min_writer_version = state.protocol->value("minWriterVersion", 2);
  for (const auto& [path, f] : state.files) s.files.push_back(f);
  s.txns = state.txns;
  return s;
}

StatusOr<int64_t> CommitTimestamp(Env* env, const std::string& root, const LogListing& listing, int64_t version) {
  if (listing.commits.contains(version)) {
    auto actions = ReadCommit(env, root, version);
    if (actions) {
      if (auto ts = CommitInfoTimestamp(*actions)) return *ts;
    }
    PARETO_ASSIGN_OR_RETURN(FileInfo info, env->Stat(CommitPath(root, version)));
    return info.modified_ms;
  }
  auto it = listing.checkpoints.find(version);
  if (it != listing.checkpoints.end()) {
    PARETO_ASSIGN_OR_RETURN(FileInfo info, env->Stat(LogDir(root) + "/" + it->second.front()));
    return info.modified_ms;
  }
  return std::unexpected(NotFound("version " + std::to_string(version) + " is not in the log"));
}

StatusOr<int64_t> ResolveVersion(Env* env, const std::string& root, const LogListing& listing, const VersionSpec& at) {
  int64_t latest = listing.LatestVersion();
  if (at.version && at.timestamp_ms) return std::unexpected(InvalidArgument("give a version or a timestamp, not both"));
  if (at.version) {
    if (*at.version < 0) return std::unexpected(InvalidArgument("version must be >= 0"));
    if (*at.version > latest) {
      return std::unexpected(NotFound("version " + std::to_string(*at.version) + " does not exist (latest is " +
                                      std::to_string(latest) + ")"));
    }
    return *at.version;
  }
  if (at.timestamp_ms) {
    // Newest first: the first version committed at or before the instant.
    for (auto it = listing.commits.rbegin(); it != listing.commits.rend(); ++it) {
      PARETO_ASSIGN_OR_RETURN(int64_t ts, CommitTimestamp(env, root, listing, it->first));
      if (ts <= *at.timestamp_ms) return it->first;
    }
    return std::unexpected(NotFound("no version was committed at or before timestamp " +
                                    std::to_string(*at.timestamp_ms) + " ms"));
  }
  return latest;
}

}  // namespace pareto::delta
