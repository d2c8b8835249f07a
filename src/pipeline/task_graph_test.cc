#include "pipeline/task_graph.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "duck/testing/in_memory.h"
#include "pipeline/test_util.h"

namespace pareto::pipeline {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;
using testing::TempDir;
using testing::WriteFile;

// bronze.brz_orders ─> silver.slv_orders ─┬─> gold.gld_a ─> ml.train ─> ml.score
// bronze.brz_items  ─> silver.slv_items ──┴─> gold.gld_b
class TaskGraphTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(duck::testing::OpenInMemory(db_, conn_));
    WriteFile(dir_.path(), "pipeline.yaml", "catalog: olist\n");
    WriteFile(dir_.path(), "silver/slv_orders.sql", "SELECT * FROM bronze.brz_orders");
    WriteFile(dir_.path(), "silver/slv_items.sql", "SELECT * FROM bronze.brz_items");
    WriteFile(dir_.path(), "gold/gld_a.sql", "SELECT * FROM silver.slv_orders JOIN silver.slv_items USING (id)");
    WriteFile(dir_.path(), "gold/gld_b.sql", "SELECT * FROM silver.slv_items");
    auto project = LoadProject(dir_.path());
    ASSERT_TRUE(project.has_value()) << project.error().ToString();
    auto graph = BuildGraph(*conn_, *project, {"bronze.brz_orders", "bronze.brz_items"});
    ASSERT_TRUE(graph.has_value()) << graph.error().ToString();
    graph_.emplace(std::move(*graph));
  }
  std::vector<PostTaskSpec> Ml() const { return {{"ml.train", {"gold.gld_a"}}, {"ml.score", {"gold.gld_a", "ml.train"}}}; }

  TempDir dir_;
  std::optional<duck::Database> db_;
  std::optional<duck::Connection> conn_;
  std::optional<Graph> graph_;
};

TEST_F(TaskGraphTest, HasATaskPerSourceModelAndPostTaskWithEdgesFromTheProject) {
  auto g = TaskGraph::Build(*graph_, {"brz_orders", "brz_items"}, Ml());
  ASSERT_TRUE(g.has_value()) << g.error().ToString();
  std::vector<std::string> names;
  for (const TaskNode& t : g->tasks()) names.push_back(t.name);
  EXPECT_THAT(names, ElementsAre("bronze.brz_orders", "bronze.brz_items", "silver.slv_items", "silver.slv_orders",
                                 "gold.gld_a", "gold.gld_b", "ml.train", "ml.score"));
  EXPECT_EQ(g->Find("bronze.brz_items")->kind, TaskKind::kIngest);
  EXPECT_EQ(g->Find("ml.score")->kind, TaskKind::kPost);
  EXPECT_THAT(g->Find("gold.gld_a")->deps, ElementsAre("silver.slv_orders", "silver.slv_items"));
  EXPECT_THAT(g->Find("silver.slv_orders")->deps, ElementsAre("bronze.brz_orders"));
  EXPECT_THAT(g->Dependents("silver.slv_items"), UnorderedElementsAre("gold.gld_a", "gold.gld_b"));
  EXPECT_THAT(g->Descendants("bronze.brz_orders"),
              UnorderedElementsAre("silver.slv_orders", "gold.gld_a", "ml.train", "ml.score"));
  EXPECT_THAT(g->Ancestors("gold.gld_b"), UnorderedElementsAre("silver.slv_items", "bronze.brz_items"));
}

TEST_F(TaskGraphTest, WithoutIngestBronzeIsAnInputNotATask) {
  auto g = TaskGraph::Build(*graph_, {}, {{"ml.train", {"gold.gld_a"}}});
  ASSERT_TRUE(g.has_value()) << g.error().ToString();
  EXPECT_EQ(g->Find("bronze.brz_orders"), nullptr);
  EXPECT_TRUE(g->Find("silver.slv_orders")->deps.empty());
  EXPECT_EQ(g->tasks().size(), 5u);

  auto unknown = TaskGraph::Build(*graph_, {}, {{"ml.train", {"gold.gld_missing"}}});
  ASSERT_FALSE(unknown.has_value());
  EXPECT_THAT(unknown.error().message(), HasSubstr("gold.gld_missing"));
}

TEST_F(TaskGraphTest, PrintsAsTextDotAndJson) {
  auto g = TaskGraph::Build(*graph_, {"brz_orders", "brz_items"}, Ml());
  ASSERT_TRUE(g.has_value()) << g.error().ToString();
  EXPECT_THAT(g->ToText(), HasSubstr("(model)  <- silver.slv_orders, silver.slv_items"));
  EXPECT_THAT(g->ToText(), HasSubstr("(8 tasks)"));
  const std::string dot = g->ToDot();
  EXPECT_THAT(dot, HasSubstr("\"gold.gld_a\" -> \"ml.train\";"));
  EXPECT_THAT(dot, HasSubstr("subgraph \"cluster_bronze\""));
  const nlohmann::json json = g->ToJson();
  EXPECT_EQ(json["nodes"].size(), 8u);
  EXPECT_EQ(json["nodes"][0]["kind"], "ingest");
  EXPECT_EQ(json["edges"].size(), 8u);  // 2 bronze, 3 into gold, 1 into ml.train, 2 into ml.score
  EXPECT_THAT(json["edges"].dump(), HasSubstr(R"({"from":"ml.train","to":"ml.score"})"));
}

TEST_F(TaskGraphTest, SelectsATaskWithItsDescendantsOrAncestors) {
  auto g = TaskGraph::Build(*graph_, {"brz_orders", "brz_items"}, Ml());
  ASSERT_TRUE(g.has_value()) << g.error().ToString();
  auto names = [](const TaskGraph& t) {
    std::vector<std::string> out;
    for (const TaskNode& n : t.tasks()) out.push_back(n.name);
    return out;
  };
  auto down = g->Select({"silver.slv_orders+"});
  ASSERT_TRUE(down.has_value()) << down.error().ToString();
  EXPECT_THAT(names(*down), ElementsAre("silver.slv_orders", "gold.gld_a", "ml.train", "ml.score"));
  EXPECT_TRUE(down->Find("silver.slv_orders")->deps.empty());  // bronze is read as it is
  EXPECT_THAT(down->Find("gold.gld_a")->deps, ElementsAre("silver.slv_orders"));

  auto up = g->Select({"+gld_b"});
  ASSERT_TRUE(up.has_value()) << up.error().ToString();
  EXPECT_THAT(names(*up), ElementsAre("bronze.brz_items", "silver.slv_items", "gold.gld_b"));

  auto one = g->Select({"gold.gld_b"});
  ASSERT_TRUE(one.has_value());
  EXPECT_THAT(names(*one), ElementsAre("gold.gld_b"));

  auto unknown = g->Select({"gold.nope+"});
  ASSERT_FALSE(unknown.has_value());
  EXPECT_THAT(unknown.error().message(), HasSubstr("no such task"));
}

}  // namespace
}  // namespace pareto::pipeline
