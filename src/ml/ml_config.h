// The `ml:` section of pipeline.yaml: the model's name, the protocols (table,
// label, features, fills, split), model parameters and scoring threshold.
// Monetary tags come from the project's `monetary:` list (pipeline/project.h);
// point-in-time tags from its `known_at:` list.
//
// Ownership: plain values. Thread safety: immutable once loaded.
#pragma once

#include <string>
#include <vector>

#include "common/env.h"
#include "common/status.h"
#include "ml/training/trainer.h"
#include "pipeline/project.h"

namespace pareto::ml {

struct MlConfig {
  std::string model_name = "high_value_customer";
  std::vector<ProtocolSpec> protocols;  // in file order
  TrainOptions train;
  std::string run_protocol = "early";  // the protocol `pareto run` trains
  double score_threshold = 0.5;        // predicted class = probability >= threshold
  std::string scores_table = "gold.gld_customer_scores";
  // `pareto run` promotes the version it registers when none is in production
  // yet, so a new lakehouse has scores after its first run; later versions wait
  // for `pareto models promote`.
  bool promote_first = false;

  // `known_at:`: "layer.table.column" -> the moment it becomes known; columns not
  // listed are known at purchase (ml/training/point_in_time.h).
  std::vector<std::pair<std::string, Moment>> known_at;

  const ProtocolSpec* FindProtocol(std::string_view name) const;
};

// The project's `ml:` section (read by pipeline::LoadProject) with ml's defaults
// for what it leaves out, checked. Errors name the file and key.
StatusOr<MlConfig> MlConfigFromProject(const pipeline::Project& project);
// The same from a project folder: LoadProject, then MlConfigFromProject.
StatusOr<MlConfig> LoadMlConfig(const std::string& project_dir, Env* env = Env::Default());
// The same from pipeline.yaml text (for tests); `where` names it in errors.
StatusOr<MlConfig> ParseMlConfig(const std::string& yaml_text, const std::string& where);

// "2018-01-01" (UTC midnight) -> epoch microseconds.
StatusOr<int64_t> ParseDateUs(std::string_view date);

}  // namespace pareto::ml
