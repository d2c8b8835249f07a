// pareto serve end to end, in process: a lakehouse built by the real pipeline
// with its ML tasks (train and score, so customers have scores) from a small
// generated shop (`pareto generate --scale 0.02`: tests/fixtures/olist-mini is
// too small to train on), a server on an ephemeral port, and httplib's client.
#include "server/server.h"

#include <httplib.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <future>
#include <memory>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "catalog/lakehouse.h"
#include "catalog/tokens.h"
#include "cli/testing/cli_run.h"
#include "common/testing/temp_dir.h"
#include "ml/pipeline_tasks.h"
#include "pipeline/project.h"
#include "pipeline/runner.h"
#include "server/testing/serve_child.h"

namespace pareto::server {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr std::string_view kDashboard = R"yaml(
pages:
  - id: overview
    title: Overview
    panels:
      - id: revenue_by_month
        title: Revenue by month (BRL)
        description: monthly revenue from gold.gld_monthly_revenue
        kind: chart
        sql: SELECT * FROM gold.gld_monthly_revenue ORDER BY 1
        format: {revenue: brl}
        spec:
          mark: line
          encoding:
            x: {field: month, type: temporal, title: Month}
  - id: customers
    title: Customers
    panels:
      - id: customer_lookup
        title: A customer
        kind: table
        sql: SELECT customer_unique_id, repeat_probability FROM gold.gld_customer_scores WHERE customer_unique_id = :customer
)yaml";

// Every file under `root` with its size and modification time: what "unchanged" means.
std::map<std::string, std::pair<uintmax_t, fs::file_time_type>> Listing(const std::string& root) {
  std::map<std::string, std::pair<uintmax_t, fs::file_time_type>> out;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    if (!e.is_regular_file()) continue;
    // SQLite's shared-memory index changes on every read of the metastore.
    if (e.path().filename().string().ends_with("-shm") || e.path().filename().string().ends_with("-wal")) continue;
    out[e.path().string()] = {e.file_size(), e.last_write_time()};
  }
  return out;
}

class ServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const std::string binary = cli::testing::BinaryUnderTest();
    if (binary.empty()) return;
    dir_ = std::make_unique<testing::TempDir>();  // one lakehouse for the suite: building it is the slow part
    const std::string source = dir_->path() + "/generated";
    auto generated = cli::testing::RunBinary(
        binary, {"generate", "--scale", "0.02", "--seed", "7", "--out", source}, dir_->path() + "/stderr.txt");
    ASSERT_EQ(generated.exit_code, 0) << generated.err;
    project_ = dir_->path() + "/project";
    fs::copy(std::string(PARETO_SOURCE_DIR) + "/pipelines/olist", project_, fs::copy_options::recursive);
    std::ofstream(project_ + "/dashboard.yaml") << kDashboard;
    lakehouse_ = dir_->path() + "/lakehouse";
    auto project = pipeline::LoadProject(project_);
    ASSERT_TRUE(project.has_value()) << project.error().message();
    pipeline::RunOptions run{.project_dir = project_, .lakehouse_root = lakehouse_, .source_dir = source, .jobs = 2};
    auto post = ml::MlPostTasks(*project);
    ASSERT_TRUE(post.has_value()) << post.error().message();
    run.post_tasks = *post;
    auto report = pipeline::RunPipeline(std::move(*project), run);
    ASSERT_TRUE(report.has_value()) << report.error().message();
    ASSERT_TRUE(report->ok()) << report->first_failure;
    // `pareto run` trains the future-value model; the registry's versions (GET
    // /api/v1/models) come from `pareto train`'s high-value protocols.
    auto trained = cli::testing::RunBinary(
        binary, {"--lakehouse", lakehouse_, "--project", project_, "train", "--protocol", "seed", "--models", "lr"},
        dir_->path() + "/stderr.txt");
    ASSERT_EQ(trained.exit_code, 0) << trained.err;
    auto promoted = cli::testing::RunBinary(binary, {"--lakehouse", lakehouse_, "models", "promote", "1"},
                                            dir_->path() + "/stderr.txt");
    ASSERT_EQ(promoted.exit_code, 0) << promoted.err;
  }
  static void TearDownTestSuite() { dir_.reset(); }

  void SetUp() override {
    if (dir_ == nullptr) GTEST_SKIP() << "PARETO_BINARY is not set to a built pareto (run through ctest)";
    auto lh = catalog::Lakehouse::OpenExisting(lakehouse_);
    ASSERT_TRUE(lh.has_value());
    auto token = catalog::CreateToken(lh->metastore(), "test-" + std::to_string(++tokens_));
    ASSERT_TRUE(token.has_value());
    token_ = *token;
    Start();
  }
  void TearDown() override { StopServer(); }

  void Start(std::chrono::milliseconds timeout = std::chrono::milliseconds(2000), int threads = 4,
             int max_queued = 256) {
    auto server = Server::Create({.lakehouse_root = lakehouse_,
                                  .project_dir = project_,
                                  .port = 0,
                                  .threads = threads,
                                  .max_queued = max_queued,
                                  .query_timeout = timeout,
                                  .log = [](const std::string&) {}});
    ASSERT_TRUE(server.has_value()) << server.error().message();
    server_ = std::move(*server);
    ASSERT_TRUE(server_->Bind().ok());
    serving_ = std::thread([this] { (void)server_->Serve(); });
  }
  void StopServer() {
    if (server_) server_->Stop();
    if (serving_.joinable()) serving_.join();
    server_.reset();
  }

  httplib::Client Client() const {
    httplib::Client c("127.0.0.1", server_->port());
    c.set_read_timeout(30);
    return c;
  }
  httplib::Headers Auth() const { return {{"Authorization", "Bearer " + token_}}; }
  json Get(const std::string& path, int want = 200) {
    auto res = Client().Get(path, Auth());
    EXPECT_TRUE(res) << path;
    if (!res) return nullptr;
    EXPECT_EQ(res->status, want) << path << ": " << res->body;
    return json::parse(res->body, nullptr, false);
  }
  httplib::Result PostSql(const std::string& sql, int max_rows = 1000) {
    return Client().Post("/api/v1/sql", Auth(), json{{"sql", sql}, {"max_rows", max_rows}}.dump(), "application/json");
  }
  // The same SQL through a session of our own: what the server must have answered.
  duck::TextResult Direct(const std::string& sql) {
    auto lh = catalog::Lakehouse::OpenExisting(lakehouse_);
    EXPECT_TRUE(lh.has_value());
    auto session = lh->OpenSession();
    EXPECT_TRUE(session.has_value());
    auto r = session->QueryText(sql);
    EXPECT_TRUE(r.has_value()) << sql << ": " << (r.has_value() ? "" : r.error().message());
    return r.has_value() ? *r : duck::TextResult{};
  }

  static std::unique_ptr<testing::TempDir> dir_;
  static std::string project_, lakehouse_;
  static int tokens_;
  std::string token_;
  std::unique_ptr<Server> server_;
  std::thread serving_;
};
std::unique_ptr<testing::TempDir> ServerTest::dir_;
std::string ServerTest::project_, ServerTest::lakehouse_;
int ServerTest::tokens_ = 0;

TEST_F(ServerTest, HealthNeedsNoTokenEverythingElseALiveOne) {
  auto health = Client().Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  for (const char* path : {"/api/v1/tables", "/metrics", "/api/v1/dashboard", "/api/v1/openapi.json"}) {
    auto none = Client().Get(path);
    ASSERT_TRUE(none);
    EXPECT_EQ(none->status, 401) << path;
    EXPECT_EQ(json::parse(none->body)["error"]["code"], "unauthorized");
    auto wrong = Client().Get(path, {{"Authorization", "Bearer " + std::string(64, 'a')}});
    EXPECT_EQ(wrong->status, 401) << path;
  }
  EXPECT_EQ(Client().Get("/api/v1/tables", Auth())->status, 200);
  {
    auto lh = catalog::Lakehouse::OpenExisting(lakehouse_);
    ASSERT_TRUE(catalog::RevokeToken(lh->metastore(), "test-" + std::to_string(tokens_)).ok());
  }
  auto revoked = Client().Get("/api/v1/tables", Auth());
  EXPECT_EQ(revoked->status, 401);
  EXPECT_EQ(json::parse(revoked->body)["error"]["code"], "unauthorized");
  // The app's files hold no data: they load before the token is known.
  auto index = Client().Get("/");
  ASSERT_TRUE(index);
  EXPECT_EQ(index->status, 200);
  EXPECT_NE(index->get_header_value("Content-Type").find("text/html"), std::string::npos);
}

