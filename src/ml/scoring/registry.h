// The ML run record and the model registry, as the ML stage uses them. The
// tables and the functions that read and write them live with their schema in
// catalog/model_registry.h (the metastore owns its tables); see there.
#pragma once

#include "catalog/model_registry.h"

namespace pareto::ml {

using catalog::models::ModelVersion;
using catalog::models::RunRecord;

using catalog::models::GetRun;
using catalog::models::GetVersion;
using catalog::models::InsertRun;
using catalog::models::ListRuns;
using catalog::models::ListVersions;
using catalog::models::NextVersion;
using catalog::models::ProductionVersion;
using catalog::models::Promote;
using catalog::models::PromoteIfNoneInProduction;
using catalog::models::RegisterVersion;
using catalog::models::UpdateRunArtifacts;

}  // namespace pareto::ml
