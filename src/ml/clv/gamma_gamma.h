// The Gamma-Gamma model of spend per transaction (Fader, Hardie & Lee, "RFM and
// CLV: using iso-value curves for customer base analysis", JMR 2005; Fader &
// Hardie, "The Gamma-Gamma model of monetary value", 2013).
//
// A customer's transaction values are Gamma(p, nu) with nu ~ Gamma(q, gamma)
// across customers; what is observed is x transactions with mean value m_x.
// Fitted on customers with x > 0 by maximum likelihood over log-parameters.
// Assumes spend is independent of purchase frequency (check it on the data:
// the correlation of x and m_x should be near zero).
//
// Thread safety: plain values and pure functions.
#pragma once

#include <span>

#include "common/status.h"

namespace pareto::ml::clv {

struct SpendSummary {
  double x = 0;           // number of transactions the mean is over (> 0)
  double mean_value = 0;  // their average value (> 0)
};

struct GammaGammaParams {
  double p = 1, q = 1, gamma = 1;
};

struct GammaGammaFit {
  GammaGammaParams params;
  double log_likelihood = 0;
  int evaluations = 0;
};

// Log-likelihood of one customer's mean value m_x given x, of the density of m_x.
double GammaGammaLogLikelihood(const GammaGammaParams& p, const SpendSummary& c);
double GammaGammaLogLikelihood(const GammaGammaParams& p, std::span<const SpendSummary> customers);

// Fails on an empty input, on x <= 0 or mean_value <= 0, or without convergence.
StatusOr<GammaGammaFit> FitGammaGamma(std::span<const SpendSummary> customers);

// E[M | x, m_x]: the customer's expected value per transaction, a weighted mean
// of the population mean p gamma / (q - 1) and their own m_x. Needs q > 1.
StatusOr<double> GammaGammaExpectedValue(const GammaGammaParams& p, const SpendSummary& c);

}  // namespace pareto::ml::clv