TEST_F(ServerTest, UnknownRoutesWrongMethodsAndBigBodies) {
  auto unknown = Client().Get("/api/v1/nope", Auth());
  EXPECT_EQ(unknown->status, 404);
  EXPECT_EQ(json::parse(unknown->body)["error"]["code"], "not_found");
  auto wrong = Client().Delete("/api/v1/sql", Auth());
  EXPECT_EQ(wrong->status, 405);
  EXPECT_EQ(wrong->get_header_value("Allow"), "POST");
  EXPECT_EQ(json::parse(wrong->body)["error"]["code"], "method_not_allowed");
  auto put = Client().Put("/api/v1/runs", Auth(), "{}", "application/json");
  EXPECT_EQ(put->status, 405);
  EXPECT_EQ(put->get_header_value("Allow"), "GET, POST");
  const std::string big = json{{"sql", "SELECT '" + std::string(2 << 20, 'x') + "'"}}.dump();
  auto too_big = Client().Post("/api/v1/sql", Auth(), big, "application/json");
  ASSERT_TRUE(too_big);
  EXPECT_EQ(too_big->status, 413);
  EXPECT_EQ(json::parse(too_big->body, nullptr, false)["error"]["code"], "payload_too_large");
  auto missing = Client().Get("/assets/missing.js");
  EXPECT_EQ(missing->status, 404);
}

TEST_F(ServerTest, DashboardAndPanelDataEqualTheSameSqlThroughASession) {
  json d = Get("/api/v1/dashboard");
  ASSERT_EQ(d["pages"].size(), 2u);
  const json& panel = d["pages"][0]["panels"][0];
  EXPECT_EQ(panel["id"], "revenue_by_month");
  EXPECT_EQ(panel["spec"]["mark"], "line");
  EXPECT_EQ(panel["format"]["revenue"], "brl");
  EXPECT_FALSE(panel.contains("sql"));

  json data = Get("/api/v1/dashboard/panels/revenue_by_month");
  duck::TextResult direct = Direct("SELECT * FROM gold.gld_monthly_revenue ORDER BY 1");
  ASSERT_FALSE(direct.rows.empty());
  ASSERT_EQ(data["rows"].size(), direct.rows.size());
  ASSERT_EQ(data["columns"].size(), direct.columns.size());
  for (size_t r = 0; r < direct.rows.size(); ++r) {
    for (size_t c = 0; c < direct.columns.size(); ++c) {
      const json& got = data["rows"][r][direct.columns[c].name];
      const auto& want = direct.rows[r][c];
      if (!want) {
        EXPECT_TRUE(got.is_null());
      } else if (got.is_number()) {
        EXPECT_DOUBLE_EQ(got.get<double>(), std::stod(*want)) << direct.columns[c].name;
      } else {
        EXPECT_EQ(got.get<std::string>().substr(0, 10), want->substr(0, 10)) << direct.columns[c].name;
      }
    }
  }
  EXPECT_FALSE(data["truncated"].get<bool>());
  EXPECT_TRUE(data["elapsed_ms"].is_number_integer());

  Get("/api/v1/dashboard/panels/nope", 404);
  json missing = Get("/api/v1/dashboard/panels/customer_lookup", 400);
  EXPECT_EQ(missing["error"]["code"], "missing_parameter");
  // A parameter is a quoted literal: an injection attempt is just an unknown id.
  json injected = Get("/api/v1/dashboard/panels/customer_lookup?customer=x%27%20OR%20%271%27%3D%271");
  EXPECT_TRUE(injected["rows"].empty());
}

