// The pipeline project (docs/pipeline-project.md): a folder holding pipeline.yaml
// and one SQL model a file under silver/ and gold/.
//
// LoadProject reads the project once: pipeline.yaml (through project_file.h, the
// only reader of its YAML) and the models, and hands each stage its typed section:
// sources to ingest, expectations to the runner, monetary tags and `ml:` to the
// trainer (ml::MlConfigFromProject), the time zone to everyone.
//
// Ownership: Project is a plain value. Thread safety: immutable once loaded.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/env.h"
#include "common/status.h"
#include "ingest/source_spec.h"
#include "pipeline/ml_settings.h"
#include "pipeline/project_file.h"

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

// "warn", "drop", "fail" (catalog/runs.h owns the action and its names).
inline std::string_view ActionName(ExpectationAction action) { return catalog::ExpectationActionName(action); }

struct Project {
  std::string dir;
  std::string file;           // <dir>/pipeline.yaml, for messages
  std::string catalog;        // `catalog:`
  // `timezone:`, the shop's zone and its only statement: ingest reads source
  // timestamps in it (unless a source names its own) and the models get it as
  // the DuckDB variable business_time_zone (model_build.h).
  std::string timezone;
  std::vector<Model> models;  // silver models, then gold models, each sorted by name
  std::vector<ingest::SourceSpec> sources;  // `sources:`, in file order
  std::optional<MlSettings> ml;             // `ml:`, when present
  // "silver.slv_order_fact" -> its expectations in file order.
  std::map<std::string, std::vector<Expectation>> expectations;
  std::vector<ColumnName> monetary;  // `monetary:`
  // `incremental:` "silver.slv_orders" -> its unique key (pipeline/incremental.h).
  std::map<std::string, std::vector<std::string>> incremental;
  std::vector<std::string> sections;  // top-level keys of pipeline.yaml, in file order
  std::optional<ScheduleSettings> schedule;  // `schedule:`, when present
  RunSettings run;                           // `run:` (defaults of `pareto run`)
  // `governance:` column masks and row filters, full table names; stored in the
  // metastore by `pareto governance apply` and `pareto run` (catalog/column_policies.h).
  catalog::ColumnPolicies governance;

  bool HasSection(std::string_view key) const;

  // What ingest needs: catalog, zone and sources.
  ingest::SourcesConfig Sources() const { return {catalog, timezone, sources}; }

  // The model producing "layer.table", or nullptr.
  const Model* FindModel(std::string_view qualified_name) const;
  // Expectations of "layer.table" (empty when none are declared).
  const std::vector<Expectation>& ExpectationsOf(std::string_view qualified_name) const;
};

// Layers that hold models, in build order.
inline constexpr std::string_view kModelLayers[] = {"silver", "gold"};

// Reads <dir>/pipeline.yaml and <dir>/{silver,gold}/*.sql through `env`. Errors
// name the file (and the line and key, for YAML) and say what to fix.
StatusOr<Project> LoadProject(const std::string& dir, Env* env = Env::Default());

// The leading `--` comment block of a model's SQL (see docs/pipeline-project.md).
std::string LeadingComment(std::string_view sql);

// True for a plain lower-case identifier: [a-z_][a-z0-9_]*.
bool IsPlainIdentifier(std::string_view name);

}  // namespace pareto::pipeline
