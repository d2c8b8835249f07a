#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "duck/duck.h"

namespace pareto::duck {
namespace {

class TextQueryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = Database::Open({.threads = 2});
    ASSERT_TRUE(db.has_value());
    db_.emplace(std::move(*db));
    auto conn = db_->Connect();
    ASSERT_TRUE(conn.has_value());
    conn_.emplace(std::move(*conn));
  }
  // The one row's cells of `sql`, as text ("NULL" for NULL).
  std::vector<std::string> Row(const std::string& sql) {
    auto r = conn_->QueryText(sql);
    EXPECT_TRUE(r.has_value()) << r.error().message();
    if (!r.has_value() || r->rows.size() != 1) return {};
    std::vector<std::string> out;
    for (const auto& cell : r->rows[0]) out.push_back(cell.value_or("NULL"));
    return out;
  }
  std::optional<Database> db_;
  std::optional<Connection> conn_;
};

// Every type prints, as DuckDB's CAST to VARCHAR prints it: the types the deprecated
// value API gave no text for (TIMESTAMPTZ, UUID, ENUM, BIT, TIMESTAMP_NS) or crashed on.
TEST_F(TextQueryTest, EveryTypeHasItsText) {
  EXPECT_EQ(Row("SELECT TIMESTAMPTZ '2018-01-01 10:00:00+05', '6b3c2f8e-1d2a-4f5b-9c7d-0e1f2a3b4c5d'::UUID, "
                "'b'::ENUM('a', 'b'), '1010'::BIT, TIMESTAMP_NS '2020-01-01 00:00:00.123456789', TIME '10:00', "
                "INTERVAL 3 DAY, [1, 2], {'a': 1}, MAP {'k': 1.5}, "
                "170141183460469231731687303715884105727::HUGEINT, "
                "0.123456789012345678901234567890123456::DECIMAL(38,36), -9999999999.9999999999::DECIMAL(20,10), "
                "NULL::INTEGER, DATE '2020-02-29', true"),
            (std::vector<std::string>{"2018-01-01 05:00:00+00", "6b3c2f8e-1d2a-4f5b-9c7d-0e1f2a3b4c5d", "b", "1010",
                                      "2020-01-01 00:00:00.123456789", "10:00:00", "3 days", "[1, 2]", "{'a': 1}",
                                      "{k=1.5}", "170141183460469231731687303715884105727",
                                      "0.123456789012345678901234567890123456", "-9999999999.9999999999", "NULL",
                                      "2020-02-29", "true"}));
  // A random UUID and a TIME in one query: the statement that crashed the process.
  auto r = conn_->QueryText("SELECT uuid() h, TIME '10:00' i");
  ASSERT_TRUE(r.has_value()) << r.error().message();
  EXPECT_EQ(r->rows[0][0]->size(), 36u);
  EXPECT_EQ(r->columns[0].type.id, DUCKDB_TYPE_UUID);
  EXPECT_EQ(r->columns[1].name, "i");
}

TEST_F(TextQueryTest, ANulByteStaysInsideTheValue) {
  auto r = conn_->QueryText("SELECT 'deli' || chr(0) || 'vered' AS s");
  ASSERT_TRUE(r.has_value()) << r.error().message();
  EXPECT_EQ(*r->rows[0][0], std::string("deli\0vered", 10));
}

TEST_F(TextQueryTest, ColumnsKeepTheirTypesNamesAndOrder) {
  auto r = conn_->QueryText("SELECT 12.50::DECIMAL(10,2) AS d, 1 AS a, 2 AS a FROM range(3) ORDER BY range DESC;");
  ASSERT_TRUE(r.has_value()) << r.error().message();
  ASSERT_EQ(r->columns.size(), 3u);
  EXPECT_EQ(r->columns[0].type.id, DUCKDB_TYPE_DECIMAL);
  EXPECT_EQ(r->columns[0].type.scale, 2);
  EXPECT_EQ(r->columns[2].name, "a");
  auto ordered = conn_->QueryText("SELECT range FROM range(4) ORDER BY range DESC -- a comment at the end");
  ASSERT_TRUE(ordered.has_value()) << ordered.error().message();
  ASSERT_EQ(ordered->rows.size(), 4u);
  EXPECT_EQ(*ordered->rows[0][0], "3");
  EXPECT_EQ(*ordered->rows[3][0], "0");
  // Not a SELECT: EXPLAIN's text columns as they are.
  auto explain = conn_->QueryText("EXPLAIN SELECT 1");
  ASSERT_TRUE(explain.has_value()) << explain.error().message();
  EXPECT_EQ(explain->columns.size(), 2u);
  EXPECT_FALSE(explain->rows.empty());
}

TEST_F(TextQueryTest, RowCapCutsAndSaysSo) {
  auto r = conn_->QueryText("SELECT * FROM range(50000000)", {.max_rows = 1000});
  ASSERT_TRUE(r.has_value()) << r.error().message();
  EXPECT_EQ(r->rows.size(), 1000u);
  EXPECT_TRUE(r->truncated);
  auto exact = conn_->QueryText("SELECT * FROM range(1000)", {.max_rows = 1000});
  ASSERT_TRUE(exact.has_value());
  EXPECT_EQ(exact->rows.size(), 1000u);
  EXPECT_FALSE(exact->truncated);
}

TEST_F(TextQueryTest, TimeLimitInterruptsAndTheConnectionStaysUsable) {
  const auto start = std::chrono::steady_clock::now();
  auto r = conn_->QueryText("SELECT count(*) FROM range(1000000000000)", {.timeout = std::chrono::milliseconds(500)});
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(r.error().message().find("time limit of 0.5 s"), std::string::npos) << r.error().message();
  EXPECT_LT(took, std::chrono::seconds(20));
  // A quick query under the same limit runs, and the next query is not interrupted.
  EXPECT_EQ(Row("SELECT 42"), (std::vector<std::string>{"42"}));
  auto quick = conn_->QueryText("SELECT 1", {.timeout = std::chrono::milliseconds(500)});
  ASSERT_TRUE(quick.has_value()) << quick.error().message();
}

TEST(TextQueryMemoryTest, MemoryLimitIsACleanError) {
  auto db = Database::Open({.threads = 1, .memory_limit = "64MB"});
  ASSERT_TRUE(db.has_value());
  auto conn = db->Connect();
  ASSERT_TRUE(conn.has_value());
  auto r = conn->QueryText("SELECT list(range) FROM range(100000000)");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(r.error().message().find("Out of Memory"), std::string::npos) << r.error().message();
}

}  // namespace
}  // namespace pareto::duck
