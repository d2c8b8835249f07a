// A governed SqlSession with three principals (and a regional one): what each
// may see, masked and filtered, and that every way around it is refused or
// shows nothing, with each refusal in the audit log.
//
//   admin  — the lakehouse's admin
//   ana    — in `analysts`: SELECT on the whole catalog, masked columns unmasked
//   mia    — in `marketing`: SELECT on olist.gold only, masked columns masked
//   rita   — in `region_sp`: SELECT on olist.silver, only São Paulo's rows
#include <filesystem>

#include <gtest/gtest.h>

#include "catalog/audit.h"
#include "catalog/column_policies.h"
#include "catalog/grants.h"
#include "catalog/principals.h"
#include "catalog/sql_session.h"
#include "catalog/test_util.h"
#include "delta/table.h"

namespace pareto::catalog {
namespace {

using ::pareto::catalog::testing::TempDir;

class GovernedSessionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto ms = Metastore::Open(dir_.path());
    ASSERT_TRUE(ms.has_value()) << ms.error().ToString();
    ms_.emplace(std::move(*ms));
    const std::string customers =
        "SELECT * FROM (VALUES ('c1', '01001', 'sao paulo', 'SP'), ('c2', '01002', 'campinas', 'SP'), "
        "('c3', '20001', 'rio de janeiro', 'RJ'), ('c4', '30001', 'belo horizonte', 'MG')) "
        "v(customer_unique_id, customer_zip_code_prefix, customer_city, customer_state)";
    ASSERT_NO_FATAL_FAILURE(AddTable("bronze", "brz_customers", customers));
    ASSERT_NO_FATAL_FAILURE(AddTable("silver", "slv_customers", customers));
    ASSERT_NO_FATAL_FAILURE(AddTable(
        "gold", "gld_customer_geo",
        "SELECT customer_unique_id, customer_zip_code_prefix, customer_state FROM (" + customers + ")"));
    ASSERT_NO_FATAL_FAILURE(AddTable("gold", "gld_kpis", "SELECT 4 AS customers, 1234.5 AS revenue"));

    Metastore& m = *ms_;
    for (const char* user : {"ana", "mia", "rita"}) ASSERT_TRUE(AddPrincipal(m, user, PrincipalKind::kUser).ok());
    for (const char* group : {"analysts", "marketing", "region_sp"}) {
      ASSERT_TRUE(AddPrincipal(m, group, PrincipalKind::kGroup).ok());
    }
    ASSERT_TRUE(AddGroupMember(m, "analysts", "ana").ok());
    ASSERT_TRUE(AddGroupMember(m, "marketing", "mia").ok());
    ASSERT_TRUE(AddGroupMember(m, "region_sp", "rita").ok());
    const Securable olist{SecurableKind::kCatalog, "olist"};
    const Securable gold{SecurableKind::kSchema, "olist.gold"};
    const Securable silver{SecurableKind::kSchema, "olist.silver"};
    for (const char* group : {"analysts", "marketing", "region_sp"}) {
      ASSERT_TRUE(Grant(m, Privilege::kUseCatalog, olist, group).ok());
    }
    ASSERT_TRUE(Grant(m, Privilege::kUseSchema, olist, "analysts").ok());
    ASSERT_TRUE(Grant(m, Privilege::kSelect, olist, "analysts").ok());
    ASSERT_TRUE(Grant(m, Privilege::kUseSchema, gold, "marketing").ok());
    ASSERT_TRUE(Grant(m, Privilege::kSelect, gold, "marketing").ok());
    ASSERT_TRUE(Grant(m, Privilege::kUseSchema, silver, "region_sp").ok());
    ASSERT_TRUE(Grant(m, Privilege::kSelect, silver, "region_sp").ok());

    const std::string zip_mask =
        "CASE WHEN is_member('analysts') THEN customer_zip_code_prefix ELSE NULL END";
    ColumnPolicies policies{
        .masks = {{"olist.silver.slv_customers", "customer_zip_code_prefix", zip_mask},
                  {"olist.silver.slv_customers", "customer_city",
                   "CASE WHEN is_member('analysts') THEN customer_city ELSE '***' END"},
                  {"olist.gold.gld_customer_geo", "customer_zip_code_prefix", zip_mask}},
        .row_filters = {{"olist.silver.slv_customers",
                         "is_member('admin') OR is_member('analysts') OR "
                         "(is_member('region_sp') AND customer_state IN ('SP'))"}}};
    ASSERT_TRUE(ReplacePolicies(m, policies).ok());
  }

