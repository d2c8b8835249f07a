#include "ml/clv/optimise.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <string>

namespace pareto::ml::clv {
namespace {

struct Run {
  std::vector<double> x;
  double value;
};

// One Nelder-Mead run; `evaluations` counts calls to f across runs.
Run NelderMead(const std::function<double(const std::vector<double>&)>& eval,
               const std::vector<double>& start, double step, double tolerance,
               int max_evaluations, int& evaluations) {
  const size_t n = start.size();
  std::vector<std::vector<double>> simplex(n + 1, start);
  std::vector<double> values(n + 1);
  for (size_t i = 0; i < n; ++i) simplex[i + 1][i] += step;
  for (size_t i = 0; i <= n; ++i) {
    values[i] = eval(simplex[i]);
    ++evaluations;
  }
  std::vector<size_t> order(n + 1);
  auto point = [&](const std::vector<double>& centroid, const std::vector<double>& worst,
                   double coefficient) {
    std::vector<double> p(n);
    for (size_t j = 0; j < n; ++j) p[j] = centroid[j] + coefficient * (worst[j] - centroid[j]);
    return p;
  };
  while (evaluations < max_evaluations) {
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](size_t l, size_t r) { return values[l] < values[r]; });
    const size_t best = order.front(), worst = order.back(), second = order[n - 1];
    if (std::abs(values[worst] - values[best]) <= tolerance * (1 + std::abs(values[best]))) break;
    std::vector<double> centroid(n, 0.0);
    for (size_t i = 0; i <= n; ++i) {
      if (i == worst) continue;
      for (size_t j = 0; j < n; ++j) centroid[j] += simplex[i][j] / static_cast<double>(n);
    }
    std::vector<double> reflected = point(centroid, simplex[worst], -1.0);
    const double fr = eval(reflected);
    ++evaluations;
    if (fr < values[best]) {
      std::vector<double> expanded = point(centroid, simplex[worst], -2.0);
      const double fe = eval(expanded);
      ++evaluations;
      if (fe < fr) {
        simplex[worst] = std::move(expanded), values[worst] = fe;
      } else {
        simplex[worst] = std::move(reflected), values[worst] = fr;
      }
      continue;
    }
    if (fr < values[second]) {
      simplex[worst] = std::move(reflected), values[worst] = fr;
      continue;
    }
    // Contract towards the better of the worst point and its reflection.
    const bool outside = fr < values[worst];
    std::vector<double> contracted = point(centroid, simplex[worst], outside ? -0.5 : 0.5);
    const double fc = eval(contracted);
    ++evaluations;
    if (fc < std::min(fr, values[worst])) {
      simplex[worst] = std::move(contracted), values[worst] = fc;
      continue;
    }
    for (size_t i = 0; i <= n; ++i) {
      if (i == best) continue;
      for (size_t j = 0; j < n; ++j) simplex[i][j] = simplex[best][j] + 0.5 * (simplex[i][j] - simplex[best][j]);
      values[i] = eval(simplex[i]);
      ++evaluations;
    }
  }
  const size_t best = static_cast<size_t>(std::min_element(values.begin(), values.end()) - values.begin());
  return {simplex[best], values[best]};
}

}  // namespace

StatusOr<MinimiseResult> Minimise(const std::function<double(const std::vector<double>&)>& f,
                                  std::vector<double> start, const MinimiseOptions& options) {
  auto eval = [&](const std::vector<double>& x) {
    const double v = f(x);
    return std::isfinite(v) ? v : std::numeric_limits<double>::infinity();
  };
  MinimiseResult result;
  result.value = eval(start);
  ++result.evaluations;
  if (!std::isfinite(result.value)) return std::unexpected(InvalidArgument("minimise: the objective is not finite at the start point"));
  result.x = std::move(start);
  for (int restart = 0; restart <= options.max_restarts; ++restart) {
    Run run = NelderMead(eval, result.x, options.initial_step, options.tolerance,
                         options.max_evaluations, result.evaluations);
    const double improvement = result.value - run.value;
    if (run.value < result.value) result.x = std::move(run.x), result.value = run.value;
    result.restarts = restart;
    if (result.evaluations >= options.max_evaluations) {
      return std::unexpected(Internal("minimise: no convergence within " + std::to_string(options.max_evaluations) +
                      " evaluations"));
    }
    // A restart that no longer moves the optimum means the optimum is found.
    if (restart > 0 && improvement <= options.tolerance * (1 + std::abs(result.value))) return result;
  }
  return std::unexpected(Internal("minimise: the optimum still moved after " + std::to_string(options.max_restarts) +
                  " restarts"));
}

}  // namespace pareto::ml::clv
