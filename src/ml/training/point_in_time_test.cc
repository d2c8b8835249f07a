// The point-in-time guard over lineage recorded in a real metastore, the
// trainer's refusal end to end, and the Olist project's tags.
#include "ml/training/point_in_time.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <optional>

#include "catalog/lineage.h"
#include "catalog/test_util.h"
#include "catalog/testing/register_table.h"
#include "duck/testing/in_memory.h"
#include "ml/ml_config.h"
#include "ml/training/train_job.h"

namespace pareto::ml {
namespace {

constexpr const char* kEarly = "olist.gold.gld_early_features";
constexpr const char* kOrders = "olist.bronze.brz_orders";
constexpr const char* kReviews = "olist.bronze.brz_reviews";

void Register(catalog::Metastore& ms, const std::string& schema, const std::string& name) {
  ASSERT_TRUE(catalog::testing::RegisterTable(ms, "olist", schema, name).ok());
}

// bronze -> silver -> gold, as the Olist models record it: a delivery-days
// column from the delivery date, a review score, and checkout-time columns.
void RecordLineage(catalog::Metastore& ms) {
  for (const char* t : {"brz_orders", "brz_reviews"}) Register(ms, "bronze", t);
  Register(ms, "silver", "slv_order_fact");
  Register(ms, "gold", "gld_early_features");
  const std::string fact = "olist.silver.slv_order_fact";
  ASSERT_TRUE(catalog::ReplaceTableLineage(ms, kEarly, {fact}).ok());
  ASSERT_TRUE(catalog::ReplaceColumnLineage(ms, fact, {
      {"purchase_ts", {kOrders, "order_purchase_timestamp"}},
      {"delivery_days", {kOrders, "order_delivered_customer_date"}},
      {"delivery_days", {kOrders, "order_purchase_timestamp"}},
      {"review_score", {kReviews, "review_score"}}}).ok());
  ASSERT_TRUE(catalog::ReplaceColumnLineage(ms, kEarly, {
      {"first_purchase_hour", {fact, "purchase_ts"}},
      {"first_order_delivery_days", {fact, "delivery_days"}},
      // known at the latest of the columns it reaches: review
      {"delivery_and_review", {fact, "delivery_days"}},
      {"delivery_and_review", {fact, "review_score"}}}).ok());
}

std::map<catalog::ColumnRef, Moment> OlistTags() {
  return {{{kOrders, "order_delivered_customer_date"}, Moment::kDelivery}, {{kReviews, "review_score"}, Moment::kReview}};
}

TEST(PointInTimeTest, NamesTheLatestMomentAndItsPath) {
  catalog::testing::TempDir dir;
  auto ms = catalog::Metastore::Open(dir.path());
  ASSERT_TRUE(ms.has_value());
  RecordLineage(*ms);
  auto late = FindLateFeatures(*ms, kEarly, {"first_purchase_hour", "first_order_delivery_days", "delivery_and_review"},
                               OlistTags(), Moment::kPurchase);
  ASSERT_TRUE(late.has_value()) << late.error().ToString();
  ASSERT_EQ(late->size(), 2u);
  EXPECT_EQ((*late)[0].feature, "first_order_delivery_days");
  EXPECT_EQ((*late)[0].known_at, Moment::kDelivery);
  EXPECT_EQ((*late)[0].ToString(),
            "feature first_order_delivery_days is known only at delivery: "
            "olist.gold.gld_early_features.first_order_delivery_days <- olist.silver.slv_order_fact.delivery_days <- "
            "olist.bronze.brz_orders.order_delivered_customer_date");
  EXPECT_EQ((*late)[1].feature, "delivery_and_review");
  EXPECT_EQ((*late)[1].known_at, Moment::kReview);
  // Predicting at delivery, only what is known at review is late.
  auto at_delivery = FindLateFeatures(*ms, kEarly, {"first_order_delivery_days", "delivery_and_review"}, OlistTags(),
                                      Moment::kDelivery);
  ASSERT_TRUE(at_delivery.has_value());
  ASSERT_EQ(at_delivery->size(), 1u);
  EXPECT_EQ((*at_delivery)[0].feature, "delivery_and_review");
}

TEST(PointInTimeTest, ParsesMoments) {
  EXPECT_EQ(ParseMoment("carrier").value(), Moment::kCarrier);
  EXPECT_EQ(MomentName(Moment::kReview), "review");
  EXPECT_FALSE(ParseMoment("shipping").has_value());
}

// The trainer refuses a checkout-time protocol with a post-purchase feature.
TEST(PointInTimeTest, TrainerRefusesAFeatureKnownAfterThePredictionMoment) {
  catalog::testing::TempDir dir;
  auto ms = catalog::Metastore::Open(dir.path());
  ASSERT_TRUE(ms.has_value());
  RecordLineage(*ms);
  std::optional<duck::Database> db;
  std::optional<duck::Connection> conn;
  ASSERT_NO_FATAL_FAILURE(duck::testing::OpenInMemory(db, conn));
  ASSERT_TRUE(conn->Execute("CREATE SCHEMA bronze; "
                            "CREATE TABLE bronze.brz_orders (order_purchase_timestamp TIMESTAMP, "
                            "order_delivered_customer_date TIMESTAMP); "
                            "CREATE TABLE bronze.brz_reviews (review_score INTEGER)").ok());
  MlConfig config;
  ProtocolSpec s;
  s.name = "early";
  s.table = "gold.gld_early_features";
  s.spend_column = "total_spend";
  s.time_column = "first_purchase_ts";
  s.split = SplitKind::kTime;
  s.features = {"first_purchase_hour", "first_order_delivery_days"};
  s.predict_at = Moment::kPurchase;
  config.protocols.push_back(s);
  config.train.models = {"lr"};
  config.known_at = {{"bronze.brz_orders.order_delivered_customer_date", Moment::kDelivery},
                     {"bronze.brz_reviews.review_score", Moment::kReview}};
  auto refused = RunTraining(*ms, *conn, config, TrainRequest{});
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code(), StatusCode::kInvalidArgument);
  const std::string& m = refused.error().message();
  EXPECT_NE(m.find("protocol early predicts at purchase and is refused: feature first_order_delivery_days is known "
                   "only at delivery: olist.gold.gld_early_features.first_order_delivery_days <- "
                   "olist.silver.slv_order_fact.delivery_days <- olist.bronze.brz_orders.order_delivered_customer_date"),
            std::string::npos) << m;
  EXPECT_EQ(m.find("first_purchase_hour"), std::string::npos) << m;