  void AddTable(const std::string& schema, const std::string& name, const std::string& select) {
    auto db = duck::Database::Open();
    ASSERT_TRUE(db.has_value());
    auto conn = db->Connect();
    ASSERT_TRUE(conn.has_value());
    const std::string location = TableName{"olist", schema, name}.Location();
    delta::Table table(dir_.path() + "/" + location);
    auto commit = table.Append(*conn, select);
    ASSERT_TRUE(commit.has_value()) << commit.error().ToString();
    ASSERT_TRUE(ms_->UpsertTable({.catalog = "olist", .schema = schema, .name = name, .location = location}).ok());
  }

  StatusOr<SqlSession> As(const std::string& user) {
    return SqlSession::Open(*ms_, {.read_only = true, .principal = SessionPrincipal{.name = user}});
  }

  // Every row's cells joined by ',' and rows by ';' (NULL as "null"), or "error: …".
  static std::string Rows(SqlSession& s, std::string_view sql) {
    auto r = s.QueryText(sql);
    if (!r.has_value()) return "error: " + r.error().message();
    std::string out;
    for (const auto& row : r->rows) {
      if (!out.empty()) out += ";";
      for (size_t c = 0; c < row.size(); ++c) out += (c ? "," : "") + (row[c] ? *row[c] : std::string("null"));
    }
    return out;
  }

  int64_t Denials(const std::string& user) {
    auto denied = ListAudit(*ms_, {.principal = user, .allowed = false});
    EXPECT_TRUE(denied.has_value());
    return denied.has_value() ? static_cast<int64_t>(denied->size()) : -1;
  }

  TempDir dir_;
  std::optional<Metastore> ms_;
};

