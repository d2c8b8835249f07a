#include "catalog/lakehouse.h"

#include <gtest/gtest.h>

#include "catalog/lineage.h"
#include "catalog/test_util.h"
#include "duck/testing/in_memory.h"

namespace pareto::catalog {
namespace {

using ::pareto::catalog::testing::TempDir;

class LakehouseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto lh = Lakehouse::Open(dir_.path() + "/lh");
    ASSERT_TRUE(lh.has_value()) << lh.error().message();
    lh_.emplace(std::move(*lh));
    ASSERT_NO_FATAL_FAILURE(duck::testing::OpenInMemory(db_, conn_));
  }

  StatusOr<delta::CommitResult> Publish(PublishRequest r) { return lh_->Publish(*conn_, r); }

  TempDir dir_;
  std::optional<Lakehouse> lh_;
  std::optional<duck::Database> db_;
  std::optional<duck::Connection> conn_;
};

TEST_F(LakehouseTest, TablePathFollowsTheOneRule) {
  EXPECT_EQ(lh_->TablePath(TableName{"olist", "bronze", "brz_orders"}), dir_.path() + "/lh/olist/bronze/brz_orders");
}

TEST_F(LakehouseTest, PublishOverwritesRecordsAndReadsTheVersionFromTheLog) {
  const TableName name{"olist", "silver", "slv_x"};
  auto first = Publish({.name = name, .select_sql = "SELECT 1 AS id", .comment = "x v1",
                        .upstream = std::vector<std::string>{"olist.bronze.brz_a"},
                        .column_lineage = std::vector<ColumnEdge>{{"id", {"olist.bronze.brz_a", "id"}}},
                        .operation = "CREATE OR REPLACE TABLE AS SELECT"});
  ASSERT_TRUE(first.has_value()) << first.error().message();
  EXPECT_EQ(first->version, 0);
  auto second = Publish({.name = name, .select_sql = "SELECT * FROM range(3) t(id)", .comment = "x v2"});
  ASSERT_TRUE(second.has_value()) << second.error().message();
  EXPECT_EQ(second->version, 1);
  EXPECT_EQ(second->rows_written, 3);

  TableInfo info = lh_->Resolve("slv_x").value();
  EXPECT_EQ(info.FullName(), "olist.silver.slv_x");
  EXPECT_EQ(info.location, "olist/silver/slv_x");
  EXPECT_EQ(info.comment, "x v2");
  EXPECT_EQ(lh_->Version(info).value(), 1);
  // Lineage from the first publish stays: the second gave none.
  EXPECT_EQ(UpstreamTables(lh_->metastore(), "olist.silver.slv_x").value(), std::vector<std::string>{"olist.bronze.brz_a"});
  auto cols = UpstreamColumns(lh_->metastore(), {"olist.silver.slv_x", "id"}).value();
  ASSERT_EQ(cols.size(), 1u);
  EXPECT_EQ(cols[0].table, "olist.bronze.brz_a");
}

TEST_F(LakehouseTest, PublishAppendsOnceForATxn) {
  const TableName name{"olist", "bronze", "brz_a"};
  PublishRequest r{.name = name, .select_sql = "SELECT 1 AS id", .mode = WriteMode::kAppend, .owner = "ingest",
                   .txn = delta::Txn{.app_id = "file-1", .version = 1}};
  auto first = Publish(r);
  ASSERT_TRUE(first.has_value()) << first.error().message();
  EXPECT_FALSE(first->skipped);
  auto again = Publish(r);
  ASSERT_TRUE(again.has_value());
  EXPECT_TRUE(again->skipped);
  r.txn = delta::Txn{.app_id = "file-2", .version = 1};
  auto other = Publish(r);
  ASSERT_TRUE(other.has_value());
  EXPECT_EQ(other->version, 1);
  auto session = lh_->OpenSession();
  ASSERT_TRUE(session.has_value()) << session.error().message();
  EXPECT_EQ(session->Query("SELECT count(*) FROM bronze.brz_a")->GetInt64(0, 0), 2);
  EXPECT_EQ(lh_->Resolve("olist.bronze.brz_a")->owner, "ingest");
}

TEST_F(LakehouseTest, PublishMergesByKeyInOneCommit) {
  const TableName name{"olist", "silver", "slv_m"};
  ASSERT_TRUE(Publish({.name = name, .select_sql = "SELECT * FROM (VALUES (1, 'a'), (2, 'b')) v(id, s)"}).has_value());
  auto merged = Publish({.name = name,
                         .select_sql = "SELECT * FROM (VALUES (2, 'B'), (3, 'c')) v(id, s)",
                         .mode = WriteMode::kMerge,
                         .merge_keys = {"id"},
                         .merge_delete_keys_sql = "SELECT 1 AS id"});
  ASSERT_TRUE(merged.has_value()) << merged.error().message();
  EXPECT_EQ(merged->version, 1);
  EXPECT_EQ(merged->rows_inserted, 1);
  EXPECT_EQ(merged->rows_updated, 1);
  EXPECT_EQ(merged->rows_deleted, 1);
  auto session = lh_->OpenSession();
  ASSERT_TRUE(session.has_value()) << session.error().message();
  auto r = session->Query("SELECT string_agg(id || s, ',' ORDER BY id) FROM silver.slv_m");
  ASSERT_TRUE(r.has_value()) << r.error().message();
  EXPECT_EQ(r->GetString(0, 0), "2B,3c");
  // A merge needs a table to merge into.
  auto missing = Publish({.name = {"olist", "silver", "none"}, .select_sql = "SELECT 1 AS id", .mode = WriteMode::kMerge,
                          .merge_keys = {"id"}});
  EXPECT_FALSE(missing.has_value());
}

