// The whole Olist project on the real subset (../shared/olist-subset): every model builds
// with its expectations, and the revenue and label figures hold. Every expected figure is
// computed here from bronze, independently of the models; none is copied from a run.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "duck/duck.h"
#include "model_runner.h"
#include "test_support.h"

namespace pareto::sqltest {
namespace {

class OlistSubsetTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const std::string dir = std::string(PARETO_SHARED_DIR) + "/olist-subset";
    if (!std::filesystem::exists(dir + "/olist_orders_dataset.csv")) return;
    auto db = duck::Database::Open();
    ASSERT_TRUE(db.has_value()) << db.error().ToString();
    auto conn = db->Connect();
    ASSERT_TRUE(conn.has_value()) << conn.error().ToString();
    ASSERT_TRUE(PrepareBronze(*conn).ok());
    const Status loaded = LoadCsvFolder(*conn, dir);
    ASSERT_TRUE(loaded.ok()) << loaded.ToString();
    auto runner = ModelRunner::Load(OlistProjectDir(), *conn);
    ASSERT_TRUE(runner.has_value()) << runner.error().ToString();
    build_status_ = new Status(runner->BuildAll(*conn));
    timezone_ = new std::string(runner->timezone());
    conn_ = new duck::Connection(std::move(*conn));
    db_ = new duck::Database(std::move(*db));
  }
  static void TearDownTestSuite() {
    // Connection before Database, as duck.h requires.
    delete conn_;
    delete db_;
    delete build_status_;
    delete timezone_;
    conn_ = nullptr;
    db_ = nullptr;
    build_status_ = nullptr;
    timezone_ = nullptr;
  }
  void SetUp() override {
    if (conn_ == nullptr) GTEST_SKIP() << "no ../shared/olist-subset";
    ASSERT_TRUE(build_status_->ok()) << build_status_->ToString();
  }

  static std::string Scalar(const std::string& sql) {
    auto v = conn_->QueryScalar(sql);
    EXPECT_TRUE(v.has_value()) << sql << "\n" << v.error().ToString();
    if (!v.has_value() || !v->has_value()) return "NULL";
    return **v;
  }

  // Payments of the orders the revenue definition counts, straight from bronze.
  static constexpr const char* kBronzeRevenue =
      "SELECT CAST(sum(p.payment_value) AS DECIMAL(18,2))::VARCHAR "
      "FROM bronze.brz_payments AS p JOIN bronze.brz_orders AS o USING (order_id) "
      "WHERE o.order_status NOT IN ('canceled', 'unavailable')";

  static duck::Database* db_;
  static duck::Connection* conn_;
  static Status* build_status_;
  static std::string* timezone_;
};

duck::Database* OlistSubsetTest::db_ = nullptr;
duck::Connection* OlistSubsetTest::conn_ = nullptr;
Status* OlistSubsetTest::build_status_ = nullptr;
std::string* OlistSubsetTest::timezone_ = nullptr;

TEST_F(OlistSubsetTest, EveryModelBuildsANonEmptyTable) {
  auto db_tables = conn_->Query(
      "SELECT schema_name || '.' || table_name, estimated_size FROM duckdb_tables() "
      "WHERE schema_name IN ('silver', 'gold') ORDER BY 1");
  ASSERT_TRUE(db_tables.has_value());
  EXPECT_GE(db_tables->RowCount(), 20u);
  for (uint64_t r = 0; r < db_tables->RowCount(); ++r) {
    const std::string table = db_tables->GetString(0, r);
    EXPECT_NE(Scalar("SELECT count(*)::VARCHAR FROM " + table), "0") << table;
  }
}

TEST_F(OlistSubsetTest, DailyRevenueReconcilesWithBronzePaymentsToTheCent) {
  const std::string bronze = Scalar(kBronzeRevenue);
  EXPECT_EQ(Scalar("SELECT sum(revenue)::VARCHAR FROM gold.gld_daily_revenue"), bronze);
  EXPECT_EQ(Scalar("SELECT sum(revenue)::VARCHAR FROM silver.slv_order_fact"), bronze);
  RecordProperty("revenue", bronze);
}

