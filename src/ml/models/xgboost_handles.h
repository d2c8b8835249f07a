// Move-only owners of XGBoost's C API handles (DMatrixHandle, BoosterHandle),
// with every failure turned into a Status carrying XGBGetLastError().
//
// This header is the only place that sees xgboost/c_api.h's conventions.
// Ownership: DMatrix owns its DMatrixHandle; Booster owns its BoosterHandle and
// keeps no pointer to the DMatrix objects it was created with (XGBoost copies
// what it needs). Thread safety: one thread at a time per object.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace pareto::ml::xgb {

class DMatrix {
 public:
  // A dense row-major float matrix; NaN marks a missing value.
  static StatusOr<DMatrix> FromDense(std::span<const float> values, uint64_t rows, uint64_t cols);
  // Compressed sparse rows: row r is entries [row_start[r], row_start[r+1]) of
  // (column, value); an absent entry is missing, like NaN in a dense matrix.
  static StatusOr<DMatrix> FromCsr(std::span<const size_t> row_start, std::span<const unsigned> column,
                                   std::span<const float> value, uint64_t cols);
  DMatrix(DMatrix&& other) noexcept;
  DMatrix& operator=(DMatrix&& other) noexcept;
  DMatrix(const DMatrix&) = delete;
  DMatrix& operator=(const DMatrix&) = delete;
  ~DMatrix();

  Status SetLabels(std::span<const float> labels);
  void* get() const { return handle_; }

 private:
  DMatrix() = default;
  void* handle_ = nullptr;
};

// A prediction: `values` in row-major order with `shape`.
struct Prediction {
  std::vector<uint64_t> shape;
  std::vector<float> values;
};

// kApproxContributions: Saabas's per-path attribution, far cheaper than exact TreeSHAP on deep forests.
enum class PredictType { kValue = 0, kMargin = 1, kContributions = 2, kApproxContributions = 3 };

class Booster {
 public:
  // `cache`: the matrices the booster trains or evaluates on.
  static StatusOr<Booster> Create(std::span<const DMatrix* const> cache);
  // A booster read from a JSON model file written by SaveJson.
  static StatusOr<Booster> LoadJson(const std::string& path);
  Booster(Booster&& other) noexcept;
  Booster& operator=(Booster&& other) noexcept;
  Booster(const Booster&) = delete;
  Booster& operator=(const Booster&) = delete;
  ~Booster();

  Status SetParam(std::string_view name, std::string_view value);
  Status UpdateOneIter(int iteration, const DMatrix& train);
  // XGBoost's evaluation line, e.g. "[3]\tvalid-logloss:0.512".
  StatusOr<std::string> EvalOneIter(int iteration, const DMatrix& data, std::string_view name);
  // `iteration_end` 0 = every tree.
  StatusOr<Prediction> Predict(const DMatrix& data, PredictType type, int iteration_end = 0) const;
  StatusOr<int> BoostedRounds() const;
  StatusOr<int> NumFeatures() const;
  // Attributes are saved with the model; an unset one reads as nullopt.
  Status SetAttr(std::string_view key, std::string_view value);
  StatusOr<std::optional<std::string>> GetAttr(std::string_view key) const;
  Status SaveJson(const std::string& path) const;  // path must end in .json
  // The model as JSON text, the same document SaveJson writes.
  StatusOr<std::string> JsonText() const;

 private:
  Booster() = default;
  void* handle_ = nullptr;
};

}  // namespace pareto::ml::xgb
