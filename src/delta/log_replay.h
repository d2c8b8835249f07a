// Log replay: the live state of a Delta table at a version.
//
// Lists `_delta_log/` (the listing, not `_last_checkpoint`, is the truth: that
// file is only a hint and may be empty or stale), picks the newest complete
// checkpoint at or below the wanted version, and applies the contiguous JSON
// commits after it. Thread safety: stateless functions; safe from any thread.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/env.h"
#include "common/status.h"
#include "delta/table.h"

namespace pareto::delta {

// What `_delta_log/` holds, by version.
struct LogListing {
  std::map<int64_t, std::string> commits;  // version -> file name
  // version -> the part file names of each complete checkpoint at that version
  // (a classic checkpoint is one part).
  std::map<int64_t, std::vector<std::string>> checkpoints;

  int64_t LatestVersion() const;  // -1 when empty
};

// kNotFound "not a Delta table" when there is no `_delta_log/` (or it is empty).
StatusOr<LogListing> ListLog(Env* env, const std::string& root);

// The replayed state: what Snapshot exposes plus what writers and vacuum need.
struct TableState {
  int64_t version = -1;
  int64_t timestamp_ms = 0;
  std::optional<nlohmann::json> protocol;  // the protocol action's body
  std::optional<nlohmann::json> metadata;  // the metaData action's body
  std::map<std::string, AddFile> files;    // decoded path -> live file
  std::map<std::string, int64_t> tombstones;  // decoded path -> deletionTimestamp (removed, not re-added)
  std::map<std::string, int64_t> txns;
  // Features that make the live files unreadable to pareto (e.g. an add with a deletion vector).
  std::vector<std::string> unsupported;
};

// Replays up to `version` (which must be listed). Does not check the protocol.
StatusOr<TableState> Replay(Env* env, const std::string& root, const LogListing& listing, int64_t version);

// kUnsupported naming the feature when pareto cannot read the state; kDataError when the
// protocol or metaData is missing or malformed.
Status CheckReadable(const TableState& state);

// kUnsupported when pareto may not write the table: writer version > 2 (table
// features), column invariants; with `removes_files`, also delta.appendOnly tables.
Status CheckWritable(const TableState& state, bool removes_files);

// The Snapshot of a readable state.
StatusOr<Snapshot> ToSnapshot(const std::string& root, const TableState& state);

// Commit time of one version: commitInfo.timestamp, else the commit file's mtime.
StatusOr<int64_t> CommitTimestamp(Env* env, const std::string& root, const LogListing& listing, int64_t version);

// The version to read for `at`, validated against the listing.
StatusOr<int64_t> ResolveVersion(Env* env, const std::string& root, const LogListing& listing,
                                 const VersionSpec& at);

}  // namespace pareto::delta
