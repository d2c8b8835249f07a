#include "pipeline/graph.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "duck/testing/in_memory.h"
#include "pipeline/sql_parse.h"
#include "pipeline/test_util.h"

namespace pareto::pipeline {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::UnorderedElementsAre;
using testing::TempDir;
using testing::WriteFile;

class SqlParseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(duck::testing::OpenInMemory(db_, conn_));
  }
  StatusOr<std::vector<std::string>> Tables(const std::string& sql) {
    PARETO_ASSIGN_OR_RETURN(auto tree, ParseQuery(*conn_, sql));
    PARETO_ASSIGN_OR_RETURN(auto refs, ReferencedTables(tree, sql, "olist"));
    std::vector<std::string> names;
    for (const auto& r : refs) names.push_back(r.QualifiedName());
    return names;
  }
  std::optional<duck::Database> db_;
  std::optional<duck::Connection> conn_;
};

TEST_F(SqlParseTest, FindsTablesInJoinsSubqueriesSetOperationsButNotCtes) {
  auto names = Tables(R"(
    WITH items AS (SELECT order_id, sum(price) AS total FROM bronze.brz_items GROUP BY ALL),
         paid AS (SELECT * FROM items WHERE total > 0)
    SELECT o.order_id, p.total,
           (SELECT max(x) FROM silver.slv_scalar) AS m
    FROM bronze.brz_orders o
    JOIN paid p USING (order_id)
    LEFT JOIN (SELECT * FROM silver.slv_sub) s ON s.id = o.id
    WHERE o.id IN (SELECT id FROM silver.slv_in)
    UNION ALL
    SELECT 1, 2, 3 FROM bronze.brz_orders, range(3))");
  ASSERT_TRUE(names.has_value()) << names.error().ToString();
  EXPECT_THAT(*names, ElementsAre("bronze.brz_items", "silver.slv_scalar", "bronze.brz_orders",
                                  "silver.slv_sub", "silver.slv_in"));
}

TEST_F(SqlParseTest, ACteNameDoesNotHideAQualifiedTableOfTheSameName) {
  auto names = Tables("WITH brz_orders AS (SELECT * FROM bronze.brz_orders) SELECT * FROM brz_orders");
  ASSERT_TRUE(names.has_value());
  EXPECT_THAT(*names, ElementsAre("bronze.brz_orders"));
}

TEST_F(SqlParseTest, RefusesUnqualifiedTablesFilesAndStatementsThatAreNotQueries) {
  auto unqualified = Tables("SELECT 1\nFROM brz_orders");
  ASSERT_FALSE(unqualified.has_value());
  EXPECT_THAT(unqualified.error().message(), HasSubstr("line 2"));
  EXPECT_THAT(unqualified.error().message(), HasSubstr("bronze.brz_orders"));

  auto file = Tables("SELECT * FROM read_csv('/etc/passwd')");
  ASSERT_FALSE(file.has_value());
  EXPECT_THAT(file.error().message(), HasSubstr("read_csv"));

  auto ddl = Tables("CREATE TABLE x AS SELECT 1");
  ASSERT_FALSE(ddl.has_value());
  EXPECT_THAT(ddl.error().message(), HasSubstr("one query"));

  auto two = Tables("SELECT 1; SELECT 2");
  ASSERT_FALSE(two.has_value());
  EXPECT_THAT(two.error().message(), HasSubstr("exactly one statement"));

  auto syntax = Tables("SELECT 1\nFROM WHERE");
  ASSERT_FALSE(syntax.has_value());
  EXPECT_THAT(syntax.error().message(), HasSubstr("line 2"));

  auto other_catalog = Tables("SELECT * FROM shop.bronze.brz_orders");
  ASSERT_FALSE(other_catalog.has_value());
  auto same_catalog = Tables("SELECT * FROM olist.bronze.brz_orders");
  ASSERT_TRUE(same_catalog.has_value());
}