TEST_F(ServerTest, CustomerScoresAndDrivers) {
  duck::TextResult some = Direct("SELECT customer_unique_id, repeat_probability FROM gold.gld_customer_scores ORDER BY 1 LIMIT 1");
  ASSERT_EQ(some.rows.size(), 1u);
  const std::string id = *some.rows[0][0];
  json c = Get("/api/v1/customers/" + id);
  EXPECT_EQ(c["customer_unique_id"], id);
  EXPECT_DOUBLE_EQ(c["scores"]["repeat_probability"].get<double>(), std::stod(*some.rows[0][1]));
  ASSERT_FALSE(c["drivers"].empty());
  EXPECT_TRUE(c["drivers"][0]["feature"].is_string());
  EXPECT_TRUE(c["drivers"][0]["contribution"].is_number());
  // The value is the person's own, from their row of the scoring snapshot.
  const std::string feature = c["drivers"][0]["feature"];
  duck::TextResult value =
      Direct("SELECT \"" + feature + "\" FROM gold.gld_fv_snapshots AS f JOIN gold.gld_customer_scores AS s " +
             "USING (customer_unique_id, snapshot_date) WHERE customer_unique_id = '" + id + "'");
  ASSERT_EQ(value.rows.size(), 1u);
  const json& got = c["drivers"][0]["value"];
  if (value.rows[0][0] && got.is_number()) {
    EXPECT_DOUBLE_EQ(got.get<double>(), std::stod(*value.rows[0][0]));
  } else if (value.rows[0][0]) {
    EXPECT_EQ(got.is_string() ? got.get<std::string>() : got.dump(), *value.rows[0][0]);
  } else {
    EXPECT_TRUE(c["drivers"][0]["value"].is_null());
  }
  json by_panel = Get("/api/v1/dashboard/panels/customer_lookup?customer=" + id);
  ASSERT_EQ(by_panel["rows"].size(), 1u);
  json none = Get("/api/v1/customers/nobody", 404);
  EXPECT_EQ(none["error"]["code"], "not_found");
}

TEST_F(ServerTest, CatalogRunsDagModelsAndMetrics) {
  json tables = Get("/api/v1/tables");
  ASSERT_FALSE(tables["catalogs"].empty());
  EXPECT_EQ(tables["catalogs"][0]["name"], "olist");
  bool seen = false;
  for (const json& s : tables["catalogs"][0]["schemas"]) {
    for (const json& t : s["tables"]) {
      if (t["full_name"] != "olist.gold.gld_monthly_revenue") continue;
      seen = true;
      EXPECT_EQ(t["rows"].get<int64_t>(),
                std::stoll(*Direct("SELECT count(*) FROM gold.gld_monthly_revenue").rows[0][0]));
    }
  }
  EXPECT_TRUE(seen);
  json table = Get("/api/v1/tables/olist.gold.gld_monthly_revenue");
  EXPECT_FALSE(table["columns"].empty());
  EXPECT_FALSE(table["history"].empty());
  EXPECT_FALSE(table["lineage"]["upstream"].empty());
  json preview = Get("/api/v1/tables/gold.gld_monthly_revenue/preview?limit=2&offset=1");
  EXPECT_LE(preview["rows"].size(), 2u);
  Get("/api/v1/tables/gold.nope", 404);
  Get("/api/v1/tables/gold.gld_monthly_revenue/preview?limit=0", 400);

  json runs = Get("/api/v1/runs");
  ASSERT_FALSE(runs["runs"].empty());
  const int64_t run_id = runs["runs"][0]["id"];
  json run = Get("/api/v1/runs/" + std::to_string(run_id));
  EXPECT_EQ(run["status"], "succeeded");
  EXPECT_FALSE(run["tasks"].empty());
  Get("/api/v1/runs/999999", 404);
  json expectations = Get("/api/v1/expectations");
  EXPECT_TRUE(expectations["expectations"].is_array());

  json dag = Get("/api/v1/pipeline/dag");
  ASSERT_FALSE(dag["nodes"].empty());
  int with_status = 0;
  for (const json& n : dag["nodes"]) with_status += n["last"].is_object() ? 1 : 0;
  EXPECT_GT(with_status, 0);

  json models = Get("/api/v1/models");
  ASSERT_FALSE(models["versions"].empty());
  const json& v = models["versions"][0];
  json version = Get("/api/v1/models/" + v["name"].get<std::string>() + "/versions/" + std::to_string(v["version"].get<int64_t>()));
  EXPECT_EQ(version["roc_auc"], v["roc_auc"]);
  EXPECT_TRUE(version["metrics"].is_object());
  Get("/api/v1/models/" + v["name"].get<std::string>() + "/versions/999", 404);

  auto metrics = Client().Get("/metrics", Auth());
  ASSERT_EQ(metrics->status, 200);
  EXPECT_NE(metrics->body.find("pareto_http_requests_total{route=\"/api/v1/models\",method=\"GET\",status=\"200\"} 1"),
            std::string::npos) << metrics->body;
  EXPECT_NE(metrics->body.find("pareto_http_request_duration_seconds_bucket{route=\"/api/v1/tables\",le=\"+Inf\"}"),
            std::string::npos);
  EXPECT_NE(metrics->body.find("pareto_table_version{table=\"olist.gold.gld_monthly_revenue\"} 0"), std::string::npos);
  EXPECT_NE(metrics->body.find("pareto_pipeline_runs_total{status=\"succeeded\",trigger=\"manual\"} 1"),
            std::string::npos);
  EXPECT_NE(metrics->body.find("pareto_model_production_version{model="), std::string::npos);
}

