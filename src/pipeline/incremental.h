// Incremental models: when a model declared under `incremental:` (pipeline.yaml,
// docs/pipeline-project.md) may be built from the new rows of its input alone,
// and the DuckDB where its SQL sees only those rows.
//
// A model is merged, not rebuilt, when all of these hold; otherwise it is
// rebuilt in full and the decision's `reason` says why:
//   - not --full-refresh, and its table exists;
//   - its last commit recorded what it was built from (the "definition" hash of
//     its SQL, expectations, unique key and zone, and the Delta version of each
//     input), and the definition is unchanged;
//   - it reads exactly one bronze table, the only input that changed since, and
//     every commit of that table since the version last read only added files
//     (ingest appends; a restore or overwrite removes files).
// The SQL then runs with that bronze table bound to the added files and every
// other input at the version the fingerprint names; the result is merged on the
// unique key (catalog::WriteMode::kMerge), the keys the model produced before its
// expectations dropped rows included, so a dropped new version removes the old.
//
// Why that equals a full rebuild for the models marked so in pipelines/olist:
// each keeps the latest ingested row of each key (max _ingested_at, one instant
// per ingest run, later runs later), so a key's winner among all rows is its
// winner among the new rows whenever the new rows hold the key; and each output
// row depends only on its key's bronze rows and on lookup tables that did not
// change. A model whose rows depend on other keys' rows (an aggregate over many
// keys, a join of two bronze tables) must not be declared incremental.
//
// Thread safety: plain functions; BatchSession is one thread's.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/env.h"
#include "common/status.h"
#include "delta/table.h"
#include "duck/duck.h"
#include "pipeline/project.h"

namespace pareto::pipeline {

// The new rows of a model's one changed bronze input.
struct IncrementalBatch {
  std::string input;  // "bronze.brz_orders"
  int64_t from_version = -1;  // the version the model's last build read
  std::vector<delta::AddFile> files;  // what the commits since added
  int64_t rows = 0;   // their rows (from the files' stats; -1 when unknown)
};

struct IncrementalPlan {
  std::optional<IncrementalBatch> batch;  // nullopt: a full rebuild
  std::string reason;  // why a declared model is rebuilt in full; empty otherwise
};

struct IncrementalInputs {
  const Model& model;
  const std::vector<std::string>* unique_key = nullptr;  // nullptr: not declared incremental
  std::string definition;  // IncrementalDefinition of the model
  // Each input ("bronze.brz_orders") and its Delta version now.
  const std::vector<std::pair<std::string, int64_t>>& versions;
  bool full_refresh = false;
  std::string table_root;  // the model's Delta table
  std::function<std::string(const std::string&)> input_root;  // an input's Delta table folder
  Env* env = Env::Default();
};

StatusOr<IncrementalPlan> PlanIncremental(const IncrementalInputs& inputs);

// The hex hash of what, besides its inputs' versions, a model's rows come from:
// `fingerprint_without_versions` (runner.h ModelFingerprint with no versions) and the unique key.
std::string IncrementalDefinition(const std::string& fingerprint_without_versions,
                                  const std::vector<std::string>& unique_key);

// The operationParameters a model's commit carries so that the next run can
// plan: "definition" and "inputs" (a JSON object, as text: input -> version).
nlohmann::json IncrementalParameters(const std::string& definition,
                                     const std::vector<std::pair<std::string, int64_t>>& versions);

// "merged 2 new files (6600 rows) of bronze.brz_orders: 6500 inserted, 100
// updated, 0 deleted; 1 file rewritten": a merge's task message.
std::string MergeSummary(const IncrementalBatch& batch, const delta::CommitResult& commit);

// "SELECT k1, k2 FROM <table>": the keys a merge replaces.
std::string KeysOf(const std::vector<std::string>& unique_key, std::string_view table);

// A DuckDB of its own where the model's inputs read as at `versions`, the batch's
// input as its new files only, under the names the SQL uses (`bronze.brz_orders`,
// also `<catalog>.bronze.brz_orders`), with the project's variables set.
class BatchSession {
 public:
  static StatusOr<BatchSession> Open(const Project& project, const IncrementalBatch& batch,
                                     const std::vector<std::pair<std::string, int64_t>>& versions,
                                     const std::function<std::string(const std::string&)>& input_root, Env* env);
  duck::Connection& connection() { return conn_; }

 private:
  BatchSession(duck::Database db, duck::Connection conn) : db_(std::move(db)), conn_(std::move(conn)) {}
  duck::Database db_;  // declared first: the connection closes before it
  duck::Connection conn_;
};

}  // namespace pareto::pipeline