  // A tag naming no column protects nothing: refused too.
  config.known_at.push_back({"bronze.brz_reviews.review_scroe", Moment::kReview});
  auto typo = RunTraining(*ms, *conn, config, TrainRequest{});
  ASSERT_FALSE(typo.has_value());
  EXPECT_NE(typo.error().message().find("known_at tag 'bronze.brz_reviews.review_scroe'"), std::string::npos)
      << typo.error().ToString();
}

// The Olist project: the checkout-time protocol predicts at purchase, without
// the delivery and review features, and the late columns are tagged.
TEST(PointInTimeTest, OlistEarlyProtocolPredictsAtCheckout) {
  auto config = LoadMlConfig(std::string(PARETO_SOURCE_DIR) + "/pipelines/olist");
  ASSERT_TRUE(config.has_value()) << config.error().ToString();
  const ProtocolSpec* early = config->FindProtocol("early");
  ASSERT_NE(early, nullptr);
  ASSERT_TRUE(early->predict_at.has_value());
  EXPECT_EQ(*early->predict_at, Moment::kPurchase);
  for (const char* late : {"first_order_delivery_days", "first_order_delivery_delay_days", "first_order_review_score"}) {
    EXPECT_EQ(std::count(early->features.begin(), early->features.end(), late), 0) << late;
  }
  auto tagged = [&](const std::string& column) {
    for (const auto& [c, m] : config->known_at) {
      if (c == column) return std::optional<Moment>(m);
    }
    return std::optional<Moment>();
  };
  EXPECT_EQ(tagged("bronze.brz_orders.order_delivered_customer_date"), Moment::kDelivery);
  EXPECT_EQ(tagged("bronze.brz_reviews.review_score"), Moment::kReview);
}

TEST(PointInTimeTest, ProjectFileRefusesAnUnknownMoment) {
  const std::string yaml =
      "catalog: olist\n"
      "known_at:\n  shipping: [bronze.brz_orders.order_delivered_carrier_date]\n"
      "ml:\n  protocols:\n    p: {table: gold.t, id: id, label: y, features: [a]}\n";
  auto config = ParseMlConfig(yaml, "pipeline.yaml");
  ASSERT_FALSE(config.has_value());
  EXPECT_NE(config.error().message().find("unknown moment 'shipping'"), std::string::npos) << config.error().ToString();
  auto bad_predict = ParseMlConfig(
      "catalog: olist\nml:\n  protocols:\n    p: {table: gold.t, id: id, label: y, features: [a], predict_at: later}\n",
      "pipeline.yaml");
  ASSERT_FALSE(bad_predict.has_value());
  EXPECT_NE(bad_predict.error().message().find("predict_at"), std::string::npos);
}

}  // namespace
}  // namespace pareto::ml
