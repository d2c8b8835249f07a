// Governance through the HTTP API: the bearer token's user gets their own
// catalog (grants, masks, row filters), every refusal is in the audit log with
// the client's address, and a grant or revoke holds on the next request.
//
//   admin — the lakehouse's admin
//   ana   — in `analysts`: SELECT on the whole catalog, masked columns unmasked
//   mia   — in `marketing`: SELECT on olist.gold only
//   rita  — in `region_sp`: SELECT on olist.silver, São Paulo's rows only
#include <httplib.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "catalog/audit.h"
#include "catalog/column_policies.h"
#include "catalog/grants.h"
#include "catalog/lakehouse.h"
#include "catalog/lineage.h"
#include "catalog/model_registry.h"
#include "catalog/principals.h"
#include "catalog/runs.h"
#include "catalog/tokens.h"
#include "common/testing/temp_dir.h"
#include "delta/table.h"
#include "server/server.h"

namespace pareto::server {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr std::string_view kDashboard = R"yaml(
pages:
  - id: overview
    title: Overview
    panels:
      - id: kpis
        title: KPIs
        kind: table
        sql: SELECT customers FROM gold.gld_kpis
      - id: states
        title: Customers by state
        kind: table
        sql: SELECT customer_state, count(*) AS n FROM silver.slv_customers GROUP BY ALL ORDER BY 1
)yaml";

class GovernanceApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    project_ = dir_.path() + "/project";
    fs::copy(std::string(PARETO_SOURCE_DIR) + "/pipelines/olist", project_, fs::copy_options::recursive);
    std::ofstream(project_ + "/dashboard.yaml") << kDashboard;
    lakehouse_ = dir_.path() + "/lakehouse";
    auto lh = catalog::Lakehouse::Open(lakehouse_);
    ASSERT_TRUE(lh.has_value()) << lh.error().message();
    lh_.emplace(std::move(*lh));
    const std::string customers =
        "SELECT * FROM (VALUES ('c1', '01001', 'SP'), ('c2', '01002', 'SP'), ('c3', '20001', 'RJ')) "
        "v(customer_unique_id, customer_zip_code_prefix, customer_state)";
    ASSERT_NO_FATAL_FAILURE(AddTable("bronze", "brz_customers", customers));
    ASSERT_NO_FATAL_FAILURE(AddTable("silver", "slv_customers", customers));
    ASSERT_NO_FATAL_FAILURE(AddTable("gold", "gld_customer_geo", customers));
    ASSERT_NO_FATAL_FAILURE(AddTable("gold", "gld_kpis", "SELECT 3 AS customers"));

    catalog::Metastore& m = lh_->metastore();
    for (const char* user : {"ana", "mia", "rita"}) {
      ASSERT_TRUE(catalog::AddPrincipal(m, user, catalog::PrincipalKind::kUser).ok());
    }
    for (const char* group : {"analysts", "marketing", "region_sp"}) {
      ASSERT_TRUE(catalog::AddPrincipal(m, group, catalog::PrincipalKind::kGroup).ok());
      ASSERT_TRUE(catalog::Grant(m, catalog::Privilege::kUseCatalog, kOlist, group).ok());
    }
    ASSERT_TRUE(catalog::AddGroupMember(m, "analysts", "ana").ok());
    ASSERT_TRUE(catalog::AddGroupMember(m, "marketing", "mia").ok());
    ASSERT_TRUE(catalog::AddGroupMember(m, "region_sp", "rita").ok());
    ASSERT_TRUE(catalog::Grant(m, catalog::Privilege::kUseSchema, kOlist, "analysts").ok());
    ASSERT_TRUE(catalog::Grant(m, catalog::Privilege::kSelect, kOlist, "analysts").ok());
    ASSERT_TRUE(catalog::Grant(m, catalog::Privilege::kUseSchema, kGold, "marketing").ok());
    ASSERT_TRUE(catalog::Grant(m, catalog::Privilege::kSelect, kGold, "marketing").ok());
    ASSERT_TRUE(catalog::Grant(m, catalog::Privilege::kUseSchema, kSilver, "region_sp").ok());
    ASSERT_TRUE(catalog::Grant(m, catalog::Privilege::kSelect, kSilver, "region_sp").ok());
    const std::string zip_mask = "CASE WHEN is_member('analysts') THEN customer_zip_code_prefix ELSE NULL END";
    ASSERT_TRUE(catalog::ReplacePolicies(
                    m, {.masks = {{"olist.gold.gld_customer_geo", "customer_zip_code_prefix", zip_mask}},
                        .row_filters = {{"olist.silver.slv_customers",
                                         "is_member('admin') OR is_member('analysts') OR "
                                         "(is_member('region_sp') AND customer_state = 'SP')"}}})
                    .ok());
    for (const char* user : {"admin", "ana", "mia", "rita"}) {
      auto token = catalog::CreateToken(m, std::string(user) + "-token", user);
      ASSERT_TRUE(token.has_value()) << token.error().message();
      tokens_[user] = *token;
    }

    auto server = Server::Create({.lakehouse_root = lakehouse_, .project_dir = project_, .port = 0, .threads = 2,
                                  .log = [](const std::string&) {}});
    ASSERT_TRUE(server.has_value()) << server.error().message();
    server_ = std::move(*server);
    ASSERT_TRUE(server_->Bind().ok());
    serving_ = std::thread([this] { (void)server_->Serve(); });
  }

  void TearDown() override {
    if (server_) server_->Stop();
    if (serving_.joinable()) serving_.join();
  }

  void AddTable(const std::string& schema, const std::string& name, const std::string& select) {
    auto db = duck::Database::Open();
    ASSERT_TRUE(db.has_value());
    auto conn = db->Connect();
    ASSERT_TRUE(conn.has_value());
    const std::string location = catalog::TableName{"olist", schema, name}.Location();
    auto commit = delta::Table(lakehouse_ + "/" + location).Append(*conn, select);
    ASSERT_TRUE(commit.has_value()) << commit.error().ToString();
    ASSERT_TRUE(lh_->metastore().UpsertTable({.catalog = "olist", .schema = schema, .name = name, .location = location}).ok());
  }

  httplib::Client Client() const {
    httplib::Client c("127.0.0.1", server_->port());
    c.set_read_timeout(30);
    return c;
  }
  httplib::Headers Auth(const std::string& user) const { return {{"Authorization", "Bearer " + tokens_.at(user)}}; }

  // The status and body of a request as `user`.
  std::pair<int, json> Get(const std::string& user, const std::string& path) {
    auto res = Client().Get(path, Auth(user));
    if (!res) return {0, nullptr};
    return {res->status, json::parse(res->body, nullptr, false)};
  }
  std::pair<int, json> Sql(const std::string& user, const std::string& sql) {
    auto res = Client().Post("/api/v1/sql", Auth(user), json{{"sql", sql}}.dump(), "application/json");
    if (!res) return {0, nullptr};
    return {res->status, json::parse(res->body, nullptr, false)};
  }
  // The rows of a 200 reply as "a,b;c,d" (null as "null").
  static std::string Rows(const json& body) {
    std::string out;
    const json columns = body.value("columns", json::array());
    for (const json& row : body.value("rows", json::array())) {
      if (!out.empty()) out += ";";
      for (size_t c = 0; c < columns.size(); ++c) {
        const json& cell = row[columns[c]["name"].get<std::string>()];
        out += (c ? "," : "") + (cell.is_null() ? std::string("null") : cell.is_string() ? cell.get<std::string>()
                                                                                           : cell.dump());
      }
    }
    return out;
  }

  static inline const catalog::Securable kOlist{catalog::SecurableKind::kCatalog, "olist"};
  static inline const catalog::Securable kGold{catalog::SecurableKind::kSchema, "olist.gold"};
  static inline const catalog::Securable kSilver{catalog::SecurableKind::kSchema, "olist.silver"};
  testing::TempDir dir_;
  std::string project_, lakehouse_;
  std::optional<catalog::Lakehouse> lh_;
  std::map<std::string, std::string> tokens_;
  std::unique_ptr<Server> server_;
  std::thread serving_;
};

