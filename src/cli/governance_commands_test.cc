// The governance commands through the built `pareto` binary: users, groups,
// grants in Unity Catalog's words, `sql --as`, `run|train|score --as`, the
// audit log and exit 77.
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "catalog/column_policies.h"
#include "catalog/lakehouse.h"
#include "cli/testing/cli_run.h"
#include "cli/testing/json_lines.h"
#include "cli/testing/publish_tables.h"
#include "common/testing/temp_dir.h"

namespace pareto::cli {
namespace {

using ::pareto::testing::TempDir;
using testing::CliRun;
using testing::JsonLines;

class GovernanceCommandsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    binary_ = testing::BinaryUnderTest();
    if (binary_.empty()) GTEST_SKIP() << "PARETO_BINARY is not set to a built pareto (run through ctest)";
    lakehouse_ = dir_.path() + "/lakehouse";
    std::vector<catalog::PublishRequest> writes;
    for (const auto& [schema, table] : {std::pair{"silver", "slv_customers"}, std::pair{"gold", "gld_kpis"}}) {
      writes.push_back({.name = {"olist", schema, table},
                        .select_sql = "SELECT * FROM (VALUES (1, 'SP'), (2, 'RJ')) v(id, state)"});
    }
    const Status published = testing::PublishTables(lakehouse_, writes);
    ASSERT_TRUE(published.ok()) << published.ToString();
  }
  // A user who may read the gold schema and nothing else (USE CATALOG, USE SCHEMA, SELECT).
  void AddGoldReader(const std::string& user) {
    ASSERT_EQ(Pareto({"user", "add", user}).exit_code, 0);
    for (std::vector<std::string> grant : {std::vector<std::string>{"USE", "CATALOG", "ON", "CATALOG", "olist"},
                                           {"USE_SCHEMA", "ON", "SCHEMA", "olist.gold"},
                                           {"SELECT", "ON", "SCHEMA", "olist.gold"}}) {
      grant.insert(grant.begin(), "grant");
      grant.insert(grant.end(), {"TO", user});
      ASSERT_EQ(Pareto(grant).exit_code, 0);
    }
  }
  CliRun Pareto(std::vector<std::string> args) {
    args.insert(args.begin(), {"--lakehouse", lakehouse_});
    return testing::RunBinary(binary_, args, dir_.path() + "/stderr.txt");
  }
  TempDir dir_;
  std::string binary_, lakehouse_;
};

TEST_F(GovernanceCommandsTest, GrantsInUnityCatalogsWordsDecideWhatSqlAsAUserSees) {
  ASSERT_EQ(Pareto({"user", "add", "mia"}).exit_code, 0);
  ASSERT_EQ(Pareto({"group", "add", "marketing"}).exit_code, 0);
  ASSERT_EQ(Pareto({"group", "add-member", "marketing", "mia"}).exit_code, 0);
  for (std::vector<std::string> grant : {std::vector<std::string>{"USE", "CATALOG", "ON", "CATALOG", "olist"},
                                         {"USE_SCHEMA", "ON", "SCHEMA", "olist.gold"},
                                         {"SELECT", "ON", "SCHEMA", "olist.gold"}}) {
    grant.insert(grant.begin(), "grant");
    grant.insert(grant.end(), {"TO", "marketing"});
    CliRun r = Pareto(grant);
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  CliRun on = Pareto({"--json", "grants", "ON", "SCHEMA", "olist.gold"});
  ASSERT_EQ(on.exit_code, 0) << on.err;
  auto rows = JsonLines(on.out);
  ASSERT_EQ(rows.size(), 3u);  // USE SCHEMA and SELECT to marketing, and the owner
  EXPECT_EQ(rows.back()["privilege"], "OWNER");
  EXPECT_EQ(rows.back()["principal"], "admin");
  EXPECT_EQ(JsonLines(Pareto({"--json", "grants", "TO", "marketing"}).out).size(), 3u);

  CliRun gold = Pareto({"--json", "sql", "--as", "mia", "SELECT count(*) AS n FROM gold.gld_kpis"});
  ASSERT_EQ(gold.exit_code, 0) << gold.err;
  EXPECT_EQ(JsonLines(gold.out)[0]["n"], 2);
  CliRun silver = Pareto({"sql", "--as", "mia", "SELECT * FROM silver.slv_customers"});
  EXPECT_EQ(silver.exit_code, 77) << silver.err;
  EXPECT_NE(silver.err.find("mia lacks USE SCHEMA on SCHEMA olist.silver"), std::string::npos) << silver.err;
  CliRun schemas = Pareto({"--json", "sql", "--as", "mia",
                           "SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = 'silver'"});
  ASSERT_EQ(schemas.exit_code, 0) << schemas.err;
  EXPECT_EQ(JsonLines(schemas.out)[0]["n"], 0);
  EXPECT_EQ(Pareto({"sql", "SELECT count(*) FROM silver.slv_customers"}).exit_code, 0);  // the admin

  // The refusal is in the audit log; so are the grants.
  CliRun denied = Pareto({"--json", "audit", "--principal", "mia", "--denied"});
  ASSERT_EQ(denied.exit_code, 0) << denied.err;
  auto entries = JsonLines(denied.out);
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0]["text"], "SELECT * FROM silver.slv_customers");
  EXPECT_EQ(entries[0]["source"], "cli");
  CliRun recent = Pareto({"--json", "audit", "--principal", "admin", "--since", "1h"});
  size_t grants = 0;
  for (const auto& e : JsonLines(recent.out)) grants += e["action"] == "grant";
  EXPECT_EQ(grants, 3u);

  ASSERT_EQ(Pareto({"revoke", "SELECT", "ON", "SCHEMA", "olist.gold", "FROM", "marketing"}).exit_code, 0);
  EXPECT_EQ(Pareto({"sql", "--as", "mia", "SELECT * FROM gold.gld_kpis"}).exit_code, 77);
  EXPECT_EQ(Pareto({"revoke", "SELECT", "ON", "SCHEMA", "olist.gold", "FROM", "marketing"}).exit_code, 66);
}

