// One writer per lakehouse under stress, through the built binary (env
// PARETO_BINARY, set by ctest) on the Olist models and tests/fixtures/olist-mini:
//  - `pareto run` killed with SIGKILL at seeded random moments, again and again,
//    then run to the end, leaves every table equal (rows and a content hash) to a
//    clean run's, and the next run takes over the dead process's lock;
//  - `vacuum --retain-hours 0 --force` racing `pareto run --full-refresh` is
//    refused (exit 75) while the run writes and every table stays readable.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli/testing/cli_run.h"
#include "cli/testing/json_lines.h"
#include "cli/testing/spawn.h"
#include "common/testing/temp_dir.h"

namespace pareto::cli {
namespace {

namespace fs = std::filesystem;
using ::pareto::testing::TempDir;
using testing::CliRun;
using testing::JsonLines;
using testing::RunBinary;
using testing::Spawn;
using testing::Wait;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), {}};
}

class WriterRaceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    binary_ = cli::testing::BinaryUnderTest();
    if (binary_.empty()) GTEST_SKIP() << "PARETO_BINARY is not set (run through ctest)";
    project_ = std::string(PARETO_SOURCE_DIR) + "/pipelines/olist";
    source_ = std::string(PARETO_SOURCE_DIR) + "/tests/fixtures/olist-mini";
    if (!fs::exists(source_) || !fs::exists(project_ + "/pipeline.yaml")) {
      GTEST_SKIP() << "needs tests/fixtures/olist-mini and pipelines/olist";
    }
  }

  std::vector<std::string> RunArgs(const std::string& lakehouse, bool full_refresh) const {
    std::vector<std::string> args = {"--lakehouse", lakehouse, "--project", project_, "run",
                                     "--source", source_,   "--no-ml",   "--jobs",  "2", "--quiet"};
    if (full_refresh) args.push_back("--full-refresh");
    return args;
  }

  CliRun Pareto(const std::string& lakehouse, std::vector<std::string> args) {
    args.insert(args.begin(), {"--lakehouse", lakehouse, "--project", project_});
    return RunBinary(binary_, args, dir_.path() + "/stderr.txt");
  }

  // table -> {rows, distinct rows, content hash}. Columns that record when or
  // by which run a row was written differ between two correct runs and are left
  // out of the comparison (they are named here, not guessed).
  std::map<std::string, std::string> Contents(const std::string& lakehouse) {
    std::map<std::string, std::string> out;
    CliRun tables = Pareto(lakehouse, {"--json", "tables"});
    EXPECT_EQ(tables.exit_code, 0) << tables.err;
    for (const nlohmann::json& t : JsonLines(tables.out)) {
      const std::string name = t.value("name", "");
      CliRun columns = Pareto(lakehouse, {"--json", "describe", name});
      EXPECT_EQ(columns.exit_code, 0) << name << ": " << columns.err;
      std::string select;
      for (const nlohmann::json& c : nlohmann::json::parse(columns.out, nullptr, false).value("columns", nlohmann::json::array())) {
        const std::string column = c.value("name", "");
        if (kVolatile.contains(column)) continue;
        select += (select.empty() ? "" : ", ") + ("\"" + column + "\"");
      }
      const std::string sql = "SELECT count(*) AS n, (SELECT count(*) FROM (SELECT DISTINCT " + select + " FROM " +
                              name + ")) AS d, sum(hash(" + select + ")) AS h FROM " + name;
      CliRun row = Pareto(lakehouse, {"--json", "sql", sql});
      EXPECT_EQ(row.exit_code, 0) << name << ": " << row.err;
      out[name] = row.out;
    }
    return out;
  }

  inline static const std::set<std::string> kVolatile = {"_ingested_at"};

  TempDir dir_;
  std::string binary_, project_, source_;
};

TEST_F(WriterRaceTest, SigkillAtRandomMomentsThenRerunEqualsACleanRun) {
  const std::string clean = dir_.path() + "/clean";
  ASSERT_EQ(Wait(Spawn(binary_, RunArgs(clean, false))), 0);
  // The killed trials rebuild a lakehouse whose files are already ingested, which is
  // faster than a first run: their moments are drawn from such a rebuild's duration
  // (80% of it), so most kills land while the run is still writing, whatever the load.
  const auto t0 = std::chrono::steady_clock::now();
  ASSERT_EQ(Wait(Spawn(binary_, RunArgs(clean, true))), 0);
  const auto rebuild_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
  const std::map<std::string, std::string> expected = Contents(clean);
  ASSERT_FALSE(expected.empty());

  const std::string killed = dir_.path() + "/killed";
  const std::string lock_path = killed + "/_meta/writer.lock";
  std::mt19937 random(20261130);  // seeded: the same moments every time
  std::uniform_int_distribution<int64_t> moment(0, std::max<int64_t>(rebuild_ms * 4 / 5, 50));
  int kills = 0, takeovers = 0;
  for (int i = 0; i < 20; ++i) {
    // Every trial rebuilds everything, so a kill lands in a write, not a skip.
    const pid_t pid = Spawn(binary_, RunArgs(killed, true));
    ASSERT_GT(pid, 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(moment(random)));
    kill(pid, SIGKILL);
    if (Wait(pid) == 128 + SIGKILL) ++kills;
    // A lock file still naming the dead pid is stale: the next writer takes it over.
    const std::string holder = ReadFile(lock_path);
    if (holder.find("\"pid\":" + std::to_string(pid)) != std::string::npos) {
      // vacuum at the default retention is a writer that deletes nothing this young.
      CliRun next = Pareto(killed, {"vacuum"});
      EXPECT_EQ(next.exit_code, 0) << next.err;
      EXPECT_EQ(ReadFile(lock_path), "") << "released after the takeover";
      ++takeovers;
    }
  }
  std::cout << "killed " << kills << " of 20 runs; " << takeovers << " left a stale lock that was taken over\n";
  EXPECT_GE(kills, 10) << "most runs should still be running when killed";
  CliRun final_run = Pareto(killed, {"run", "--source", source_, "--no-ml", "--jobs", "2"});
  ASSERT_EQ(final_run.exit_code, 0) << final_run.err;
  EXPECT_EQ(Contents(killed), expected);
  // At least one run died holding the lock, and the next writer took it over
  // instead of exiting 75.
  EXPECT_GE(takeovers, 1);
}

