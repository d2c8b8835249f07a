// Training data in memory: a frame of named columns read from a DuckDB result,
// and the dense numeric design matrix the models take.
//
// A Frame keeps numeric columns as doubles (NULL -> NaN) and text columns as
// categories. An Encoder is fitted on training rows only (so the test set never
// shapes the features) and turns a Frame into a Design: numeric columns as they
// are, each categorical column one-hot over its levels seen at least
// `min_level_count` times in training (rarer and unseen levels are all zeros).
//
// Ownership: plain values. Thread safety: const methods are safe to share.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <Eigen/Core>
#include <nlohmann/json.hpp>

#include "common/status.h"
#include "duck/duck.h"

namespace pareto::ml {

struct FrameColumn {
  std::string name;
  bool categorical = false;
  std::vector<double> numbers;                    // numeric columns; NaN = NULL
  std::vector<std::optional<std::string>> texts;  // categorical columns
};

struct Frame {
  size_t rows = 0;
  std::vector<FrameColumn> columns;

  const FrameColumn* Find(std::string_view name) const;
  // The numbers of a numeric column; an error naming `what` (the table, for the
  // message) when the column is missing or categorical.
  StatusOr<const std::vector<double>*> Numbers(std::string_view name, std::string_view what) const;
};

// Every column of the result; VARCHAR columns become categorical, BOOLEAN 0/1,
// numeric and decimal columns doubles. Other types fail naming the column (cast
// them in SQL, e.g. epoch_us(ts)).
StatusOr<Frame> FrameFromResult(duck::Result& result);

// The numbers the models see. Rows × features, NaN = missing.
struct Design {
  std::vector<std::string> feature_names;
  Eigen::MatrixXd x;
};

struct EncodedColumn {
  std::string name;
  bool categorical = false;
  std::vector<std::string> levels;  // for categorical columns, in output order
};

class Encoder {
 public:
  // Learns the encoding of `features` (names of frame columns) from `train_rows`.
  static StatusOr<Encoder> Fit(const Frame& frame, std::span<const std::string> features,
                               std::span<const size_t> train_rows, int64_t min_level_count = 20);
  // The design matrix of `rows` (all rows when empty is not wanted: pass them).
  StatusOr<Design> Apply(const Frame& frame, std::span<const size_t> rows) const;

  std::vector<std::string> FeatureNames() const;
  // The source column of each output feature (for lineage and drivers).
  std::vector<std::string> SourceColumns() const;
  const std::vector<EncodedColumn>& columns() const { return columns_; }

  nlohmann::json ToJson() const;
  static StatusOr<Encoder> FromJson(const nlohmann::json& j);

 private:
  std::vector<EncodedColumn> columns_;
};

// 0..n-1.
std::vector<size_t> AllRows(size_t n);

// The given rows of x (or y), in the order given.
Eigen::MatrixXd Rows(const Eigen::MatrixXd& x, std::span<const size_t> rows);
Eigen::VectorXd Rows(const Eigen::VectorXd& y, std::span<const size_t> rows);

}  // namespace pareto::ml