TEST_F(GovernanceApiTest, TheMarketersWaysAroundGoldAreRefusedOrShowNothingAndAllAreAudited) {
  EXPECT_EQ(Rows(Sql("mia", "SELECT customers FROM gold.gld_kpis").second), "3");
  int denied = 0;
  for (const std::string& sql : {std::string("SELECT * FROM olist.silver.slv_customers"),
                                 std::string("SELECT * FROM bronze.brz_customers"),
                                 std::string("SELECT * FROM slv_customers VERSION AS OF 0"),
                                 std::string("WITH x AS (SELECT * FROM silver.slv_customers) SELECT * FROM x")}) {
    auto [status, body] = Sql("mia", sql);
    EXPECT_EQ(status, 403) << sql << ": " << body.dump();
    EXPECT_EQ(body["error"]["code"], "permission_denied") << sql;
    ++denied;
  }
  const std::string dir = fs::absolute(lakehouse_ + "/olist/silver/slv_customers").lexically_normal().string();
  for (const std::string& sql : {"SELECT * FROM '" + dir + "/*.parquet'",
                                 "SELECT * FROM read_parquet('" + dir + "/*.parquet')",
                                 "SELECT * FROM \"" + dir + "/x.parquet\"",
                                 std::string("ATTACH 'x.db' AS x")}) {
    auto [status, body] = Sql("mia", sql);
    EXPECT_EQ(status, 400) << sql << ": " << body.dump();
    EXPECT_EQ(body["error"]["code"], "sql_refused") << sql;
    ++denied;
  }
  // The catalog itself shows nothing else.
  EXPECT_EQ(Rows(Sql("mia", "SELECT count(*) FROM information_schema.tables WHERE table_schema IN "
                            "('bronze', 'silver')").second),
            "0");
  EXPECT_EQ(Rows(Sql("mia", "SELECT count(*) FROM duckdb_tables() WHERE schema_name <> 'gold'").second), "0");

  // Every refusal is in the audit log, from the API and the client's address; only an admin reads it.
  auto [status, audit] = Get("admin", "/api/v1/audit?principal=mia&denied=true");
  ASSERT_EQ(status, 200) << audit.dump();
  ASSERT_EQ(audit["entries"].size(), static_cast<size_t>(denied));
  for (const json& e : audit["entries"]) {
    EXPECT_EQ(e["source"], "api");
    EXPECT_EQ(e["address"], "127.0.0.1");
    EXPECT_FALSE(e["allowed"].get<bool>());
  }
  EXPECT_EQ(Get("mia", "/api/v1/audit").first, 403);
}

TEST_F(GovernanceApiTest, MasksAndRowFiltersHoldForEachToken) {
  const std::string q = "SELECT customer_zip_code_prefix FROM gold.gld_customer_geo ORDER BY customer_unique_id";
  EXPECT_EQ(Rows(Sql("ana", q).second), "01001;01002;20001");
  EXPECT_EQ(Rows(Sql("mia", q).second), "null;null;null");
  const std::string by_state = "SELECT customer_state, count(*) FROM silver.slv_customers GROUP BY ALL ORDER BY 1";
  EXPECT_EQ(Rows(Sql("rita", by_state).second), "SP,2");
  EXPECT_EQ(Rows(Sql("ana", by_state).second), "RJ,1;SP,2");
}

TEST_F(GovernanceApiTest, PanelsPreviewsAndTablesFollowTheUser) {
  auto [kpis_status, kpis] = Get("mia", "/api/v1/dashboard/panels/kpis");
  EXPECT_EQ(kpis_status, 200) << kpis.dump();
  auto [states_status, states] = Get("mia", "/api/v1/dashboard/panels/states");
  EXPECT_EQ(states_status, 403) << states.dump();
  EXPECT_TRUE(states.value("not_permitted", false));
  EXPECT_EQ(states["id"], "states");
  // The panel's SQL is the server's: its refusal does not name the table it reads.
  EXPECT_EQ(states["error"]["message"], "mia may not see a table this panel reads") << states.dump();
  EXPECT_EQ(Rows(Get("rita", "/api/v1/dashboard/panels/states").second), "SP,2");
  EXPECT_EQ(Get("mia", "/api/v1/tables/olist.silver.slv_customers/preview").first, 403);
  EXPECT_EQ(Get("mia", "/api/v1/tables/olist.silver.slv_customers").first, 403);
  EXPECT_EQ(Get("mia", "/api/v1/tables/olist.gold.gld_kpis/preview").first, 200);
  auto [tables_status, tables] = Get("mia", "/api/v1/tables");
  ASSERT_EQ(tables_status, 200);
  EXPECT_EQ(tables["catalogs"][0]["schemas"].size(), 1u) << tables.dump();
  EXPECT_EQ(tables["catalogs"][0]["schemas"][0]["name"], "gold");
  auto run = Client().Post("/api/v1/runs", Auth("mia"), "", "application/json");
  ASSERT_TRUE(run);
  EXPECT_EQ(run->status, 403) << run->body;
}

