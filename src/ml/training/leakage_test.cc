// The leakage guard and the trainer's refusal, over lineage recorded in a real
// metastore (the shape the pipeline records for the Olist models).
#include "ml/training/leakage.h"

#include <gtest/gtest.h>

#include <fstream>
#include <optional>

#include "catalog/lineage.h"
#include "catalog/test_util.h"
#include "catalog/testing/register_table.h"
#include "duck/testing/in_memory.h"
#include "ml/training/train_job.h"

namespace pareto::ml {
namespace {

using catalog::ColumnEdge;
using catalog::ColumnRef;

constexpr const char* kFeatures = "olist.gold.gld_ml_features";

void Register(catalog::Metastore& ms, const std::string& schema, const std::string& name) {
  ASSERT_TRUE(catalog::testing::RegisterTable(ms, "olist", schema, name).ok());
}

// bronze -> silver -> gold lineage, as the pipeline records it.
void RecordLineage(catalog::Metastore& ms) {
  for (const char* t : {"brz_order_items", "brz_payments"}) Register(ms, "bronze", t);
  for (const char* t : {"slv_order_items", "slv_payments", "slv_order_fact", "slv_promotions"}) Register(ms, "silver", t);
  Register(ms, "gold", "gld_ml_features");
  const std::string items = "olist.silver.slv_order_items", pays = "olist.silver.slv_payments",
                    fact = "olist.silver.slv_order_fact";
  ASSERT_TRUE(catalog::ReplaceTableLineage(ms, kFeatures, {fact, items, "olist.silver.slv_promotions"}).ok());
  ASSERT_TRUE(catalog::ReplaceColumnLineage(ms, items, {
      {"price", {"olist.bronze.brz_order_items", "price"}},
      {"category", {"olist.bronze.brz_order_items", "product_category_name"}}}).ok());
  ASSERT_TRUE(catalog::ReplaceColumnLineage(ms, pays, {
      {"payment_value", {"olist.bronze.brz_payments", "payment_value"}},
      {"installments", {"olist.bronze.brz_payments", "payment_installments"}}}).ok());
  ASSERT_TRUE(catalog::ReplaceColumnLineage(ms, fact, {
      {"payment_total", {pays, "payment_value"}},
      {"payment_installments", {pays, "installments"}}}).ok());
  ASSERT_TRUE(catalog::ReplaceColumnLineage(ms, kFeatures, {
      {"total_spend", {fact, "payment_total"}},
      {"first_order_main_category", {items, "category"}},
      {"first_order_main_category", {items, "price"}},  // arg_max(category, price)
      {"first_order_installments", {fact, "payment_installments"}},
      {"coupon_value", {"olist.silver.slv_promotions", "discount"}}}).ok());
}

// pipelines/olist/pipeline.yaml's `monetary:` list.
const std::vector<std::string> kOlistTags = {"bronze.brz_order_items.price", "bronze.brz_order_items.freight_value",
                                             "bronze.brz_payments.payment_value"};

MonetaryRule OlistRule() {
  MonetaryRule rule;
  rule.tagged = {{"olist.bronze.brz_order_items", "price"},
                 {"olist.bronze.brz_order_items", "freight_value"},
                 {"olist.bronze.brz_payments", "payment_value"}};
  return rule;
}

TEST(LeakageTest, NamesThePathToEachMonetaryColumn) {
  catalog::testing::TempDir dir;
  auto ms = catalog::Metastore::Open(dir.path());
  ASSERT_TRUE(ms.has_value());
  RecordLineage(*ms);
  const MonetaryRule rule = OlistRule();
  auto leaks = FindMonetaryLineage(*ms, kFeatures,
                                   {"total_spend", "first_order_main_category", "first_order_installments", "first_order_items"},
                                   rule);
  ASSERT_TRUE(leaks.has_value()) << leaks.error().ToString();
  ASSERT_EQ(leaks->size(), 2u);
  EXPECT_EQ((*leaks)[0].feature, "total_spend");
  EXPECT_EQ((*leaks)[0].ToString(),
            "olist.gold.gld_ml_features.total_spend <- olist.silver.slv_order_fact.payment_total <- "
            "olist.silver.slv_payments.payment_value <- olist.bronze.brz_payments.payment_value");
  EXPECT_EQ((*leaks)[1].feature, "first_order_main_category");
  EXPECT_EQ((*leaks)[1].ToString(),
            "olist.gold.gld_ml_features.first_order_main_category <- olist.silver.slv_order_items.price <- "
            "olist.bronze.brz_order_items.price");
}

// A column's name says nothing: without `monetary:` tags nothing is money.
TEST(LeakageTest, OnlyTaggedColumnsAreMonetary) {
  catalog::testing::TempDir dir;
  auto ms = catalog::Metastore::Open(dir.path());
  ASSERT_TRUE(ms.has_value());
  RecordLineage(*ms);
  auto leaks = FindMonetaryLineage(*ms, kFeatures, {"total_spend", "first_order_main_category"}, MonetaryRule{});
  ASSERT_TRUE(leaks.has_value()) << leaks.error().ToString();
  EXPECT_TRUE(leaks->empty());
}

TEST(LeakageTest, ColumnsTaggedMonetaryCountToo) {
  catalog::testing::TempDir dir;
  auto ms = catalog::Metastore::Open(dir.path());
  ASSERT_TRUE(ms.has_value());
  RecordLineage(*ms);
  MonetaryRule rule = OlistRule();
  EXPECT_TRUE(CheckNoMonetaryLineage(*ms, kFeatures, {"coupon_value"}, rule).ok());
  rule.tagged.insert({"olist.silver.slv_promotions", "discount"});
  Status s = CheckNoMonetaryLineage(*ms, kFeatures, {"coupon_value"}, rule);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("coupon_value <- olist.silver.slv_promotions.discount"), std::string::npos) << s.message();
}

TEST(LeakageTest, ATableWithoutLineageIsRefused) {
  catalog::testing::TempDir dir;
  auto ms = catalog::Metastore::Open(dir.path());
  ASSERT_TRUE(ms.has_value());
  auto leaks = FindMonetaryLineage(*ms, "olist.gold.unknown", {"x"}, MonetaryRule{});
  ASSERT_FALSE(leaks.has_value());
  EXPECT_NE(leaks.error().message().find("pareto run"), std::string::npos);
}

MlConfig ConfigWith(std::vector<std::string> features) {
  MlConfig config;
  ProtocolSpec s;
  s.name = "early";
  s.table = "gold.gld_ml_features";
  s.spend_column = "total_spend";
  s.time_column = "first_purchase_ts";
  s.split = SplitKind::kTime;
  s.features = std::move(features);
  config.protocols.push_back(s);
  config.train.models = {"lr"};
  config.train.cv_folds = 0;
  config.train.bootstrap_resamples = 50;
  return config;
}

// The trainer's guard end to end: a lakehouse whose metastore holds the lineage
// of RecordLineage, and a DuckDB connection for the feature tables.
class TrainerGuardTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = catalog::Metastore::Open(dir_.path());
    ASSERT_TRUE(opened.has_value());
    ms_.emplace(std::move(*opened));
    RecordLineage(*ms_);
    ASSERT_NO_FATAL_FAILURE(duck::testing::OpenInMemory(db_, conn_));
    // The tagged base columns, which the trainer checks exist.
    ASSERT_TRUE(conn_->Execute("CREATE SCHEMA bronze; "
                               "CREATE TABLE bronze.brz_order_items (price DECIMAL(12,2), freight_value DECIMAL(12,2)); "
                               "CREATE TABLE bronze.brz_payments (payment_value DECIMAL(12,2))").ok());
  }

  static TrainRequest OlistRequest() {
    TrainRequest request;
    request.monetary_tags = kOlistTags;
    return request;
  }

  catalog::testing::TempDir dir_;
  std::optional<catalog::Metastore> ms_;
  std::optional<duck::Database> db_;
  std::optional<duck::Connection> conn_;
};