TEST_F(ServerTest, SqlRunsQueriesAndRefusesEverythingElseUnchanged) {
  auto ok = PostSql("WITH m AS (SELECT * FROM gold.gld_monthly_revenue) SELECT count(*) AS n FROM m", 5);
  ASSERT_EQ(ok->status, 200) << ok->body;
  json rows = json::parse(ok->body);
  EXPECT_EQ(rows["columns"][0]["name"], "n");
  EXPECT_EQ(rows["rows"][0]["n"].get<int64_t>(),
            std::stoll(*Direct("SELECT count(*) FROM gold.gld_monthly_revenue").rows[0][0]));
  auto capped = PostSql("SELECT * FROM range(10)", 3);
  json cut = json::parse(capped->body);
  EXPECT_EQ(cut["rows"].size(), 3u);
  EXPECT_TRUE(cut["truncated"].get<bool>());
  // Nested values are exact JSON, as in `pareto sql --json`: every decimal digit, ISO timestamps.
  auto nested = PostSql(
      "SELECT [CAST(5 AS DECIMAL(10,0))] AS a, {'t': TIMESTAMPTZ '2018-01-01 10:00:00+00'} AS s, "
      "[CAST('-9999999999.9999999999' AS DECIMAL(20,10))] AS d");
  ASSERT_EQ(nested->status, 200) << nested->body;
  EXPECT_NE(nested->body.find(R"("a":[5],"s":{"t":"2018-01-01T10:00:00+00:00"},"d":[-9999999999.9999999999])"),
            std::string::npos)
      << nested->body;

  const std::string canary_dir = dir_->path() + "/canary";
  fs::create_directories(canary_dir);
  const std::string canary = canary_dir + "/canary.txt";
  std::ofstream(canary) << "do not touch\n";
  const std::string table_dir = lakehouse_ + "/olist/gold/gld_monthly_revenue";
  std::string parquet;
  for (const auto& e : fs::directory_iterator(table_dir)) {
    if (e.path().extension() == ".parquet") parquet = e.path().string();
  }
  const auto lakehouse_before = Listing(lakehouse_);
  const auto canary_before = Listing(canary_dir);
  const std::vector<std::string> refused = {
      "CREATE TABLE t AS SELECT 1",
      "CREATE VIEW v AS SELECT 1",
      "DROP VIEW gold.gld_monthly_revenue",
      "ALTER VIEW gold.gld_monthly_revenue RENAME TO x",
      "INSERT INTO gold.gld_monthly_revenue SELECT * FROM gold.gld_monthly_revenue",
      "UPDATE gold.gld_monthly_revenue SET revenue = 0",
      "DELETE FROM gold.gld_monthly_revenue",
      "COPY (SELECT 1) TO '" + table_dir + "/x.csv'",
      "COPY gold.gld_monthly_revenue TO '" + canary + "'",
      "ATTACH '" + canary_dir + "/x.db' AS x",
      "DETACH x",
      "INSTALL httpfs",
      "LOAD httpfs",
      "SET memory_limit = '10GB'",
      "RESET memory_limit",
      "PRAGMA database_list",
      "CALL pragma_version()",
      "EXPORT DATABASE '" + canary_dir + "/export'",
      "CHECKPOINT",
      "SELECT * FROM read_csv('/etc/passwd')",
      "SELECT * FROM read_csv_auto('" + canary + "')",
      "SELECT * FROM '/etc/passwd'",
      "SELECT * FROM gold.gld_monthly_revenue JOIN '" + canary + "' ON true",
      "SELECT * FROM read_parquet('" + parquet + "')",
      "SELECT * FROM parquet_scan('" + parquet + "')",
      "SELECT * FROM read_text('" + canary + "')",
      "SELECT * FROM read_blob('" + lakehouse_ + "/_meta/metastore.db')",
      "SELECT * FROM glob('/*')",
      "SELECT current_setting('memory_limit')",
      "SELECT getenv('HOME')",
      "SELECT * FROM duckdb_settings()",
      "SELECT * FROM duckdb_secrets()",
      "SELECT 1; SELECT 2",
      "WITH x AS (SELECT 1) DELETE FROM gold.gld_monthly_revenue",
  };
  const std::string binary = cli::testing::BinaryUnderTest();
  for (const std::string& sql : refused) {
    auto res = PostSql(sql);
    ASSERT_TRUE(res) << sql;
    EXPECT_EQ(res->status, 400) << sql << ": " << res->body;
    EXPECT_EQ(json::parse(res->body, nullptr, false)["error"]["code"], "sql_refused") << sql << ": " << res->body;
    if (!binary.empty()) {  // the command line's door refuses the same list
      auto cli = cli::testing::RunBinary(binary, {"--lakehouse", lakehouse_, "--project", project_, "sql", sql},
                                         dir_->path() + "/stderr.txt");
      EXPECT_EQ(cli.exit_code, 64) << sql << ": " << cli.err;
      EXPECT_TRUE(cli.out.empty()) << sql << ": " << cli.out;
    }
  }
  EXPECT_EQ(Listing(lakehouse_), lakehouse_before);
  EXPECT_EQ(Listing(canary_dir), canary_before);
  std::ifstream in(canary);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), "do not touch\n");

  auto bad = PostSql("SELECT * FROM gold.nope");
  EXPECT_EQ(bad->status, 400);
  EXPECT_EQ(json::parse(bad->body)["error"]["code"], "sql_error");
  auto not_json = Client().Post("/api/v1/sql", Auth(), "SELECT 1", "text/plain");
  EXPECT_EQ(not_json->status, 400);
}

