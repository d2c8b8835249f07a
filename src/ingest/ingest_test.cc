// End-to-end ingestion into a scratch lakehouse: Delta tables, quarantine,
// metastore registration, exactly-once, and (when ../shared exists) real data.
#include "ingest/ingest.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <iterator>
#include <filesystem>
#include <functional>
#include <fstream>
#include <map>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "delta/table.h"
#include "ingest/test_util.h"
#include "pipeline/project.h"

namespace pareto::ingest {
namespace {

using ::testing::HasSubstr;
using testing::ScratchDir;
using testing::WriteBytes;
namespace fs = std::filesystem;

const std::string kProject = std::string(PARETO_SOURCE_DIR) + "/pipelines/olist";
const std::string kMini = std::string(PARETO_SOURCE_DIR) + "/tests/fixtures/olist-mini";
const std::string kShared = PARETO_SHARED_DIR;

constexpr char kOrdersHeader[] =
    "order_id,customer_id,order_status,order_purchase_timestamp,order_approved_at,"
    "order_delivered_carrier_date,order_delivered_customer_date,order_estimated_delivery_date\n";

class IngestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    lakehouse_ = dir_.Sub("lakehouse", /*create=*/true);
    auto ms = catalog::Lakehouse::Open(lakehouse_);
    ASSERT_TRUE(ms.has_value()) << ms.error().ToString();
    lh_.emplace(*std::move(ms));
    auto db = duck::Database::Open();
    ASSERT_TRUE(db.has_value()) << db.error().ToString();
    db_.emplace(*std::move(db));
    auto conn = db_->Connect();
    ASSERT_TRUE(conn.has_value()) << conn.error().ToString();
    conn_.emplace(*std::move(conn));
  }

  StatusOr<IngestReport> Run(const std::string& source) {
    auto project = pipeline::LoadProject(kProject);
    if (!project) return std::unexpected(project.error());
    IngestOptions o{.source_dir = source, .sources = project->Sources(), .lakehouse_root = lakehouse_};
    return Ingest(o, *lh_, *conn_);
  }

  // A copy of the fixture (or an empty folder) that the test may change.
  std::string SourceCopy(bool with_fixture = true) {
    const std::string src = dir_.Sub("source", /*create=*/true);
    if (with_fixture) fs::copy(kMini, src, fs::copy_options::recursive | fs::copy_options::overwrite_existing);
    fs::remove(src + "/README.md");
    return src;
  }

  std::string TableRoot(std::string_view table) { return lh_->TablePath(catalog::TableName{"olist", "bronze", std::string(table)}); }

  // A DuckDB table expression over the latest snapshot of a bronze table.
  std::string Scan(std::string_view table) {
    auto snap = delta::Table(TableRoot(table)).Load();
    EXPECT_TRUE(snap.has_value()) << table << ": " << (snap ? "" : snap.error().ToString());
    if (!snap) return "(SELECT 1 WHERE false)";
    auto sql = delta::ScanSql(*snap);
    EXPECT_TRUE(sql.has_value());
    return sql ? *sql : "(SELECT 1 WHERE false)";
  }

  int64_t Count(std::string_view table) {
    auto n = conn_->QueryInt64(fmt::format("SELECT count(*) FROM {}", Scan(table)));
    EXPECT_TRUE(n.has_value()) << (n ? "" : n.error().ToString());
    return n.value_or(-1);
  }

  std::string Cell(std::string_view sql) {
    auto v = conn_->QueryScalar(sql);
    EXPECT_TRUE(v.has_value()) << sql << ": " << (v ? "" : v.error().ToString());
    return v.has_value() && v->has_value() ? **v : "NULL";
  }

  static const SourceReport* Find(const IngestReport& r, std::string_view table) {
    for (const SourceReport& s : r.sources)
      if (s.table == table) return &s;
    return nullptr;
  }

  // The bronze folder itself: DuckDB's read_parquet over exactly the files the
  // log names gives the rows the scan gives.
  void ExpectParquetMatchesScan(std::string_view table) {
    auto snap = delta::Table(TableRoot(table)).Load();
    ASSERT_TRUE(snap.has_value()) << snap.error().ToString();
    std::vector<std::string> files;
    for (const delta::AddFile& f : snap->files) {
      const std::string path = f.path.starts_with("/") ? f.path : TableRoot(table) + "/" + f.path;
      EXPECT_TRUE(fs::exists(path)) << path;
      files.push_back(duck::QuoteLiteral(path));
    }
    if (files.empty()) return;
    const std::string parquet = fmt::format("read_parquet([{}])", fmt::join(files, ", "));
    EXPECT_EQ(Cell(fmt::format("SELECT count(*) FROM (SELECT * FROM {} EXCEPT ALL SELECT * FROM {})", parquet,
                               Scan(table))),
              "0");
    EXPECT_EQ(Cell(fmt::format("SELECT count(*) FROM {}", parquet)), std::to_string(Count(table)));
  }

  ScratchDir dir_;
  std::string lakehouse_;
  std::optional<catalog::Lakehouse> lh_;
  std::optional<duck::Database> db_;
  std::optional<duck::Connection> conn_;
};

// Record counts of the hand-made fixture (tests/fixtures/olist-mini/README.md).
const std::map<std::string, int64_t> kMiniCounts = {
    {"brz_orders", 20},  {"brz_customers", 20}, {"brz_order_items", 29},
    {"brz_payments", 24}, {"brz_reviews", 19},  {"brz_products", 10},
    {"brz_sellers", 5},   {"brz_geolocation", 16}, {"brz_product_category_translation", 6}};

