// The ML tasks of `pareto run`: `ml.train` trains the project's run protocol
// after its feature table is built (recording the run with the pipeline run's id
// and registering the best model, which becomes the production model when there
// is none yet and ml.promote_first is set); `ml.score` then refreshes
// gold.gld_customer_scores from the production model, when there is one.
// With `ml.run_protocol: future_value` (the default project's) both are the
// future-value model's (ml/future_value/job.h): ml.train trains on the snapshots
// whose label windows end by the newest data and ml.score scores every person
// at the newest snapshot.
//
// Thread safety: the tasks run on the runner's thread with its connection.
#pragma once

#include <vector>

#include "common/status.h"
#include "pipeline/runner.h"

namespace pareto::ml {

// The run protocol that selects the future-value model (not one of ml.protocols).
inline constexpr const char* kFutureValueProtocol = "future_value";

// Both tasks, in order; fails when the project's `ml:` section cannot be read.
StatusOr<std::vector<pipeline::PostTask>> MlPostTasks(const pipeline::Project& project);

}  // namespace pareto::ml
