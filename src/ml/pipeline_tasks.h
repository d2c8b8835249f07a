// The ML tasks of `pareto run`: `ml.train` trains the project's run protocol
// after its feature table is built (recording the run with the pipeline run's id
// and registering the best model, which becomes the production model when there
// is none yet and ml.promote_first is set); `ml.score` then refreshes
// gold.gld_customer_scores from the production model, when there is one.
//
// Thread safety: the tasks run on the runner's thread with its connection.
#pragma once

#include <vector>

#include "common/status.h"
#include "pipeline/runner.h"

namespace pareto::ml {

// Both tasks, in order; fails when the project's `ml:` section cannot be read.
StatusOr<std::vector<pipeline::PostTask>> MlPostTasks(const pipeline::Project& project);

}  // namespace pareto::ml