TEST_F(GovernanceCommandsTest, MalformedGrantsAndUnknownPrincipalsAreNamed) {
  EXPECT_EQ(Pareto({"grant", "SELECT", "schema", "olist.gold", "TO", "x"}).exit_code, 64);
  EXPECT_EQ(Pareto({"grant", "READ", "ON", "SCHEMA", "olist.gold", "TO", "admin"}).exit_code, 64);
  EXPECT_EQ(Pareto({"grant", "SELECT", "ON", "SCHEMA", "olist", "TO", "admin"}).exit_code, 64);
  EXPECT_EQ(Pareto({"grant", "SELECT", "ON", "SCHEMA", "olist.gold", "TO", "nobody"}).exit_code, 66);
  EXPECT_EQ(Pareto({"sql", "--as", "nobody", "SELECT 1"}).exit_code, 66);
  EXPECT_EQ(Pareto({"token", "create", "--name", "t", "--user", "nobody"}).exit_code, 66);
  EXPECT_EQ(Pareto({"user", "add", "admin"}).exit_code, 75);
}

// Writing commands check MODIFY (and SELECT on what they read) before any work:
// refused with exit 77 naming the privilege, and audited either way.
TEST_F(GovernanceCommandsTest, RunTrainAndScoreAsAUserNeedModifyOnWhatTheyWrite) {
  ASSERT_NO_FATAL_FAILURE(AddGoldReader("mia"));
  CliRun run = Pareto({"run", "--as", "mia", "--no-ml", "--quiet"});
  EXPECT_EQ(run.exit_code, 77) << run.err;
  EXPECT_NE(run.err.find("mia lacks USE SCHEMA on SCHEMA olist.bronze"), std::string::npos) << run.err;
  CliRun train = Pareto({"train", "--as", "mia", "--protocol", "seed"});
  EXPECT_EQ(train.exit_code, 77) << train.err;
  EXPECT_NE(train.err.find("MODIFY"), std::string::npos) << train.err;
  CliRun score = Pareto({"score", "--as", "mia"});
  EXPECT_EQ(score.exit_code, 77) << score.err;
  EXPECT_NE(score.err.find("MODIFY"), std::string::npos) << score.err;
  EXPECT_EQ(Pareto({"train", "--as", "nobody"}).exit_code, 66);

  // With MODIFY on gold, training as mia gets past the check (and then fails
  // on this lakehouse's missing features table, which is not a refusal).
  ASSERT_EQ(Pareto({"grant", "MODIFY", "ON", "SCHEMA", "olist.gold", "TO", "mia"}).exit_code, 0);
  CliRun allowed = Pareto({"train", "--as", "mia", "--protocol", "seed"});
  EXPECT_NE(allowed.exit_code, 77) << allowed.err;

  CliRun audit = Pareto({"--json", "audit", "--principal", "mia"});
  ASSERT_EQ(audit.exit_code, 0) << audit.err;
  std::map<std::string, int> denied, passed;
  for (const auto& e : JsonLines(audit.out)) (e["allowed"].get<bool>() ? passed : denied)[e["action"]]++;
  EXPECT_EQ(denied["run"], 1);
  EXPECT_EQ(denied["train"], 1);
  EXPECT_EQ(denied["score"], 1);
  EXPECT_EQ(passed["train"], 1);
}

