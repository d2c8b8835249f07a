// The `ml:` section of pipeline.yaml as written: plain data mirroring its keys.
//
// project_file.cc fills it; ml/ml_config.cc turns it into ml::MlConfig, where the
// defaults and the meaning of each key live. A key absent from the file is an
// empty optional here, so the defaults are stated once, in ml/.
//
// Thread safety: plain values.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace pareto::pipeline {

// One entry of `ml.protocols`.
struct MlProtocolSettings {
  std::string name;  // its key, e.g. "early"
  int line = 0;      // 1-based line in pipeline.yaml, for messages
  std::optional<std::string> description, table, id, label, spend, time, split, cutoff;
  // `predict_at`: the moment the protocol predicts at (purchase, approval,
  // carrier, delivery, review); features known later are refused.
  std::optional<std::string> predict_at;
  // `baseline` (a column scored as it is) and `baseline_table` (where it is,
  // joined on the id; default: the protocol's table).
  std::optional<std::string> baseline, baseline_table;
  std::optional<double> label_quantile, test_fraction;
  std::vector<std::string> features;
  std::vector<std::pair<std::string, double>> fill;  // column -> value, in file order
};

struct MlSettings {
  int line = 0;  // of the `ml:` key
  std::optional<std::string> model, run_protocol, scores_table;
  std::optional<uint64_t> seed;
  std::optional<int64_t> bootstrap_resamples, cv_folds;
  std::optional<double> score_threshold;
  std::optional<bool> promote_first;
  // `horizon_days`: the future-value window (T, T + horizon]. Unlike the other
  // keys it reaches SQL (gold/gld_fv_snapshots.sql reads it as a DuckDB
  // variable, model_build.h), so its default is stated there, not in ml/.
  std::optional<int64_t> horizon_days;
  // `models:` kind -> parameter -> number, e.g. "gbt" -> {"max_depth": 6}.
  std::map<std::string, std::map<std::string, double>> models;
  std::vector<MlProtocolSettings> protocols;  // in file order
  // The top-level `known_at:` (beside `monetary:`, read with `ml:` because only
  // ML uses it): (moment, "layer.table.column"), in file order. A column not
  // listed is known at purchase.
  std::vector<std::pair<std::string, std::string>> known_at;
};

// The moments of an order's life, in the order they happen; `known_at:` keys
// and `predict_at:` values must be one of them.
inline constexpr const char* kOrderMoments[] = {"purchase", "approval", "carrier", "delivery", "review"};

}  // namespace pareto::pipeline
