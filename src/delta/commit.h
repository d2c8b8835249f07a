// The optimistic commit: write the actions to a temporary file in `_delta_log/`,
// then put-if-absent link it to the next version's name. When another writer won
// that version, its commit is read and checked for conflicts.
//
// Thread safety: safe from any thread or process; the link is the only arbiter.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/env.h"
#include "common/status.h"
#include "delta/table.h"

namespace pareto::delta {

struct CommitRequest {
  std::string operation;
  nlohmann::json operation_parameters = nlohmann::json::object();
  nlohmann::json operation_metrics = nlohmann::json::object();
  std::vector<nlohmann::json> actions;  // protocol/metaData/add/remove (no commitInfo, no txn)
  std::optional<Txn> txn;
  // The version the actions were computed from; -1 when the table did not exist.
  int64_t read_version = -1;
  // A blind append reads nothing, so it may commit after a concurrent commit that
  // kept the schema. Anything else fails with kConflict when it loses.
  bool blind_append = false;
  int max_attempts = 20;
};

struct CommitOutcome {
  int64_t version = -1;
  bool skipped = false;  // the txn was already applied by a concurrent writer
};

StatusOr<CommitOutcome> CommitActions(Env* env, const std::string& root, CommitRequest request);

}  // namespace pareto::delta