class GraphTest : public SqlParseTest {
 protected:
  StatusOr<Graph> Build(const std::map<std::string, std::string>& files) {
    TempDir dir;
    WriteFile(dir.path(), "pipeline.yaml", "catalog: olist\n");
    for (const auto& [path, sql] : files) WriteFile(dir.path(), path, sql);
    PARETO_ASSIGN_OR_RETURN(Project project, LoadProject(dir.path()));
    return BuildGraph(*conn_, project, {"bronze.brz_orders", "bronze.brz_items"});
  }
};

TEST_F(GraphTest, OrdersModelsAfterWhatTheyRead) {
  auto g = Build({
      {"gold/gld_a.sql", "SELECT * FROM silver.slv_z JOIN gold.gld_b USING (id)"},
      {"gold/gld_b.sql", "SELECT * FROM silver.slv_y"},
      {"silver/slv_y.sql", "SELECT * FROM silver.slv_z"},
      {"silver/slv_z.sql", "SELECT * FROM bronze.brz_orders JOIN bronze.brz_items USING (id)"},
  });
  ASSERT_TRUE(g.has_value()) << g.error().ToString();
  EXPECT_THAT(g->order(), ElementsAre("silver.slv_z", "silver.slv_y", "gold.gld_b", "gold.gld_a"));
  EXPECT_THAT(g->Descendants("silver.slv_y"), UnorderedElementsAre("gold.gld_b", "gold.gld_a"));
  EXPECT_THAT(g->Ancestors("gold.gld_b"),
              UnorderedElementsAre("silver.slv_y", "silver.slv_z", "bronze.brz_orders", "bronze.brz_items"));
  EXPECT_THAT(g->Downstream("bronze.brz_orders"), ElementsAre("silver.slv_z"));
  const std::string dot = g->ToDot("olist");
  EXPECT_THAT(dot, HasSubstr("\"silver.slv_z\" -> \"gold.gld_a\";"));
  EXPECT_THAT(dot, HasSubstr("\"bronze.brz_orders\" [style=dashed];"));
  EXPECT_THAT(dot, HasSubstr("subgraph \"cluster_gold\""));
}

TEST_F(GraphTest, UnknownTablesAndLaterLayersNameTheFile) {
  auto unknown = Build({{"silver/slv_x.sql", "SELECT * FROM bronze.brz_missing"}});
  ASSERT_FALSE(unknown.has_value());
  EXPECT_THAT(unknown.error().message(), HasSubstr("slv_x.sql"));
  EXPECT_THAT(unknown.error().message(), HasSubstr("bronze.brz_missing"));
  EXPECT_EQ(unknown.error().code(), StatusCode::kNotFound);

  auto later = Build({{"silver/slv_x.sql", "SELECT * FROM gold.gld_y"}, {"gold/gld_y.sql", "SELECT 1"}});
  ASSERT_FALSE(later.has_value());
  EXPECT_THAT(later.error().message(), HasSubstr("cannot read 'gold.gld_y'"));
}

TEST_F(GraphTest, CyclesNameTheTables) {
  auto cycle = Build({
      {"gold/gld_a.sql", "SELECT * FROM gold.gld_b"},
      {"gold/gld_b.sql", "SELECT * FROM gold.gld_c"},
      {"gold/gld_c.sql", "SELECT * FROM gold.gld_a"},
      {"gold/gld_d.sql", "SELECT * FROM bronze.brz_orders"},
  });
  ASSERT_FALSE(cycle.has_value());
  EXPECT_THAT(cycle.error().message(), HasSubstr("cycle"));
  EXPECT_THAT(cycle.error().message(), HasSubstr("gold.gld_a"));
  EXPECT_THAT(cycle.error().message(), HasSubstr("gold.gld_b"));
  EXPECT_THAT(cycle.error().message(), HasSubstr("gold.gld_c"));
  EXPECT_THAT(cycle.error().message(), Not(HasSubstr("gld_d")));

  auto self = Build({{"gold/gld_a.sql", "SELECT * FROM gold.gld_a"}});
  ASSERT_FALSE(self.has_value());
  EXPECT_THAT(self.error().message(), HasSubstr("reads itself"));
}

}  // namespace
}  // namespace pareto::pipeline
