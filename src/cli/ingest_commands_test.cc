// `pareto ingest` through the built binary (env PARETO_BINARY, set by ctest): what
// a person sees of a spreadsheet-damaged drop — each file's accounting (rows read =
// landed + quarantined + blank + repeated header), a warning naming the pattern and
// the closest file for a renamed source, a quarantined row with its file, line,
// text and reason, and the landed timestamps as `pareto sql` prints them.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli/testing/cli_run.h"
#include "common/testing/temp_dir.h"

namespace pareto::cli {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

const std::string kMini = std::string(PARETO_SOURCE_DIR) + "/tests/fixtures/olist-mini";
const std::string kProject = std::string(PARETO_SOURCE_DIR) + "/pipelines/olist";

int64_t LineCount(const std::string& path) {
  std::ifstream in(path);
  return std::count(std::istreambuf_iterator<char>(in), {}, '\n');
}

class IngestCommandsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    binary_ = testing::BinaryUnderTest();
    if (binary_.empty()) GTEST_SKIP() << "PARETO_BINARY is not set to a built pareto (run through ctest)";
    source_ = dir_.path() + "/drop";
    fs::copy(kMini, source_, fs::copy_options::recursive);
    fs::remove(source_ + "/README.md");
    // What a spreadsheet does to a drop: a value with more digits than its column
    // holds, lines of only commas at the end, a file saved under another name.
    payments_rows_ = LineCount(source_ + "/olist_order_payments_dataset.csv") - 1;
    std::ofstream(source_ + "/olist_order_payments_dataset.csv", std::ios::app)
        << "00000000000000000000000000000001,1,credit_card,1,1.234\n,,,,\n,,,,\n";
    fs::rename(source_ + "/olist_customers_dataset.csv", source_ + "/olistcustomerdataset.csv");
  }
  testing::CliRun Pareto(const std::string& lakehouse, const std::vector<std::string>& args) {
    std::vector<std::string> full = {"--lakehouse", lakehouse, "--project", kProject};
    full.insert(full.end(), args.begin(), args.end());
    return testing::RunBinary(binary_, full, dir_.path() + "/stderr.txt");
  }

  ::pareto::testing::TempDir dir_;
  std::string binary_, source_;
  int64_t payments_rows_ = 0;
};

TEST_F(IngestCommandsTest, EachFileIsAccountedForAndEachFaultNamesFileLineAndReason) {
  const std::string lakehouse = dir_.path() + "/lakehouse";
  testing::CliRun ingest = Pareto(lakehouse, {"ingest", "--source", source_});
  ASSERT_EQ(ingest.exit_code, 0) << ingest.err;
  // Every row read is landed, quarantined or skipped, and the line says which.
  EXPECT_THAT(ingest.out, HasSubstr("olist_order_payments_dataset.csv: " + std::to_string(payments_rows_ + 3) +
                                    " rows read = " + std::to_string(payments_rows_) +
                                    " landed + 1 quarantined + 2 blank + 0 repeated header"));
  const int64_t order_rows = LineCount(source_ + "/olist_orders_dataset.csv") - 1;
  EXPECT_THAT(ingest.out, HasSubstr("olist_orders_dataset.csv: " + std::to_string(order_rows) + " rows read = " +
                                    std::to_string(order_rows) + " landed + 0 quarantined + 0 blank + 0 repeated header"));
  // The renamed file: a warning naming what was looked for and the closest name seen.
  EXPECT_THAT(ingest.out, HasSubstr("warning: olist.bronze.brz_customers:"));
  EXPECT_THAT(ingest.out, HasSubstr("olistcustomerdataset.csv"));
  EXPECT_THAT(ingest.out, HasSubstr("quarantined rows: SELECT * FROM bronze._quarantine"));

  // The quarantined row: its file, its line (the header is line 1), its whole text
  // and why — never 1.23.
  testing::CliRun quarantine =
      Pareto(lakehouse, {"--json", "sql", "SELECT source_file, line, raw_line, reason FROM bronze._quarantine"});
  ASSERT_EQ(quarantine.exit_code, 0) << quarantine.err;
  const nlohmann::json row = nlohmann::json::parse(quarantine.out);
  EXPECT_EQ(row["source_file"], "olist_order_payments_dataset.csv");
  EXPECT_EQ(row["line"], payments_rows_ + 2);
  EXPECT_EQ(row["raw_line"], "00000000000000000000000000000001,1,credit_card,1,1.234");
  EXPECT_THAT(row["reason"].get<std::string>(), HasSubstr("payment_value"));
  testing::CliRun landed = Pareto(lakehouse, {"sql", "SELECT count(*) AS n FROM bronze.brz_payments WHERE "
                                                     "order_id = '00000000000000000000000000000001' OR order_id IS NULL"});
  ASSERT_EQ(landed.exit_code, 0) << landed.err;
  EXPECT_THAT(landed.out, HasSubstr("n\n-\n0\n"));

  // Case 12: bronze timestamps print, in text and JSON, as the instants the file's
  // Sao Paulo wall times were (2017-01-05 09:12:33 and 2017-02-05 14:19:44, summer time -02).
  testing::CliRun times = Pareto(lakehouse, {"sql", "SELECT order_purchase_timestamp AS t FROM bronze.brz_orders "
                                                    "WHERE order_id IN ('7b9b436cd2670e815ed7c9ef51f5e820', "
                                                    "'6e7f85a9d0fe9b5dfb504c6f2991d744') ORDER BY t"});
  ASSERT_EQ(times.exit_code, 0) << times.err;
  EXPECT_THAT(times.out, HasSubstr("2017-01-05 11:12:33+00\n2017-02-05 16:19:44+00\n"));
  testing::CliRun json_times = Pareto(lakehouse, {"--json", "sql", "SELECT order_purchase_timestamp AS t FROM "
                                                                   "bronze.brz_orders WHERE order_id = "
                                                                   "'7b9b436cd2670e815ed7c9ef51f5e820'"});
  ASSERT_EQ(json_times.exit_code, 0) << json_times.err;
  EXPECT_EQ(json_times.out, "{\"t\":\"2017-01-05T11:12:33+00:00\"}\n");

  // --strict: the same warning is an error, naming the source, and nothing of it is hidden.
  testing::CliRun strict = Pareto(dir_.path() + "/strict", {"ingest", "--source", source_, "--strict"});
  EXPECT_EQ(strict.exit_code, 65) << strict.out;
  EXPECT_THAT(strict.err, HasSubstr("brz_customers"));
  EXPECT_THAT(strict.err, HasSubstr("olistcustomerdataset.csv"));
}

}  // namespace
}  // namespace pareto::cli