TEST_F(GovernedSessionTest, TheMarketerSeesOnlyGoldAndEveryOtherWayIsRefusedAndAudited) {
  auto mia = As("mia");
  ASSERT_TRUE(mia.has_value()) << mia.error().ToString();
  EXPECT_EQ(Rows(*mia, "SELECT customers FROM gold.gld_kpis"), "4");
  std::vector<std::string> hidden = mia->Hidden();
  std::sort(hidden.begin(), hidden.end());
  EXPECT_EQ(hidden, (std::vector<std::string>{"olist.bronze.brz_customers", "olist.silver.slv_customers"}));

  const std::string silver_dir =
      std::filesystem::absolute(dir_.path() + "/olist/silver/slv_customers").lexically_normal().string();
  std::string part;
  for (const auto& entry : std::filesystem::directory_iterator(silver_dir)) {
    if (entry.path().extension() == ".parquet") part = entry.path().string();
  }
  ASSERT_FALSE(part.empty());
  std::string gold_part;
  for (const auto& entry :
       std::filesystem::directory_iterator(dir_.path() + "/olist/gold/gld_customer_geo")) {
    if (entry.path().extension() == ".parquet") gold_part = std::filesystem::absolute(entry.path()).string();
  }
  ASSERT_FALSE(gold_part.empty());
  std::vector<std::pair<std::string, StatusCode>> attempts = {
      // By name, in every form.
      {"SELECT * FROM olist.silver.slv_customers", StatusCode::kPermissionDenied},
      {"SELECT * FROM silver.slv_customers", StatusCode::kPermissionDenied},
      {"SELECT * FROM slv_customers", StatusCode::kPermissionDenied},
      {"SELECT count(*) FROM \"olist\".\"bronze\".\"brz_customers\"", StatusCode::kPermissionDenied},
      {"SELECT * FROM bronze.brz_customers VERSION AS OF 0", StatusCode::kPermissionDenied},
      {"SELECT * FROM brz_customers@v0", StatusCode::kPermissionDenied},
      // A view or CTE around it.
      {"WITH x AS (SELECT * FROM olist.silver.slv_customers) SELECT * FROM x", StatusCode::kPermissionDenied},
      {"SELECT * FROM gold.gld_kpis, (SELECT * FROM silver.slv_customers) s", StatusCode::kPermissionDenied},
      {"CREATE VIEW v AS SELECT * FROM silver.slv_customers", StatusCode::kPermissionDenied},
      {"CREATE TEMP VIEW v AS SELECT 1", StatusCode::kInvalidArgument},
      // By file path and by table function.
      {"SELECT * FROM '" + part + "'", StatusCode::kInvalidArgument},
      {"SELECT * FROM \"" + part + "\"", StatusCode::kInvalidArgument},
      {"SELECT * FROM \"" + gold_part + "\"", StatusCode::kInvalidArgument},  // masked zip codes unmasked
      {"TABLE '" + gold_part + "'", StatusCode::kInvalidArgument},
      {"SUMMARIZE '" + gold_part + "'", StatusCode::kInvalidArgument},
      {"DESCRIBE '" + gold_part + "'", StatusCode::kInvalidArgument},
      {"EXPLAIN ANALYZE TABLE '" + gold_part + "'", StatusCode::kInvalidArgument},
      {"SELECT * FROM read_parquet('" + part + "')", StatusCode::kInvalidArgument},
      {"SELECT * FROM \"read_parquet\"('" + part + "')", StatusCode::kInvalidArgument},
      {"SELECT * FROM parquet_scan('" + silver_dir + "/*.parquet')", StatusCode::kInvalidArgument},
      {"SELECT * FROM query('SELECT * FROM silver.slv_customers')", StatusCode::kInvalidArgument},
      // A visible but masked table's own file: its bloom filter would tell the masked zip codes.
      {"SELECT * FROM parquet_bloom_probe('" + gold_part + "', lower('customer_zip_code_prefix'), lower('01001'))",
       StatusCode::kInvalidArgument},
      // Another database, a setting.
      {"ATTACH '" + dir_.path() + "/_meta/metastore.db' AS m", StatusCode::kInvalidArgument},
      {"SET enable_external_access = true", StatusCode::kInvalidArgument},
  };
  // However a string is spelled, the masked table's own files are out of reach.
  for (const std::string& spelled : {"$$" + gold_part + "$$", "$q$" + gold_part + "$q$", "E'" + gold_part + "'"}) {
    attempts.push_back({"SELECT count(customer_zip_code_prefix) FROM " + spelled, StatusCode::kInvalidArgument});
    attempts.push_back({"TABLE " + spelled, StatusCode::kInvalidArgument});
  }
  int64_t refused = 0;
  for (const auto& [sql, code] : attempts) {
    auto r = mia->QueryText(sql);
    ASSERT_FALSE(r.has_value()) << sql;
    EXPECT_EQ(r.error().code(), code) << sql << ": " << r.error().message();
    ++refused;
  }
  // Every refusal is in the audit log, with its text and the reason.
  EXPECT_EQ(Denials("mia"), refused);
  auto log = ListAudit(*ms_, {.principal = "mia", .allowed = false, .limit = 1});
  ASSERT_TRUE(log.has_value() && !log->empty());
  EXPECT_EQ(log->front().text, attempts.back().first);
  // The masked table is still there, masked.
  EXPECT_EQ(Rows(*mia, "SELECT count(*), count(customer_zip_code_prefix) FROM gold.gld_customer_geo"), "4,0");
  EXPECT_EQ(log->front().source, "cli");
  auto named = ListAudit(*ms_, {.principal = "mia", .allowed = false});
  bool reason_named = false;
  for (const AuditEntry& e : *named) {
    if (e.text == "SELECT * FROM silver.slv_customers") {
      reason_named = e.reason.find("mia lacks USE SCHEMA on SCHEMA olist.silver") != std::string::npos;
    }
  }
  EXPECT_TRUE(reason_named);
}

TEST_F(GovernedSessionTest, TheMarketersCatalogHoldsNothingElse) {
  auto mia = As("mia");
  ASSERT_TRUE(mia.has_value()) << mia.error().ToString();
  // information_schema, duckdb_tables() and duckdb_views() show only gold.
  EXPECT_EQ(Rows(*mia, "SELECT count(*) FROM information_schema.tables WHERE table_schema IN ('bronze', 'silver')"),
            "0");
  EXPECT_EQ(Rows(*mia, "SELECT string_agg(DISTINCT table_schema, ',' ORDER BY table_schema) FROM "
                       "information_schema.tables WHERE table_catalog = 'olist'"),
            "gold,main");
  EXPECT_EQ(Rows(*mia, "SELECT count(*) FROM information_schema.schemata WHERE schema_name IN ('bronze', 'silver')"),
            "0");
  EXPECT_EQ(Rows(*mia, "SELECT count(*) FROM duckdb_tables() WHERE schema_name <> 'gold'"), "0");
  EXPECT_EQ(Rows(*mia, "SELECT count(*) FROM duckdb_views() WHERE view_name LIKE '%customers%' OR sql LIKE "
                       "'%silver%' OR sql LIKE '%bronze%'"),
            "0");
  EXPECT_EQ(Rows(*mia, "SELECT count(*) FROM information_schema.columns WHERE column_name = 'customer_city'"), "0");
  // Nothing of these was a refusal.
  EXPECT_EQ(Denials("mia"), 0);
  auto allowed = ListAudit(*ms_, {.principal = "mia", .allowed = true});
  ASSERT_TRUE(allowed.has_value());
  EXPECT_EQ(allowed->size(), 6u);
}

