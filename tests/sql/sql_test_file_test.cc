#include "sql_test_file.h"

#include <gtest/gtest.h>

namespace pareto::sqltest {
namespace {

TEST(SqlTestFile, ParsesInputsRunsQueriesAndExpectedRows) {
  const auto steps = ParseTestFile(
      "# a comment\n"
      "-- input: bronze.brz_orders\n"
      "order_id,order_status\n"
      "o1,delivered\n"
      "\n"
      "-- run: silver.slv_orders gold.gld_x\n"
      "-- query:\n"
      "-- an ordinary SQL comment stays in the body\n"
      "SELECT 1\n"
      "-- expect:\n"
      "1|NULL\n");
  ASSERT_TRUE(steps.has_value()) << steps.error().ToString();
  ASSERT_EQ(steps->size(), 3u);
  EXPECT_EQ((*steps)[0].kind, StepKind::kInput);
  EXPECT_EQ((*steps)[0].argument, "bronze.brz_orders");
  EXPECT_EQ((*steps)[0].body, "order_id,order_status\no1,delivered\n");
  EXPECT_EQ((*steps)[1].kind, StepKind::kRun);
  EXPECT_EQ((*steps)[1].argument, "silver.slv_orders gold.gld_x");
  EXPECT_EQ((*steps)[2].kind, StepKind::kQuery);
  EXPECT_EQ((*steps)[2].line, 7);
  EXPECT_EQ((*steps)[2].body, "-- an ordinary SQL comment stays in the body\nSELECT 1\n");
  EXPECT_TRUE((*steps)[2].checks_rows);
  EXPECT_EQ((*steps)[2].expected_rows, std::vector<std::string>{"1|NULL"});
}

TEST(SqlTestFile, AnEmptyExpectSectionMeansNoRows) {
  const auto steps = ParseTestFile("-- query:\nSELECT 1 WHERE false\n-- expect:\n");
  ASSERT_TRUE(steps.has_value());
  EXPECT_TRUE((*steps)[0].checks_rows);
  EXPECT_TRUE((*steps)[0].expected_rows.empty());
}

TEST(SqlTestFile, ExpectErrorFollowsARun) {
  const auto steps = ParseTestFile("-- run: silver.slv_orders\n-- expect-error: failed on 1 rows\n");
  ASSERT_TRUE(steps.has_value());
  EXPECT_TRUE((*steps)[0].expects_error);
  EXPECT_EQ((*steps)[0].expected_error, "failed on 1 rows");
}

TEST(SqlTestFile, RejectsMalformedFilesNamingTheLine) {
  const auto unchecked = ParseTestFile("-- query:\nSELECT 1\n");
  ASSERT_FALSE(unchecked.has_value());
  EXPECT_NE(unchecked.error().message().find("line 1"), std::string::npos);

  const auto stray = ParseTestFile("-- sql:\nSELECT 1;\n-- expect:\n1\n");
  ASSERT_FALSE(stray.has_value());
  EXPECT_NE(stray.error().message().find("line 3"), std::string::npos);

  const auto no_table = ParseTestFile("-- input:\na\n1\n");
  EXPECT_FALSE(no_table.has_value());

  const auto prose = ParseTestFile("hello\n-- sql:\nSELECT 1;\n");
  ASSERT_FALSE(prose.has_value());
  EXPECT_NE(prose.error().message().find("line 1"), std::string::npos);
}

}  // namespace
}  // namespace pareto::sqltest
