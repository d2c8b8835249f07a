// Behaviour of `pareto generate`: format, referential integrity and the
// calibration figures of docs/generator.md, checked by aggregating the written
// CSV files with DuckDB. One generation per test binary (a shared fixture).
#include "generate/generator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include "duck/duck.h"

namespace pareto::generate {
namespace {

namespace fs = std::filesystem;

// Scale of the shared generation: 1 is the real export's size.
constexpr double kScale = 1.0;
constexpr uint64_t kSeed = 7;

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string FirstLine(const std::string& path) {
  std::string all = ReadAll(path);
  return all.substr(0, all.find('\n'));
}

class GeneratedData : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = std::make_unique<std::string>((fs::temp_directory_path() / ("pareto-gen-test-" + std::to_string(::getpid()))).string());
    GenerateOptions opt;
    opt.scale = kScale;
    opt.seed = kSeed;
    opt.out_dir = *dir_;
    auto report = Generate(opt);
    ASSERT_TRUE(report.has_value()) << report.error().ToString();
    report_ = std::make_unique<GenerateReport>(*report);
    auto db = duck::Database::Open();
    ASSERT_TRUE(db.has_value());
    db_ = std::make_unique<duck::Database>(std::move(*db));
    auto conn = db_->Connect();
    ASSERT_TRUE(conn.has_value());
    conn_ = std::make_unique<duck::Connection>(std::move(*conn));
    for (const char* f : {kOrdersFile, kCustomersFile, kItemsFile, kPaymentsFile, kReviewsFile, kProductsFile,
                          kSellersFile, kGeolocationFile, kTranslationFile}) {
      std::string name = std::string(f).substr(0, std::string(f).size() - 4);
      const std::string sql = "CREATE TABLE " + name + " AS SELECT * FROM read_csv(" +
                              duck::QuoteLiteral(*dir_ + "/" + f) +
                              ", header=true, all_varchar=true, quote='\"', escape='\"', strict_mode=true)";
      ASSERT_TRUE(conn_->Execute(sql).ok()) << sql;
    }
  }
  static void TearDownTestSuite() {
    conn_.reset();  // the connection before its database
    db_.reset();
    report_.reset();
    if (dir_ != nullptr) fs::remove_all(*dir_);
    dir_.reset();
  }

  static int64_t Int(const std::string& sql) {
    auto v = conn_->QueryInt64(sql);
    EXPECT_TRUE(v.has_value()) << sql << ": " << (v ? "" : v.error().ToString());
    return v.value_or(-1);
  }
  static double Dbl(const std::string& sql) {
    auto r = conn_->Query(sql);
    EXPECT_TRUE(r.has_value()) << sql << ": " << (r ? "" : r.error().ToString());
    return r ? r->GetDouble(0, 0) : -1;
  }
  static std::string Path(const char* f) { return *dir_ + "/" + f; }

  // Shared by the suite's tests: generated once, read many times.
  static inline std::unique_ptr<std::string> dir_;
  static inline std::unique_ptr<GenerateReport> report_;
  static inline std::unique_ptr<duck::Database> db_;
  static inline std::unique_ptr<duck::Connection> conn_;
};

TEST_F(GeneratedData, HeadersMatchTheRelease) {
  EXPECT_EQ(FirstLine(Path(kProductsFile)),
            R"("product_id","product_category_name","product_name_lenght","product_description_lenght",)"
            R"("product_photos_qty","product_weight_g","product_length_cm","product_height_cm","product_width_cm")");
  EXPECT_EQ(FirstLine(Path(kTranslationFile)), "\xEF\xBB\xBFproduct_category_name,product_category_name_english\r");
  const fs::path messy = fs::path(PARETO_SHARED_DIR) / "olist-messy";
  if (!fs::exists(messy)) GTEST_SKIP() << "no " << messy;
  for (const char* f : {kOrdersFile, kCustomersFile, kItemsFile, kPaymentsFile, kReviewsFile, kProductsFile,
                        kSellersFile, kTranslationFile}) {
    EXPECT_EQ(FirstLine(Path(f)), FirstLine((messy / f).string())) << f;
  }
}