TEST_F(ServerTest, ASlowQueryIsInterruptedAtItsTimeLimit) {
  const auto started = std::chrono::steady_clock::now();
  auto slow = PostSql("SELECT count(*) FROM range(1000000000000) a");
  ASSERT_TRUE(slow);
  EXPECT_EQ(slow->status, 408) << slow->body;
  EXPECT_EQ(json::parse(slow->body)["error"]["code"], "query_timeout");
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(15));
  // The worker is free again.
  EXPECT_EQ(PostSql("SELECT 1 AS one")->status, 200);
}

// One worker and room for one waiting connection: while a slow query holds the
// worker, of four more connections at most one waits; the others are answered
// 503 at once with the API's JSON error, and the server serves again after.
TEST_F(ServerTest, AFullQueueIsAnswered503AtOnce) {
  StopServer();
  Start(std::chrono::milliseconds(3000), /*threads=*/1, /*max_queued=*/1);
  auto slow = std::async(std::launch::async, [this] { return PostSql("SELECT count(*) FROM range(1000000000000) a"); });
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // the worker has taken it
  std::vector<std::future<httplib::Result>> others;
  for (int i = 0; i < 4; ++i) {
    others.push_back(std::async(std::launch::async, [this] { return Client().Get("/api/v1/runs", Auth()); }));
  }
  int refused = 0, served = 0;
  for (auto& f : others) {
    httplib::Result res = f.get();
    ASSERT_TRUE(res) << httplib::to_string(res.error());
    if (res->status == 503) {
      ++refused;
      EXPECT_EQ(json::parse(res->body)["error"]["code"], "overloaded") << res->body;
      EXPECT_EQ(res->get_header_value("Retry-After"), "1");
    } else {
      EXPECT_EQ(res->status, 200) << res->body;
      ++served;
    }
  }
  EXPECT_GE(refused, 3);
  EXPECT_LE(served, 1);
  ASSERT_TRUE(slow.get());
  EXPECT_TRUE(Get("/api/v1/runs")["runs"].is_array());  // room again
}

