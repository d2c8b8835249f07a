// The DuckDB definitions of the Spark-named functions give Spark's results (the values
// below are Spark's documented ones), and the model session has them.
#include "pipeline/spark_functions.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "pipeline/model_build.h"

namespace pareto::pipeline {
namespace {

class SparkFunctionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = duck::Database::Open();
    ASSERT_TRUE(db.has_value()) << db.error().ToString();
    db_.emplace(std::move(*db));
    auto conn = db_->Connect();
    ASSERT_TRUE(conn.has_value()) << conn.error().ToString();
    conn_.emplace(std::move(*conn));
    Project project;
    project.timezone = "America/Sao_Paulo";
    ASSERT_TRUE(PrepareModelSession(*conn_, project).ok());
  }

  std::string Value(const std::string& expr) {
    auto v = conn_->QueryScalar("SELECT CAST(" + expr + " AS VARCHAR)");
    EXPECT_TRUE(v.has_value()) << expr << ": " << (v.has_value() ? "" : v.error().ToString());
    return v.has_value() && v->has_value() ? **v : "NULL";
  }

  std::optional<duck::Database> db_;
  std::optional<duck::Connection> conn_;  // after db_: destroyed first
};

TEST_F(SparkFunctionsTest, GiveSparksResults) {
  // from_utc_timestamp('2016-08-31', 'Asia/Seoul') = 2016-08-31 09:00:00 (Spark's docs)
  EXPECT_EQ(Value("from_utc_timestamp(TIMESTAMPTZ '2016-08-31 00:00:00+00', 'Asia/Seoul')"), "2016-08-31 09:00:00");
  // unix_date(DATE '1970-01-02') = 1
  EXPECT_EQ(Value("unix_date(DATE '1970-01-02')"), "1");
  EXPECT_EQ(Value("unix_date(DATE '2017-03-01') - unix_date(DATE '2017-02-01')"), "28");
  // rlike: a match anywhere; anchors make it whole
  EXPECT_EQ(Value("rlike('a1234b', '[0-9]{4}')"), "true");
  EXPECT_EQ(Value("rlike('a1234b', '^[0-9]{4}$')"), "false");
  EXPECT_EQ(Value("rlike('1234', '^[0-9]{4}$')"), "true");
  // div: 3 div 2 = 1; truncated toward zero; NULL for 0; exact on DECIMAL(38, 0)
  EXPECT_EQ(Value("div(3, 2)"), "1");
  EXPECT_EQ(Value("div(-7, 2)"), "-3");
  EXPECT_EQ(Value("div(7, 0)"), "NULL");
  EXPECT_EQ(Value("div(CAST('99999999999999999999999999999999999' AS DECIMAL(38, 0)), 3)"),
            "33333333333333333333333333333333333");
  // timestamp_seconds(1230219000) = 2008-12-25 15:30:00 UTC
  EXPECT_EQ(Value("timestamp_seconds(1230219000) = TIMESTAMPTZ '2008-12-25 15:30:00+00'"), "true");
  // add_months('2016-08-31', 1) = 2016-09-30
  EXPECT_EQ(Value("add_months(DATE '2016-08-31', 1)"), "2016-09-30");
  EXPECT_EQ(Value("add_months(DATE '2016-01-01', 3)"), "2016-04-01");
  // sequence(1, 5, 2) = [1, 3, 5]; explode gives one row each
  EXPECT_EQ(Value("sequence(1, 5, 2)"), "[1, 3, 5]");
  auto rows = conn_->QueryInt64("SELECT count(*) FROM (SELECT explode(sequence(1, 5, 2)) AS x)");
  ASSERT_TRUE(rows.has_value()) << rows.error().ToString();
  EXPECT_EQ(*rows, 3);
}

TEST_F(SparkFunctionsTest, SettingsComeFromTheProject) {
  EXPECT_EQ(Value("business_time_zone()"), "America/Sao_Paulo");
  EXPECT_EQ(Value("ml_horizon_days()"), std::to_string(kDefaultHorizonDays));
}

TEST(SparkFunctionsList, NamesNoDuckDbFunction) {
  // A macro of a DuckDB function's name would change that function for every model.
  auto db = duck::Database::Open();
  ASSERT_TRUE(db.has_value());
  auto conn = db->Connect();
  ASSERT_TRUE(conn.has_value());
  for (const SparkFunction& f : SparkFunctions()) {
    auto n = conn->QueryInt64("SELECT count(*) FROM duckdb_functions() WHERE function_name = '" + std::string(f.name) + "'");
    ASSERT_TRUE(n.has_value());
    EXPECT_EQ(*n, 0) << f.name << " is already a DuckDB function";
  }
}

}  // namespace
}  // namespace pareto::pipeline
