#include "ml/training/dataset.h"

#include <algorithm>
#include <limits>
#include <map>
#include <numeric>

namespace pareto::ml {
namespace {

enum class Kind { kNumeric, kBool, kText, kUnsupported };

Kind KindOf(duckdb_type type) {
  if (duck::IsNumericType(type)) return Kind::kNumeric;
  if (type == DUCKDB_TYPE_BOOLEAN) return Kind::kBool;
  if (type == DUCKDB_TYPE_VARCHAR) return Kind::kText;
  return Kind::kUnsupported;
}

}  // namespace

const FrameColumn* Frame::Find(std::string_view name) const {
  for (const FrameColumn& c : columns) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

StatusOr<const std::vector<double>*> Frame::Numbers(std::string_view name, std::string_view what) const {
  const FrameColumn* c = Find(name);
  if (c == nullptr || c->categorical) {
    return std::unexpected(InvalidArgument(std::string(what) + " has no numeric column " + std::string(name)));
  }
  return &c->numbers;
}

StatusOr<Frame> FrameFromResult(duck::Result& result) {
  Frame frame;
  frame.rows = result.RowCount();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (uint64_t c = 0; c < result.ColumnCount(); ++c) {
    FrameColumn column;
    column.name = result.ColumnName(c);
    const Kind kind = KindOf(result.ColumnType(c));
    if (kind == Kind::kUnsupported) {
      return std::unexpected(InvalidArgument("feature column " + column.name + " has type " +
                                             result.ColumnTypeName(c) +
                                             "; cast it to a number or text in SQL"));
    }
    column.categorical = kind == Kind::kText;
    if (column.categorical) {
      column.texts.reserve(frame.rows);
      for (uint64_t r = 0; r < frame.rows; ++r) column.texts.push_back(result.GetOptionalString(c, r));
    } else {
      column.numbers.reserve(frame.rows);
      for (uint64_t r = 0; r < frame.rows; ++r) {
        if (result.IsNull(c, r)) {
          column.numbers.push_back(nan);
        } else if (kind == Kind::kBool) {
          column.numbers.push_back(result.GetBool(c, r) ? 1.0 : 0.0);
        } else {
          column.numbers.push_back(result.GetDouble(c, r));
        }
      }
    }
    frame.columns.push_back(std::move(column));
  }
  return frame;
}

StatusOr<Encoder> Encoder::Fit(const Frame& frame, std::span<const std::string> features,
                               std::span<const size_t> train_rows, int64_t min_level_count) {
  Encoder encoder;
  for (const std::string& name : features) {
    const FrameColumn* column = frame.Find(name);
    if (column == nullptr) return std::unexpected(NotFound("feature column " + name + " is not in the data"));
    EncodedColumn encoded{name, column->categorical, {}};
    if (column->categorical) {
      std::map<std::string, int64_t> counts;  // ordered: levels come out sorted
      for (size_t r : train_rows) {
        if (column->texts[r].has_value()) ++counts[*column->texts[r]];
      }
      for (const auto& [level, count] : counts) {
        if (count >= min_level_count) encoded.levels.push_back(level);
      }
    }
    encoder.columns_.push_back(std::move(encoded));
  }
  return encoder;
}

StatusOr<Design> Encoder::Apply(const Frame& frame, std::span<const size_t> rows) const {
  Design design;
  design.feature_names = FeatureNames();
  design.x.resize(static_cast<Eigen::Index>(rows.size()),
                  static_cast<Eigen::Index>(design.feature_names.size()));
  Eigen::Index out = 0;
  for (const EncodedColumn& encoded : columns_) {
    const FrameColumn* column = frame.Find(encoded.name);
    if (column == nullptr) return std::unexpected(NotFound("feature column " + encoded.name + " is not in the data"));
    if (column->categorical != encoded.categorical) {
      return std::unexpected(DataError("feature column " + encoded.name + " changed type since training"));
    }
    if (!encoded.categorical) {
      for (size_t i = 0; i < rows.size(); ++i) design.x(static_cast<Eigen::Index>(i), out) = column->numbers[rows[i]];
      ++out;
      continue;
    }
    const auto width = static_cast<Eigen::Index>(encoded.levels.size());
    design.x.middleCols(out, width).setZero();
    for (size_t i = 0; i < rows.size(); ++i) {
      const std::optional<std::string>& v = column->texts[rows[i]];
      if (!v.has_value()) continue;
      auto it = std::lower_bound(encoded.levels.begin(), encoded.levels.end(), *v);
      if (it != encoded.levels.end() && *it == *v) {
        design.x(static_cast<Eigen::Index>(i), out + (it - encoded.levels.begin())) = 1.0;
      }
    }
    out += width;
  }
  return design;
}

std::vector<std::string> Encoder::FeatureNames() const {
  std::vector<std::string> names;
  for (const EncodedColumn& c : columns_) {
    if (!c.categorical) {
      names.push_back(c.name);
    } else {
      for (const std::string& level : c.levels) names.push_back(c.name + "=" + level);
    }
  }
  return names;
}

std::vector<std::string> Encoder::SourceColumns() const {
  std::vector<std::string> names;
  for (const EncodedColumn& c : columns_) {
    const size_t width = c.categorical ? c.levels.size() : 1;
    names.insert(names.end(), width, c.name);
  }
  return names;
}

nlohmann::json Encoder::ToJson() const {
  nlohmann::json cols = nlohmann::json::array();
  for (const EncodedColumn& c : columns_) {
    cols.push_back({{"name", c.name}, {"categorical", c.categorical}, {"levels", c.levels}});
  }
  return {{"columns", cols}};
}

StatusOr<Encoder> Encoder::FromJson(const nlohmann::json& j) {
  Encoder encoder;
  try {
    for (const nlohmann::json& c : j.at("columns")) {
      encoder.columns_.push_back({c.at("name").get<std::string>(), c.at("categorical").get<bool>(),
                                  c.at("levels").get<std::vector<std::string>>()});
    }
  } catch (const nlohmann::json::exception& e) {
    return std::unexpected(DataError(std::string("feature encoding: ") + e.what()));
  }
  return encoder;
}

std::vector<size_t> AllRows(size_t n) {
  std::vector<size_t> rows(n);
  std::iota(rows.begin(), rows.end(), size_t{0});
  return rows;
}

Eigen::MatrixXd Rows(const Eigen::MatrixXd& x, std::span<const size_t> rows) {
  Eigen::MatrixXd out(static_cast<Eigen::Index>(rows.size()), x.cols());
  for (size_t i = 0; i < rows.size(); ++i) out.row(static_cast<Eigen::Index>(i)) = x.row(static_cast<Eigen::Index>(rows[i]));
  return out;
}

Eigen::VectorXd Rows(const Eigen::VectorXd& y, std::span<const size_t> rows) {
  Eigen::VectorXd out(static_cast<Eigen::Index>(rows.size()));
  for (size_t i = 0; i < rows.size(); ++i) out(static_cast<Eigen::Index>(i)) = y(static_cast<Eigen::Index>(rows[i]));
  return out;
}

}  // namespace pareto::ml
