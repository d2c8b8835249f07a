#include "ml/models/logistic.h"

#include <gtest/gtest.h>

#include <fstream>
#include <vector>

#include "common/testing/temp_dir.h"

namespace pareto::ml {
namespace {

struct Fixture {
  Eigen::MatrixXd x;
  Eigen::VectorXd y;
  nlohmann::json j;
};

// Data and scikit-learn's fit, written by src/ml/testdata/make_logistic_fixture.py.
Fixture LoadFixture() {
  std::ifstream in(std::string(PARETO_SOURCE_DIR) + "/src/ml/testdata/logistic_fixture.json");
  Fixture f;
  f.j = nlohmann::json::parse(in);
  const auto rows = f.j.at("x").get<std::vector<std::vector<double>>>();
  const auto y = f.j.at("y").get<std::vector<double>>();
  f.x.resize(static_cast<Eigen::Index>(rows.size()), static_cast<Eigen::Index>(rows[0].size()));
  f.y.resize(static_cast<Eigen::Index>(y.size()));
  for (size_t i = 0; i < rows.size(); ++i) {
    for (size_t k = 0; k < rows[i].size(); ++k) f.x(i, k) = rows[i][k];
    f.y(i) = y[i];
  }
  return f;
}

TEST(LogisticTest, MatchesScikitLearnLogisticRegressionDefaults) {
  const Fixture f = LoadFixture();
  auto model = LogisticModel::Fit(f.x, f.y);
  ASSERT_TRUE(model.has_value()) << model.error().ToString();
  for (const char* fit : {"default", "converged"}) {
    const auto coef = f.j.at(fit).at("coef").get<std::vector<double>>();
    ASSERT_EQ(static_cast<size_t>(model->coefficients().size()), coef.size());
    for (size_t k = 0; k < coef.size(); ++k) {
      EXPECT_NEAR(model->coefficients()(k), coef[k], 1e-4) << fit << " coefficient " << k;
    }
    EXPECT_NEAR(model->intercept(), f.j.at(fit).at("intercept").get<double>(), 1e-4) << fit;
  }
  // Against the fully converged fit, agreement is far tighter than required.
  const auto coef = f.j.at("converged").at("coef").get<std::vector<double>>();
  for (size_t k = 0; k < coef.size(); ++k) EXPECT_NEAR(model->coefficients()(k), coef[k], 1e-7);
}

TEST(LogisticTest, ContributionsSumToTheMargin) {
  const Fixture f = LoadFixture();
  auto model = LogisticModel::Fit(f.x, f.y);
  ASSERT_TRUE(model.has_value());
  auto contrib = model->Contributions(f.x);
  auto prob = model->PredictProba(f.x);
  ASSERT_TRUE(contrib && prob);
  for (Eigen::Index i = 0; i < f.x.rows(); ++i) {
    const double margin = contrib->row(i).sum();
    EXPECT_NEAR(1.0 / (1.0 + std::exp(-margin)), (*prob)(i), 1e-12);
  }
}

TEST(LogisticTest, MissingValuesTakeTheTrainingMean) {
  const Fixture f = LoadFixture();
  auto model = LogisticModel::Fit(f.x, f.y);
  ASSERT_TRUE(model.has_value());
  Eigen::MatrixXd row(1, 4);
  row << std::nan(""), model->mean()(1), model->mean()(2), model->mean()(3);
  auto contrib = model->Contributions(row);
  ASSERT_TRUE(contrib.has_value());
  EXPECT_DOUBLE_EQ((*contrib)(0, 0), 0.0);
}

TEST(LogisticTest, SavedModelPredictsTheSame) {
  const Fixture f = LoadFixture();
  auto model = LogisticModel::Fit(f.x, f.y);
  ASSERT_TRUE(model.has_value());
  ::pareto::testing::TempDir dir;
  ASSERT_TRUE(model->Save(dir.path()).ok());
  std::ifstream in(dir.Sub("model.json"));
  auto loaded = LogisticModel::FromJson(nlohmann::json::parse(in));
  ASSERT_TRUE(loaded.has_value());
  EXPECT_EQ(*loaded->PredictProba(f.x), *model->PredictProba(f.x));
}

// A wide one-hot design (rare levels, collinear with the intercept) whose
// gradient cannot get below its summation noise: Newton must still stop at the
// optimum in a few steps instead of running to its iteration limit.
TEST(LogisticTest, StopsAtTheOptimumOnAWideOneHotDesign) {
  const Eigen::Index n = 30000, levels = 60;
  Eigen::MatrixXd x = Eigen::MatrixXd::Zero(n, levels + 2);
  Eigen::VectorXd y(n);
  uint64_t state = 7;
  auto uniform = [&] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<double>(state >> 11) / 9007199254740992.0;
  };
  for (Eigen::Index i = 0; i < n; ++i) {
    const auto level = static_cast<Eigen::Index>(levels * uniform() * uniform());  // skewed: rare high levels
    x(i, level) = 1.0;
    x(i, levels) = 1000 + 5000 * uniform();
    x(i, levels + 1) = uniform() < 0.1 ? std::nan("") : uniform();
    const double logit = 0.05 * static_cast<double>(level % 7) + 0.0002 * (x(i, levels) - 3500);
    y(i) = uniform() < 1 / (1 + std::exp(-logit)) ? 1 : 0;
  }
  auto m = LogisticModel::Fit(x, y);
  ASSERT_TRUE(m.has_value()) << m.error().ToString();
  EXPECT_LT(m->iterations(), 30);
  // At the optimum the penalized gradient is zero (up to summation noise).
  const Eigen::MatrixXd z = m->Standardize(x);
  const Eigen::VectorXd& w = m->coefficients();
  Eigen::VectorXd g = w;  // the penalty's gradient
  double g_intercept = 0;
  for (Eigen::Index i = 0; i < n; ++i) {
    const double p = 1 / (1 + std::exp(-(z.row(i).dot(w) + m->intercept())));
    g += (p - y(i)) * z.row(i).transpose();
    g_intercept += p - y(i);
  }
  EXPECT_LT(g.lpNorm<Eigen::Infinity>(), 1e-4);
  EXPECT_LT(std::abs(g_intercept), 1e-4);
}

TEST(LogisticTest, RefusesMismatchedLabels) {
  Eigen::MatrixXd x(3, 1);
  x << 1, 2, 3;
  Eigen::VectorXd y(2);
  y << 0, 1;
  EXPECT_FALSE(LogisticModel::Fit(x, y).has_value());
}

}  // namespace
}  // namespace pareto::ml
