// Synthetic person tables for ML tests: spend depends on two numeric features
// and a category; one feature has NULLs; persons arrive over time.
#pragma once

#include <cmath>
#include <limits>
#include <string>

#include "common/random.h"
#include "ml/training/dataset.h"

namespace pareto::ml::testing {

inline Frame SyntheticPersons(size_t n, uint64_t seed) {
  Rng rng(seed);
  FrameColumn id{"customer_unique_id", true, {}, {}}, spend{"total_spend", false, {}, {}},
      time{"first_purchase_ts", false, {}, {}}, items{"items", false, {}, {}}, weight{"weight", false, {}, {}},
      noise{"noise", false, {}, {}}, state{"state", true, {}, {}}, label{"high_value", false, {}, {}};
  const char* states[] = {"SP", "RJ", "MG", "BA"};
  for (size_t i = 0; i < n; ++i) {
    id.texts.push_back("p" + std::to_string(100000 + i));
    const double it = 1 + static_cast<double>(rng.UnbiasedBelow(3));
    const double w = rng.Uniform() * 10;
    const size_t s = static_cast<size_t>(rng.UnbiasedBelow(4));
    const double sp = 20 * it + 8 * w + (s == 0 ? 0 : 15) + 40 * rng.Uniform();
    items.numbers.push_back(it);
    weight.numbers.push_back(i % 13 == 0 ? std::numeric_limits<double>::quiet_NaN() : w);
    noise.numbers.push_back(rng.Uniform());
    state.texts.push_back(i % 29 == 0 ? std::nullopt : std::optional<std::string>(states[s]));
    spend.numbers.push_back(sp);
    time.numbers.push_back(1.5e15 + static_cast<double>(i) * 6e10);  // one per minute
    label.numbers.push_back(sp >= 110 ? 1.0 : 0.0);
  }
  Frame f;
  f.rows = n;
  f.columns = {id, spend, time, items, weight, noise, state, label};
  return f;
}

}  // namespace pareto::ml::testing