TEST_F(IngestTest, FixtureLandsNineRegisteredTables) {
  auto report = Run(SourceCopy());
  ASSERT_TRUE(report.has_value()) << report.error().ToString();
  ASSERT_EQ(report->sources.size(), 9u);
  EXPECT_EQ(report->rows_quarantined, 0);
  for (const auto& [table, rows] : kMiniCounts) {
    const SourceReport* s = Find(*report, table);
    ASSERT_NE(s, nullptr) << table;
    EXPECT_EQ(s->rows_landed, rows) << table;
    EXPECT_EQ(s->files_ingested, 1) << table;
    EXPECT_EQ(s->delta_version, 0) << table;
    EXPECT_EQ(Count(table), rows) << table;
    auto info = lh_->metastore().GetTable("olist.bronze." + table);
    ASSERT_TRUE(info.has_value() && info->has_value()) << table;
    EXPECT_EQ((*info)->location, "olist/bronze/" + table);
    EXPECT_EQ(lh_->Version(**info).value(), 0);
    EXPECT_FALSE((*info)->comment.empty());
    ExpectParquetMatchesScan(table);
  }
  // Bronze adds exactly two columns and keeps the values: leading zeros, cents,
  // the review's quotes and CRLF, the BOM-less first header name.
  EXPECT_EQ(Cell(fmt::format("SELECT string_agg(column_name, ',') FROM (DESCRIBE SELECT * FROM {})", Scan("brz_sellers"))),
            "seller_id,seller_zip_code_prefix,seller_city,seller_state,_ingested_at,_source_file");
  EXPECT_EQ(Cell(fmt::format("SELECT count(*) FROM {} WHERE seller_zip_code_prefix IN ('01151', '04726', '09790')", Scan("brz_sellers"))), "3");
  EXPECT_EQ(Cell(fmt::format("SELECT typeof(price) FROM {} LIMIT 1", Scan("brz_order_items"))), "DECIMAL(12,2)");
  EXPECT_EQ(Cell(fmt::format("SELECT count(*) FROM {} WHERE review_comment_message LIKE '%\"perfeito\"!\r\nRecomendo%'",
                             Scan("brz_reviews"))),
            "1");
  EXPECT_EQ(Cell(fmt::format("SELECT min(_source_file) FROM {}", Scan("brz_product_category_translation"))),
            "product_category_name_translation.csv");
}

// The fixture's DST orders, read back from the Delta table in UTC.
TEST_F(IngestTest, TimestampsLandAsUtcInstants) {
  ASSERT_TRUE(Run(SourceCopy()).has_value());
  auto purchase_utc = [&](std::string_view local) {
    return Cell(fmt::format(
        "SELECT string_agg(strftime(order_purchase_timestamp AT TIME ZONE 'UTC', '%Y-%m-%d %H:%M'), ',') FROM {} "
        "WHERE strftime(order_purchase_timestamp AT TIME ZONE 'America/Sao_Paulo', '%Y-%m-%d') = '{}'",
        Scan("brz_orders"), local));
  };
  EXPECT_EQ(purchase_utc("2017-10-15"), "2017-10-15 03:30");  // gap: 00:30 read as -03
  EXPECT_EQ(purchase_utc("2018-02-17"), "2018-02-18 02:30");  // overlap: the later (-03) 23:30
}

TEST_F(IngestTest, SecondRunAddsNothing) {
  const std::string src = SourceCopy();
  ASSERT_TRUE(Run(src).has_value());
  auto again = Run(src);
  ASSERT_TRUE(again.has_value()) << again.error().ToString();
  EXPECT_EQ(again->rows_landed, 0);
  EXPECT_EQ(again->files_ingested, 0);
  EXPECT_EQ(again->files_skipped, 9);
  for (const SourceReport& s : again->sources) {
    EXPECT_EQ(s.delta_version, 0) << s.table;
    EXPECT_EQ(Count(s.table), kMiniCounts.at(s.table)) << s.table;
  }
}

TEST_F(IngestTest, NewDropIsAppendedAsOneCommit) {
  const std::string src = SourceCopy();
  ASSERT_TRUE(Run(src).has_value());
  WriteBytes(src, "olist_orders_dataset_2018-09.csv",
             std::string(kOrdersHeader) +
                 "n1,c1,delivered,2018-09-01 10:00:00,,,,2018-09-20 00:00:00\n"
                 "n2,c2,processing,2018-09-02 11:00:00,,,,2018-09-21 00:00:00\n");
  auto report = Run(src);
  ASSERT_TRUE(report.has_value()) << report.error().ToString();
  const SourceReport* orders = Find(*report, "brz_orders");
  ASSERT_NE(orders, nullptr);
  EXPECT_EQ(orders->files_seen, 2);
  EXPECT_EQ(orders->files_ingested, 1);
  EXPECT_EQ(orders->files_skipped, 1);
  EXPECT_EQ(orders->rows_landed, 2);
  EXPECT_EQ(orders->delta_version, 1);
  EXPECT_EQ(Count("brz_orders"), 22);
  EXPECT_EQ(Find(*report, "brz_order_items")->files_seen, 1);  // the orders drop is not an items file
  EXPECT_EQ(Cell(fmt::format("SELECT count(*) FROM {} WHERE _source_file = 'olist_orders_dataset_2018-09.csv'",
                             Scan("brz_orders"))),
            "2");
  auto info = lh_->metastore().GetTable("olist.bronze.brz_orders");
  ASSERT_TRUE(info.has_value() && info->has_value());
  EXPECT_EQ(lh_->Version(**info).value(), 1);
  auto history = delta::Table(TableRoot("brz_orders")).History();
  ASSERT_TRUE(history.has_value());
  EXPECT_EQ(history->size(), 2u);  // one commit per file
}

