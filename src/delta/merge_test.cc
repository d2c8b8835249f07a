// Table::Merge (upsert by key, copy-on-write) and Table::AppendedSince.
#include <gtest/gtest.h>

#include <set>

#include "delta/actions.h"
#include "delta/test_util.h"
#include "delta/validate.h"

namespace pareto::delta {
namespace {

using nlohmann::json;
using testing::Duck;
using testing::ScratchDir;

class MergeTest : public ::testing::Test {
 protected:
  Duck duck_ = Duck::Open();
  ScratchDir dir_;
  duck::Connection& conn() { return duck_.conn; }

  std::vector<std::string> Rows(const Table& t) {
    auto snap = t.Load();
    EXPECT_TRUE(snap.has_value()) << snap.error().ToString();
    auto scan = ScanSql(*snap);
    EXPECT_TRUE(scan.has_value()) << scan.error().ToString();
    auto r = conn().Query("SELECT coalesce(id::VARCHAR, 'null') || '=' || coalesce(v, 'null') FROM " + *scan + " ORDER BY 1");
    EXPECT_TRUE(r.has_value()) << r.error().ToString();
    std::vector<std::string> out;
    for (uint64_t i = 0; r && i < r->RowCount(); ++i) out.push_back(r->GetString(0, i));
    return out;
  }

