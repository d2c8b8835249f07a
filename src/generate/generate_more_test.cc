// Determinism, dirty mode and incremental drops of `pareto generate`, on small scales.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/testing/temp_dir.h"
#include "duck/duck.h"
#include "duck/testing/in_memory.h"
#include "generate/generator.h"

namespace pareto::generate {
namespace {
namespace fs = std::filesystem;

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

using ::pareto::testing::TempDir;

GenerateReport RunGenerate(double scale, uint64_t seed, const std::string& dir, double dirty = 0,
                   std::optional<YearMonth> start = {}, int months = 1) {
  GenerateOptions opt;
  opt.scale = scale;
  opt.seed = seed;
  opt.out_dir = dir;
  opt.dirty_rate = dirty;
  opt.start = start;
  opt.months = months;
  auto r = Generate(opt);
  EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().ToString());
  return r.value_or(GenerateReport{});
}

TEST(GenerateDeterminism, SameSeedGivesIdenticalBytesOtherSeedDiffers) {
  TempDir a, b, c;
  const GenerateReport ra = RunGenerate(0.01, 7, a.path());
  RunGenerate(0.01, 7, b.path());
  RunGenerate(0.01, 8, c.path());
  ASSERT_EQ(ra.files.size(), 9u);
  for (const FileReport& f : ra.files) {
    const std::string name = fs::path(f.path).filename().string();
    EXPECT_EQ(ReadAll(a.path() + "/" + name), ReadAll(b.path() + "/" + name)) << name;
    if (name != kTranslationFile) {
      EXPECT_NE(ReadAll(a.path() + "/" + name), ReadAll(c.path() + "/" + name)) << name;
    }
  }
}

TEST(GenerateOptionsCheck, RejectsBadOptions) {
  GenerateOptions opt;
  opt.out_dir = "/nonexistent-dir-pareto/x";
  opt.scale = -1;
  EXPECT_EQ(Generate(opt).error().code(), StatusCode::kInvalidArgument);
  opt.scale = 0.01;
  opt.dirty_rate = 2;
  EXPECT_EQ(Generate(opt).error().code(), StatusCode::kInvalidArgument);
  opt.dirty_rate = 0;
  opt.start = YearMonth{2018, 3};
  TempDir d;
  opt.out_dir = d.path();
  EXPECT_EQ(Generate(opt).error().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(ParseYearMonth("2018-13").has_value());
  EXPECT_FALSE(ParseYearMonth("soon").has_value());
  ASSERT_TRUE(ParseYearMonth("2018-09-15").has_value());
  EXPECT_EQ(ParseYearMonth("2018-09").value().month, 9);
}

class DuckFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(duck::testing::OpenInMemory(db_, conn_));
  }
  int64_t Int(const std::string& sql) {
    auto v = conn_->QueryInt64(sql);
    EXPECT_TRUE(v.has_value()) << sql << ": " << (v ? "" : v.error().ToString());
    return v.value_or(-1);
  }
  // A CSV read leniently (every value text, short rows padded, long rows rejected).
  static std::string Csv(const std::string& path) {
    return "read_csv(" + duck::QuoteLiteral(path) +
           ", header=true, all_varchar=true, quote='\"', escape='\"', null_padding=false, ignore_errors=true)";
  }
  std::optional<duck::Database> db_;
  std::optional<duck::Connection> conn_;
};

using GenerateDirty = DuckFixture;

