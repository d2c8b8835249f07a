// Incremental runs end to end, through the built binary (env PARETO_BINARY, set
// by ctest) on the Olist models and generated data (scale 0.05):
//   base files + run; a month's drop + run (the silver models declared
//   `incremental:` are merged, not rebuilt); a drop correcting old orders and
//   reviews (a changed status, a review's new score, an order and a review whose
//   new version the expectations drop) + run;
// then every table equals, table by table (rows, distinct rows, a content hash),
// the tables of a fresh lakehouse given all the files at once, and no merged
// table holds a key twice. Killing that run at random moments and running again
// gives the same tables.
#include <signal.h>

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
#include "delta/validate.h"

namespace pareto::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using ::pareto::testing::TempDir;
using testing::CliRun;
using testing::JsonLines;
using testing::RunBinary;
using testing::Spawn;
using testing::Wait;

std::vector<std::string> Lines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> out;
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

std::vector<std::string> Split(const std::string& line) {
  std::vector<std::string> out;
  std::stringstream in(line);
  for (std::string cell; std::getline(in, cell, ',');) out.push_back(cell);
  if (!line.empty() && line.back() == ',') out.emplace_back();
  return out;
}

std::string Join(const std::vector<std::string>& cells) {
  std::string out;
  for (size_t i = 0; i < cells.size(); ++i) out += (i ? "," : "") + cells[i];
  return out;
}

void Write(const std::string& path, const std::vector<std::string>& lines) {
  std::ofstream out(path);
  for (const std::string& l : lines) out << l << "\n";
}

class IncrementalRunTest : public ::testing::Test {
 protected:
  void SetUp() override {
    binary_ = cli::testing::BinaryUnderTest();
    if (binary_.empty()) GTEST_SKIP() << "PARETO_BINARY is not set (run through ctest)";
    project_ = std::string(PARETO_SOURCE_DIR) + "/pipelines/olist";
  }

  CliRun Pareto(std::vector<std::string> args, const std::string& lakehouse = "") {
    if (!lakehouse.empty()) args.insert(args.begin(), {"--lakehouse", lakehouse, "--project", project_});
    return RunBinary(binary_, args, dir_.path() + "/stderr.txt");
  }

  // The run's report (pareto --json run), tasks by name.
  std::map<std::string, json> Run(const std::string& lakehouse, const std::string& source) {
    CliRun run = Pareto({"--json", "run", "--source", source, "--no-ml", "--jobs", "2", "--quiet"}, lakehouse);
    EXPECT_EQ(run.exit_code, 0) << run.err << run.out;
    std::map<std::string, json> tasks;
    const json report = json::parse(run.out, nullptr, false);
    for (const json& t : report.value("tasks", json::array())) tasks[t.value("task", "")] = t;
    return tasks;
  }

  json Scalar(const std::string& lakehouse, const std::string& sql) {
    CliRun r = Pareto({"--json", "sql", sql}, lakehouse);
    EXPECT_EQ(r.exit_code, 0) << sql << ": " << r.err;
    auto rows = JsonLines(r.out);
    return rows.empty() ? json() : rows.front();
  }

  // table -> {rows, distinct rows, content hash}, as writer_race_test compares;
  // _ingested_at (when a row was ingested) differs between two correct lakehouses.
  std::map<std::string, std::string> Contents(const std::string& lakehouse) {
    std::map<std::string, std::string> out;
    CliRun tables = Pareto({"--json", "tables"}, lakehouse);
    EXPECT_EQ(tables.exit_code, 0) << tables.err;
    for (const json& t : JsonLines(tables.out)) {
      const std::string name = t.value("name", "");
      CliRun columns = Pareto({"--json", "describe", name}, lakehouse);
      std::string select;
      for (const json& c : json::parse(columns.out, nullptr, false).value("columns", json::array())) {
        const std::string column = c.value("name", "");
        if (column == "_ingested_at") continue;
        select += (select.empty() ? "" : ", ") + ("\"" + column + "\"");
      }
      out[name] = Scalar(lakehouse, "SELECT count(*) AS n, (SELECT count(*) FROM (SELECT DISTINCT " + select +
                                        " FROM " + name + ")) AS d, sum(hash(" + select + "))::VARCHAR AS h FROM " + name)
                      .dump();
    }
    return out;
  }