TEST_F(ServerTest, StopLetsARequestInFlightFinish) {
  auto inflight = std::async(std::launch::async, [this] {
    return PostSql("SELECT count(*) FROM range(1000000000000) a");  // runs until the 2 s limit
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  server_->Stop();
  auto res = inflight.get();
  ASSERT_TRUE(res) << "the request in flight was cut: " << httplib::to_string(res.error());
  EXPECT_EQ(res->status, 408);
  if (serving_.joinable()) serving_.join();
  auto after = Client().Get("/healthz");
  EXPECT_FALSE(after);  // no longer listening
}

TEST_F(ServerTest, TokenCommandsCreateListAndRevoke) {
  const std::string binary = cli::testing::BinaryUnderTest();
  const auto pareto = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"--lakehouse", lakehouse_});
    return cli::testing::RunBinary(binary, args, dir_->path() + "/stderr.txt");
  };
  auto created = pareto({"token", "create", "--name", "cli-user"});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  const std::string token = created.out.substr(0, created.out.find('\n'));
  ASSERT_EQ(token.size(), 64u);
  EXPECT_EQ(pareto({"token", "create", "--name", "cli-user"}).exit_code, 75);  // names are unique
  auto ok = Client().Get("/api/v1/runs", {{"Authorization", "Bearer " + token}});
  EXPECT_EQ(ok->status, 200);
  auto listed = pareto({"--json", "token", "list"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_NE(listed.out.find("\"name\":\"cli-user\""), std::string::npos) << listed.out;
  EXPECT_EQ(listed.out.find(token), std::string::npos);  // the token itself is never shown again
  ASSERT_EQ(pareto({"token", "revoke", "cli-user"}).exit_code, 0);
  EXPECT_EQ(Client().Get("/api/v1/runs", {{"Authorization", "Bearer " + token}})->status, 401);
  EXPECT_EQ(pareto({"token", "revoke", "nobody"}).exit_code, 66);
}

// The binary: `pareto serve --port 0` prints a Dashboard URL whose token works,
// and SIGTERM stops it cleanly, revoking the token it made.
TEST_F(ServerTest, ServeCommandPrintsAWorkingUrlAndStopsOnSigterm) {
  const std::string binary = cli::testing::BinaryUnderTest();
  ::pareto::testing::ServeChild serve;
  ASSERT_NO_FATAL_FAILURE(::pareto::testing::StartServe(
      binary, {"--lakehouse", lakehouse_, "--project", project_, "serve", "--port", "0", "--no-schedule"},
      dir_->path() + "/serve.err", serve));
  const pid_t pid = serve.pid;
  const int port = serve.port;
  const std::string token = serve.token;
  httplib::Client client("127.0.0.1", port);
  EXPECT_EQ(client.Get("/healthz")->status, 200);
  EXPECT_EQ(client.Get("/api/v1/dashboard", {{"Authorization", "Bearer " + token}})->status, 200);
  ASSERT_EQ(kill(pid, SIGTERM), 0);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  auto lh = catalog::Lakehouse::OpenExisting(lakehouse_);
  ASSERT_TRUE(lh.has_value());
  auto who = catalog::CheckToken(lh->metastore(), token);
  ASSERT_TRUE(who.has_value());
  EXPECT_FALSE(who->has_value());  // revoked when the server stopped
}

}  // namespace
}  // namespace pareto::server