// Lineage as a user: their table's neighbours they may not SELECT are left out;
// a table they may not SELECT is refused.
TEST_F(GovernanceCommandsTest, LineageAsAUserShowsOnlyTablesTheyMaySelect) {
  ASSERT_NO_FATAL_FAILURE(AddGoldReader("mia"));
  CliRun admin = Pareto({"--json", "lineage", "gold.gld_customer_metrics"});
  ASSERT_EQ(admin.exit_code, 0) << admin.err;
  EXPECT_NE(admin.out.find("silver."), std::string::npos) << admin.out;
  CliRun mia = Pareto({"--json", "lineage", "gold.gld_customer_metrics", "--as", "mia"});
  ASSERT_EQ(mia.exit_code, 0) << mia.err;
  EXPECT_EQ(mia.out.find("silver."), std::string::npos) << mia.out;
  EXPECT_EQ(mia.out.find("bronze."), std::string::npos) << mia.out;
  CliRun refused = Pareto({"lineage", "silver.slv_customers", "--as", "mia"});
  EXPECT_EQ(refused.exit_code, 77) << refused.err;
}

// `audience` writes whole rows of the scores table to a CSV: as a user it needs
// SELECT on that table and no mask or row filter of it that applies to them;
// the header counts persons from silver only for whom may see silver. Audited.
TEST_F(GovernanceCommandsTest, AudienceAsAUserNeedsUnmaskedSelectOnTheScores) {
  {
    catalog::PublishRequest scores{
        .name = {"olist", "gold", "gld_customer_scores"},
        .select_sql = "SELECT 'p' || i AS customer_unique_id, DATE '2018-08-01' AS snapshot_date, "
                      "180.0 AS horizon_days, 10.0 * i AS expected_spend, 0.1 * i AS repeat_probability, "
                      "0.2 * i AS expected_purchases, 0.9 AS p_alive, 'recency' AS driver_1, 0.1 AS driver_1_effect, "
                      "'frequency' AS driver_2, 0.05 AS driver_2_effect, 'monetary' AS driver_3, 0.01 AS driver_3_effect, "
                      "DATE '2018-07-31' AS trained_through, 'future_value' AS model_name FROM range(1, 6) t(i)"};
    catalog::PublishRequest fact{.name = {"olist", "silver", "slv_order_fact"},
                                 .select_sql = "SELECT 'p' || i AS customer_unique_id FROM range(1, 8) t(i)"};
    const Status published = testing::PublishTables(lakehouse_, {scores, fact});
    ASSERT_TRUE(published.ok()) << published.ToString();
  }
  ASSERT_NO_FATAL_FAILURE(AddGoldReader("mia"));
  ASSERT_EQ(Pareto({"user", "add", "rita"}).exit_code, 0);
  const std::string out = dir_.path() + "/audience.csv";
  const auto about = [&] {
    std::ifstream in(out + ".about.txt");
    return std::string(std::istreambuf_iterator<char>(in), {});
  };

  CliRun rita = Pareto({"audience", "--top", "40%", "--out", out, "--as", "rita"});
  EXPECT_EQ(rita.exit_code, 77) << rita.err;
  EXPECT_FALSE(std::filesystem::exists(out));

  // The admin's header counts the 7 persons with an order; mia may not see silver: not counted.
  CliRun admin = Pareto({"audience", "--top", "40%", "--out", out});
  ASSERT_EQ(admin.exit_code, 0) << admin.err;
  EXPECT_NE(about().find("2 persons with an order but no score"), std::string::npos) << about();
  std::filesystem::remove(out);
  CliRun mia = Pareto({"audience", "--top", "40%", "--out", out, "--as", "mia"});
  ASSERT_EQ(mia.exit_code, 0) << mia.err;
  EXPECT_NE(about().find("persons with an order not counted"), std::string::npos) << about();
  std::ifstream csv(out);
  std::string header, first;
  std::getline(csv, header);
  std::getline(csv, first);
  EXPECT_EQ(first.substr(0, 3), "p5,") << first;

  // A mask on the scores for everyone outside analysts (the admin spared): mia is refused, the admin is not.
  {
    auto ms = catalog::Metastore::Open(lakehouse_);
    ASSERT_TRUE(ms.has_value());
    ASSERT_TRUE(catalog::ReplacePolicies(
                    *ms, {.masks = {{"olist.gold.gld_customer_scores", "expected_spend",
                                     "CASE WHEN is_member('admin') OR is_member('analysts') THEN expected_spend "
                                     "ELSE NULL END"}}})
                    .ok());
  }
  std::filesystem::remove(out);
  CliRun masked = Pareto({"audience", "--out", out, "--as", "mia"});
  EXPECT_EQ(masked.exit_code, 77) << masked.err;
  EXPECT_NE(masked.err.find("column mask or row filter for mia"), std::string::npos) << masked.err;
  EXPECT_FALSE(std::filesystem::exists(out));
  EXPECT_EQ(Pareto({"audience", "--out", out}).exit_code, 0);

  std::map<std::string, int> denied;
  for (const char* user : {"mia", "rita"}) {
    CliRun audit = Pareto({"--json", "audit", "--principal", user, "--denied"});
    ASSERT_EQ(audit.exit_code, 0) << audit.err;
    for (const auto& e : JsonLines(audit.out)) denied[user] += e["action"] == "audience";
  }
  EXPECT_EQ(denied["rita"], 1);
  EXPECT_EQ(denied["mia"], 1);
}

}  // namespace
}  // namespace pareto::cli
