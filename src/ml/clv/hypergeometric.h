// The Gaussian hypergeometric function 2F1(a, b; c; z), which BG/NBD's expected
// number of transactions needs (Fader, Hardie & Lee 2005, eq. 9 and 10).
//
// By its power series sum_j (a)_j (b)_j / ((c)_j j!) z^j, which converges for
// |z| < 1. The models only ask for 0 <= z < 1 (z = t / (alpha + T + t)) with
// a, b, c > 0, where every term is positive, so the partial sums increase and
// stopping when a term is below 1e-15 of the sum (and the remaining terms,
// bounded by a geometric tail of ratio ~z, are too) is a safe criterion.
//
// Thread safety: a pure function.
#pragma once

#include "common/status.h"

namespace pareto::ml::clv {

// Fails (rather than return a truncated sum) for z outside [0, 1), for c <= 0,
// or when the series has not converged within `max_terms` terms.
StatusOr<double> Hyp2F1(double a, double b, double c, double z, int max_terms = 1000000);

}  // namespace pareto::ml::clv