// Case 11: a restore to before a monthly drop takes its rows out; the drop's txn
// stays in the log, yet the next ingest lands it again (once), while the files
// whose rows the restore kept stay ingested. The quarantine, which is not restored,
// keeps one copy of the drop's bad rows.
TEST_F(IngestTest, RestoreBeforeADropLetsTheDropLandAgain) {
  const std::string src = SourceCopy();
  ASSERT_TRUE(Run(src).has_value());
  WriteBytes(src, "olist_orders_dataset_2018-09.csv",
             std::string(kOrdersHeader) +
                 "n1,c1,delivered,2018-09-01 10:00:00,,,,2018-09-20 00:00:00\n"
                 "n2,c2,processing,2018-09-02 11:00:00,,,,2018-09-21 00:00:00\n"
                 "n3,c3,delivered,not a time,,,,\n");
  ASSERT_TRUE(Run(src).has_value());
  EXPECT_EQ(Count("brz_orders"), 22);
  EXPECT_EQ(Count("_quarantine"), 1);
  auto restored = lh_->Restore("olist.bronze.brz_orders", 0);
  ASSERT_TRUE(restored.has_value()) << restored.error().ToString();
  EXPECT_EQ(Count("brz_orders"), 20);

  auto report = Run(src);
  ASSERT_TRUE(report.has_value()) << report.error().ToString();
  const SourceReport* orders = Find(*report, "brz_orders");
  EXPECT_EQ(orders->files_ingested, 1);  // the drop; the first file's rows were kept
  EXPECT_EQ(orders->rows_landed, 2);
  EXPECT_EQ(Count("brz_orders"), 22);
  EXPECT_EQ(Cell(fmt::format("SELECT count(*) FROM {} WHERE order_id = 'n1'", Scan("brz_orders"))), "1");
  EXPECT_EQ(Count("_quarantine"), 1);

  auto again = Run(src);
  ASSERT_TRUE(again.has_value()) << again.error().ToString();
  EXPECT_EQ(again->rows_landed, 0);
  EXPECT_EQ(Count("brz_orders"), 22);
}

// A corrected re-export under the same name is new content: it is appended.
TEST_F(IngestTest, ChangedContentUnderSameNameIsNewFile) {
  const std::string src = SourceCopy(false);
  WriteBytes(src, "olist_orders_dataset.csv", std::string(kOrdersHeader) + "a,c,delivered,,,,,\n");
  ASSERT_TRUE(Run(src).has_value());
  WriteBytes(src, "olist_orders_dataset.csv", std::string(kOrdersHeader) + "a,c,delivered,,,,,\nb,c,delivered,,,,,\n");
  auto report = Run(src);
  ASSERT_TRUE(report.has_value()) << report.error().ToString();
  EXPECT_EQ(Find(*report, "brz_orders")->rows_landed, 2);
  EXPECT_EQ(Count("brz_orders"), 3);
}

TEST_F(IngestTest, FaultyRowsGoToQuarantineAndGoodRowsLand) {
  const std::string src = SourceCopy(false);
  WriteBytes(src, "olist_order_payments_dataset.csv",
             "order_id,payment_sequential,payment_type,payment_installments,payment_value\n"  // 1
             "o1,1,credit_card,2,10.50\n"                                                      // 2
             "o2,one,credit_card,2,10.50\n"                                                    // 3 type
             "o3,1,boleto\n"                                                                   // 4 too few
             "o4,1,voucher,1,5.00,surplus\n"                                                   // 5 too many
             "o5,1,credit_card,1,7.25\n"                                                       // 6
             "o6,1,\"credit_card,1,7.25\n");                                                   // 7 unterminated
  auto report = Run(src);
  ASSERT_TRUE(report.has_value()) << report.error().ToString();
  const SourceReport* pay = Find(*report, "brz_payments");
  ASSERT_NE(pay, nullptr);
  EXPECT_EQ(pay->rows_landed, 2);
  EXPECT_EQ(pay->rows_quarantined, 4);
  EXPECT_EQ(Count("brz_payments"), 2);
  EXPECT_EQ(Cell(fmt::format("SELECT sum(payment_value)::VARCHAR FROM {}", Scan("brz_payments"))), "17.75");

  auto q = lh_->metastore().GetTable("olist.bronze._quarantine");
  ASSERT_TRUE(q.has_value() && q->has_value());
  const std::string quarantine = Scan("_quarantine");
  EXPECT_EQ(Cell(fmt::format("SELECT string_agg(line::VARCHAR, ',' ORDER BY line) FROM {}", quarantine)), "3,4,5,7");
  EXPECT_EQ(Cell(fmt::format("SELECT raw_line FROM {} WHERE line = 3", quarantine)), "o2,one,credit_card,2,10.50");
  EXPECT_EQ(Cell(fmt::format("SELECT source_table || ' ' || source_file FROM {} WHERE line = 4", quarantine)),
            "brz_payments olist_order_payments_dataset.csv");
  EXPECT_THAT(Cell(fmt::format("SELECT reason FROM {} WHERE line = 3", quarantine)), HasSubstr("payment_sequential"));
  EXPECT_THAT(Cell(fmt::format("SELECT reason FROM {} WHERE line = 4", quarantine)), HasSubstr("MISSING COLUMNS"));
  EXPECT_THAT(Cell(fmt::format("SELECT reason FROM {} WHERE line = 5", quarantine)), HasSubstr("TOO MANY COLUMNS"));
  EXPECT_THAT(Cell(fmt::format("SELECT reason FROM {} WHERE line = 7", quarantine)), HasSubstr("UNQUOTED VALUE"));

  // Exactly once holds for the quarantine too.
  auto again = Run(src);
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(Cell(fmt::format("SELECT count(*) FROM {}", Scan("_quarantine"))), "4");
}