TEST_F(TrainerGuardTest, TrainerRefusesTotalSpendAndAPriceDerivedColumnAndRecordsTheRun) {
  const MlConfig config = ConfigWith({"first_order_installments", "total_spend", "first_order_main_category"});
  auto refused = RunTraining(*ms_, *conn_, config, OlistRequest());
  ASSERT_FALSE(refused.has_value());
  const std::string& m = refused.error().message();
  EXPECT_EQ(refused.error().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(m.find("feature total_spend derives from money: olist.gold.gld_ml_features.total_spend <- "
                   "olist.silver.slv_order_fact.payment_total <- olist.silver.slv_payments.payment_value <- "
                   "olist.bronze.brz_payments.payment_value"),
            std::string::npos) << m;
  EXPECT_NE(m.find("feature first_order_main_category derives from money: "
                   "olist.gold.gld_ml_features.first_order_main_category <- olist.silver.slv_order_items.price <- "
                   "olist.bronze.brz_order_items.price"),
            std::string::npos) << m;
  EXPECT_EQ(m.find("first_order_installments derives"), std::string::npos);
  auto runs = ListRuns(*ms_, "", 10);
  ASSERT_TRUE(runs.has_value());
  ASSERT_EQ(runs->size(), 1u);
  EXPECT_EQ((*runs)[0].status, "failed");
}

TEST_F(TrainerGuardTest, AMonetaryTagThatNamesNoColumnIsRefused) {
  ASSERT_TRUE(conn_->Execute("CREATE SCHEMA silver; CREATE TABLE silver.slv_payments (payment_value DECIMAL(12,2))").ok());
  TrainRequest request;
  request.monetary_tags = {"silver.slv_payments.payment_valeu"};  // a typo protects nothing: say so
  auto refused = RunTraining(*ms_, *conn_, ConfigWith({"first_order_installments"}), request);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(refused.error().message().find("monetary tag 'silver.slv_payments.payment_valeu' in pipeline.yaml names "
                                           "no column"), std::string::npos) << refused.error().ToString();
}

TEST_F(TrainerGuardTest, OverrideIsWrittenIntoTheRunRecordAndTheModelCard) {
  ASSERT_TRUE(conn_->Execute("CREATE SCHEMA gold; CREATE TABLE gold.gld_ml_features AS "
                             "SELECT 'p' || lpad(i::VARCHAR, 5, '0') AS customer_unique_id, "
                             "TIMESTAMPTZ '2017-01-01 00:00:00+00' + INTERVAL (i) HOUR AS first_purchase_ts, "
                             "(i * 7919 % 1000)::DECIMAL(12,2) AS total_spend, (i % 10) AS first_order_installments "
                             "FROM range(400) t(i)").ok());
  TrainRequest request = OlistRequest();
  request.allow_monetary = {"total_spend"};
  auto trained = RunTraining(*ms_, *conn_, ConfigWith({"first_order_installments", "total_spend"}), request);
  ASSERT_TRUE(trained.has_value()) << trained.error().ToString();
  ASSERT_EQ(trained->size(), 1u);
  const ProtocolOutcome& o = (*trained)[0];
  EXPECT_NE(o.leakage_override.find("total_spend <- olist.silver.slv_order_fact.payment_total"), std::string::npos);
  auto run = GetRun(*ms_, o.run_id);
  ASSERT_TRUE(run.has_value() && run->has_value());
  EXPECT_EQ((*run)->leakage_override, o.leakage_override);
  ASSERT_TRUE(o.registered.has_value());
  std::ifstream card(dir_.path() + "/" + o.registered->path + "/model_card.md");
  std::stringstream text;
  text << card.rdbuf();
  EXPECT_NE(text.str().find("OVERRIDDEN"), std::string::npos);
  EXPECT_NE(text.str().find("total_spend <- "), std::string::npos);
}

}  // namespace
}  // namespace pareto::ml
