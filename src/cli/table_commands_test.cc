// Behaviour of the table commands through the built `pareto` binary (env
// PARETO_BINARY, set by ctest): output, --json and exit codes.
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "catalog/lakehouse.h"
#include "catalog/writer_lock.h"
#include "cli/testing/cli_run.h"
#include "cli/testing/json_lines.h"
#include "cli/testing/publish_tables.h"
#include "common/testing/temp_dir.h"

namespace pareto::cli {
namespace {

using ::pareto::testing::TempDir;

using testing::CliRun;
using testing::JsonLines;
using testing::RunBinary;

class TableCommandsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    binary_ = testing::BinaryUnderTest();
    if (binary_.empty()) GTEST_SKIP() << "PARETO_BINARY is not set to a built pareto (run through ctest)";
    lakehouse_ = dir_.path() + "/lakehouse";
    catalog::PublishRequest write{.name = {"olist", "bronze", "brz_orders"},
                                  .select_sql = "SELECT * FROM (VALUES (1, 'a'), (2, 'b')) v(id, name)",
                                  .mode = catalog::WriteMode::kAppend,
                                  .comment = "raw orders",
                                  .owner = "ops"};
    catalog::PublishRequest more = write;
    more.select_sql = "SELECT 3 AS id, 'c' AS name";
    const Status published = testing::PublishTables(lakehouse_, {write, more});
    ASSERT_TRUE(published.ok()) << published.ToString();
  }

  CliRun Pareto(const std::vector<std::string>& args, bool with_lakehouse = true) {
    std::vector<std::string> full;
    if (with_lakehouse) full = {"--lakehouse", lakehouse_};
    full.insert(full.end(), args.begin(), args.end());
    return RunBinary(binary_, full, dir_.path() + "/stderr.txt");
  }

  TempDir dir_;
  std::string binary_;
  std::string lakehouse_;
};