TEST_F(GenerateDirty, ManifestListsExactlyTheInjectedFaults) {
  TempDir dir;
  const GenerateReport r = RunGenerate(0.03, 11, dir.path(), 0.02);
  ASSERT_FALSE(r.manifest.empty());
  ASSERT_TRUE(conn_->Execute("CREATE TABLE m AS SELECT * FROM read_json(" + duck::QuoteLiteral(r.manifest) +
                             ", format='newline_delimited', columns={fault:'VARCHAR', file:'VARCHAR', record:'BIGINT', "
                             "key:'VARCHAR', \"column\":'VARCHAR', value:'VARCHAR'})").ok());
  EXPECT_EQ(Int("SELECT count(*) FROM m"), static_cast<int64_t>(r.faults));
  for (const char* kind : {"duplicate_row", "bad_type", "missing_required", "wrong_columns", "status_update", "unknown_order"}) {
    EXPECT_GT(Int(std::string("SELECT count(*) FROM m WHERE fault = '") + kind + "'"), 0) << kind;
  }
  const std::string orders = dir.path() + "/" + kOrdersFile;
  const std::string items = dir.path() + "/" + kItemsFile;
  const std::string reviews = dir.path() + "/" + kReviewsFile;
  // Rows with a wrong column count: exactly the ones DuckDB rejects, at the listed records.
  for (const std::string& f : {orders, items, reviews}) {
    const std::string name = fs::path(f).filename().string();
    ASSERT_TRUE(conn_->Execute("SELECT * FROM read_csv(" + duck::QuoteLiteral(f) +
                               ", header=true, all_varchar=true, quote='\"', escape='\"', store_rejects=true, rejects_table='rej_" +
                               std::to_string(name.size()) + "', rejects_scan='scan_" + std::to_string(name.size()) + "')").ok());
    auto types = conn_->QueryScalar("SELECT string_agg(DISTINCT error_type, ',') FROM rej_" + std::to_string(name.size()));
    SCOPED_TRACE(types ? types->value_or("none") : types.error().ToString());
    EXPECT_EQ(Int("SELECT count(*) FROM rej_" + std::to_string(name.size()) + " WHERE error_type IN ('TOO MANY COLUMNS','MISSING COLUMNS')"),
              Int("SELECT count(*) FROM m WHERE fault = 'wrong_columns' AND file = '" + name + "'"))
        << name;
  }
  // Duplicates on the business key, and the duplicated keys are the listed ones.
  EXPECT_EQ(Int("SELECT count(*) - count(DISTINCT (order_id, order_item_id)) FROM " + Csv(items) + " WHERE product_id <> '' OR product_id IS NULL"),
            Int("SELECT count(*) FROM m WHERE fault = 'duplicate_row' AND file = '" + std::string(kItemsFile) + "'"));
  EXPECT_EQ(Int("SELECT count(*) FROM (SELECT order_id FROM " + Csv(orders) + " WHERE order_id IS NOT NULL GROUP BY 1 HAVING count(*) > 1) "
                "WHERE order_id NOT IN (SELECT key FROM m WHERE fault = 'duplicate_row' AND file = '" + std::string(kOrdersFile) + "')"), 0);
  // Type-breaking prices do not cast; every other price does.
  EXPECT_EQ(Int("SELECT count(*) FROM " + Csv(items) + " WHERE TRY_CAST(price AS DECIMAL(10,2)) IS NULL AND price IS NOT NULL"),
            Int("SELECT count(*) FROM m WHERE fault = 'bad_type' AND file = '" + std::string(kItemsFile) + "'"));
  // Missing required fields.
  EXPECT_EQ(Int("SELECT count(*) FROM " + Csv(orders) + " WHERE customer_id IS NULL"),
            Int("SELECT count(*) FROM m WHERE fault = 'missing_required' AND file = '" + std::string(kOrdersFile) + "'"));
  // Reviews of unknown orders, and status updates of known ones.
  EXPECT_EQ(Int("SELECT count(*) FROM " + Csv(reviews) + " r WHERE order_id NOT IN (SELECT order_id FROM " + Csv(orders) +
                " WHERE order_id IS NOT NULL) AND order_id IS NOT NULL "
                "AND order_id NOT IN (SELECT key FROM m WHERE fault = 'wrong_columns' AND file = '" + std::string(kOrdersFile) + "')"),
            Int("SELECT count(*) FROM m WHERE fault = 'unknown_order'"));
  const std::string updates = dir.path() + "/" + kOrderUpdatesFile;
  EXPECT_EQ(Int("SELECT count(*) FROM " + Csv(updates) + " u JOIN " + Csv(orders) + " o USING (order_id) "
                "WHERE u.order_status = 'delivered' AND o.order_status <> 'delivered'"),
            Int("SELECT count(*) FROM m WHERE fault = 'status_update'"));
}

using GenerateDrops = DuckFixture;

TEST_F(GenerateDrops, MonthlyDropsContinueIdsAndPersons) {
  TempDir dir;
  RunGenerate(0.02, 5, dir.path());
  const GenerateReport r = RunGenerate(0.02, 5, dir.path(), 0, YearMonth{2018, 9}, 2);
  ASSERT_EQ(r.files.size(), 10u);
  const std::string base = Csv(dir.path() + "/" + kCustomersFile);
  const std::string sep = Csv(dir.path() + "/olist_customers_dataset_2018-09.csv");
  const std::string oct = Csv(dir.path() + "/olist_customers_dataset_2018-10.csv");
  const std::string sep_orders = Csv(dir.path() + "/olist_orders_dataset_2018-09.csv");
  EXPECT_GT(Int("SELECT count(*) FROM " + sep), 100);
  // New order and customer ids, never seen before.
  EXPECT_EQ(Int("SELECT count(*) FROM " + sep + " WHERE customer_id IN (SELECT customer_id FROM " + base + ")"), 0);
  EXPECT_EQ(Int("SELECT count(*) FROM " + sep_orders + " WHERE order_id IN (SELECT order_id FROM " +
                Csv(dir.path() + "/" + kOrdersFile) + ")"), 0);
  EXPECT_EQ(Int("SELECT count(*) FROM " + sep_orders + " WHERE order_purchase_timestamp NOT LIKE '2018-09-%'"), 0);
  // Some persons come back, with the same zip as in the base files.
  EXPECT_GT(Int("SELECT count(*) FROM " + sep + " s JOIN " + base + " b USING (customer_unique_id)"), 0);
  EXPECT_EQ(Int("SELECT count(*) FROM " + sep + " s JOIN " + base + " b USING (customer_unique_id) "
                "WHERE s.customer_zip_code_prefix <> b.customer_zip_code_prefix"), 0);
  // Writing October alone later gives the same file as writing it after September.
  TempDir alone;
  RunGenerate(0.02, 5, alone.path(), 0, YearMonth{2018, 10}, 1);
  EXPECT_EQ(ReadAll(alone.path() + "/olist_customers_dataset_2018-10.csv"),
            ReadAll(dir.path() + "/olist_customers_dataset_2018-10.csv"));
  EXPECT_GT(Int("SELECT count(*) FROM " + oct), 100);
}

}  // namespace
}  // namespace pareto::generate
