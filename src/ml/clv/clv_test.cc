// BG/NBD and Gamma-Gamma: the published CDNOW benchmark (when ../shared holds
// it), and parameter recovery on data simulated from known parameters.
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <tuple>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/random.h"
#include "ml/clv/bgnbd.h"
#include "ml/clv/gamma_gamma.h"
#include "ml/clv/hypergeometric.h"
#include "ml/clv/summary.h"

namespace pareto::ml::clv {
namespace {

namespace fs = std::filesystem;

struct Simulated {
  std::vector<RfmSummary> calibration;
  std::vector<double> holdout;  // purchases in (T, T + holdout]
};

// BG/NBD's story: a Poisson rate lambda ~ Gamma(r, alpha) while alive; after each
// repeat purchase the customer drops out with probability p ~ Beta(a, b).
Simulated SimulateBgNbd(const BgNbdParams& p, int n, double holdout, uint64_t seed) {
  Rng rng(seed);
  Simulated s;
  for (int i = 0; i < n; ++i) {
    const double lambda = rng.Gamma(p.r, p.alpha), drop = rng.Beta(p.a, p.b);
    const double T = rng.Uniform(20, 40);
    RfmSummary c{.x = 0, .t_x = 0, .T = T};
    double later = 0, t = 0;
    for (;;) {
      t += rng.Exponential(1 / lambda);
      if (t > T + holdout) break;
      if (t <= T) {
        c.x += 1, c.t_x = t;
      } else {
        later += 1;
      }
      if (rng.Bernoulli(drop)) break;
    }
    s.calibration.push_back(c);
    s.holdout.push_back(later);
  }
  return s;
}

TEST(Hyp2F1, MatchesClosedForms) {
  // 2F1(1, 1; 2; z) = -ln(1 - z) / z; 2F1(a, b; b; z) = (1 - z)^-a.
  for (double z : {0.0, 0.1, 0.5, 0.9, 0.99}) {
    auto f = Hyp2F1(1, 1, 2, z);
    ASSERT_TRUE(f.has_value()) << f.error().ToString();
    EXPECT_NEAR(*f, z == 0 ? 1.0 : -std::log1p(-z) / z, 1e-12);
    auto g = Hyp2F1(0.7, 3.2, 3.2, z);
    ASSERT_TRUE(g.has_value());
    EXPECT_NEAR(*g, std::pow(1 - z, -0.7), 1e-10 * std::pow(1 - z, -0.7));
  }
  EXPECT_FALSE(Hyp2F1(1, 1, 2, 1.0).has_value());
  EXPECT_FALSE(Hyp2F1(1, 1, -1, 0.5).has_value());
  EXPECT_FALSE(Hyp2F1(1, 1, 2, 0.9999999, 100).has_value());  // refuses a truncated sum
}

TEST(BgNbd, LikelihoodFallsAwayFromTheTruthAndTheFitRecoversIt) {
  const BgNbdParams truth{.r = 0.5, .alpha = 5.0, .a = 0.8, .b = 2.5};
  const Simulated s = SimulateBgNbd(truth, 20000, 39, 11);
  const double at_truth = BgNbdLogLikelihood(truth, s.calibration);
  // The gradient points to the truth: moving any parameter off it lowers the likelihood.
  for (double factor : {0.8, 1.25}) {
    for (int k = 0; k < 4; ++k) {
      BgNbdParams off = truth;
      double* fields[] = {&off.r, &off.alpha, &off.a, &off.b};
      *fields[k] *= factor;
      EXPECT_LT(BgNbdLogLikelihood(off, s.calibration), at_truth) << "parameter " << k << " x" << factor;
    }
  }
  auto fit = FitBgNbd(s.calibration);
  ASSERT_TRUE(fit.has_value()) << fit.error().ToString();
  const BgNbdParams& p = fit->params;
  EXPECT_GE(fit->log_likelihood, at_truth);  // the maximum is at least the truth's
  EXPECT_NEAR(p.r, truth.r, 0.1 * truth.r);
  EXPECT_NEAR(p.alpha, truth.alpha, 0.15 * truth.alpha);
  EXPECT_NEAR(p.a, truth.a, 0.25 * truth.a);
  EXPECT_NEAR(p.b, truth.b, 0.3 * truth.b);
  // The conditional expectation predicts the simulated holdout purchases.
  double expected = 0, actual = 0;
  for (size_t i = 0; i < s.calibration.size(); ++i) {
    auto e = BgNbdConditionalExpectedPurchases(truth, s.calibration[i], 39);
    ASSERT_TRUE(e.has_value()) << e.error().ToString();
    expected += *e;
    actual += s.holdout[i];
  }
  EXPECT_NEAR(expected / actual, 1.0, 0.05) << expected << " vs " << actual;
}

// A summary table (distinct (x, t_x, T) with counts) fits what the customers fit.
TEST(BgNbd, WeightedSummariesFitTheSameAsTheCustomers) {
  const BgNbdParams truth{.r = 0.5, .alpha = 5.0, .a = 0.8, .b = 2.5};
  Simulated s = SimulateBgNbd(truth, 3000, 39, 5);
  // Whole weeks, so that triples repeat.
  for (RfmSummary& c : s.calibration) {
    c.t_x = std::floor(c.t_x);
    c.T = std::max(c.t_x, std::floor(c.T));
  }
  std::map<std::tuple<double, double, double>, double> counts;
  for (const RfmSummary& c : s.calibration) counts[{c.x, c.t_x, c.T}] += 1;
  std::vector<RfmSummary> distinct;
  std::vector<double> weights;
  for (const auto& [k, n] : counts) {
    distinct.push_back({.x = std::get<0>(k), .t_x = std::get<1>(k), .T = std::get<2>(k)});
    weights.push_back(n);
  }
  ASSERT_LT(distinct.size(), s.calibration.size() / 2);
  auto full = FitBgNbd(s.calibration);
  auto summary = FitBgNbd(distinct, weights);
  ASSERT_TRUE(full.has_value() && summary.has_value());
  EXPECT_NEAR(summary->params.r, full->params.r, 1e-3 * full->params.r);
  EXPECT_NEAR(summary->params.alpha, full->params.alpha, 1e-3 * full->params.alpha);
  EXPECT_NEAR(summary->params.a, full->params.a, 1e-2 * full->params.a);
  EXPECT_NEAR(summary->params.b, full->params.b, 1e-2 * full->params.b);
  EXPECT_NEAR(summary->log_likelihood, full->log_likelihood, 1e-6 * std::abs(full->log_likelihood));
  EXPECT_FALSE(FitBgNbd(distinct, std::vector<double>(distinct.size() - 1, 1.0)).has_value());
}

TEST(BgNbd, RefusesInvalidSummaries) {
  EXPECT_FALSE(FitBgNbd({}).has_value());
  const std::vector<RfmSummary> bad{{.x = 1, .t_x = 5, .T = 3}};
  EXPECT_FALSE(FitBgNbd(bad).has_value());
}

TEST(BgNbd, ProbabilityAliveFallsWithTimeSinceTheLastPurchase) {
  const BgNbdParams p{.r = 0.243, .alpha = 4.414, .a = 0.793, .b = 2.426};
  EXPECT_EQ(BgNbdProbabilityAlive(p, {.x = 0, .t_x = 0, .T = 30}), 1.0);
  EXPECT_GT(BgNbdProbabilityAlive(p, {.x = 3, .t_x = 29, .T = 30}),
            BgNbdProbabilityAlive(p, {.x = 3, .t_x = 5, .T = 30}));
}

TEST(GammaGamma, RecoversKnownParameters) {
  const GammaGammaParams truth{.p = 6.0, .q = 4.0, .gamma = 15.0};
  Rng rng(5);
  std::vector<SpendSummary> customers;
  for (int i = 0; i < 20000; ++i) {
    const double nu = rng.Gamma(truth.q, truth.gamma);
    const int x = 1 + static_cast<int>(rng.Below(6));
    double sum = 0;
    for (int j = 0; j < x; ++j) sum += rng.Gamma(truth.p, nu);
    customers.push_back({.x = static_cast<double>(x), .mean_value = sum / x});
  }
  auto fit = FitGammaGamma(customers);
  ASSERT_TRUE(fit.has_value()) << fit.error().ToString();
  EXPECT_NEAR(fit->params.p, truth.p, 0.1 * truth.p);
  EXPECT_NEAR(fit->params.q, truth.q, 0.1 * truth.q);
  EXPECT_NEAR(fit->params.gamma, truth.gamma, 0.15 * truth.gamma);
  auto mean = GammaGammaExpectedValue(fit->params, {.x = 1, .mean_value = 10});
  ASSERT_TRUE(mean.has_value());
  // Shrinks one observed 10 towards the population mean p gamma / (q - 1) = 30.
  EXPECT_GT(*mean, 10);
  EXPECT_LT(*mean, 30);
}

int64_t DayOf(const std::string& yyyymmdd) {
  using namespace std::chrono;
  const year_month_day ymd{year{std::stoi(yyyymmdd.substr(0, 4))},
                           month{static_cast<unsigned>(std::stoi(yyyymmdd.substr(4, 2)))},
                           day{static_cast<unsigned>(std::stoi(yyyymmdd.substr(6, 2)))}};
  return sys_days{ymd}.time_since_epoch().count();
}

// Fader, Hardie & Lee (2005) on the CDNOW 1/10 sample: r = 0.243, alpha = 4.414,
// a = 0.793, b = 2.426; Fader & Hardie (2013): Gamma-Gamma p = 6.25, q = 3.74,
// gamma = 15.44 on the repeaters' mean repeat-transaction value (log-likelihood
// -4055.9177 in CLVTools' correctness test).
TEST(Cdnow, ReproducesThePublishedEstimates) {
  const fs::path file = fs::path(PARETO_SHARED_DIR) / "clv-reference" / "CDNOW_sample.txt";
  if (!fs::exists(file)) GTEST_SKIP() << file << " is absent";
  std::ifstream in(file);
  std::vector<Transaction> log;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string master, sample, date;
    double cds = 0, value = 0;
    if (!(fields >> master >> sample >> date >> cds >> value)) continue;
    log.push_back({.customer = master, .day = DayOf(date), .value = value});
  }
  ASSERT_EQ(log.size(), 6919u);
  auto histories = SummariseTransactions(log, DayOf("19970930"), DayOf("19980630"), 7.0);
  ASSERT_TRUE(histories.has_value()) << histories.error().ToString();
  ASSERT_EQ(histories->size(), 2357u);
  std::vector<RfmSummary> rfm;
  std::vector<SpendSummary> spend;
  for (const CustomerHistory& h : *histories) {
    rfm.push_back(h.rfm);
    if (h.rfm.x > 0) spend.push_back({.x = h.rfm.x, .mean_value = h.repeat_mean_value});
  }
  EXPECT_EQ(spend.size(), 946u);