  // The corrections of old orders and reviews a shop sends later, written as a
  // new drop: `n` orders change status, one order loses its purchase time (its
  // new version is dropped by an expectation), a review gets a new score and one
  // an impossible score (dropped).
  void WriteCorrections(const std::string& base, const std::string& out, int n) {
    std::vector<std::string> orders = Lines(base + "/olist_orders_dataset.csv");
    ASSERT_GT(orders.size(), static_cast<size_t>(n + 2));
    std::vector<std::string> changed = {orders[0]};
    for (int i = 1; i <= n; ++i) {
      std::vector<std::string> cells = Split(orders[i]);
      ASSERT_EQ(cells.size(), 8u) << orders[i];
      cells[2] = cells[2] == "delivered" ? "canceled" : "delivered";
      changed.push_back(Join(cells));
    }
    std::vector<std::string> lost = Split(orders[n + 1]);
    lost[3] = "";
    changed.push_back(Join(lost));
    Write(out + "/olist_orders_dataset_updates_2018-10.csv", changed);
    corrected_orders_ = n + 1;

    std::vector<std::string> reviews = Lines(base + "/olist_order_reviews_dataset.csv");
    std::vector<std::string> rescored = {reviews[0]};
    for (size_t i = 1; i < reviews.size() && rescored.size() < 3; ++i) {
      std::vector<std::string> cells = Split(reviews[i]);
      // A one-line review without quotes or commas in its text.
      if (cells.size() != 7 || reviews[i].find('"') != std::string::npos || cells[2].size() != 1) continue;
      cells[2] = rescored.size() == 1 ? std::to_string(cells[2][0] == '5' ? 1 : 5) : "9";
      rescored.push_back(Join(cells));
    }
    ASSERT_EQ(rescored.size(), 3u);
    Write(out + "/olist_order_reviews_dataset_updates_2018-10.csv", rescored);
  }

  // Generated base files (scale 0.05, seed 7), the month 2018-09, and corrections.
  void GenerateDrops(const std::string& base, const std::string& month, const std::string& fix) {
    for (const auto& [out, extra] : std::vector<std::pair<std::string, std::vector<std::string>>>{
             {base, {}}, {month, {"--start", "2018-09", "--months", "1"}}}) {
      std::vector<std::string> args = {"generate", "--scale", "0.05", "--seed", "7", "--out", out};
      args.insert(args.end(), extra.begin(), extra.end());
      CliRun gen = Pareto(args);
      ASSERT_EQ(gen.exit_code, 0) << gen.err;
    }
    fs::create_directories(fix);
    WriteCorrections(base, fix, 20);
  }

  // Every silver and gold table's rows and content hash, in one query.
  std::string Digest(const std::string& lakehouse) {
    CliRun tables = Pareto({"--json", "tables"}, lakehouse);
    EXPECT_EQ(tables.exit_code, 0) << tables.err;
    std::string sql;
    for (const json& t : JsonLines(tables.out)) {
      if (t.value("schema", "") == "bronze") continue;
      const std::string name = t.value("name", "");
      sql += (sql.empty() ? "" : " UNION ALL ") + ("SELECT '" + name + "' AS t, count(*) AS n, sum(hash(x))::VARCHAR AS h FROM " +
                                                  name + " AS x");
    }
    CliRun digest = Pareto({"--json", "sql", "SELECT * FROM (" + sql + ") ORDER BY t"}, lakehouse);
    EXPECT_EQ(digest.exit_code, 0) << digest.err;
    return digest.out;
  }

  TempDir dir_;
  std::string binary_, project_;
  int corrected_orders_ = 0;
};