TEST_F(GeneratedData, FilesEndWithoutLineBreakAndQuoteIdsOnSomeRows) {
  for (const char* f : {kOrdersFile, kItemsFile, kReviewsFile, kGeolocationFile}) {
    const std::string all = ReadAll(Path(f));
    ASSERT_FALSE(all.empty());
    EXPECT_NE(all.back(), '\n') << f;
  }
  // Ids are quoted on some rows and not on others, zip prefixes always, as the release has them.
  const std::string orders = ReadAll(Path(kOrdersFile));
  EXPECT_NE(orders.find("\n\""), std::string::npos);
  EXPECT_NE(orders.find("\na"), std::string::npos);  // some unquoted id starts with a letter
  const std::string customers = ReadAll(Path(kCustomersFile));
  // A bare five-digit field can only be an unquoted zip prefix.
  for (size_t i = 0; i + 7 <= customers.size(); ++i) {
    if (customers[i] != ',' || customers[i + 6] != ',') continue;
    const bool digits = std::all_of(customers.begin() + i + 1, customers.begin() + i + 6, [](char ch) { return ch >= '0' && ch <= '9'; });
    ASSERT_FALSE(digits) << "unquoted zip prefix at byte " << i;
  }
  // Reviews use CRLF between records, and some messages span lines inside quotes.
  EXPECT_GT(Int("SELECT count(*) FROM olist_order_reviews_dataset WHERE review_comment_message LIKE '%' || chr(13) || chr(10) || '%'"), 0);
}

TEST_F(GeneratedData, IdsAndTimestampsHaveTheReleaseFormat) {
  for (auto [table, col] : std::vector<std::pair<std::string, std::string>>{
           {"olist_orders_dataset", "order_id"}, {"olist_orders_dataset", "customer_id"},
           {"olist_customers_dataset", "customer_unique_id"}, {"olist_order_items_dataset", "product_id"},
           {"olist_order_items_dataset", "seller_id"}, {"olist_order_reviews_dataset", "review_id"}}) {
    EXPECT_EQ(Int("SELECT count(*) FROM " + table + " WHERE NOT regexp_full_match(" + col + ", '[0-9a-f]{32}')"), 0)
        << table << "." << col;
  }
  for (const char* col : {"order_purchase_timestamp", "order_approved_at", "order_delivered_carrier_date",
                          "order_delivered_customer_date", "order_estimated_delivery_date"}) {
    EXPECT_EQ(Int(std::string("SELECT count(*) FROM olist_orders_dataset WHERE ") + col +
                  " IS NOT NULL AND NOT regexp_full_match(" + col + ", '\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d')"),
              0)
        << col;
  }
  EXPECT_EQ(Int("SELECT count(*) FROM olist_customers_dataset WHERE NOT regexp_full_match(customer_zip_code_prefix, '\\d{5}')"), 0);
}

TEST_F(GeneratedData, ReferentialIntegrityHolds) {
  // One customer row per order, each customer_id used once.
  EXPECT_EQ(Int("SELECT count(*) FROM olist_orders_dataset"), Int("SELECT count(*) FROM olist_customers_dataset"));
  EXPECT_EQ(Int("SELECT count(DISTINCT customer_id) FROM olist_customers_dataset"), Int("SELECT count(*) FROM olist_customers_dataset"));
  EXPECT_EQ(Int("SELECT count(DISTINCT order_id) FROM olist_orders_dataset"), Int("SELECT count(*) FROM olist_orders_dataset"));
  EXPECT_EQ(Int("SELECT count(*) FROM olist_orders_dataset o ANTI JOIN olist_customers_dataset c USING (customer_id)"), 0);
  for (const char* t : {"olist_order_items_dataset", "olist_order_payments_dataset", "olist_order_reviews_dataset"}) {
    EXPECT_EQ(Int(std::string("SELECT count(*) FROM ") + t + " x ANTI JOIN olist_orders_dataset o USING (order_id)"), 0) << t;
  }
  EXPECT_EQ(Int("SELECT count(*) FROM olist_order_items_dataset i ANTI JOIN olist_products_dataset p USING (product_id)"), 0);
  EXPECT_EQ(Int("SELECT count(*) FROM olist_order_items_dataset i ANTI JOIN olist_sellers_dataset s USING (seller_id)"), 0);
  EXPECT_EQ(Int("SELECT count(*) FROM olist_customers_dataset c WHERE customer_zip_code_prefix NOT IN "
                "(SELECT geolocation_zip_code_prefix FROM olist_geolocation_dataset)"), 0);
  EXPECT_EQ(Int("SELECT count(*) FROM olist_sellers_dataset s WHERE seller_zip_code_prefix NOT IN "
                "(SELECT geolocation_zip_code_prefix FROM olist_geolocation_dataset)"), 0);
  // A person keeps one zip, city and state over their orders.
  EXPECT_EQ(Int("SELECT count(*) FROM (SELECT customer_unique_id FROM olist_customers_dataset GROUP BY 1 "
                "HAVING count(DISTINCT customer_zip_code_prefix) > 1)"), 0);
  // Categories come from the translation table, except the two the real data leaves untranslated.
  EXPECT_EQ(Int("SELECT count(DISTINCT product_category_name) FROM olist_products_dataset p "
                "ANTI JOIN product_category_name_translation t USING (product_category_name) "
                "WHERE product_category_name IS NOT NULL"), 2);
  EXPECT_EQ(Int("SELECT count(*) FROM olist_products_dataset p ANTI JOIN product_category_name_translation t "
                "USING (product_category_name) WHERE product_category_name NOT IN "
                "('pc_gamer', 'portateis_cozinha_e_preparadores_de_alimentos')"), 0);
}