TEST_F(IngestTest, HeaderMismatchRefusesTheWholeFile) {
  const std::string src = SourceCopy(false);
  WriteBytes(src, "olist_sellers_dataset.csv",
             "seller_id,seller_zip,seller_city,seller_state\ns1,01151,sao paulo,SP\n");
  auto report = Run(src);
  ASSERT_FALSE(report.has_value());
  EXPECT_EQ(report.error().code(), StatusCode::kDataError);
  EXPECT_THAT(report.error().message(), HasSubstr("brz_sellers"));
  EXPECT_THAT(report.error().message(),
              HasSubstr("expected [seller_id, seller_zip_code_prefix, seller_city, seller_state]"));
  EXPECT_THAT(report.error().message(), HasSubstr("found [seller_id, seller_zip, seller_city, seller_state]"));
  EXPECT_FALSE(delta::Table(TableRoot("brz_sellers")).Exists());
}

TEST_F(IngestTest, EmptyFiles) {
  const std::string src = SourceCopy(false);
  WriteBytes(src, "olist_orders_dataset.csv", "");
  WriteBytes(src, "olist_sellers_dataset.csv", "seller_id,seller_zip_code_prefix,seller_city,seller_state\r\n");
  auto report = Run(src);
  ASSERT_TRUE(report.has_value()) << report.error().ToString();
  const SourceReport* orders = Find(*report, "brz_orders");
  EXPECT_EQ(orders->files_seen, 1);
  EXPECT_EQ(orders->files_skipped, 1);
  EXPECT_EQ(orders->files[0].note, "empty file (0 bytes)");
  EXPECT_EQ(orders->delta_version, -1);
  const SourceReport* sellers = Find(*report, "brz_sellers");
  EXPECT_EQ(sellers->files_ingested, 1);
  EXPECT_EQ(sellers->rows_landed, 0);
  EXPECT_EQ(sellers->delta_version, 0);
  EXPECT_EQ(Count("brz_sellers"), 0);
}

TEST_F(IngestTest, MissingSourceFolderIsNotFound) {
  auto report = Run(dir_.path() + "/no-such-folder");
  ASSERT_FALSE(report.has_value());
  EXPECT_EQ(report.error().code(), StatusCode::kNotFound);
}

TEST_F(IngestTest, ReportFormats) {
  auto report = Run(SourceCopy());
  ASSERT_TRUE(report.has_value());
  const std::string text = FormatReport(*report);
  EXPECT_THAT(text, HasSubstr("olist.bronze.brz_geolocation"));
  EXPECT_THAT(text, HasSubstr("rows landed"));
  const nlohmann::json j = ReportToJson(*report);
  EXPECT_EQ(j["sources"].size(), 9u);
  EXPECT_EQ(j["rows_landed"].get<int64_t>(), report->rows_landed);
}

// ---- Case 8: no silent skips; case 16: only regular files ------------------

bool HasWarning(const SourceReport& s, std::string_view part) {
  return std::ranges::any_of(s.warnings, [&](const std::string& w) { return w.find(part) != std::string::npos; });
}

TEST_F(IngestTest, RenamedOrMissingSourceIsWarnedNamingPatternAndClosestName) {
  const std::string src = SourceCopy();
  fs::rename(src + "/olist_customers_dataset.csv", src + "/olistcustomerdataset.csv");
  fs::remove(src + "/olist_order_reviews_dataset.csv");
  auto report = Run(src);
  ASSERT_TRUE(report.has_value()) << report.error().ToString();
  const SourceReport* customers = Find(*report, "brz_customers");
  EXPECT_EQ(customers->files_seen, 0);
  EXPECT_TRUE(HasWarning(*customers, "matches `olist_customers_dataset")) << fmt::format("{}", fmt::join(customers->warnings, "; "));
  EXPECT_TRUE(HasWarning(*customers, "closest file seen: olistcustomerdataset.csv"));
  EXPECT_TRUE(HasWarning(*Find(*report, "brz_reviews"), "matches `olist_order_reviews_dataset"));
  EXPECT_TRUE(Find(*report, "brz_orders")->warnings.empty());
  const std::string text = FormatReport(*report);
  EXPECT_THAT(text, HasSubstr("warning: olist.bronze.brz_customers: no file in"));
  const nlohmann::json j = ReportToJson(*report);
  EXPECT_TRUE(std::ranges::any_of(j["sources"], [](const nlohmann::json& s) {
    return s["table"] == "olist.bronze.brz_customers" && !s["warnings"].empty();
  }));
  // Every run says it again, not only the first.
  auto again = Run(src);
  ASSERT_TRUE(again.has_value());
  EXPECT_TRUE(HasWarning(*Find(*again, "brz_customers"), "closest file seen: olistcustomerdataset.csv"));
}

