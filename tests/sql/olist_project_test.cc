// The Olist project as pareto's own runtime reads it (src/pipeline): pipeline.yaml and every
// model load, the dependency graph builds, and the column lineage of gld_ml_features keeps
// the label's monetary basis apart from the features (the trainer's leakage guard).
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "duck/duck.h"
#include "duck/testing/in_memory.h"
#include "project_harness.h"
#include "pipeline/column_lineage.h"
#include "pipeline/graph.h"
#include "pipeline/project.h"
#include "pipeline/sql_parse.h"
#include "test_support.h"

namespace pareto::sqltest {
namespace {

using pipeline::ColumnName;

class OlistProjectTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(duck::testing::OpenInMemory(db_, conn_));
    ASSERT_TRUE(PrepareBronze(*conn_).ok());
    auto project = pipeline::LoadProject(OlistProjectDir());
    ASSERT_TRUE(project.has_value()) << project.error().ToString();
    project_.emplace(std::move(*project));
  }
  void TearDown() override {
    conn_.reset();  // before the database it belongs to
    db_.reset();
  }

  std::set<std::string> BronzeTables() {
    std::set<std::string> out;
    auto r = conn_->Query("SELECT 'bronze.' || table_name FROM duckdb_tables() WHERE schema_name = 'bronze'");
    EXPECT_TRUE(r.has_value());
    for (uint64_t i = 0; r.has_value() && i < r->RowCount(); ++i) out.insert(r->GetString(0, i));
    return out;
  }

  std::optional<duck::Database> db_;
  std::optional<duck::Connection> conn_;
  std::optional<pipeline::Project> project_;
};

TEST_F(OlistProjectTest, LoadsAndBuildsTheGraph) {
  auto graph = pipeline::BuildGraph(*conn_, *project_, BronzeTables());
  ASSERT_TRUE(graph.has_value()) << graph.error().ToString();
  EXPECT_EQ(graph->order().size(), project_->models.size());
  for (const auto& [table, expectations] : project_->expectations) {
    EXPECT_NE(project_->FindModel(table), nullptr) << table;
  }
  for (const char* table : {"silver.slv_order_fact", "gold.gld_daily_revenue", "gold.gld_monthly_revenue",
                            "gold.gld_order_volume", "gold.gld_category_performance",
                            "gold.gld_customer_metrics", "gold.gld_rfm", "gold.gld_ml_features",
                            "gold.gld_segment_summary", "gold.gld_delivery_impact",
                            "gold.gld_state_performance"}) {
    EXPECT_NE(project_->FindModel(table), nullptr) << table;
  }
}

// Transitive column lineage down to bronze: each model's lineage (from the runtime's
// ComputeColumnLineage) composed with that of the models it reads.
TEST_F(OlistProjectTest, MlFeaturesReachMoneyOnlyThroughTheLabelColumns) {
  auto graph = pipeline::BuildGraph(*conn_, *project_, BronzeTables());
  ASSERT_TRUE(graph.has_value()) << graph.error().ToString();
  // Empty tables of every model give the schemas the lineage needs to expand `*`.
  auto runner = ProjectHarness::Load(OlistProjectDir(), *conn_);
  ASSERT_TRUE(runner.has_value()) << runner.error().ToString();
  ASSERT_TRUE(runner->BuildAll(*conn_).ok());
  const pipeline::SchemaLookup schema =
      [&](const std::string& table) -> std::optional<std::vector<std::string>> {
    const auto dot = table.find('.');
    auto r = conn_->Query("SELECT column_name FROM information_schema.columns WHERE table_schema = " +
                          duck::QuoteLiteral(table.substr(0, dot)) + " AND table_name = " +
                          duck::QuoteLiteral(table.substr(dot + 1)) + " ORDER BY ordinal_position");
    if (!r.has_value() || r->RowCount() == 0) return std::nullopt;
    std::vector<std::string> cols;
    for (uint64_t i = 0; i < r->RowCount(); ++i) cols.push_back(r->GetString(0, i));
    return cols;
  };

  std::map<ColumnName, std::set<ColumnName>> to_bronze;  // model column -> bronze columns
  for (const std::string& name : graph->order()) {
    const pipeline::Model* model = project_->FindModel(name);
    auto tree = pipeline::ParseQuery(*conn_, model->sql);
    ASSERT_TRUE(tree.has_value()) << name << ": " << tree.error().ToString();
    auto lineage = pipeline::ComputeColumnLineage(*tree, schema);
    ASSERT_TRUE(lineage.has_value()) << name << ": " << lineage.error().ToString();
    auto actual = schema(name);
    ASSERT_TRUE(actual.has_value()) << name;
    for (const auto& column : pipeline::AlignToOutput(std::move(*lineage), *actual)) {
      std::set<ColumnName>& sources = to_bronze[ColumnName{name, column.name}];
      for (const ColumnName& source : column.sources) {
        const auto upstream = to_bronze.find(source);
        if (upstream == to_bronze.end()) {
          sources.insert(source);
        } else {
          sources.insert(upstream->second.begin(), upstream->second.end());
        }
      }
    }
  }

  const std::set<ColumnName> money = {{"bronze.brz_order_items", "price"},
                                      {"bronze.brz_order_items", "freight_value"},
                                      {"bronze.brz_payments", "payment_value"}};
  const std::set<std::string> label_basis = {"total_spend", "spend_p75", "high_value"};
  auto columns = schema("gold.gld_ml_features");
  ASSERT_TRUE(columns.has_value());
  for (const std::string& column : *columns) {
    const auto& sources = to_bronze[ColumnName{"gold.gld_ml_features", column}];
    bool monetary = false;
    for (const ColumnName& m : money) monetary = monetary || sources.contains(m);
    EXPECT_EQ(monetary, label_basis.contains(column)) << "gld_ml_features." << column;
  }
}

}  // namespace
}  // namespace pareto::sqltest