TEST_F(GeneratedData, PaymentsAddUpToItemsPlusFreightToTheCent) {
  EXPECT_EQ(Int("WITH i AS (SELECT order_id, sum(round(price::DECIMAL(12,2) + freight_value::DECIMAL(12,2), 2)) AS v "
                "FROM olist_order_items_dataset GROUP BY 1), "
                "p AS (SELECT order_id, sum(payment_value::DECIMAL(12,2)) AS v FROM olist_order_payments_dataset GROUP BY 1) "
                "SELECT count(*) FROM i JOIN p USING (order_id) WHERE i.v <> p.v"), 0);
  EXPECT_EQ(Int("SELECT count(*) FROM olist_orders_dataset o ANTI JOIN olist_order_payments_dataset p USING (order_id)"), 0);
}

// Figures of the real data (docs/generator.md), scaled, within tolerances.
TEST_F(GeneratedData, CountsMatchTheRealExport) {
  const double orders = Int("SELECT count(*) FROM olist_orders_dataset");
  EXPECT_NEAR(orders / kScale, 99441, 99441 * 0.02);
  EXPECT_NEAR(Int("SELECT count(DISTINCT customer_unique_id) FROM olist_customers_dataset") / kScale, 96096, 96096 * 0.02);
  EXPECT_NEAR(Dbl("SELECT avg((n > 1)::INT) FROM (SELECT count(*) n FROM olist_customers_dataset GROUP BY customer_unique_id)"), 0.031, 0.004);
  const int64_t max_orders = Int("SELECT max(n) FROM (SELECT count(*) n FROM olist_customers_dataset GROUP BY customer_unique_id)");
  EXPECT_GE(max_orders, 5);
  EXPECT_LE(max_orders, 17);
  EXPECT_NEAR(Int("SELECT count(*) FROM olist_order_items_dataset") / kScale, 112650, 112650 * 0.03);
  EXPECT_NEAR(Int("SELECT count(*) FROM olist_order_payments_dataset") / kScale, 103886, 103886 * 0.03);
  EXPECT_NEAR(Int("SELECT count(*) FROM olist_order_reviews_dataset") / kScale, 99224, 99224 * 0.03);
  EXPECT_EQ(Int("SELECT count(*) FROM olist_products_dataset"), 32951);
  EXPECT_EQ(Int("SELECT count(*) FROM olist_sellers_dataset"), 3095);
  EXPECT_EQ(Int("SELECT count(DISTINCT product_category_name) FROM olist_products_dataset"), 73);
  EXPECT_NEAR(Int("SELECT count(*) FROM olist_products_dataset WHERE product_category_name IS NULL"), 610, 60);
  EXPECT_NEAR(Int("SELECT count(*) FROM olist_geolocation_dataset"), 1000163, 1000163 * 0.05);
  EXPECT_GT(Int("SELECT count(*) FROM olist_geolocation_dataset WHERE geolocation_lat::DOUBLE NOT BETWEEN -34 AND 5.5 "
                "OR geolocation_lng::DOUBLE NOT BETWEEN -74 AND -34"), 0);
}