TEST_F(WriterRaceTest, VacuumRacingAFullRefreshIsRefusedAndTablesStayReadable) {
  const std::string lakehouse = dir_.path() + "/race";
  ASSERT_EQ(Wait(Spawn(binary_, RunArgs(lakehouse, false))), 0);
  const std::map<std::string, std::string> expected = Contents(lakehouse);
  ASSERT_FALSE(expected.empty());
  std::mt19937 random(7);
  std::uniform_int_distribution<int> moment(0, 400);
  int refused = 0;
  for (int i = 0; i < 20; ++i) {
    std::vector<std::string> args = RunArgs(lakehouse, true);
    // No --source: rebuild from bronze; one branch of the graph keeps 20 trials short.
    args.erase(args.begin() + 5, args.begin() + 7);
    args.insert(args.end(), {"--select", "+gold.gld_daily_revenue"});
    const pid_t run = Spawn(binary_, args);
    ASSERT_GT(run, 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(moment(random)));
    CliRun vacuum = Pareto(lakehouse, {"vacuum", "--retain-hours", "0", "--force"});
    EXPECT_TRUE(vacuum.exit_code == 0 || vacuum.exit_code == 75) << vacuum.exit_code << ": " << vacuum.err;
    if (vacuum.exit_code == 75) {
      ++refused;
      EXPECT_NE(vacuum.err.find("is being written by pid " + std::to_string(run)), std::string::npos) << vacuum.err;
    }
    // Exactly one writer at a time: when vacuum got the lock first, the run is the
    // one refused (75); they are never both refused, and nothing else fails.
    const int run_exit = Wait(run);
    EXPECT_TRUE(run_exit == 0 || (run_exit == 75 && vacuum.exit_code == 0)) << "trial " << i << ": " << run_exit;
    // Every table read in full (each Parquet file opened) by one query.
    std::string sql = "SELECT 0";
    for (const auto& [name, contents] : expected) sql += " + (SELECT count(*) FROM (SELECT DISTINCT * FROM " + name + "))";
    CliRun read = Pareto(lakehouse, {"sql", sql});
    EXPECT_EQ(read.exit_code, 0) << "trial " << i << ": " << read.err;
  }
  std::cout << refused << " of 20 vacuums were refused (75) by a running pipeline\n";
  EXPECT_GE(refused, 1) << "no vacuum met a running pipeline: widen the window";
  CliRun last = Pareto(lakehouse, {"vacuum", "--retain-hours", "0", "--force"});
  EXPECT_EQ(last.exit_code, 0) << last.err;
  EXPECT_EQ(Contents(lakehouse), expected);
}

// Case 18: two `pareto run` started at once on a new lakehouse. One runs; the
// other is refused with the lock message (75) before it reads or writes anything,
// never failed with 65 "has no data yet" by tables the first has not built.
TEST_F(WriterRaceTest, TwoRunsOnANewLakehouseOneRunsTheOtherIsRefused) {
  int refused = 0;
  for (int i = 0; i < 5; ++i) {
    const std::string lakehouse = dir_.path() + "/new" + std::to_string(i);
    const std::vector<std::string> args = RunArgs(lakehouse, false);
    CliRun a, b;
    std::thread first([&] { a = RunBinary(binary_, args, dir_.path() + "/a.txt"); });
    std::thread second([&] { b = RunBinary(binary_, args, dir_.path() + "/b.txt"); });
    first.join();
    second.join();
    // Both finished, one with 0; the other either waited its turn behind the lock
    // (0, nothing left to do) or was refused with the lock message.
    ASSERT_TRUE((a.exit_code == 0 && (b.exit_code == 0 || b.exit_code == 75)) ||
                (b.exit_code == 0 && a.exit_code == 75))
        << "trial " << i << ": " << a.exit_code << " " << a.err << " / " << b.exit_code << " " << b.err;
    for (const CliRun* r : {&a, &b}) {
      EXPECT_EQ(r->err.find("has no data yet"), std::string::npos) << r->err;
      if (r->exit_code == 75) {
        ++refused;
        EXPECT_NE(r->err.find("is being written by"), std::string::npos) << r->err;
      }
    }
    CliRun read = Pareto(lakehouse, {"sql", "SELECT count(*) FROM gold.gld_daily_revenue"});
    EXPECT_EQ(read.exit_code, 0) << "trial " << i << ": " << read.err;
  }
  std::cout << refused << " of 5 second runs were refused (75) by the first\n";
}

}  // namespace
}  // namespace pareto::cli
