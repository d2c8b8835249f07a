// BG/NBD, the beta-geometric / negative-binomial "buy till you die" model of
// Fader, Hardie & Lee, "Counting your customers the easy way" (Marketing
// Science 24(2), 2005), as users of the `lifetimes` library know it.
//
// While alive, a customer buys as a Poisson process of rate lambda ~ Gamma(r,
// alpha); after each purchase they drop out with probability p ~ Beta(a, b).
// A customer is summarised by x (repeat purchases in the calibration period),
// t_x (time from the first to the last purchase) and T (time from the first
// purchase to the end of calibration), all in one time unit.
//
// Fitted by maximum likelihood over log-parameters (ml/clv/optimise.h); the
// per-customer log-likelihood is the paper's eq. 6, written with lgamma and a
// log-sum-exp so that large x and T do not overflow.
//
// Thread safety: plain values and pure functions.
#pragma once

#include <span>

#include "common/status.h"
#include "ml/clv/optimise.h"

namespace pareto::ml::clv {

struct RfmSummary {
  double x = 0;    // repeat purchases in calibration
  double t_x = 0;  // time of the last purchase, from the first (0 when x = 0)
  double T = 0;    // time from the first purchase to the end of calibration
};

struct BgNbdParams {
  double r = 1, alpha = 1, a = 1, b = 1;
};

struct BgNbdFit {
  BgNbdParams params;
  double log_likelihood = 0;  // total over customers, at params
  int evaluations = 0;
};

// The log-likelihood of one customer's (x, t_x, T).
double BgNbdLogLikelihood(const BgNbdParams& p, const RfmSummary& c);
double BgNbdLogLikelihood(const BgNbdParams& p, std::span<const RfmSummary> customers);

// Fails on an empty input, on an invalid summary (x < 0, t_x < 0 or t_x > T)
// or when the optimiser does not converge.
StatusOr<BgNbdFit> FitBgNbd(std::span<const RfmSummary> customers);
// The same over distinct summaries, each standing for `weights[i]` (> 0)
// customers: the likelihood is a sum over customers, and at scale the (x, t_x,
// T) triples repeat (most persons bought once), so a summary table fits the
// same parameters in a fraction of the time.
// `options` bounds the search (a production fit caps its evaluations and fails
// rather than spend seconds walking a flat ridge).
StatusOr<BgNbdFit> FitBgNbd(std::span<const RfmSummary> customers, std::span<const double> weights,
                            const MinimiseOptions& options = {});

// E[X(t)]: expected purchases in (0, t] of a customer just acquired (eq. 9).
StatusOr<double> BgNbdExpectedPurchases(const BgNbdParams& p, double t);
// E[Y(t) | x, t_x, T]: expected purchases in the next t after calibration (eq. 10).
StatusOr<double> BgNbdConditionalExpectedPurchases(const BgNbdParams& p, const RfmSummary& c, double t);
// P(alive | x, t_x, T) at the end of calibration.
double BgNbdProbabilityAlive(const BgNbdParams& p, const RfmSummary& c);

}  // namespace pareto::ml::clv