TEST_F(GovernanceApiTest, GrantAndRevokeHoldOnTheNextRequestWithoutARestart) {
  const std::string q = "SELECT count(*) FROM silver.slv_customers";
  EXPECT_EQ(Sql("mia", q).first, 403);
  ASSERT_TRUE(catalog::Grant(lh_->metastore(), catalog::Privilege::kUseSchema, kSilver, "marketing").ok());
  ASSERT_TRUE(catalog::Grant(lh_->metastore(), catalog::Privilege::kSelect, kSilver, "marketing").ok());
  auto [status, body] = Sql("mia", q);
  EXPECT_EQ(status, 200) << body.dump();
  EXPECT_EQ(Rows(body), "0");  // the row filter still holds: she is in none of its groups
  ASSERT_TRUE(catalog::AddGroupMember(lh_->metastore(), "region_sp", "mia").ok());
  EXPECT_EQ(Rows(Sql("mia", q).second), "2");
  ASSERT_TRUE(catalog::Revoke(lh_->metastore(), catalog::Privilege::kSelect, kGold, "marketing").ok());
  EXPECT_EQ(Sql("mia", "SELECT * FROM gold.gld_kpis").first, 403);
}

// Run tasks, expectation results, DAG nodes and models name tables too: the
// marketer (SELECT on gold only) sees none of silver's or bronze's; admin sees all.
TEST_F(GovernanceApiTest, MetadataAboutTablesTheUserCannotSeeIsLeftOut) {
  catalog::Metastore& m = lh_->metastore();
  auto run = catalog::StartPipelineRun(m, "olist", "manual");
  ASSERT_TRUE(run.has_value()) << run.error().message();
  for (const char* table : {"olist.bronze.brz_customers", "olist.silver.slv_customers", "olist.gold.gld_kpis"}) {
    auto task = catalog::StartTaskRun(m, *run, table);
    ASSERT_TRUE(task.has_value());
    ASSERT_TRUE(catalog::FinishTaskRun(m, *task, {}).ok());
    ASSERT_TRUE(catalog::RecordExpectationResult(m, {.run_id = *run, .table = table, .expectation = "not_empty",
                                                     .passed_rows = 3})
                    .ok());
  }
  ASSERT_TRUE(catalog::FinishPipelineRun(m, *run, catalog::RunStatus::kSucceeded, "").ok());
  auto [models_status, models] = Get("admin", "/api/v1/models");
  ASSERT_EQ(models_status, 200) << models.dump();
  const std::string model = models["model"].get<std::string>();
  int64_t version = 0;
  for (const char* input : {"silver.slv_customers", "gold.gld_kpis"}) {
    auto trained = catalog::models::InsertRun(
        m, {.model_name = model, .protocol = "early", .inputs = json::array({{{"table", input}, {"delta_version", 0}}})});
    ASSERT_TRUE(trained.has_value()) << trained.error().message();
    ASSERT_TRUE(catalog::models::RegisterVersion(
                    m, {.name = model, .version = ++version, .run_id = *trained, .kind = "logistic", .path = "none"})
                    .ok());
  }

  const std::string run_path = "/api/v1/runs/" + std::to_string(*run);
  for (const std::string& path : {run_path, std::string("/api/v1/expectations"), std::string("/api/v1/pipeline/dag")}) {
    auto [admin_status, admin] = Get("admin", path);
    ASSERT_EQ(admin_status, 200) << path << " " << admin.dump();
    EXPECT_NE(admin.dump().find("slv_customers"), std::string::npos) << path;
    auto [mia_status, mia] = Get("mia", path);
    ASSERT_EQ(mia_status, 200) << path << " " << mia.dump();
    const std::string body = mia.dump();
    for (const char* secret : {"slv_", "brz_", "silver", "bronze"}) {
      EXPECT_EQ(body.find(secret), std::string::npos) << path << " shows " << secret << " to mia: " << body;
    }
  }
  auto [run_status, mia_run] = Get("mia", run_path);
  ASSERT_EQ(mia_run["tasks"].size(), 1u) << mia_run.dump();
  EXPECT_EQ(mia_run["tasks"][0]["task"], "olist.gold.gld_kpis");
  EXPECT_EQ(mia_run["tasks"][0]["expectations"].size(), 1u);

  // The version trained on silver is left out for mia; admin sees both.
  auto [admin_status, admin_models] = Get("admin", "/api/v1/models");
  EXPECT_EQ(admin_models["versions"].size(), 2u) << admin_models.dump();
  auto [mia_status, mia_models] = Get("mia", "/api/v1/models");
  ASSERT_EQ(mia_models["versions"].size(), 1u) << mia_models.dump();
  EXPECT_EQ(mia_models["versions"][0]["version"], 2);
  EXPECT_EQ(Get("mia", "/api/v1/models/" + model + "/versions/1").first, 403);
  EXPECT_EQ(Get("mia", "/api/v1/models/" + model + "/versions/2").first, 200);
  EXPECT_EQ(Get("admin", "/api/v1/models/" + model + "/versions/1").first, 200);
}

