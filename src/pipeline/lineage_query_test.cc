#include "pipeline/lineage_query.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "pipeline/test_util.h"

namespace pareto::pipeline {
namespace {

using catalog::ColumnRef;

class LineageQueryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto ms = catalog::Metastore::Open(dir_.path());
    ASSERT_TRUE(ms.has_value());
    ms_.emplace(std::move(*ms));
    // features.total_spend <- fact.payment_total <- payments.payment_value
    // features.orders      <- fact.order_id      <- orders.order_id
    // features.all         <- fact.*  (unknown schema)
    ASSERT_TRUE(catalog::ReplaceColumnLineage(*ms_, "o.silver.fact",
                                              {{"payment_total", {"o.bronze.payments", "payment_value"}},
                                               {"order_id", {"o.bronze.orders", "order_id"}}})
                    .ok());
    ASSERT_TRUE(catalog::ReplaceColumnLineage(*ms_, "o.gold.features",
                                              {{"total_spend", {"o.silver.fact", "payment_total"}},
                                               {"orders", {"o.silver.fact", "order_id"}},
                                               {"all", {"o.bronze.payments", "*"}}})
                    .ok());
  }
  testing::TempDir dir_;
  std::optional<catalog::Metastore> ms_;
  std::vector<ColumnRef> monetary_{{"o.bronze.payments", "payment_value"}, {"o.bronze.items", "price"}};
};

TEST_F(LineageQueryTest, NamesThePathToAMonetarySource) {
  auto path = FindLineagePath(*ms_, {"o.gold.features", "total_spend"}, monetary_);
  ASSERT_TRUE(path.has_value());
  ASSERT_TRUE(path->has_value());
  EXPECT_EQ(FormatLineagePath(**path),
            "o.gold.features.total_spend <- o.silver.fact.payment_total <- o.bronze.payments.payment_value");
}

TEST_F(LineageQueryTest, ColumnsNotComputedFromMoneyHaveNoPath) {
  auto path = FindLineagePath(*ms_, {"o.gold.features", "orders"}, monetary_);
  ASSERT_TRUE(path.has_value());
  EXPECT_FALSE(path->has_value());
}

TEST_F(LineageQueryTest, AStarEdgeCountsAsEveryColumnOfItsTable) {
  auto path = FindLineagePath(*ms_, {"o.gold.features", "all"}, monetary_);
  ASSERT_TRUE(path.has_value());
  ASSERT_TRUE(path->has_value());
  EXPECT_EQ((*path)->size(), 2u);
}

}  // namespace
}  // namespace pareto::pipeline
