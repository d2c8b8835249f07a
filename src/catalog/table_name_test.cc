#include "catalog/table_name.h"

#include <gtest/gtest.h>

#include "catalog/metastore.h"

namespace pareto::catalog {
namespace {

TEST(TableNameTest, ParsesOneTwoAndThreeParts) {
  EXPECT_EQ(TableName::Parse("brz_orders").value(), (TableName{"", "", "brz_orders"}));
  EXPECT_EQ(TableName::Parse("bronze.brz_orders").value(), (TableName{"", "bronze", "brz_orders"}));
  EXPECT_EQ(TableName::Parse("olist.bronze.brz_orders").value(), (TableName{"olist", "bronze", "brz_orders"}));
  EXPECT_TRUE(TableName::Parse("olist.bronze.brz_orders")->is_full());
  EXPECT_FALSE(TableName::Parse("bronze.brz_orders")->is_full());
}

TEST(TableNameTest, StoresLowerCase) {
  const TableName n = TableName::Parse("Olist.BRONZE.Brz_Orders").value();
  EXPECT_EQ(n.ToString(), "olist.bronze.brz_orders");
  EXPECT_EQ(n.SchemaQualified(), "bronze.brz_orders");
  EXPECT_EQ(n.Location(), "olist/bronze/brz_orders");
  EXPECT_EQ(TableName::Full("OLIST", "Gold", "X").value().ToString(), "olist.gold.x");
}

TEST(TableNameTest, RefusesMalformedNames) {
  for (const char* bad : {"", "a.b.c.d", "olist..brz", "olist.bronze.1x", "olist.bronze.", "a-b", "x y"}) {
    auto parsed = TableName::Parse(bad);
    ASSERT_FALSE(parsed.has_value()) << bad;
    EXPECT_EQ(parsed.error().code(), StatusCode::kInvalidArgument) << bad;
  }
  EXPECT_FALSE(TableName::Full("olist", "", "x").has_value());
}

TEST(TableNameTest, InCatalogQualifiesAProjectsOwnNames) {
  EXPECT_EQ(TableName::InCatalog("gold.Gld_RFM", "Olist").value().ToString(), "olist.gold.gld_rfm");
  EXPECT_EQ(TableName::InCatalog("other.gold.x", "olist").value().ToString(), "other.gold.x");
  auto bare = TableName::InCatalog("gld_rfm", "olist");
  ASSERT_FALSE(bare.has_value());
  EXPECT_EQ(bare.error().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(TableName::InCatalog("gold.x", "bad-catalog").has_value());
}

std::vector<TableInfo> Tables() {
  return {{.catalog = "olist", .schema = "bronze", .name = "brz_orders", .location = "olist/bronze/brz_orders"},
          {.catalog = "olist", .schema = "silver", .name = "slv_orders", .location = "olist/silver/slv_orders"},
          {.catalog = "olist", .schema = "gold", .name = "shared", .location = "olist/gold/shared"},
          {.catalog = "olist", .schema = "silver", .name = "shared", .location = "olist/silver/shared"},
          {.catalog = "other", .schema = "silver", .name = "slv_orders", .location = "other/silver/slv_orders"}};
}

TEST(ResolveTableNameTest, FindsFullTwoPartAndBareNamesCaseInsensitively) {
  EXPECT_EQ(ResolveTableName(Tables(), "olist.bronze.brz_orders", "olist")->FullName(), "olist.bronze.brz_orders");
  EXPECT_EQ(ResolveTableName(Tables(), "BRONZE.Brz_Orders", "olist")->FullName(), "olist.bronze.brz_orders");
  EXPECT_EQ(ResolveTableName(Tables(), "brz_orders", "olist")->FullName(), "olist.bronze.brz_orders");
  EXPECT_EQ(ResolveTableName(Tables(), "other.silver.slv_orders", "olist")->FullName(), "other.silver.slv_orders");
}

TEST(ResolveTableNameTest, TwoPartNamesMeanTheDefaultCatalogFirst) {
  EXPECT_EQ(ResolveTableName(Tables(), "silver.slv_orders", "olist")->FullName(), "olist.silver.slv_orders");
  EXPECT_EQ(ResolveTableName(Tables(), "silver.slv_orders", "other")->FullName(), "other.silver.slv_orders");
}

TEST(ResolveTableNameTest, AmbiguousIsInvalidArgumentAndUnknownIsNotFound) {
  auto bare = ResolveTableName(Tables(), "shared", "olist");
  ASSERT_FALSE(bare.has_value());
  EXPECT_EQ(bare.error().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bare.error().message().find("ambiguous"), std::string::npos);
  EXPECT_NE(bare.error().message().find("olist.gold.shared"), std::string::npos);
  EXPECT_EQ(ResolveTableName(Tables(), "slv_orders", "olist").error().code(), StatusCode::kInvalidArgument);

  auto unknown = ResolveTableName(Tables(), "nope", "olist");
  ASSERT_FALSE(unknown.has_value());
  EXPECT_EQ(unknown.error().code(), StatusCode::kNotFound);
  EXPECT_EQ(ResolveTableName(Tables(), "gold.brz_orders", "olist").error().code(), StatusCode::kNotFound);
  EXPECT_EQ(ResolveTableName(Tables(), "a.b.c.d", "olist").error().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace pareto::catalog
