#include "pipeline/column_lineage.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "duck/testing/in_memory.h"
#include "pipeline/sql_parse.h"

namespace pareto::pipeline {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

ColumnName C(std::string table, std::string column) { return {std::move(table), std::move(column)}; }

class ColumnLineageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(duck::testing::OpenInMemory(db_, conn_));
  }
  // Lineage as "name" -> sources, with a fixed catalog of upstream schemas.
  std::map<std::string, std::set<ColumnName>> Lineage(const std::string& sql) {
    auto tree = ParseQuery(*conn_, sql);
    EXPECT_TRUE(tree.has_value()) << tree.error().ToString();
    SchemaLookup schema = [](const std::string& table) -> std::optional<std::vector<std::string>> {
      if (table == "bronze.orders") return std::vector<std::string>{"order_id", "customer_id", "status"};
      if (table == "bronze.payments") return std::vector<std::string>{"order_id", "payment_value"};
      return std::nullopt;
    };
    auto cols = ComputeColumnLineage(*tree, schema);
    EXPECT_TRUE(cols.has_value()) << cols.error().ToString();
    std::map<std::string, std::set<ColumnName>> out;
    names_.clear();
    for (const auto& c : *cols) {
      names_.push_back(c.name);
      out[c.name] = c.sources;
    }
    return out;
  }
  std::optional<duck::Database> db_;
  std::optional<duck::Connection> conn_;
  std::vector<std::string> names_;
};

TEST_F(ColumnLineageTest, FollowsAliasesCtesAndAggregates) {
  auto l = Lineage(R"(
    WITH paid AS (
      SELECT order_id, sum(payment_value) AS payment_total FROM bronze.payments GROUP BY order_id)
    SELECT o.order_id, o.customer_id AS cust, p.payment_total * 2 AS double_total, 'x' AS tag,
           upper(status) AS status_upper
    FROM bronze.orders o LEFT JOIN paid p ON p.order_id = o.order_id)");
  EXPECT_THAT(names_, ElementsAre("order_id", "cust", "double_total", "tag", "status_upper"));
  EXPECT_THAT(l["order_id"], ElementsAre(C("bronze.orders", "order_id")));
  EXPECT_THAT(l["cust"], ElementsAre(C("bronze.orders", "customer_id")));
  EXPECT_THAT(l["double_total"], ElementsAre(C("bronze.payments", "payment_value")));
  EXPECT_THAT(l["tag"], IsEmpty());
  EXPECT_THAT(l["status_upper"], ElementsAre(C("bronze.orders", "status")));
}

TEST_F(ColumnLineageTest, ExpandsStarsWithUsingColumnsOnceAndExclusions) {
  Lineage("SELECT * EXCLUDE (status) FROM bronze.orders JOIN bronze.payments USING (order_id)");
  EXPECT_THAT(names_, ElementsAre("order_id", "customer_id", "payment_value"));
  auto l = Lineage("SELECT * FROM bronze.orders JOIN bronze.payments USING (order_id)");
  EXPECT_THAT(l["order_id"], UnorderedElementsAre(C("bronze.orders", "order_id"), C("bronze.payments", "order_id")));
  auto q = Lineage("SELECT p.* FROM bronze.orders o, bronze.payments p");
  EXPECT_THAT(names_, ElementsAre("order_id", "payment_value"));
  EXPECT_THAT(q["payment_value"], ElementsAre(C("bronze.payments", "payment_value")));
}

TEST_F(ColumnLineageTest, FollowsSubqueriesSetOperationsAndWindows) {
  auto l = Lineage(R"(
    SELECT s.id,
           (SELECT max(payment_value) FROM bronze.payments p WHERE p.order_id = s.id) AS max_paid,
           rank() OVER (PARTITION BY s.cust ORDER BY s.id) AS rnk
    FROM (SELECT order_id AS id, customer_id AS cust FROM bronze.orders
          UNION ALL
          SELECT order_id, NULL FROM bronze.payments) s)");
  EXPECT_THAT(l["id"], UnorderedElementsAre(C("bronze.orders", "order_id"), C("bronze.payments", "order_id")));
  EXPECT_THAT(l["max_paid"], ElementsAre(C("bronze.payments", "payment_value")));
  EXPECT_THAT(l["rnk"], UnorderedElementsAre(C("bronze.orders", "customer_id"), C("bronze.orders", "order_id"),
                                             C("bronze.payments", "order_id")));
}

TEST_F(ColumnLineageTest, AmbiguousAndUnknownSchemasAreConservative) {
  // An unknown table's columns are attributed to it by name.
  auto l = Lineage("SELECT a, x.b AS bb FROM bronze.mystery x");
  EXPECT_THAT(l["a"], ElementsAre(C("bronze.mystery", "a")));
  EXPECT_THAT(l["bb"], ElementsAre(C("bronze.mystery", "b")));
  // `*` over an unknown schema: AlignToOutput spreads every source over every column.
  auto tree = ParseQuery(*conn_, "SELECT *, 1 AS one FROM bronze.mystery");
  ASSERT_TRUE(tree.has_value());
  auto cols = ComputeColumnLineage(*tree, [](const std::string&) { return std::nullopt; });
  ASSERT_TRUE(cols.has_value());
  auto aligned = AlignToOutput(*cols, {"p", "q", "one"});
  ASSERT_EQ(aligned.size(), 3u);
  EXPECT_EQ(aligned[1].name, "q");
  EXPECT_THAT(aligned[1].sources, ElementsAre(C("bronze.mystery", "*")));
  // Matching counts: names come from the engine by position.
  auto same = AlignToOutput({{"", {C("t", "a")}}}, {"count_star()"});
  EXPECT_EQ(same[0].name, "count_star()");
  EXPECT_THAT(same[0].sources, ElementsAre(C("t", "a")));
}

TEST_F(ColumnLineageTest, LateralAliasesAndCaseInsensitiveNames) {
  auto l = Lineage("SELECT Payment_Value AS v, v * 2 AS w FROM bronze.payments");
  EXPECT_THAT(l["w"], ElementsAre(C("bronze.payments", "payment_value")));
}

}  // namespace
}  // namespace pareto::pipeline