TEST_F(GeneratedData, StatusMixMatches) {
  auto share = [](const char* s) {
    return Dbl(std::string("SELECT avg((order_status = '") + s + "')::INT) FROM olist_orders_dataset");
  };
  EXPECT_NEAR(share("delivered"), 0.970, 0.004);
  EXPECT_NEAR(share("shipped"), 0.011, 0.002);
  EXPECT_NEAR(share("canceled"), 0.006, 0.0015);
  EXPECT_NEAR(share("unavailable"), 0.006, 0.0015);
  EXPECT_EQ(Int("SELECT count(*) FROM olist_orders_dataset WHERE order_status NOT IN ('delivered','shipped',"
                "'canceled','unavailable','invoiced','processing','created','approved')"), 0);
}

TEST_F(GeneratedData, ItemsAndPricesMatch) {
  EXPECT_NEAR(Dbl("SELECT avg((n = 1)::INT) FROM (SELECT count(*) n FROM olist_order_items_dataset GROUP BY order_id)"), 0.90, 0.01);
  EXPECT_LE(Int("SELECT max(order_item_id::INT) FROM olist_order_items_dataset"), 21);
  EXPECT_NEAR(Dbl("SELECT median(price::DOUBLE) FROM olist_order_items_dataset"), 75, 7);
  EXPECT_NEAR(Dbl("SELECT avg(price::DOUBLE) FROM olist_order_items_dataset"), 120.65, 12);
  EXPECT_LE(Dbl("SELECT max(price::DOUBLE) FROM olist_order_items_dataset"), 6740);
  EXPECT_GE(Dbl("SELECT max(price::DOUBLE) FROM olist_order_items_dataset"), 2000);
  // Freight is about a sixth of the item total (2,251,909.54 / 13,591,643.70) and rises with weight.
  EXPECT_NEAR(Dbl("SELECT sum(freight_value::DOUBLE) / sum(price::DOUBLE) FROM olist_order_items_dataset"), 0.166, 0.03);
  EXPECT_GT(Dbl("SELECT corr(freight_value::DOUBLE, product_weight_g::DOUBLE) FROM olist_order_items_dataset "
                "JOIN olist_products_dataset USING (product_id)"), 0.3);
}

TEST_F(GeneratedData, PaymentMixMatches) {
  auto share = [](const char* t) {
    return Dbl(std::string("SELECT avg((payment_type = '") + t + "')::INT) FROM olist_order_payments_dataset");
  };
  EXPECT_NEAR(share("credit_card"), 0.739, 0.015);
  EXPECT_NEAR(share("boleto"), 0.190, 0.015);
  EXPECT_NEAR(share("voucher"), 0.056, 0.01);
  EXPECT_NEAR(share("debit_card"), 0.015, 0.004);
  EXPECT_LE(Int("SELECT count(*) FROM olist_order_payments_dataset WHERE payment_type = 'not_defined'"), 12);
  EXPECT_GE(Int("SELECT max(payment_sequential::INT) FROM olist_order_payments_dataset"), 3);
  EXPECT_NEAR(Dbl("SELECT avg(payment_installments::INT) FROM olist_order_payments_dataset WHERE payment_type='credit_card'"), 3.5, 0.3);
  EXPECT_LE(Int("SELECT max(payment_installments::INT) FROM olist_order_payments_dataset"), 24);
  // More installments for larger amounts.
  EXPECT_GT(Dbl("SELECT avg(payment_installments::INT) FROM olist_order_payments_dataset WHERE payment_type='credit_card' AND payment_value::DOUBLE >= 500"),
            Dbl("SELECT avg(payment_installments::INT) FROM olist_order_payments_dataset WHERE payment_type='credit_card' AND payment_value::DOUBLE < 50") + 3);
}

