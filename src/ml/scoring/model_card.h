// The model card of a registered version (markdown): intended use, data,
// protocol, metrics, leakage statement, known limits.
//
// Thread safety: pure function.
#pragma once

#include <string>

#include "ml/scoring/registry.h"
#include "ml/training/trainer.h"

namespace pareto::ml {

std::string ModelCard(const ModelVersion& version, const ProtocolResult& result, const RunRecord& run);

}  // namespace pareto::ml