TEST_F(OlistSubsetTest, EveryGoldRevenueFigureReconcilesWithSilver) {
  const std::string silver = Scalar("SELECT sum(revenue)::VARCHAR FROM silver.slv_order_fact");
  for (const char* sql : {
           "SELECT sum(revenue)::VARCHAR FROM gold.gld_monthly_revenue",
           "SELECT sum(revenue)::VARCHAR FROM gold.gld_order_volume",
           "SELECT sum(revenue)::VARCHAR FROM gold.gld_category_performance",
           "SELECT sum(revenue)::VARCHAR FROM gold.gld_state_performance",
           "SELECT sum(total_spend)::VARCHAR FROM gold.gld_customer_metrics",
           "SELECT sum(monetary)::VARCHAR FROM gold.gld_rfm",
           "SELECT sum(total_spend)::VARCHAR FROM gold.gld_ml_features",
           "SELECT sum(revenue)::VARCHAR FROM gold.gld_segment_summary",
           "SELECT max(cumulative_revenue)::VARCHAR FROM gold.gld_pareto_curve",
       }) {
    EXPECT_EQ(Scalar(sql), silver) << sql;
  }
}

TEST_F(OlistSubsetTest, OrderFactHasOneRowPerOrder) {
  EXPECT_EQ(Scalar("SELECT count(*)::VARCHAR FROM silver.slv_order_fact"),
            Scalar("SELECT count(DISTINCT order_id)::VARCHAR FROM bronze.brz_orders"));
  EXPECT_EQ(Scalar("SELECT count(DISTINCT order_id)::VARCHAR FROM silver.slv_order_fact"),
            Scalar("SELECT count(*)::VARCHAR FROM silver.slv_order_fact"));
}

TEST_F(OlistSubsetTest, MlFeaturesHaveOneRowPerPersonWithAPurchase) {
  const std::string persons = Scalar("SELECT count(DISTINCT customer_unique_id)::VARCHAR FROM bronze.brz_customers");
  const std::string without_purchase = Scalar(
      "SELECT count(*)::VARCHAR FROM (SELECT c.customer_unique_id FROM bronze.brz_customers c "
      "JOIN bronze.brz_orders o USING (customer_id) GROUP BY 1 "
      "HAVING bool_and(o.order_status IN ('canceled', 'unavailable')))");
  EXPECT_EQ(Scalar("SELECT count(*)::VARCHAR FROM gold.gld_ml_features"),
            std::to_string(std::stoll(persons) - std::stoll(without_purchase)));
  EXPECT_EQ(Scalar("SELECT count(DISTINCT customer_unique_id)::VARCHAR FROM gold.gld_ml_features"),
            Scalar("SELECT count(*)::VARCHAR FROM gold.gld_ml_features"));
  EXPECT_EQ(Scalar("SELECT count(*)::VARCHAR FROM gold.gld_customer_metrics"), persons);
  RecordProperty("persons", persons);
  RecordProperty("persons_without_purchase", without_purchase);
}

TEST_F(OlistSubsetTest, HighValueShareIsAQuarterPlusTies) {
  // At least 25% are at or above the threshold, and at most 25% are strictly above it:
  // only persons tied at the threshold push the share over a quarter.
  EXPECT_EQ(Scalar("SELECT (count(*) FILTER (WHERE high_value) >= 0.25 * count(*))::VARCHAR "
                   "FROM gold.gld_ml_features"),
            "true");
  EXPECT_EQ(Scalar("SELECT (count(*) FILTER (WHERE total_spend > spend_p75) <= 0.25 * count(*))::VARCHAR "
                   "FROM gold.gld_ml_features"),
            "true");
  RecordProperty("high_value_share",
                 Scalar("SELECT round(avg(high_value::INTEGER), 6)::VARCHAR FROM gold.gld_ml_features"));
}

TEST_F(OlistSubsetTest, TheItemGrainJoinOfTheReferenceInflatesRevenue) {
  // The reference platform joined items and payments on order_id and summed payment_value:
  // an order's payments counted once per item (and an order's items once per payment).
  const std::string inflated = Scalar(
      "SELECT CAST(sum(p.payment_value) AS DECIMAL(18,2))::VARCHAR FROM bronze.brz_order_items i "
      "JOIN bronze.brz_payments p USING (order_id) JOIN bronze.brz_orders o USING (order_id) "
      "WHERE o.order_status NOT IN ('canceled', 'unavailable')");
  const std::string correct = Scalar("SELECT sum(revenue)::VARCHAR FROM gold.gld_daily_revenue");
  EXPECT_GT(std::stod(inflated), std::stod(correct));
  RecordProperty("reference_item_grain_revenue", inflated);
}

TEST_F(OlistSubsetTest, SettingsZoneIsThePipelineZone) {
  EXPECT_EQ(Scalar("SELECT business_time_zone FROM silver.slv_settings"), *timezone_);
}

}  // namespace
}  // namespace pareto::sqltest
