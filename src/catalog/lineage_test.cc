#include "catalog/lineage.h"

#include <gtest/gtest.h>

#include "catalog/test_util.h"

namespace pareto::catalog {
namespace {

using ::pareto::catalog::testing::TempDir;

TEST(LineageTest, ReplacingTableLineageForgetsOldUpstreams) {
  TempDir dir;
  auto ms = Metastore::Open(dir.path());
  ASSERT_TRUE(ms.has_value());
  const std::string fact = "olist.silver.slv_order_fact";
  ASSERT_TRUE(ReplaceTableLineage(*ms, fact, {"olist.bronze.brz_orders", "olist.bronze.brz_items"}).ok());
  EXPECT_EQ(UpstreamTables(*ms, fact).value(),
            (std::vector<std::string>{"olist.bronze.brz_items", "olist.bronze.brz_orders"}));
  ASSERT_TRUE(ReplaceTableLineage(*ms, fact, {"olist.bronze.brz_orders", "olist.bronze.brz_orders"}).ok());
  EXPECT_EQ(UpstreamTables(*ms, fact).value(), std::vector<std::string>{"olist.bronze.brz_orders"});
  EXPECT_EQ(DownstreamTables(*ms, "olist.bronze.brz_orders").value(), std::vector<std::string>{fact});
  EXPECT_TRUE(DownstreamTables(*ms, "olist.bronze.brz_items").value().empty());
}

TEST(LineageTest, AllTableEdgesIsTheWholeGraphSorted) {
  TempDir dir;
  auto ms = Metastore::Open(dir.path());
  ASSERT_TRUE(ms.has_value());
  EXPECT_TRUE(AllTableEdges(*ms).value().empty());
  ASSERT_TRUE(ReplaceTableLineage(*ms, "olist.gold.g", {"olist.silver.s"}).ok());
  ASSERT_TRUE(ReplaceTableLineage(*ms, "olist.silver.s", {"olist.bronze.b2", "olist.bronze.b1"}).ok());
  EXPECT_EQ(AllTableEdges(*ms).value(), (std::vector<TableEdge>{{"olist.silver.s", "olist.gold.g"},
                                                                {"olist.bronze.b1", "olist.silver.s"},
                                                                {"olist.bronze.b2", "olist.silver.s"}}));
  // Replacing a table's upstreams replaces its edges in the graph too.
  ASSERT_TRUE(ReplaceTableLineage(*ms, "olist.silver.s", {"olist.bronze.b1"}).ok());
  EXPECT_EQ(AllTableEdges(*ms).value().size(), 2u);
}

TEST(LineageTest, FollowsColumnsThroughEveryLayer) {
  TempDir dir;
  auto ms = Metastore::Open(dir.path());
  ASSERT_TRUE(ms.has_value());
  const ColumnRef price{"olist.bronze.brz_items", "price"};
  const ColumnRef state{"olist.bronze.brz_customers", "customer_state"};
  ASSERT_TRUE(ReplaceColumnLineage(*ms, "olist.silver.slv_fact",
                                   {{"revenue", price}, {"state", state}})
                  .ok());
  ASSERT_TRUE(ReplaceColumnLineage(*ms, "olist.gold.gld_features",
                                   {{"avg_ticket", {"olist.silver.slv_fact", "revenue"}},
                                    {"state", {"olist.silver.slv_fact", "state"}}})
                  .ok());
  const ColumnRef ticket{"olist.gold.gld_features", "avg_ticket"};
  EXPECT_EQ(UpstreamColumns(*ms, ticket).value(),
            (std::vector<ColumnRef>{{"olist.silver.slv_fact", "revenue"}}));
  EXPECT_EQ(AllUpstreamColumns(*ms, ticket).value(),
            (std::vector<ColumnRef>{price, {"olist.silver.slv_fact", "revenue"}}));
  auto state_reach = AllUpstreamColumns(*ms, {"olist.gold.gld_features", "state"});
  ASSERT_TRUE(state_reach.has_value());
  EXPECT_EQ(std::count(state_reach->begin(), state_reach->end(), price), 0);
  EXPECT_EQ(std::count(state_reach->begin(), state_reach->end(), state), 1);
}

TEST(LineageTest, ToleratesCycles) {
  TempDir dir;
  auto ms = Metastore::Open(dir.path());
  ASSERT_TRUE(ms.has_value());
  ASSERT_TRUE(ReplaceColumnLineage(*ms, "c.s.a", {{"x", {"c.s.b", "y"}}}).ok());
  ASSERT_TRUE(ReplaceColumnLineage(*ms, "c.s.b", {{"y", {"c.s.a", "x"}}}).ok());
  EXPECT_EQ(AllUpstreamColumns(*ms, {"c.s.a", "x"}).value(), (std::vector<ColumnRef>{{"c.s.b", "y"}}));
}

TEST(LineageTest, LineageColumnsKeepTheTableOrder) {
  TempDir dir;
  auto ms = Metastore::Open(dir.path());
  ASSERT_TRUE(ms.has_value());
  ASSERT_TRUE(ReplaceColumnLineage(*ms, "c.s.t",
                                   {{"zeta", {"c.s.a", "x"}}, {"alpha", {"c.s.a", "y"}}, {"zeta", {"c.s.b", "z"}}})
                  .ok());
  EXPECT_EQ(LineageColumns(*ms, "c.s.t").value(), (std::vector<std::string>{"zeta", "alpha"}));
  EXPECT_TRUE(LineageColumns(*ms, "c.s.none").value().empty());
}

}  // namespace
}  // namespace pareto::catalog