// Users taking turns on one worker keep their sessions (opening one builds a view
// per table and copies each masked table); a grant or a table write still reopens
// the user's session on the next request.
TEST_F(GovernanceApiTest, UsersTakingTurnsKeepTheirSessionsUntilSomethingChanges) {
  auto one = Server::Create({.lakehouse_root = lakehouse_, .project_dir = project_, .port = 0, .threads = 1,
                             .log = [](const std::string&) {}});
  ASSERT_TRUE(one.has_value()) << one.error().message();
  ASSERT_TRUE((*one)->Bind().ok());
  std::thread serving([&] { (void)(*one)->Serve(); });
  const auto request = [&](const std::string& user, const std::string& sql) {
    httplib::Client c("127.0.0.1", (*one)->port());
    c.set_read_timeout(30);
    auto res = c.Post("/api/v1/sql", Auth(user), json{{"sql", sql}}.dump(), "application/json");
    return res ? std::pair{res->status, json::parse(res->body, nullptr, false)} : std::pair{0, json()};
  };
  const auto opened = [&] {
    httplib::Client c("127.0.0.1", (*one)->port());
    auto res = c.Get("/metrics", Auth("admin"));
    const std::string key = "pareto_sql_sessions_opened_total ";
    const size_t at = res ? res->body.find("\n" + key) : std::string::npos;
    return at == std::string::npos ? -1 : std::stoll(res->body.substr(at + 1 + key.size()));
  };
  EXPECT_EQ(opened(), 0);
  const std::string q = "SELECT customer_zip_code_prefix FROM gold.gld_customer_geo ORDER BY customer_unique_id";
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(Rows(request("mia", q).second), "null;null;null");
    EXPECT_EQ(Rows(request("ana", q).second), "01001;01002;20001");
    EXPECT_EQ(request("rita", q).first, 403);
  }
  EXPECT_EQ(opened(), 3);  // one per user, not one per request

  // A grant reopens mia's session on her next request; the others keep theirs.
  EXPECT_EQ(request("mia", "SELECT count(*) FROM silver.slv_customers").first, 403);
  ASSERT_TRUE(catalog::Grant(lh_->metastore(), catalog::Privilege::kUseSchema, kSilver, "marketing").ok());
  ASSERT_TRUE(catalog::Grant(lh_->metastore(), catalog::Privilege::kSelect, kSilver, "marketing").ok());
  EXPECT_EQ(request("mia", "SELECT count(*) FROM silver.slv_customers").first, 200);
  EXPECT_EQ(opened(), 4);
  // So does a table written since: the next request sees the new rows.
  ASSERT_NO_FATAL_FAILURE(AddTable("gold", "gld_kpis", "SELECT 4 AS customers"));
  EXPECT_EQ(Rows(request("mia", "SELECT sum(customers) FROM gold.gld_kpis").second), "7");
  EXPECT_EQ(opened(), 5);
  (*one)->Stop();
  serving.join();
}