TEST_F(GeneratedData, ReviewsMatchAndFallWithLateness) {
  EXPECT_NEAR(Dbl("SELECT count(DISTINCT r.order_id) / (SELECT count(*) FROM olist_orders_dataset) FROM olist_order_reviews_dataset r"), 0.99, 0.006);
  const double expected[] = {0.115, 0.032, 0.082, 0.193, 0.578};
  for (int s = 1; s <= 5; ++s) {
    EXPECT_NEAR(Dbl("SELECT avg((review_score = '" + std::to_string(s) + "')::INT) FROM olist_order_reviews_dataset"),
                expected[s - 1], 0.01) << "score " << s;
  }
  EXPECT_NEAR(Dbl("SELECT avg((review_comment_message IS NOT NULL)::INT) FROM olist_order_reviews_dataset"), 0.41, 0.03);
  const char* by_late = "SELECT avg(review_score::INT) FROM olist_order_reviews_dataset JOIN olist_orders_dataset USING (order_id) "
                        "WHERE order_delivered_customer_date IS NOT NULL AND order_delivered_customer_date ";
  EXPECT_GT(Dbl(std::string(by_late) + "<= order_estimated_delivery_date"),
            Dbl(std::string(by_late) + "> order_estimated_delivery_date") + 1.0);
}

TEST_F(GeneratedData, DatesDeliveryAndStatesMatch) {
  EXPECT_EQ(Int("SELECT count(*) FROM olist_orders_dataset WHERE order_purchase_timestamp < '2016-09-01' OR order_purchase_timestamp >= '2018-09-01'"), 0);
  // Growth: 2018's first half outsells 2017's first half.
  EXPECT_GT(Int("SELECT count(*) FROM olist_orders_dataset WHERE order_purchase_timestamp BETWEEN '2018-01' AND '2018-07'"),
            2 * Int("SELECT count(*) FROM olist_orders_dataset WHERE order_purchase_timestamp BETWEEN '2017-01' AND '2017-07'"));
  auto busiest = conn_->QueryScalar("SELECT left(order_purchase_timestamp, 10) d FROM olist_orders_dataset GROUP BY d ORDER BY count(*) DESC LIMIT 1");
  ASSERT_TRUE(busiest.has_value());
  EXPECT_EQ(busiest->value_or(""), "2017-11-24");
  const char* days = "SELECT avg(date_diff('second', order_purchase_timestamp::TIMESTAMP, %s::TIMESTAMP)) / 86400 FROM olist_orders_dataset";
  char buf[512];
  std::snprintf(buf, sizeof buf, days, "order_estimated_delivery_date");
  EXPECT_NEAR(Dbl(buf), 24, 2);
  std::snprintf(buf, sizeof buf, days, "order_delivered_customer_date");
  EXPECT_NEAR(Dbl(buf), 12.1, 1.5);
  EXPECT_NEAR(Dbl("SELECT avg((order_delivered_customer_date > order_estimated_delivery_date)::INT) FROM olist_orders_dataset "
                  "WHERE order_delivered_customer_date IS NOT NULL"), 0.08, 0.015);
  auto state_share = [](const char* s) {
    return Dbl(std::string("SELECT avg((customer_state = '") + s + "')::INT) FROM olist_customers_dataset");
  };
  EXPECT_NEAR(state_share("SP"), 0.42, 0.01);
  EXPECT_NEAR(state_share("RJ"), 0.13, 0.01);
  EXPECT_NEAR(state_share("MG"), 0.117, 0.01);
  EXPECT_NEAR(Dbl("SELECT avg((seller_state = 'SP')::INT) FROM olist_sellers_dataset"), 0.597, 0.03);
}