  auto fit = FitBgNbd(rfm);
  ASSERT_TRUE(fit.has_value()) << fit.error().ToString();
  const BgNbdParams& p = fit->params;
  std::printf("BG/NBD on CDNOW: r=%.4f alpha=%.4f a=%.4f b=%.4f  LL=%.4f (%d evaluations)\n", p.r, p.alpha,
              p.a, p.b, fit->log_likelihood, fit->evaluations);
  EXPECT_NEAR(p.r, 0.243, 0.0005);
  EXPECT_NEAR(p.alpha, 4.414, 0.0005);
  EXPECT_NEAR(p.a, 0.793, 0.0005);
  EXPECT_NEAR(p.b, 2.426, 0.0005);

  auto gg = FitGammaGamma(spend);
  ASSERT_TRUE(gg.has_value()) << gg.error().ToString();
  std::printf("Gamma-Gamma on CDNOW repeaters: p=%.4f q=%.4f gamma=%.4f  LL=%.4f\n", gg->params.p,
              gg->params.q, gg->params.gamma, gg->log_likelihood);
  EXPECT_NEAR(gg->params.p, 6.25, 0.005);
  EXPECT_NEAR(gg->params.q, 3.74, 0.005);
  EXPECT_NEAR(gg->params.gamma, 15.44, 0.005);