// A layout DuckDB's strptime cannot use is refused before any file is read,
// naming the source, the column and pipeline.yaml's line.
TEST_F(IngestTest, UnusableTimestampFormatIsRefusedUpFront) {
  auto project = pipeline::LoadProject(kProject);
  ASSERT_TRUE(project.has_value()) << project.error().ToString();
  SourcesConfig sources = project->Sources();
  for (SourceSpec& s : sources.sources)
    for (ColumnSpec& c : s.columns)
      if (s.table == "brz_orders" && c.name == "order_approved_at") c.format = "%Y-%m-%d %Q";
  IngestOptions o{.source_dir = SourceCopy(), .sources = sources, .lakehouse_root = lakehouse_};
  auto report = Ingest(o, *lh_, *conn_);
  ASSERT_FALSE(report.has_value());
  EXPECT_EQ(report.error().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(report.error().message(), HasSubstr("source `brz_orders`, column `order_approved_at`"));
  EXPECT_THAT(report.error().message(), HasSubstr("%Q"));
  EXPECT_FALSE(delta::Table(TableRoot("brz_orders")).Exists());
}

TEST_F(IngestTest, StrictMakesAWarningAnError) {
  const std::string src = SourceCopy();
  fs::remove(src + "/olist_order_reviews_dataset.csv");
  auto project = pipeline::LoadProject(kProject);
  ASSERT_TRUE(project.has_value());
  IngestOptions o{.source_dir = src, .sources = project->Sources(), .lakehouse_root = lakehouse_, .strict = true};
  auto report = Ingest(o, *lh_, *conn_);
  ASSERT_FALSE(report.has_value());
  EXPECT_EQ(report.error().code(), StatusCode::kDataError);
  EXPECT_THAT(report.error().message(), HasSubstr("olist_order_reviews_dataset"));
  // Without the missing file, --strict goes through.
  fs::copy(kMini + "/olist_order_reviews_dataset.csv", src + "/olist_order_reviews_dataset.csv");
  auto ok = Ingest(o, *lh_, *conn_);
  EXPECT_TRUE(ok.has_value()) << ok.error().ToString();
}

TEST_F(IngestTest, FolderEmptyHeaderOnlyAndNulFilledFilesAreWarned) {
  const std::string src = SourceCopy();
  fs::remove(src + "/olist_sellers_dataset.csv");
  fs::create_directory(src + "/olist_sellers_dataset.csv");
  WriteBytes(src, "olist_orders_dataset.csv", "");
  WriteBytes(src, "olist_products_dataset.csv",
             "product_id,product_category_name,product_name_lenght,product_description_lenght,product_photos_qty,"
             "product_weight_g,product_length_cm,product_height_cm,product_width_cm\n");
  fs::remove(src + "/olist_customers_dataset.csv");
  WriteBytes(src, "olist_customers_dataset.csv",
             "customer_id,customer_unique_id,customer_zip_code_prefix,customer_city,customer_state\n" +
                 std::string(1 << 16, '\0'));
  auto report = Run(src);
  ASSERT_TRUE(report.has_value()) << report.error().ToString();
  EXPECT_TRUE(HasWarning(*Find(*report, "brz_sellers"), "is a folder, not a file"));
  EXPECT_TRUE(HasWarning(*Find(*report, "brz_orders"), "empty file (0 bytes)"));
  EXPECT_TRUE(HasWarning(*Find(*report, "brz_products"), "no data rows"));
  EXPECT_TRUE(HasWarning(*Find(*report, "brz_customers"), "NUL bytes"));
  EXPECT_EQ(Find(*report, "brz_customers")->rows_landed, 0);
  EXPECT_TRUE(Find(*report, "brz_payments")->warnings.empty());
}

// A header followed by a long run of NUL bytes is told from data by its first MiB,
// without reading the rest (a 2 GB one took 5 GB of memory); it lands nothing and
// says so on every run.
TEST_F(IngestTest, LongNulTailIsWarnedFromItsFirstMiB) {
  const std::string src = SourceCopy(false);
  std::string bytes = std::string(kOrdersHeader) + std::string(3 << 20, '\0');
  WriteBytes(src, "olist_orders_dataset.csv", bytes);
  auto report = Run(src);
  ASSERT_TRUE(report.has_value()) << report.error().ToString();
  const SourceReport* orders = Find(*report, "brz_orders");
  EXPECT_TRUE(HasWarning(*orders, "NUL bytes (the first MiB checked"));
  EXPECT_EQ(orders->rows_landed, 0);
  EXPECT_FALSE(delta::Table(TableRoot("brz_orders")).Exists());
}

// The error names the entry and what it is, never its contents.
TEST_F(IngestTest, OnlyRegularFilesInsideTheSourceFolderAreRead) {
  struct Case {
    std::string what;
    std::function<void(const std::string&)> make;
    std::string expected;
  };
  const std::string outside = dir_.Sub("outside", /*create=*/true);
  WriteBytes(outside, "secret.csv", "root:x:0:0:root:/root:/bin/bash\n");
  const std::vector<Case> cases = {
      {"symlink to /dev/zero",
       [](const std::string& p) { fs::create_symlink("/dev/zero", p); }, "outside the source folder"},
      {"symlink to a file outside", [&](const std::string& p) { fs::create_symlink(outside + "/secret.csv", p); },
       "outside the source folder"},
      {"FIFO", [](const std::string& p) { ASSERT_EQ(mkfifo(p.c_str(), 0600), 0); }, "FIFO"},
  };
  for (const Case& c : cases) {
    const std::string src = dir_.Sub("src-" + std::to_string(&c - cases.data()), /*create=*/true);
    fs::copy(kMini, src, fs::copy_options::recursive);
    fs::remove(src + "/olist_sellers_dataset.csv");
    c.make(src + "/olist_sellers_dataset.csv");
    auto report = Run(src);
    ASSERT_FALSE(report.has_value()) << c.what;
    EXPECT_EQ(report.error().code(), StatusCode::kDataError) << c.what;
    EXPECT_THAT(report.error().message(), HasSubstr(c.expected)) << c.what;
    EXPECT_THAT(report.error().message(), ::testing::Not(HasSubstr("root:x"))) << c.what;
    EXPECT_EQ(report.error().message().find('\n'), std::string::npos) << c.what;
  }
  // A symlink to a file inside the folder is an ordinary file.
  const std::string src = dir_.Sub("src-inside", /*create=*/true);
  fs::copy(kMini, src, fs::copy_options::recursive);
  fs::remove(src + "/README.md");
  fs::rename(src + "/olist_sellers_dataset.csv", src + "/sellers.txt");
  fs::create_symlink(src + "/sellers.txt", src + "/olist_sellers_dataset.csv");
  auto report = Run(src);
  ASSERT_TRUE(report.has_value()) << report.error().ToString();
  EXPECT_GT(Find(*report, "brz_sellers")->rows_landed, 0);
}


// ---- An Excel-style copy of a folder of exports --------------------------------

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

// Every "2017-10-02 09:56:33" as Excel's default m/d/yyyy h:mm writes it:
// "10/2/2017 9:56" (no leading zeros, the seconds lost).
std::string ExcelTimestamps(std::string_view text) {
  auto digits = [&](size_t at, size_t n) {
    for (size_t k = at; k < at + n; ++k)
      if (std::isdigit(static_cast<unsigned char>(text[k])) == 0) return false;
    return true;
  };
  auto number = [&](size_t at, size_t n) { return std::stoi(std::string(text.substr(at, n))); };
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    if (i + 19 <= text.size() && digits(i, 4) && text[i + 4] == '-' && digits(i + 5, 2) && text[i + 7] == '-' &&
        digits(i + 8, 2) && text[i + 10] == ' ' && digits(i + 11, 2) && text[i + 13] == ':' && digits(i + 14, 2) &&
        text[i + 16] == ':' && digits(i + 17, 2)) {
      out += fmt::format("{}/{}/{} {}:{:02}", number(i + 5, 2), number(i + 8, 2), number(i, 4), number(i + 11, 2),
                         number(i + 14, 2));
      i += 19;
    } else {
      out += text[i++];
    }
  }
  return out;
}

