#include "catalog/model_registry.h"

#include <gtest/gtest.h>

#include "catalog/test_util.h"

namespace pareto::catalog::models {
namespace {

TEST(RegistryTest, RunsRoundTripAndVersionsCountUpPerName) {
  ::pareto::catalog::testing::TempDir dir;
  auto ms = Metastore::Open(dir.path());
  ASSERT_TRUE(ms.has_value());
  RunRecord run;
  run.model_name = "high_value_customer";
  run.protocol = "early";
  run.seed = 42;
  run.features = {"a", "b"};
  run.inputs = nlohmann::json::array({{{"table", "olist.gold.t"}, {"delta_version", 3}}});
  run.metrics = {{"best", "gbt"}};
  run.code_version = "pareto test";
  run.started_ms = 1000;
  run.duration_ms = 5;
  auto id = InsertRun(*ms, run);
  ASSERT_TRUE(id.has_value()) << id.error().ToString();
  auto back = GetRun(*ms, *id);
  ASSERT_TRUE(back.has_value() && back->has_value());
  EXPECT_EQ((*back)->features, run.features);
  EXPECT_EQ((*back)->inputs, run.inputs);
  EXPECT_EQ((*back)->seed, 42u);

  for (int i = 0; i < 2; ++i) {
    ModelVersion v{"high_value_customer", 0, *id, "gbt", "early", "p", 0.9, "none", 1, std::nullopt};
    auto next = NextVersion(*ms, v.name);
    ASSERT_TRUE(next.has_value());
    EXPECT_EQ(*next, i + 1);
    v.version = *next;
    ASSERT_TRUE(RegisterVersion(*ms, v).ok());
  }
  EXPECT_EQ(*NextVersion(*ms, "another_model"), 1);
  ModelVersion dup{"high_value_customer", 2, *id, "gbt", "early", "p", 0.9, "none", 1, std::nullopt};
  EXPECT_EQ(RegisterVersion(*ms, dup).code(), StatusCode::kAlreadyExists);
}

// Versions 1..count of model "m", from one recorded run, none promoted.
void RegisterVersionsOfM(catalog::Metastore& ms, const std::string& kind, int count) {
  RunRecord run;
  run.model_name = "m";
  run.protocol = "early";
  run.code_version = "x";
  auto id = InsertRun(ms, run);
  ASSERT_TRUE(id.has_value());
  for (int v = 1; v <= count; ++v) {
    ASSERT_TRUE(RegisterVersion(ms, {"m", v, *id, kind, "early", "p", 0.8, "none", 1, std::nullopt}).ok());
  }
}

TEST(RegistryTest, PromotionKeepsOneProductionVersion) {
  ::pareto::catalog::testing::TempDir dir;
  auto ms = Metastore::Open(dir.path());
  ASSERT_TRUE(ms.has_value());
  RegisterVersionsOfM(*ms, "lr", 2);
  EXPECT_FALSE(ProductionVersion(*ms, "m")->has_value());
  ASSERT_TRUE(Promote(*ms, "m", 1, 100).ok());
  EXPECT_EQ((*ProductionVersion(*ms, "m"))->version, 1);
  ASSERT_TRUE(Promote(*ms, "m", 2, 200).ok());
  EXPECT_EQ((*ProductionVersion(*ms, "m"))->version, 2);
  EXPECT_EQ((*GetVersion(*ms, "m", 1))->stage, "archived");
  EXPECT_EQ((*GetVersion(*ms, "m", 2))->promoted_ms, 200);
  Status missing = Promote(*ms, "m", 9, 300);
  EXPECT_EQ(missing.code(), StatusCode::kNotFound);
  EXPECT_EQ((*ProductionVersion(*ms, "m"))->version, 2);  // unchanged by the failed promotion
}

TEST(RegistryTest, OnlyTheFirstVersionIsPromotedWithoutAPerson) {
  ::pareto::catalog::testing::TempDir dir;
  auto ms = Metastore::Open(dir.path());
  ASSERT_TRUE(ms.has_value());
  RegisterVersionsOfM(*ms, "gbt", 3);
  auto first = PromoteIfNoneInProduction(*ms, "m", 1, 100);
  ASSERT_TRUE(first.has_value()) << first.error().ToString();
  EXPECT_TRUE(*first);
  auto second = PromoteIfNoneInProduction(*ms, "m", 2, 200);
  ASSERT_TRUE(second.has_value());
  EXPECT_FALSE(*second);
  EXPECT_EQ((*ProductionVersion(*ms, "m"))->version, 1);
  EXPECT_EQ((*GetVersion(*ms, "m", 2))->stage, (*GetVersion(*ms, "m", 3))->stage);  // both still candidates
  ASSERT_TRUE(Promote(*ms, "m", 3, 300).ok());  // a person's choice still goes through
  EXPECT_EQ((*ProductionVersion(*ms, "m"))->version, 3);
  EXPECT_EQ(PromoteIfNoneInProduction(*ms, "m", 9, 400).value_or(true), false);
}

}  // namespace
}  // namespace pareto::catalog::models
