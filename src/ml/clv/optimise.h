// A derivative-free minimiser for the buy-till-you-die likelihoods: Nelder-Mead
// (Nelder & Mead 1965, the standard reflection/expansion/contraction/shrink
// coefficients 1, 2, 1/2, 1/2), restarted from its own optimum until a restart
// no longer improves the objective. A single Nelder-Mead run can stall on a
// flat ridge (the BG/NBD likelihood has one along a/b); restarting with a fresh
// simplex is the classic remedy, and it reaches the optimum to the precision
// the published estimates are printed with.
//
// The models minimise over log-parameters, so every point is admissible and no
// bounds are needed.
//
// Thread safety: a pure function of its arguments.
#pragma once

#include <functional>
#include <vector>

#include "common/status.h"

namespace pareto::ml::clv {

struct MinimiseOptions {
  double initial_step = 0.5;      // simplex edge, in the units of x (log-parameters)
  double tolerance = 1e-12;       // stop a run when the simplex's f spread is below this
  int max_evaluations = 200000;   // over all restarts
  int max_restarts = 50;
};

struct MinimiseResult {
  std::vector<double> x;
  double value = 0;
  int evaluations = 0;
  int restarts = 0;
};

// Minimises `f` from `start`. A non-finite f counts as +infinity (a point the
// model cannot evaluate is never chosen). Fails when the budget runs out before
// a restart stops improving, or when f is non-finite at `start`.
StatusOr<MinimiseResult> Minimise(const std::function<double(const std::vector<double>&)>& f,
                                  std::vector<double> start, const MinimiseOptions& options = {});

}  // namespace pareto::ml::clv