TEST_F(IncrementalRunTest, MonthAndCorrectionDropsMergeAndEqualAFullBuildOfAllFiles) {
  const std::string base = dir_.path() + "/base", month = dir_.path() + "/month", fix = dir_.path() + "/fix";
  GenerateDrops(base, month, fix);
  if (HasFailure()) return;

  // The lakehouse that takes the drops one after the other.
  const std::string source = dir_.path() + "/source", inc = dir_.path() + "/inc";
  fs::create_directories(source);
  auto drop = [&](const std::string& from) {
    for (const auto& f : fs::directory_iterator(from)) fs::copy_file(f.path(), source + "/" + f.path().filename().string());
  };
  drop(base);
  auto first = Run(inc, source);
  EXPECT_EQ(first["silver.slv_orders"].value("state", ""), "built");
  EXPECT_NE(first["silver.slv_orders"].value("message", "").find("full rebuild: first build"), std::string::npos)
      << first["silver.slv_orders"].dump();

  drop(month);
  auto monthly = Run(inc, source);
  const std::vector<std::string> merged = {"silver.slv_orders", "silver.slv_customers", "silver.slv_order_items",
                                           "silver.slv_payments", "silver.slv_reviews"};
  for (const std::string& m : merged) {
    const std::string message = monthly[m].value("message", "");
    EXPECT_EQ(monthly[m].value("state", ""), "built") << m;
    EXPECT_TRUE(message.starts_with("merged 1 new file")) << m << ": " << message;
    EXPECT_NE(message.find(" 0 updated"), std::string::npos) << m << ": a month holds new keys only: " << message;
  }
  // Sellers got no new file: up to date. Products and geolocation are not incremental.
  EXPECT_EQ(monthly["silver.slv_sellers"].value("state", ""), "up to date");
  EXPECT_EQ(monthly["silver.slv_order_fact"].value("state", ""), "built");
  // Rows in: the month's rows, not the whole bronze table.
  const int64_t month_orders = static_cast<int64_t>(Lines(month + "/olist_orders_dataset_2018-09.csv").size()) - 1;
  EXPECT_EQ(monthly["silver.slv_orders"].value("rows_read", int64_t{-1}), month_orders);

  drop(fix);
  auto corrected = Run(inc, source);
  const std::string orders = corrected["silver.slv_orders"].value("message", "");
  EXPECT_TRUE(orders.starts_with("merged 1 new file")) << orders;
  EXPECT_NE(orders.find(" " + std::to_string(corrected_orders_ - 1) + " updated, 1 deleted"), std::string::npos) << orders;
  const std::string reviews = corrected["silver.slv_reviews"].value("message", "");
  EXPECT_NE(reviews.find(" 1 updated, 1 deleted"), std::string::npos) << reviews;
  EXPECT_EQ(corrected["silver.slv_payments"].value("state", ""), "up to date");

  // The merge commit rewrote files (remove actions) and the logs stay valid.
  const std::string orders_table = inc + "/olist/silver/slv_orders";
  bool removes = false;
  for (const auto& f : fs::directory_iterator(orders_table + "/_delta_log")) {
    std::ifstream in(f.path());
    const std::string text{std::istreambuf_iterator<char>(in), {}};
    if (text.find("\"operation\":\"MERGE\"") != std::string::npos && text.find("{\"remove\"") != std::string::npos) {
      removes = true;
    }
  }
  EXPECT_TRUE(removes) << "a merge of corrected orders removes the files that held them";
  for (const std::string& m : merged) {
    const std::string root = inc + "/olist/silver/" + m.substr(m.find('.') + 1);
    EXPECT_TRUE(delta::ValidateLog(root).ok()) << delta::ValidateLog(root).ToString();
  }
  // No key twice.
  const std::map<std::string, std::string> keys = {{"silver.slv_orders", "order_id"},
                                                   {"silver.slv_customers", "customer_id"},
                                                   {"silver.slv_order_items", "order_id, order_item_id"},
                                                   {"silver.slv_payments", "order_id, payment_sequential"},
                                                   {"silver.slv_reviews", "review_id, order_id"},
                                                   {"silver.slv_sellers", "seller_id"}};
  for (const auto& [table, key] : keys) {
    json dup = Scalar(inc, "SELECT count(*) - (SELECT count(*) FROM (SELECT DISTINCT " + key + " FROM " + table +
                               ")) AS d FROM " + table);
    EXPECT_EQ(dup.value("d", int64_t{-1}), 0) << table;
  }

  // A fresh lakehouse given every file at once, built in full.
  const std::string fresh = dir_.path() + "/fresh";
  auto all = Run(fresh, source);
  EXPECT_NE(all["silver.slv_orders"].value("message", "").find("full rebuild: first build"), std::string::npos);
  const auto expected = Contents(fresh);
  const auto actual = Contents(inc);
  ASSERT_FALSE(expected.empty());
  EXPECT_EQ(actual.size(), expected.size());
  for (const auto& [table, content] : expected) {
    EXPECT_EQ(actual.contains(table) ? actual.at(table) : "(missing)", content) << table;
  }
  // The corrections are in: the changed statuses, not the base's.
  json dropped = Scalar(inc, "SELECT count(*) AS n FROM silver.slv_orders WHERE purchase_ts IS NULL");
  EXPECT_EQ(dropped.value("n", int64_t{-1}), 0);
}

