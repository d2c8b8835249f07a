#include "ml/logistic.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <vector>

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
  const auto dir = std::filesystem::temp_directory_path() / "pareto_lr_test";
  std::filesystem::create_directories(dir);
  ASSERT_TRUE(model->Save(dir.string()).ok());
  std::ifstream in(dir / "model.json");
  auto loaded = LogisticModel::FromJson(nlohmann::json::parse(in));
  ASSERT_TRUE(loaded.has_value());
  EXPECT_EQ(*loaded->PredictProba(f.x), *model->PredictProba(f.x));
  std::filesystem::remove_all(dir);
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
