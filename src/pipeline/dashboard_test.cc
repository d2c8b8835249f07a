#include "pipeline/dashboard.h"

#include <gtest/gtest.h>

namespace pareto::pipeline {
namespace {

constexpr std::string_view kYaml = R"yaml(
pages:
  - id: overview
    title: Overview
    panels:
      - id: revenue_by_month
        title: Revenue by month (BRL)
        description: monthly revenue
        kind: chart
        sql: |
          SELECT month, revenue FROM gold.gld_monthly_revenue ORDER BY month
        format: {revenue: brl}
        spec:
          mark: {type: line, point: true}
          width: container
          height: 240
          encoding:
            x: {field: month, type: temporal, title: Month}
            y: {field: revenue, type: quantitative, title: "Revenue (BRL)"}
            opacity: {value: 0.5}
            tooltip: [{field: month}, {field: revenue, format: "~s"}]
  - id: customers
    title: Customers
    panels:
      - id: lookup
        title: A customer
        kind: table
        sql: SELECT * FROM gold.gld_customer_scores WHERE customer_unique_id = :customer
)yaml";

TEST(DashboardTest, ParsesPagesPanelsAndSpecAsJson) {
  auto d = ParseDashboard(kYaml, "dashboard.yaml");
  ASSERT_TRUE(d.has_value()) << d.error().message();
  ASSERT_EQ(d->pages.size(), 2u);
  EXPECT_EQ(d->pages[0].title, "Overview");
  const DashboardPanel* p = d->FindPanel("revenue_by_month");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->kind, "chart");
  EXPECT_EQ(p->format.at("revenue"), "brl");
  EXPECT_NE(p->sql.find("gld_monthly_revenue"), std::string::npos);
  EXPECT_EQ(p->spec["mark"]["point"], true);
  EXPECT_EQ(p->spec["height"], 240);
  EXPECT_EQ(p->spec["width"], "container");
  EXPECT_DOUBLE_EQ(p->spec["encoding"]["opacity"]["value"].get<double>(), 0.5);
  EXPECT_EQ(p->spec["encoding"]["y"]["title"], "Revenue (BRL)");
  EXPECT_EQ(p->spec["encoding"]["tooltip"][1]["format"], "~s");
  EXPECT_EQ(d->FindPanel("lookup")->kind, "table");
  EXPECT_EQ(d->FindPanel("nope"), nullptr);
}

TEST(DashboardTest, RejectsMistakesWithTheirLine) {
  auto missing_sql = ParseDashboard("pages:\n  - id: a\n    title: A\n    panels:\n      - {id: p, title: P, kind: table}\n",
                                    "d.yaml");
  ASSERT_FALSE(missing_sql.has_value());
  EXPECT_NE(missing_sql.error().message().find("d.yaml:5: missing `sql`"), std::string::npos)
      << missing_sql.error().message();
  auto dup = ParseDashboard(
      "pages:\n  - id: a\n    title: A\n    panels:\n      - {id: p, title: P, kind: table, sql: SELECT 1}\n"
      "      - {id: p, title: Q, kind: table, sql: SELECT 2}\n",
      "d.yaml");
  ASSERT_FALSE(dup.has_value());
  EXPECT_NE(dup.error().message().find("used twice"), std::string::npos);
  auto kind = ParseDashboard("pages:\n  - id: a\n    title: A\n    panels:\n      - {id: p, title: P, kind: pie, sql: SELECT 1}\n",
                             "d.yaml");
  ASSERT_FALSE(kind.has_value());
  EXPECT_NE(kind.error().message().find("chart, table or kpi"), std::string::npos);
  auto no_spec = ParseDashboard("pages:\n  - id: a\n    title: A\n    panels:\n      - {id: p, title: P, sql: SELECT 1}\n",
                                "d.yaml");
  ASSERT_FALSE(no_spec.has_value());
  EXPECT_NE(no_spec.error().message().find("needs a `spec`"), std::string::npos);
  EXPECT_FALSE(ParseDashboard("panels: []\n", "d.yaml").has_value());
}

}  // namespace
}  // namespace pareto::pipeline