// SIGKILL at seeded random moments of the run that takes the month and the
// corrections (merges in flight), each time on a copy of the lakehouse built
// from the base files; the next run then ends with every silver and gold table
// equal to a fresh full build's.
TEST_F(IncrementalRunTest, AKilledIncrementalRunThenRerunEqualsAFullBuild) {
  const std::string base = dir_.path() + "/base", month = dir_.path() + "/month", fix = dir_.path() + "/fix";
  GenerateDrops(base, month, fix);
  if (HasFailure()) return;
  const std::string all = dir_.path() + "/all";
  fs::create_directories(all);
  for (const std::string& from : {base, month, fix}) {
    for (const auto& f : fs::directory_iterator(from)) fs::copy_file(f.path(), all + "/" + f.path().filename().string());
  }
  const std::string built = dir_.path() + "/built";
  Run(built, base);
  Run(dir_.path() + "/fresh", all);
  const std::string expected = Digest(dir_.path() + "/fresh");
  ASSERT_NE(expected.find("slv_orders"), std::string::npos) << expected;

  auto args = [&](const std::string& lakehouse) {
    return std::vector<std::string>{"--lakehouse", lakehouse, "--project", project_, "run", "--source", all,
                                    "--no-ml",     "--jobs",  "2",       "--quiet"};
  };
  const std::string clean = dir_.path() + "/clean";
  fs::copy(built, clean, fs::copy_options::recursive);
  const auto t0 = std::chrono::steady_clock::now();
  ASSERT_EQ(Wait(Spawn(binary_, args(clean))), 0);
  const int64_t run_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_EQ(Digest(clean), expected);

  std::mt19937 random(20261130);  // seeded: the same moments every time
  std::uniform_int_distribution<int64_t> moment(0, std::max<int64_t>(run_ms, 50));
  int kills = 0;
  for (int i = 0; i < 8; ++i) {
    const std::string killed = dir_.path() + "/killed" + std::to_string(i);
    fs::copy(built, killed, fs::copy_options::recursive);
    const pid_t pid = Spawn(binary_, args(killed));
    ASSERT_GT(pid, 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(moment(random)));
    kill(pid, SIGKILL);
    if (Wait(pid) == 128 + SIGKILL) ++kills;
    ASSERT_EQ(Wait(Spawn(binary_, args(killed))), 0) << "trial " << i;
    EXPECT_EQ(Digest(killed), expected) << "trial " << i;
    fs::remove_all(killed);
  }
  std::cout << "killed " << kills << " of 8 incremental runs (a run takes " << run_ms << " ms)\n";
  EXPECT_GE(kills, 4) << "most runs should still be running when killed";
}

}  // namespace
}  // namespace pareto::cli
