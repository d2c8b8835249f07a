#include "ml/clv/hypergeometric.h"

#include <cmath>
#include <fmt/format.h>

namespace pareto::ml::clv {

StatusOr<double> Hyp2F1(double a, double b, double c, double z, int max_terms) {
  if (!(z >= 0 && z < 1)) return std::unexpected(InvalidArgument(fmt::format("2F1: z = {} is outside [0, 1)", z)));
  if (!(c > 0)) return std::unexpected(InvalidArgument(fmt::format("2F1: c = {} must be positive", c)));
  double term = 1.0, sum = 1.0;
  for (int j = 0; j < max_terms; ++j) {
    const double ratio = (a + j) * (b + j) / ((c + j) * (j + 1.0)) * z;
    term *= ratio;
    sum += term;
    // Once the ratio has settled below 1 the tail is at most term * ratio / (1 - ratio).
    if (ratio < 1 && std::abs(term) * (1 + ratio / (1 - ratio)) <= 1e-15 * std::abs(sum)) return sum;
  }
  return std::unexpected(Internal(fmt::format("2F1({}, {}; {}; {}) did not converge in {} terms", a, b, c, z, max_terms)));
}

}  // namespace pareto::ml::clv
