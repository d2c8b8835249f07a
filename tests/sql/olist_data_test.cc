// The whole Olist project on real and on generated data: every model builds with its
// expectations, and the revenue and label figures hold. Every expected figure is computed
// here from bronze, independently of the models; none is copied from a run.
//
//   subset     ../shared/olist-subset (skipped when absent)
//   generated  `pareto generate` output (src/generate) at scale PARETO_SQL_GENERATED_SCALE,
//              default 0.02 to keep the suite quick; 1 gives the full-size check.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "duck/duck.h"
#include "generate/generator.h"
#include "project_harness.h"
#include "test_support.h"

namespace pareto::sqltest {
namespace {

namespace fs = std::filesystem;

// One lakehouse-in-memory per data source, built once for all the tests of that source.
struct BuiltData {
  std::optional<duck::Database> db;
  std::optional<duck::Connection> conn;  // declared after db: destroyed before it
  std::string skip_reason;
  Status status;
  std::string timezone;
};

StatusOr<std::string> SourceFolder(const std::string& source) {
  if (source == "subset") {
    const std::string dir = std::string(PARETO_SHARED_DIR) + "/olist-subset";
    if (!fs::exists(dir + "/olist_orders_dataset.csv")) return std::string();
    return dir;
  }
  const char* scale_env = std::getenv("PARETO_SQL_GENERATED_SCALE");
  generate::GenerateOptions options;
  options.scale = scale_env != nullptr ? std::atof(scale_env) : 0.02;
  options.seed = 7;
  options.out_dir = (fs::temp_directory_path() / ("pareto_sql_generated_" + std::to_string(::getpid()))).string();
  PARETO_ASSIGN_OR_RETURN(const auto report, generate::Generate(options));
  (void)report;
  return options.out_dir;
}

BuiltData& Built(const std::string& source) {
  static std::map<std::string, std::unique_ptr<BuiltData>> cache;
  auto& slot = cache[source];
  if (slot) return *slot;
  slot = std::make_unique<BuiltData>();
  BuiltData& data = *slot;
  const auto folder = SourceFolder(source);
  if (!folder.has_value()) {
    data.status = folder.error();
    return data;
  }
  if (folder->empty()) {
    data.skip_reason = "no ../shared/olist-subset";
    return data;
  }
  auto db = duck::Database::Open();
  if (!db.has_value()) {
    data.status = db.error();
    return data;
  }
  data.db.emplace(std::move(*db));
  auto conn = data.db->Connect();
  if (!conn.has_value()) {
    data.status = conn.error();
    return data;
  }
  data.conn.emplace(std::move(*conn));
  data.status = PrepareBronze(*data.conn);
  if (data.status.ok()) data.status = LoadCsvFolder(*data.conn, *folder);
  if (source != "subset") {
    std::error_code ec;
    fs::remove_all(*folder, ec);
  }
  if (!data.status.ok()) return data;
  auto runner = ProjectHarness::Load(OlistProjectDir(), *data.conn);
  if (!runner.has_value()) {
    data.status = runner.error();
    return data;
  }
  data.timezone = runner->timezone();
  data.status = runner->BuildAll(*data.conn);
  return data;
}

class OlistDataTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    data_ = &Built(GetParam());
    if (!data_->skip_reason.empty()) GTEST_SKIP() << data_->skip_reason;
    ASSERT_TRUE(data_->status.ok()) << data_->status.ToString();
  }

  std::string Scalar(const std::string& sql) {
    auto v = data_->conn->QueryScalar(sql);
    EXPECT_TRUE(v.has_value()) << sql << "\n" << (v.has_value() ? "" : v.error().ToString());
    if (!v.has_value() || !v->has_value()) return "NULL";
    return **v;
  }

  // Payments of the orders the revenue definition counts, straight from bronze.
  static constexpr const char* kBronzeRevenue =
      "SELECT CAST(sum(p.payment_value) AS DECIMAL(18,2))::VARCHAR "
      "FROM bronze.brz_payments AS p JOIN bronze.brz_orders AS o USING (order_id) "
      "WHERE o.order_status NOT IN ('canceled', 'unavailable')";

  BuiltData* data_ = nullptr;
};

TEST_P(OlistDataTest, EveryModelBuildsANonEmptyTable) {
  auto tables = data_->conn->Query(
      "SELECT schema_name || '.' || table_name FROM duckdb_tables() "
      "WHERE schema_name IN ('silver', 'gold') ORDER BY 1");
  ASSERT_TRUE(tables.has_value());
  EXPECT_GE(tables->RowCount(), 20u);
  for (uint64_t r = 0; r < tables->RowCount(); ++r) {
    const std::string table = tables->GetString(0, r);
    EXPECT_NE(Scalar("SELECT count(*)::VARCHAR FROM " + table), "0") << table;
  }
}

TEST_P(OlistDataTest, DailyRevenueReconcilesWithBronzePaymentsToTheCent) {
  const std::string bronze = Scalar(kBronzeRevenue);
  EXPECT_EQ(Scalar("SELECT sum(revenue)::VARCHAR FROM gold.gld_daily_revenue"), bronze);
  EXPECT_EQ(Scalar("SELECT sum(revenue)::VARCHAR FROM silver.slv_order_fact"), bronze);
  RecordProperty("revenue", bronze);
}

