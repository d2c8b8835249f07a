// The real Olist project (pipelines/olist) over the small fixture
// (tests/fixtures/olist-mini): ingest, every model, lineage, incremental rerun.
#include <filesystem>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "catalog/lineage.h"
#include "delta/table.h"
#include "pipeline/lineage_query.h"
#include "pipeline/runner.h"
#include "pipeline/test_util.h"

namespace pareto::pipeline {
namespace {

namespace fs = std::filesystem;

class OlistProjectTest : public ::testing::Test {
 protected:
  void SetUp() override {
    project_ = std::string(PARETO_SOURCE_DIR) + "/pipelines/olist";
    source_ = std::string(PARETO_SOURCE_DIR) + "/tests/fixtures/olist-mini";
    if (!fs::exists(source_) || !fs::exists(project_ + "/gold")) {
      GTEST_SKIP() << "needs tests/fixtures/olist-mini and the Olist models";
    }
  }
  std::string project_, source_;
  testing::TempDir dir_;
};

TEST_F(OlistProjectTest, BuildsEveryModelThenIsUpToDateAndRecordsMonetaryLineage) {
  RunOptions options{.project_dir = project_, .lakehouse_root = dir_.path(), .source_dir = source_};
  auto first = RunPipeline(options);
  ASSERT_TRUE(first.has_value()) << first.error().ToString();
  ASSERT_TRUE(first->ok()) << FormatRunReport(*first);
  auto project = LoadProject(project_);
  ASSERT_TRUE(project.has_value());
  for (const Model& m : project->models) {
    const TaskReport* t = first->Find(m.QualifiedName());
    ASSERT_NE(t, nullptr) << m.QualifiedName();
    EXPECT_EQ(t->state, TaskState::kBuilt) << m.QualifiedName();
    EXPECT_EQ(t->delta_version, 0) << m.QualifiedName();
  }

  auto second = RunPipeline(options);
  ASSERT_TRUE(second.has_value());
  for (const Model& m : project->models) {
    EXPECT_EQ(second->Find(m.QualifiedName())->state, TaskState::kUpToDate) << m.QualifiedName();
  }
  EXPECT_EQ(second->ingest->files_ingested, 0);

  auto ms = catalog::Metastore::Open(dir_.path());
  ASSERT_TRUE(ms.has_value());
  const std::vector<catalog::ColumnRef> money = {{"olist.bronze.brz_payments", "payment_value"},
                                                 {"olist.bronze.brz_order_items", "price"},
                                                 {"olist.bronze.brz_order_items", "freight_value"}};
  auto spend = FindLineagePath(*ms, {"olist.gold.gld_ml_features", "total_spend"}, money);
  ASSERT_TRUE(spend.has_value());
  ASSERT_TRUE(spend->has_value()) << "total_spend must derive from a monetary column";
  EXPECT_EQ((*spend)->front().table, "olist.gold.gld_ml_features");
  EXPECT_TRUE((*spend)->back().table.starts_with("olist.bronze.")) << FormatLineagePath(**spend);
  auto key = FindLineagePath(*ms, {"olist.gold.gld_ml_features", "customer_unique_id"}, money);
  ASSERT_TRUE(key.has_value());
  EXPECT_FALSE(key->has_value()) << FormatLineagePath(**key);
}

}  // namespace
}  // namespace pareto::pipeline
