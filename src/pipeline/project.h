// The pipeline project (docs/pipeline-project.md): a folder holding pipeline.yaml
// and one SQL model a file under silver/ and gold/.
//
// LoadProject reads what the pipeline runner needs: the catalog name, the models,
// the expectations of each model's table and the monetary column tags. The
// `sources:` section belongs to ingest (src/ingest/) and is not read here.
//
// Ownership: Project is a plain value. Thread safety: immutable once loaded.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/env.h"
#include "common/status.h"

namespace pareto::pipeline {

// One SQL model: silver/slv_order_fact.sql -> layer "silver", name "slv_order_fact".
struct Model {
  std::string layer;
  std::string name;
  std::string path;     // the .sql file
  std::string sql;      // the file's text, as written
  std::string comment;  // the leading `--` comment block, prefixes removed

  // "silver.slv_order_fact": the name the SQL of other models uses.
  std::string QualifiedName() const { return layer + "." + name; }
};

enum class ExpectationAction { kWarn, kDrop, kFail };

std::string_view ActionName(ExpectationAction action);

struct Expectation {
  std::string name;
  std::string condition;  // boolean DuckDB SQL over the model's output columns
  ExpectationAction action = ExpectationAction::kWarn;
};

// A "layer.table.column" source column.
struct ColumnName {
  std::string table;   // "bronze.brz_payments"
  std::string column;  // "payment_value"
  std::string ToString() const { return table + "." + column; }
  friend auto operator<=>(const ColumnName&, const ColumnName&) = default;
};

struct Project {
  std::string dir;
  std::string catalog;        // `catalog:`
  std::vector<Model> models;  // silver models, then gold models, each sorted by name
  // "silver.slv_order_fact" -> its expectations in file order.
  std::map<std::string, std::vector<Expectation>> expectations;
  std::vector<ColumnName> monetary;  // `monetary:`
  std::vector<std::string> sections;  // top-level keys of pipeline.yaml, in file order

  bool HasSection(std::string_view key) const;

  // The model producing "layer.table", or nullptr.
  const Model* FindModel(std::string_view qualified_name) const;
  // Expectations of "layer.table" (empty when none are declared).
  const std::vector<Expectation>& ExpectationsOf(std::string_view qualified_name) const;
};

// Layers that hold models, in build order.
inline constexpr std::string_view kModelLayers[] = {"silver", "gold"};

// Reads <dir>/pipeline.yaml and <dir>/{silver,gold}/*.sql. Errors name the file
// (and the line, for YAML) and say what to fix.
StatusOr<Project> LoadProject(const std::string& dir, Env* env = Env::Default());

// The leading `--` comment block of a model's SQL (see docs/pipeline-project.md).
std::string LeadingComment(std::string_view sql);

// True for a plain lower-case identifier: [a-z_][a-z0-9_]*.
bool IsPlainIdentifier(std::string_view name);

}  // namespace pareto::pipeline