  std::vector<json> Actions(const Table& t, int64_t version) {
    auto content = Env::Default()->ReadFile(CommitPath(t.root(), version));
    EXPECT_TRUE(content.has_value());
    auto actions = ParseCommit(*content, "commit");
    EXPECT_TRUE(actions.has_value());
    return *actions;
  }
};

TEST_F(MergeTest, ReplacesMatchedKeysInsertsNewOnesAndRewritesOnlyTouchedFiles) {
  Table t(dir_.path() + "/t");
  // Two files: ids 1-3 and ids 10-12.
  ASSERT_TRUE(t.Append(conn(), "SELECT * FROM (VALUES (1, 'a'), (2, 'b'), (3, 'c')) AS v(id, v)").has_value());
  ASSERT_TRUE(t.Append(conn(), "SELECT * FROM (VALUES (10, 'x'), (11, 'y'), (12, 'z')) AS v(id, v)").has_value());
  auto before = t.Load();
  ASSERT_TRUE(before.has_value());
  ASSERT_EQ(before->files.size(), 2u);

  auto merged = t.Merge(conn(), {.source_sql = "SELECT * FROM (VALUES (2, 'B'), (4, 'd')) AS v(id, v)", .keys = {"id"}});
  ASSERT_TRUE(merged.has_value()) << merged.error().ToString();
  EXPECT_EQ(merged->version, 2);
  EXPECT_EQ(merged->rows_inserted, 1);
  EXPECT_EQ(merged->rows_updated, 1);
  EXPECT_EQ(merged->rows_deleted, 0);
  EXPECT_EQ(merged->rows_copied, 2);  // ids 1 and 3 of the rewritten file
  EXPECT_EQ(merged->files_removed, 1);
  EXPECT_EQ(Rows(t), (std::vector<std::string>{"10=x", "11=y", "12=z", "1=a", "2=B", "3=c", "4=d"}));

  // The commit removes the file of ids 1-3 and keeps the other one live.
  int removes = 0, adds = 0;
  std::string operation;
  for (const json& a : Actions(t, 2)) {
    if (a.contains("remove")) ++removes;
    if (a.contains("add")) {
      ++adds;
      EXPECT_TRUE(a["add"].contains("stats"));
    }
    if (a.contains("commitInfo")) {
      operation = a["commitInfo"]["operation"];
      EXPECT_EQ(a["commitInfo"]["operationParameters"]["predicate"], "target.id <=> source.id");
      EXPECT_EQ(a["commitInfo"]["operationMetrics"]["numTargetRowsUpdated"], "1");
    }
  }
  EXPECT_EQ(operation, "MERGE");
  EXPECT_EQ(removes, 1);
  EXPECT_EQ(adds, 1);
  auto after = t.Load();
  ASSERT_TRUE(after.has_value());
  std::set<std::string> live;
  for (const AddFile& f : after->files) live.insert(f.path);
  for (const AddFile& f : before->files) {
    auto stats = json::parse(f.stats);
    EXPECT_EQ(live.contains(f.path), stats["minValues"]["id"] == 10) << f.path;
  }
  EXPECT_TRUE(ValidateLog(t.root()).ok()) << ValidateLog(t.root()).ToString();
  // Time travel still sees the version before the merge.
  auto old = t.Load({.version = 1});
  ASSERT_TRUE(old.has_value());
  EXPECT_EQ(old->files.size(), 2u);
}

TEST_F(MergeTest, DeleteKeysRemoveRowsTheSourceDoesNotHoldAndNullKeysMatch) {
  Table t(dir_.path() + "/t");
  ASSERT_TRUE(t.Append(conn(), "SELECT * FROM (VALUES (1, 'a'), (2, 'b'), (NULL, 'n')) AS v(id, v)").has_value());
  auto merged = t.Merge(conn(), {.source_sql = "SELECT * FROM (VALUES (NULL, 'N')) AS v(id, v)",
                                 .keys = {"id"},
                                 .delete_keys_sql = "SELECT 2 AS id"});
  ASSERT_TRUE(merged.has_value()) << merged.error().ToString();
  EXPECT_EQ(merged->rows_updated, 1);
  EXPECT_EQ(merged->rows_deleted, 1);
  EXPECT_EQ(merged->rows_inserted, 0);
  EXPECT_EQ(Rows(t), (std::vector<std::string>{"1=a", "null=N"}));
  EXPECT_TRUE(ValidateLog(t.root()).ok());
}

TEST_F(MergeTest, ASourceWithARepeatedKeyOrAnotherSchemaIsRefusedAndNothingIsCommitted) {
  Table t(dir_.path() + "/t");
  ASSERT_TRUE(t.Append(conn(), "SELECT * FROM (VALUES (1, 'a')) AS v(id, v)").has_value());
  auto repeated = t.Merge(conn(), {.source_sql = "SELECT * FROM (VALUES (2, 'b'), (2, 'c')) AS v(id, v)", .keys = {"id"}});
  ASSERT_FALSE(repeated.has_value());
  EXPECT_EQ(repeated.error().code(), StatusCode::kDataError);
  auto other = t.Merge(conn(), {.source_sql = "SELECT 1 AS id, 2 AS w", .keys = {"id"}});
  ASSERT_FALSE(other.has_value());
  auto no_key = t.Merge(conn(), {.source_sql = "SELECT 1 AS id, 'a' AS v", .keys = {"nope"}});
  ASSERT_FALSE(no_key.has_value());
  auto version = t.LatestVersion();
  ASSERT_TRUE(version.has_value());
  EXPECT_EQ(*version, 0);
}

TEST_F(MergeTest, AnEmptySourceCommitsNoFileChange) {
  Table t(dir_.path() + "/t");
  ASSERT_TRUE(t.Append(conn(), "SELECT * FROM (VALUES (1, 'a')) AS v(id, v)").has_value());
  auto merged = t.Merge(conn(), {.source_sql = "SELECT * FROM (VALUES (1, 'a')) AS v(id, v) WHERE false",
                                 .keys = {"id"}});
  ASSERT_TRUE(merged.has_value()) << merged.error().ToString();
  EXPECT_EQ(merged->files_removed, 0);
  EXPECT_EQ(merged->files_added, 0);
  EXPECT_EQ(Rows(t), (std::vector<std::string>{"1=a"}));
  EXPECT_TRUE(ValidateLog(t.root()).ok());
}

TEST_F(MergeTest, AppendedSinceListsOnlyAppendsAndNamesTheCommitThatDidMore) {
  Table t(dir_.path() + "/t");
  ASSERT_TRUE(t.Append(conn(), "SELECT 1 AS id, 'a' AS v").has_value());
  ASSERT_TRUE(t.Append(conn(), "SELECT * FROM (VALUES (2, 'b'), (3, 'c')) AS v(id, v)").has_value());
  ASSERT_TRUE(t.Append(conn(), "SELECT 4 AS id, 'd' AS v").has_value());
  auto appended = t.AppendedSince(0, 2);
  ASSERT_TRUE(appended.has_value()) << appended.error().ToString();
  EXPECT_TRUE(appended->append_only);
  EXPECT_EQ(appended->files.size(), 2u);
  EXPECT_EQ(appended->rows, 3);

  ASSERT_TRUE(t.Restore(1).has_value());  // version 3: removes the file of id 4
  auto restored = t.AppendedSince(2, 3);
  ASSERT_TRUE(restored.has_value());
  EXPECT_FALSE(restored->append_only);
  EXPECT_NE(restored->reason.find("version 3 (RESTORE) removes files"), std::string::npos) << restored->reason;

  ASSERT_TRUE(t.Merge(conn(), {.source_sql = "SELECT 1 AS id, 'A' AS v", .keys = {"id"}}).has_value());
  auto merged = t.AppendedSince(3, 4);
  ASSERT_TRUE(merged.has_value());
  EXPECT_FALSE(merged->append_only);
}

}  // namespace
}  // namespace pareto::delta
