#include "ml/models/xgboost_handles.h"

#include <xgboost/c_api.h>

#include <cmath>
#include <limits>
#include <utility>

namespace pareto::ml::xgb {
namespace {

Status Check(int rc, std::string_view what) {
  if (rc == 0) return OkStatus();
  return Internal("XGBoost " + std::string(what) + ": " + XGBGetLastError());
}

}  // namespace

StatusOr<DMatrix> DMatrix::FromDense(std::span<const float> values, uint64_t rows, uint64_t cols) {
  if (values.size() != rows * cols) {
    return std::unexpected(InvalidArgument("dense matrix has " + std::to_string(values.size()) +
                                           " values for " + std::to_string(rows) + "x" +
                                           std::to_string(cols)));
  }
  DMatrix m;
  PARETO_RETURN_IF_ERROR(Check(XGDMatrixCreateFromMat(values.data(), rows, cols,
                                                      std::numeric_limits<float>::quiet_NaN(),
                                                      &m.handle_),
                               "create matrix"));
  return m;
}

StatusOr<DMatrix> DMatrix::FromCsr(std::span<const size_t> row_start, std::span<const unsigned> column,
                                   std::span<const float> value, uint64_t cols) {
  if (row_start.empty() || column.size() != value.size() || row_start.back() != value.size()) {
    return std::unexpected(InvalidArgument("sparse matrix: row starts, columns and values disagree"));
  }
  DMatrix m;
  PARETO_RETURN_IF_ERROR(Check(XGDMatrixCreateFromCSREx(row_start.data(), column.data(), value.data(),
                                                        row_start.size(), value.size(), cols, &m.handle_),
                               "create sparse matrix"));
  return m;
}

DMatrix::DMatrix(DMatrix&& other) noexcept : handle_(std::exchange(other.handle_, nullptr)) {}
DMatrix& DMatrix::operator=(DMatrix&& other) noexcept {
  if (this != &other) {
    if (handle_ != nullptr) XGDMatrixFree(handle_);
    handle_ = std::exchange(other.handle_, nullptr);
  }
  return *this;
}
DMatrix::~DMatrix() {
  if (handle_ != nullptr) XGDMatrixFree(handle_);
}

Status DMatrix::SetLabels(std::span<const float> labels) {
  return Check(XGDMatrixSetFloatInfo(handle_, "label", labels.data(), labels.size()), "set labels");
}

StatusOr<Booster> Booster::Create(std::span<const DMatrix* const> cache) {
  std::vector<DMatrixHandle> handles;
  for (const DMatrix* m : cache) handles.push_back(m->get());
  Booster b;
  PARETO_RETURN_IF_ERROR(Check(XGBoosterCreate(handles.data(), handles.size(), &b.handle_),
                               "create booster"));
  return b;
}

StatusOr<Booster> Booster::LoadJson(const std::string& path) {
  PARETO_ASSIGN_OR_RETURN(Booster b, Create({}));
  PARETO_RETURN_IF_ERROR(Check(XGBoosterLoadModel(b.handle_, path.c_str()), "load " + path));
  return b;
}

Booster::Booster(Booster&& other) noexcept : handle_(std::exchange(other.handle_, nullptr)) {}
Booster& Booster::operator=(Booster&& other) noexcept {
  if (this != &other) {
    if (handle_ != nullptr) XGBoosterFree(handle_);
    handle_ = std::exchange(other.handle_, nullptr);
  }
  return *this;
}
Booster::~Booster() {
  if (handle_ != nullptr) XGBoosterFree(handle_);
}

Status Booster::SetParam(std::string_view name, std::string_view value) {
  const std::string n(name), v(value);
  return Check(XGBoosterSetParam(handle_, n.c_str(), v.c_str()), "parameter " + n + "=" + v);
}

Status Booster::UpdateOneIter(int iteration, const DMatrix& train) {
  return Check(XGBoosterUpdateOneIter(handle_, iteration, train.get()), "boosting round");
}

StatusOr<std::string> Booster::EvalOneIter(int iteration, const DMatrix& data, std::string_view name) {
  DMatrixHandle handles[] = {data.get()};
  const std::string n(name);
  const char* names[] = {n.c_str()};
  const char* out = nullptr;
  PARETO_RETURN_IF_ERROR(Check(XGBoosterEvalOneIter(handle_, iteration, handles, names, 1, &out),
                               "evaluation"));
  return std::string(out);
}

StatusOr<Prediction> Booster::Predict(const DMatrix& data, PredictType type, int iteration_end) const {
  const std::string config = "{\"type\": " + std::to_string(static_cast<int>(type)) +
                             ", \"training\": false, \"iteration_begin\": 0, \"iteration_end\": " +
                             std::to_string(iteration_end) + ", \"strict_shape\": false}";
  const bst_ulong* shape = nullptr;
  bst_ulong dim = 0;
  const float* result = nullptr;
  PARETO_RETURN_IF_ERROR(Check(
      XGBoosterPredictFromDMatrix(handle_, data.get(), config.c_str(), &shape, &dim, &result),
      "predict"));
  Prediction p;
  uint64_t size = 1;
  for (bst_ulong d = 0; d < dim; ++d) {
    p.shape.push_back(shape[d]);
    size *= shape[d];
  }
  p.values.assign(result, result + size);  // XGBoost owns `result` until the next call
  return p;
}

StatusOr<int> Booster::BoostedRounds() const {
  int rounds = 0;
  PARETO_RETURN_IF_ERROR(Check(XGBoosterBoostedRounds(handle_, &rounds), "rounds"));
  return rounds;
}

Status Booster::SaveJson(const std::string& path) const {
  return Check(XGBoosterSaveModel(handle_, path.c_str()), "save " + path);
}

StatusOr<std::string> Booster::JsonText() const {
  bst_ulong length = 0;
  const char* text = nullptr;
  PARETO_RETURN_IF_ERROR(Check(XGBoosterSaveModelToBuffer(handle_, R"({"format": "json"})", &length, &text),
                               "save model to buffer"));
  return std::string(text, length);  // XGBoost owns `text` until the next call
}

StatusOr<int> Booster::NumFeatures() const {
  bst_ulong n = 0;
  PARETO_RETURN_IF_ERROR(Check(XGBoosterGetNumFeature(handle_, &n), "number of features"));
  return static_cast<int>(n);
}

Status Booster::SetAttr(std::string_view key, std::string_view value) {
  const std::string k(key), v(value);
  return Check(XGBoosterSetAttr(handle_, k.c_str(), v.c_str()), "set attribute " + k);
}

StatusOr<std::optional<std::string>> Booster::GetAttr(std::string_view key) const {
  const std::string k(key);
  const char* out = nullptr;
  int found = 0;
  PARETO_RETURN_IF_ERROR(Check(XGBoosterGetAttr(handle_, k.c_str(), &out, &found), "get attribute " + k));
  if (found == 0 || out == nullptr) return std::optional<std::string>();
  return std::optional<std::string>(out);
}

}  // namespace pareto::ml::xgb