TEST_F(LakehouseTest, RegisterRecordsAnExistingTableOnly) {
  const TableName name{"olist", "bronze", "lost"};
  // A commit whose record was lost (as when a process dies between the two).
  ASSERT_TRUE(delta::Table(lh_->TablePath(name)).Append(*conn_, "SELECT 1 AS id").has_value());
  EXPECT_EQ(lh_->Resolve("lost").error().code(), StatusCode::kNotFound);
  ASSERT_TRUE(lh_->Register(name, "found again", "ingest").ok());
  EXPECT_EQ(lh_->Resolve("lost")->comment, "found again");
  EXPECT_EQ(lh_->Register({"olist", "bronze", "never"}, "", "").code(), StatusCode::kNotFound);
}

TEST_F(LakehouseTest, PublishNeedsAFullName) {
  auto r = Publish({.name = TableName{"", "silver", "x"}, .select_sql = "SELECT 1"});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), StatusCode::kInvalidArgument);
}

TEST_F(LakehouseTest, RestoreCommitsTheOldVersionAndRecordsIt) {
  const TableName name{"olist", "gold", "g"};
  ASSERT_TRUE(Publish({.name = name, .select_sql = "SELECT 1 AS v"}).has_value());
  ASSERT_TRUE(Publish({.name = name, .select_sql = "SELECT 2 AS v"}).has_value());
  auto restored = lh_->Restore("gold.g", 0);
  ASSERT_TRUE(restored.has_value()) << restored.error().message();
  EXPECT_EQ(restored->commit.version, 2);
  EXPECT_EQ(restored->table.FullName(), "olist.gold.g");
  EXPECT_EQ(lh_->Version(lh_->Resolve("g").value()).value(), 2);
  auto session = lh_->OpenSession();
  ASSERT_TRUE(session.has_value());
  EXPECT_EQ(session->Query("SELECT v FROM gold.g")->GetInt64(0, 0), 1);

  EXPECT_EQ(lh_->Restore("nope", 0).error().code(), StatusCode::kNotFound);
  EXPECT_EQ(lh_->Restore("g", 9).error().code(), StatusCode::kNotFound);
}

TEST_F(LakehouseTest, WritableSessionReattachesAPublishedTable) {
  const TableName name{"olist", "silver", "s"};
  ASSERT_TRUE(Publish({.name = name, .select_sql = "SELECT 1 AS a"}).has_value());
  auto session = lh_->OpenSession({.read_only = false, .default_catalog = "olist"});
  ASSERT_TRUE(session.has_value()) << session.error().message();
  EXPECT_EQ(session->VersionOf("silver.s"), 0);
  ASSERT_TRUE(lh_->Publish(session->connection(), {.name = name, .select_sql = "SELECT 2 AS a, 3 AS b"}).has_value());
  ASSERT_TRUE(session->Attach(lh_->Resolve("silver.s").value()).ok());
  EXPECT_EQ(session->VersionOf("silver.s"), 1);
  EXPECT_EQ(session->ColumnsOf("olist.silver.s"), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(session->connection().QueryInt64("SELECT b FROM silver.s").value(), 3);
  // A table published after the session opened joins it on Attach.
  ASSERT_TRUE(lh_->Publish(session->connection(), {.name = {"olist", "gold", "new"}, .select_sql = "SELECT 7 AS n"})
                  .has_value());
  ASSERT_TRUE(session->Attach(lh_->Resolve("gold.new").value()).ok());
  EXPECT_EQ(session->connection().QueryInt64("SELECT n FROM gold.new").value(), 7);
}

TEST_F(LakehouseTest, ReadOnlySessionStaysLockedDown) {
  ASSERT_TRUE(Publish({.name = {"olist", "bronze", "b"}, .select_sql = "SELECT 1 AS a"}).has_value());
  auto session = lh_->OpenSession();
  ASSERT_TRUE(session.has_value());
  EXPECT_EQ(session->Query("SELECT a FROM b")->GetInt64(0, 0), 1);
  for (const char* refused : {"CREATE TABLE t AS SELECT 1", "SET enable_external_access = true",
                              "SELECT * FROM read_csv('/etc/passwd')", "SELECT 1; SELECT 2",
                              "COPY (SELECT 1) TO '/tmp/x.csv'"}) {
    auto r = session->Query(refused);
    EXPECT_FALSE(r.has_value()) << refused;
  }
}

}  // namespace
}  // namespace pareto::catalog
