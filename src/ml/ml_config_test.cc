#include "ml/ml_config.h"

#include <gtest/gtest.h>

namespace pareto::ml {
namespace {

TEST(MlConfigTest, TheOlistProjectDeclaresBothProtocols) {
  auto config = LoadMlConfig(std::string(PARETO_SOURCE_DIR) + "/pipelines/olist");
  ASSERT_TRUE(config.has_value()) << config.error().ToString();
  EXPECT_EQ(config->model_name, "high_value_customer");
  const ProtocolSpec* seed = config->FindProtocol("seed");
  const ProtocolSpec* early = config->FindProtocol("early");
  ASSERT_NE(seed, nullptr);
  ASSERT_NE(early, nullptr);
  EXPECT_EQ(seed->features, (std::vector<std::string>{"recency_days", "frequency", "avg_review_score",
                                                      "avg_delivery_days", "avg_delivery_delay"}));
  EXPECT_EQ(seed->fill.at("avg_review_score"), 3);
  EXPECT_EQ(seed->fill.at("avg_delivery_days"), 7);
  EXPECT_EQ(seed->fill.at("avg_delivery_delay"), 0);
  EXPECT_EQ(seed->split, SplitKind::kStratified);
  EXPECT_EQ(early->split, SplitKind::kTime);
  EXPECT_EQ(early->spend_column, "total_spend");
  for (const std::string& f : early->features) EXPECT_NE(f, "total_spend");
  EXPECT_EQ(config->train.params.rf.trees, 200);
  EXPECT_EQ(config->train.params.rf.max_depth, 10);
  EXPECT_EQ(config->train.params.lr.c, 1.0);
  EXPECT_TRUE(config->promote_first);
}

TEST(MlConfigTest, ErrorsNameTheKey) {
  auto bad = ParseMlConfig("catalog: x\nml:\n  protocols:\n    p:\n      table: t\n      features: [a]\n      label: y\n      split: random\n", "x.yaml");
  ASSERT_FALSE(bad.has_value());
  EXPECT_NE(bad.error().message().find("ml.protocols.p.split"), std::string::npos) << bad.error().message();
  auto both = ParseMlConfig("catalog: x\nml:\n  protocols:\n    p: {table: t, features: [a], label: y, spend: s}\n", "x.yaml");
  ASSERT_FALSE(both.has_value());
  EXPECT_NE(both.error().message().find("exactly one of `label` and `spend`"), std::string::npos);
  auto none = ParseMlConfig("catalog: x\n", "x.yaml");
  EXPECT_EQ(none.error().code(), StatusCode::kNotFound);
  // A value of the wrong type names the file, the line and the key.
  auto seed = ParseMlConfig("catalog: x\nml:\n  seed: many\n", "x.yaml");
  ASSERT_FALSE(seed.has_value());
  EXPECT_NE(seed.error().message().find("x.yaml:3: `ml.seed` must be"), std::string::npos)
      << seed.error().message();
  auto depth = ParseMlConfig("catalog: x\nml:\n  models:\n    gbt: {max_depth: deep}\n", "x.yaml");
  ASSERT_FALSE(depth.has_value());
  EXPECT_NE(depth.error().message().find("x.yaml:4: `ml.models.gbt.max_depth` must be a number"),
            std::string::npos)
      << depth.error().message();
}

TEST(MlConfigTest, ParsesCutoffDates) {
  EXPECT_EQ(*ParseDateUs("1970-01-02"), 86'400'000'000LL);
  EXPECT_EQ(*ParseDateUs("2018-01-01"), 1514764800LL * 1'000'000);
  EXPECT_FALSE(ParseDateUs("2018-02-30").has_value());
  EXPECT_FALSE(ParseDateUs("soon").has_value());
}

}  // namespace
}  // namespace pareto::ml
