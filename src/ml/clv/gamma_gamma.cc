#include "ml/clv/gamma_gamma.h"

#include <cmath>
#include <fmt/format.h>
#include <vector>

#include "ml/clv/optimise.h"

namespace pareto::ml::clv {

double GammaGammaLogLikelihood(const GammaGammaParams& p, const SpendSummary& c) {
  // f(m_x | p, q, gamma, x) = Gamma(px+q) / (Gamma(px) Gamma(q)) * gamma^q m_x^(px-1) x^(px)
  //                           / (gamma + m_x x)^(px+q)
  const double px = p.p * c.x;
  return std::lgamma(px + p.q) - std::lgamma(px) - std::lgamma(p.q) + p.q * std::log(p.gamma) +
         (px - 1) * std::log(c.mean_value) + px * std::log(c.x) -
         (px + p.q) * std::log(p.gamma + c.mean_value * c.x);
}

double GammaGammaLogLikelihood(const GammaGammaParams& p, std::span<const SpendSummary> customers) {
  double sum = 0;
  for (const SpendSummary& c : customers) sum += GammaGammaLogLikelihood(p, c);
  return sum;
}

StatusOr<GammaGammaFit> FitGammaGamma(std::span<const SpendSummary> customers) {
  if (customers.empty()) return std::unexpected(InvalidArgument("Gamma-Gamma: no customers to fit"));
  double mean = 0;
  const double n = static_cast<double>(customers.size());
  for (const SpendSummary& c : customers) {
    if (!(c.x > 0 && c.mean_value > 0)) {
      return std::unexpected(InvalidArgument(fmt::format("Gamma-Gamma: invalid summary x={} m_x={}", c.x, c.mean_value)));
    }
    mean += c.mean_value / n;
  }
  auto objective = [&](const std::vector<double>& v) {
    return -GammaGammaLogLikelihood({std::exp(v[0]), std::exp(v[1]), std::exp(v[2])}, customers) / n;
  };
  // Start with p = q = 2 and gamma matching the mean: p gamma / (q - 1) = mean.
  PARETO_ASSIGN_OR_RETURN(MinimiseResult m,
                          Minimise(objective, {std::log(2.0), std::log(2.0), std::log(mean / 2)}));
  GammaGammaFit fit;
  fit.params = {std::exp(m.x[0]), std::exp(m.x[1]), std::exp(m.x[2])};
  fit.log_likelihood = -m.value * n;
  fit.evaluations = m.evaluations;
  return fit;
}

StatusOr<double> GammaGammaExpectedValue(const GammaGammaParams& p, const SpendSummary& c) {
  if (p.q <= 1) return std::unexpected(InvalidArgument(fmt::format("Gamma-Gamma: the mean needs q > 1 (q = {})", p.q)));
  return p.p * (p.gamma + c.x * c.mean_value) / (p.p * c.x + p.q - 1);
}

}  // namespace pareto::ml::clv