TEST_F(GovernedSessionTest, TheAnalystSeesMaskedColumnsUnmaskedAndTheMarketerMasked) {
  auto ana = As("ana");
  auto mia = As("mia");
  ASSERT_TRUE(ana.has_value() && mia.has_value());
  const std::string q =
      "SELECT customer_unique_id, customer_zip_code_prefix FROM gold.gld_customer_geo ORDER BY 1 LIMIT 2";
  EXPECT_EQ(Rows(*ana, q), "c1,01001;c2,01002");
  EXPECT_EQ(Rows(*mia, q), "c1,null;c2,null");
  // No way back to the column: the copy holds a constant, and earlier versions are not offered.
  EXPECT_EQ(Rows(*mia, "SELECT count(customer_zip_code_prefix) FROM gold.gld_customer_geo"), "0");
  EXPECT_EQ(mia->QueryText("SELECT count(customer_zip_code_prefix) FROM gold.gld_customer_geo VERSION AS OF 0")
                .error()
                .code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(Rows(*mia, "SELECT count(*) FROM duckdb_views() WHERE sql LIKE '%is_member%'"), "0");
  EXPECT_EQ(Rows(*ana, "SELECT customer_city FROM silver.slv_customers ORDER BY customer_unique_id LIMIT 1"),
            "sao paulo");
  // The admin is not in analysts: masked too, as the expression says; the row filter lets the admin see all rows.
  auto admin = As("admin");
  ASSERT_TRUE(admin.has_value());
  EXPECT_EQ(Rows(*admin, "SELECT count(*), count(customer_zip_code_prefix) FROM silver.slv_customers"), "4,0");
}

TEST_F(GovernedSessionTest, RowFiltersHoldInAggregatesAndJoins) {
  auto rita = As("rita");
  ASSERT_TRUE(rita.has_value()) << rita.error().ToString();
  EXPECT_EQ(Rows(*rita, "SELECT count(*) FROM silver.slv_customers"), "2");
  EXPECT_EQ(Rows(*rita, "SELECT customer_state, count(*) FROM silver.slv_customers GROUP BY ALL ORDER BY 1"), "SP,2");
  EXPECT_EQ(Rows(*rita, "SELECT count(DISTINCT customer_state) FROM silver.slv_customers"), "1");
  EXPECT_EQ(Rows(*rita, "SELECT count(*) FROM silver.slv_customers a JOIN silver.slv_customers b USING "
                        "(customer_unique_id)"),
            "2");
  EXPECT_EQ(rita->QueryText("SELECT count(*) FROM silver.slv_customers VERSION AS OF 0").error().code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(Rows(*rita, "SELECT count(*) FROM silver.slv_customers WHERE customer_state = 'RJ'"), "0");
  // Outside analysts, city is masked for her too; gold is not hers.
  EXPECT_EQ(Rows(*rita, "SELECT DISTINCT customer_city FROM silver.slv_customers"), "***");
  EXPECT_EQ(rita->QueryText("SELECT * FROM gold.gld_kpis").error().code(), StatusCode::kPermissionDenied);
  auto ana = As("ana");
  ASSERT_TRUE(ana.has_value());
  EXPECT_EQ(Rows(*ana, "SELECT count(*) FROM silver.slv_customers"), "4");
}

TEST_F(GovernedSessionTest, GrantAndRevokeHoldForTheNextSession) {
  {
    auto mia = As("mia");
    ASSERT_TRUE(mia.has_value());
    EXPECT_EQ(mia->QueryText("SELECT count(*) FROM silver.slv_customers").error().code(),
              StatusCode::kPermissionDenied);
  }
  ASSERT_TRUE(Grant(*ms_, Privilege::kUseSchema, {SecurableKind::kSchema, "olist.silver"}, "mia").ok());
  ASSERT_TRUE(Grant(*ms_, Privilege::kSelect, {SecurableKind::kTable, "olist.silver.slv_customers"}, "mia").ok());
  {
    auto mia = As("mia");
    ASSERT_TRUE(mia.has_value());
    // Hers now, filtered as the row filter says for someone outside admin, analysts and region_sp: no rows.
    EXPECT_EQ(Rows(*mia, "SELECT count(*) FROM silver.slv_customers"), "0");
    EXPECT_EQ(mia->QueryText("SELECT * FROM bronze.brz_customers").error().code(), StatusCode::kPermissionDenied);
  }
  ASSERT_TRUE(Revoke(*ms_, Privilege::kSelect, {SecurableKind::kSchema, "olist.gold"}, "marketing").ok());
  {
    auto mia = As("mia");
    ASSERT_TRUE(mia.has_value());
    EXPECT_EQ(mia->QueryText("SELECT * FROM gold.gld_kpis").error().code(), StatusCode::kPermissionDenied);
  }
}

// A table whose masks and filter change nothing for a principal keeps its view:
// its earlier versions can be read. Whoever the policies change still gets the
// masked copy, no time travel and no file.
TEST_F(GovernedSessionTest, PoliciesThatChangeNothingForThePrincipalKeepTheViewAndTimeTravel) {
  auto ana = As("ana");
  ASSERT_TRUE(ana.has_value()) << ana.error().ToString();
  EXPECT_EQ(Rows(*ana, "SELECT count(*), count(customer_city) FROM silver.slv_customers VERSION AS OF 0"), "4,4");
  EXPECT_EQ(Rows(*ana, "SELECT customer_zip_code_prefix FROM gold.gld_customer_geo VERSION AS OF 0 ORDER BY 1 LIMIT 1"),
            "01001");
  EXPECT_EQ(Rows(*ana, "SELECT count(*) FROM slv_customers@v0"), "4");

  auto mia = As("mia");
  ASSERT_TRUE(mia.has_value());
  EXPECT_EQ(Rows(*mia, "SELECT count(*), count(customer_zip_code_prefix) FROM gold.gld_customer_geo"), "4,0");
  EXPECT_EQ(mia->QueryText("SELECT * FROM gold.gld_customer_geo VERSION AS OF 0").error().code(),
            StatusCode::kPermissionDenied);
  const std::string gold_dir =
      std::filesystem::absolute(dir_.path() + "/olist/gold/gld_customer_geo").lexically_normal().string();
  EXPECT_EQ(mia->QueryText("SELECT count(customer_zip_code_prefix) FROM read_parquet('" + gold_dir + "/*.parquet')")
                .error()
                .code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(mia->QueryText("SELECT count(customer_zip_code_prefix) FROM $$" + gold_dir + "/*.parquet$$")
                .error()
                .code(),
            StatusCode::kInvalidArgument);
  auto rita = As("rita");
  ASSERT_TRUE(rita.has_value());
  EXPECT_EQ(rita->QueryText("SELECT count(*) FROM silver.slv_customers VERSION AS OF 0").error().code(),
            StatusCode::kPermissionDenied);

  // The fixture masks zip codes for everyone outside analysts, admin included: the
  // admin's copy stays, its time travel refused.
  auto admin = As("admin");
  ASSERT_TRUE(admin.has_value());
  EXPECT_EQ(admin->QueryText("SELECT count(*) FROM silver.slv_customers VERSION AS OF 0").error().code(),
            StatusCode::kPermissionDenied);
  // pipelines/olist's rules spare the admin as well: then the admin reads every version.
  const std::string spared = "CASE WHEN is_member('admin') OR is_member('analysts') THEN customer_zip_code_prefix "
                             "ELSE NULL END";
  ASSERT_TRUE(ReplacePolicies(*ms_, {.masks = {{"olist.silver.slv_customers", "customer_zip_code_prefix", spared}},
                                     .row_filters = {{"olist.silver.slv_customers",
                                                      "is_member('admin') OR is_member('analysts') OR "
                                                      "(is_member('region_sp') AND customer_state IN ('SP'))"}}})
                  .ok());
  auto admin_again = As("admin");
  ASSERT_TRUE(admin_again.has_value());
  EXPECT_EQ(Rows(*admin_again, "SELECT count(*), count(customer_zip_code_prefix) FROM silver.slv_customers VERSION AS OF 0"),
            "4,4");
  auto rita_again = As("rita");
  ASSERT_TRUE(rita_again.has_value());
  EXPECT_EQ(Rows(*rita_again, "SELECT count(*), count(customer_zip_code_prefix) FROM silver.slv_customers"), "2,0");
}

TEST_F(GovernedSessionTest, AGroupOrAnUnknownNameGetsNoSession) {
  EXPECT_EQ(As("marketing").error().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(As("nobody").error().code(), StatusCode::kNotFound);
  EXPECT_EQ(SqlSession::Open(*ms_, {.read_only = false, .principal = SessionPrincipal{.name = "mia"}}).error().code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace pareto::catalog
