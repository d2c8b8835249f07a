#include "duck/duck.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace pareto::duck {
namespace {

TEST(DuckTest, QueryReturnsTypedValues) {
  auto db = Database::Open();
  ASSERT_TRUE(db.has_value()) << db.error().message();
  auto conn = db->Connect();
  ASSERT_TRUE(conn.has_value());
  auto r = conn->Query("SELECT 42::BIGINT AS a, 'x''y' AS b, NULL::INT AS c, 12.50::DECIMAL(10,2) AS d");
  ASSERT_TRUE(r.has_value()) << r.error().message();
  EXPECT_EQ(r->RowCount(), 1u);
  EXPECT_EQ(r->ColumnName(1), "b");
  EXPECT_EQ(r->GetInt64(0, 0), 42);
  EXPECT_EQ(r->GetString(1, 0), "x'y");
  EXPECT_TRUE(r->IsNull(2, 0));
  EXPECT_EQ(r->ColumnTypeName(3), "DECIMAL(10,2)");
}

TEST(DuckTest, ErrorsBecomeStatusValues) {
  auto db = Database::Open();
  auto conn = db->Connect();
  auto r = conn->Query("SELECT * FROM no_such_table");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.error().message().find("no_such_table"), std::string::npos);
  // One line: DuckDB's echo of the SQL with a caret is left out.
  EXPECT_EQ(r.error().message().find('\n'), std::string::npos);
  EXPECT_EQ(r.error().message().find("LINE 1"), std::string::npos);
  auto cast = conn->Query("SELECT 'abc'::INTEGER");
  ASSERT_FALSE(cast.has_value());
  EXPECT_EQ(cast.error().code(), StatusCode::kDataError);
}

TEST(DuckTest, SessionTimeZoneIsUtc) {
  auto db = Database::Open();
  auto conn = db->Connect();
  auto tz = conn->QueryScalar("SELECT current_setting('TimeZone')");
  ASSERT_TRUE(tz.has_value());
  EXPECT_EQ(tz->value_or(""), "UTC");
}

TEST(DuckTest, PreparedAndAppender) {
  auto db = Database::Open();
  auto conn = db->Connect();
  ASSERT_TRUE(conn->Execute("CREATE TABLE t (s VARCHAR, n BIGINT)").ok());
  {
    auto app = conn->CreateAppender("", "t");
    ASSERT_TRUE(app.has_value()) << app.error().message();
    ASSERT_TRUE(app->AppendString("a").ok());
    ASSERT_TRUE(app->AppendInt64(1).ok());
    ASSERT_TRUE(app->EndRow().ok());
    ASSERT_TRUE(app->Close().ok());
  }
  auto p = conn->Prepare("SELECT n FROM t WHERE s = $1");
  ASSERT_TRUE(p.has_value());
  ASSERT_TRUE(p->BindString(1, "a").ok());
  auto r = p->Execute();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->GetInt64(0, 0), 1);
}

TEST(DuckTest, QuotingHelpers) {
  EXPECT_EQ(QuoteLiteral("it's"), "'it''s'");
  EXPECT_EQ(QuoteIdent("a\"b"), "\"a\"\"b\"");
}

TEST(DuckTest, NumericTypesAreTheNumberTypesOfAResult) {
  auto db = Database::Open();
  ASSERT_TRUE(db.has_value());
  auto conn = db->Connect();
  ASSERT_TRUE(conn.has_value());
  auto r = conn->Query("SELECT 1::TINYINT, 2::UHUGEINT, 3.5::DECIMAL(12,2), 1.5::FLOAT, 2.5::DOUBLE, 'x', TRUE, "
                       "DATE '2018-01-01', TIMESTAMP '2018-01-01 00:00:00'");
  ASSERT_TRUE(r.has_value());
  std::vector<bool> numeric;
  for (uint64_t c = 0; c < r->ColumnCount(); ++c) numeric.push_back(IsNumericType(r->ColumnType(c)));
  EXPECT_EQ(numeric, (std::vector<bool>{true, true, true, true, true, false, false, false, false}));
}

// Two in-memory instances spilling at the same time each keep their own spill
// files: in one shared folder DuckDB 1.4's identically named files overwrite
// each other (a wrong sum, a read error or a crash).
TEST(DuckTest, InstancesSpillingAtOnceEachGetTheirOwnRows) {
  constexpr const char* kSpill =
      "SELECT sum(hash(i, s) % 1000003)::BIGINT FROM (SELECT i, md5(i::VARCHAR) || md5((i * 7)::VARCHAR) AS s "
      "FROM range(600000) t(i) ORDER BY s)";
  auto reference_db = Database::Open();
  ASSERT_TRUE(reference_db.has_value());
  auto reference_conn = reference_db->Connect();
  ASSERT_TRUE(reference_conn.has_value());
  auto expected = reference_conn->QueryInt64(kSpill);
  ASSERT_TRUE(expected.has_value()) << expected.error().message();

  std::vector<std::string> dirs(2);
  std::vector<StatusOr<int64_t>> sums(2, 0);
  std::vector<std::thread> threads;
  for (size_t k = 0; k < 2; ++k) {
    threads.emplace_back([&, k] {
      auto db = Database::Open({.threads = 1, .memory_limit = "24MB"});
      if (!db.has_value()) return void(sums[k] = std::unexpected(db.error()));
      auto conn = db->Connect();
      if (!conn.has_value()) return void(sums[k] = std::unexpected(conn.error()));
      auto dir = conn->QueryScalar("SELECT current_setting('temp_directory')");
      if (dir.has_value() && dir->has_value()) dirs[k] = **dir;
      sums[k] = conn->QueryInt64(kSpill);
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_NE(dirs[0], dirs[1]);
  for (size_t k = 0; k < 2; ++k) {
    ASSERT_TRUE(sums[k].has_value()) << sums[k].error().message();
    EXPECT_EQ(*sums[k], *expected);
  }
}

}  // namespace
}  // namespace pareto::duck
