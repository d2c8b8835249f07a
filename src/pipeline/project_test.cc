#include "pipeline/project.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "pipeline/test_util.h"

namespace pareto::pipeline {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::TempDir;
using testing::WriteFile;

TEST(LeadingCommentTest, TakesTheFirstCommentBlockWithoutPrefixes) {
  EXPECT_EQ(LeadingComment("\n-- One row per order.\n--   indented\n--\n-- More.\nSELECT 1 -- not this\n"),
            "One row per order.\n  indented\n\nMore.");
  EXPECT_EQ(LeadingComment("SELECT 1\n-- late comment\n"), "");
  EXPECT_EQ(LeadingComment("-- first\n\n-- second block\nSELECT 1"), "first");
}

TEST(IsPlainIdentifierTest, AcceptsLowerCaseIdentifiersOnly) {
  EXPECT_TRUE(IsPlainIdentifier("slv_order_fact2"));
  EXPECT_TRUE(IsPlainIdentifier("_x"));
  EXPECT_FALSE(IsPlainIdentifier("Slv"));
  EXPECT_FALSE(IsPlainIdentifier("2x"));
  EXPECT_FALSE(IsPlainIdentifier("a-b"));
  EXPECT_FALSE(IsPlainIdentifier(""));
}

class ProjectTest : public ::testing::Test {
 protected:
  void SetUp() override {
    WriteFile(dir_.path(), "silver/slv_orders.sql", "-- Orders, cleaned.\nSELECT * FROM bronze.brz_orders\n");
    WriteFile(dir_.path(), "gold/gld_daily.sql", "SELECT 1 AS x FROM silver.slv_orders\n");
    WriteFile(dir_.path(), "gold/README.md", "not a model");
  }
  StatusOr<Project> Load(const std::string& yaml) {
    WriteFile(dir_.path(), "pipeline.yaml", yaml);
    return LoadProject(dir_.path());
  }
  TempDir dir_;
};

TEST_F(ProjectTest, LoadsCatalogModelsExpectationsAndMonetaryTags) {
  auto project = Load(R"yaml(catalog: shop
sources:
expectations:
  silver.slv_orders:
    - {name: id_not_null, condition: "order_id IS NOT NULL", action: fail}
    - name: valid_status
      condition: "status IN ('a', 'b')"
      action: drop
    - {name: soft, condition: "x > 0"}
monetary:
  - bronze.brz_payments.payment_value
)yaml");
  ASSERT_TRUE(project.has_value()) << project.error().ToString();
  EXPECT_EQ(project->catalog, "shop");
  EXPECT_THAT(project->sections, ElementsAre("catalog", "sources", "expectations", "monetary"));
  EXPECT_TRUE(project->HasSection("sources"));
  EXPECT_FALSE(project->HasSection("ml"));
  ASSERT_EQ(project->models.size(), 2u);
  EXPECT_EQ(project->models[0].QualifiedName(), "silver.slv_orders");
  EXPECT_EQ(project->models[0].comment, "Orders, cleaned.");
  EXPECT_EQ(project->models[1].QualifiedName(), "gold.gld_daily");
  const auto& e = project->ExpectationsOf("silver.slv_orders");
  ASSERT_EQ(e.size(), 3u);
  EXPECT_EQ(e[0].name, "id_not_null");
  EXPECT_EQ(e[0].action, ExpectationAction::kFail);
  EXPECT_EQ(e[1].condition, "status IN ('a', 'b')");
  EXPECT_EQ(e[1].action, ExpectationAction::kDrop);
  EXPECT_EQ(e[2].action, ExpectationAction::kWarn);  // the default
  EXPECT_TRUE(project->ExpectationsOf("gold.gld_daily").empty());
  EXPECT_THAT(project->monetary, ElementsAre(ColumnName{"bronze.brz_payments", "payment_value"}));
}

// The shipped project, read once: every stage's section comes from the one LoadProject.
TEST(OlistProjectLoadTest, HandsEveryStageItsSection) {
  auto project = LoadProject(std::string(PARETO_SOURCE_DIR) + "/pipelines/olist");
  ASSERT_TRUE(project.has_value()) << project.error().ToString();
  EXPECT_EQ(project->catalog, "olist");
  EXPECT_EQ(project->timezone, "America/Sao_Paulo");
  EXPECT_EQ(project->sources.size(), 9u);
  EXPECT_EQ(project->Sources().timezone, "America/Sao_Paulo");
  EXPECT_EQ(project->ExpectationsOf("silver.slv_payments").at(1).action, ExpectationAction::kFail);
  EXPECT_EQ(project->monetary.size(), 3u);
  EXPECT_THAT(project->incremental.at("silver.slv_order_items"), ElementsAre("order_id", "order_item_id"));
  EXPECT_FALSE(project->incremental.contains("silver.slv_geolocation"));
  ASSERT_TRUE(project->ml.has_value());
  ASSERT_EQ(project->ml->protocols.size(), 2u);
  EXPECT_EQ(project->ml->protocols[0].name, "seed");
  EXPECT_EQ(project->ml->models.at("gbt").at("max_depth"), 6);
}

TEST_F(ProjectTest, IncrementalModelsNameTheirUniqueKey) {
  auto project = Load("catalog: shop\nincremental:\n  silver.slv_orders: {unique_key: [order_id, line]}\n");
  ASSERT_TRUE(project.has_value()) << project.error().ToString();
  EXPECT_THAT(project->incremental.at("silver.slv_orders"), ElementsAre("order_id", "line"));
  EXPECT_FALSE(project->incremental.contains("gold.gld_daily"));

  auto unknown = Load("catalog: shop\nincremental:\n  silver.nope: {unique_key: [id]}\n");
  ASSERT_FALSE(unknown.has_value());
  EXPECT_THAT(unknown.error().message(), HasSubstr("pipeline.yaml:3:"));
  EXPECT_THAT(unknown.error().message(), HasSubstr("silver.nope"));
  for (const char* bad : {"incremental:\n  silver.slv_orders: {unique_key: []}\n",
                          "incremental:\n  silver.slv_orders: {key: [id]}\n",
                          "incremental:\n  silver.slv_orders: {unique_key: [id, id]}\n",
                          "incremental:\n  silver.slv_orders: [id]\n", "incremental: [silver.slv_orders]\n"}) {
    auto r = Load(std::string("catalog: shop\n") + bad);
    ASSERT_FALSE(r.has_value()) << bad;
    EXPECT_EQ(r.error().code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_THAT(r.error().message(), HasSubstr("pipeline.yaml:")) << bad;
  }
}

TEST_F(ProjectTest, ExpectationsForAnUnknownTableNameTheLine) {
  auto project = Load("catalog: shop\nexpectations:\n  silver.nope:\n    - {name: a, condition: 'true'}\n");
  ASSERT_FALSE(project.has_value());
  EXPECT_THAT(project.error().message(), HasSubstr("pipeline.yaml:3:"));
  EXPECT_THAT(project.error().message(), HasSubstr("silver.nope"));
}

TEST_F(ProjectTest, RejectsBadExpectations) {
  const std::string head = "catalog: shop\nexpectations:\n  silver.slv_orders:\n";
  auto bad_action = Load(head + "    - {name: a, condition: 'true', action: explode}\n");
  ASSERT_FALSE(bad_action.has_value());
  EXPECT_THAT(bad_action.error().message(), HasSubstr("pipeline.yaml:4:"));
  EXPECT_THAT(bad_action.error().message(), HasSubstr("explode"));

  auto missing = Load(head + "    - {name: a}\n");
  ASSERT_FALSE(missing.has_value());
  EXPECT_THAT(missing.error().message(), HasSubstr("missing 'condition'"));

  auto duplicate = Load(head + "    - {name: a, condition: 'true'}\n    - {name: a, condition: 'false'}\n");
  ASSERT_FALSE(duplicate.has_value());
  EXPECT_THAT(duplicate.error().message(), HasSubstr("duplicate expectation 'a'"));

  auto typo = Load(head + "    - {name: a, conditon: 'true'}\n");
  ASSERT_FALSE(typo.has_value());
  EXPECT_THAT(typo.error().message(), HasSubstr("unknown expectation key 'conditon'"));
}

TEST_F(ProjectTest, YamlSyntaxErrorsNameTheLine) {
  auto project = Load("catalog: shop\nexpectations:\n  silver.slv_orders: [\n");
  ASSERT_FALSE(project.has_value());
  EXPECT_THAT(project.error().message(), HasSubstr("pipeline.yaml:"));
  EXPECT_EQ(project.error().code(), StatusCode::kInvalidArgument);
}

TEST_F(ProjectTest, RequiresCatalogAndWellFormedMonetaryColumns) {
  auto no_catalog = Load("expectations: {}\n");
  ASSERT_FALSE(no_catalog.has_value());
  EXPECT_THAT(no_catalog.error().message(), HasSubstr("catalog"));
  auto bad_monetary = Load("catalog: shop\nmonetary: [brz_payments.payment_value]\n");
  ASSERT_FALSE(bad_monetary.has_value());
  EXPECT_THAT(bad_monetary.error().message(), HasSubstr("layer.table.column"));
}

TEST_F(ProjectTest, RejectsBadModelFileNamesAndMissingProject) {
  WriteFile(dir_.path(), "silver/Bad-Name.sql", "SELECT 1");
  auto project = Load("catalog: shop\n");
  ASSERT_FALSE(project.has_value());
  EXPECT_THAT(project.error().message(), HasSubstr("Bad-Name.sql"));

  auto missing = LoadProject(dir_.path() + "/nowhere");
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace pareto::pipeline