  // The model's usual check: expected vs actual repeat transactions in the
  // 39-week holdout, by calibration frequency.
  std::map<int, std::pair<double, double>> buckets;  // min(x, 7) -> (expected, actual)
  std::map<int, int> customers;
  double expected = 0, actual = 0;
  for (const CustomerHistory& h : *histories) {
    auto e = BgNbdConditionalExpectedPurchases(p, h.rfm, 39);
    ASSERT_TRUE(e.has_value()) << e.error().ToString();
    const int bucket = std::min(static_cast<int>(h.rfm.x), 7);
    buckets[bucket].first += *e;
    buckets[bucket].second += h.holdout_transactions;
    customers[bucket] += 1;
    expected += *e;
    actual += h.holdout_transactions;
  }
  std::printf("holdout (39 weeks) repeat transactions by calibration repeats x:\n");
  std::printf("  x      customers  expected  actual\n");
  for (const auto& [x, ea] : buckets) {
    const std::string label = x == 7 ? "7+" : std::to_string(x);
    std::printf("  %-5s  %9d  %8.1f  %6.0f\n", label.c_str(), customers[x], ea.first, ea.second);
  }
  std::printf("  total  %7zu  %8.1f  %6.0f\n", histories->size(), expected, actual);
  // Measured: 1,653 expected vs 1,882 actual; the model under-predicts the
  // light repeaters (x = 1, 2) as the paper's conditional-expectation figure
  // shows. A wrong formula or convention lands far outside 15%.
  EXPECT_NEAR(expected / actual, 1.0, 0.15);
}

}  // namespace
}  // namespace pareto::ml::clv
