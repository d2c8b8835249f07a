// pipeline.yaml as typed sections: the one place that reads the file's YAML.
//
// ParseProjectFile turns the text into values and checks each section on its own
// (shape, names, types, actions); what needs the models too (expectations of a
// table no model produces) is checked by LoadProject (project.h). Who reads each
// section: catalog and timezone everyone, sources ingest, expectations the runner,
// monetary the leakage guard, ml the trainer (ml/ml_config.h).
//
// Thread safety: plain values and a pure function.
#pragma once

#include <compare>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/column_policies.h"
#include "catalog/runs.h"
#include "common/status.h"
#include "ingest/source_spec.h"
#include "pipeline/ml_settings.h"

namespace pareto::pipeline {

using catalog::ExpectationAction;

struct Expectation {
  std::string name;
  std::string condition;  // boolean DuckDB SQL over the model's output columns
  ExpectationAction action = ExpectationAction::kWarn;
};

// The expectations declared for one table, as written under `expectations:`.
struct TableExpectations {
  std::string table;                      // "silver.slv_order_fact"
  int line = 0;                           // of the table's key, for messages
  std::vector<Expectation> expectations;  // in file order
};

// A "layer.table.column" source column.
struct ColumnName {
  std::string table;   // "bronze.brz_payments"
  std::string column;  // "payment_value"
  std::string ToString() const { return table + "." + column; }
  friend auto operator<=>(const ColumnName&, const ColumnName&) = default;
};

// A model declared under `incremental:` (docs/pipeline-project.md): built by
// merging, on its unique key, what its SQL gives over the new rows of its bronze
// input (pipeline/incremental.h says when that is allowed).
struct IncrementalModel {
  std::string table;                    // "silver.slv_orders"
  int line = 0;                         // of the table's key, for messages
  std::vector<std::string> unique_key;  // the output columns naming one row
};

// `schedule:` (docs/workflows.md): when `pareto schedule run` runs the pipeline.
struct ScheduleSettings {
  std::string cron;    // five fields, checked (cron.h), in the top-level `timezone:`
  std::string source;  // `source:`, the folder of CSV drops to ingest; empty: no ingest
  int line = 0;
};

// `run:`: defaults of `pareto run`.
struct RunSettings {
  int64_t task_timeout_ms = 0;  // `task_timeout:` ("30m"); 0: none
};

struct ProjectFile {
  std::string catalog;                // `catalog:`, a lower-case identifier
  std::string timezone;               // `timezone:` (IANA), the shop's zone; empty when absent
  std::vector<std::string> sections;  // top-level keys, in file order
  std::vector<ingest::SourceSpec> sources;      // `sources:`, each validated, zone defaulted
  std::vector<TableExpectations> expectations;  // `expectations:`
  std::vector<ColumnName> monetary;             // `monetary:`
  std::vector<IncrementalModel> incremental;    // `incremental:`
  std::optional<MlSettings> ml;                 // `ml:`
  std::optional<ScheduleSettings> schedule;     // `schedule:`
  RunSettings run;                              // `run:`
  // `governance:` {masks: [{table, column, expression}], row_filters: [{table,
  // expression}]}; tables as layer.table or catalog.layer.table, stored full.
  catalog::ColumnPolicies governance;
};

// Parses pipeline.yaml text; `file` labels messages. Every failure is
// kInvalidArgument "FILE:LINE: what", naming the key at fault.
StatusOr<ProjectFile> ParseProjectFile(std::string_view text, std::string_view file);

}  // namespace pareto::pipeline
