#include "ml/clv/bgnbd.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <limits>
#include <vector>

#include "ml/clv/hypergeometric.h"
#include "ml/clv/optimise.h"

namespace pareto::ml::clv {

double BgNbdLogLikelihood(const BgNbdParams& p, const RfmSummary& c) {
  const double x = c.x;
  // ln[Gamma(r+x) alpha^r / Gamma(r)] + ln[B(a, b+x) / B(a, b)]
  const double a1 = std::lgamma(p.r + x) - std::lgamma(p.r) + p.r * std::log(p.alpha);
  const double a2 = std::lgamma(p.a + p.b) + std::lgamma(p.b + x) - std::lgamma(p.b) -
                    std::lgamma(p.a + p.b + x);
  // Still alive at T, or dropped out right after the last purchase (only when x > 0).
  const double alive = -(p.r + x) * std::log(p.alpha + c.T);
  if (x <= 0) return a1 + a2 + alive;
  const double dropped = std::log(p.a) - std::log(p.b + x - 1) - (p.r + x) * std::log(p.alpha + c.t_x);
  const double m = std::max(alive, dropped);
  return a1 + a2 + m + std::log(std::exp(alive - m) + std::exp(dropped - m));
}

double BgNbdLogLikelihood(const BgNbdParams& p, std::span<const RfmSummary> customers) {
  double sum = 0;
  for (const RfmSummary& c : customers) sum += BgNbdLogLikelihood(p, c);
  return sum;
}

StatusOr<BgNbdFit> FitBgNbd(std::span<const RfmSummary> customers) {
  const std::vector<double> ones(customers.size(), 1.0);
  return FitBgNbd(customers, ones);
}

StatusOr<BgNbdFit> FitBgNbd(std::span<const RfmSummary> customers, std::span<const double> weights,
                            const MinimiseOptions& options) {
  if (customers.empty()) return std::unexpected(InvalidArgument("BG/NBD: no customers to fit"));
  if (weights.size() != customers.size()) return std::unexpected(InvalidArgument("BG/NBD: one weight per summary"));
  double n = 0;
  for (size_t i = 0; i < customers.size(); ++i) {
    const RfmSummary& c = customers[i];
    if (!(c.x >= 0 && c.t_x >= 0 && c.t_x <= c.T)) {
      return std::unexpected(InvalidArgument(fmt::format("BG/NBD: invalid summary x={} t_x={} T={}", c.x, c.t_x, c.T)));
    }
    if (!(weights[i] > 0)) return std::unexpected(InvalidArgument("BG/NBD: weights must be positive"));
    n += weights[i];
  }
  // Scale the likelihood per customer so that the optimiser's tolerance means
  // the same for 100 and for 1,000,000 customers.
  auto objective = [&](const std::vector<double>& v) {
    const BgNbdParams p{std::exp(v[0]), std::exp(v[1]), std::exp(v[2]), std::exp(v[3])};
    double sum = 0;
    for (size_t i = 0; i < customers.size(); ++i) sum += weights[i] * BgNbdLogLikelihood(p, customers[i]);
    return -sum / n;
  };
  // Start at 1 for every parameter except alpha, the scale of time: the mean T.
  double mean_t = 0;
  for (size_t i = 0; i < customers.size(); ++i) mean_t += weights[i] * customers[i].T / n;
  PARETO_ASSIGN_OR_RETURN(MinimiseResult m,
                          Minimise(objective, {0.0, std::log(std::max(mean_t, 1e-6)), 0.0, 0.0}, options));
  BgNbdFit fit;
  fit.params = {std::exp(m.x[0]), std::exp(m.x[1]), std::exp(m.x[2]), std::exp(m.x[3])};
  fit.log_likelihood = -m.value * n;
  fit.evaluations = m.evaluations;
  return fit;
}

StatusOr<double> BgNbdExpectedPurchases(const BgNbdParams& p, double t) {
  // a < 1 is fine (the bracket and the factor are then both negative); a = 1 is
  // the formula's removable singularity, which a fitted value never hits exactly.
  if (p.a == 1) return std::unexpected(InvalidArgument("BG/NBD: E[X(t)] at a = 1 is not implemented"));
  PARETO_ASSIGN_OR_RETURN(double f, Hyp2F1(p.r, p.b, p.a + p.b - 1, t / (p.alpha + t)));
  return (p.a + p.b - 1) / (p.a - 1) * (1 - std::pow(p.alpha / (p.alpha + t), p.r) * f);
}

double BgNbdProbabilityAlive(const BgNbdParams& p, const RfmSummary& c) {
  if (c.x <= 0) return 1.0;
  return 1.0 / (1.0 + p.a / (p.b + c.x - 1) * std::pow((p.alpha + c.T) / (p.alpha + c.t_x), p.r + c.x));
}

StatusOr<double> BgNbdConditionalExpectedPurchases(const BgNbdParams& p, const RfmSummary& c, double t) {
  const double x = c.x;
  const double z = t / (p.alpha + c.T + t);
  // Hyp2F1 refuses a + b + x - 1 <= 0; a = 1 is the formula's removable singularity.
  if (p.a == 1) return std::unexpected(InvalidArgument("BG/NBD: E[Y(t)] at a = 1 is not implemented"));
  PARETO_ASSIGN_OR_RETURN(double f, Hyp2F1(p.r + x, p.b + x, p.a + p.b + x - 1, z));
  const double numerator = (p.a + p.b + x - 1) / (p.a - 1) *
                           (1 - std::pow((p.alpha + c.T) / (p.alpha + c.T + t), p.r + x) * f);
  const double denominator = x > 0
      ? 1 + p.a / (p.b + x - 1) * std::pow((p.alpha + c.T) / (p.alpha + c.t_x), p.r + x)
      : 1.0;
  return numerator / denominator;
}

}  // namespace pareto::ml::clv
