// Checkpoints: `N.checkpoint.parquet` (and multi-part `N.checkpoint.i.n.parquet`)
// read and written through DuckDB, plus the `_last_checkpoint` hint.
//
// DuckDB work runs on a process-wide in-memory database of this module (one
// connection a call), never on a caller's connection. Thread safety: safe from any
// thread; after fork() the child opens its own database.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/env.h"
#include "common/status.h"
#include "delta/log_replay.h"

namespace pareto::delta {

inline constexpr int64_t kDefaultCheckpointInterval = 100;

// The actions stored in the parts (absolute paths) of one checkpoint, as single-key
// objects like {"add": {...}}, exactly as they would appear in a JSON commit.
StatusOr<std::vector<nlohmann::json>> ReadCheckpointActions(const std::vector<std::string>& part_paths);

// Writes `<version>.checkpoint.parquet` for `state` (put-if-absent: a checkpoint
// already there is kept) and then points `_last_checkpoint` at it.
Status WriteCheckpoint(Env* env, const std::string& root, const TableState& state);

// After a successful commit of `version`: a checkpoint when the version is a
// multiple of the table's interval. A failed checkpoint never fails the commit
// (readers fall back to the JSON commits), so nothing is returned.
void MaybeCheckpoint(Env* env, const std::string& root, int64_t version);

// The checkpoint interval of a table: metaData.configuration "delta.checkpointInterval",
// else kDefaultCheckpointInterval.
int64_t CheckpointInterval(const TableState& state);

}  // namespace pareto::delta
