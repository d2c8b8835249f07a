// The SQL tests' harness runs pareto's runtime: a planted `fail` expectation stops the model
// with the message pipeline/expectations.cc formats, exactly as `pareto run` reports it.
#include "project_harness.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <optional>
#include <fstream>
#include <regex>

#include "common/testing/temp_dir.h"
#include "duck/duck.h"
#include "duck/testing/in_memory.h"
#include "pipeline/expectations.h"
#include "test_support.h"

namespace pareto::sqltest {
namespace {

TEST(ProjectHarnessTest, PlantedFailExpectationFailsThroughPipelineExpectations) {
  std::optional<duck::Database> db;
  std::optional<duck::Connection> conn;
  ASSERT_NO_FATAL_FAILURE(duck::testing::OpenInMemory(db, conn));
  ASSERT_TRUE(PrepareBronze(*conn).ok());
  ASSERT_TRUE(
      conn->Execute("INSERT INTO bronze.brz_orders (order_id, customer_id, order_status, "
                    "order_purchase_timestamp) VALUES ('o1', 'c1', 'delivered', TIMESTAMPTZ "
                    "'2018-01-01 12:00:00+00'), ('o3', 'c3', 'canceled', TIMESTAMPTZ "
                    "'2018-01-03 12:00:00+00')")
          .ok());
  auto harness = ProjectHarness::Load(OlistProjectDir(), *conn);
  ASSERT_TRUE(harness.has_value()) << harness.error().ToString();
  const pipeline::Expectation planted{.name = "nothing_canceled",
                                      .condition = "order_status <> 'canceled'",
                                      .action = catalog::ExpectationAction::kFail};
  ASSERT_TRUE(harness->AddExpectation("silver.slv_orders", planted).ok());

  const Status built = harness->Build(*conn, {"silver.slv_orders"});
  ASSERT_FALSE(built.ok());
  EXPECT_EQ(built.code(), StatusCode::kDataError);

  // The same rows, evaluated by EvaluateExpectations directly, give the same failure text.
  ASSERT_TRUE(
      conn->Execute("CREATE TEMP TABLE canceled AS SELECT * FROM (VALUES ('o1', 'delivered'), "
                    "('o3', 'canceled')) AS t(order_id, order_status)")
          .ok());
  auto direct = pipeline::EvaluateExpectations(*conn, "canceled", {planted});
  ASSERT_TRUE(direct.has_value()) << direct.error().ToString();
  EXPECT_EQ(direct->failure,
            "expectation 'nothing_canceled' failed for 1 of 2 rows; e.g. order_id=o3, "
            "order_status=canceled");
  EXPECT_THAT(built.message(),
              ::testing::StartsWith("silver.slv_orders: expectation 'nothing_canceled' "
                                    "failed for 1 of 2 rows; e.g. order_id=o3, "));
  EXPECT_THAT(built.message(), ::testing::EndsWith("; nothing committed"));
}

// pipeline.yaml's `timezone:` is the zone's only statement: a copy of the project with
// another zone gives slv_settings that zone, and local dates move with it.
TEST(ProjectHarnessTest, ModelsTakeTheTimeZoneFromPipelineYaml) {
  namespace fs = std::filesystem;
  testing::TempDir dir;
  fs::copy(OlistProjectDir(), dir.path(), fs::copy_options::recursive);
  const std::string yaml_path = dir.path() + "/pipeline.yaml";
  auto yaml = ReadText(yaml_path);
  ASSERT_TRUE(yaml.has_value());
  const std::string changed =
      std::regex_replace(*yaml, std::regex("\ntimezone: [^\n]+"), "\ntimezone: Asia/Tokyo",
                         std::regex_constants::format_first_only);
  ASSERT_NE(changed, *yaml);
  std::ofstream(yaml_path, std::ios::trunc) << changed;

  std::optional<duck::Database> db;
  std::optional<duck::Connection> conn;
  ASSERT_NO_FATAL_FAILURE(duck::testing::OpenInMemory(db, conn));
  ASSERT_TRUE(PrepareBronze(*conn).ok());
  // 20:00 UTC on 31 December is already 1 January in Tokyo.
  ASSERT_TRUE(
      conn->Execute("INSERT INTO bronze.brz_orders (order_id, order_purchase_timestamp) VALUES "
                    "('o1', TIMESTAMPTZ '2017-12-31 20:00:00+00')")
          .ok());
  auto harness = ProjectHarness::Load(dir.path(), *conn);
  ASSERT_TRUE(harness.has_value()) << harness.error().ToString();
  ASSERT_TRUE(harness->Build(*conn, {"silver.slv_settings"}).ok());
  auto row =
      conn->Query("SELECT business_time_zone, reference_date::VARCHAR FROM silver.slv_settings");
  ASSERT_TRUE(row.has_value()) << row.error().ToString();
  EXPECT_EQ(row->GetString(0, 0), "Asia/Tokyo");
  EXPECT_EQ(row->GetString(1, 0), "2018-01-02");
}

}  // namespace
}  // namespace pareto::sqltest