// Distributions of the four complete real files, compared directly.
TEST_F(GeneratedData, DistributionsMatchTheRealFiles) {
  const fs::path ref = fs::path(PARETO_SHARED_DIR) / "olist-reference";
  if (!fs::exists(ref)) GTEST_SKIP() << "no " << ref;
  auto read = [&](const char* f) {
    return "read_csv(" + duck::QuoteLiteral((ref / f).string()) + ", header=true, all_varchar=true)";
  };
  // Largest difference in share between generated and real, over the values of a column.
  auto max_gap = [&](const std::string& gen, const std::string& real, const std::string& col) {
    return Dbl("WITH g AS (SELECT coalesce(" + col + ", '') v, count(*) / sum(count(*)) OVER () s FROM " + gen + " GROUP BY 1), "
               "r AS (SELECT coalesce(" + col + ", '') v, count(*) / sum(count(*)) OVER () s FROM " + real + " GROUP BY 1) "
               "SELECT max(abs(coalesce(g.s, 0) - coalesce(r.s, 0))) FROM g FULL JOIN r USING (v)");
  };
  EXPECT_LT(max_gap("olist_order_payments_dataset", read(kPaymentsFile), "payment_type"), 0.015);
  EXPECT_LT(max_gap("olist_order_payments_dataset", read(kPaymentsFile), "payment_installments"), 0.04);
  EXPECT_LT(max_gap("olist_products_dataset", read(kProductsFile), "product_category_name"), 0.002);
  EXPECT_LT(max_gap("olist_sellers_dataset", read(kSellersFile), "seller_state"), 0.03);
  EXPECT_EQ(ReadAll(Path(kTranslationFile)), ReadAll((ref / kTranslationFile).string()));
  // Product weights: medians within 25%.
  const double gen_w = Dbl("SELECT median(product_weight_g::DOUBLE) FROM olist_products_dataset");
  const double real_w = Dbl("SELECT median(product_weight_g::DOUBLE) FROM " + read(kProductsFile));
  EXPECT_NEAR(gen_w / real_w, 1.0, 0.25);
  // Payment values: medians within 10%.
  const double gen_p = Dbl("SELECT median(payment_value::DOUBLE) FROM olist_order_payments_dataset");
  const double real_p = Dbl("SELECT median(payment_value::DOUBLE) FROM " + read(kPaymentsFile));
  EXPECT_NEAR(gen_p / real_p, 1.0, 0.10);
}

// The planted signal: persons who spend more are likelier in the "value" categories.
TEST_F(GeneratedData, HighValuePersonsDifferInPlantedWays) {
  const char* sql =
      "WITH spend AS (SELECT c.customer_unique_id u, sum(p.payment_value::DOUBLE) v FROM olist_order_payments_dataset p "
      "JOIN olist_orders_dataset o USING (order_id) JOIN olist_customers_dataset c USING (customer_id) GROUP BY 1), "
      "lab AS (SELECT u, v >= quantile_cont(v, 0.75) OVER () hi FROM spend), "
      "f AS (SELECT c.customer_unique_id u, avg(pr.product_weight_g::DOUBLE) w FROM olist_order_items_dataset i "
      "JOIN olist_orders_dataset o USING (order_id) JOIN olist_customers_dataset c USING (customer_id) "
      "JOIN olist_products_dataset pr USING (product_id) GROUP BY 1) "
      "SELECT avg(w) FILTER (WHERE hi) / avg(w) FILTER (WHERE NOT hi) FROM lab JOIN f USING (u)";
  EXPECT_GT(Dbl(sql), 1.3);
}

// The planted repeat signal (docs/generator.md): a good first experience brings
// persons back, a bad one keeps them away; SP returns more than the North and
// North-East.
TEST_F(GeneratedData, RepeatBuyingFollowsTheFirstOrder) {
  const std::string firsts =
      "WITH o AS (SELECT c.customer_unique_id u, c.customer_state st, o.order_id, o.order_purchase_timestamp ts "
      "FROM olist_orders_dataset o JOIN olist_customers_dataset c USING (customer_id)), "
      "p AS (SELECT u, count(*) > 1 AS back, arg_min(order_id, ts) AS first_order, arg_min(st, ts) AS st "
      "FROM o GROUP BY u), "
      "r AS (SELECT order_id, max(review_score::INT) AS score FROM olist_order_reviews_dataset GROUP BY 1) "
      "SELECT ";
  const std::string from = " FROM p LEFT JOIN r ON r.order_id = p.first_order";
  const double after_5 = Dbl(firsts + "avg(back::INT) FILTER (WHERE score = 5)" + from);
  const double after_1 = Dbl(firsts + "avg(back::INT) FILTER (WHERE score = 1)" + from);
  EXPECT_GT(after_5, 3.0 * after_1) << after_5 << " vs " << after_1;
  const double sp = Dbl(firsts + "avg(back::INT) FILTER (WHERE st = 'SP')" + from);
  const double far = Dbl(firsts + "avg(back::INT) FILTER (WHERE st IN ('BA', 'PE', 'CE', 'PA', 'MA'))" + from);
  EXPECT_GT(sp, 1.3 * far) << sp << " vs " << far;
}

}  // namespace
}  // namespace pareto::generate
