#include "pipeline/databricks_bundle.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace pareto::pipeline {
namespace {

using ::testing::HasSubstr;

std::string Quartz(const char* cron) {
  auto q = QuartzCron(cron);
  EXPECT_TRUE(q.has_value()) << cron << ": " << q.error().ToString();
  return q.value_or("");
}

TEST(QuartzCronTest, SecondsFirstAndOneDayFieldUnrestricted) {
  EXPECT_EQ(Quartz("0 6 * * *"), "0 0 6 * * ?");
  EXPECT_EQ(Quartz("30 2 1 * *"), "0 30 2 1 * ?");
  EXPECT_EQ(Quartz("*/15 * * * *"), "0 */15 * * * ?");
}

TEST(QuartzCronTest, DayOfWeekCountsFromSundayOne) {
  EXPECT_EQ(Quartz("0 6 * * 1-5"), "0 0 6 ? * 2-6");  // Monday to Friday
  EXPECT_EQ(Quartz("0 6 * * 0"), "0 0 6 ? * 1");      // Sunday
  EXPECT_EQ(Quartz("0 6 * * 7"), "0 0 6 ? * 1");      // Sunday, cron's other spelling
  EXPECT_EQ(Quartz("0 6 * * 1,3,5"), "0 0 6 ? * 2,4,6");
  EXPECT_EQ(Quartz("0 6 * * MON"), "0 0 6 ? * MON");
}

TEST(QuartzCronTest, RefusesWhatQuartzCannotSay) {
  auto both = QuartzCron("0 6 1 * 1");
  ASSERT_FALSE(both.has_value());
  EXPECT_THAT(both.error().message(), HasSubstr("both day of month and day of week"));
  EXPECT_FALSE(QuartzCron("0 6 * *").has_value());
}

TEST(DatabricksBundleTest, StringsAndTaskKeys) {
  EXPECT_EQ(SparkStringLiteral("it's a \\ path"), "'it\\'s a \\\\ path'");
  EXPECT_EQ(DatabricksTaskKey("silver.slv_orders"), "silver-slv_orders");
}

TEST(DatabricksBundleTest, ModelFileChecksExpectationsBeforeWriting) {
  Project project;
  project.catalog = "shop";
  project.timezone = "Europe/Paris";
  Model model{.layer = "silver", .name = "slv_x", .path = "silver/slv_x.sql",
              .sql = "-- X's rows.\nSELECT business_time_zone() AS z, 1 AS a", .comment = "X's rows."};
  project.models.push_back(model);
  project.expectations["silver.slv_x"] = {{"a_positive", "a > 0", ExpectationAction::kFail},
                                          {"a_small", "a < 10", ExpectationAction::kDrop}};
  auto graph = TaskGraph::FromTasks({{.name = "silver.slv_x", .kind = TaskKind::kModel, .layer = "silver"}});
  ASSERT_TRUE(graph.has_value());
  auto files = DatabricksBundle(project, *graph);
  ASSERT_TRUE(files.has_value()) << files.error().ToString();
  const BundleFile* sql = nullptr;
  for (const BundleFile& f : *files) {
    if (f.path == "sql/silver/slv_x.sql") sql = &f;
  }
  ASSERT_NE(sql, nullptr);
  const std::string& text = sql->content;
  EXPECT_THAT(text, HasSubstr("USE shop.silver;"));
  EXPECT_THAT(text, HasSubstr("SELECT 'Europe/Paris' AS z"));  // the setting as its value
  const size_t check = text.find("raise_error(");
  const size_t create = text.find("CREATE OR REPLACE TABLE silver.slv_x\nCOMMENT 'X\\'s rows.'");
  ASSERT_NE(check, std::string::npos);
  ASSERT_NE(create, std::string::npos);
  EXPECT_LT(check, create);  // a failing `fail` stops the task before the table is written
  EXPECT_THAT(text, HasSubstr("WHERE ((a < 10) IS TRUE);"));
}

}  // namespace
}  // namespace pareto::pipeline