// The leading zeros of field `column` (0-based, before any quoted field) dropped
// on every line, as a spreadsheet does to a zip-code prefix it takes for a number.
std::string DropLeadingZeros(std::string_view text, int column) {
  std::string out;
  size_t line_start = 0;
  while (line_start < text.size()) {
    size_t end = text.find('\n', line_start);
    if (end == std::string_view::npos) end = text.size();
    std::string line(text.substr(line_start, end - line_start));
    size_t at = 0;
    for (int c = 0; c < column && at != std::string::npos; ++c) {
      at = line.find(',', at);
      if (at != std::string::npos) ++at;
    }
    if (at != std::string::npos) {
      size_t zeros = 0;
      while (at + zeros + 1 < line.size() && line[at + zeros] == '0' &&
             std::isdigit(static_cast<unsigned char>(line[at + zeros + 1])) != 0) {
        ++zeros;
      }
      line.erase(at, zeros);
    }
    out += line;
    if (end < text.size()) out += '\n';
    line_start = end + 1;
  }
  return out;
}

// A copy of the subset as a shop's spreadsheet saves it: M/D/YYYY h:mm timestamps,
// zip-code prefixes without their leading zero, lines of only commas at the end,
// CRLF line ends, and the customers file renamed. Returns the folder.
std::string ExcelCopy(const std::string& from, const std::string& to) {
  fs::create_directories(to);
  const std::map<std::string, int> zip_column = {
      {"olist_customers_dataset.csv", 2}, {"olist_sellers_dataset.csv", 1}, {"olist_geolocation_dataset.csv", 0}};
  for (const auto& entry : fs::directory_iterator(from)) {
    const std::string name = entry.path().filename().string();
    if (!name.ends_with(".csv")) continue;
    std::string text = ExcelTimestamps(ReadAll(entry.path().string()));
    if (auto z = zip_column.find(name); z != zip_column.end()) text = DropLeadingZeros(text, z->second);
    const size_t commas = std::ranges::count(text.substr(0, text.find('\n')), ',');
    if (!text.ends_with('\n')) text += '\n';
    text += std::string(commas, ',') + "\n" + std::string(commas, ',') + "\n";
    std::string crlf;
    for (char c : text) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
    WriteBytes(to, name == "olist_customers_dataset.csv" ? "olistcustomerdataset.csv" : name, crlf);
  }
  return to;
}

// The project with the declarations an Excel copy needs: the timestamp layout on
// every source and the renamed customers file's pattern.
std::string ExcelProject(const std::string& to) {
  fs::copy(kProject, to, fs::copy_options::recursive);
  std::string yaml = ReadAll(to + "/pipeline.yaml");
  const std::string old_pattern = "pattern: \"olist_customers_dataset*.csv\"";
  yaml.replace(yaml.find(old_pattern), old_pattern.size(), "pattern: \"olist*customer*dataset*.csv\"");
  std::string out;
  size_t at = 0;
  for (size_t p; (p = yaml.find("\n    pattern: ", at)) != std::string::npos;) {
    const size_t eol = yaml.find('\n', p + 1);
    out += yaml.substr(at, eol - at) + "\n    timestamp_format: \"%m/%d/%Y %H:%M\"";
    at = eol;
  }
  out += yaml.substr(at);
  WriteBytes(to, "pipeline.yaml", out);
  return to;
}

// ---- Real data (skipped without ../shared) ---------------------------------

class SharedDataTest : public IngestTest {
 protected:
  void SetUp() override {
    if (!fs::exists(kShared + "/olist-subset")) GTEST_SKIP() << "no shared data at " << kShared;
    IngestTest::SetUp();
  }
};