// A person's scores are read through the user's session like any query: who may
// not see gold gets 403, and the refusal is audited.
TEST_F(GovernanceApiTest, CustomerScoresFollowTheUser) {
  ASSERT_NO_FATAL_FAILURE(AddTable("gold", "gld_customer_scores",
                                   "SELECT 'c1' AS customer_unique_id, 0.25::DOUBLE AS repeat_probability"));
  auto [mia_status, mia] = Get("mia", "/api/v1/customers/c1");
  ASSERT_EQ(mia_status, 200) << mia.dump();
  EXPECT_EQ(mia["scores"]["repeat_probability"].dump(), "0.25") << mia.dump();
  auto [rita_status, rita] = Get("rita", "/api/v1/customers/c1");
  EXPECT_EQ(rita_status, 403) << rita.dump();
  EXPECT_EQ(rita["error"]["code"], "permission_denied");
  auto [status, audit] = Get("admin", "/api/v1/audit?principal=rita&denied=true");
  ASSERT_EQ(status, 200) << audit.dump();
  ASSERT_EQ(audit["entries"].size(), 1u) << audit.dump();
  EXPECT_NE(audit["entries"][0]["text"].get<std::string>().find("gld_customer_scores"), std::string::npos);
}

// The lineage graph and a table's lineage name tables too: the marketer sees only
// gold's nodes, edges between them and column upstreams in gold; admin sees the chain.
TEST_F(GovernanceApiTest, LineageShowsOnlyWhatTheUserMaySee) {
  catalog::Metastore& m = lh_->metastore();
  ASSERT_TRUE(catalog::ReplaceTableLineage(m, "olist.silver.slv_customers", {"olist.bronze.brz_customers"}).ok());
  ASSERT_TRUE(catalog::ReplaceTableLineage(m, "olist.gold.gld_customer_geo", {"olist.silver.slv_customers"}).ok());
  ASSERT_TRUE(catalog::ReplaceTableLineage(m, "olist.gold.gld_kpis", {"olist.gold.gld_customer_geo"}).ok());
  ASSERT_TRUE(catalog::ReplaceColumnLineage(
                  m, "olist.gold.gld_customer_geo",
                  {{"customer_state", {"olist.silver.slv_customers", "customer_state"}}}).ok());
  ASSERT_TRUE(catalog::ReplaceColumnLineage(
                  m, "olist.gold.gld_kpis",
                  {{"customers", {"olist.gold.gld_customer_geo", "customer_unique_id"}}}).ok());

  auto [admin_status, admin] = Get("admin", "/api/v1/lineage");
  ASSERT_EQ(admin_status, 200) << admin.dump();
  EXPECT_EQ(admin["nodes"].size(), 4u) << admin.dump();
  EXPECT_EQ(admin["edges"].size(), 3u) << admin.dump();
  for (const json& n : admin["nodes"]) {
    const std::string name = n["name"];
    EXPECT_EQ(n["layer"], name.substr(6, name.find('.', 6) - 6)) << name;
    EXPECT_TRUE(n["registered"].get<bool>()) << name;
    if (name == "olist.gold.gld_customer_geo") {
      EXPECT_EQ(n["columns"]["customer_state"][0]["table"], "olist.silver.slv_customers") << n.dump();
    }
  }

  auto [mia_status, mia] = Get("mia", "/api/v1/lineage");
  ASSERT_EQ(mia_status, 200) << mia.dump();
  ASSERT_EQ(mia["nodes"].size(), 2u) << mia.dump();
  ASSERT_EQ(mia["edges"].size(), 1u) << mia.dump();
  EXPECT_EQ(mia["edges"][0], (json{{"from", "olist.gold.gld_customer_geo"}, {"to", "olist.gold.gld_kpis"}}));
  auto [table_status, table] = Get("mia", "/api/v1/tables/olist.gold.gld_customer_geo");
  ASSERT_EQ(table_status, 200) << table.dump();
  EXPECT_EQ(table["lineage"]["downstream"], json::array({"olist.gold.gld_kpis"}));
  for (const json& body : {mia, table}) {
    for (const char* secret : {"slv_", "brz_", "silver", "bronze"}) {
      EXPECT_EQ(body.dump().find(secret), std::string::npos) << secret << " shown to mia: " << body.dump();
    }
  }
  // The column still lists its upstream for someone who may see silver.
  auto [ana_status, ana_table] = Get("ana", "/api/v1/tables/olist.gold.gld_customer_geo");
  ASSERT_EQ(ana_status, 200);
  EXPECT_EQ(ana_table["lineage"]["upstream"], json::array({"olist.silver.slv_customers"}));
  EXPECT_EQ(ana_table["lineage"]["columns"]["customer_state"].size(), 1u);
}

}  // namespace
}  // namespace pareto::server