TEST_F(TableCommandsTest, TablesListsRegisteredTables) {
  CliRun text = Pareto({"tables"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("olist.bronze.brz_orders"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("(1 row)"), std::string::npos) << text.out;

  CliRun json = Pareto({"--json", "tables", "--schema", "bronze"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  auto rows = JsonLines(json.out);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0]["name"], "olist.bronze.brz_orders");
  EXPECT_EQ(rows[0]["delta_version"], 1);
  EXPECT_EQ(rows[0]["comment"], "raw orders");
  EXPECT_TRUE(JsonLines(Pareto({"tables", "--schema", "gold", "--json"}).out).empty());
}

TEST_F(TableCommandsTest, DescribeShowsColumnsAndCounts) {
  CliRun run = Pareto({"describe", "brz_orders", "--json"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  auto rows = JsonLines(run.out);
  ASSERT_EQ(rows.size(), 1u);
  const auto& d = rows[0];
  EXPECT_EQ(d["name"], "olist.bronze.brz_orders");
  EXPECT_EQ(d["rows"], 3);
  EXPECT_EQ(d["files"], 2);
  EXPECT_EQ(d["version"], 1);
  EXPECT_EQ(d["owner"], "ops");
  ASSERT_EQ(d["columns"].size(), 2u);
  EXPECT_EQ(d["columns"][0]["name"], "id");
  EXPECT_EQ(d["columns"][1]["name"], "name");
  EXPECT_EQ(d["columns"][1]["type"], "string");

  CliRun text = Pareto({"describe", "bronze.brz_orders"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("raw orders"), std::string::npos);
}

TEST_F(TableCommandsTest, UnknownTableIsOneActionableLineAndExit66) {
  CliRun run = Pareto({"describe", "olist.bronze.brz_x"});
  EXPECT_EQ(run.exit_code, 66);
  EXPECT_EQ(run.err, "pareto: table olist.bronze.brz_x not found; `pareto tables` lists them\n");
  EXPECT_TRUE(run.out.empty());
  EXPECT_EQ(Pareto({"history", "nope"}).exit_code, 66);
  EXPECT_EQ(Pareto({"tables"}, /*with_lakehouse=*/false).exit_code, 66);  // ./lakehouse does not exist here
}

TEST_F(TableCommandsTest, SqlPrintsRowsAndRefusesEscapes) {
  CliRun json = Pareto({"--json", "sql", "SELECT id, name, id * 1.5 AS x FROM brz_orders ORDER BY id"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  auto rows = JsonLines(json.out);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0]["id"], 1);
  EXPECT_EQ(rows[2]["name"], "c");
  EXPECT_DOUBLE_EQ(rows[2]["x"].get<double>(), 4.5);
  EXPECT_EQ(rows[0].begin().key(), "id");  // column order kept

  // Nested values print as JSON arrays and objects (as DuckDB's text in a table).
  CliRun nested = Pareto({"--json", "sql", "SELECT [1, 2] AS l, {'a': 'x'} AS s;"});
  ASSERT_EQ(nested.exit_code, 0) << nested.err;
  EXPECT_EQ(nested.out, "{\"l\":[1,2],\"s\":{\"a\":\"x\"}}\n");

  CliRun travel = Pareto({"sql", "SELECT count(*) AS n FROM olist.bronze.brz_orders VERSION AS OF 0"});
  ASSERT_EQ(travel.exit_code, 0) << travel.err;
  EXPECT_NE(travel.out.find("n\n-\n2\n(1 row)"), std::string::npos) << travel.out;

  CliRun passwd = Pareto({"sql", "SELECT * FROM read_csv('/etc/passwd')"});
  EXPECT_EQ(passwd.exit_code, 64);
  EXPECT_NE(passwd.err.find("read_csv() reads files"), std::string::npos) << passwd.err;
  EXPECT_EQ(std::count(passwd.err.begin(), passwd.err.end(), '\n'), 1) << passwd.err;  // one line
  EXPECT_EQ(Pareto({"sql", "CREATE TABLE t AS SELECT 1"}).exit_code, 64);
  EXPECT_EQ(Pareto({"sql", "SELECT * FROM brz_missing"}).exit_code, 64);
}

// Every DuckDB type prints, in text and JSON; numbers keep every digit; timestamps are
// ISO 8601 with their offset; a NUL byte shows as \0 instead of ending the value.
TEST_F(TableCommandsTest, SqlPrintsEveryTypeExactly) {
  const std::string query =
      "SELECT uuid() h, TIME '10:00' i, TIMESTAMPTZ '2018-01-01 10:00:00+05' t, 'deli' || chr(0) || 'vered' s, "
      "-9999999999.9999999999::DECIMAL(20,10) d, 0.123456789012345678901234567890123456::DECIMAL(38,36) e, "
      "'a'::ENUM('a', 'b') en, '1010'::BIT b, TIMESTAMP_NS '2020-01-01 00:00:00.123456789' ns, INTERVAL 3 DAY iv, "
      "[1, 2] l, {'a': 1} st, 170141183460469231731687303715884105727::HUGEINT hu, 'inf'::DOUBLE inf, "
      "TIMESTAMP '2020-01-01 10:00:00' ts, [5::DECIMAL(4,0), NULL] ld, "
      "{'t': TIMESTAMPTZ '2018-01-01 10:00:00+05', 'm': MAP {'k': -9999999999.9999999999::DECIMAL(20,10)}} sn";
  CliRun json = Pareto({"--json", "sql", query});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  // Exact digits are checked on the raw line: a JSON library would parse them into doubles.
  for (const char* exact : {"\"d\":-9999999999.9999999999,", "\"e\":0.123456789012345678901234567890123456,",
                            "\"hu\":170141183460469231731687303715884105727,", "\"t\":\"2018-01-01T05:00:00+00:00\"",
                            "\"s\":\"deli\\u0000vered\"", "\"ns\":\"2020-01-01T00:00:00.123456789\"",
                            "\"ts\":\"2020-01-01T10:00:00\"", "\"inf\":\"inf\"", "\"en\":\"a\"", "\"b\":\"1010\"",
                            "\"i\":\"10:00:00\"", "\"iv\":\"3 days\"", "\"ld\":[5,null]",
                            "\"sn\":{\"t\":\"2018-01-01T05:00:00+00:00\",\"m\":{\"k\":-9999999999.9999999999}}"}) {
    EXPECT_NE(json.out.find(exact), std::string::npos) << exact << " in " << json.out;
  }
  auto row = JsonLines(json.out).at(0);
  EXPECT_EQ(row["h"].get<std::string>().size(), 36u);
  EXPECT_EQ(row["s"].get<std::string>(), std::string("deli\0vered", 10));

  CliRun text = Pareto({"sql", query});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  for (const char* cell : {"2018-01-01 05:00:00+00", "deli\\0vered", "-9999999999.9999999999", "10:00:00", "1010",
                           "2020-01-01 00:00:00.123456789", "[1, 2]", "{'a': 1}", "3 days"}) {
    EXPECT_NE(text.out.find(cell), std::string::npos) << cell << " in " << text.out;
  }
}

TEST_F(TableCommandsTest, SqlStopsAtItsLimitsAndSaysSo) {
  // A cross join that would run for minutes stops at the time limit, with exit 69.
  CliRun slow = Pareto({"sql", "--timeout", "1",
                        "SELECT count(*) FROM range(1000000) a, range(1000000) b WHERE a.range + b.range = 7"});
  EXPECT_EQ(slow.exit_code, 69) << slow.out << slow.err;
  EXPECT_NE(slow.err.find("time limit of 1 s"), std::string::npos) << slow.err;
  // A result past the row cap is cut, and stderr says so; stdout stays parseable rows.
  CliRun many = Pareto({"--json", "sql", "--max-rows", "5", "SELECT * FROM range(50000000)"});
  ASSERT_EQ(many.exit_code, 0) << many.err;
  EXPECT_EQ(JsonLines(many.out).size(), 5u);
  EXPECT_NE(many.err.find("truncated"), std::string::npos) << many.err;
  CliRun all = Pareto({"--json", "sql", "--max-rows", "5", "SELECT * FROM range(5)"});
  EXPECT_EQ(all.err.find("truncated"), std::string::npos) << all.err;
  // Past the memory limit: a clean error naming the flags, not an abort.
  CliRun big = Pareto({"sql", "--memory-limit", "64MB", "SELECT list(range) FROM range(100000000)"});
  EXPECT_EQ(big.exit_code, 69) << big.err;
  EXPECT_NE(big.err.find("--memory-limit"), std::string::npos) << big.err;
  EXPECT_EQ(Pareto({"sql", "--timeout", "0", "SELECT 1"}).exit_code, 64);
}

// Delta's golden tables read exactly: the values below are the ones Delta's own
// generator wrote (GoldenTables.scala), not ones taken from this reader.
TEST_F(TableCommandsTest, ReadGivesGoldenTablesExactly) {
  const std::string golden = std::string(PARETO_SHARED_DIR) + "/delta-golden";
  if (!std::filesystem::exists(golden + "/EXPECTED.md")) GTEST_SKIP() << "no " << golden;
  CliRun decimals = Pareto({"read", golden + "/basic-decimal-table", "--json"}, false);
  ASSERT_EQ(decimals.exit_code, 0) << decimals.err;
  for (const char* exact : {"\"col3\":-9999999999.9999999999", "\"col3\":3333333333.3333333333",
                            "\"part\":2342222.23454", "\"col1\":-999.99", "\"col2\":-99999.99999"}) {
    EXPECT_NE(decimals.out.find(exact), std::string::npos) << exact << " in " << decimals.out;
  }
  // decimal(38,36): every one of the 36 fractional digits is written.
  CliRun wide = Pareto({"read", golden + "/decimal-various-scale-precision", "--json"}, false);
  ASSERT_EQ(wide.exit_code, 0) << wide.err;
  size_t checked = 0;
  for (size_t at = wide.out.find("\"decimal_38_36\":"); at != std::string::npos;
       at = wide.out.find("\"decimal_38_36\":", at + 1)) {
    const size_t begin = at + std::string("\"decimal_38_36\":").size();
    const std::string value = wide.out.substr(begin, wide.out.find_first_of(",}", begin) - begin);
    if (value == "null") continue;
    EXPECT_EQ(value.size() - value.find('.') - 1, 36u) << value;
    ++checked;
  }
  EXPECT_GT(checked, 0u);
  // A timestamp is an instant, printed with its offset: 2020-01-01 08:09:10 in UTC.
  CliRun times = Pareto({"read", golden + "/data-reader-date-types-UTC", "--json"}, false);
  ASSERT_EQ(times.exit_code, 0) << times.err;
  EXPECT_NE(times.out.find("\"timestamp\":\"2020-01-01T08:09:10+00:00\""), std::string::npos) << times.out;
  // Nested values are JSON objects and arrays, not text.
  CliRun nested = Pareto({"read", golden + "/data-reader-nested-struct", "--json", "--limit", "2"}, false);
  ASSERT_EQ(nested.exit_code, 0) << nested.err;
  EXPECT_EQ(JsonLines(nested.out).at(1)["a"]["ac"]["acb"], 1) << nested.out;
  CliRun map = Pareto({"read", golden + "/hive/deltatbl-map-types-correctly", "--json"}, false);
  ASSERT_EQ(map.exit_code, 0) << map.err;
  const nlohmann::json row = JsonLines(map.out).at(0);
  EXPECT_EQ(row["c13"], nlohmann::json::parse(R"(["foo","bar"])"));
  EXPECT_EQ(row["c14"]["foo"], 123);
  EXPECT_EQ(row["c15"]["f2"], 456);
  EXPECT_NE(map.out.find("\"c12\":12345.678900000000794535"), std::string::npos) << map.out;
  // Inside maps, lists and structs values are exact too: the generator's row i of
  // data-reader-map is Map(i -> i), Map(i.toLong -> i.toByte), Map(i.toShort -> i % 2 == 0),
  // Map(i.toFloat -> i.toDouble), Map(i.toString -> BigDecimal(i)), Map(i -> [Row(i) x3]),
  // and a decimal(1,0) is an integer, never 3.0.
  CliRun maps = Pareto({"read", golden + "/data-reader-map", "--json"}, false);
  ASSERT_EQ(maps.exit_code, 0) << maps.err;
  EXPECT_NE(maps.out.find("{\"i\":3,\"a\":{\"3\":3},\"b\":{\"3\":3},\"c\":{\"3\":false},\"d\":{\"3.0\":3.0},"
                          "\"e\":{\"3\":3},\"f\":{\"3\":[{\"val\":3},{\"val\":3},{\"val\":3}]}}\n"),
            std::string::npos)
      << maps.out;
  CliRun arrays = Pareto({"read", golden + "/data-reader-array-primitives", "--json"}, false);
  ASSERT_EQ(arrays.exit_code, 0) << arrays.err;
  EXPECT_NE(arrays.out.find("{\"as_array_int\":[4],\"as_array_long\":[4],\"as_array_byte\":[4],\"as_array_short\":[4],"
                            "\"as_array_boolean\":[true],\"as_array_float\":[4.0],\"as_array_double\":[4.0],"
                            "\"as_array_string\":[\"4\"],\"as_array_binary\":[\"\\\\x04\\\\x04\"],"
                            "\"as_array_big_decimal\":[4]}\n"),
            std::string::npos)
      << arrays.out;
  // read has sql's row cap: cut rows are announced on stderr.
  CliRun capped = Pareto({"read", golden + "/basic-decimal-table", "--max-rows", "2", "--json"}, false);
  ASSERT_EQ(capped.exit_code, 0) << capped.err;
  EXPECT_EQ(JsonLines(capped.out).size(), 2u);
  EXPECT_NE(capped.err.find("truncated"), std::string::npos) << capped.err;
}

TEST_F(TableCommandsTest, HistoryRestoreAndVacuum) {
  auto history = JsonLines(Pareto({"history", "brz_orders", "--json"}).out);
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[0]["version"], 1);  // newest first

  CliRun restore = Pareto({"restore", "brz_orders", "--version", "0"});
  ASSERT_EQ(restore.exit_code, 0) << restore.err;
  EXPECT_NE(restore.out.find("as version 2"), std::string::npos) << restore.out;
  auto tables = JsonLines(Pareto({"tables", "--json"}).out);
  ASSERT_EQ(tables.size(), 1u);
  EXPECT_EQ(tables[0]["delta_version"], 2);
  EXPECT_EQ(JsonLines(Pareto({"sql", "--json", "SELECT count(*) AS n FROM brz_orders"}).out)[0]["n"], 2);

  // With zero retention the file only version 1 used is garbage; a dry run keeps it.
  CliRun dry = Pareto({"vacuum", "brz_orders", "--retain-hours", "0", "--dry-run", "--json"});
  ASSERT_EQ(dry.exit_code, 0) << dry.err;
  auto planned = JsonLines(dry.out);
  ASSERT_EQ(planned.size(), 1u);
  EXPECT_EQ(planned[0]["files"], 1);
  EXPECT_EQ(JsonLines(Pareto({"read", lakehouse_ + "/olist/bronze/brz_orders", "--version", "1", "--json"}).out).size(),
            3u);
  // Below Delta's 7-day guard vacuum refuses, saying why, and deletes nothing.
  CliRun guarded = Pareto({"vacuum", "--retain-hours", "0", "--json"});
  EXPECT_EQ(guarded.exit_code, 64);
  EXPECT_NE(guarded.err.find("below the minimum of 168 hours"), std::string::npos) << guarded.err;
  EXPECT_NE(guarded.err.find("--force"), std::string::npos) << guarded.err;
  EXPECT_EQ(JsonLines(Pareto({"read", lakehouse_ + "/olist/bronze/brz_orders", "--version", "1", "--json"}).out).size(),
            3u);
  CliRun vacuum = Pareto({"vacuum", "--retain-hours", "0", "--force", "--json"});
  ASSERT_EQ(vacuum.exit_code, 0) << vacuum.err;
  EXPECT_EQ(JsonLines(vacuum.out)[0]["files"], 1);
  EXPECT_EQ(JsonLines(Pareto({"sql", "--json", "SELECT count(*) AS n FROM brz_orders"}).out)[0]["n"], 2);
  EXPECT_EQ(Pareto({"vacuum", "--retain-hours", "-1"}).exit_code, 64);
}

// restore and vacuum write (a commit, deleted files): while another writer holds
// the lakehouse they exit 75 naming it and change nothing; readers and a dry run
// never wait.
TEST_F(TableCommandsTest, WritersWaitForTheLockReadersDoNot) {
  auto held = catalog::WriterLock::Acquire(lakehouse_, 1'700'000'000'000);
  ASSERT_TRUE(held.has_value()) << held.error().ToString();
  ASSERT_TRUE(held->SetRun(9).ok());
  const std::string holder = "is being written by pid " + std::to_string(getpid());

  CliRun restore = Pareto({"restore", "brz_orders", "--version", "0"});
  EXPECT_EQ(restore.exit_code, 75) << restore.err;
  EXPECT_NE(restore.err.find(holder), std::string::npos) << restore.err;
  EXPECT_NE(restore.err.find("run 9"), std::string::npos) << restore.err;
  CliRun vacuum = Pareto({"vacuum", "--retain-hours", "0", "--force"});
  EXPECT_EQ(vacuum.exit_code, 75) << vacuum.err;
  EXPECT_NE(vacuum.err.find(holder), std::string::npos) << vacuum.err;
  CliRun promote = Pareto({"models", "promote", "1"});  // writes the model registry
  EXPECT_EQ(promote.exit_code, 75) << promote.err;
  EXPECT_NE(promote.err.find(holder), std::string::npos) << promote.err;

  CliRun dry = Pareto({"vacuum", "--retain-hours", "0", "--dry-run", "--json"});
  EXPECT_EQ(dry.exit_code, 0) << dry.err;
  CliRun read = Pareto({"sql", "--json", "SELECT count(*) AS n FROM brz_orders"});
  ASSERT_EQ(read.exit_code, 0) << read.err;
  EXPECT_EQ(JsonLines(read.out)[0]["n"], 3);
  EXPECT_EQ(JsonLines(Pareto({"tables", "--json"}).out)[0]["delta_version"], 1);  // no restore commit

  held = std::unexpected(Status(StatusCode::kInternal, "released"));  // the holder ends
  EXPECT_EQ(Pareto({"restore", "brz_orders", "--version", "0"}).exit_code, 0);
}

TEST_F(TableCommandsTest, ReadAnyDeltaFolderWithoutMetastore) {
  const std::string path = lakehouse_ + "/olist/bronze/brz_orders";
  CliRun latest = Pareto({"read", path, "--json"}, /*with_lakehouse=*/false);
  ASSERT_EQ(latest.exit_code, 0) << latest.err;
  EXPECT_EQ(JsonLines(latest.out).size(), 3u);
  CliRun v0 = Pareto({"read", path, "--version", "0"}, false);
  ASSERT_EQ(v0.exit_code, 0) << v0.err;
  EXPECT_NE(v0.out.find("(2 rows)"), std::string::npos) << v0.out;
  EXPECT_EQ(JsonLines(Pareto({"read", path, "--limit", "1", "--json"}, false).out).size(), 1u);
  CliRun missing = Pareto({"read", dir_.path() + "/nothing"}, false);
  EXPECT_EQ(missing.exit_code, 66);
  EXPECT_NE(missing.err.find("is not a Delta table"), std::string::npos) << missing.err;
}

// Global options are accepted before the command or after it (at any depth), as people type them.
TEST_F(TableCommandsTest, GlobalOptionsAfterAnySubcommand) {
  CliRun after = Pareto({"describe", "brz_orders", "--lakehouse", lakehouse_, "--json"}, /*with_lakehouse=*/false);
  ASSERT_EQ(after.exit_code, 0) << after.err;
  EXPECT_EQ(JsonLines(after.out)[0]["name"], "olist.bronze.brz_orders");
  CliRun before = Pareto({"--json", "tables"});
  ASSERT_EQ(before.exit_code, 0) << before.err;
  EXPECT_EQ(JsonLines(before.out).size(), 1u);
  // A nested command: no model is registered, so not found (66) rather than a usage error (64).
  CliRun nested = Pareto({"models", "show", "1", "--lakehouse", lakehouse_, "--json"}, /*with_lakehouse=*/false);
  EXPECT_EQ(nested.exit_code, 66) << nested.err;
  CliRun nested_before = Pareto({"models", "show", "1"});
  EXPECT_EQ(nested_before.exit_code, 66) << nested_before.err;
}

TEST_F(TableCommandsTest, HelpAndUsageErrors) {
  for (const char* cmd : {"tables", "describe", "history", "restore", "vacuum", "sql", "read"}) {
    CliRun help = Pareto({cmd, "--help"});
    EXPECT_EQ(help.exit_code, 0) << cmd;
    EXPECT_NE(help.out.find("Usage"), std::string::npos) << cmd << ": " << help.out;
  }
  EXPECT_EQ(Pareto({"restore", "brz_orders"}).exit_code, 64);  // --version is required
  EXPECT_EQ(Pareto({"describe"}).exit_code, 64);
}

}  // namespace
}  // namespace pareto::cli