// The counts are the README's record counts of olist-subset.
TEST_F(SharedDataTest, SubsetLandsEveryRecord) {
  const std::map<std::string, int64_t> expected = {
      {"brz_orders", 8135},  {"brz_customers", 8135}, {"brz_order_items", 8365},
      {"brz_payments", 8924}, {"brz_reviews", 8225},  {"brz_products", 5460},
      {"brz_sellers", 1610},  {"brz_geolocation", 45928}, {"brz_product_category_translation", 71}};
  auto report = Run(kShared + "/olist-subset");
  ASSERT_TRUE(report.has_value()) << report.error().ToString();
  EXPECT_EQ(report->rows_quarantined, 0);
  for (const auto& [table, rows] : expected) {
    EXPECT_EQ(Find(*report, table)->rows_landed, rows) << table;
    EXPECT_EQ(Count(table), rows) << table;
  }
  ExpectParquetMatchesScan("brz_reviews");
  auto again = Run(kShared + "/olist-subset");
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->rows_landed, 0);
  EXPECT_EQ(again->files_skipped, 9);
}

// The README's record counts and payment total of the complete release files.
TEST_F(SharedDataTest, ReferenceFilesLandEveryRecord) {
  auto report = Run(kShared + "/olist-reference");
  ASSERT_TRUE(report.has_value()) << report.error().ToString();
  EXPECT_EQ(report->rows_quarantined, 0);
  EXPECT_EQ(Count("brz_payments"), 103886);
  EXPECT_EQ(Count("brz_products"), 32951);
  EXPECT_EQ(Count("brz_sellers"), 3095);
  EXPECT_EQ(Count("brz_product_category_translation"), 71);
  EXPECT_EQ(Cell(fmt::format("SELECT sum(payment_value)::VARCHAR FROM {}", Scan("brz_payments"))), "16008872.12");
  EXPECT_EQ(Cell(fmt::format("SELECT count(DISTINCT order_id) FROM {}", Scan("brz_payments"))), "99440");
  EXPECT_EQ(Cell(fmt::format("SELECT count(*) FROM {} WHERE product_category_name IS NULL", Scan("brz_products"))),
            "610");
  ExpectParquetMatchesScan("brz_payments");
}

// olist-messy: the release's own quoting. Expected counts were derived offline
// with Python's csv module (csv.reader over each file, utf-8-sig; a record is
// well-formed when it has the header's field count and every integer, decimal
// and "%Y-%m-%d %H:%M:%S" field parses or is empty): every record is well-formed.
TEST_F(SharedDataTest, MessyReleaseFormatKeepsEveryWellFormedRow) {
  const std::map<std::string, int64_t> expected = {
      {"brz_orders", 4071},  {"brz_customers", 200}, {"brz_order_items", 5154}, {"brz_payments", 4733},
      {"brz_reviews", 6123}, {"brz_products", 751},  {"brz_sellers", 164},
      {"brz_product_category_translation", 71}};
  auto report = Run(kShared + "/olist-messy");
  ASSERT_TRUE(report.has_value()) << report.error().ToString();
  EXPECT_EQ(report->rows_quarantined, 0);
  for (const auto& [table, rows] : expected) EXPECT_EQ(Count(table), rows) << table;
  EXPECT_EQ(Find(*report, "brz_geolocation")->files_seen, 0);
  ExpectParquetMatchesScan("brz_reviews");
}

// A copy of the real subset with what spreadsheets and concatenated exports add:
// lines of only commas and blank lines (payments), the header repeated inside the
// file (sellers, two exports concatenated). Every real row lands, the rest is
// skipped and counted, and each file's accounting adds up.
TEST_F(SharedDataTest, CommaOnlyBlankAndRepeatedHeaderLinesAreSkippedAndCounted) {
  const std::string src = dir_.Sub("subset", /*create=*/true);
  fs::copy(kShared + "/olist-subset", src, fs::copy_options::recursive);
  fs::remove(src + "/README.md");
  { std::ofstream(src + "/olist_order_payments_dataset.csv", std::ios::app) << ",,,,\n\n,,,,\n,,,,\n"; }
  std::string sellers;
  {
    std::ifstream in(src + "/olist_sellers_dataset.csv");
    sellers.assign(std::istreambuf_iterator<char>(in), {});
  }
  // The first 11 lines again: the header and 10 sellers (duplicates are data, not ours to drop).
  size_t cut = 0;
  for (int i = 0; i < 11; ++i) cut = sellers.find('\n', cut) + 1;
  { std::ofstream(src + "/olist_sellers_dataset.csv", std::ios::app) << sellers.substr(0, cut); }

  auto report = Run(src);
  ASSERT_TRUE(report.has_value()) << report.error().ToString();
  EXPECT_EQ(report->rows_quarantined, 0);
  const FileReport& payments = Find(*report, "brz_payments")->files.at(0);
  EXPECT_EQ(payments.rows_landed, 8924);
  EXPECT_EQ(payments.rows_skipped_blank, 4);
  EXPECT_EQ(payments.rows_read, 8928);
  EXPECT_EQ(Count("brz_payments"), 8924);
  EXPECT_EQ(Cell(fmt::format("SELECT count(*) FROM {} WHERE order_id IS NULL", Scan("brz_payments"))), "0");
  const FileReport& sellers_file = Find(*report, "brz_sellers")->files.at(0);
  EXPECT_EQ(sellers_file.rows_landed, 1620);
  EXPECT_EQ(sellers_file.rows_skipped_header, 1);
  EXPECT_EQ(Cell(fmt::format("SELECT count(*) FROM {} WHERE seller_id = 'seller_id'", Scan("brz_sellers"))), "0");
  for (const SourceReport& s : report->sources) {
    for (const FileReport& f : s.files) {
      EXPECT_EQ(f.rows_read, f.rows_landed + f.rows_quarantined + f.rows_skipped_blank + f.rows_skipped_header)
          << f.file;
    }
  }
  // Reviews hold empty lines inside quoted comments: values, not blank lines.
  const FileReport& reviews = Find(*report, "brz_reviews")->files.at(0);
  EXPECT_EQ(reviews.rows_skipped_blank, 0);
  EXPECT_EQ(reviews.rows_read, 8225);
  const std::string text = FormatReport(*report);
  EXPECT_THAT(text, HasSubstr("olist_order_payments_dataset.csv: 8928 rows read = 8924 landed + 0 quarantined + "
                              "4 blank + 0 repeated header"));
  EXPECT_THAT(text, HasSubstr("olist_sellers_dataset.csv: 1621 rows read = 1620 landed + 0 quarantined + 0 blank + "
                              "1 repeated header"));
}

