// `pareto serve` runs the project's `schedule:` in the background: with a cron
// due every minute and the last scheduled run three minutes back (a slot was
// missed while nothing served), the server starts a run by itself, records it
// with trigger `schedule`, and the API shows it; no request asks for it.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <httplib.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "catalog/lakehouse.h"
#include "catalog/runs.h"
#include "cli/testing/cli_run.h"
#include "common/env.h"
#include "common/testing/temp_dir.h"
#include "duck/duck.h"
#include "server/testing/serve_child.h"

namespace pareto::server {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

void Write(const std::string& path, const std::string& text) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path) << text;
}

class MinutesAgo : public EnvWrapper {
 public:
  explicit MinutesAgo(int minutes) : EnvWrapper(Env::Default()), minutes_(minutes) {}
  int64_t NowMicros() override { return target()->NowMicros() - int64_t{minutes_} * 60 * 1'000'000; }

 private:
  int minutes_;
};

TEST(ServeScheduleTest, TheServerRunsItsScheduleWithoutARequest) {
  const std::string binary = cli::testing::BinaryUnderTest();
  if (binary.empty()) GTEST_SKIP() << "PARETO_BINARY is not set to a built pareto (run through ctest)";
  testing::TempDir dir;
  const std::string lakehouse = dir.path() + "/lakehouse", project = dir.path() + "/project";
  // A small project: one bronze table, a silver and a gold model; due every minute.
  Write(project + "/pipeline.yaml", "catalog: olist\ntimezone: UTC\nschedule: {cron: \"* * * * *\"}\n");
  Write(project + "/silver/slv_a.sql", "SELECT * FROM bronze.brz_orders\n");
  Write(project + "/gold/gld_n.sql", "SELECT count(*) AS n FROM silver.slv_a\n");
  {
    auto lh = catalog::Lakehouse::Open(lakehouse);
    ASSERT_TRUE(lh.has_value()) << lh.error().message();
    auto db = duck::Database::Open();
    ASSERT_TRUE(db.has_value());
    auto conn = db->Connect();
    ASSERT_TRUE(conn.has_value());
    ASSERT_TRUE(lh->Publish(*conn, {.name = {"olist", "bronze", "brz_orders"},
                                    .select_sql = "SELECT * FROM (VALUES (1, 'a'), (2, 'b')) v(id, name)"})
                    .has_value());
  }
  {
    MinutesAgo clock(3);
    auto lh = catalog::Lakehouse::Open(lakehouse, &clock);
    ASSERT_TRUE(lh.has_value());
    auto id = catalog::StartPipelineRun(lh->metastore(), "olist", "schedule");
    ASSERT_TRUE(id.has_value());
    ASSERT_TRUE(catalog::FinishPipelineRun(lh->metastore(), *id, catalog::RunStatus::kSucceeded, "ok").ok());
  }

  const std::string err_path = dir.path() + "/serve.err";
  ::pareto::testing::ServeChild serve;
  ASSERT_NO_FATAL_FAILURE(::pareto::testing::StartServe(
      binary, {"--lakehouse", lakehouse, "--project", project, "serve", "--port", "0"}, err_path, serve));
  const pid_t pid = serve.pid;
  const int port = serve.port;
  const std::string token = serve.token;

  // Only reads from here on: the run must come from the server's own scheduler.
  httplib::Client client("127.0.0.1", port);
  client.set_read_timeout(10);
  json scheduled;
  std::string last_body;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    auto res = client.Get("/api/v1/runs", {{"Authorization", "Bearer " + token}});
    ASSERT_TRUE(res);
    ASSERT_EQ(res->status, 200) << res->body;
    last_body = res->body;
    const json body = json::parse(res->body);
    for (const json& r : body["runs"]) {
      if (r["id"].get<int64_t>() > 1 && r["trigger"] == "schedule" && r["status"] != "running") scheduled = r;
    }
    if (!scheduled.is_null()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  ASSERT_EQ(kill(pid, SIGTERM), 0);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  std::ifstream log_file(err_path);
  const std::string log((std::istreambuf_iterator<char>(log_file)), std::istreambuf_iterator<char>());
  ASSERT_FALSE(scheduled.is_null()) << "no scheduled run within 60 s; GET /api/v1/runs said " << last_body
                                   << "\nthe server said:\n" << log;
  EXPECT_EQ(scheduled["status"], "succeeded") << scheduled.dump() << "\n" << log;
  EXPECT_NE(log.find("schedule: running the pipeline at `* * * * *`"), std::string::npos) << log;
  EXPECT_EQ(log.find("POST /api/v1/runs"), std::string::npos) << log;  // nothing asked for it
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << log;
  // Recorded in the metastore, not only reported by the server.
  auto lh = catalog::Lakehouse::OpenExisting(lakehouse);
  ASSERT_TRUE(lh.has_value());
  auto runs = catalog::ListPipelineRuns(lh->metastore(), "olist", 10);
  ASSERT_TRUE(runs.has_value());
  ASSERT_GE(runs->size(), 2u);
  EXPECT_EQ(runs->front().triggered_by, "schedule");
  EXPECT_EQ(catalog::RunStatusName(runs->front().status), std::string("succeeded"));
}

}  // namespace
}  // namespace pareto::server
