// Incremental models through RunPipeline on a small hand-made lakehouse: what is
// merged, what falls back to a full rebuild and why, and that a merge gives the
// rows a full rebuild gives.
#include "pipeline/incremental.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "catalog/lakehouse.h"
#include "duck/testing/in_memory.h"
#include "pipeline/runner.h"
#include "pipeline/test_util.h"

namespace pareto::pipeline {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;
using testing::TempDir;
using testing::WriteFile;

// bronze.brz_ev (id, v, _ingested_at) -> silver.slv_latest (latest v of each id,
// incremental on id; v = 'bad' is dropped) and silver.slv_both (reads two bronze
// tables: declared incremental, never merged).
class IncrementalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    lakehouse_ = dir_.path() + "/lakehouse";
    project_ = dir_.path() + "/project";
    WriteFile(project_, "pipeline.yaml", R"y(catalog: shop
expectations:
  silver.slv_latest:
    - {name: not_bad, condition: "v <> 'bad'", action: drop}
incremental:
  silver.slv_latest: {unique_key: [id]}
  silver.slv_both: {unique_key: [id]}
)y");
    WriteLatest("");
    WriteFile(project_, "silver/slv_both.sql",
              "SELECT e.id, any_value(k.name) AS name FROM bronze.brz_ev e LEFT JOIN bronze.brz_kind k USING (id) "
              "GROUP BY e.id\n");
    auto lakehouse = catalog::Lakehouse::Open(lakehouse_);
    ASSERT_TRUE(lakehouse.has_value()) << lakehouse.error().ToString();
    lakehouse_handle_.emplace(std::move(*lakehouse));
    ASSERT_NO_FATAL_FAILURE(duck::testing::OpenInMemory(db_, conn_));
    Append("brz_ev", "(1, 'a', 1), (2, 'b', 1), (2, 'b0', 0)");
    Append("brz_kind", "(1, 'one', 1)");
  }

  void WriteLatest(const std::string& extra) {
    WriteFile(project_, "silver/slv_latest.sql",
              "SELECT id, v" + extra +
                  " FROM bronze.brz_ev QUALIFY row_number() OVER (PARTITION BY id ORDER BY _ingested_at DESC) = 1\n");
  }

  // Rows (id, v or name, _ingested_at) appended to shop.bronze.<table> as one commit.
  void Append(const std::string& table, const std::string& values) {
    auto commit = lakehouse_handle_->Publish(
        *conn_, {.name = {"shop", "bronze", table},
                 .select_sql = "SELECT * FROM (VALUES " + values + ") t(id, " + (table == "brz_ev" ? "v" : "name") +
                               ", _ingested_at)",
                 .mode = catalog::WriteMode::kAppend});
    ASSERT_TRUE(commit.has_value()) << commit.error().ToString();
  }

  RunReport Run(bool full = false) {
    auto report = RunPipeline({.project_dir = project_, .lakehouse_root = lakehouse_, .full = full, .jobs = 1});
    EXPECT_TRUE(report.has_value()) << report.error().ToString();
    if (report) {
      EXPECT_TRUE(report->ok()) << FormatRunReport(*report);
    }
    return report.value_or(RunReport{});
  }
  std::string Message(const RunReport& r, const std::string& task) {
    const TaskReport* t = r.Find(task);
    return t == nullptr ? "(no task)" : t->message;
  }

  std::string Query(const std::string& sql) {
    auto session = lakehouse_handle_->OpenSession();
    EXPECT_TRUE(session.has_value());
    auto r = session->Query(sql);
    EXPECT_TRUE(r.has_value()) << r.error().ToString();
    return r && r->RowCount() > 0 ? r->GetString(0, 0) : "";
  }
  std::string Latest() { return Query("SELECT string_agg(id || '=' || v, ',' ORDER BY id) FROM silver.slv_latest"); }

  TempDir dir_;
  std::string lakehouse_, project_;
  std::optional<catalog::Lakehouse> lakehouse_handle_;
  std::optional<duck::Database> db_;
  std::optional<duck::Connection> conn_;
};

TEST_F(IncrementalTest, NewRowsAreMergedAndEqualAFullRebuild) {
  RunReport first = Run();
  EXPECT_THAT(Message(first, "silver.slv_latest"), HasSubstr("full rebuild: first build"));
  EXPECT_EQ(Latest(), "1=a,2=b");

  // A new version of 2, a new key 3, and a new version of 1 that is dropped.
  Append("brz_ev", "(2, 'B', 2), (3, 'c', 2), (1, 'bad', 2)");
  RunReport second = Run();
  const TaskReport* t = second.Find("silver.slv_latest");
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->state, TaskState::kBuilt);
  EXPECT_THAT(t->message, StartsWith("merged 1 new file (3 rows) of bronze.brz_ev: 1 inserted, 1 updated, 1 deleted"));
  EXPECT_EQ(t->rows_read, 3);  // the new rows only
  EXPECT_EQ(t->dropped_rows, 1);
  EXPECT_EQ(Latest(), "2=B,3=c");
  auto history = delta::Table(lakehouse_ + "/shop/silver/slv_latest").History();
  ASSERT_TRUE(history.has_value());
  EXPECT_EQ(history->front().operation, "MERGE");
  // The model reading two bronze tables is rebuilt, and says why.
  EXPECT_THAT(Message(second, "silver.slv_both"), HasSubstr("full rebuild: it reads 2 bronze tables"));

  // Nothing new: up to date; then a full rebuild gives the same rows.
  EXPECT_EQ(Run().Find("silver.slv_latest")->state, TaskState::kUpToDate);
  RunReport full = Run(/*full=*/true);
  EXPECT_THAT(Message(full, "silver.slv_latest"), HasSubstr("full rebuild: --full-refresh"));
  EXPECT_EQ(Latest(), "2=B,3=c");
}

TEST_F(IncrementalTest, ARestoredInputOrAChangedModelIsRebuiltInFull) {
  Run();
  Append("brz_ev", "(4, 'd', 2)");
  EXPECT_THAT(Message(Run(), "silver.slv_latest"), StartsWith("merged"));
  ASSERT_TRUE(lakehouse_handle_->Restore("shop.bronze.brz_ev", 0).has_value());
  EXPECT_THAT(Message(Run(), "silver.slv_latest"), HasSubstr("full rebuild: bronze.brz_ev: version 2 (RESTORE) removes files"));
  EXPECT_EQ(Latest(), "1=a,2=b");

  Append("brz_ev", "(5, 'e', 3)");
  WriteLatest(", upper(v) AS u");
  EXPECT_THAT(Message(Run(), "silver.slv_latest"), HasSubstr("full rebuild: its SQL, expectations, unique key or zone changed"));
  Append("brz_ev", "(6, 'f', 4)");
  EXPECT_THAT(Message(Run(), "silver.slv_latest"), StartsWith("merged"));
  EXPECT_EQ(Query("SELECT string_agg(id || u, ',' ORDER BY id) FROM silver.slv_latest"), "1A,2B,5E,6F");
}

}  // namespace
}  // namespace pareto::pipeline