// Case 1 of the issue: one unterminated quote on line 4,001 of the orders file used
// to land 3,999 rows and drop the other 4,135 without a word. Now the file is
// refused whole, naming the file and the line, and nothing of it lands.
TEST_F(SharedDataTest, UnterminatedQuoteInRealOrdersRefusesTheFile) {
  const std::string src = dir_.Sub("subset", /*create=*/true);
  fs::copy(kShared + "/olist-subset/olist_orders_dataset.csv", src + "/olist_orders_dataset.csv");
  std::string orders;
  {
    std::ifstream in(src + "/olist_orders_dataset.csv");
    orders.assign(std::istreambuf_iterator<char>(in), {});
  }
  size_t line_start = 0;
  for (int i = 1; i < 4001; ++i) line_start = orders.find('\n', line_start) + 1;
  orders.insert(line_start, "\"");  // line 4,001 now opens a quote that never closes
  { std::ofstream(src + "/olist_orders_dataset.csv", std::ios::trunc) << orders; }
  auto report = Run(src);
  ASSERT_FALSE(report.has_value());
  EXPECT_EQ(report.error().code(), StatusCode::kDataError);
  EXPECT_THAT(report.error().message(), HasSubstr("olist_orders_dataset.csv: line 4001"));
  EXPECT_THAT(report.error().message(), HasSubstr("refused whole"));
  EXPECT_FALSE(delta::Table(TableRoot("brz_orders")).Exists());
}

// An Excel-saved copy of the real subset, with the declarations that fit it
// (timestamp_format, the renamed file's pattern): every real row lands, as many
// as from the clean files; the comma-only lines are skipped and counted.
TEST_F(SharedDataTest, ExcelCopyWithItsDeclarationsLandsEveryRealRow) {
  const std::map<std::string, int64_t> expected = {
      {"brz_orders", 8135},  {"brz_customers", 8135}, {"brz_order_items", 8365},
      {"brz_payments", 8924}, {"brz_reviews", 8225},  {"brz_products", 5460},
      {"brz_sellers", 1610},  {"brz_geolocation", 45928}, {"brz_product_category_translation", 71}};
  const std::string src = ExcelCopy(kShared + "/olist-subset", dir_.Sub("excel", /*create=*/true));
  const std::string project_dir = ExcelProject(dir_.path() + "/project");
  auto project = pipeline::LoadProject(project_dir);
  ASSERT_TRUE(project.has_value()) << project.error().ToString();
  IngestOptions o{.source_dir = src, .sources = project->Sources(), .lakehouse_root = lakehouse_, .strict = true};
  auto report = Ingest(o, *lh_, *conn_);
  ASSERT_TRUE(report.has_value()) << report.error().ToString();
  EXPECT_EQ(report->rows_quarantined, 0);
  EXPECT_EQ(report->rows_skipped, 18);  // two comma-only lines in each of nine files
  for (const auto& [table, rows] : expected) {
    EXPECT_EQ(Find(*report, table)->rows_landed, rows) << table;
    EXPECT_EQ(Count(table), rows) << table;
  }
  // 2017-07-09 21:57:05 saved as 7/9/2017 21:57: Sao Paulo wall time (-03), seconds lost.
  EXPECT_EQ(Cell(fmt::format("SELECT strftime(order_purchase_timestamp AT TIME ZONE 'UTC', '%Y-%m-%d %H:%M:%S') "
                             "FROM {} WHERE order_id = 'a4591c265e18cb1dcee52889e2d8acc3'",
                             Scan("brz_orders"))),
            "2017-07-10 00:57:00");
  // Bronze keeps the zip prefixes as the file has them (silver restores five digits).
  EXPECT_NE(Cell(fmt::format("SELECT count(*) FROM {} WHERE length(customer_zip_code_prefix) = 4",
                             Scan("brz_customers"))),
            "0");

  // Without the declarations the same copy is never landed silently: the renamed
  // file is warned about and every spreadsheet timestamp is quarantined, with its reason.
  const std::string other = dir_.Sub("lakehouse-undeclared", /*create=*/true);
  auto plain_lh = catalog::Lakehouse::Open(other);
  ASSERT_TRUE(plain_lh.has_value());
  auto plain = pipeline::LoadProject(kProject);
  ASSERT_TRUE(plain.has_value());
  IngestOptions undeclared{.source_dir = src, .sources = plain->Sources(), .lakehouse_root = other};
  auto refused = Ingest(undeclared, *plain_lh, *conn_);
  ASSERT_TRUE(refused.has_value()) << refused.error().ToString();
  EXPECT_THAT(fmt::format("{}", fmt::join(Find(*refused, "brz_customers")->warnings, "\n")),
              HasSubstr("closest file seen: olistcustomerdataset.csv"));
  EXPECT_EQ(Find(*refused, "brz_orders")->rows_quarantined, 8135);
  EXPECT_EQ(Find(*refused, "brz_payments")->rows_landed, 8924);  // no timestamps: lands as before
}

}  // namespace
}  // namespace pareto::ingest
