// pipeline.yaml's `governance:` as ParseProjectFile reads it: masks and row
// filters with full table names, and every mistake named with its line.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "pipeline/project.h"
#include "pipeline/project_file.h"

namespace pareto::pipeline {
namespace {

using ::testing::HasSubstr;

TEST(ProjectGovernanceTest, MasksAndRowFiltersGetFullTableNames) {
  auto parsed = ParseProjectFile(R"yaml(catalog: shop
governance:
  masks:
    - table: silver.slv_customers
      column: Customer_City
      expression: "CASE WHEN is_member('analysts') THEN customer_city END"
  row_filters:
    - table: other.silver.slv_customers
      expression: "customer_state = 'SP'"
)yaml",
                                 "pipeline.yaml");
  ASSERT_TRUE(parsed.has_value()) << parsed.error().message();
  ASSERT_EQ(parsed->governance.masks.size(), 1u);
  EXPECT_EQ(parsed->governance.masks[0].table, "shop.silver.slv_customers");
  EXPECT_EQ(parsed->governance.masks[0].column, "customer_city");
  EXPECT_EQ(parsed->governance.masks[0].expression, "CASE WHEN is_member('analysts') THEN customer_city END");
  ASSERT_EQ(parsed->governance.row_filters.size(), 1u);
  EXPECT_EQ(parsed->governance.row_filters[0].table, "other.silver.slv_customers");
}

TEST(ProjectGovernanceTest, MistakesNameTheLine) {
  auto unknown = ParseProjectFile("catalog: shop\ngovernance:\n  grants: []\n", "pipeline.yaml");
  ASSERT_FALSE(unknown.has_value());
  EXPECT_THAT(unknown.error().message(), HasSubstr("pipeline.yaml:3: unknown key `governance.grants`"));
  auto no_column = ParseProjectFile(
      "catalog: shop\ngovernance:\n  masks:\n    - {table: silver.t, expression: 'NULL'}\n", "pipeline.yaml");
  ASSERT_FALSE(no_column.has_value());
  EXPECT_THAT(no_column.error().message(), HasSubstr("missing `column`"));
  auto bad_table = ParseProjectFile(
      "catalog: shop\ngovernance:\n  row_filters:\n    - {table: t, expression: 'TRUE'}\n", "pipeline.yaml");
  ASSERT_FALSE(bad_table.has_value());
  EXPECT_THAT(bad_table.error().message(), HasSubstr("layer.table or catalog.layer.table"));
}

TEST(ProjectGovernanceTest, TheOlistProjectMasksCustomersLocationOutsideAnalysts) {
  auto project = LoadProject(std::string(PARETO_SOURCE_DIR) + "/pipelines/olist");
  ASSERT_TRUE(project.has_value()) << project.error().message();
  ASSERT_EQ(project->governance.masks.size(), 2u);
  EXPECT_EQ(project->governance.masks[0].table, "olist.silver.slv_customers");
  EXPECT_EQ(project->governance.row_filters.size(), 1u);
}

}  // namespace
}  // namespace pareto::pipeline