TEST_P(OlistDataTest, EveryGoldRevenueFigureReconcilesWithSilver) {
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

TEST_P(OlistDataTest, OrderFactHasOneRowPerOrder) {
  EXPECT_EQ(Scalar("SELECT count(*)::VARCHAR FROM silver.slv_order_fact"),
            Scalar("SELECT count(DISTINCT order_id)::VARCHAR FROM bronze.brz_orders"));
  EXPECT_EQ(Scalar("SELECT count(DISTINCT order_id)::VARCHAR FROM silver.slv_order_fact"),
            Scalar("SELECT count(*)::VARCHAR FROM silver.slv_order_fact"));
  RecordProperty("orders", Scalar("SELECT count(*)::VARCHAR FROM silver.slv_order_fact"));
}

TEST_P(OlistDataTest, MlFeaturesHaveOneRowPerPersonWithAPurchase) {
  const std::string persons =
      Scalar("SELECT count(DISTINCT customer_unique_id)::VARCHAR FROM bronze.brz_customers");
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

TEST_P(OlistDataTest, HighValueShareIsAQuarterPlusTies) {
  // At least 25% are at or above the threshold and at most 25% strictly above it: only
  // persons tied at the threshold push the share over a quarter.
  EXPECT_EQ(Scalar("SELECT (count(*) FILTER (WHERE high_value) >= 0.25 * count(*))::VARCHAR "
                   "FROM gold.gld_ml_features"),
            "true");
  EXPECT_EQ(Scalar("SELECT (count(*) FILTER (WHERE total_spend > spend_p75) <= 0.25 * count(*))::VARCHAR "
                   "FROM gold.gld_ml_features"),
            "true");
  RecordProperty("high_value_share",
                 Scalar("SELECT round(avg(high_value::INTEGER), 6)::VARCHAR FROM gold.gld_ml_features"));
  RecordProperty("high_value_revenue_share_pct",
                 Scalar("SELECT revenue_share_pct::VARCHAR FROM gold.gld_segment_summary WHERE segment = 'high_value'"));
}

TEST_P(OlistDataTest, TheItemGrainJoinOfTheReferenceInflatesRevenue) {
  // The reference platform joined items and payments on order_id and summed payment_value:
  // an order's payments counted once per item.
  const std::string inflated = Scalar(
      "SELECT CAST(sum(p.payment_value) AS DECIMAL(18,2))::VARCHAR FROM bronze.brz_order_items i "
      "JOIN bronze.brz_payments p USING (order_id) JOIN bronze.brz_orders o USING (order_id) "
      "WHERE o.order_status NOT IN ('canceled', 'unavailable')");
  const std::string correct = Scalar("SELECT sum(revenue)::VARCHAR FROM gold.gld_daily_revenue");
  EXPECT_GT(std::stod(inflated), std::stod(correct));
  RecordProperty("reference_item_grain_revenue", inflated);
}

// Every model is deterministic: a rebuild over the same bronze gives the same rows (compared
// as the sorted text of each row, so only content counts, not the order of rows).
TEST_P(OlistDataTest, RebuildingGivesIdenticalTables) {
  auto tables = data_->conn->Query(
      "SELECT schema_name || '.' || table_name FROM duckdb_tables() "
      "WHERE schema_name IN ('silver', 'gold') ORDER BY 1");
  ASSERT_TRUE(tables.has_value());
  auto fingerprint = [&](const std::string& table) {
    return Scalar("SELECT md5(coalesce(string_agg(t::VARCHAR, chr(10) ORDER BY t::VARCHAR), '')) FROM " +
                  table + " AS t");
  };
  std::map<std::string, std::string> first;
  for (uint64_t r = 0; r < tables->RowCount(); ++r) first[tables->GetString(0, r)] = fingerprint(tables->GetString(0, r));
  auto runner = ProjectHarness::Load(OlistProjectDir(), *data_->conn);
  ASSERT_TRUE(runner.has_value()) << runner.error().ToString();
  ASSERT_TRUE(runner->BuildAll(*data_->conn).ok());
  for (const auto& [table, print] : first) EXPECT_EQ(fingerprint(table), print) << table;
}

// Every output column has a type of the Delta subset pareto writes (delta/types.h): string, long,
// integer, double, boolean, date, decimal, timestamp (TIMESTAMPTZ). A HUGEINT from a sum of
// counts, say, would not be writable.
TEST_P(OlistDataTest, EveryColumnHasADeltaType) {
  auto columns = data_->conn->Query(
      "SELECT table_schema || '.' || table_name || '.' || column_name, data_type "
      "FROM information_schema.columns WHERE table_schema IN ('silver', 'gold') "
      "AND data_type NOT IN ('VARCHAR', 'BIGINT', 'INTEGER', 'DOUBLE', 'BOOLEAN', 'DATE', "
      "'TIMESTAMP WITH TIME ZONE') AND NOT regexp_matches(data_type, '^DECIMAL\\(\\d+,\\d+\\)$')");
  ASSERT_TRUE(columns.has_value());
  for (uint64_t r = 0; r < columns->RowCount(); ++r) {
    ADD_FAILURE() << columns->GetString(0, r) << " has type " << columns->GetString(1, r);
  }
}

TEST_P(OlistDataTest, SettingsZoneIsThePipelineZone) {
  EXPECT_EQ(Scalar("SELECT business_time_zone FROM silver.slv_settings"), data_->timezone);
}

INSTANTIATE_TEST_SUITE_P(Sources, OlistDataTest, ::testing::Values("subset", "generated"),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

}  // namespace
}  // namespace pareto::sqltest
